"""The store's bKash payments that are not settled yet, in the plugin's own data.

``payment:<paymentID>`` holds ``{"order": <order token>, "order_id", "created"}`` (and
``"returned": true`` once the shopper came back with ``status=success``) from create
until the payment is settled; ``trx:<trxID>`` holds the paymentID of a completed
payment, which a refund needs beside the trxID (the order's payment reference). The
key/value store is the store's own, so another store's paymentID is never found here.
"""

from __future__ import annotations

import logging
from typing import Any

from core.sdk import StoreInfo, store_values

from .config import PLUGIN

log = logging.getLogger(__name__)


def _write(store: StoreInfo, action: str, key: str, value: Any = None) -> None:
    values = store_values(store, PLUGIN)
    try:
        if action == "set":
            values.set(key, value)
        else:
            values.delete(key)
    except RuntimeError:
        # Inside a request whose own transaction holds SQLite's write lock: the order's
        # payment reference still ties the payment to the order.
        log.warning("bKash: could not record %s for store %s now", key, store.slug)


def remember(store: StoreInfo, payment_id: str, record: dict[str, Any]) -> None:
    _write(store, "set", f"payment:{payment_id}", record)


def recall(store: StoreInfo, payment_id: str) -> dict[str, Any] | None:
    found = store_values(store, PLUGIN).get(f"payment:{payment_id}")
    return found if isinstance(found, dict) else None


def pending(store: StoreInfo) -> dict[str, dict[str, Any]]:
    """Every unsettled payment of the store, by paymentID."""
    return {key.split(":", 1)[1]: value
            for key, value in store_values(store, PLUGIN).items("payment:").items()
            if isinstance(value, dict)}


def settled(store: StoreInfo, payment_id: str, trx_id: str = "") -> None:
    """The payment is settled: forget it as pending, and keep its trxID for refunds."""
    if trx_id:
        _write(store, "set", f"trx:{trx_id}", payment_id)
    _write(store, "delete", f"payment:{payment_id}")


def payment_of(store: StoreInfo, trx_id: str) -> str:
    """The paymentID of the completed payment ``trx_id`` ("" when unknown)."""
    found = store_values(store, PLUGIN).get(f"trx:{trx_id}") if trx_id else None
    return str(found or "")
