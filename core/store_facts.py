"""Facts about a store that its pages show, remembered by this worker until they change.

A storefront page asks some things of the whole store (its rating, whether the
customer wall has a review) that cost a query each and change only when the store's
content or plugins change. They are kept here, keyed on the store's id **and** the
``content_version`` and ``plugins_version`` of the request's ``StoreRef``, exactly
like the page cache: any change that retires the store's cached pages (a product
saved, a rating published, ``pages_changed``, a plugin switched or set) makes a new
key, so the next request computes the fact again. An entry also lives no longer than
a cached page (``HAAT_PAGE_CACHE_TTL``), for a change that forgot to say so, and
``HAAT_PAGE_CACHE_SIZE=0`` turns it off with the page caches.

Only requests for the store itself remember: anywhere else (a job, a script, another
store's request) and in a request whose own transaction has changed a store, the fact
is computed afresh, since the versions the request started with are out of date
(also after that transaction committed: the request's ``StoreRef`` is not read again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import TTLCache
from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
EXTENSION = "haat_store_facts"
#: Set in ``g`` once this request committed a change to a store.
_CHANGED = "haat_store_facts_changed"
#: Entries kept per worker: small values, a few per store.
MAX_FACTS = 30_000
_MISSING = object()


class StoreFactsCache:
    """A bounded, thread-safe cache of store facts, keyed on the store's versions."""

    def __init__(self, maxsize: int, ttl: float) -> None:
        self._cache: TTLCache[Hashable, Any] = TTLCache(maxsize=maxsize, ttl=max(ttl, 0) or 1e-9)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value kept under ``key``, or ``_MISSING``."""
        with self._lock:
            return self._cache.get(key, _MISSING)

    def set(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._cache[key] = value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def _key(store_id: int, name: Hashable) -> tuple[Any, ...] | None:
    """The cache key of ``name`` for ``store_id`` in this request, or ``None`` when the
    fact may not be remembered here."""
    if not has_request_context():
        return None
    from core.db import db
    from core.web.tenancy import current_store
    from tenants.resolution import routing_change_pending

    store = current_store()
    if store is None or store.id != store_id or g.get(_CHANGED) \
            or routing_change_pending(db.session):
        return None
    return (store.id, store.content_version, store.plugins_version, name)


def remember(store_id: int, name: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, kept per store until the store's pages change (see the module).

    ``name`` tells one fact from another (include anything else the value depends on,
    such as a plugin's name); the store's id and versions are added to it.
    """
    key = _key(store_id, name)
    facts: StoreFactsCache | None = current_app.extensions.get(EXTENSION) \
        if key is not None else None
    if facts is None:
        return compute()
    found = facts.get(key)
    if found is _MISSING:
        found = compute()
        facts.set(key, found)
    return found


def _note_commit(session: Session) -> None:
    from tenants.resolution import routing_change_pending

    if has_request_context() and routing_change_pending(session):
        setattr(g, _CHANGED, True)


_listening = False


def install(app: Flask) -> None:
    """Give the app its store-facts cache (a few facts for each of many stores)."""
    global _listening
    if app.config.get("HAAT_PAGE_CACHE_SIZE", 1):  # 0 turns every page cache off
        app.extensions[EXTENSION] = StoreFactsCache(
            maxsize=MAX_FACTS, ttl=app.config.get("HAAT_PAGE_CACHE_TTL", 60))
    if not _listening:
        # First in line: the host caches' own listener forgets the change on commit.
        event.listen(Session, "after_commit", _note_commit, insert=True)
        _listening = True
