"""Reading orders of the current store."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from core.db import db
from core.orders.models import Order
from core.sdk import OrderSnapshot, StoreInfo
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


def order_by_id(store: StoreInfo, order_id: int) -> OrderSnapshot | None:
    """``store``'s order ``order_id`` as plugins see it, or ``None``."""
    from core.orders.snapshots import order_snapshot

    if isinstance(order_id, bool) or not isinstance(order_id, int):
        raise TypeError("order_id must be an int (OrderSnapshot.id)")
    with tenant_scope(store.id):
        order = db.session.scalar(select(Order).where(Order.id == order_id)
                                  .options(selectinload(Order.lines)))
        return order_snapshot(order, store) if order is not None else None


def orders_of_customers(store: StoreInfo, customer_ids: Iterable[int],
                        limit: int) -> list[OrderSnapshot]:
    """The newest ``limit`` orders of ``store`` by ``customer_ids``, newest first."""
    from core.orders.snapshots import order_snapshot

    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return []
    with tenant_scope(store.id):
        orders = db.session.scalars(
            select(Order).where(Order.customer_id.in_(ids))
            .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
            .options(selectinload(Order.lines))).all()
        return [order_snapshot(order, store) for order in orders]
