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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from cachetools import TTLCache
from flask import Flask, request
from flask_compress.flask_compress import _choose_algorithm, _format

from tenants.resolution import StoreRef, TenantResolver

#: Request headers that make a response personal or partial: never served from here.
_PERSONAL_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_RANGE",
                     "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
#: Where the page cache leaves the request's StoreRef when the response may be kept.
SHAREABLE_ENVIRON_KEY = "haat.shareable_for"

WsgiKey = tuple[str, str, str, str, str, str]


class SharedResponse(NamedTuple):
    """A finished response and the store snapshot it was made with."""

    store: StoreRef
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class SharedResponses:
    """The WSGI layer: replays kept responses, hands everything else to ``wsgi_app``."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], resolver: TenantResolver,
                 encodings: list[str], max_bytes: int, ttl: float) -> None:
        self.wsgi_app = wsgi_app
        self.resolver = resolver
        self._encodings = encodings
        self._entries: TTLCache[WsgiKey, SharedResponse] = TTLCache(
            maxsize=max_bytes, ttl=ttl, getsizeof=_size_of)
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        key = self.key_of(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and self.resolver.peek(key[1]) == entry.store:
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def recording(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            started.append((status, headers))
            return start_response(status, headers, *args)

        answer = self.wsgi_app(environ, recording)
        store = environ.get(SHAREABLE_ENVIRON_KEY)
        if store is None or not started or not _shareable(*started[-1]):
            return answer
        try:  # the page cache marked it, so it is a finished body, not a stream
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        status, headers = started[-1]
        self.keep(key, SharedResponse(store, status, tuple(headers), body))
        return [body]

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

    def keep(self, key: WsgiKey, entry: SharedResponse) -> None:
        if _size_of(entry) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

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


def mark_shareable(store: StoreRef, canonical: tuple[tuple[str, str], ...]) -> None:
    """Called by the page cache when it served this request: the finished response may
    be kept if the raw query string says exactly what the page read (in any order)."""
    raw = sorted(parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True))
    if raw == sorted(canonical):
        request.environ[SHAREABLE_ENVIRON_KEY] = store


def install(app: Flask) -> None:
    """Put the layer in front of the app, inside any proxy fix-up (which must run first:
    the key holds the scheme and host)."""
    max_bytes = app.config["HAAT_SHARED_RESPONSE_MB"] * 1024 * 1024
    if not max_bytes or not app.config["HAAT_PAGE_CACHE_SIZE"]:
        return
    layer = SharedResponses(
        app.wsgi_app, app.extensions["haat_resolver"],
        _format(app.config["COMPRESS_ALGORITHM"]), max_bytes,
        app.config["HAAT_PAGE_CACHE_TTL"])
    app.extensions["haat_shared_responses"] = layer
    app.extensions["haat_page_cache"].on_clear.append(layer.clear)
    app.wsgi_app = layer  # type: ignore[method-assign]
