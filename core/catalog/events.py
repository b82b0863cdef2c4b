"""Catalogue lifecycle events for plugins, from every way the catalogue changes.

A flush listener notices products, variants, images, collection memberships and
collections that were added, changed or deleted (by the admin, an import, an order's
stock change or a script) and queues ``haat_product_saved``, ``haat_stock_changed``,
``haat_product_deleted`` and ``haat_collection_saved``. They are delivered after the
commit, with snapshots read fresh at that moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import get_history

from core.catalog.models import (
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.catalog.snapshots import collection_snapshot, product_snapshot
from core.db import db
from core.pluginhost.events import emit, emit_lazy
from core.sdk import StoreInfo

_CHILDREN = (ProductVariant, ProductImage, CollectionProduct)


def _product_builder(product_id: int, created: bool):
    def build(store: StoreInfo) -> dict[str, Any] | None:
        product = db.session.scalar(
            select(Product).where(Product.id == product_id).options(
                selectinload(Product.images), selectinload(Product.variants),
                selectinload(Product.memberships).selectinload(CollectionProduct.collection)))
        if product is None:
            return None
        snapshot = product_snapshot(product, store.currency,
                                    lambda key: store.url(f"media/{key}"))
        return {"product": snapshot, "created": created}
    return build


def _collection_builder(collection_id: int):
    def build(store: StoreInfo) -> dict[str, Any] | None:
        collection = db.session.get(Collection, collection_id)
        return {"collection": collection_snapshot(collection)} if collection else None
    return build


def _queue_events(session: Session, _context: Any) -> None:
    saved: dict[int, tuple[int, bool]] = {}  # product id -> (tenant, created)
    stock: dict[int, tuple[int, int]] = {}
    for obj in session.new:
        if isinstance(obj, Product):
            saved[obj.id] = (obj.tenant_id, True)
        elif isinstance(obj, _CHILDREN):
            saved.setdefault(obj.product_id, (obj.tenant_id, False))
        elif isinstance(obj, Collection):
            emit_lazy("haat_collection_saved", obj.tenant_id, _collection_builder(obj.id))
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Product):
            saved.setdefault(obj.id, (obj.tenant_id, False))
            if get_history(obj, "stock").deleted:
                stock[obj.id] = (obj.tenant_id, obj.stock)
        elif isinstance(obj, _CHILDREN):
            saved.setdefault(obj.product_id, (obj.tenant_id, False))
        elif isinstance(obj, Collection):
            emit_lazy("haat_collection_saved", obj.tenant_id, _collection_builder(obj.id))
    for obj in session.deleted:
        if isinstance(obj, Product):
            saved.pop(obj.id, None)
            emit("haat_product_deleted", obj.tenant_id, product_id=obj.id, handle=obj.handle)
        elif isinstance(obj, _CHILDREN) and obj.product_id not in saved:
            saved[obj.product_id] = (obj.tenant_id, False)
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Product)}
    for product_id, (tenant_id, created) in saved.items():
        if product_id not in deleted:
            emit_lazy("haat_product_saved", tenant_id, _product_builder(product_id, created))
    for product_id, (tenant_id, level) in stock.items():
        emit("haat_stock_changed", tenant_id, product_id=product_id, stock=level)


_installed = False


def install() -> None:
    """Start queueing catalogue events (once per process)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _queue_events)
        _installed = True


def queue_stock_events(tenant_id: int, product_id: int, stock: int) -> None:
    """Queue the events for a stock change made by a bulk statement (an order taking
    or giving back stock), which the flush listener cannot see."""
    emit("haat_stock_changed", tenant_id, product_id=product_id, stock=stock)
    emit_lazy("haat_product_saved", tenant_id, _product_builder(product_id, False))
