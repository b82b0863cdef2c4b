"""What a message looks like, made from a sample order: the message editor's preview
and its test send.

The sample order is built in memory (never saved) from the store's own name, currency,
digits and newest product, so the preview shows the store's real money format and
the text exactly as the send path renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import force_locale, pgettext
from sqlalchemy import select

from core.catalog.models import Product
from core.db import db, utcnow
from core.i18n import normalise_locale
from core.messaging.service import SIGN_IN_CODE, order_values
from core.messaging.sms import SmsSize, sms_size
from core.messaging.store_wording import fill_wording
from core.messaging.texts import ORDER_EVENTS
from core.orders.emails import render_order_email
from core.orders.models import Order, OrderLine
from core.sdk import StoreInfo

#: The sign-in code the preview shows.
SAMPLE_CODE = "123456"
_SAMPLE_NAMES = {"en": "Sara Ahmed", "bn": "রহিম উদ্দিন", "hy": "Անի Պետրոսյան"}
_SAMPLE_CARRIERS = {"BD": "Pathao", "AM": "HayPost"}
_SAMPLE_PAYMENTS = {"BD": "bKash", "AM": "Idram"}
_SAMPLE_PRICE = 125_000  # 1,250.00 in a currency with two decimals
#: The sample order's page address ends in this (it opens no real order).
SAMPLE_TOKEN = "sample"  # noqa: S105 (an order-page token, not a secret)


@dataclass(frozen=True)
class Preview:
    """A message as the shopper would get it: ``text`` (the SMS, or the email's plain
    text), ``subject`` and ``html`` for an email, ``size`` for an SMS."""

    text: str
    subject: str = ""
    html: str = ""
    size: SmsSize | None = None


def sample_order(store: StoreInfo, locale: str) -> Order:
    """An order of the store's newest product (else a "Sample product" in ``locale``),
    made in memory for previews; nothing is added to the session. Call it where the
    shoppers' catalogue translates."""
    newest = db.session.execute(select(Product.title, Product.price_amount)
                                .order_by(Product.id.desc()).limit(1)).first()
    if newest:
        title, price = newest[0], int(newest[1])
    else:
        with force_locale(normalise_locale(locale)):
            title, price = pgettext("sample order", "Sample product"), _SAMPLE_PRICE
    shipping = 6_000
    order = Order(number=1001, token=SAMPLE_TOKEN, currency=store.currency, locale=locale,
                  subtotal=price * 2, discount_total=0, shipping_total=shipping, fee_total=0,
                  tax_total=0, total=price * 2 + shipping, refunded_total=0,
                  payment_method="sample", coupon_code="", shipping_label="",
                  payment_label=_SAMPLE_PAYMENTS.get(store.country, "Visa"),
                  payment_state="pending", payment_instructions="",
                  shipping_address={"name": _SAMPLE_NAMES.get(locale, _SAMPLE_NAMES["en"]),
                                    "country": store.country},
                  carrier=_SAMPLE_CARRIERS.get(store.country, "DHL"),
                  tracking_number="PX12345678",
                  tracking_url="https://tracking.example/PX12345678",
                  created_at=utcnow())
    order.lines = [OrderLine(title=title, variant_title="", quantity=2, unit_price=price,
                             line_total=price * 2)]
    return order


def preview_message(store: StoreInfo, event: str, channel: str, locale: str,
                    parts: Mapping[str, str], order: Order) -> Preview:
    """``parts`` (a wording as typed, checked by the caller) filled in from ``order``
    as the send path would. Raises ``ValueError`` when a part does not render."""
    locale = normalise_locale(locale)
    if event == SIGN_IN_CODE:
        values = {"store": store.name, "code": SAMPLE_CODE}
    else:
        values = order_values(store, order, locale=locale)
        values["refund_amount"] = values["total"]  # the sample refunds the whole order
    filled = fill_wording(event, channel, parts, values)
    if channel == "sms":
        return Preview(text=filled["body"], size=sms_size(filled["body"]))
    if event == SIGN_IN_CODE:
        return Preview(text=filled["body"], subject=filled["subject"])
    rendered = render_order_email(store, order, ORDER_EVENTS[event], locale=locale,
                                  bengali_digits=store.bengali_digits,
                                  extra={"refund_amount": values.get("refund_amount", "")},
                                  wording=filled)
    return Preview(text=rendered.text, subject=rendered.subject, html=rendered.html)
