"""Product search for a store: Meilisearch when configured, else Haat's embedded engine.

The operator chooses the engine for all stores with ``MEILISEARCH_URL`` (plus
``MEILISEARCH_API_KEY``, an admin key, and ``MEILISEARCH_SEARCH_KEY`` for tenant
tokens); without it the embedded engine (SQLite FTS5 / PostgreSQL full-text search)
needs no server. The index follows the catalogue through lifecycle hooks, always in
a background job (``run_later``), so a slow or absent search server never slows the
admin and a failed update is retried. The plugin's title and description are in the
merchant's admin language (``translations/``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

from core.sdk import (
    CollectionSnapshot,
    PluginManifest,
    PluginText,
    ProductSnapshot,
    SearchBackend,
    StoreInfo,
    embedded_search_backend,
    get_products,
    hookimpl,
    iter_products,
    run_bulk,
    run_later,
)

BATCH = 500

_ = PluginText(__package__)

manifest = PluginManifest(
    name="search",
    title=_.lazy("Search"),
    kind="search",
    description=_.lazy("A search box on every page, with typo-tolerant results, filters "
                       "and suggestions as shoppers type, in English, Bengali and "
                       "Armenian."),
)


@functools.cache
def backend() -> SearchBackend:
    """The engine for this process (chosen once, from the environment)."""
    url = os.environ.get("MEILISEARCH_URL", "").strip()
    if not url:
        return embedded_search_backend()
    from plugins.search.meili import MeilisearchBackend

    # Index settings are applied (idempotently) on first use, so a server that is down
    # at start-up is set up once it answers.
    return MeilisearchBackend(url, os.environ.get("MEILISEARCH_API_KEY", ""),
                              search_key=os.environ.get("MEILISEARCH_SEARCH_KEY") or None)


# ------------------------------------------------------------------ background jobs


def index_products(store: StoreInfo, product_ids: list[int]) -> None:
    """Job: bring these products up to date in the index (gone ones are removed)."""
    found = get_products(store, product_ids)
    if found:
        backend().index(store, found)
    missing = set(product_ids) - {p.id for p in found}
    if missing:
        backend().remove(store, sorted(missing))


def remove_products(store: StoreInfo, product_ids: list[int]) -> None:
    """Job: drop products from the index."""
    backend().remove(store, product_ids)


def reindex(store: StoreInfo) -> int:
    """Rebuild the store's index from its catalogue; returns how many were indexed."""
    engine = backend()
    engine.clear(store)
    count = 0
    for batch in batches(iter_products(store, batch_size=BATCH), BATCH):
        engine.index(store, batch)
        count += len(batch)
    return count


def batches(items: Iterable[ProductSnapshot], size: int) -> Iterable[list[ProductSnapshot]]:
    batch: list[ProductSnapshot] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ------------------------------------------------------------------------- hooks


@hookimpl
def haat_search_backend(store: StoreInfo) -> SearchBackend:
    """Serve the store's searches."""
    return backend()


@hookimpl
def haat_product_saved(store: StoreInfo, product: ProductSnapshot, created: bool) -> None:
    run_later(store, index_products, [product.id])


@hookimpl
def haat_stock_changed(store: StoreInfo, product_id: int, stock: int) -> None:
    run_later(store, index_products, [product_id])


@hookimpl
def haat_product_deleted(store: StoreInfo, product_id: int, handle: str) -> None:
    run_later(store, remove_products, [product_id])


@hookimpl
def haat_collection_saved(store: StoreInfo, collection: CollectionSnapshot) -> None:
    # Products carry their collections' titles; a renamed collection changes them all.
    # A whole store's reindex is bulk work: it must not hold other stores' order emails.
    run_bulk(store, reindex)


@hookimpl
def haat_store_reindex(store: StoreInfo) -> None:
    run_bulk(store, reindex)


@hookimpl
def haat_store_deleted(store_id: int, slug: str) -> None:
    gone = StoreInfo(id=store_id, slug=slug, name=slug, locale="en", currency="USD",
                     base_url="")
    backend().clear(gone)
