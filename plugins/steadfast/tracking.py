"""What Steadfast says about parcels: its webhook, and a scheduled poll as a safety net.

Steadfast reports a parcel's ``delivery_status`` (documented values below) through its
status API and, when the merchant set a callback URL in its panel, through a webhook
that carries ``Authorization: Bearer <token>``. The webhook's token proves only who
sent it, not that the status is right, so a ``delivery_status`` notification is checked
against ``GET /status_by_cid`` with the store's own keys before anything is recorded.
A ``tracking_update`` only adds Steadfast's message to the journey.

Each Haat status is recorded once per parcel (``event_id`` ``"status:<haat status>"``),
so the webhook and the poll reporting the same step, or a replayed notification, change
nothing the second time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from core.sdk import (
    Money,
    StoreInfo,
    TrackingEvent,
    csrf_exempt,
    current_store,
    record_tracking,
    shipments_in_transit,
)

from .api import SteadfastClient, SteadfastError, SteadfastNotFound, decimal_of
from .carrier import parcel_of, remember
from .config import CARRIER_ID, SteadfastConfig
from .payouts import report_collection

log = logging.getLogger(__name__)

#: Steadfast's ``delivery_status`` -> Haat's tracking status (None: nothing to show).
#: in_review: booked, not yet accepted; pending: accepted (picked up), neither
#: delivered nor cancelled yet; hold: held after a failed attempt or at the shopper's
#: request; *_approval_pending: the rider reported it, Steadfast has not settled it
#: yet; cancelled: the delivery was cancelled and the parcel goes back to the merchant
#: ("balance updated": the return is settled), which for Haat is a return.
STATUSES: dict[str, str | None] = {
    "in_review": None,
    "pending": "picked_up",
    "hold": "delivery_failed",
    "delivered_approval_pending": "delivered",
    "partial_delivered_approval_pending": "delivered",
    "delivered": "delivered",
    "partial_delivered": "delivered",
    "cancelled_approval_pending": "returning",
    "cancelled": "returned",
    "unknown_approval_pending": None,
    "unknown": None,
}
#: Statuses whose cash Steadfast has settled ("balance added/updated").
SETTLED = ("delivered", "partial_delivered", "cancelled")


def normalise(status: object) -> str:
    """``"Partial Delivered"`` (the webhook's spelling) -> ``"partial_delivered"``."""
    return "_".join(str(status or "").strip().lower().replace("-", " ").split())


def status_event(status: str, description: str = "") -> TrackingEvent | None:
    haat = STATUSES.get(normalise(status))
    if haat is None:
        return None
    # Haat's time of learning it: Steadfast's status API gives no time, and its
    # webhook's local time could fall before a step the poll recorded "now".
    return TrackingEvent(status=haat, event_id=f"status:{haat}",
                         occurred_at=datetime.now(UTC), description=description[:500])


# ------------------------------------------------------------------ the webhook

bp = Blueprint("steadfast", __name__, template_folder="templates")


def _answer(status: str, message: str, code: int):
    return jsonify(status=status, message=message), code


def _authorised(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.strip().partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode())


@bp.post("/apps/steadfast/webhook")
@csrf_exempt  # Steadfast's server sends no CSRF token; its bearer token is checked below
def webhook():
    store = current_store()
    config = SteadfastConfig.of(store)
    if not _authorised(config.webhook_token):
        return _answer("error", "Unauthorized.", 401)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _answer("error", "Invalid payload.", 400)
    cid = str(data.get("consignment_id") or "").strip()
    invoice = str(data.get("invoice") or "").strip()
    parcel = parcel_of(store, consignment_id=cid, invoice=invoice) if cid or invoice else None
    if parcel is None:
        return _answer("error", "Invalid consignment ID.", 404)
    number = parcel["tracking_number"]
    if cid and not parcel.get("consignment_id"):  # a recovered parcel: now we know its id
        remember(store, number, consignment_id=cid, invoice=parcel.get("invoice", ""),
                 tracking_code=parcel.get("tracking_code", ""))
    kind = data.get("notification_type")
    message = " ".join(str(data.get("tracking_message") or "").split())
    if kind == "tracking_update":
        if not message:
            return _answer("success", "Webhook received successfully.", 200)
        digest = hashlib.sha256(f"{data.get('updated_at')}|{message}".encode()).hexdigest()
        event = TrackingEvent(status="in_transit", event_id=f"update:{digest[:24]}",
                              occurred_at=datetime.now(UTC), description=message[:500])
        order = record_tracking(store, CARRIER_ID, number, [event])
    elif kind == "delivery_status":
        if not config.ready:
            return _answer("error", "Steadfast's API keys are not set in this shop.", 503)
        try:  # believe Steadfast's API, not the notification
            status = _current_status(config, parcel, cid)
        except SteadfastNotFound:
            return _answer("error", "Invalid consignment ID.", 404)
        except SteadfastError as exc:
            log.warning("steadfast webhook: could not confirm the status: %s", exc)
            return _answer("error", "Could not confirm the status; the shop will ask "
                           "again later.", 503)
        event = status_event(status, message)
        order = record_tracking(store, CARRIER_ID, number, [event] if event else [])
        if order is not None and normalise(status) in SETTLED \
                and normalise(data.get("status")) == normalise(status):
            report_collection(store, number, collected=_money(data.get("cod_amount")),
                              charge=_money(data.get("delivery_charge")))
    else:
        return _answer("error", "Unknown notification type.", 400)
    if order is None:
        return _answer("error", "Invalid consignment ID.", 404)
    return _answer("success", "Webhook received successfully.", 200)


def _money(value: object) -> Money:
    return Money.from_decimal(max(decimal_of(value), 0), "BDT")


def _current_status(config: SteadfastConfig, parcel: dict, cid: str) -> str:
    client = SteadfastClient(config, timeout=(5.0, 10.0))
    known = parcel.get("consignment_id") or cid
    if known:
        return client.status_by_cid(known)
    return str(client.status_by_invoice(parcel["invoice"])["delivery_status"])


# ------------------------------------------------------------------ the poll


def poll_parcels(store: StoreInfo) -> None:
    """Ask Steadfast about every parcel of ``store`` still on its way (every 30 minutes):
    what a missed or unconfigured webhook did not tell."""
    config = SteadfastConfig.of(store)
    if not config.ready:
        return
    client = SteadfastClient(config, timeout=(5.0, 15.0))
    failures = asked = 0
    for order in shipments_in_transit(store, CARRIER_ID):
        asked += 1
        number = order.tracking_number
        try:
            if number.isdigit():  # a consignment id: booked through Haat
                status = client.status_by_cid(number)
            elif number == order.token:  # a recovered booking, known by its invoice
                status = str(client.status_by_invoice(order.token)["delivery_status"])
            else:  # shipped by hand with the tracking code Steadfast's panel shows
                status = client.status_by_trackingcode(number)
        except SteadfastError as exc:
            failures += 1
            log.warning("steadfast poll: order #%s: %s", order.number, exc)
            continue
        event = status_event(status)
        if event is not None:
            record_tracking(store, CARRIER_ID, number, [event])
    if asked and failures == asked:
        raise RuntimeError(f"Steadfast did not answer for any of {asked} parcels")
