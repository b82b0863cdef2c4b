"""The scheduled check of ArCa payments whose shopper never came back.

ArCa's vPOS sends no notification Haat could verify, so a shopper who pays and closes
the tab before ArCa sends them back would leave the order unpaid. When an ArCa order
is placed it is put on this store's watch list (``store_values``); every ten minutes
this check asks ArCa (``getOrderStatusExtended.do`` by ``orderNumber``) about every try
of each watched order and reports what ArCa says through
``core.sdk.apply_payment_result``:

* a deposited try pays the order (same event id as the return, so applied once);
* while the order is pending, a declined last try fails it, and a try still only
  registered after ArCa's session lifetime (20 minutes) plus a margin fails it as
  expired; the shopper may pay again from the order page;
* an order that is paid, cancelled or older than two days leaves the list.

ArCa unreachable: the run raises (the plugin's admin page shows the failure) and
nothing changes; the next run asks again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from core.sdk import (
    OrderSnapshot,
    PaymentResult,
    StoreInfo,
    apply_payment_result,
    get_order,
    store_values,
)

from . import api
from .api import ArcaError
from .config import PLUGIN, ArcaConfig
from .gateway import (
    DECLINED,
    DEPOSITED,
    GATEWAY_ID,
    MAX_ATTEMPTS,
    REGISTERED,
    REVERSED,
    order_number,
    order_status,
    result_for,
)
from .texts import text

log = logging.getLogger(__name__)

WATCH_PREFIX = "watch:"
#: ArCa's default payment session (sessionTimeoutSecs: 1200 s), and a margin.
SESSION = timedelta(seconds=1200)
MARGIN = timedelta(minutes=10)
#: How long an order stays watched after it was placed.
WATCH = timedelta(days=2)
#: Orders looked at per run (the oldest first); the rest wait for the next run.
BATCH = 50


def watch(store: StoreInfo, order: OrderSnapshot) -> None:
    """Put a newly placed ArCa order on the store's watch list."""
    placed = _utc(order.created_at) or datetime.now(UTC)
    store_values(store, PLUGIN).set(f"{WATCH_PREFIX}{order.id:012d}",
                                    {"order": order.id, "placed": placed.isoformat()})


def check_payments(store: StoreInfo) -> None:
    """Schedule: settle the watched ArCa orders of ``store`` (see the module's doc)."""
    config = ArcaConfig.of(store)
    if not config.ready:
        return
    values = store_values(store, PLUGIN)
    now = datetime.now(UTC)
    for key, entry in sorted(values.items(WATCH_PREFIX).items())[:BATCH]:
        order = get_order(store, int(entry.get("order") or 0))
        placed = _utc(order.created_at) if order is not None else None
        if (order is None or order.payment_method != GATEWAY_ID
                or order.payment_state not in ("pending", "failed")
                or order.fulfilment_state == "cancelled"
                or (placed is not None and now - placed > WATCH)):
            values.delete(key)
            continue
        for result in settle(store, config, order, now):
            changed = apply_payment_result(store, GATEWAY_ID, result)
            log.info("ArCa check of order %s of store %s: %s (%s)", order.number,
                     store.slug, result.state, "applied" if changed else "no change")
            if result.state == "paid":
                values.delete(key)


def settle(store: StoreInfo, config: ArcaConfig, order: OrderSnapshot,
           now: datetime) -> list[PaymentResult]:
    """What ArCa's tries of ``order`` say now (empty: nothing to report yet)."""
    tries: list[tuple[str, dict[str, Any]]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            status = order_status(config, order_number=order_number(store, order, attempt))
        except ArcaError as exc:
            if exc.code == api.UNKNOWN_ORDER:
                break  # no such try: the tries are numbered without gaps
            raise
        tries.append((_order_id(status), status))
    for order_id, status in tries:
        if _state(status) == DEPOSITED and order_id:
            result = result_for(store, order, order_id, status)
            return [result] if result is not None else []
    if order.payment_state != "pending" or not tries:
        return []
    order_id, status = tries[-1]
    if not order_id:
        return []
    if _state(status) in (DECLINED, REVERSED):
        result = result_for(store, order, order_id, status)
        return [result] if result is not None else []
    registered = _registered_at(status) or _utc(order.created_at)
    if _state(status) == REGISTERED and registered and now - registered > SESSION + MARGIN:
        locale = order.locale or store.locale
        return [PaymentResult(order.token, "failed", event_id=f"arca:{order_id}:expired",
                              message=text(locale, "expired"))]
    return []


def _state(status: Mapping[str, Any]) -> int | None:
    try:
        return int(status.get("orderStatus"))
    except (TypeError, ValueError):
        return None


def _order_id(status: Mapping[str, Any]) -> str:
    """ArCa's order id, which getOrderStatusExtended gives as the attribute mdOrder."""
    for attribute in status.get("attributes") or ():
        if isinstance(attribute, Mapping) and attribute.get("name") == "mdOrder":
            return str(attribute.get("value") or "")
    return ""


def _registered_at(status: Mapping[str, Any]) -> datetime | None:
    """When ArCa registered the try: ``date``, in milliseconds since 1970."""
    try:
        return datetime.fromtimestamp(int(status.get("date")) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
