"""Rate-limit storage in one SQLite file, shared by every worker process of a node.

``limits`` keeps its ``memory://`` counts inside each process, so with several gunicorn
workers a documented "10 per minute" let 10 per minute through *each* worker. This
storage keeps the counts in ``<HAAT_INSTANCE_DIR>/ratelimits.db`` (WAL journal), which
every worker on the machine opens, so a limit holds for the whole node without Redis.
Across several nodes, set ``REDIS_URL`` instead (see docs/operations.md).

URI: ``haat-sqlite://<path of the file>``, e.g. ``haat-sqlite:///srv/haat/ratelimits.db``.

Every change runs in a ``BEGIN IMMEDIATE`` transaction: SQLite's write lock is taken
before the count is read, so two workers can never both take the last use. It supports
the fixed-window (``incr``) and moving-window (``acquire_entry``) strategies; Haat uses
the moving window.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from limits.storage import MovingWindowSupport, Storage

from core.sqlite_files import ThreadConnections

SCHEME = "haat-sqlite"
#: Seconds a worker waits for another worker's write lock before giving up.
BUSY_TIMEOUT = 5.0
#: Every this many writes (per process) the rows of limits nobody used lately are deleted.
PURGE_EVERY = 500

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS limit_events (key TEXT NOT NULL, at REAL NOT NULL, "
    "expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS limit_events_key_at ON limit_events (key, at)",
    "CREATE INDEX IF NOT EXISTS limit_events_expires ON limit_events (expires)",
    "CREATE TABLE IF NOT EXISTS limit_counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, "
    "expires REAL NOT NULL)",
)


def storage_uri(path: str | os.PathLike[str]) -> str:
    """The storage URI for the SQLite file at ``path``."""
    return f"{SCHEME}://{os.fspath(path)}"


class SQLiteStorage(Storage, MovingWindowSupport):
    """A ``limits`` storage backed by one SQLite file (registered as ``haat-sqlite://``)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the limits registry reads this list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: float | str | bool) -> None:
        prefix = f"{SCHEME}://"
        if not uri or not uri.startswith(prefix) or not uri[len(prefix):]:
            raise ValueError(f"expected {prefix}<path of the SQLite file>, got {uri!r}")
        self.path = Path(uri[len(prefix):])
        self._connections = ThreadConnections(self.path, timeout=BUSY_TIMEOUT,
                                              synchronous="NORMAL", schema=_SCHEMA)
        self._writes = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    # ------------------------------------------------------------------ connection

    def _connection(self) -> sqlite3.Connection:
        # BEGIN IMMEDIATE is said by _write: the connection has no implicit transactions.
        return self._connections.get()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the file's write lock from its first read."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            self._purge(conn)

    @staticmethod
    def _purge(conn: sqlite3.Connection) -> None:
        now = time.time()
        conn.execute("DELETE FROM limit_events WHERE expires <= ?", (now,))
        conn.execute("DELETE FROM limit_counters WHERE expires <= ?", (now,))

    # ------------------------------------------------------------ fixed window

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``key``; a new or expired one lives ``expiry`` s."""
        now = time.time()
        with self._write() as conn:
            row = conn.execute("SELECT value, expires FROM limit_counters WHERE key = ?",
                               (key,)).fetchone()
            if row is None or row[1] <= now:
                value, expires = amount, now + expiry
            else:
                value, expires = row[0] + amount, row[1]
            conn.execute("INSERT OR REPLACE INTO limit_counters (key, value, expires) "
                         "VALUES (?, ?, ?)", (key, value, expires))
        return int(value)

    def get(self, key: str) -> int:
        """The counter ``key`` (0 when missing or expired)."""
        row = self._connection().execute(
            "SELECT value FROM limit_counters WHERE key = ? AND expires > ?",
            (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the counter ``key`` expires (now when it does not exist)."""
        now = time.time()
        row = self._connection().execute(
            "SELECT expires FROM limit_counters WHERE key = ? AND expires > ?",
            (key, now)).fetchone()
        return float(row[0]) if row else now

    # ----------------------------------------------------------- moving window

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Record ``amount`` uses of ``key`` unless that would make more than ``limit``
        in the last ``expiry`` seconds (then nothing is recorded)."""
        if amount > limit:
            return False
        now = time.time()
        with self._write() as conn:
            # Uses older than the window no longer count; drop them while we hold the lock.
            conn.execute("DELETE FROM limit_events WHERE key = ? AND at <= ?",
                         (key, now - expiry))
            (used,) = conn.execute("SELECT COUNT(*) FROM limit_events WHERE key = ?",
                                   (key,)).fetchone()
            if used + amount > limit:
                return False
            conn.executemany("INSERT INTO limit_events (key, at, expires) VALUES (?, ?, ?)",
                             [(key, now, now + expiry)] * amount)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(time of the oldest use still in the window, uses in the window)."""
        now = time.time()
        oldest, used = self._connection().execute(
            "SELECT MIN(at), COUNT(*) FROM limit_events WHERE key = ? AND at > ?",
            (key, now - expiry)).fetchone()
        return (float(oldest), int(used)) if used else (now, 0)

    # ------------------------------------------------------------------ upkeep

    def clear(self, key: str) -> None:
        """Forget every use of ``key``."""
        with self._write() as conn:
            conn.execute("DELETE FROM limit_events WHERE key = ?", (key,))
            conn.execute("DELETE FROM limit_counters WHERE key = ?", (key,))

    def reset(self) -> int | None:
        """Forget every limit; returns how many rows went."""
        with self._write() as conn:
            gone = conn.execute("DELETE FROM limit_events").rowcount
            gone += conn.execute("DELETE FROM limit_counters").rowcount
        return gone

    def check(self) -> bool:
        """Whether the file can be read."""
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True
