"""The Checkout Session Haat asks Stripe for, and the idempotency keys of its calls.

One line item, "Order #<number>", for the order total: Haat has already added
discounts, shipping, fees and taxes (each rounded its own way), and Stripe would
recompute a total from per-line prices that need not add up to the same minor unit.
The shopper sees the lines on the order page and in the email; Stripe charges exactly
the total Haat took.
"""

from __future__ import annotations

from typing import Any

from core.sdk import OrderSnapshot, StoreInfo

from .config import StripeConfig
from .texts import text

#: Locales Stripe Checkout speaks (stripe-python 16, ``SessionCreateParams.locale``);
#: others (Bengali, Armenian) get "auto": the shopper's browser language, else English.
STRIPE_LOCALES = frozenset({
    "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr",
    "fr-CA", "hi-IN", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb",
    "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh",
    "zh-HK", "zh-TW",
})
_BY_FOLDED = {tag.casefold(): tag for tag in STRIPE_LOCALES}


def stripe_locale(locale: str) -> str:
    """The Stripe Checkout locale for a Haat locale (``"auto"`` when unsupported)."""
    tag = (locale or "").replace("_", "-").casefold()
    return _BY_FOLDED.get(tag) or _BY_FOLDED.get(tag.split("-")[0]) or "auto"


def status_url(store: StoreInfo, order: OrderSnapshot) -> str:
    """The shopper's order page (``/orders/<token>`` on the store's host)."""
    return (order.status_url or store.url(f"/orders/{order.token}")).rstrip("/")


def metadata(store: StoreInfo, order: OrderSnapshot) -> dict[str, str]:
    """What ties a Stripe object to one order of one store (events are matched by it)."""
    return {"haat_store": str(store.id), "haat_order": order.token}


def session_params(store: StoreInfo, order: OrderSnapshot, amount: int,
                   config: StripeConfig) -> dict[str, Any]:
    """The parameters of ``POST /v1/checkout/sessions`` for ``order``.

    ``amount`` is the order total in Stripe's units for the currency.
    """
    locale = order.locale or store.locale
    page = status_url(store, order)
    intent: dict[str, Any] = {
        "metadata": metadata(store, order),
        "description": f"Order #{order.number} ({store.name})",
    }
    if config.statement_descriptor_suffix:
        intent["statement_descriptor_suffix"] = config.statement_descriptor_suffix
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": order.total.currency.lower(),
                "unit_amount": amount,
                "product_data": {"name": text(locale, "line_item", number=order.number)},
            },
        }],
        # Stripe fills in {CHECKOUT_SESSION_ID}; the return handler still asks Stripe.
        "success_url": page + "/return?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": page,
        "client_reference_id": order.token,
        "metadata": metadata(store, order),
        "payment_intent_data": intent,
        "locale": stripe_locale(locale),
    }
    if order.email:
        params["customer_email"] = order.email
    return params


def checkout_key(store: StoreInfo, order: OrderSnapshot) -> str:
    """One Checkout Session per order: Stripe answers a repeated create with the first
    session for 24 hours, which is also how long a session stays open."""
    return f"haat-{store.id}-{order.token}-checkout"


def refund_key(store: StoreInfo, order: OrderSnapshot, amount_minor: int) -> str:
    """A refund of ``amount_minor`` on top of what is already refunded: a retry of the
    same refund repeats the key, the next refund (a new refunded total) does not."""
    before = order.refunded_total.amount if order.refunded_total is not None else 0
    return f"haat-{store.id}-{order.token}-refund-{before}-{amount_minor}"
