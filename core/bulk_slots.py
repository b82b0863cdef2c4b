"""Per-store slots for bulk jobs, kept in the job queue's own key/value storage.

A store may run at most ``cap`` bulk jobs at once (imports, reindexing, campaigns). A
bulk job takes one of its store's slots before it runs and gives it back afterwards;
when every slot is taken, the job is put back on the queue's schedule for a few
seconds (``RetryTask``), so no worker thread waits on it and other stores' bulk jobs
run meanwhile.

The slots are keys in Huey's storage (``put_if_empty`` is atomic on SQLite and on
Redis), so the cap holds across every worker process that shares the queue. SQLite's
storage has no key expiry, so a slot holds the moment it lapses: a worker that died
mid-job frees its store's slot after ``ttl`` seconds at the latest.
"""

from __future__ import annotations

import secrets
import time
from typing import NamedTuple

from huey import Huey
from huey.constants import EmptyData


def _key(store_id: int, slot: int) -> str:
    return f"haat.bulk-slot.{store_id}.{slot}"


class HeldSlot(NamedTuple):
    """A slot taken by one job: its key, and the token that says the slot is this job's
    (a job that outlived ``ttl`` and lost its slot to another must not free theirs)."""

    key: str
    token: str


class BulkSlots:
    """The per-store bulk slots of one queue."""

    def __init__(self, huey: Huey, cap: int, ttl: int) -> None:
        self.huey = huey
        self.cap = max(1, int(cap))
        self.ttl = max(1, int(ttl))

    def acquire(self, store_id: int) -> HeldSlot | None:
        """Take a free slot of ``store_id``, or ``None`` when all are taken."""
        storage = self.huey.storage
        token = secrets.token_hex(8)
        for slot in range(self.cap):
            key = _key(store_id, slot)
            if storage.put_if_empty(key, self._value(token)):
                return HeldSlot(key, token)
            if self._take_over_lapsed(key, token):
                return HeldSlot(key, token)
        return None

    def release(self, held: HeldSlot) -> None:
        """Give a slot back, if it is still this job's (else put the holder's back)."""
        storage = self.huey.storage
        popped = storage.pop_data(held.key)
        if popped is not EmptyData and _token(popped) != held.token:
            storage.put_data(held.key, popped)

    def busy(self, store_id: int) -> int:
        """How many of the store's slots are held now (lapsed ones not counted)."""
        storage = self.huey.storage
        now = time.time()
        held = 0
        for slot in range(self.cap):
            value = storage.peek_data(_key(store_id, slot))
            if value is not EmptyData and _moment(value) > now:
                held += 1
        return held

    def _value(self, token: str) -> bytes:
        """What a held slot stores: the moment it lapses, and its holder's token."""
        return f"{time.time() + self.ttl} {token}".encode()

    def _take_over_lapsed(self, key: str, token: str) -> bool:
        """Free a slot whose holder is long gone (a worker that died), then take it.

        ``pop_data`` is atomic: of two workers that both see the lapsed slot, one pops
        it; the other pops nothing (or a fresh holder's value, which it puts back) and
        then loses the ``put_if_empty`` race or finds the slot held.
        """
        storage = self.huey.storage
        value = storage.peek_data(key)
        if value is EmptyData or _moment(value) > time.time():
            return False
        popped = storage.pop_data(key)
        if popped is not EmptyData and _moment(popped) > time.time():
            storage.put_data(key, popped)  # a fresh holder's slot: give it back
            return False
        return bool(storage.put_if_empty(key, self._value(token)))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _moment(value: bytes | str) -> float:
    try:
        return float(_text(value).split(" ", 1)[0])
    except ValueError:
        return 0.0


def _token(value: bytes | str) -> str:
    return _text(value).partition(" ")[2]
