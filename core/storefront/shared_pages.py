"""The page cache's second level: rendered pages shared by every worker of a node.

Each gunicorn worker keeps its own page cache (:class:`core.storefront.page_cache.PageCache`);
without this level a page one worker rendered is rendered again by every other worker
the first time a shopper reaches it there. On a platform of many small stores most
visits are such first visits. Under the per-process cache sits a :class:`SharedPages`
store that every worker reads and writes: by default one SQLite file in the instance
dir (``HAAT_SHARED_PAGE_CACHE``, WAL journal, like ``ratelimits.db``).

The interface is three calls, so a Redis store can implement it for many nodes
(``GET``/``PTTL`` in one pipeline, ``SET key value PX ttl``, and for ``clear`` a
generation number in the key prefix; Redis's ``maxmemory-policy volatile-lru`` bounds it).

Keys are hashes of the page cache's key, which holds the store's ``StoreRef`` with its
``content_version`` and ``plugins_version`` (so a change retires every copy, and pages
of two stores never share a key), plus a stamp of the deployment (the contents of the code,
templates and translations, the static files, plugins and their versions), so a new
release never reads an old release's pages. Entries live ``HAAT_PAGE_CACHE_TTL``
seconds at most, counted from when they were rendered, in whichever worker serves them.
The file holds at most ``HAAT_SHARED_PAGE_CACHE_SIZE`` pages (stored compressed).

Any failure (a locked, full, unreadable or corrupt file) is logged and counts as a miss:
the page is rendered, never a 500.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from core.sqlite_files import ThreadConnections

log = logging.getLogger("haat.page_cache")

#: Seconds a worker waits for another worker's write; past it the page is just not shared.
BUSY_TIMEOUT = 0.2
#: Every this many writes (per process) expired pages go, and the oldest beyond the bound.
TRIM_EVERY = 200
#: Seconds between two log lines about a failing file, so a broken file cannot flood logs.
_LOG_EVERY = 60.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, expires REAL NOT NULL, "
    "body BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {table}_expires ON {table} (expires)",
)


class SharedPages(Protocol):
    """What the page cache needs of a store shared between workers (or nodes)."""

    def get(self, key: str) -> tuple[str, float] | None:
        """The page stored under ``key`` and the seconds it has left, or ``None``."""

    def set(self, key: str, html: str, ttl: float) -> None:
        """Keep ``html`` under ``key`` for ``ttl`` seconds (best effort)."""

    def clear(self) -> None:
        """Forget every page."""


def _statements(table: str) -> dict[str, str]:
    """The SQL of a store kept in ``table`` (a class constant, never input)."""
    if not table.isidentifier():
        raise ValueError(f"not a table name: {table!r}")
    # The table name is a constant checked above: no input reaches these strings.
    return {
        "get": f"SELECT body, expires FROM {table} WHERE key = ? AND expires > ?",  # noqa: S608
        "put": f"INSERT OR REPLACE INTO {table} (key, expires, body) "  # noqa: S608
               "VALUES (?, ?, ?)",
        "expire": f"DELETE FROM {table} WHERE expires <= ?",  # noqa: S608
        "count_all": f"SELECT COUNT(*) FROM {table}",  # noqa: S608
        "trim": f"DELETE FROM {table} WHERE key IN "  # noqa: S608
                f"(SELECT key FROM {table} ORDER BY expires LIMIT ?)",
        "clear": f"DELETE FROM {table}",  # noqa: S608
        "count": f"SELECT COUNT(*) FROM {table} WHERE expires > ?",  # noqa: S608
    }


class SQLiteBlobs:
    """Expiring, bounded blobs in one table of one SQLite file, shared by the workers of
    one machine (each thread and process opens its own connection)."""

    #: The table this store keeps its entries in (several stores may share a file).
    table = "blobs"
    #: Whether blobs are zlib-compressed here (off for ones compressed already).
    compress = True

    def __init__(self, path: str | os.PathLike[str], max_entries: int) -> None:
        self.path = Path(path)
        self.max_entries = max(int(max_entries), 1)
        self._sql = _statements(self.table)
        # A cache: losing the last writes in a crash is fine (synchronous OFF).
        self._connections = ThreadConnections(
            path, timeout=BUSY_TIMEOUT, synchronous="OFF",
            schema=[statement.format(table=self.table) for statement in _SCHEMA])
        self._writes = 0
        self._logged_at = 0.0

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

    def _failed(self, action: str, exc: BaseException) -> None:
        # A broken connection is dropped, so the next call tries the file afresh.
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._connections.drop()
        now = time.monotonic()
        if now - self._logged_at >= _LOG_EVERY:
            self._logged_at = now
            log.warning("shared page cache %s: %s of %s failed (%s); rendering instead",
                        self.path, action, self.table, exc)

    def get_blob(self, key: str) -> tuple[bytes, float] | None:
        """The blob under ``key`` and its seconds left; ``None`` when
        missing, expired or unreadable."""
        now = time.time()
        try:
            row = self._connection().execute(self._sql["get"], (key, now)).fetchone()
            if row is None:
                return None
            return (zlib.decompress(row[0]) if self.compress else row[0]), row[1] - now
        except (sqlite3.Error, zlib.error, OSError) as exc:
            self._failed("read", exc)
            return None

    def set_blob(self, key: str, blob: bytes, ttl: float) -> None:
        """Store ``blob`` for ``ttl`` seconds; a failure (e.g. another
        worker holding the write lock too long) only means it is not shared."""
        try:
            conn = self._connection()
            stored = zlib.compress(blob, 1) if self.compress else blob
            conn.execute(self._sql["put"], (key, time.time() + ttl, stored))
            self._writes += 1
            if self._writes % TRIM_EVERY == 0:
                self._trim(conn)
        except (sqlite3.Error, OSError) as exc:
            self._failed("write", exc)

    def _trim(self, conn: sqlite3.Connection) -> None:
        conn.execute(self._sql["expire"], (time.time(),))
        surplus = conn.execute(self._sql["count_all"]).fetchone()[0] - self.max_entries
        if surplus > 0:  # the entries closest to expiry are the oldest
            conn.execute(self._sql["trim"], (surplus,))

    def clear(self) -> None:
        """Forget every entry (tests; an operator may also just delete the file)."""
        try:
            self._connection().execute(self._sql["clear"])
        except (sqlite3.Error, OSError) as exc:
            self._failed("clear", exc)

    def __len__(self) -> int:
        try:
            return int(self._connection().execute(
                self._sql["count"], (time.time(),)).fetchone()[0])
        except (sqlite3.Error, OSError):
            return 0


class SQLitePages(SQLiteBlobs):
    """:class:`SharedPages` in one SQLite file, for the workers of one machine."""

    table = "pages"

    def get(self, key: str) -> tuple[str, float] | None:
        """The page under ``key`` and its seconds left; ``None`` when missing, expired or
        unreadable."""
        found = self.get_blob(key)
        if found is None:
            return None
        try:
            return found[0].decode("utf-8"), found[1]
        except UnicodeDecodeError as exc:
            self._failed("read", exc)
            return None

    def set(self, key: str, html: str, ttl: float) -> None:
        """Store a page for ``ttl`` seconds (best effort)."""
        self.set_blob(key, html.encode("utf-8"), ttl)


def shared_file_for(app: Flask) -> Path | None:
    """The node's shared cache file from ``HAAT_SHARED_PAGE_CACHE``: ``None`` for ``off``
    (or with the page cache off), a path for that SQLite file, empty for
    ``<instance dir>/pages.db``."""
    setting = str(app.config.get("HAAT_SHARED_PAGE_CACHE", "") or "").strip()
    if setting.lower() in ("off", "0", "false", "no") or not app.config["HAAT_PAGE_CACHE_SIZE"]:
        return None
    return Path(setting or os.path.join(app.config["HAAT_INSTANCE_DIR"], "pages.db"))


def shared_pages_for(app: Flask) -> SharedPages | None:
    """The app's shared page store (see :func:`shared_file_for`), or ``None``."""
    path = shared_file_for(app)
    if path is None:
        return None
    return SQLitePages(path, app.config.get("HAAT_SHARED_PAGE_CACHE_SIZE", 20_000))


#: Source folders (next to ``core``) whose files make pages: code, templates, catalogues.
_SOURCE_FOLDERS = ("core", "tenants", "plugins", "themes")
_SOURCE_SUFFIXES = (".py", ".html", ".mo")


def deployment_stamp(app: Flask) -> str:
    """A short fingerprint of what pages are made of besides the database: the static
    files' fingerprints, the installed plugins and their versions, and the contents of
    the code, templates and compiled translations of this checkout (and of each theme's
    templates). Shared keys carry it, so workers of another release (during a rolling
    restart, or after a deploy, even one that changed only Python code or a
    translation) never serve each other's pages, and nodes of one release agree on it.
    Worked out once per app (about 20 ms)."""
    known = app.extensions.get("haat_deployment_stamp")
    if known is not None:
        return known
    digest = hashlib.sha256()
    manifest = app.extensions.get("haat_assets")
    for name, url in sorted(getattr(manifest, "urls", {}).items()):
        digest.update(f"{name}={url}\n".encode())
    host = app.extensions.get("haat_plugins")
    for name, plugin in sorted(getattr(host, "installed", {}).items()):
        digest.update(f"{name}={plugin.version}\n".encode())
    from core.theming.registry import available_themes

    root = Path(app.root_path).parent
    folders = [root / name for name in _SOURCE_FOLDERS]
    folders += [Path(theme.templates_dir) for theme in available_themes().values()]
    seen: set[Path] = set()
    for folder in folders:
        if not folder.is_dir():
            continue
        for found in sorted(folder.rglob("*")):
            if found.suffix not in _SOURCE_SUFFIXES or found in seen or not found.is_file():
                continue
            seen.add(found)
            # Named relative to the checkout, so nodes in other folders agree.
            name = (found.relative_to(root) if found.is_relative_to(root)
                    else Path(folder.name) / found.relative_to(folder))
            digest.update(f"{name}\n".encode())
            digest.update(found.read_bytes())
    stamp = digest.hexdigest()[:16]
    app.extensions["haat_deployment_stamp"] = stamp
    return stamp


def shared_key(stamp: str, key: tuple[Any, ...]) -> str:
    """The shared store's key for a page-cache key: every part of it (the ``StoreRef``
    with its versions, host, path, arguments, locale, scheme) goes into the hash."""
    return hashlib.sha256(f"{stamp}|{key!r}".encode()).hexdigest()
