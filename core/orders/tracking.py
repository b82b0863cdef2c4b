"""Tracking events: what a carrier reports about a parcel, applied to its order.

A carrier plugin reports events with ``core.sdk.record_tracking`` (from its webhook
route or a scheduled poll of ``core.sdk.shipments_in_transit``). Each event is kept
once per parcel (``shipment_events``, unique per store and carrier on a key made of the
order's id and the event's id, so couriers that number each parcel's events "1", "2"
lose none), written to the order's timeline and passed to ``haat_shipment_tracked``;
``delivered`` and ``returned`` move a shipped order on, through the same services as
the merchant's buttons (so the stock comes back and the hooks fire), but only when no
event already known happened later: a late or replayed report never moves an order
backwards. A report with nothing new takes no lock and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.clock import aware, format_moment
from core.db import db, utcnow
from core.orders import service, states
from core.orders.models import Order, ShipmentEvent
from core.orders.snapshots import order_snapshot
from core.orders.timeline import TimelineText, timeline_text
from core.sdk import TRACKING_STATUSES, OrderSnapshot, StoreInfo, TrackingEvent
from tenants import tenant_scope

#: Tracking statuses that move the order, and where to.
MOVES = {"delivered": states.DELIVERED, "returned": states.RETURNED}
MAX_EVENT_ID = 200
MAX_DESCRIPTION = 500
MAX_LOCATION = 200
#: How often a report is tried again when another report for the same order was
#: committed between reading and writing it (SQLite only serialises the writes).
ATTEMPTS = 3
_DIGEST = 48


def event_id_for(tracking_number: str, event: TrackingEvent) -> str:
    """The event's id: the carrier's own (hashed, with the tracking number, when longer
    than 200 characters), else one made from the tracking number, the status and the
    time (or, for an event without a time, its description and location)."""
    given = event.event_id.strip()
    if given and len(given) <= MAX_EVENT_ID:
        return given
    if given:
        parts = ["long", tracking_number, given]
    elif event.occurred_at is not None:
        parts = [tracking_number, event.status, aware(event.occurred_at).isoformat()]
    else:
        parts = [tracking_number, event.status, event.description.strip(),
                 event.location.strip()]
    return f"haat:{_digest(parts)}"


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:_DIGEST]


def parcel_key(order_id: int, event_id: str) -> str:
    """What an event is kept under in ``shipment_events``: ``"<order id>:<event id>"``,
    unique per parcel (one order, one tracking number), so two parcels' events "1" and
    "1" are two events. The order's id is digits, so the key reads back unambiguously;
    one longer than 200 characters keeps the order's id and hashes the rest."""
    key = f"{order_id}:{event_id}"
    if len(key) <= MAX_EVENT_ID:
        return key
    return f"{order_id}:haat:{_digest(['key', event_id])}"


def _normalised(tracking_number: str, events: Sequence[TrackingEvent],
                now: datetime) -> list[TrackingEvent]:
    """The events with their id and time filled in, each id once, oldest first.
    Checks them all before anything is written."""
    if isinstance(events, TrackingEvent | str | bytes):
        raise TypeError("events must be a sequence of core.sdk.TrackingEvent")
    reports: dict[str, TrackingEvent] = {}
    for event in events:
        if not isinstance(event, TrackingEvent):
            raise TypeError(f"expected core.sdk.TrackingEvent, got {type(event).__name__}")
        if event.occurred_at is not None and event.occurred_at.tzinfo is None:
            raise ValueError("TrackingEvent.occurred_at must carry its time zone "
                             "(e.g. datetime(..., tzinfo=UTC))")
        event_id = event_id_for(tracking_number, event)
        reports.setdefault(event_id, replace(
            event, event_id=event_id,
            occurred_at=aware(event.occurred_at) if event.occurred_at else now,
            description=" ".join(event.description.split())[:MAX_DESCRIPTION],
            location=" ".join(event.location.split())[:MAX_LOCATION]))
    return sorted(reports.values(), key=lambda report: report.occurred_at or now)


def _note(report: TrackingEvent) -> TimelineText:
    """The timeline entry (translated when shown): the status, the courier's own words
    and where, and when it happened."""
    extra = f" ({report.description})" if report.description else ""
    if report.location and report.location not in report.description:
        extra += f", {report.location}"
    if report.occurred_at:
        return timeline_text("Carrier reported: %(status)s%(extra)s, %(moment)s.",
                             status=report.status, extra=extra,
                             moment=aware(report.occurred_at).isoformat())
    return timeline_text("Carrier reported: %(status)s%(extra)s.", status=report.status,
                         extra=extra)


def _find(carrier_id: str, tracking_number: str, *, lock: bool = False) -> Order | None:
    """The current store's newest order shipped with this carrier and number; ``lock``
    holds its row until the commit (and reads it afresh)."""
    query = (select(Order).where(Order.carrier_id == carrier_id,
                                 Order.tracking_number == tracking_number)
             .order_by(Order.id.desc()).limit(1))
    if lock:
        # The lines come with the held row: the snapshot after the change needs them.
        query = (query.options(selectinload(Order.lines)).with_for_update(of=Order)
                 .execution_options(populate_existing=True))
    # Unlocked, the lines load only if the answer needs them (a replay's snapshot):
    # a new report reads the order again under the lock anyway.
    return db.session.scalar(query)


def _known(order_id: int, carrier_id: str, keys: Sequence[str]) -> set[str]:
    """The keys among ``keys`` already kept for this order."""
    return set(db.session.scalars(select(ShipmentEvent.event_id).where(
        ShipmentEvent.order_id == order_id, ShipmentEvent.carrier_id == carrier_id,
        ShipmentEvent.event_id.in_(keys))))


def _new(order_id: int, carrier_id: str,
         reports: list[TrackingEvent]) -> list[tuple[str, TrackingEvent]]:
    """The reports not yet kept for this order, each with its key, oldest first."""
    keyed = [(parcel_key(order_id, report.event_id), report) for report in reports]
    known = _known(order_id, carrier_id, [key for key, _report in keyed]) if keyed else set()
    return [(key, report) for key, report in keyed if key not in known]


def _apply(order: Order, carrier_id: str, fresh: list[tuple[str, TrackingEvent]]) -> None:
    latest = db.session.scalar(select(func.max(ShipmentEvent.occurred_at))
                               .where(ShipmentEvent.order_id == order.id))
    latest = aware(latest) if latest is not None else None
    actor = f"plugin:{carrier_id}"
    for key, report in fresh:
        when = report.occurred_at or utcnow()
        db.session.add(ShipmentEvent(
            order_id=order.id, carrier_id=carrier_id, event_id=key,
            status=report.status, description=report.description,
            location=report.location, occurred_at=when))
        service.record(order, "tracking", _note(report), actor)
        service.queue_hook(order, "haat_shipment_tracked", event=report)
        newest = latest is None or when >= latest
        latest = when if newest else latest
        target = MOVES.get(report.status)
        if target and newest and states.can_move_fulfilment(order.fulfilment_state, target):
            if target == states.DELIVERED:
                service.mark_delivered(order, actor)
            else:
                service.mark_returned(order, actor)
    db.session.flush()  # a concurrent duplicate fails here, inside the retry


def _unchanged(found: Order | None, store: StoreInfo) -> OrderSnapshot | None:
    """The answer when nothing is written: the order as it is, the read transaction
    ended (committing only what the caller had pending, as documented)."""
    snapshot = order_snapshot(found, store) if found is not None else None
    db.session.commit()
    return snapshot


def record_tracking(store: StoreInfo, carrier_id: str, tracking_number: str,
                    events: Sequence[TrackingEvent]) -> OrderSnapshot | None:
    """Apply a carrier's tracking events to the store's order with this carrier id and
    tracking number; returns the order as it is then, or ``None`` when the store has
    no such order. Commits; the hooks fire after the commit.

    Which events are new is read first, without a lock: a replayed or empty report
    returns without locking or writing the order. Only new events lock the order's
    row (SQLite: the database's write lock) and are checked again under it."""
    carrier_id, number = carrier_id.strip(), tracking_number.strip()
    reports = _normalised(number, events, utcnow())
    if not carrier_id or not number:
        return None
    with tenant_scope(store.id):
        for attempt in range(1, ATTEMPTS + 1):
            order = _find(carrier_id, number)
            if order is None or not _new(order.id, carrier_id, reports):
                return _unchanged(order, store)
            try:
                order = _find(carrier_id, number, lock=True)
                if order is None:
                    return _unchanged(None, store)
                service.hold(order)
                fresh = _new(order.id, carrier_id, reports)
                if not fresh:  # another report recorded them meanwhile
                    return _unchanged(order, store)
                _apply(order, carrier_id, fresh)
            except (service.OrderChanged, IntegrityError):
                # Another report for this parcel was committed meanwhile (its events
                # are then already recorded): read it again.
                db.session.rollback()
                if attempt == ATTEMPTS:
                    raise
                continue
            snapshot = order_snapshot(order, store)
            db.session.commit()
            return snapshot
    return None


def shipments_in_transit(store: StoreInfo, carrier_id: str) -> list[OrderSnapshot]:
    """The store's orders shipped with ``carrier_id`` and not yet delivered or
    returned, oldest first. Two queries, whatever their number."""
    with tenant_scope(store.id):
        orders = db.session.scalars(
            select(Order).where(Order.carrier_id == carrier_id.strip(),
                                Order.fulfilment_state == states.SHIPPED,
                                Order.tracking_number != "")
            .order_by(Order.id).options(selectinload(Order.lines))).all()
        return [order_snapshot(order, store) for order in orders]


# ------------------------------------------------------------------- the journey


def shipment_events(order_id: int) -> list[ShipmentEvent]:
    """The current store's tracking events of an order, in the order they happened."""
    return list(db.session.scalars(
        select(ShipmentEvent).where(ShipmentEvent.order_id == order_id)
        .order_by(ShipmentEvent.occurred_at, ShipmentEvent.id)))


@dataclass(frozen=True)
class JourneyStep:
    """One step of a parcel's journey as the shopper reads it."""

    #: One of ``core.sdk.TRACKING_STATUSES`` (the page words it for shoppers).
    status: str
    #: When it happened, in UTC.
    occurred_at: datetime
    #: When it happened, in the store's time zone, written for ``locale``.
    when: str
    description: str
    location: str


def journey(order_id: int, *, locale: str, timezone: str = "UTC",
            bengali_digits: bool = False) -> list[JourneyStep]:
    """The parcel's steps for the shopper's order page, oldest first."""
    return [JourneyStep(status=event.status if event.status in TRACKING_STATUSES
                        else "in_transit",
                        occurred_at=aware(event.occurred_at),
                        when=format_moment(event.occurred_at, locale, timezone=timezone,
                                           bengali_digits=bengali_digits),
                        description=event.description, location=event.location)
            for event in shipment_events(order_id)]
