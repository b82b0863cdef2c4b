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


def _product_level(product_id: int, variant_id: int | None, level: int) -> int:
    if variant_id is None:
        return level
    total = db.session.scalar(select(func.coalesce(func.sum(ProductVariant.stock), 0))
                              .where(ProductVariant.product_id == product_id))
    return int(total or 0)


def take_stock(requests: Iterable[StockRequest]) -> None:
    """Take every request's quantity, or raise :class:`OutOfStock` at the first short
    one. Rows are updated in id order so concurrent orders never deadlock."""
    tenant_id = require_tenant_id()
    ordered = sorted(requests, key=lambda r: (r.variant_id is not None,
                                              r.variant_id or r.product_id))
    for request in ordered:
        level = _change(request, -request.quantity)
        if level is None:
            raise OutOfStock(request, _available(request))
        queue_stock_events(tenant_id, request.product_id,
                           _product_level(request.product_id, request.variant_id, level))
    bump_content_version(db.session(), {tenant_id})


def give_back_stock(requests: Iterable[StockRequest]) -> None:
    """Put quantities back (a cancelled or returned order). Rows deleted since are
    skipped."""
    tenant_id = require_tenant_id()
    for request in requests:
        level = _change(request, request.quantity)
        if level is not None:
            queue_stock_events(tenant_id, request.product_id,
                               _product_level(request.product_id, request.variant_id, level))
    bump_content_version(db.session(), {tenant_id})
