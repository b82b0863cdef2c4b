"""Node-local SQLite files: one connection per thread and per process, reopened after a
broken file (core/sqlite_files.py, used by the rate limits and the shared page cache)."""

from __future__ import annotations

import os
import threading

import pytest

from core.sqlite_files import ThreadConnections

SCHEMA = ["CREATE TABLE IF NOT EXISTS notes (body TEXT)"]


def test_each_thread_gets_its_own_connection_to_the_same_file(tmp_path):
    connections = ThreadConnections(tmp_path / "node.db", timeout=1, synchronous="OFF",
                                    schema=SCHEMA)
    mine = connections.get()
    assert connections.get() is mine
    mine.execute("INSERT INTO notes VALUES ('from the main thread')")
    seen: list[object] = []

    def other_thread() -> None:
        conn = connections.get()
        seen.append(conn)
        seen.append(conn.execute("SELECT body FROM notes").fetchall())

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen[0] is not mine
    assert seen[1] == [("from the main thread",)]
    assert mine.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_process_never_uses_its_parents_connection(tmp_path):
    connections = ThreadConnections(tmp_path / "node.db", timeout=1, synchronous="NORMAL",
                                    schema=SCHEMA)
    parent = connections.get()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a preloaded master's worker
        ok = connections.get() is not parent
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"


def test_drop_reopens_the_file(tmp_path):
    connections = ThreadConnections(tmp_path / "node.db", timeout=1, synchronous="OFF",
                                    schema=SCHEMA)
    first = connections.get()
    connections.drop()
    assert connections.get() is not first


def test_only_sqlites_own_synchronous_levels_are_accepted(tmp_path):
    with pytest.raises(ValueError, match="synchronous"):
        ThreadConnections(tmp_path / "node.db", timeout=1, synchronous="OFF; DROP",
                          schema=SCHEMA)
