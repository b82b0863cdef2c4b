"""The per-node rate-limit storage (core/web/limit_storage.py) and where limits live."""

from __future__ import annotations

import multiprocessing

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from core.config import load_config
from core.web.limit_storage import SQLiteStorage, storage_uri


@pytest.fixture
def storage(tmp_path) -> SQLiteStorage:
    found = storage_from_string(storage_uri(tmp_path / "limits.db"))
    assert isinstance(found, SQLiteStorage)  # registered under its own scheme
    return found


def test_moving_window_counts_and_refuses_past_the_limit(storage):
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3 per minute")
    assert [limiter.hit(item, "shop-1", "client") for _ in range(5)] == [True] * 3 + [False] * 2
    assert not limiter.test(item, "shop-1", "client")
    assert limiter.get_window_stats(item, "shop-1", "client").remaining == 0
    # Another key (another store) is untouched.
    assert limiter.test(item, "shop-2", "client")
    assert limiter.get_window_stats(item, "shop-2", "client").remaining == 3


def test_a_cost_larger_than_what_is_left_records_nothing(storage):
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3 per minute")
    assert limiter.hit(item, "k", cost=2)
    assert not limiter.hit(item, "k", cost=2)
    assert limiter.hit(item, "k")  # the refused hit left the third use free


def test_fixed_window_counter(storage):
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2 per hour")
    assert [limiter.hit(item, "k") for _ in range(3)] == [True, True, False]
    assert storage.get(item.key_for("k")) == 3
    assert storage.get_expiry(item.key_for("k")) > 0


def test_clear_and_reset(storage):
    limiter = MovingWindowRateLimiter(storage)
    item = parse("1 per hour")
    assert limiter.hit(item, "a") and limiter.hit(item, "b")
    limiter.clear(item, "a")
    assert limiter.hit(item, "a") and not limiter.hit(item, "b")
    assert storage.reset() == 2
    assert limiter.hit(item, "b")
    assert storage.check()


def _hit_many(path: str, item: str, tries: int, results) -> None:
    limiter = MovingWindowRateLimiter(storage_from_string(storage_uri(path)))
    results.put(sum(limiter.hit(parse(item), "shared") for _ in range(tries)))


def test_processes_share_one_count(tmp_path):
    """Four processes hitting one key get exactly the limit between them (the write lock
    is taken before counting)."""
    path = str(tmp_path / "limits.db")
    storage_from_string(storage_uri(path)).check()  # the file and its tables exist
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_hit_many, args=(path, "25 per hour", 20, results))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(results.get(timeout=10) for _ in workers) == 25


def test_limits_live_in_the_instance_dir_unless_redis_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("HAAT_RATELIMIT_STORAGE", raising=False)
    monkeypatch.setenv("HAAT_INSTANCE_DIR", str(tmp_path))
    assert load_config()["RATELIMIT_STORAGE_URI"] == f"haat-sqlite://{tmp_path}/ratelimits.db"
    # The instance directory a test (or create_app's caller) gives wins.
    elsewhere = load_config({"HAAT_INSTANCE_DIR": str(tmp_path / "other")})
    assert elsewhere["RATELIMIT_STORAGE_URI"] == f"haat-sqlite://{tmp_path}/other/ratelimits.db"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert load_config()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_a_uri_without_a_path_is_refused():
    with pytest.raises(ValueError, match="haat-sqlite://"):
        SQLiteStorage("haat-sqlite://")
