"""The carrier behind an order's delivery rate: booking its parcel, building its link.

An order placed with a carrier plugin's rate keeps ``shipping_rate_id`` as
``"<carrier id>:<rate id>"``. The store's carriers come from ``haat_shipping_carriers``;
the one with that id books the parcel (``create_shipment``), turns a tracking number
into the shopper's link (``tracking_url_for(rate_id, number)`` when it has it, else
``tracking_url(number)``) and names the courier the merchant ships with by hand
(``courier_name_for(rate_id)`` when it has it, else its label). Messages here are
English for the timeline and the log; the admin words what the merchant reads.

Booking waits for the courier's answer, so it holds no lock meanwhile: a short
transaction claims the order (a "booking" entry on its timeline), the courier is
asked with no transaction open, and a second short transaction applies the answer if
the order can still take it and the claim is still this booking's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import g, has_request_context
from sqlalchemy import select

from core.clock import aware
from core.db import db, utcnow
from core.orders import service, states
from core.orders.emails import safe_link
from core.orders.models import Order, OrderEvent
from core.orders.snapshots import order_snapshot
from core.orders.timeline import TimelineText, timeline_text
from core.pluginhost.runtime import StorePlugins, reraise_unless_isolating
from core.sdk import OrderSnapshot, PluginCheckoutError, Shipment, ShippingCarrier, StoreInfo

log = logging.getLogger("haat.shipments")
MAX_LINK = 500
MAX_NUMBER = 100
MAX_COURIER = 100
#: A booking that started this long ago and has no outcome was given up (its worker
#: stopped, or the courier never answered): the merchant may book again.
BOOKING_WINDOW = timedelta(minutes=5)
#: How often step 3 reads the order again when it changed between reading and holding
#: it (SQLite only serialises the writes).
ATTEMPTS = 3

# Timeline kinds of a booking. "booking" claims the order; each of ENDINGS ends the
# claim it answers. LATE answers a claim a newer booking replaced: it ends nothing.
STARTED = "booking"
BOOKED = "booked"
FAILED = "booking_failed"
BY_HAND = "booking_by_hand"
UNUSED = "booked_unused"
LATE = "booking_late"
ENDINGS = (BOOKED, FAILED, BY_HAND, UNUSED)


@dataclass(frozen=True)
class OrderCarrier:
    """The store's carrier that quoted an order's delivery rate."""

    carrier: ShippingCarrier
    #: The plugin that offers it.
    plugin: str
    #: The rate's id as the carrier quoted it (without ``"<carrier id>:"``).
    rate_id: str

    @property
    def id(self) -> str:
        """The carrier's id (``ShippingCarrier.id``)."""
        return str(self.carrier.id)

    @property
    def label(self) -> str:
        """The carrier's name for the merchant (``ShippingCarrier.label``)."""
        return str(getattr(self.carrier, "label", "") or self.id)

    @property
    def books(self) -> bool:
        """True unless the carrier says that it never books (``books_shipments``)."""
        return bool(getattr(self.carrier, "books_shipments", True))


class BookingFailed(Exception):
    """The carrier did not book the parcel, or its answer could not be used.

    ``reason`` is its own words for the merchant when it refused; ``error`` is what
    went wrong when it failed (``unusable`` then says what was wrong with an answer
    that came back: the courier may have booked a parcel all the same)."""

    def __init__(self, carrier: OrderCarrier, reason: str = "", *,
                 error: BaseException | None = None, unusable: str = "") -> None:
        super().__init__(f"{carrier.id}: {reason or unusable or 'failed'}")
        self.carrier = carrier
        self.reason = reason
        self.error = error
        self.unusable = unusable

    @property
    def note(self) -> TimelineText:
        """The timeline entry (translated when shown)."""
        label = self.carrier.label
        if self.reason:
            return timeline_text("%(carrier)s refused the booking: %(reason)s",
                                 carrier=label, reason=self.reason)
        if self.unusable:
            return timeline_text("Booking with %(carrier)s: the courier's answer could not "
                                 "be used (%(problem)s); check with the courier before "
                                 "booking again.", carrier=label, problem=self.unusable)
        return timeline_text("Booking with %(carrier)s failed; nothing was booked.",
                             carrier=label)


class BookingUnderWay(Exception):
    """Another booking of the order started moments ago and has no outcome yet."""

    def __init__(self, started: OrderEvent) -> None:
        super().__init__(f"a booking of order {started.order_id} is under way")
        self.started = started


@dataclass(frozen=True)
class Parcel:
    """What the courier booked, checked: the courier's name, number and link."""

    courier: str
    tracking_number: str
    tracking_url: str


@dataclass(frozen=True)
class Booking:
    """What came of a booking. ``outcome`` is one of:

    * ``"shipped"``: the order is shipped with the parcel (also when the courier
      answered with the parcel the order already has);
    * ``"by_hand"``: the carrier books this parcel by hand; nothing changed;
    * ``"unused"``: the courier booked a parcel, but the order was ``state``
      (cancelled, shipped, ...) meanwhile: the merchant cancels it with the courier;
    * ``"superseded"``: the courier booked a parcel after this booking was given up
      and a newer one started: the merchant checks that only one goes out;
    * ``"failed"``: the refusal or failure is recorded (:func:`book` then raises
      :class:`BookingFailed`).
    """

    outcome: str
    parcel: Parcel | None = None
    state: str = ""


@dataclass(frozen=True)
class _Claim:
    order_id: int
    entry_id: int
    carrier: OrderCarrier
    snapshot: OrderSnapshot


def _store_plugins(store: StoreInfo) -> StorePlugins:
    from core.pluginhost.web import plugins_for_request, plugins_for_tenant

    current = g.get("store") if has_request_context() else None
    if current is not None and current.id == store.id:
        return plugins_for_request()
    return plugins_for_tenant(store.id)


def _store_carriers(store: StoreInfo) -> list[tuple[ShippingCarrier, str]]:
    """The store's enabled carriers with their plugins, asked once per request (an
    order's page needs them for its carrier, its booking buttons and its link)."""
    current = g.get("store") if has_request_context() else None
    if current is not None and current.id == store.id and "haat_carriers" in g:
        return g.haat_carriers
    found = [(carrier, contribution.plugin)
             for contribution in _store_plugins(store).contribute("haat_shipping_carriers")
             for carrier in contribution.value or ()]
    if current is not None and current.id == store.id:
        g.haat_carriers = found
    return found


def order_carrier(store: StoreInfo, order: Order) -> OrderCarrier | None:
    """The enabled carrier that quoted ``order``'s rate, or ``None`` (a rate of no
    carrier, or its plugin is switched off now). A failing plugin offers none
    (outside tests, where it raises)."""
    carrier_id, colon, rate_id = (order.shipping_rate_id or "").partition(":")
    if not colon or not carrier_id:
        return None
    for carrier, plugin in _store_carriers(store):
        if str(getattr(carrier, "id", "")) == carrier_id:
            return OrderCarrier(carrier, plugin, rate_id)
    return None


def booking_carriers(store: StoreInfo, order: Order) -> list[OrderCarrier]:
    """The carriers that may book ``order``'s parcel, in the order the admin offers
    them: the carrier that quoted its rate (when it books), then every other enabled
    carrier that books parcels of any order (``books_any_order``): couriers that take
    the delivery area from the address, for merchants who price delivery with zones and
    pick a courier per parcel. A failing plugin offers none (outside tests)."""
    own = order_carrier(store, order)
    found = [own] if own is not None and own.books else []
    for carrier, plugin in _store_carriers(store):
        carrier_id = str(getattr(carrier, "id", ""))
        if not carrier_id or (own is not None and carrier_id == own.id):
            continue
        other = OrderCarrier(carrier, plugin, "")
        if other.books and getattr(carrier, "books_any_order", False) is True:
            found.append(other)
    return found


def tracking_link(found: OrderCarrier, tracking_number: str) -> str:
    """The carrier's link for this parcel, or ``""`` when it has none (or only one that
    is not an ``http(s)`` address, or longer than an order keeps). A carrier that
    raises gives no link (outside tests)."""
    number = tracking_number.strip()
    if not number:
        return ""
    carrier = found.carrier
    try:
        for_rate = getattr(carrier, "tracking_url_for", None)
        url = (for_rate(found.rate_id, number) if callable(for_rate)
               else carrier.tracking_url(number))
    except Exception as exc:
        reraise_unless_isolating(exc)
        log.exception("carrier %s failed to build a tracking link", found.id)
        return ""
    link = safe_link(url if isinstance(url, str) else "")
    return link if len(link) <= MAX_LINK else ""


def courier_name(found: OrderCarrier) -> str:
    """The courier the order's parcel goes with, as the merchant's form suggests it:
    the carrier's ``courier_name_for(rate_id)`` when it has that (``""`` when it knows
    none), else its label. A carrier that raises suggests none (outside tests)."""
    name_for = getattr(found.carrier, "courier_name_for", None)
    if not callable(name_for):
        return found.label[:MAX_COURIER]
    try:
        name = name_for(found.rate_id)
    except Exception as exc:
        reraise_unless_isolating(exc)
        log.exception("carrier %s failed to name the courier", found.id)
        return ""
    return " ".join(str(name or "").split())[:MAX_COURIER]


def _same_name(typed: str, suggested: str) -> bool:
    return bool(suggested) and typed.strip().casefold() == suggested.strip().casefold()


def ship_by_hand(order: Order, store: StoreInfo, actor: str, courier: str,
                 tracking_number: str, tracking_url: str = "") -> None:
    """Mark ``order`` shipped with a courier the merchant named. When the link is left
    empty and the merchant kept the courier the form suggested (:func:`courier_name`,
    compared without case or outer spaces), the order's carrier builds the link and
    its id is kept (its tracking events then find the order); another courier's parcel
    gets neither."""
    link, carrier_id = tracking_url.strip(), ""
    if not link and tracking_number.strip():
        found = order_carrier(store, order)
        if found is not None and _same_name(courier, courier_name(found)):
            link = tracking_link(found, tracking_number)
            carrier_id = found.id if link else ""
    service.ship(order, actor, courier, tracking_number, link, carrier_id=carrier_id)


# --------------------------------------------------------------------- booking


def _latest(order_id: int, kinds: tuple[str, ...]) -> OrderEvent | None:
    return db.session.scalar(
        select(OrderEvent).where(OrderEvent.order_id == order_id, OrderEvent.kind.in_(kinds))
        .order_by(OrderEvent.id.desc()).limit(1))


def booking_under_way(order_id: int) -> OrderEvent | None:
    """The "booking" entry of a booking of this order that started less than
    :data:`BOOKING_WINDOW` ago and has no outcome yet, else ``None``."""
    last = _latest(order_id, (STARTED, *ENDINGS))
    if last is None or last.kind != STARTED:
        return None
    return last if aware(last.created_at) > utcnow() - BOOKING_WINDOW else None


def _claim(order: Order, store: StoreInfo, found: OrderCarrier, actor: str) -> _Claim:
    """Step 1, in the caller's transaction: hold the order, refuse when a booking is
    under way, and record this one's start."""
    service.hold(order)  # SQLite: the write lock, so two clicks cannot both claim
    started = booking_under_way(order.id)
    if started is not None:
        raise BookingUnderWay(started)
    entry = service.record(order, STARTED, timeline_text(
        "Booking with %(carrier)s started.", carrier=found.label), actor)
    db.session.flush()
    return _Claim(order.id, entry.id, found, order_snapshot(order, store))


def _checked(found: OrderCarrier, shipment: object) -> Parcel:
    """The courier's answer as the order keeps it; :class:`BookingFailed` (with the
    ``unusable`` part) when it cannot be kept."""
    if not isinstance(shipment, Shipment):
        error: Exception = TypeError(f"create_shipment returned {type(shipment).__name__}, "
                                     "not core.sdk.Shipment")
        raise BookingFailed(found, error=error, unusable="it was not a Shipment")
    number = str(shipment.tracking_number or "").strip()
    if not number or len(number) > MAX_NUMBER:
        error = ValueError(f"create_shipment returned the tracking number {number!r} "
                           f"(1 to {MAX_NUMBER} characters)")
        raise BookingFailed(found, error=error, unusable=(
            "no tracking number" if not number
            else f"a tracking number longer than {MAX_NUMBER} characters"))
    courier = " ".join(str(shipment.carrier or "").split())[:MAX_COURIER] or found.label
    given = safe_link(shipment.tracking_url)
    link = given if given and len(given) <= MAX_LINK else tracking_link(found, number)
    return Parcel(courier, number, link)


def _ask(claim: _Claim, store: StoreInfo) -> Parcel | None:
    """Step 2, with no transaction open: the carrier books (``None``: by hand)."""
    found = claim.carrier
    try:
        shipment = found.carrier.create_shipment(store, claim.snapshot)
        return None if shipment is None else _checked(found, shipment)
    except BookingFailed:
        raise
    except PluginCheckoutError as exc:
        raise BookingFailed(found, exc.shopper_message.strip()[:300] or "no reason given") \
            from exc
    except Exception as exc:
        raise BookingFailed(found, error=exc) from exc


def _locked(order_id: int) -> Order:
    """The order read afresh and held for a short transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        order = db.session.scalar(
            select(Order).where(Order.id == order_id).with_for_update(of=Order)
            .execution_options(populate_existing=True))
        if order is None:
            raise LookupError(f"order {order_id} is gone")
        try:
            service.hold(order)
            return order
        except service.OrderChanged:  # SQLite: changed between reading and holding
            db.session.rollback()
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _finish(claim: _Claim, actor: str, parcel: Parcel | None,
            failure: BookingFailed | None = None) -> Booking:
    """Step 3, a short transaction: apply the answer, or record why it was not."""
    order = _locked(claim.order_id)
    ours = getattr(_latest(order.id, (STARTED,)), "id", None) == claim.entry_id
    label = claim.carrier.label

    def note(kind: str, message: TimelineText) -> None:
        if not ours:  # a newer booking holds the claim: this answer must not end it
            kind = LATE
            message = timeline_text("%(entry)s (This booking had been given up and a newer "
                                    "one started.)", entry=message)
        service.record(order, kind, message, actor)

    result: Booking
    if failure is not None:
        note(FAILED, failure.note)
        result = Booking("failed")
    elif parcel is None:
        if ours:
            note(BY_HAND, timeline_text("%(carrier)s books this parcel by hand; nothing "
                                        "was booked.", carrier=label))
        result = Booking("by_hand")
    elif (order.carrier_id, order.tracking_number) == (claim.carrier.id,
                                                       parcel.tracking_number):
        note(BOOKED, timeline_text("%(carrier)s answered with the parcel the order already "
                                   "has, tracking %(number)s.", carrier=label,
                                   number=parcel.tracking_number))
        result = Booking("shipped", parcel)
    elif not states.can_move_fulfilment(order.fulfilment_state, states.SHIPPED):
        state = order.fulfilment_state
        note(UNUSED, timeline_text("Booked with %(carrier)s, tracking %(number)s, but the "
                                   "order was %(fulfilment)s meanwhile: cancel the parcel "
                                   "with the courier.", carrier=label,
                                   number=parcel.tracking_number, fulfilment=state))
        result = Booking("unused", parcel, state)
    elif not ours:
        service.record(order, LATE, timeline_text(
            "Booked with %(carrier)s, tracking %(number)s, but this booking had been given "
            "up and a newer one started: check with the courier that only one parcel goes "
            "out.", carrier=label, number=parcel.tracking_number), actor)
        result = Booking("superseded", parcel)
    else:
        service.record(order, BOOKED, timeline_text("Parcel booked with %(carrier)s.",
                                                    carrier=label), actor)
        service.ship(order, actor, parcel.courier, parcel.tracking_number,
                     parcel.tracking_url, carrier_id=claim.carrier.id)
        result = Booking("shipped", parcel)
    db.session.commit()
    return result


def book(order: Order, store: StoreInfo, found: OrderCarrier, actor: str) -> Booking:
    """Book ``order``'s parcel with its carrier, in three short steps, and commit each.

    ``order`` is the caller's, read for update in its open transaction, and may be
    shipped (the caller checked). 1. The order is held, a booking under way is refused
    (:class:`BookingUnderWay`; the caller rolls back) and this one's start is recorded
    on the timeline; commit. 2. ``create_shipment`` runs with no transaction open, so
    the courier's answer holds no lock and the carrier may write its own data.
    3. The order is held again: the parcel ships the order if it still can be shipped
    and no newer booking took over; otherwise what happened goes on the timeline for
    the merchant (:class:`Booking`). A refusal or failure is recorded (it ends the
    booking) and raised as :class:`BookingFailed`; under ``TESTING`` the carrier's own
    error is raised instead, after it is recorded.
    """
    claim = _claim(order, store, found, actor)
    db.session.commit()
    try:
        parcel = _ask(claim, store)
    except BookingFailed as failure:
        _finish(claim, actor, None, failure)
        if failure.error is not None:
            reraise_unless_isolating(failure.error)
            log.error("carrier %s failed to book order %s", found.id, claim.order_id,
                      exc_info=failure.error)
        raise
    return _finish(claim, actor, parcel)
