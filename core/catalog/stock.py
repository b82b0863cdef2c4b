"""Taking and giving back stock with conditional updates, safe under concurrency.

``UPDATE ... SET stock = stock - :n WHERE id = :id AND stock >= :n`` either takes
all of it or nothing, so two buyers racing for the last item can never both get it
and stock never goes below zero, on SQLite and PostgreSQL alike, without locks
held across the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from core.catalog.events import queue_stock_events
from core.catalog.models import Product, ProductVariant
from core.db import db
from tenants.context import require_tenant_id
from tenants.resolution import bump_content_version


@dataclass(frozen=True)
class StockRequest:
    """``quantity`` of a product, or of one of its variants."""

    product_id: int
    variant_id: int | None
    quantity: int


class OutOfStock(Exception):
    """A request could not be met; nothing was taken for it (the caller rolls back)."""

    def __init__(self, request: StockRequest, available: int) -> None:
        super().__init__(f"product {request.product_id}: {available} left")
        self.request = request
        self.available = available


def _change(request: StockRequest, delta: int) -> int | None:
    """Apply ``delta`` to one row; returns the new level or None when refused."""
    model = ProductVariant if request.variant_id is not None else Product
    row_id = request.variant_id if request.variant_id is not None else request.product_id
    statement = (update(model).where(model.id == row_id)
                 .values(stock=model.stock + delta).returning(model.stock)
                 .execution_options(synchronize_session=False))
    if delta < 0:
        statement = statement.where(model.stock >= -delta)
    return db.session.scalar(statement)


def _available(request: StockRequest) -> int:
    model = ProductVariant if request.variant_id is not None else Product
    row_id = request.variant_id if request.variant_id is not None else request.product_id
    return int(db.session.scalar(select(model.stock).where(model.id == row_id)) or 0)


def _sync_product_totals(product_ids: set[int]) -> dict[int, int]:
    """A product with variants keeps their sum as its own stock (listings, the in-stock
    filter and search read it); returns the new totals. Updated in id order after
    every variant row, so concurrent orders lock rows in one global order."""
    totals = {}
    for product_id in sorted(product_ids):
        total = (select(func.coalesce(func.sum(ProductVariant.stock), 0))
                 .where(ProductVariant.product_id == product_id).scalar_subquery())
        totals[product_id] = int(db.session.scalar(
            update(Product).where(Product.id == product_id).values(stock=total)
            .returning(Product.stock).execution_options(synchronize_session=False)) or 0)
    return totals


def _in_lock_order(requests: Iterable[StockRequest]) -> list[StockRequest]:
    return sorted(requests, key=lambda r: (r.variant_id is not None,
                                           r.variant_id or r.product_id))


def _apply(requests: list[StockRequest], sign: int) -> None:
    tenant_id = require_tenant_id()
    levels: dict[int, int] = {}
    parents: set[int] = set()
    for request in requests:
        level = _change(request, sign * request.quantity)
        if level is None:
            if sign < 0:
                raise OutOfStock(request, _available(request))
            continue  # giving back to a row deleted since
        if request.variant_id is None:
            levels[request.product_id] = level
        else:
            parents.add(request.product_id)
    levels.update(_sync_product_totals(parents))
    for product_id, level in levels.items():
        queue_stock_events(tenant_id, product_id, level)
    bump_content_version(db.session(), {tenant_id})


def take_stock(requests: Iterable[StockRequest]) -> None:
    """Take every request's quantity, or raise :class:`OutOfStock` at the first short
    one (the caller rolls back). Rows are updated in one global order (products, then
    variants, by id; then variants' products) so concurrent orders never deadlock."""
    _apply(_in_lock_order(requests), -1)


def give_back_stock(requests: Iterable[StockRequest]) -> None:
    """Put quantities back (a cancelled or returned order), in the same lock order as
    :func:`take_stock`. Rows deleted since are skipped."""
    _apply(_in_lock_order(requests), 1)
