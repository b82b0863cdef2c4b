"""``haat jobs worker``: run queued background jobs (Huey's consumer)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running jobs.")
@with_appcontext
def worker(workers: int) -> None:
    """Run queued jobs until stopped (Ctrl-C). Start one or more next to gunicorn."""
    queue = current_app.extensions["haat_jobs"]
    click.echo(f"haat jobs worker: {current_app.config['HAAT_JOBS']} queue, "
               f"{workers} threads")
    queue.huey.create_consumer(workers=workers, worker_type="thread").run()
