"""Pathao's order events: tracking steps and cash-on-delivery money.

Pathao pushes events to the webhook (``webhook.py``); the hourly poll
(``poll_parcels``) asks ``GET /orders/<consignment id>/info`` for parcels whose events
were missed. Both feed the same functions here, which give every step an event id made
of Haat's status and Pathao's ``updated_at``, so a step reported by the webhook and
found again by the poll, or a webhook delivered twice, is recorded once.

Cash: ``order.delivered`` (and ``order.partial-delivery``, ``order.paid-return``)
carry ``collected_amount`` and ``delivery_fee``; ``order.returned`` means nothing was
collected; ``order.paid`` carries the ``invoice_id`` of the payout that paid the
parcel's cash out to the merchant. The plugin keeps each parcel's latest figures
(``cod:<consignment>``) and reports them with ``record_cod_collections``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from core.sdk import (
    CodCollection,
    Money,
    OrderSnapshot,
    StoreInfo,
    TrackingEvent,
    record_cod_collections,
    record_tracking,
    shipments_in_transit,
    store_values,
)

from .api import PathaoClient, PathaoRefused, PathaoUnavailable
from .config import CARRIER_ID, PLUGIN, PathaoConfig

log = logging.getLogger(__name__)

#: Pathao writes ``updated_at`` without a zone: Bangladesh time.
DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")

#: Webhook events -> Haat's tracking statuses (events not listed are acknowledged and
#: recorded nowhere: order.created, order.updated, pickup requests, on hold, ...).
EVENT_STATUSES = {
    "order.picked": "picked_up",
    "order.at-the-sorting-hub": "in_transit",
    "order.in-transit": "in_transit",
    "order.received-at-last-mile-hub": "in_transit",
    "order.assigned-for-delivery": "out_for_delivery",
    "order.delivery-failed": "delivery_failed",
    "order.delivered": "delivered",
    "order.partial-delivery": "delivered",
    "order.return-in-transit": "returning",
    "order.returned": "returned",
    "order.returned-to-merchant": "returned",
    "order.paid-return": "returned",
}
#: ``order_status_slug`` of ``/orders/<id>/info`` (the names Pathao's own WooCommerce
#: plugin maps its events to) -> Haat's tracking statuses.
SLUG_STATUSES = {
    "Picked": "picked_up", "At_the_Sorting_HUB": "in_transit", "In_Transit": "in_transit",
    "Received_at_Last_Mile_HUB": "in_transit", "Assigned_for_Delivery": "out_for_delivery",
    "Delivery_Failed": "delivery_failed", "Delivered": "delivered",
    "Partial_Delivery": "delivered", "Return": "returned", "paid_return": "returned",
    "Paid_Return": "returned",
}
#: Words shown with the step, Pathao's own (English) names of its steps.
DESCRIPTIONS = {
    "order.at-the-sorting-hub": "At the sorting hub",
    "order.received-at-last-mile-hub": "Received at the last-mile hub",
    "order.partial-delivery": "Partial delivery",
    "order.paid-return": "Returned; the delivery charge was paid",
    "order.returned-to-merchant": "Returned to the merchant",
}
#: Events after which Pathao collected money (``collected_amount``) or nothing.
COLLECTING = {"order.delivered", "order.partial-delivery", "order.paid-return"}
RETURNING = {"order.returned", "order.returned-to-merchant"}


def when(payload: dict[str, Any]) -> datetime | None:
    """The event's time: ``timestamp`` (ISO 8601) when it has a zone, else
    ``updated_at`` (``YYYY-MM-DD HH:MM:SS``, Bangladesh time); ``None`` when neither
    reads."""
    stamp = str(payload.get("timestamp") or "").strip()
    if stamp:
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment
        except ValueError:
            pass
    updated = str(payload.get("updated_at") or "").strip()
    if updated:
        try:
            moment = datetime.fromisoformat(updated)
            return moment if moment.tzinfo else moment.replace(tzinfo=DHAKA)
        except ValueError:
            return None
    return None


def _event_id(status: str, moment: datetime | None, payload: dict[str, Any]) -> str:
    stamp = moment.astimezone(DHAKA).strftime("%Y-%m-%d %H:%M:%S") if moment else str(
        payload.get("updated_at") or "")
    return f"{status}@{stamp}" if stamp else ""


def _taka(value: Any, currency: str) -> Money | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if amount.is_nan() or amount < 0:
        return None
    return Money.from_decimal(amount, currency)


def apply_event(store: StoreInfo, payload: dict[str, Any]) -> OrderSnapshot | bool | None:
    """Apply one webhook event to the store's parcel.

    Returns the order (after the event), ``None`` when this store has no such parcel,
    or True for an event that needs no parcel step (acknowledged)."""
    event = str(payload.get("event") or "")
    consignment = str(payload.get("consignment_id") or "").strip()
    if not consignment:
        return True
    moment = when(payload)
    status = EVENT_STATUSES.get(event)
    order: OrderSnapshot | bool | None = True
    if status is not None:
        order = record_tracking(store, CARRIER_ID, consignment, [TrackingEvent(
            status=status, event_id=_event_id(status, moment, payload),
            occurred_at=moment, description=DESCRIPTIONS.get(event, ""))])
        if order is None:
            return None
    if event in COLLECTING or event in RETURNING or event == "order.paid":
        _money(store, consignment, event, payload, moment)
    return order


def _money(store: StoreInfo, consignment: str, event: str, payload: dict[str, Any],
           moment: datetime | None) -> None:
    """Keep the parcel's cash figures and report them to Haat's ledger."""
    values = store_values(store, PLUGIN)
    key = f"cod:{consignment}"
    known = values.get(key)
    record = dict(known) if isinstance(known, dict) else {}
    currency = store.currency
    if event in COLLECTING:
        # Without the amount the cash is unknown: the report then shows the parcel as
        # delivered with nothing reported, rather than as collected short.
        collected = _taka(payload.get("collected_amount"), currency) if payload.get(
            "collected_amount") is not None else None
        if collected is None:
            return
        record["collected"] = str(collected.to_decimal())
    elif event in RETURNING:
        record["collected"] = "0"
    elif event == "order.paid":
        if not known and "collected_amount" not in payload:
            # A payout for a parcel this store never saw delivered: nothing to set
            # against it (another store's, or Haat never knew the parcel).
            return
        if "collected_amount" in payload:
            collected = _taka(payload["collected_amount"], currency)
            if collected is not None:
                record["collected"] = str(collected.to_decimal())
        record["invoice"] = str(payload.get("invoice_id") or "").strip()
        record["paid_at"] = (moment or datetime.now(DHAKA)).isoformat()
    fee = _taka(payload.get("delivery_fee"), currency) if payload.get(
        "delivery_fee") is not None else None
    if fee is not None:
        record["charge"] = str(fee.to_decimal())
    if "collected" not in record:
        return
    collection = CodCollection(
        tracking_number=consignment,
        collected=Money.from_decimal(Decimal(record["collected"]), currency),
        charge=Money.from_decimal(Decimal(record.get("charge") or "0"), currency),
        payout_reference=record.get("invoice", ""),
        paid_at=datetime.fromisoformat(record["paid_at"]) if record.get("invoice") else None)
    recorded = record_cod_collections(store, CARRIER_ID, [collection])
    # Kept only for parcels of this store (recorded now or before).
    if (recorded or known) and record != known:
        values.set(key, record)


def poll_parcels(store: StoreInfo) -> None:
    """Ask Pathao about every parcel still on its way (the hourly schedule): events
    the webhook missed are recorded, already known ones are skipped."""
    config = PathaoConfig.of(store)
    if not config.can_call:
        return
    client = PathaoClient(config)
    for order in shipments_in_transit(store, CARRIER_ID):
        try:
            info = client.order_info(order.tracking_number)
        except PathaoRefused as exc:
            log.warning("pathao poll of %s for store %s: %s", order.tracking_number,
                        store.slug, exc)
            continue
        except PathaoUnavailable:
            raise  # the run is recorded as failed; the next one tries again
        status = SLUG_STATUSES.get(str(info.get("order_status_slug") or
                                       info.get("order_status") or ""))
        if status is None:
            continue
        moment = when(info)
        record_tracking(store, CARRIER_ID, order.tracking_number, [TrackingEvent(
            status=status, event_id=_event_id(status, moment, info), occurred_at=moment)])
