"""What the SDK's read functions (``core.sdk.iter_products`` and friends) return.

Each function enters the store's tenant scope itself, so a plugin can only ever read
the store it was called for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import has_request_context
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.catalog.models import STATUS_ACTIVE, Collection, CollectionProduct, Product
from core.catalog.snapshots import collection_snapshot, page_snapshot, product_snapshot
from core.db import db
from core.pages.models import Page
from core.sdk import CollectionSnapshot, PageSnapshot, ProductSnapshot, StoreInfo
from tenants import tenant_scope


def _product_query() -> Any:
    # A membership's collection rides along in the memberships query (one query less).
    return select(Product).options(
        selectinload(Product.images), selectinload(Product.variants),
        selectinload(Product.memberships).joinedload(CollectionProduct.collection,
                                                     innerjoin=True))


def _snapshots(store: StoreInfo, products: Iterable[Product]) -> list[ProductSnapshot]:
    return [product_snapshot(p, store.currency, lambda key: store.url(f"media/{key}"))
            for p in products]


def iter_products(store: StoreInfo, *, batch_size: int = 500,
                  include_inactive: bool = False) -> Iterator[ProductSnapshot]:
    """Keyset pagination by id, so a batch costs the same at the start and the end."""
    last_id = 0
    while True:
        with tenant_scope(store.id):
            query = _product_query().where(Product.id > last_id)
            if not include_inactive:
                query = query.where(Product.status == STATUS_ACTIVE)
            batch = db.session.scalars(query.order_by(Product.id).limit(batch_size)).all()
            snapshots = _snapshots(store, batch)
        if not batch:
            return
        yield from snapshots
        last_id = batch[-1].id


def get_products(store: StoreInfo, ids: Iterable[int]) -> list[ProductSnapshot]:
    wanted = [i for i in ids if isinstance(i, int) and 0 < i < 2**31]
    if not wanted:
        return []
    with tenant_scope(store.id):
        found = db.session.scalars(_product_query().where(Product.id.in_(wanted))).all()
        by_id = {p.id: p for p in found}
        return _snapshots(store, [by_id[i] for i in wanted if i in by_id])


def product_by_handle(store: StoreInfo, handle: str) -> ProductSnapshot | None:
    if not isinstance(handle, str) or not handle or len(handle) > 120:
        return None
    with tenant_scope(store.id):
        found = db.session.scalar(_product_query().where(Product.handle == handle))
        return _snapshots(store, [found])[0] if found is not None else None


def iter_collections(store: StoreInfo) -> list[CollectionSnapshot]:
    with tenant_scope(store.id):
        rows = db.session.scalars(select(Collection).order_by(Collection.position,
                                                              Collection.title)).all()
        return [collection_snapshot(c) for c in rows]


def iter_pages(store: StoreInfo) -> list[PageSnapshot]:
    with tenant_scope(store.id):
        rows = db.session.scalars(select(Page).where(Page.published.is_(True))
                                  .order_by(Page.position, Page.title)).all()
        return [page_snapshot(p) for p in rows]


def shipping_zones_by_plugin(store: StoreInfo) -> list[tuple[str, Any]]:
    """``(plugin name, ShippingZone)`` for every zone of the store's enabled carriers, in
    their order; a zone id two carriers share comes once (the first's)."""
    from core.pluginhost.web import plugins_for_request, plugins_for_tenant

    current = plugins_for_request() if has_request_context() else None
    plugins = (current if current is not None and current.info.id == store.id
               else plugins_for_tenant(store.id))
    zones: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for contribution in plugins.contribute("haat_shipping_carriers"):
        for carrier in contribution.value or ():
            for zone in getattr(carrier, "zones", None) or ():
                if zone.id not in seen:
                    seen.add(zone.id)
                    zones.append((contribution.plugin, zone))
    return zones


def shipping_zones(store: StoreInfo) -> list[Any]:
    return [zone for _plugin, zone in shipping_zones_by_plugin(store)]


def payment_methods(store: StoreInfo) -> list[Any]:
    from core.pluginhost.web import plugins_for_request, plugins_for_tenant

    current = plugins_for_request() if has_request_context() else None
    plugins = (current if current is not None and current.info.id == store.id
               else plugins_for_tenant(store.id))
    gateways: list[Any] = []
    for contribution in plugins.contribute("haat_payment_gateways", checkout=None):
        gateways.extend(contribution.value or ())
    return gateways
