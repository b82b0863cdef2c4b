"""What bKash's answers mean for an order: shared by the return, the scheduled query
and refunds.

Only Execute Payment and Query Payment prove anything; the ``status`` the shopper
brings back in the address does not. Codes are bKash's (developer.bka.sh, "Error
Codes"); a shopper-side refusal fails the payment, anything else leaves it pending so
that the scheduled query can still settle it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from core.sdk import LazyText, OrderSnapshot, PaymentResult, StoreInfo

from . import payments
from .api import BkashError, from_bkash
from .texts import _, text

log = logging.getLogger(__name__)

#: Codes that mean the shopper's wallet refused the payment (the shopper's words key).
DECLINED: Mapping[str, str] = {
    "2023": "insufficient",
    **dict.fromkeys(("2014", "2015", "2016", "2017", "2018", "2019", "2037", "2038",
                     "2057", "2058", "2070", "2071", "2072", "2073", "2074"),
                    "wallet_refused"),
    "2069": "cancelled",
}
#: Codes after which the payment may already be complete: ask Query Payment.
ALREADY = frozenset({"2062", "2068", "2117"})
#: transactionStatus values of Query Payment that end a payment unpaid.
FINAL_UNPAID = frozenset({"Failed", "Cancelled", "Expired", "Declined"})

#: What the merchant reads for bKash's codes (order timeline, refund refusals).
MERCHANT: Mapping[str, LazyText] = {
    "2001": _.lazy("bKash did not accept the app key or app secret: check the bKash "
                   "settings."),
    "401": _.lazy("bKash refused the username, password or app key: check the bKash "
                  "settings."),
    "2002": _.lazy("bKash does not know this payment for your merchant account."),
    "2006": _.lazy("bKash refused the amount."),
    "2007": _.lazy("bKash takes payments in Bangladeshi taka (BDT) only."),
    "2026": _.lazy("The refund is more than the original payment."),
    "2034": _.lazy("bKash says this payment was already refunded in full."),
    "2049": _.lazy("bKash refused the shop's return address."),
    "2056": _.lazy("bKash says the payment is not in a state that allows this (not "
                   "completed yet, or already refunded)."),
    "2075": _.lazy("The refund is more than what is left of the payment."),
    "503": _.lazy("bKash is under maintenance. Try again later."),
}


def invoice_number(store: StoreInfo, order: OrderSnapshot) -> str:
    """The merchantInvoiceNumber of an order: unique per store, no secrets in it."""
    return f"H{store.id}-{order.number}"


def merchant_message(exc: BkashError) -> str:
    """The merchant's words for a bKash error, in the language of the moment."""
    if exc.unreachable:
        return _("Could not reach bKash (%(code)s).", code=exc.code)
    known = MERCHANT.get(exc.code)
    if known is not None:
        return str(known)
    # bKash's own words stay as bKash wrote them (in English).
    return _("bKash refused it: %(code)s %(reason)s", code=exc.code, reason=exc.message)


def completed(store: StoreInfo, order: OrderSnapshot, payment_id: str,
              answer: Mapping[str, Any]) -> PaymentResult:
    """A payment bKash reports ``Completed``: paid, if it is this order's."""
    locale = order.locale or store.locale
    if str(answer.get("merchantInvoiceNumber") or "") != invoice_number(store, order):
        log.warning("bKash payment %s of store %s is for invoice %r, not order %s",
                    payment_id, store.slug, answer.get("merchantInvoiceNumber"),
                    order.number)
        return PaymentResult(order.token, "pending", message=text(locale, "not_this_order"))
    trx_id = str(answer.get("trxID") or "")
    payments.settled(store, payment_id, trx_id)
    # The amount as bKash states it: core refuses (and notes) one that is not the total.
    return PaymentResult(order.token, "paid", provider_reference=trx_id,
                         amount=from_bkash(answer.get("amount"), answer.get("currency")),
                         event_id=f"{payment_id}:completed",
                         message=_("bKash payment completed, transaction %(trx)s.",
                                   trx=trx_id))


def failed(store: StoreInfo, order: OrderSnapshot, payment_id: str,
           reason: str) -> PaymentResult:
    payments.settled(store, payment_id)
    locale = order.locale or store.locale
    return PaymentResult(order.token, "failed", event_id=f"{payment_id}:failed",
                         message=text(locale, reason))


def from_query(store: StoreInfo, order: OrderSnapshot, payment_id: str,
               answer: Mapping[str, Any], *, unpaid: str = "") -> PaymentResult:
    """What Query Payment's answer means. ``unpaid``: the shopper's words key when a
    payment still ``Initiated`` is to be failed (a cancel), "" to leave it pending."""
    locale = order.locale or store.locale
    status = str(answer.get("transactionStatus") or "")
    if status == "Completed":
        return completed(store, order, payment_id, answer)
    if status in FINAL_UNPAID:
        return failed(store, order, payment_id, unpaid or "failed")
    if unpaid:
        return failed(store, order, payment_id, unpaid)
    return PaymentResult(order.token, "pending", message=text(locale, "not_paid"))
