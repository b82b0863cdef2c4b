"""Whole-page caching of catalogue pages, with the shopper's own parts filled in per request.

Home, collection, product and merchant pages are the same for every shopper of a store
except for a few holes: the header cart (count and total), the CSRF token in forms and
the flash messages. Those are rendered as markers (:func:`personal`) and filled in on
every request, so one cached copy serves all shoppers.

The cache key holds the store's :class:`~tenants.resolution.StoreRef`, which carries
``content_version`` (bumped in the same transaction as any change to products,
collections, pages or published theme settings; see :func:`install`) and
``plugins_version``. A theme's draft is not content: shoppers never see it, and a staff
preview of it (``?theme_preview=1``, :mod:`core.storefront.preview`) is never cached.
A change is therefore visible at once in the worker that made it, and in other
workers once their host cache expires (``HAAT_TENANT_CACHE_TTL``, 5 s by default).
Entries also expire after ``HAAT_PAGE_CACHE_TTL`` seconds, which bounds how stale
time-dependent plugin content can get. The cache is per process and bounded, over a
second level shared by the node's workers (:mod:`core.storefront.shared_pages`).

Only the query parameters a page understands reach its key, normalised and in a fixed
order (:mod:`core.storefront.query_args`): ``?utm_source=...`` or a random parameter
is served from the same entry as the bare URL, and the page is rendered with only those
parameters in ``request.args``, so what is stored never echoes the rest.

Search result pages are kept in a cache of their own (``cache="search"``,
``HAAT_SEARCH_CACHE_SIZE``/``_TTL``): shoppers can ask for any number of different
queries, and those must not push the catalogue pages out.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TLRUCache
from flask import Flask, current_app, g, request
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from core.catalog.models import Collection, CollectionProduct, Product, ProductImage, ProductVariant
from core.pages.models import Page
from core.storefront.preview import preview_requested
from core.storefront.query_args import (
    CanonicalArgs,
    KnownArgs,
    as_request_args,
    canonical_args,
)
from core.storefront.shared_pages import SharedPages, deployment_stamp, shared_key, shared_pages_for
from core.storefront.shared_responses import mark_shareable
from core.theming.models import ThemeSettings
from core.web.tenancy import current_store
from tenants.context import current_tenant_id
from tenants.resolution import bump_content_version

#: Changing any of these changes what storefront pages show.
CONTENT_MODELS = (Product, ProductVariant, ProductImage, Collection, CollectionProduct, Page,
                  ThemeSettings)
_MARK = "<!--haat:%s-->"
#: The page caches: name -> (app extension, setting whose 0 turns it off).
CACHES = {"page": ("haat_page_cache", "HAAT_PAGE_CACHE_SIZE"),
          "search": ("haat_search_cache", "HAAT_SEARCH_CACHE_SIZE")}


def personal(name: str, render: Callable[[], Any]) -> Markup:
    """A per-shopper part of a page: a marker while a cacheable page renders, else the
    real value (escaped unless it is already Markup)."""
    if g.get("haat_page_recording"):
        return Markup(_MARK % name)  # noqa: S704 - constant marker
    return escape(render())


class PageCache:
    """A bounded, expiring, thread-safe map of cache key -> rendered HTML, per process,
    over an optional store shared by the node's workers (:mod:`.shared_pages`).

    A page found only in the shared store is kept here too, for the time it has left
    there, so a page is never served longer than ``ttl`` after it was rendered."""

    def __init__(self, maxsize: int, ttl: float, shared: SharedPages | None = None,
                 stamp: Callable[[], str] | None = None) -> None:
        self.ttl = ttl
        # Each value is (html, when it expires on the cache's clock).
        self._entries: TLRUCache[tuple[Any, ...], tuple[str, float]] = TLRUCache(
            maxsize=maxsize, ttu=lambda _key, value, _now: value[1], timer=time.monotonic)
        self._lock = threading.Lock()
        self.shared = shared
        # The deployment stamp is worked out once per app (``deployment_stamp``).
        self._stamp = stamp or (lambda: "")
        #: Called by :meth:`clear`: caches made from these pages (finished responses).
        self.on_clear: list[Callable[[], None]] = []

    def _shared_key(self, key: tuple[Any, ...]) -> str:
        return shared_key(self._stamp(), key)

    def get(self, key: tuple[Any, ...]) -> str | None:
        """The page under ``key``, or ``None``."""
        found = self.get_with_life(key)
        return found[0] if found is not None else None

    def get_with_life(self, key: tuple[Any, ...]) -> tuple[str, float] | None:
        """The page under ``key`` and the seconds it has left, or ``None``."""
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found[0], max(found[1] - time.monotonic(), 0.0)
        if self.shared is None:
            return None
        shared = self.shared.get(self._shared_key(key))
        if shared is None:
            return None
        html, left = shared
        left = min(left, self.ttl)
        with self._lock:
            self._entries[key] = (html, time.monotonic() + left)
        return html, left

    def set(self, key: tuple[Any, ...], html: str) -> None:
        with self._lock:
            self._entries[key] = (html, time.monotonic() + self.ttl)
        if self.shared is not None:
            self.shared.set(self._shared_key(key), html, self.ttl)

    def clear(self) -> None:
        """Forget every page, here and in the shared store, and what was made from them."""
        with self._lock:
            self._entries.clear()
        if self.shared is not None:
            self.shared.clear()
        for forget in self.on_clear:
            forget()


def cache_key(known: KnownArgs | None = None) -> tuple[Any, ...] | None:
    """This request's page-cache key, or ``None`` when it must not be cached.

    ``known`` are the query parameters the page reads (``lang`` is always one); no
    other parameter reaches the key.

    Nothing of a store that is not open yet is cached: its pages are seen only by its
    staff (with their "not open yet" bar) and by shoppers with the password, and the
    coming-soon page never reaches a cached view (:mod:`core.storefront.coming_soon`)."""
    store = current_store()
    if (request.method != "GET" or not current_app.config["HAAT_PAGE_CACHE_SIZE"]
            or store is None or not store.open):
        return None
    if preview_requested():  # a staff preview of a theme draft is never stored nor served
        return None
    from core.storefront.context import current_locale

    host = cacheable_host()
    if host is None:
        return None
    # The StoreRef carries content_version and plugins_version: a change retires the key.
    return (store, host, request.path, canonical_args(known or {}), current_locale(),
            request.is_secure)


def cacheable_host() -> str | None:
    """The request's host for the key, or ``None`` when it names a port the server is not
    reached on. Stores resolve whatever the port, so ``Host: shop:1`` ... ``shop:65535``
    would otherwise each fill an entry of one page and push other stores' pages out;
    such a request is served, just not stored."""
    host = request.host.lower()
    _name, colon, port = host.rpartition(":")
    if not colon or not port.isdigit():  # no port (or an IPv6 literal without one)
        return host
    reached_on = {str(current_app.config.get("HAAT_PUBLIC_PORT") or ""), _listening_port()}
    return host if port in reached_on else None


def _listening_port() -> str:
    """The port this server accepted the request on. gunicorn fills ``SERVER_PORT``
    from the Host header, so its socket is asked; other servers' ``SERVER_PORT`` is
    their own."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        try:
            return str(sock.getsockname()[1])
        except (OSError, IndexError, TypeError):
            return ""
    return str(request.environ.get("SERVER_PORT", ""))


def _fill(html: str, fillers: dict[str, Callable[[], Any]]) -> str:
    for name, render in fillers.items():
        marker = _MARK % name
        if marker in html:
            html = html.replace(marker, str(escape(render())))
    return html


def cached_page(known: KnownArgs | None = None, *, cache: str = "page",
                ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve a view's 200 responses from the page cache, filling in the personal parts.

    ``known`` names the query parameters the view reads, each with its normaliser
    (:mod:`core.storefront.query_args`); the view sees only those, normalised.
    ``cache`` picks the bounded cache the pages go in (:data:`CACHES`)."""
    params = dict(known or {})
    extension, size_setting = CACHES[cache]

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from core.storefront.context import personal_fillers

            key = cache_key(params) if current_app.config.get(size_setting, 1) else None
            if key is None:
                return view(*args, **kwargs)
            pages: PageCache = current_app.extensions[extension]
            found = pages.get_with_life(key)
            html, left = found if found is not None else (None, pages.ttl)
            if html is None:
                result = _render(view, canonical_args(params), *args, **kwargs)
                body, status = (result if isinstance(result, tuple) else (result, 200))
                if not isinstance(body, str):  # a redirect or another response object
                    return result
                if status != 200:
                    return _fill(body, personal_fillers()), status
                html = body
                pages.set(key, html)
            if cache == "page":  # search answers are many and rarely repeated: not kept
                mark_shareable(key[0], canonical_args(params), left)
            return _fill(html, personal_fillers())

        return wrapper

    return decorate


def _render(view: Callable[..., Any], args: CanonicalArgs, *view_args: Any,
            **view_kwargs: Any) -> Any:
    """Run the view with only its known query parameters in ``request.args``: a page
    stored for every spelling of its URL must not show the first visitor's extras."""
    raw_args = request.args
    request.args = as_request_args(args)  # type: ignore[misc]
    g.haat_page_recording = True
    try:
        return view(*view_args, **view_kwargs)
    finally:
        g.haat_page_recording = False
        request.args = raw_args  # type: ignore[misc]


#: Columns of a content model that shoppers never see: changing only these keeps the
#: store's cached pages (a theme's draft is seen only in a staff preview, never cached).
_UNSEEN_COLUMNS: dict[type, frozenset[str]] = {ThemeSettings: frozenset({"draft", "updated_at"})}


def _changes_what_shoppers_see(obj: Any, session: Session) -> bool:
    if not isinstance(obj, CONTENT_MODELS):
        return False
    unseen = _UNSEEN_COLUMNS.get(type(obj))
    if unseen is None or obj in session.deleted:
        return True
    if obj in session.new:  # a theme's first draft makes a row with nothing published
        return bool(getattr(obj, "values", True))
    state = sa_inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in unseen)


def _bump_content_version(session: Session, _context: Any, _instances: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    tenant_ids = {getattr(obj, "tenant_id", None) or current_tenant_id()
                  for obj in touched if _changes_what_shoppers_see(obj, session)}
    tenant_ids.discard(None)
    if tenant_ids:
        bump_content_version(session, tenant_ids)


_installed = False


def install(app: Flask) -> None:
    """Create the app's page cache and start versioning content changes (once per process)."""
    global _installed
    app.config.setdefault("HAAT_PAGE_CACHE_SIZE", 2000)
    app.config.setdefault("HAAT_PAGE_CACHE_TTL", 60)
    app.config.setdefault("HAAT_SEARCH_CACHE_SIZE", 500)
    app.config.setdefault("HAAT_SEARCH_CACHE_TTL", 60)
    app.config.setdefault("HAAT_SHARED_PAGE_CACHE", "")
    app.config.setdefault("HAAT_SHARED_PAGE_CACHE_SIZE", 20_000)
    # The deployment stamp reads the plugins, which load after this: it is taken on
    # first use. Search answers stay in the worker: many and rarely repeated.
    app.extensions["haat_page_cache"] = PageCache(
        max(app.config["HAAT_PAGE_CACHE_SIZE"], 1), app.config["HAAT_PAGE_CACHE_TTL"],
        shared=shared_pages_for(app), stamp=lambda: deployment_stamp(app))
    app.extensions["haat_search_cache"] = PageCache(
        max(app.config["HAAT_SEARCH_CACHE_SIZE"], 1), app.config["HAAT_SEARCH_CACHE_TTL"])
    if not _installed:
        event.listen(Session, "before_flush", _bump_content_version)
        _installed = True
