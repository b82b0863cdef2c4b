"""The ArCa payment gateway: register the order, send the shopper to ArCa's page, ask
ArCa what happened, and refund.

Card data never reaches Haat: the shopper types it on ArCa's (the bank's) page. Nothing
in the address the shopper comes back with is believed: the order is paid only when
``getOrderStatusExtended.do``, asked with this store's credentials, says the ArCa order
carries this order's number and was deposited for exactly its total and currency.

ArCa order numbers (``orderNumber``, unique per merchant account) are
``H<store id>-<order number>-<attempt>``: each try of the same order ("pay again"
after a decline or a closed page) is a new ArCa order, never another order's number,
and the scheduled check can find every try of an order from its number alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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

from . import api
from .api import ArcaError, ArcaUnreachable
from .config import PLUGIN, ArcaConfig
from .texts import _, text

log = logging.getLogger(__name__)

GATEWAY_ID = "arca"
#: How many tries of one order may be registered (each "pay again" is one).
MAX_ATTEMPTS = 20
#: ArCa's order ids are UUIDs; anything else in the return address is ignored.
_ORDER_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
#: ArCa's page languages.
LANGUAGES = {"hy": "hy", "ru": "ru", "en": "en"}

# orderStatus values of getOrderStatusExtended.do
REGISTERED, PREAUTHORISED, DEPOSITED, REVERSED, REFUNDED, ACS_AUTH, DECLINED = range(7)


def order_number_prefix(store: StoreInfo, order: OrderSnapshot) -> str:
    return f"H{store.id}-{order.number}-"


def order_number(store: StoreInfo, order: OrderSnapshot, attempt: int) -> str:
    """The ArCa ``orderNumber`` of try ``attempt`` of ``order`` (at most 32 characters)."""
    return f"{order_number_prefix(store, order)}{attempt}"


def language(locale: str) -> str:
    return LANGUAGES.get((locale or "").split("-")[0].lower(), "en")


@dataclass(frozen=True)
class ArcaGateway:
    """Card payments through ArCa's hosted payment page, for one store's checkout."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "card"
    brand: str = "ArCa"
    refunds: bool = True

    # ------------------------------------------------------------------ start

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Register a new try of the order with ArCa and send the shopper to its page."""
        locale = order.locale or store.locale
        config = ArcaConfig.of(store)
        failed = text(locale, "start_failed")
        currency = api.CURRENCY_CODES.get(order.total.currency)
        if not config.ready or currency is None or order.total.amount <= 0:
            raise PluginCheckoutError(failed, plugin=PLUGIN,
                                      detail="ArCa is not set up or cannot take this amount")
        return_url = order.status_url + "/return"
        params = {"amount": order.total.amount, "currency": currency,
                  "returnUrl": return_url, "failUrl": return_url,
                  "description": text(locale, "order_description", number=order.number),
                  "language": language(locale)}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            number = order_number(store, order, attempt)
            try:
                answer = api.call(config, "register.do", {**params, "orderNumber": number})
            except ArcaError as exc:
                if exc.code == api.DUPLICATE_ORDER_NUMBER:
                    continue  # an earlier try of this order (or one that timed out)
                log.warning("ArCa register.do for order %s of store %s refused: %s",
                            order.number, store.slug, exc.code)
                raise PluginCheckoutError(failed, plugin=PLUGIN,
                                          detail=f"register.do errorCode {exc.code}") from None
            except ArcaUnreachable as exc:
                log.warning("ArCa register.do for order %s of store %s failed: %s",
                            order.number, store.slug, exc)
                raise PluginCheckoutError(failed, plugin=PLUGIN, detail=str(exc)) from None
            form_url = str(answer.get("formUrl") or "")
            order_id = str(answer.get("orderId") or "")
            if not form_url.startswith(("https://", "http://")) or not order_id:
                raise PluginCheckoutError(failed, plugin=PLUGIN,
                                          detail="register.do gave no formUrl")
            return PaymentStart(redirect_url=form_url, reference=order_id)
        raise PluginCheckoutError(failed, plugin=PLUGIN,
                                  detail=f"more than {MAX_ATTEMPTS} tries of one order")

    # ----------------------------------------------------------------- return

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """Ask ArCa about the ArCa order named in the address; believe only ArCa."""
        locale = order.locale or store.locale
        waiting = PaymentResult(order.token, "pending", message=text(locale, "waiting"))
        order_id = str(params.get("orderId") or "")
        if not _ORDER_ID.match(order_id):
            order_id = order.payment_reference if _ORDER_ID.match(
                order.payment_reference or "") else ""
        config = ArcaConfig.of(store)
        if not order_id or not config.ready:
            return waiting
        try:
            status = order_status(config, order_id=order_id)
        except ArcaError as exc:
            if exc.code == api.UNKNOWN_ORDER:  # not an order of this store's account
                return PaymentResult(order.token, "pending",
                                     message=text(locale, "not_this_order"))
            log.warning("ArCa status of %s for store %s refused: %s", order_id,
                        store.slug, exc.code)
            return waiting
        except ArcaUnreachable as exc:
            # The scheduled check will ask again; the order page says "waiting".
            log.warning("ArCa status of %s for store %s failed: %s", order_id,
                        store.slug, exc)
            return waiting
        return result_for(store, order, order_id, status) or waiting

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """ArCa's vPOS sends no signed notifications; returns and the scheduled check
        ask ArCa instead. Anything posted here is refused."""
        return WebhookResult(status=404)

    # ----------------------------------------------------------------- refund

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Refund ``amount`` through ``refund.do``; never raises.

        refund.do has no idempotency key, so ArCa is asked first how much it has
        refunded already: a refund that went through while its answer was lost (a
        timeout) is recognised instead of being made twice."""
        config = ArcaConfig.of(store)
        if not config.ready:
            return RefundResult(False, amount, message=_(
                "ArCa is not set up: add the API user name and password in the ArCa "
                "settings."))
        order_id = order.payment_reference
        if not _ORDER_ID.match(order_id or ""):
            return RefundResult(False, amount, message=_(
                "This order has no ArCa payment to refund."))
        if amount.currency != order.total.currency or amount.amount <= 0:
            return RefundResult(False, amount, message=_(
                "Enter an amount above zero in the order's currency."))
        try:
            status = order_status(config, order_id=order_id)
            if not str(status.get("orderNumber") or "").startswith(
                    order_number_prefix(store, order)):
                return RefundResult(False, amount, message=_(
                    "This order has no ArCa payment to refund."))
            known = order.refunded_total.amount if order.refunded_total else 0
            if _amounts(status).get("refundedAmount", 0) >= known + amount.amount:
                return RefundResult(True, amount, provider_reference=order_id, message=_(
                    "ArCa had already made this refund (ArCa order %(reference)s).",
                    reference=order_id))
            api.call(config, "refund.do", {"orderId": order_id, "amount": amount.amount})
        except ArcaUnreachable as exc:
            log.warning("ArCa refund for order %s of store %s failed: %s", order.number,
                        store.slug, exc)
            return RefundResult(False, amount, message=_(
                "Could not reach ArCa. Try the refund again in a few minutes: Haat checks "
                "with ArCa first, so it is not made twice."))
        except ArcaError as exc:
            log.warning("ArCa refund for order %s of store %s refused: %s", order.number,
                        store.slug, exc.code)
            if exc.code == "5":
                return RefundResult(False, amount, message=_(
                    "ArCa did not accept the API user name or password in the ArCa "
                    "settings, or this user may not make refunds."))
            # ArCa's own words stay as ArCa wrote them.
            return RefundResult(False, amount, message=_(
                "ArCa refused the refund: %(reason)s (code %(code)s).",
                reason=exc.message or "-", code=exc.code))
        return RefundResult(True, amount, provider_reference=order_id, message=_(
            "Refunded through ArCa (ArCa order %(reference)s).", reference=order_id))


def order_status(config: ArcaConfig, *, order_id: str = "",
                 order_number: str = "") -> dict[str, Any]:
    """``getOrderStatusExtended.do`` by ArCa's ``orderId`` or by our ``orderNumber``."""
    params = {"orderId": order_id} if order_id else {"orderNumber": order_number}
    return api.call(config, "getOrderStatusExtended.do", params)


def _amounts(status: Mapping[str, Any]) -> dict[str, int]:
    info = status.get("paymentAmountInfo")
    if not isinstance(info, Mapping):
        return {}
    found: dict[str, int] = {}
    for key in ("approvedAmount", "depositedAmount", "refundedAmount"):
        try:
            found[key] = int(info.get(key) or 0)
        except (TypeError, ValueError):
            continue
    return found


def _money(status: Mapping[str, Any], value: Any) -> Money | None:
    currency = api.CURRENCY_BY_CODE.get(str(status.get("currency") or ""))
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return None
    return Money(amount, currency) if currency else None


def result_for(store: StoreInfo, order: OrderSnapshot, order_id: str,
               status: Mapping[str, Any]) -> PaymentResult | None:
    """What ArCa's status of ``order_id`` means for ``order``; ``None``: nothing yet.

    Every result carries an event id made of the ArCa order id and what happened, so
    the return, a replayed return and the scheduled check apply it once."""
    locale = order.locale or store.locale
    if not str(status.get("orderNumber") or "").startswith(order_number_prefix(store, order)):
        return PaymentResult(order.token, "pending", message=text(locale, "not_this_order"))
    try:
        state = int(status.get("orderStatus"))
    except (TypeError, ValueError):
        return None
    if state == DEPOSITED:
        paid = _money(status, status.get("amount"))
        if paid is None:  # a currency Haat does not know: never "paid"
            log.warning("ArCa order %s of store %s is in currency %r", order_id,
                        store.slug, status.get("currency"))
            return PaymentResult(order.token, "pending",
                                 message=text(locale, "not_this_order"))
        # Core refuses (and notes on the timeline) an amount or currency that is not
        # the order's total.
        return PaymentResult(order.token, "paid", provider_reference=order_id,
                             amount=paid, event_id=f"arca:{order_id}:deposited",
                             message=text(locale, "paid", reference=order_id))
    if state == DECLINED:
        code = str(status.get("actionCode", ""))
        if code == "-2007":
            message = text(locale, "expired")
        else:
            reason = str(status.get("actionCodeDescription") or "").strip() or "-"
            message = text(locale, "declined", reason=reason[:200], code=code or "-")
        return PaymentResult(order.token, "failed", event_id=f"arca:{order_id}:declined",
                             message=message)
    if state == REVERSED:
        return PaymentResult(order.token, "failed", event_id=f"arca:{order_id}:reversed",
                             message=text(locale, "reversed"))
    if state == REFUNDED:
        refunded = _money(status, _amounts(status).get("refundedAmount"))
        if refunded is None or refunded.amount <= 0:
            return None
        state_name = ("refunded" if refunded.amount >= order.total.amount
                      else "partially_refunded")
        return PaymentResult(order.token, state_name, provider_reference=order_id,
                             amount=refunded,
                             event_id=f"arca:{order_id}:refunded:{refunded.amount}")
    return None  # registered, pre-authorised or in 3-D Secure: not decided yet
