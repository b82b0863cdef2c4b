"""The SSLCommerz payment gateway: sessions, returns, IPNs and refunds.

Card and wallet data never reach Haat: the shopper pays on SSLCommerz's hosted page.
Nothing SSLCommerz posts is believed as it is: an IPN must carry a good
``verify_sign`` (made with the store's password) *and* be confirmed by the validation
API (or, for a failure, by the transaction query), and what those APIs say must name
this store's order (by ``tran_id``), its total and its currency.

``tran_id`` is ``H<store id>-<order id>-<first 8 characters of the order token>``
(at most 30 characters, as SSLCommerz allows): it names one order of one store, is
the same for every attempt to pay that order, and is never used for another order.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from flask import has_request_context, request

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    PluginCheckoutError,
    RefundResult,
    StoreInfo,
    WebhookResult,
    get_order,
    payment_webhook_url,
)

from . import api
from .api import SslcommerzError
from .config import PLUGIN, SslcommerzConfig
from .texts import _, text

log = logging.getLogger(__name__)

GATEWAY_ID = "sslcommerz"
#: SSLCommerz takes 10.00 to 500000.00 BDT in one transaction.
MIN_BDT, MAX_BDT = Decimal("10.00"), Decimal("500000.00")
PAID = ("VALID", "VALIDATED")
TOKEN_PART = 8


# ------------------------------------------------------------------ transaction ids


def tran_id_for(store: StoreInfo, order: OrderSnapshot) -> str:
    """The one transaction id of ``order`` of ``store`` at SSLCommerz."""
    return f"H{store.id}-{order.id}-{order.token[:TOKEN_PART]}"


def order_for(store: StoreInfo, tran_id: str) -> OrderSnapshot | None:
    """This store's order that ``tran_id`` names, or ``None`` (another store's, unknown,
    or paid with another gateway)."""
    parts = str(tran_id or "").split("-", 2)
    if len(parts) != 3 or not parts[0].startswith("H"):
        return None
    store_part, order_part, token_part = parts[0][1:], parts[1], parts[2]
    if not (store_part.isdigit() and order_part.isdigit()) or int(store_part) != store.id:
        return None
    order = get_order(store, int(order_part))
    if (order is None or order.payment_method != GATEWAY_ID
            or not hmac.compare_digest(order.token[:TOKEN_PART], token_part)):
        return None
    return order


# ------------------------------------------------------------------- the IPN body


def ipn_fields(payload: bytes) -> dict[str, str]:
    """The IPN's form fields. SSLCommerz posts ``application/x-www-form-urlencoded``;
    core reads such a body as a form before the webhook view runs (its NUL check),
    after which the raw ``payload`` it hands over is empty, so the already parsed form
    of the request is read instead. The signature covers the values, not the bytes,
    so both give the same check."""
    if payload:
        return dict(parse_qsl(payload.decode("utf-8", "replace"), keep_blank_values=True))
    if has_request_context() and request.mimetype == "application/x-www-form-urlencoded":
        return {key: request.form.get(key, "") for key in request.form}
    return {}


# ------------------------------------------------------------------- verify_sign


def signature_ok(fields: Mapping[str, str], store_passwd: str) -> bool:
    """SSLCommerz's ``verify_sign``: md5 over ``key=value`` pairs of the fields named in
    ``verify_key`` plus ``store_passwd=md5(password)``, sorted by key and joined by
    ``&`` (as the official clients compute it)."""
    sign, keys = fields.get("verify_sign") or "", fields.get("verify_key") or ""
    if not sign or not keys or not store_passwd:
        return False
    data = {key: fields[key] for key in keys.split(",") if key in fields}
    # md5 is SSLCommerz's choice, not ours: the check must match its signature.
    data["store_passwd"] = hashlib.md5(store_passwd.encode()).hexdigest()  # noqa: S324
    joined = "&".join(f"{key}={data[key]}" for key in sorted(data))
    digest = hashlib.md5(joined.encode()).hexdigest()  # noqa: S324
    return hmac.compare_digest(digest, sign.lower())


# -------------------------------------------------------------------- amounts


def amount_text(money: Money) -> str:
    """An amount as SSLCommerz takes it: a decimal with two places (``"1570.00"``)."""
    return f"{money.to_decimal():.2f}"


def _paid_amount(data: Mapping[str, Any]) -> Money | None:
    """What SSLCommerz says was paid, in the currency the session asked for."""
    currency = str(data.get("currency_type") or data.get("currency") or "").upper()
    value = data.get("currency_amount") or data.get("amount")
    try:
        return Money.from_decimal(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError, TypeError, KeyError, ArithmeticError):
        return None


@dataclass(frozen=True)
class SslcommerzGateway:
    """Cards, bKash, Nagad, Rocket and internet banking through SSLCommerz."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "card"
    brand: str = "SSLCommerz"
    refunds: bool = True

    # ------------------------------------------------------------------ start

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Open an SSLCommerz session for the order and send the shopper to its page."""
        locale = order.locale or store.locale
        config = SslcommerzConfig.of(store)
        if not config.ready:
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail="SSLCommerz store ID or password not set")
        total = order.total.to_decimal()
        if total <= 0 or (order.total.currency == "BDT" and not MIN_BDT <= total <= MAX_BDT):
            raise PluginCheckoutError(text(locale, "not_payable"), plugin=PLUGIN,
                                      detail=f"{order.total} is outside SSLCommerz's limits")
        tran_id = tran_id_for(store, order)
        try:
            answer = api.create_session(config, session_fields(store, order, tran_id))
        except SslcommerzError as exc:
            log.warning("SSLCommerz session for order %s of store %s failed: %s",
                        order.number, store.slug, exc)
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail=f"SSLCommerz: {exc}") from None
        page = str(answer.get("GatewayPageURL") or "")
        if answer.get("status") != "SUCCESS" or not page.startswith(("https://", "http://")):
            reason = str(answer.get("failedreason") or "no GatewayPageURL")[:200]
            log.warning("SSLCommerz refused a session for order %s of store %s: %s",
                        order.number, store.slug, reason)
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail=f"SSLCommerz: {reason}")
        return PaymentStart(redirect_url=page, reference=tran_id)

    # ----------------------------------------------------------------- return

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """The shopper is back (through :mod:`.routes`). Only ``val_id`` is read from
        the address, as a key to ask SSLCommerz with; everything else comes from its
        validation API or its transaction query for this order's ``tran_id``."""
        locale = order.locale or store.locale
        waiting = PaymentResult(order.token, "pending", message=text(locale, "waiting"))
        config = SslcommerzConfig.of(store)
        if not config.ready:
            return waiting
        val_id = str(params.get("val_id") or "")[:100]
        try:
            if val_id:
                result = judge(store, order, api.validate(config, val_id), val_id)
                if result is not None:
                    return result
            found = api.query_transaction(config, tran_id_for(store, order))
        except SslcommerzError as exc:
            log.warning("SSLCommerz check of order %s of store %s failed: %s",
                        order.number, store.slug, exc)
            return waiting
        return from_query(store, order, found) or waiting

    # -------------------------------------------------------------------- IPN

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """SSLCommerz's IPN: check ``verify_sign``, then ask SSLCommerz."""
        config = SslcommerzConfig.of(store)
        fields = ipn_fields(payload)
        if not config.ready or not signature_ok(fields, config.store_passwd):
            log.warning("SSLCommerz IPN for store %s refused: bad or missing verify_sign",
                        store.slug)
            return WebhookResult(status=400)
        order = order_for(store, fields.get("tran_id", ""))
        if order is None:
            log.info("SSLCommerz IPN for store %s names no order of it", store.slug)
            return WebhookResult(status=200)
        val_id = str(fields.get("val_id") or "")[:100]
        try:
            if fields.get("status") in PAID and val_id:
                result = judge(store, order, api.validate(config, val_id), val_id)
            else:
                result = from_query(store, order,
                                    api.query_transaction(config, tran_id_for(store, order)))
        except SslcommerzError as exc:
            # SSLCommerz sends the IPN again; nothing changes until it can be checked.
            log.warning("SSLCommerz IPN for order %s of store %s not checked: %s",
                        order.number, store.slug, exc)
            return WebhookResult(status=503)
        if result is None:
            log.warning("SSLCommerz did not confirm the IPN for order %s of store %s",
                        order.number, store.slug)
            return WebhookResult(status=200)
        return WebhookResult(status=200, results=(result,))

    # ----------------------------------------------------------------- refund

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Refund ``amount`` through SSLCommerz's refund API; never raises. Messages are
        for the merchant, in the admin's language."""
        config = SslcommerzConfig.of(store)
        if not config.ready:
            return RefundResult(False, amount, message=_(
                "SSLCommerz is not set up: add the store ID and password in its settings."))
        if amount.currency != order.total.currency or amount.amount <= 0:
            return RefundResult(False, amount, message=_(
                "Enter an amount above zero in the order's currency."))
        tran_id = tran_id_for(store, order)
        try:
            payment = _paid_element(store, order, api.query_transaction(config, tran_id))
            if payment is None or not payment.get("bank_tran_id"):
                return RefundResult(False, amount, message=_(
                    "This order has no SSLCommerz payment to refund."))
            before = order.refunded_total.amount if order.refunded_total is not None else 0
            answer = api.refund(config, bank_tran_id=str(payment["bank_tran_id"]),
                                amount=amount_text(amount),
                                remarks=f"Order #{order.number}",
                                refe_id=f"{tran_id}-R{before}-{amount.amount}")
        except SslcommerzError as exc:
            log.warning("SSLCommerz refund for order %s of store %s failed: %s",
                        order.number, store.slug, exc)
            return RefundResult(False, amount, message=_(
                "Could not reach SSLCommerz, so nothing was refunded. Try again in a few "
                "minutes."))
        return _refund_result(answer, amount)


# ----------------------------------------------------------------- the session


def session_fields(store: StoreInfo, order: OrderSnapshot, tran_id: str) -> dict[str, str]:
    """The form of ``POST /gwprocess/v4/api.php`` for ``order`` (credentials apart)."""
    locale = order.locale or store.locale
    back = store.url(f"/payments/{GATEWAY_ID}/return")
    address = order.address
    name = (address.name if address else "") or order.email or order.phone or store.name
    phone = order.phone or (address.phone if address else "") or store.contact_phone
    items = sum(line.quantity for line in order.lines) or 1
    fields = {
        "total_amount": amount_text(order.total),
        "currency": order.total.currency,
        "tran_id": tran_id,
        "success_url": f"{back}/success/{order.token}",
        "fail_url": f"{back}/fail/{order.token}",
        "cancel_url": f"{back}/cancel/{order.token}",
        "ipn_url": payment_webhook_url(store, GATEWAY_ID),
        # SSLCommerz insists on a customer; a shopper who gave only a phone has no email.
        "cus_name": name[:50],
        "cus_email": (order.email or store.contact_email or "customer@example.com")[:50],
        "cus_phone": (phone or "01700000000")[:20],
        "cus_add1": ((address.line1 if address else "") or store.name)[:50],
        "cus_city": ((address.city or address.region if address else "") or "Dhaka")[:50],
        "cus_postcode": (address.postcode if address else "")[:30],
        "cus_country": (address.country if address else store.country) or "BD",
        "shipping_method": "Courier" if address else "NO",
        "num_of_item": str(items),
        "product_name": text(locale, "product", number=order.number)[:255],
        "product_category": "General",
        "product_profile": "general",
        "value_a": str(store.id),
        "value_b": str(order.number),
    }
    if address:
        fields.update({"ship_name": (address.name or name)[:50],
                       "ship_add1": (address.line1 or store.name)[:50],
                       "ship_city": (address.city or address.region or "Dhaka")[:50],
                       "ship_postcode": address.postcode[:50] or "1000",
                       "ship_country": address.country or "BD"})
    return fields


# ---------------------------------------------------- what SSLCommerz's APIs say


def judge(store: StoreInfo, order: OrderSnapshot, data: Mapping[str, Any],
          val_id: str) -> PaymentResult | None:
    """A result from the validation API's answer (or one element of a transaction
    query), or ``None`` when it confirms no payment (INVALID_TRANSACTION...)."""
    if str(data.get("status") or "") not in PAID:
        return None
    if str(data.get("tran_id") or "") != tran_id_for(store, order):
        log.warning("SSLCommerz payment %s names transaction %r, not order %s of store %s",
                    val_id, data.get("tran_id"), order.number, store.slug)
        return None
    paid = _paid_amount(data)
    if paid is None:
        log.warning("SSLCommerz payment %s of store %s has no readable amount", val_id,
                    store.slug)
        return None
    reference = str(data.get("bank_tran_id") or data.get("val_id") or val_id)
    if str(data.get("risk_level") or "0") == "1":
        # SSLCommerz's advice for risk level 1: hold the service and check the payer.
        return PaymentResult(order.token, "pending", event_id=f"risk:{val_id}", message=_(
            "SSLCommerz marked this payment (%(reference)s) as risky: %(reason)s. Check it "
            "in SSLCommerz's merchant panel before you ship.", reference=reference,
            reason=str(data.get("risk_title") or "-")))
    return PaymentResult(order.token, "paid", provider_reference=reference, amount=paid,
                         event_id=f"val:{data.get('val_id') or val_id}")


def _elements(found: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if found.get("APIConnect") not in (None, "DONE"):
        return []
    elements = found.get("element")
    return [e for e in elements if isinstance(e, Mapping)] if isinstance(elements, list) else []


def _paid_element(store: StoreInfo, order: OrderSnapshot,
                  found: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tran_id = tran_id_for(store, order)
    return next((e for e in _elements(found) if e.get("status") in PAID
                 and e.get("tran_id") == tran_id), None)


def from_query(store: StoreInfo, order: OrderSnapshot,
               found: Mapping[str, Any]) -> PaymentResult | None:
    """A result from the transaction query for the order's ``tran_id``: paid when one
    of its payments is valid, failed when the last attempt failed, was cancelled or
    expired, else ``None`` (nothing known yet)."""
    paid = _paid_element(store, order, found)
    if paid is not None:
        return judge(store, order, paid, str(paid.get("val_id") or ""))
    tran_id = tran_id_for(store, order)
    attempts = [e for e in _elements(found) if e.get("tran_id") == tran_id]
    if not attempts:
        return None
    last = attempts[-1]
    status = str(last.get("status") or "")
    if status in ("FAILED", "CANCELLED", "EXPIRED"):
        key = str(last.get("val_id") or last.get("tran_date") or len(attempts))
        return PaymentResult(order.token, "failed",
                             event_id=f"{status.lower()}:{tran_id}:{key}:{len(attempts)}")
    return None


def _refund_result(answer: Mapping[str, Any], asked: Money) -> RefundResult:
    reference = str(answer.get("refund_ref_id") or "")
    status = str(answer.get("status") or "").lower()
    if answer.get("APIConnect") != "DONE":
        return RefundResult(False, asked, message=_(
            "SSLCommerz did not accept the store ID and password (or this server's address) "
            "for refunds, so nothing was refunded."))
    if status == "success":
        return RefundResult(True, asked, provider_reference=reference, message=_(
            "SSLCommerz refund %(reference)s.", reference=reference or "-"))
    if status == "processing":
        return RefundResult(True, asked, provider_reference=reference, message=_(
            "SSLCommerz is processing refund %(reference)s; it can take a few days to "
            "arrive.", reference=reference or "-"))
    reason = str(answer.get("errorReason") or "").strip() or "-"
    # SSLCommerz's own reason stays as it wrote it (in English).
    return RefundResult(False, asked, provider_reference=reference, message=_(
        "SSLCommerz refused the refund: %(reason)s", reason=reason[:200]))
