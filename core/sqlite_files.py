"""SQLite files that every worker of a node reads and writes (rate limits, shared pages).

Each thread (gthread workers) and each process gets its own connection: sqlite3
connections must not cross threads under load, and a worker forked from a preloaded
master must never use its parent's connection.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path


class ThreadConnections:
    """The connections of this thread and process to one SQLite file in WAL mode.

    ``schema`` statements (``CREATE ... IF NOT EXISTS``) run on every new connection;
    ``synchronous`` is SQLite's setting (``OFF`` for a cache, ``NORMAL`` for counters);
    ``timeout`` is how long a write waits for another process's lock."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float, synchronous: str,
                 schema: Sequence[str]) -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL"):
            raise ValueError(f"synchronous must be OFF, NORMAL or FULL, not {synchronous!r}")
        self.path = Path(path)
        self._timeout = timeout
        self._synchronous = synchronous.upper()
        self._schema = tuple(schema)
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the schema made) on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; callers say BEGIN themselves.
        conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            for statement in self._schema:
                conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def drop(self) -> None:
        """Close and forget this thread's connection (after the file broke), so the next
        :meth:`get` opens the file afresh."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()
