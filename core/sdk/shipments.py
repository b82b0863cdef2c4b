"""Shipments: a carrier reports what happened to the parcels it carries, and the cash
it collected for them.

This is the services layer of the SDK: it calls down into Haat's core, which plugins
never import themselves. Both functions enter the store's scope themselves, so they
work the same from a plugin's webhook route (inside a request) and from a job or a
schedule, and can only ever touch the store they were called for.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.orders import cod, tracking
from core.sdk.commerce import CodCollection, OrderSnapshot, TrackingEvent
from core.sdk.store import StoreInfo, require_store

__all__ = ["record_cod_collections", "record_tracking", "shipments_in_transit"]


def record_tracking(store: StoreInfo, carrier_id: str, tracking_number: str,
                    events: Sequence[TrackingEvent]) -> OrderSnapshot | None:
    """Apply tracking events to the order of ``store`` that was shipped with
    ``carrier_id`` (your ``ShippingCarrier.id``) and ``tracking_number``.

    Returns the order as it is afterwards, or ``None`` when the store has no such
    order (another store's parcel, a number Haat never saw). Each event is applied
    once per parcel, by its ``event_id`` (one is made when you give none), so a webhook
    delivered twice or a poll that reports the whole history again changes nothing,
    and writes nothing. Events are applied oldest first. Each new one goes on the order's
    timeline and its tracking journey (admin and shopper pages), and fires
    ``haat_shipment_tracked``. ``delivered`` moves a shipped order to delivered
    (``haat_order_delivered``), ``returned`` moves it to returned, restocking its items
    (``haat_order_returned``); neither moves the order when an event already known
    happened later, so late and out-of-order reports never move it backwards.

    Commits the database session (your own pending changes with it); the hooks fire
    after the commit. Raises ``TypeError``/``ValueError`` before changing anything when
    an event is not a :class:`TrackingEvent` or its ``occurred_at`` has no time zone.
    """
    return tracking.record_tracking(require_store(store), carrier_id, tracking_number,
                                    events)


def shipments_in_transit(store: StoreInfo, carrier_id: str) -> list[OrderSnapshot]:
    """The orders of ``store`` shipped with ``carrier_id`` (booked through your
    ``create_shipment``, or shipped by hand with a link your carrier built) that are
    not yet delivered or returned, oldest first: what a scheduled poll asks the
    courier about. Each has ``tracking_number`` set. Two queries, whatever their
    number."""
    return tracking.shipments_in_transit(require_store(store), carrier_id)


def record_cod_collections(store: StoreInfo, carrier_id: str,
                           collections: Sequence[CodCollection]) -> int:
    """Record what the courier ``carrier_id`` (your ``ShippingCarrier.id``) collected
    and paid out for parcels of ``store``, one :class:`CodCollection` per parcel.

    The latest report of a parcel replaces the earlier one, and reporting the same
    again changes nothing, so a payout statement can be sent whole every time.
    Parcels that are not orders of this store shipped with ``carrier_id`` are ignored
    (another store's, or ones Haat never saw). When a report first gives a parcel a
    ``payout_reference``, the order's timeline says so, and a cash-on-delivery order
    still waiting for payment whose ``collected`` covers its total is marked paid
    (``haat_order_paid`` fires after the commit). The admin's cash on delivery report
    sets these figures against the orders.

    Returns how many parcels were recorded or changed. Commits the database session
    (your own pending changes with it). Raises ``TypeError``/``ValueError`` before
    changing anything when a report is not a :class:`CodCollection` or its amounts are
    not in the store's currency.
    """
    return cod.record_collections(require_store(store), carrier_id, collections)
