"""The bKash payment gateway: create, the shopper's return with execute, refunds.

The shopper pays on bKash's own page (the ``bkashURL``) and comes back to the order's
``/return`` address with ``paymentID`` and ``status``. Haat then calls Execute Payment
and believes only bKash's answer; a payment left unsettled (the shopper closed the tab,
execute timed out) is settled later by the scheduled query (jobs.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    PluginCheckoutError,
    RefundResult,
    StoreInfo,
    WebhookResult,
)

from . import api, payments
from .config import PLUGIN, BkashConfig
from .outcomes import (
    ALREADY,
    DECLINED,
    completed,
    failed,
    from_query,
    invoice_number,
    merchant_message,
)
from .texts import _, text

log = logging.getLogger(__name__)

GATEWAY_ID = "bkash"
CURRENCY = "BDT"


def callback_url(store: StoreInfo, order: OrderSnapshot) -> str:
    page = (order.status_url or store.url(f"/orders/{order.token}")).rstrip("/")
    return page + "/return"


@dataclass(frozen=True)
class BkashGateway:
    """bKash Tokenized Checkout for one store's checkout."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "mobile_wallet"
    brand: str = "bKash"
    refunds: bool = True

    # ------------------------------------------------------------------ start

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Create a bKash payment for the order total and send the shopper to it."""
        locale = order.locale or store.locale
        config = BkashConfig.of(store)
        if not config.ready:
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail="bKash credentials are not set")
        if order.total.currency != CURRENCY or order.total.amount <= 0:
            raise PluginCheckoutError(text(locale, "not_payable"), plugin=PLUGIN,
                                      detail=f"bKash cannot take {order.total}")
        body = {"mode": "0011", "payerReference": order.phone or str(order.number),
                "callbackURL": callback_url(store, order),
                "amount": api.bkash_amount(order.total), "currency": CURRENCY,
                "intent": "sale", "merchantInvoiceNumber": invoice_number(store, order)}
        try:
            answer = api.Client(store, config).create(body)
        except api.BkashError as exc:
            log.warning("bKash create for order %s of store %s failed: %s",
                        order.number, store.slug, exc.code)
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail=f"bKash create: {exc.code}") from None
        payment_id = str(answer.get("paymentID") or "")
        url = str(answer.get("bkashURL") or "")
        if not payment_id or not url.startswith(("https://", "http://")):
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail="bKash create gave no paymentID or bkashURL")
        payments.remember(store, payment_id, {"order": order.token, "order_id": order.id,
                                              "created": api.clock()})
        return PaymentStart(redirect_url=url, reference=payment_id)

    # ----------------------------------------------------------------- return

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """Execute (or query) the payment the shopper comes back from; trust nothing
        in the address but the paymentID, and that only if it is this order's."""
        locale = order.locale or store.locale
        payment_id = str(params.get("paymentID") or "").strip()
        status = str(params.get("status") or "").strip().lower()
        record = payments.recall(store, payment_id) if payment_id else None
        ours = (record is not None and record.get("order") == order.token) or (
            bool(payment_id) and payment_id == order.payment_reference)
        if not ours:
            return PaymentResult(order.token, "pending",
                                 message=text(locale, "not_this_order"))
        if order.payment_state not in ("pending", "failed"):
            return PaymentResult(order.token, "pending")
        client = api.Client(store)
        if status in ("cancel", "failure"):
            try:
                answer = client.query(payment_id)
            except api.BkashError as exc:
                log.warning("bKash query of %s (store %s) failed: %s", payment_id,
                            store.slug, exc.code)
                return PaymentResult(order.token, "pending", message=text(locale, "waiting"))
            return from_query(store, order, payment_id, answer,
                              unpaid="cancelled" if status == "cancel" else "failed")
        if record is not None and not record.get("returned"):
            payments.remember(store, payment_id, {**record, "returned": True})
        return execute(store, order, payment_id, client)

    # ---------------------------------------------------------------- webhook

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Tokenized Checkout sends Haat no webhooks: the return and the scheduled
        query settle payments."""
        return WebhookResult(status=404)

    # ----------------------------------------------------------------- refund

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Refund ``amount`` of the order's bKash payment; never raises."""
        config = BkashConfig.of(store)
        if not config.ready:
            return RefundResult(False, amount, message=_(
                "bKash is not set up: add the four credentials in the bKash settings."))
        if amount.currency != CURRENCY or amount.amount <= 0:
            return RefundResult(False, amount, message=_(
                "Enter an amount above zero in taka (BDT)."))
        trx_id = order.payment_reference
        payment_id = payments.payment_of(store, trx_id)
        if not payment_id:
            return RefundResult(False, amount, message=_(
                "This order has no completed bKash payment to refund."))
        body = {"paymentID": payment_id, "amount": api.bkash_amount(amount),
                "trxID": trx_id, "sku": f"order-{order.number}",
                "reason": f"Refund of order #{order.number}"}
        try:
            answer = api.Client(store, config).refund(body)
        except api.BkashError as exc:
            log.warning("bKash refund for order %s of store %s failed: %s",
                        order.number, store.slug, exc.code)
            if exc.unreachable:
                return RefundResult(False, amount, message=_(
                    "Could not reach bKash. Check the payment in bKash's merchant portal "
                    "before trying again: bKash may have made the refund."))
            return RefundResult(False, amount, message=merchant_message(exc))
        reference = str(answer.get("refundTrxID") or "")
        if str(answer.get("transactionStatus") or "") != "Completed":
            return RefundResult(False, amount, provider_reference=reference, message=_(
                "bKash did not complete the refund (%(status)s).",
                status=str(answer.get("transactionStatus") or "?")))
        return RefundResult(True, amount, provider_reference=reference, message=_(
            "Refunded through bKash, refund transaction %(trx)s.", trx=reference))


def execute(store: StoreInfo, order: OrderSnapshot, payment_id: str,
            client: api.Client) -> PaymentResult:
    """Execute Payment, then believe only bKash: Completed is paid; a refusal by the
    shopper's wallet is failed; anything else is settled by Query Payment."""
    locale = order.locale or store.locale
    waiting = PaymentResult(order.token, "pending", message=text(locale, "waiting"))
    try:
        answer = client.execute(payment_id)
    except api.BkashError as exc:
        if exc.unreachable:
            log.warning("bKash execute of %s (store %s) got no answer: %s", payment_id,
                        store.slug, exc.code)
            return waiting
        if exc.code in DECLINED:
            return failed(store, order, payment_id, DECLINED[exc.code])
        if exc.code not in ALREADY:
            log.info("bKash execute of %s (store %s): %s", payment_id, store.slug,
                     exc.code)
        try:
            answer = client.query(payment_id)
        except api.BkashError:
            return waiting
        return from_query(store, order, payment_id, answer)
    if str(answer.get("transactionStatus") or "") == "Completed":
        return completed(store, order, payment_id, answer)
    return from_query(store, order, payment_id, answer)
