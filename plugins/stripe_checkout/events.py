"""What a verified Stripe event says about an order's payment.

Pure functions over the event's JSON: no API calls, so a webhook is answered at once.
Every object Haat creates carries ``metadata`` ``{"haat_store", "haat_order"}`` (the
Checkout Session, and through ``payment_intent_data`` the PaymentIntent, whose metadata
Stripe copies to its Charge), and sessions carry the order token as
``client_reference_id``. An event about another store's object (a Stripe account shared
by two stores sends every event to both endpoints) or about a payment Haat did not make
gives no result.

Each result carries the event id, so core applies it once; refund results carry the
cumulative refunded amount, so a replayed or late event cannot count a refund twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.sdk import PaymentResult

from .amounts import from_stripe

Handler = Callable[[Mapping[str, Any], str], "PaymentResult | None"]


def results_for(event: Mapping[str, Any], store_id: int) -> tuple[PaymentResult, ...]:
    """The payment results of one event for the store ``store_id`` (often none)."""
    handler = HANDLERS.get(str(event.get("type") or ""))
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if handler is None or not isinstance(obj, Mapping) or not _ours(obj, store_id):
        return ()
    result = handler(obj, str(event.get("id") or ""))
    return (result,) if result is not None else ()


def _ours(obj: Mapping[str, Any], store_id: int) -> bool:
    metadata = obj.get("metadata")
    return isinstance(metadata, Mapping) and metadata.get("haat_store") == str(store_id)


def _order_token(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    if obj.get("object") == "checkout.session":
        token = str(obj.get("client_reference_id") or "")
        # Both are written by Haat; disagreeing means someone else edited the session.
        return token if token == metadata.get("haat_order") else ""
    return str(metadata.get("haat_order") or "")


def object_id(value: Any) -> str:
    """An id field's id, whether Stripe sent the id or the expanded object."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def _result(obj: Mapping[str, Any], event_id: str, state: str, *,
            reference: str = "", message: str = "", amount: Any = None) -> PaymentResult | None:
    token = _order_token(obj)
    if not token:
        return None
    return PaymentResult(order_token=token, state=state, provider_reference=reference,
                         message=message, event_id=event_id, amount=amount)


def _session_paid_amount(session: Mapping[str, Any]) -> Any:
    total, currency = session.get("amount_total"), session.get("currency")
    return from_stripe(total, currency) if isinstance(total, int) and currency else None


def session_completed(session: Mapping[str, Any], event_id: str) -> PaymentResult | None:
    """Card payments are paid on completion; delayed methods (bank debits) are pending."""
    status = session.get("payment_status")
    reference = object_id(session.get("payment_intent"))
    if status == "paid":
        return _result(session, event_id, "paid", reference=reference,
                       amount=_session_paid_amount(session))
    if status == "unpaid":
        return _result(session, event_id, "pending", reference=reference,
                       message="Stripe is waiting for the payment to clear.")
    return None


def session_async_succeeded(session: Mapping[str, Any],
                            event_id: str) -> PaymentResult | None:
    """A delayed payment method (a bank debit) cleared."""
    return _result(session, event_id, "paid",
                   reference=object_id(session.get("payment_intent")),
                   amount=_session_paid_amount(session))


def session_async_failed(session: Mapping[str, Any], event_id: str) -> PaymentResult | None:
    """A delayed payment method did not clear."""
    return _result(session, event_id, "failed",
                   reference=object_id(session.get("payment_intent")),
                   message="The delayed payment failed at Stripe.")


def session_expired(session: Mapping[str, Any], event_id: str) -> PaymentResult | None:
    """The shopper never paid and the Checkout page closed (24 hours by default)."""
    return _result(session, event_id, "failed",
                   message="The Stripe Checkout page expired before it was paid.")


def intent_failed(intent: Mapping[str, Any], event_id: str) -> PaymentResult | None:
    """A payment attempt failed (a declined card). On Checkout the shopper may still
    try another card on the same page, so a later success must be able to follow."""
    error = intent.get("last_payment_error") or {}
    reason = str(error.get("message") or "") if isinstance(error, Mapping) else ""
    return _result(intent, event_id, "failed", reference=str(intent.get("id") or ""),
                   message=f"Stripe: {reason}" if reason else "The card payment failed.")


def charge_refunded(charge: Mapping[str, Any], event_id: str) -> PaymentResult | None:
    """A refund from Haat or from Stripe's dashboard; ``amount`` is the refunded total."""
    refunded = charge.get("amount_refunded")
    currency = charge.get("currency")
    if not isinstance(refunded, int) or refunded <= 0 or not currency:
        return None
    state = "refunded" if charge.get("refunded") else "partially_refunded"
    return _result(charge, event_id, state,
                   reference=object_id(charge.get("payment_intent")),
                   amount=from_stripe(refunded, currency))


HANDLERS: Mapping[str, Handler] = {
    "checkout.session.completed": session_completed,
    "checkout.session.async_payment_succeeded": session_async_succeeded,
    "checkout.session.async_payment_failed": session_async_failed,
    "checkout.session.expired": session_expired,
    "payment_intent.payment_failed": intent_failed,
    "charge.refunded": charge_refunded,
}
