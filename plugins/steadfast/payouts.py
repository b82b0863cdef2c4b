"""Cash on delivery: what Steadfast collected per parcel, and when it paid it out.

Two sources feed Haat's cash-on-delivery ledger (``record_cod_collections``):

* the ``delivery_status`` webhook of a settled parcel (delivered, partly delivered or
  cancelled) gives the cash collected and Steadfast's charge, not yet paid out;
* ``GET /payments`` and ``GET /payments/{payment_id}`` (a scheduled job, hourly) give
  each payout and the parcels it covers: the payout's id becomes each parcel's
  ``payout_reference``.

Once a parcel is known to be paid out, a late or replayed webhook no longer reports it
(the latest report per parcel wins in Haat's ledger, and "not paid out" must not
overwrite a payout).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from core.sdk import CodCollection, Money, StoreInfo, record_cod_collections, store_values

from .api import SteadfastClient, decimal_of
from .carrier import parcel_of
from .config import CARRIER_ID, PLUGIN, SteadfastConfig

log = logging.getLogger(__name__)


def report_collection(store: StoreInfo, tracking_number: str, *, collected: Money,
                      charge: Money) -> None:
    """A settled parcel's cash as the webhook reported it (not paid out yet)."""
    if store_values(store, PLUGIN).get(f"paid:{tracking_number}"):
        return
    record_cod_collections(store, CARRIER_ID, [CodCollection(
        tracking_number=tracking_number, collected=collected, charge=charge)])


def _when(value: object) -> datetime | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bdt(value: object) -> Money:
    return Money.from_decimal(max(decimal_of(value), 0), "BDT")


def sync_payouts(store: StoreInfo) -> int:
    """Record every Steadfast payout of ``store`` not recorded yet; returns how many
    parcels Haat's ledger recorded or changed."""
    config = SteadfastConfig.of(store)
    if not config.ready:
        return 0
    client = SteadfastClient(config, timeout=(5.0, 20.0))
    values = store_values(store, PLUGIN)
    changed = 0
    for payment in client.payments():
        reference = str(payment.get("id") or "").strip()
        if not reference or values.get(f"payout:{reference}"):
            continue
        detail = client.payment(reference)
        paid_at = _when(detail.get("created_at") or payment.get("created_at"))
        collections = []
        for row in detail.get("consignments") or ():
            if not isinstance(row, dict):
                continue
            known = parcel_of(store, consignment_id=str(row.get("consignment_id") or ""),
                              invoice=str(row.get("invoice") or ""))
            if known is None:  # a parcel booked outside Haat
                continue
            collections.append(CodCollection(
                tracking_number=known["tracking_number"],
                collected=_bdt(row.get("cod_amount")),
                charge=_bdt(row.get("delivery_charge")),
                payout_reference=reference, paid_at=paid_at))
        if collections:
            changed += record_cod_collections(store, CARRIER_ID, collections)
            for collection in collections:
                values.set(f"paid:{collection.tracking_number}", reference)
        values.set(f"payout:{reference}", True)
    return changed
