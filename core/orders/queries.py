"""Reading orders of the current store."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from core.db import db
from core.orders.models import Order
from core.sdk import StoreInfo
from tenants import tenant_scope


def find_order_by_token(token: str, *, with_lines: bool = True) -> Order | None:
    """The current store's order behind a status-page token, or ``None``."""
    if not token or len(token) > 64:
        return None
    query = select(Order).where(Order.token == token)
    if with_lines:
        query = query.options(selectinload(Order.lines), selectinload(Order.events))
    return db.session.scalar(query)


def payment_reference_used(store: StoreInfo, gateway_id: str, reference: str) -> bool:
    """True when an order of ``store`` paid with ``gateway_id`` carries ``reference``."""
    with tenant_scope(store.id):
        return bool(db.session.scalar(select(exists().where(
            Order.payment_method == gateway_id, Order.payment_reference == reference))))
