"""Background jobs with Huey: work that may be slow or fail runs outside the request.

Plugins queue work with ``core.sdk.run_later(store, func, *args)``; ``func(store, *args)``
then runs in a worker (``haat jobs worker``) inside an app context and the store's
tenant scope, and is retried with a growing delay when it raises (a search server
that is down gets the update later; nothing is lost).

Two queues keep stores fair to each other:

* **transactional** (``enqueue``, ``run_later``): order emails and SMS, staff emails,
  one product's search update. Short jobs a shopper or merchant is waiting for.
* **bulk** (``enqueue_bulk``, ``run_bulk``): product imports, reindexing a whole store,
  plugin schedule runs. Long jobs nobody waits on by the second.

``haat jobs worker`` gives each queue its own worker threads, so an hour of imports
never stands in front of an order confirmation. On top of that a store runs at most
``HAAT_BULK_PER_STORE`` bulk jobs at once (default 1, :mod:`core.bulk_slots`): its next
one is put back for ``HAAT_BULK_WAIT`` seconds while other stores' bulk jobs run.

Storage by ``HAAT_JOBS``:

* ``sqlite`` (default): a SQLite file, ``<instance dir>/jobs.db``; no server needed.
* ``redis``: Redis at ``REDIS_URL`` (install the ``redis`` extra); for many workers.
* ``immediate``: run at once in the calling process, a failure raising into the
  caller (tests).

On a real queue (not ``immediate``) every worker also runs the plugin schedules'
dispatcher once a minute (a Huey periodic task): it queues the runs that are due
(``core/pluginhost/schedules.py``). Each worker process does this; the dispatcher's
compare-and-set keeps two of them from queueing the same run twice. Core's own
housekeeping runs the same way: once an hour, abandoned carts are deleted
(``core/cart/expiry.py``; two workers doing it at once delete nothing twice).
"""

from __future__ import annotations

import importlib
import logging
import pickle
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask

from core.bulk_slots import BulkSlots

log = logging.getLogger("haat.jobs")
_app: Flask | None = None  # the app a worker process created (``haat jobs worker``)
#: Jobs queued while a bulk job runs (``(dotted, store_id, args, kwargs)``), e.g. one
#: search update per product an import wrote: they are bulk work too, queued in batches
#: on the bulk queue when the job ends, never as 100,000 transactional jobs.
_spawned: ContextVar[list[tuple[str, int, tuple[Any, ...], dict[str, Any]]] | None] = \
    ContextVar("haat_bulk_spawned", default=None)
#: Jobs per batch of spawned work (one bulk job each, holding the store's slot).
SPAWN_BATCH = 500


#: Huey names of the two queues (Redis keys and SQLite rows are kept apart by name).
TRANSACTIONAL_QUEUE = "haat"
BULK_QUEUE = "haat-bulk"


def _huey(config: dict[str, Any], name: str = TRANSACTIONAL_QUEUE) -> Huey:
    kind = config["HAAT_JOBS"]
    if kind == "immediate":
        return MemoryHuey(name, immediate=True)
    if kind == "redis":
        return RedisHuey(name, url=config["REDIS_URL"])
    path = Path(config["HAAT_INSTANCE_DIR"]) / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Both queues in one file: each keeps its own rows (by name) and its own worker threads.
    return SqliteHuey(name, filename=str(path))


def _target(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _run(dotted: str, store_id: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    from core.db import db
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    # Immediate jobs run inside the caller's app; a worker's jobs in the app it created.
    app = current_app._get_current_object() if has_app_context() else _app
    if app is None:
        raise RuntimeError("no app to run the job in")
    with app.app_context(), tenant_scope(store_id):
        try:
            store = plugins_for_tenant(store_id).info
        except LookupError:
            log.info("job %s skipped: store %s no longer exists", dotted, store_id)
            return
        try:
            _target(dotted)(store, *args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.warning("job %s for store %s failed; it will be retried", dotted, store_id,
                        exc_info=True)
            raise


class Jobs:
    """The app's queues (``app.extensions["haat_jobs"]``): ``huey`` for transactional
    work, ``bulk`` for bulk work (the same queue when none is given, e.g. in tests)."""

    def __init__(self, huey: Huey, retries: int, retry_delay: int, *,
                 bulk: Huey | None = None, bulk_per_store: int = 1,
                 bulk_wait: float = 5, bulk_slot_ttl: int = 3600) -> None:
        self.huey = huey
        self.bulk = bulk if bulk is not None else huey
        self.slots = BulkSlots(self.bulk, bulk_per_store, bulk_slot_ttl)
        self.bulk_wait = bulk_wait
        self._task = huey.task(retries=retries, retry_delay=retry_delay,
                               retry_backoff=2, name="haat.run")(_run)
        slots, wait = self.slots, bulk_wait

        def run_bulk(dotted: str, store_id: int, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> None:
            slot = slots.acquire(store_id)
            if slot is None:
                # The store's bulk slots are all busy: back on the schedule (the retry
                # count is left alone), so this worker thread takes the next job.
                raise RetryTask(delay=wait)
            spawned: list[tuple[str, int, tuple[Any, ...], dict[str, Any]]] = []
            token = _spawned.set(spawned)
            try:
                if dotted == BATCH_TARGET:
                    self._run_batch(*args)
                else:
                    _run(dotted, store_id, args, kwargs)
            finally:
                _spawned.reset(token)
                slots.release(slot)
            for start in range(0, len(spawned), SPAWN_BATCH):
                self._bulk_task(BATCH_TARGET, store_id, (spawned[start:start + SPAWN_BATCH],),
                                {})

        self._bulk_task = self.bulk.task(retries=retries, retry_delay=retry_delay,
                                         retry_backoff=2, name="haat.bulk")(run_bulk)

    def enqueue(self, func: Callable[..., Any], store_id: int, *args: Any,
                **kwargs: Any) -> None:
        """Queue ``func(store, *args, **kwargs)`` for the store ``store_id``.

        ``func`` must be a module-level function (it is found again by name in the
        worker) and the arguments must pickle.
        """
        spawned = _spawned.get()
        if spawned is not None:  # queued by a bulk job: bulk work as well (see _spawned)
            spawned.append((_dotted(func), store_id, args, kwargs))
            return
        if self.huey.immediate:
            # Huey's immediate mode logs a failing task and goes on; tests must see it.
            # The round trip through pickle is what a real queue does to the arguments.
            args, kwargs = pickle.loads(pickle.dumps((args, kwargs)))  # noqa: S301 - our own bytes
            _run(_dotted(func), store_id, args, kwargs)
            return
        self._task(_dotted(func), store_id, args, kwargs)

    def _run_batch(self, calls: list[tuple[str, int, tuple[Any, ...], dict[str, Any]]],
                   ) -> None:
        """Run jobs a bulk job spawned, one after the other; one that fails is queued
        again alone (on the bulk queue), with the usual retries."""
        for dotted, store_id, args, kwargs in calls:
            try:
                _run(dotted, store_id, args, kwargs)
            except Exception:
                self._bulk_task(dotted, store_id, args, kwargs)

    def enqueue_after(self, seconds: float, func: Callable[..., Any], store_id: int,
                      *args: Any, **kwargs: Any) -> None:
        """Queue ``func(store, *args, **kwargs)`` to run once ``seconds`` have passed
        (at once in the ``immediate`` mode of tests)."""
        if self.huey.immediate:
            self.enqueue(func, store_id, *args, **kwargs)
            return
        self._task.schedule(args=(_dotted(func), store_id, args, kwargs), delay=seconds)

    def enqueue_bulk(self, func: Callable[..., Any], store_id: int, *args: Any,
                     **kwargs: Any) -> None:
        """Queue ``func(store, *args, **kwargs)`` for ``store_id`` on the bulk queue.

        For long work nobody waits on by the second (imports, exports, campaigns,
        reindexing a store, image processing): it runs on the bulk workers, at most
        ``HAAT_BULK_PER_STORE`` at once per store, never in front of transactional jobs.
        The same rules as :meth:`enqueue` (a module-level function, arguments that pickle).
        """
        if self.bulk.immediate:
            self.enqueue(func, store_id, *args, **kwargs)
            return
        self._bulk_task(_dotted(func), store_id, args, kwargs)


def _dotted(func: Callable[..., Any]) -> str:
    """The importable name of a module-level function, as a worker finds it again."""
    dotted = f"{func.__module__}:{func.__qualname__}"
    if "<" in dotted:
        raise ValueError(f"{dotted}: jobs must be module-level functions")
    return dotted


#: The marker of a bulk job that runs a batch of spawned jobs (not an importable name).
BATCH_TARGET = "haat:spawned-batch"

#: The Huey name of the periodic task that dispatches plugin schedules.
SCHEDULES_TASK = "haat.schedules"


def _dispatch_schedules_every_minute(app: Flask, huey: Huey) -> None:
    """Register the periodic task that queues due plugin schedule runs.

    Huey's consumer (``haat jobs worker``) enqueues it when it starts and then every 60
    seconds, and a worker thread runs it. It is not retried: the next minute's run
    catches up, and a copy that waited in a busy queue for over two minutes is dropped.
    """
    @huey.periodic_task(crontab(), name=SCHEDULES_TASK, expires=120)
    def dispatch_schedules() -> None:
        from core.pluginhost.schedules import worker_tick

        worker_tick(app)


#: The Huey name of core's hourly clean-up of abandoned carts.
CART_EXPIRY_TASK = "haat.expire_carts"


def _expire_carts_every_hour(app: Flask, huey: Huey) -> None:
    """Register the periodic task that deletes abandoned carts (minute 37 of each hour,
    away from the top of the hour when schedules crowd). Not retried: the next hour
    catches up; a copy that waited over an hour is dropped."""
    @huey.periodic_task(crontab(minute="37"), name=CART_EXPIRY_TASK, expires=3600)
    def expire_carts() -> None:
        from core.cart.expiry import expire_carts_now

        deleted = expire_carts_now(app)
        if deleted:
            log.info("deleted %s abandoned carts", deleted)


def init_app(app: Flask) -> None:
    """Create the queue from ``HAAT_JOBS`` and, on a real queue, the schedules'
    dispatcher and the cart clean-up (``haat jobs worker`` runs them all)."""
    global _app
    _app = app
    config = app.config
    jobs = Jobs(_huey(config), config["HAAT_JOB_RETRIES"], config["HAAT_JOB_RETRY_DELAY"],
                bulk=_huey(config, BULK_QUEUE),
                bulk_per_store=config.get("HAAT_BULK_PER_STORE", 1),
                bulk_wait=config.get("HAAT_BULK_WAIT", 5),
                bulk_slot_ttl=config.get("HAAT_BULK_SLOT_TTL", 3600))
    app.extensions["haat_jobs"] = jobs
    if not jobs.huey.immediate:
        _dispatch_schedules_every_minute(app, jobs.huey)
        # On the bulk queue (its consumer runs it), or the only queue when there is one.
        _expire_carts_every_hour(app, jobs.bulk)
