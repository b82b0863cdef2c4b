"""Order emails to shoppers: placed, paid, shipped, delivered, cancelled, refunded.

Each email is rendered in the order's locale (else the store's) from the templates in
``core/templates/email/`` as plain text plus an HTML alternative. Queueing, sending
once, retries and the message log are :mod:`core.messaging.service`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, pgettext

from core.countries import country_name
from core.i18n import format_date, format_money, format_number, normalise_locale
from core.mail import build_message, sender_address
from core.money import Money
from core.orders.models import Order
from core.orders.states import DELIVERED, SHIPPED
from core.sdk import StoreInfo
from tenants.provisioning import find_tenant_by_id

log = logging.getLogger("haat.orders.emails")

#: Email kind -> template name (``email/<name>.txt`` and ``email/<name>.html``).
TEMPLATES: dict[str, str] = {
    "confirmation": "order_confirmation",
    "paid": "order_paid",
    "shipped": "order_shipped",
    "delivered": "order_delivered",
    "cancelled": "order_cancelled",
    "refunded": "order_refunded",
    "link": "order_link",
}


@dataclass(frozen=True)
class RenderedEmail:
    """An order email ready to send: one-line subject, plain text and HTML bodies."""

    subject: str
    text: str
    html: str


class InvalidAddress(ValueError):
    """An email address that cannot be written into a header."""


def order_message(store: StoreInfo, rendered: RenderedEmail, order: Order,
                  email: str) -> EmailMessage:
    """``rendered`` as a message from the store to ``email`` (the shopper named as on
    the order's address); :class:`InvalidAddress` when ``email`` is not one."""
    recipient = _address((order.shipping_address or {}).get("name", ""), email)
    reply_to = None
    if store.contact_email:
        try:
            reply_to = _address(store.name, store.contact_email)
        except InvalidAddress:
            log.warning("store %s has a malformed contact email; no Reply-To", store.id)
    return build_message(subject=rendered.subject, sender=sender_address(store.name),
                         to=recipient, reply_to=reply_to, text=rendered.text, html=rendered.html)


def _address(name: str, email: str) -> Address:
    try:
        address = Address(display_name=" ".join(str(name).split()), addr_spec=email.strip())
    except (ValueError, IndexError) as exc:  # the header parser's complaints
        raise InvalidAddress(f"{email!r} is not an email address") from exc
    if not address.username or not address.domain:
        raise InvalidAddress(f"{email!r} is not an email address")
    return address


def render_order_email(store: StoreInfo, order: Order, kind: str,
                       *, bengali_digits: bool | None = None,
                       extra: dict[str, Any] | None = None,
                       locale: str = "",
                       wording: Mapping[str, str] | None = None) -> RenderedEmail:
    """Render the ``kind`` email of ``order`` (lines loaded) in the order's locale.

    ``bengali_digits`` defaults to the store's setting; ``extra`` adds to what the
    templates see (``refund_amount`` for a refund); ``locale`` (the shopper's chosen
    language) wins over the order's. ``wording`` is the store's own ``subject``,
    ``heading`` and ``body``, already filled in: it replaces the standard subject,
    heading and intro, and the order's details follow it as usual.
    """
    locale = normalise_locale(locale or order.locale or store.locale)
    if bengali_digits is None:
        tenant = find_tenant_by_id(store.id)
        bengali_digits = bool(tenant and tenant.bengali_digits)
    env = current_app.jinja_env
    name = TEMPLATES[kind]
    with force_locale(locale):
        context = {**order_email_context(store, order, kind, locale, bengali_digits),
                   **(extra or {})}
        text_template = env.get_template(f"email/{name}.txt")
        if wording:
            subject = wording["subject"]
            context.update(custom_heading=wording.get("heading", ""),
                           custom_intro=wording["body"],
                           custom_paragraphs=[paragraph.split("\n")
                                              for paragraph in wording["body"].split("\n\n")])
        else:
            subject = "".join(
                text_template.blocks["subject"](text_template.new_context(context)))
        context["subject"] = " ".join(subject.split())
        text = text_template.render(context)
        html = env.get_template(f"email/{name}.html").render(context)
    return RenderedEmail(subject=context["subject"], text=_tidy(text), html=html)


def email_source(kind: str, names: tuple[str, ...]) -> dict[str, str]:
    """The standard subject, heading and message of the ``kind`` email written in the
    template language (``{{ number }}``), in the current locale: what the merchant
    starts from when they change it. ``names`` are the event's placeholders."""
    from core.messaging.wording import placeholder_values

    template = current_app.jinja_env.get_template(f"email/{TEMPLATES[kind]}.txt")
    context = template.new_context({**placeholder_values(names),
                                    "refund_amount": "{{ refund_amount }}"})
    return {block: " ".join("".join(template.blocks[block](context)).split())
            for block in ("subject", "heading", "intro")}


def order_email_context(store: StoreInfo, order: Order, kind: str, locale: str,
                        bengali_digits: bool) -> dict[str, Any]:
    """What the email templates show, formatted for ``locale`` (call under
    ``force_locale(locale)`` so the labels are translated)."""

    def money(amount: int) -> str:
        return format_money(Money(amount, order.currency), locale, bengali_digits=bengali_digits)

    unpaid = order.payment_state == "pending"
    return {
        "kind": kind,
        "locale": locale,
        "store_name": store.name,
        "store_url": store.url(""),
        "contact_email": store.contact_email,
        "contact_phone": store.contact_phone,
        "number": f"#{order.number}",
        "placed_on": format_date(order.created_at, locale, bengali_digits=bengali_digits,
                                 format="long") if order.created_at else "",
        "lines": [{
            "title": line.title,
            "variant": line.variant_title,
            "quantity": format_number(line.quantity, locale, bengali_digits=bengali_digits),
            "unit_price": money(line.unit_price),
            "line_total": money(line.line_total),
        } for line in order.lines],
        "totals": _totals(order, money),
        "total": money(order.total),
        "address": address_lines(order.shipping_address or {}, locale),
        "payment_label": order.payment_label or order.payment_method,
        "instructions": (order.payment_instructions or "").strip().splitlines()
        if unpaid and kind != "paid" else [],
        "status_url": store.url(f"orders/{order.token}"),
        # Cash on delivery is often marked paid after the parcel arrived: the paid
        # email then thanks the shopper instead of promising news of the shipping.
        "already_shipped": order.fulfilment_state in (SHIPPED, DELIVERED),
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "tracking_url": safe_link(order.tracking_url),
    }


def _totals(order: Order, money: Callable[[int], str]) -> list[tuple[str, str]]:
    """The rows above the total; discount, fees and tax only when there are any."""
    rows = [(pgettext("email", "Subtotal"), money(order.subtotal))]
    if order.discount_total:
        label = (pgettext("email", "Discount (%(code)s)", code=order.coupon_code)
                 if order.coupon_code else pgettext("email", "Discount"))
        rows.append((label, money(order.discount_total)))
    if order.shipping_label or order.shipping_total:
        label = (pgettext("email", "Shipping (%(method)s)", method=order.shipping_label)
                 if order.shipping_label else pgettext("email", "Shipping"))
        rows.append((label, money(order.shipping_total)))
    if order.fee_total:
        rows.append((pgettext("email", "Fees"), money(order.fee_total)))
    if order.tax_total:
        rows.append((pgettext("email", "Tax"), money(order.tax_total)))
    return rows


def address_lines(address: dict[str, str], locale: str) -> list[str]:
    """A shipping address as the lines of a label, the country named in ``locale``."""

    def part(key: str) -> str:
        return " ".join(str(address.get(key) or "").split())

    code = part("country").upper()
    country = country_name(code, locale) if code else ""
    town = ", ".join(p for p in (part("city"), part("region")) if p)
    town = " ".join(p for p in (town, part("postcode")) if p)
    lines = (part("name"), part("line1"), part("line2"), town, country, part("phone"))
    return [line for line in lines if line]


def safe_link(url: str | None) -> str:
    """``url`` when it is an absolute http(s) address, else ``""`` (no ``javascript:``)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _tidy(text: str) -> str:
    """Plain text without trailing spaces or runs of blank lines (template leftovers)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
