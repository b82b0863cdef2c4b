"""Whole responses for visitors who send no cookie, replayed before Flask runs.

A catalogue page from the page cache (:mod:`core.storefront.page_cache`) is the same
for every visitor without a cookie: no cart, no session, no messages, an empty CSRF
field (see :func:`core.storefront.context.personal_fillers`). Running Flask's request
cycle to fill the same holes with the same values for each of them costs more than the
page itself, so the finished response (status, headers and compressed body) is kept
here and replayed by a WSGI layer in front of the app: the way a reverse proxy's
micro-cache works, but with the app's own rules on what may be shared.

A response is kept only when all of these hold:

- the request was a ``GET`` with no ``Cookie``, ``Authorization``, ``Range`` or
  conditional header, to a host and port the server is reached on;
- the view served it through the page cache (so it was cacheable for everyone), and
  its query string held only the parameters the page reads, already normalised: a
  URL with ``?utm_source=...`` is served by Flask (from the page cache) and never kept
  here, so made-up URLs cannot fill this cache;
- the answer is a ``200`` that sets no cookie and is not marked private.

It is replayed only while the store's snapshot in this process's host cache
(:class:`~tenants.resolution.StoreRef`, carrying ``content_version``,
``plugins_version``, status and open state) is the one it was made with. A change to
the store therefore retires it exactly when it retires the store's cached pages: at
once in the process that made the change, and within ``HAAT_TENANT_CACHE_TTL`` in the
others. When the host is not in the host cache, Flask serves the request and
resolves the host again. The response bodies are bounded in bytes
(``HAAT_SHARED_RESPONSE_MB``) and expire with ``HAAT_PAGE_CACHE_TTL``.

Under each worker's responses sits a level shared by the node's workers, in the shared
page cache's file (:mod:`core.storefront.shared_pages`, table ``responses``). On a
platform of many small stores, a worker has mostly not yet served the store a visitor
asks for: the response another worker made is replayed if the store's snapshot is
still the one it was made with, either the one in this worker's host cache or, when
the host is not there, one read from the database just now (one indexed query, no
ORM). So a store's page served by one worker is served by every worker without
Flask, and with the same freshness rules. Its entries keep the time they had left: a
response is never replayed longer than ``HAAT_PAGE_CACHE_TTL`` after it was made.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import zlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, Protocol
from urllib.parse import parse_qsl

from cachetools import TLRUCache
from flask import Flask, request
from flask_compress.flask_compress import _choose_algorithm, _format

from core.db import db
from core.storefront.shared_pages import (
    SQLiteBlobs,
    deployment_stamp,
    shared_file_for,
    shared_key,
)
from tenants.resolution import StoreRef, TenantResolver

log = logging.getLogger("haat.page_cache")

#: Request headers that make a response personal or partial: never served from here.
_PERSONAL_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_RANGE",
                     "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
#: Where the page cache leaves the request's StoreRef, and the seconds its page has
#: left, when the response may be kept.
SHAREABLE_ENVIRON_KEY = "haat.shareable_for"

WsgiKey = tuple[str, str, str, str, str, str]


class SharedResponse(NamedTuple):
    """A finished response and the store snapshot it was made with."""

    store: StoreRef
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class NodeResponses(Protocol):
    """What the layer needs of a store of responses shared by the node's workers."""

    def get(self, key: str) -> tuple[SharedResponse, float] | None:
        """The response under ``key`` and the seconds it has left, or ``None``."""

    def set(self, key: str, entry: SharedResponse, ttl: float) -> None:
        """Keep ``entry`` under ``key`` for ``ttl`` seconds (best effort)."""

    def clear(self) -> None:
        """Forget every response."""


class SQLiteResponses(SQLiteBlobs):
    """:class:`NodeResponses` in the shared page cache's SQLite file."""

    table = "responses"
    # Most bodies are gzip or Brotli already: only plain ones are compressed here.
    compress = False

    def get(self, key: str) -> tuple[SharedResponse, float] | None:
        found = self.get_blob(key)
        if found is None:
            return None
        blob, left = found
        try:
            head, _newline, body = blob.partition(b"\n")
            meta = json.loads(head)
            store = StoreRef(**meta["store"])
            headers = tuple((str(name), str(value)) for name, value in meta["headers"])
            if meta.get("zlib"):
                body = zlib.decompress(body)
            return SharedResponse(store, str(meta["status"]), headers, body), left
        except (ValueError, TypeError, KeyError, zlib.error) as exc:  # another release's
            self._failed("read", exc)
            return None

    def set(self, key: str, entry: SharedResponse, ttl: float) -> None:
        plain = not any(name.lower() == "content-encoding" for name, _value in entry.headers)
        head = json.dumps({"store": dataclasses.asdict(entry.store), "status": entry.status,
                           "headers": entry.headers, "zlib": plain}, separators=(",", ":"))
        body = zlib.compress(entry.body, 1) if plain else entry.body
        self.set_blob(key, head.encode("utf-8") + b"\n" + body, ttl)


class SharedResponses:
    """The WSGI layer: replays kept responses, hands everything else to ``wsgi_app``."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], resolver: TenantResolver,
                 encodings: list[str], max_bytes: int, ttl: float,
                 node: NodeResponses | None = None,
                 resolve: Callable[[str], StoreRef | None] | None = None,
                 stamp: Callable[[], str] | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.resolver = resolver
        self.ttl = ttl
        self._encodings = encodings
        # Each value is (response, seconds it may live from when it is put here).
        self._entries: TLRUCache[WsgiKey, tuple[SharedResponse, float]] = TLRUCache(
            maxsize=max_bytes, ttu=lambda _key, value, now: now + value[1],
            getsizeof=lambda value: _size_of(value[0]))
        self._lock = threading.Lock()
        #: The level shared by the node's workers, with how to read a host's store
        #: afresh and the deployment stamp its keys carry.
        self.node = node
        self._resolve = resolve or resolver.resolve
        self._stamp = stamp or (lambda: "")

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        key = self.key_of(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        with self._lock:
            found = self._entries.get(key)
        entry = found[0] if found is not None else None
        if entry is None or self.resolver.peek(key[1]) != entry.store:
            entry = self._from_node(key)
        if entry is not None:
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def recording(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            started.append((status, headers))
            return start_response(status, headers, *args)

        answer = self.wsgi_app(environ, recording)
        marked = environ.get(SHAREABLE_ENVIRON_KEY)
        if marked is None or not started or not _shareable(*started[-1]):
            return answer
        store, left = marked
        try:  # the page cache marked it, so it is a finished body, not a stream
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        status, headers = started[-1]
        entry = SharedResponse(store, status, tuple(headers), body)
        # No longer than the page it was made from has left (it may have come from
        # another worker), so no response outlives the TTL counted from the render.
        self.keep(key, entry, left)
        if self.node is not None and left > 0:
            self.node.set(shared_key(self._stamp(), key), entry, left)
        return [body]

    def _from_node(self, key: WsgiKey) -> SharedResponse | None:
        """The node's response for ``key`` if it was made with the host's store as it is
        now (this worker's snapshot, or one read just now), kept here for its time left."""
        if self.node is None:
            return None
        found = self.node.get(shared_key(self._stamp(), key))
        if found is None:
            return None
        entry, left = found
        store = self.resolver.peek(key[1])
        if store is None:
            try:
                store = self._resolve(key[1])
            except Exception:  # Flask will meet the same failure and answer it properly
                log.warning("shared responses: resolving %r failed; asking the app",
                            key[1], exc_info=True)
                return None
        if store != entry.store:
            return None
        self.keep(key, entry, min(left, self.ttl))
        return entry

    def key_of(self, environ: dict[str, Any]) -> WsgiKey | None:
        """What a response is kept under, or ``None`` when this request may not share one:
        scheme, host, script root, path, raw query string and the body's encoding."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        if any(header in environ for header in _PERSONAL_HEADERS):
            return None
        encoding = _choose_algorithm(self._encodings, environ.get("HTTP_ACCEPT_ENCODING", ""))
        return (environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", "").lower(),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), encoding or "")

    def keep(self, key: WsgiKey, entry: SharedResponse, lifetime: float | None = None) -> None:
        """Keep ``entry`` in this worker for ``lifetime`` seconds (default: the TTL)."""
        if _size_of(entry) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = (entry, self.ttl if lifetime is None else lifetime)

    def clear(self) -> None:
        """Forget every response, here and in the node's shared store."""
        with self._lock:
            self._entries.clear()
        if self.node is not None:
            self.node.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _size_of(entry: SharedResponse) -> int:
    return len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers) + 200


def _shareable(status: str, headers: list[tuple[str, str]]) -> bool:
    """A ``200`` that sets no cookie and is not marked private (read from the final
    headers, after Flask saved the session and every ``after_request`` ran)."""
    if not status.startswith("200"):
        return False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return False
        if lowered == "cache-control" and ("private" in value or "no-store" in value):
            return False
    return True


def mark_shareable(store: StoreRef, canonical: tuple[tuple[str, str], ...],
                   left: float) -> None:
    """Called by the page cache when it served this request from a page with ``left``
    seconds to live: the finished response may be kept (as long) if the raw query string
    says exactly what the page read (in any order)."""
    raw = sorted(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    if raw == sorted(canonical):
        request.environ[SHAREABLE_ENVIRON_KEY] = (store, left)


def install(app: Flask) -> None:
    """Put the layer in front of the app, inside any proxy fix-up (which must run first:
    the key holds the scheme and host)."""
    max_bytes = app.config["HAAT_SHARED_RESPONSE_MB"] * 1024 * 1024
    if not max_bytes or not app.config["HAAT_PAGE_CACHE_SIZE"]:
        return
    resolver: TenantResolver = app.extensions["haat_resolver"]
    path = shared_file_for(app)
    node = (SQLiteResponses(path, app.config.get("HAAT_SHARED_PAGE_CACHE_SIZE", 20_000))
            if path is not None else None)

    with app.app_context():
        engine = db.engine

    def resolve(host: str) -> StoreRef | None:
        # The layer runs before Flask pushes a context: a connection of its own.
        return resolver.resolve_fresh(host, engine)[0]

    layer = SharedResponses(
        app.wsgi_app, resolver, _format(app.config["COMPRESS_ALGORITHM"]), max_bytes,
        app.config["HAAT_PAGE_CACHE_TTL"], node=node, resolve=resolve,
        stamp=lambda: deployment_stamp(app))
    app.extensions["haat_shared_responses"] = layer
    app.extensions["haat_page_cache"].on_clear.append(layer.clear)
    app.wsgi_app = layer  # type: ignore[method-assign]
