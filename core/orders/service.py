"""What can happen to an order after it is placed: payment, fulfilment, refunds.

Each function checks the move against ``core.orders.states``, changes the order in
the current transaction, writes a timeline entry and queues the lifecycle hook (and
the shopper's email, where there is one) for after the commit. Callers commit.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.catalog.stock import StockRequest, give_back_stock
from core.db import column_length, db, utcnow
from core.discounts.models import Discount
from core.money import Money
from core.orders import states
from core.orders.emails import safe_link
from core.orders.labels import refusal
from core.orders.models import Order, OrderEvent, PaymentEvent
from core.orders.snapshots import order_snapshot
from core.orders.timeline import TimelineText, entry_columns, timeline_text
from core.pluginhost.events import emit_lazy
from core.sdk import PaymentGateway, PaymentResult, RefundResult, StoreInfo

log = logging.getLogger(__name__)

#: The most characters of the "Shipped" form's fields: the columns that keep them.
SHIP_LIMITS = {"carrier": column_length(Order.carrier),
               "tracking_number": column_length(Order.tracking_number),
               "tracking_url": column_length(Order.tracking_url)}
#: The most characters of a staff note on the timeline.
MAX_NOTE = 2000


class OrderActionError(ValueError):
    """An action the order's state or the input does not allow; ``field`` names the
    form field the message belongs next to. ``message`` is for the merchant: a lazy
    string of the admin's catalogue, translated when shown (English outside a request),
    while the timeline entries the services write stay English."""

    def __init__(self, message: str | LazyString, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def record(order: Order, kind: str, message: str | TimelineText,
           actor: str = "system") -> OrderEvent:
    """Add an entry to the order's timeline: a :class:`TimelineText` the admin shows in
    each reader's language, or words nobody translates (a note, a provider's message)."""
    entry = OrderEvent(kind=kind, actor=actor, **entry_columns(message))
    if order.id is not None and "events" in sa_inspect(order).unloaded:
        # The timeline is not loaded: add the entry without reading the whole of it
        # (a courier's report or a payout only ever adds a line).
        entry.order_id = order.id
        db.session.add(entry)
    else:
        order.events.append(entry)
    return entry


def queue_hook(order: Order, hook: str, **extra: Any) -> None:
    """Fire the lifecycle hook ``hook`` with the order (as it is then) and ``extra``
    once the current transaction commits."""
    order_id = order.id

    def build(store: StoreInfo) -> dict[str, Any] | None:
        found = db.session.scalar(select(Order).where(Order.id == order_id)
                                  .options(selectinload(Order.lines)))
        return {"order": order_snapshot(found, store), **extra} if found else None

    emit_lazy(hook, order.tenant_id, build)


def queue_messages(order: Order, event: str, *, amount: int | None = None) -> None:
    """Tell the shopper about ``event`` (``order_placed``, ``order_paid``, ...) by email
    and/or SMS, from background jobs after the commit (:mod:`core.messaging`)."""
    from core.messaging.service import queue_order_messages  # messaging renders orders

    queue_order_messages(order, event, amount=amount)


class OrderChanged(OrderActionError):
    """Someone else changed the order between reading and writing it."""

    def __init__(self) -> None:
        super().__init__(_l("This order was changed by someone else just now. Reload the "
                            "page and try again."))


def _compare_and_set(order: Order, column: str, current: object, wanted: object) -> None:
    """Write ``column`` only if it still holds ``current`` (the row is locked until the
    commit), so two workers applying the same change (a webhook and the shopper's
    return, two admins) cannot both do it and its side effects."""
    changed = db.session.execute(
        update(Order).where(Order.id == order.id, getattr(Order, column) == current)
        .values({column: wanted}).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise OrderChanged
    setattr(order, column, wanted)


def hold(order: Order) -> None:
    """Take the order's row for this (short) transaction before reading what decides a
    change (a booking under way, which tracking events are new), so a second click or
    a concurrent report waits for this one and then finds the order changed. On
    PostgreSQL the row lock of ``SELECT ... FOR UPDATE`` already does this; SQLite only
    serialises writers, so the lock is taken by writing the state over itself (it stays
    what it was). Never hold it while waiting for a provider's answer."""
    _compare_and_set(order, "fulfilment_state", order.fulfilment_state, order.fulfilment_state)


def _move_payment(order: Order, wanted: str, actor: str,
                  message: str | TimelineText) -> None:
    try:
        states.check_payment(order.payment_state, wanted)
    except states.InvalidTransition as exc:
        raise OrderActionError(_refusal(exc)) from exc
    _compare_and_set(order, "payment_state", order.payment_state, wanted)
    if wanted == states.PAID:
        order.paid_at = utcnow()
        queue_hook(order, "haat_order_paid")
        queue_messages(order, "order_paid")
    elif wanted == states.FAILED:
        from core.messaging.alerts import queue_staff_alerts

        queue_staff_alerts(order.tenant_id, "payment_failed", order_id=order.id)
    record(order, f"payment_{wanted}", message, actor)


def _move_fulfilment(order: Order, wanted: str, actor: str,
                     message: str | TimelineText) -> None:
    try:
        states.check_fulfilment(order.fulfilment_state, wanted)
    except states.InvalidTransition as exc:
        raise OrderActionError(_refusal(exc)) from exc
    _compare_and_set(order, "fulfilment_state", order.fulfilment_state, wanted)
    if wanted in states.RESTOCKING_STATES:
        _restock(order)
    record(order, wanted, message, actor)


def _refusal(exc: states.InvalidTransition) -> LazyString:
    return refusal(exc.machine, exc.current, exc.wanted)


def _restock(order: Order) -> None:
    # A line whose product or option was deleted since has nothing to go back to.
    give_back_stock(StockRequest(line.product_id, line.variant_id, line.quantity)
                    for line in order.lines if line.product_id is not None
                    and (line.variant_id is not None or not line.variant_title))
    if order.discount_id is not None:  # the coupon use comes back too
        db.session.execute(
            update(Discount).where(Discount.id == order.discount_id, Discount.used_count > 0)
            .values(used_count=Discount.used_count - 1)
            .execution_options(synchronize_session=False))


def mark_paid(order: Order, actor: str) -> None:
    """The merchant received the money (cash on delivery, bank transfer, wallet)."""
    _move_payment(order, states.PAID, actor, timeline_text("Marked as paid."))


def reject_payment(order: Order, actor: str, reason: str = "") -> None:
    """The merchant could not find the payment (e.g. a wrong wallet transaction id)."""
    _move_payment(order, states.FAILED, actor,
                  timeline_text("Payment rejected. %(reason)s", reason=reason) if reason
                  else timeline_text("Payment rejected."))


def fulfil(order: Order, actor: str) -> None:
    """The order is packed and ready to hand over."""
    _move_fulfilment(order, states.FULFILLED, actor, timeline_text("Packed."))
    queue_hook(order, "haat_order_fulfilled")


def ship(order: Order, actor: str, carrier: str, tracking_number: str,
         tracking_url: str = "", *, carrier_id: str = "") -> None:
    """Hand the order to ``carrier`` (the courier's name); the shopper is told the
    tracking number and, when there is one, the link.

    ``carrier_id`` is the ``ShippingCarrier.id`` that booked the parcel or gives its
    tracking link (``""`` for a courier named by hand); tracking events find the order
    by it and the tracking number.
    """
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    tracking_url = tracking_url.strip()
    if not carrier:
        raise OrderActionError(_l("Enter the courier's name."), "carrier")
    for name, value in (("carrier", carrier), ("tracking_number", tracking_number),
                        ("tracking_url", tracking_url)):
        if len(value) > SHIP_LIMITS[name]:  # refused, never cut
            raise OrderActionError(_l("Use at most %(count)s characters.",
                                      count=SHIP_LIMITS[name]), name)
    if tracking_url and not safe_link(tracking_url):
        raise OrderActionError(_l("Enter a full address starting with https://"),
                               "tracking_url")
    _move_fulfilment(order, states.SHIPPED, actor,
                     timeline_text("Shipped with %(carrier)s, tracking %(number)s.",
                                   carrier=carrier, number=tracking_number)
                     if tracking_number else
                     timeline_text("Shipped with %(carrier)s.", carrier=carrier))
    order.carrier, order.tracking_number = carrier, tracking_number
    order.tracking_url, order.carrier_id = tracking_url, carrier_id[:64]
    queue_hook(order, "haat_order_shipped", tracking_url=order.tracking_url or None)
    queue_messages(order, "order_shipped")


def mark_delivered(order: Order, actor: str) -> None:
    """The shopper has the parcel."""
    _move_fulfilment(order, states.DELIVERED, actor, timeline_text("Delivered."))
    queue_hook(order, "haat_order_delivered")
    queue_messages(order, "order_delivered")


def cancel(order: Order, actor: str, reason: str = "") -> None:
    """Cancel an order that has not shipped: its stock and coupon use come back."""
    _move_fulfilment(order, states.CANCELLED, actor,
                     timeline_text("Cancelled; items restocked. %(reason)s", reason=reason)
                     if reason else timeline_text("Cancelled; items restocked."))
    queue_hook(order, "haat_order_cancelled")
    queue_messages(order, "order_cancelled")


def mark_returned(order: Order, actor: str) -> None:
    """The parcel came back; its items go back into stock."""
    _move_fulfilment(order, states.RETURNED, actor,
                     timeline_text("Returned; items restocked."))
    queue_hook(order, "haat_order_returned")


def add_note(order: Order, actor: str, text: str) -> None:
    """A staff note on the timeline."""
    text = text.replace("\r\n", "\n").strip()  # a line break counts once, as maxlength does
    if not text:
        raise OrderActionError(_l("Write the note first."), "note")
    if len(text) > MAX_NOTE:
        raise OrderActionError(_l("A note is at most 2,000 characters."), "note")
    record(order, "note", text, actor)


def _set_refunded(order: Order, refunded: int, actor: str,
                  message: str | TimelineText) -> int:
    """Raise the refunded total to ``refunded``; returns how much was added."""
    refunded = min(refunded, order.total)
    added = refunded - order.refunded_total
    if added <= 0:
        return 0
    wanted = states.REFUNDED if refunded >= order.total else states.PARTIALLY_REFUNDED
    _compare_and_set(order, "refunded_total", order.refunded_total, refunded)
    _move_payment(order, wanted, actor, message)
    queue_hook(order, "haat_order_refunded", amount=Money(added, order.currency))
    queue_messages(order, "order_refunded", amount=added)
    return added


def refund(order: Order, amount: Money, gateway: PaymentGateway, store: StoreInfo,
           actor: str) -> RefundResult:
    """Refund ``amount`` through the order's gateway (or record a refund made by hand).

    The provider is asked before anything changes here; a refusal is written to the
    timeline and returned, and the order keeps its state.
    """
    if order.payment_state not in (states.PAID, states.PARTIALLY_REFUNDED):
        raise OrderActionError(_l("Only a paid order can be refunded."), "amount")
    left = order.total - order.refunded_total
    if amount.amount <= 0:
        raise OrderActionError(_l("Enter an amount above zero."), "amount")
    if amount.amount > left:
        raise OrderActionError(_l("That is more than is left to refund."), "amount")
    result = gateway.refund(store, order_snapshot(order, store), amount)
    if not result.ok:
        record(order, "refund_failed", timeline_text("Refund refused: %(reason)s",
                                                     reason=result.message), actor)
        return result
    refunded = f"{amount.to_decimal()} {amount.currency}"
    note = (timeline_text("Refunded %(amount)s. %(note)s", amount=refunded,
                          note=result.message) if result.message
            else timeline_text("Refunded %(amount)s.", amount=refunded))
    _set_refunded(order, order.refunded_total + amount.amount, actor, note)
    return result


def _first_time(order: Order, gateway_id: str, result: PaymentResult) -> bool:
    """Record the provider's event id; False when it was applied before. A concurrent
    delivery of the same event fails on the unique key and rolls back (no savepoint:
    on SQLite one opened before any write would commit on its own)."""
    if not result.event_id:
        return True
    event_id = result.event_id[:200]
    seen = db.session.scalar(select(PaymentEvent.id).where(
        PaymentEvent.gateway == gateway_id, PaymentEvent.event_id == event_id))
    if seen is not None:
        return False
    db.session.add(PaymentEvent(gateway=gateway_id, event_id=event_id, order_id=order.id,
                                state=result.state))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _wrong_amount(order: Order, result: PaymentResult) -> bool:
    amount = result.amount
    return amount is not None and (amount.currency != order.currency
                                   or (result.state in ("paid", "authorised")
                                       and amount.amount != order.total))


def apply_payment_result(order: Order, result: PaymentResult, gateway_id: str) -> bool:
    """Apply what a gateway reported (a return or a webhook) once; returns True when
    the order changed. Replays (same ``event_id``) and moves backwards (a failure
    reported after success) change nothing; a refund reported before the payment
    records the payment first. When another delivery changed the order meanwhile,
    everything is rolled back (the provider's retry finds the new state)."""
    if result.order_token != order.token or gateway_id != order.payment_method:
        return False
    if not _first_time(order, gateway_id, result):
        return False
    actor = f"plugin:{gateway_id}"
    if _wrong_amount(order, result):
        record(order, "payment_mismatch", timeline_text(
            "The provider reported %(payment)s for %(amount)s, not this order's total; "
            "nothing was changed.", payment=result.state, amount=result.amount), actor)
        return False
    try:
        return _apply(order, result, actor)
    except OrderChanged:
        db.session.rollback()
        return False


def _reference_of_another_order(order: Order, reference: str) -> bool:
    """True when another order of the store (same gateway) already has ``reference``."""
    return db.session.scalar(select(Order.id).where(
        Order.payment_method == order.payment_method, Order.payment_reference == reference,
        Order.id != order.id).limit(1)) is not None


def _apply(order: Order, result: PaymentResult, actor: str) -> bool:
    current = order.payment_state
    if result.state == "pending":
        # Nothing moves; a provider's words (a payment held for review) go on the
        # timeline, once per event id.
        if result.message and result.event_id:
            record(order, "payment_pending", result.message, actor)
        return False
    if result.state in ("paid", "authorised"):
        if not states.can_move_payment(current, result.state):
            return False
        if result.provider_reference and _reference_of_another_order(
                order, result.provider_reference[:200]):
            # One payment cannot pay two orders; the event is authentic (so it is
            # acknowledged, and not retried) but it is not applied.
            log.warning("order %s: %s reported a payment reference that belongs to another "
                        "order; nothing was changed", order.id, actor)
            return False
        if result.provider_reference:
            order.payment_reference = result.provider_reference[:200]
        _move_payment(order, result.state, actor, result.message or (
            timeline_text("Payment confirmed by the provider.") if result.state == "paid"
            else timeline_text("Payment authorised by the provider.")))
        return True
    if result.state == "failed":
        if not states.can_move_payment(current, states.FAILED):
            return False
        _move_payment(order, states.FAILED, actor,
                      result.message or timeline_text("Payment failed."))
        return True
    if result.state in ("refunded", "partially_refunded") and result.amount is not None:
        if current not in states.MONEY_RECEIVED:
            if not states.can_move_payment(current, states.PAID):
                return False
            _move_payment(order, states.PAID, actor,
                          timeline_text("Payment confirmed by the provider."))
        return _set_refunded(order, result.amount.amount, actor,
                             result.message or timeline_text("Refunded at the provider.")) > 0
    return False
