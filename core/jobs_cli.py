"""``haat jobs worker``: run queued background jobs (Huey's consumer), and ``haat jobs
tick``: dispatch the plugin schedules once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from core.jobs_worker import QUEUES, consumers, run_consumers

if TYPE_CHECKING:
    from core.pluginhost.schedules import QueuedRun


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True,
              help="Threads running transactional jobs (order emails, SMS, search updates).")
@click.option("--bulk-workers", default=2, show_default=True,
              help="Threads running bulk jobs (imports, reindexing, schedule runs).")
@click.option("--queue", type=click.Choice(QUEUES), default="all", show_default=True,
              help="Which queue this process runs (to size them in separate processes).")
@with_appcontext
def worker(workers: int, bulk_workers: int, queue: str) -> None:
    """Run queued jobs until stopped (Ctrl-C). Start one or more next to gunicorn.

    Transactional and bulk jobs have their own threads, so imports never delay an
    order email. The transactional side also dispatches the plugin schedules once a
    minute.
    """
    jobs = current_app.extensions["haat_jobs"]
    if jobs.huey.immediate:
        raise click.ClickException("HAAT_JOBS=immediate runs jobs at once; there is no "
                                   "queue to work on.")
    made = consumers(jobs, workers=workers, bulk_workers=bulk_workers, queue=queue)
    sides = []
    if queue in ("all", "transactional"):
        sides.append(f"{workers} transactional")
    if queue in ("all", "bulk"):
        sides.append(f"{bulk_workers} bulk")
    click.echo(f"haat jobs worker: {current_app.config['HAAT_JOBS']} queue, "
               f"{' + '.join(sides)} threads")
    run_consumers(made)


@jobs_group.command("tick")
@click.option("--at", "at", metavar="ISO-8601",
              help="Dispatch as if it were this time (e.g. 2026-12-07T03:00:00+06:00; "
                   "without an offset it is UTC). Default: now.")
@with_appcontext
def tick(at: str | None) -> None:
    """Queue the plugin schedule runs that are due, once, and print them.

    A worker does this every minute by itself. Use it from cron without a worker, to
    debug a schedule, or in tests (with HAAT_JOBS=immediate the runs happen at once).
    """
    from core.pluginhost.schedules import QueueUnavailableError, run_due

    now = _parse_moment(at) if at else None
    app = current_app._get_current_object()
    try:
        queued = run_due(app, now)
    except QueueUnavailableError as exc:
        raise click.ClickException(str(exc)) from exc
    immediate = app.extensions["haat_jobs"].huey.immediate
    outcomes = _outcomes(queued) if immediate else {}
    for run in queued:
        line = (f"{run.plugin}/{run.schedule} for store {run.slug} (id {run.tenant_id}), "
                f"due {run.due_at.isoformat()}, next {run.next_run_at.isoformat()}")
        if immediate:
            status, error = outcomes.get((run.tenant_id, run.plugin, run.schedule), ("", ""))
            line += f": {status}" + (f" ({error})" if error else "")
        click.echo(("ran " if immediate else "queued ") + line)
    if not queued:
        click.echo("nothing due")


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO-8601 time such as "
                                 "2026-12-07T03:00:00+06:00", param_hint="--at") from exc
    # In UTC, which is how the moments it is compared with are stored.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _outcomes(runs: list[QueuedRun]) -> dict[tuple[int, str, str], tuple[str, str]]:
    """How the runs that just happened inline went (one query)."""
    from sqlalchemy import select

    from core.db import db
    from core.pluginhost.models import ScheduleRun
    from tenants import platform_scope

    if not runs:
        return {}
    with platform_scope():
        rows = db.session.execute(
            select(ScheduleRun.tenant_id, ScheduleRun.plugin, ScheduleRun.schedule,
                   ScheduleRun.last_status, ScheduleRun.last_error)
            .where(ScheduleRun.tenant_id.in_({run.tenant_id for run in runs}))).all()
    return {(t, p, s): (status, error if status == "failed" else "")
            for t, p, s, status, error in rows}
