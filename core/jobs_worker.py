"""Run the two queues' consumers (``haat jobs worker``).

Transactional jobs (order emails, SMS, one product's search update) get worker threads
of their own, which bulk jobs (imports, reindexing, schedule runs) never occupy: a
store's hour of imports cannot hold another store's order confirmation. Either queue
can also run alone (``--queue``), to size them in separate processes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from huey.consumer import Consumer

if TYPE_CHECKING:
    from core.jobs import Jobs

log = logging.getLogger("haat.jobs")

QUEUES = ("all", "transactional", "bulk")
#: Longest pause between two looks at an idle transactional queue (SQLite is polled):
#: an order email waits at most about this long for a free thread to notice it.
TRANSACTIONAL_POLL = 0.5
BULK_POLL = 2.0


def consumers(jobs: Jobs, *, workers: int, bulk_workers: int,
              queue: str = "all") -> list[Consumer]:
    """The consumers ``queue`` asks for: transactional first (it also dispatches the
    plugin schedules once a minute), then bulk (it runs the hourly cart clean-up)."""
    if queue not in QUEUES:
        raise ValueError(f"queue must be one of {', '.join(QUEUES)}")
    made: list[Consumer] = []
    if queue in ("all", "transactional"):
        made.append(jobs.huey.create_consumer(workers=workers, worker_type="thread",
                                              max_delay=TRANSACTIONAL_POLL, periodic=True))
    if queue in ("all", "bulk") and jobs.bulk is not jobs.huey:
        # The bulk queue's only periodic task is the cart clean-up: deleting a large
        # backlog of carts must not hold a transactional thread.
        made.append(jobs.bulk.create_consumer(workers=bulk_workers, worker_type="thread",
                                              max_delay=BULK_POLL, periodic=True))
    return made


def run_consumers(made: list[Consumer]) -> None:
    """Run the consumers until stopped (Ctrl-C or SIGTERM): the others in the
    background, the first in front, which owns the signal handlers."""
    front, *rest = made
    for consumer in rest:
        consumer.start()
    try:
        front.run()  # installs its signal handlers last, so they are the ones in force
    finally:
        for consumer in rest:
            # A running import finishes first; a second Ctrl-C interrupts it.
            consumer.stop(graceful=True)
