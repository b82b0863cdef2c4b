"""Starter texts of the standard policy pages ("Add standard policy pages").

Short, plain-English drafts the merchant edits before publishing: they say what a
shopper looks for and leave the shop's own terms to fill in. Plain text paragraphs (the
storefront turns blank lines into paragraphs), not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StarterPage:
    """One standard page: its handle (address), title and draft text."""

    handle: str
    title: str
    body: str


STANDARD_PAGES: tuple[StarterPage, ...] = (
    StarterPage("refund-policy", "Refund policy", (
        "We want you to be happy with your order. If something is not right, tell us "
        "within [7] days of delivery and we will put it right.\n\n"
        "Returns: send the item back unused and in its original packaging. Tell us first "
        "at [email or phone] so we know it is coming.\n\n"
        "Refunds: once we receive the item we refund you within [5] working days, the "
        "same way you paid. Cash on delivery orders are refunded by [bKash / bank "
        "transfer].\n\n"
        "Damaged or wrong items: send us a photo within [2] days of delivery and we will "
        "replace the item or refund you, including delivery.\n\n"
        "Items that cannot be returned: [food, made-to-order items, gift cards].")),
    StarterPage("privacy-policy", "Privacy policy", (
        "This page explains what we do with the information you give us when you shop "
        "here.\n\n"
        "What we collect: your name, phone number, email and delivery address, and what "
        "you ordered. Payments are handled by our payment providers; we never see or "
        "keep your full card number.\n\n"
        "Why: to deliver your order, to contact you about it, and to keep our accounts. "
        "We only send you offers if you asked for them.\n\n"
        "Who sees it: our staff, and the courier and payment providers that need it to "
        "deliver and take payment. We do not sell your information.\n\n"
        "Cookies: our shop uses cookies to keep your cart and your language choice.\n\n"
        "Your choices: ask us at [email] to see, correct or delete your information.")),
    StarterPage("terms-of-service", "Terms of service", (
        "These terms apply when you buy from [shop name].\n\n"
        "Orders: an order is confirmed when we send you the confirmation. We may cancel an "
        "order if an item is out of stock or a price was clearly wrong, and refund "
        "anything you paid.\n\n"
        "Prices: prices include [VAT / taxes] unless shown otherwise. Delivery is added "
        "at checkout.\n\n"
        "Payment: you can pay by the methods shown at checkout. Cash on delivery orders "
        "are paid in full to the courier.\n\n"
        "Returns and refunds: see our refund policy.\n\n"
        "Contact: [email, phone, address].")),
    StarterPage("shipping-policy", "Shipping policy", (
        "Where we deliver: [inside Dhaka, the rest of Bangladesh / Yerevan and the "
        "regions / your area].\n\n"
        "How long it takes: we send orders within [1-2] working days. Delivery then "
        "takes [1-3] days inside the city and [3-5] days elsewhere.\n\n"
        "What it costs: delivery prices are shown at checkout before you pay. [Orders "
        "over ... ship free.]\n\n"
        "Tracking: when your order ships we send you the courier's name and tracking "
        "number.\n\n"
        "Problems: if your order has not arrived when expected, contact us at [phone].")),
)
