"""Background work: jobs that run in a worker, now or after a delay.

Two queues keep stores fair to each other. :func:`run_later` and :func:`run_after` use
the transactional queue, for short work someone is waiting on (a message, one
product's search update). :func:`run_bulk` uses the bulk queue, for long work (a whole
store's reindex, a feed, a campaign): it has worker threads of its own and runs at most
``HAAT_BULK_PER_STORE`` jobs of one store at once, so it never delays another store's
order emails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app

from core.sdk.store import StoreInfo, require_store

__all__ = ["run_after", "run_bulk", "run_later"]


def run_later(store: StoreInfo, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Run ``func(store, *args, **kwargs)`` in a background job for ``store``.

    ``func`` must be a module-level function and the arguments must pickle. The job
    runs in a worker (``haat jobs worker``) in the store's scope, with a fresh
    ``StoreInfo``; if it raises it is retried later with a growing delay. Use it from
    lifecycle hooks for anything slow or that talks to another server. A job queued
    inside a database transaction that is rolled back still runs: queue it after the
    change it depends on is committed (lifecycle hooks already are).
    """
    current_app.extensions["haat_jobs"].enqueue(func, require_store(store).id, *args, **kwargs)


def run_after(store: StoreInfo, delay: timedelta | int, func: Callable[..., Any], /,
              *args: Any, **kwargs: Any) -> None:
    """Run ``func(store, *args, **kwargs)`` in a background job once ``delay`` has
    passed (a ``timedelta``, or a number of seconds).

    The same rules as :func:`run_later`: a module-level function, arguments that pickle,
    retried with a growing delay when it raises. The delay is a lower bound: the job
    runs at the first moment a worker is free after it. Under ``HAAT_JOBS=immediate``
    (tests) the job runs at once, whatever the delay.
    """
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError("delay must be a timedelta or a number of seconds, 0 or more")
    current_app.extensions["haat_jobs"].enqueue_after(
        seconds, func, require_store(store).id, *args, **kwargs)


def run_bulk(store: StoreInfo, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Run ``func(store, *args, **kwargs)`` in a background job on the bulk queue.

    For work that takes long and that nobody waits on by the second: reindexing or
    exporting a whole store, building a feed, sending a campaign, processing many
    images. Bulk jobs have worker threads of their own, so they never delay
    transactional jobs (:func:`run_later`: order messages, one product's update), and a
    store runs at most ``HAAT_BULK_PER_STORE`` of them at once (default 1; the next one
    waits a few seconds, then tries again, while other stores' bulk jobs run).

    The same rules as :func:`run_later`: a module-level function, arguments that
    pickle, retried with a growing delay when it raises, at once under
    ``HAAT_JOBS=immediate`` (tests).
    """
    current_app.extensions["haat_jobs"].enqueue_bulk(func, require_store(store).id,
                                                     *args, **kwargs)
