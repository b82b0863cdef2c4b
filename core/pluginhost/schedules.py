"""Plugin schedules: the dispatcher that queues due runs, and the job that runs one.

Each installed plugin's ``manifest.schedules`` run once per store that has the plugin on.
One ``ScheduleRun`` row per (store, plugin, schedule) holds when it runs next and how
its last run went. :func:`run_due` is the dispatcher; a jobs worker calls it every
minute (``core/jobs.py``, :func:`worker_tick`), and ``haat jobs tick`` calls it once.
Each tick it:

1. finds the rows whose ``next_run_at`` has passed (across stores, a few batched
   statements), queues one job per row whose store has the plugin on and moves its
   ``next_run_at`` to the schedule's next time after now: after downtime a schedule
   runs once and is then back on its timetable. The move is a compare-and-set on the
   ``next_run_at`` that was read, so two dispatchers (two workers) never queue the
   same run twice; on PostgreSQL the read also skips rows another dispatcher holds.
   Rows of stores that have the plugin off (or paused by its circuit breaker, or
   suspended) are parked: ``next_run_at`` becomes NULL and costs nothing afterwards;
2. creates the rows of stores that switched a plugin on, restarts parked rows whose
   store has it on again (at the next time on the timetable, no catch-up run), and
   recomputes rows whose timetable changed (a new plugin version with another
   ``when``, or a store that moved to another time zone). This step reads every row,
   so a worker does it every :data:`SYNC_SECONDS` rather than every minute.

Both steps are a fixed handful of statements whatever the number of stores (step 1:
two per :data:`BATCH` due rows). Measured with 10,000 stores that each have a daily
and an hourly schedule on, on PostgreSQL: a minute that queues its ~150 hourly runs
takes about 50 ms in two statements; step 2 about 250 ms in five
(``docs/plugin-schedules.md``, "Operators' notes").

Claims are committed before the runs are handed to the job queue; if the queue refuses
them (Redis unreachable), the runs not yet queued are put back as they were read
(:func:`unclaim`), due again at the next tick.

The job (:func:`run_schedule`) runs in the store's scope, checks that the plugin is
still on and the store not suspended (else it records "skipped"), calls the schedule's
function and records the outcome in a transaction of its own. A failed run is not
retried: the next run is the next time on the timetable. Under ``TESTING`` it raises,
so that a plugin author's test fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    cast,
    literal,
    not_,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from core.clock import aware, format_moment, zone_named
from core.db import db, utcnow
from core.pluginhost.models import PluginState, ScheduleRun
from core.pluginhost.runtime import isolating
from core.pluginhost.timetable import NEVER, next_run, timetable_key
from core.sdk import PluginManifest, Schedule, StoreInfo
from tenants import TENANT_ACTIVE, Tenant, platform_scope, tenant_scope

log = logging.getLogger("haat.schedules")

#: Due rows read and claimed per statement, and the most batches one tick takes (a
#: larger backlog is left to the next tick, a minute later).
BATCH = 500
MAX_BATCHES = 40
#: The longest error text kept for the admin page.
ERROR_LENGTH = 1000
#: How often a worker creates the rows of stores that switched a plugin on, restarts
#: parked rows and recomputes changed timetables. Due runs are queued every minute.
SYNC_SECONDS = 300

Wanted = Mapping[tuple[str, str], Schedule]


@dataclass(frozen=True)
class DueRun:
    """A row whose time has come, as one dispatcher read it."""

    id: int
    tenant_id: int
    slug: str
    plugin: str
    schedule: str
    #: ``next_run_at`` exactly as read: the compare-and-set compares against it.
    read_next_run_at: datetime
    timezone: str
    #: What ``next_run_at`` was computed from (see ``timetable_key``).
    timetable: str
    #: The store has the plugin on (not paused by the breaker) and is not suspended.
    on: bool
    #: ``last_status`` as read: put back if the run cannot be queued.
    last_status: str = ""


@dataclass(frozen=True)
class QueuedRun:
    """One run the dispatcher queued."""

    tenant_id: int
    slug: str
    plugin: str
    schedule: str
    due_at: datetime
    next_run_at: datetime
    #: The row, and what the claim replaced, to put it back if queueing fails.
    row_id: int = field(default=0, repr=False, compare=False)
    read_next_run_at: datetime | None = field(default=None, repr=False, compare=False)
    previous_status: str = field(default="", repr=False, compare=False)


class QueueUnavailableError(RuntimeError):
    """The job queue refused the dispatcher's runs; they were put back, due again."""


# ------------------------------------------------------------------- dispatcher


def wanted_schedules(app: Flask) -> dict[tuple[str, str], Schedule]:
    """``{(plugin, schedule name): Schedule}`` of every installed plugin."""
    return {(name, schedule.name): schedule
            for name, plugin in app.extensions["haat_plugins"].installed.items()
            for schedule in plugin.manifest.schedules}


def worker_tick(app: Flask) -> None:
    """What a jobs worker runs every minute: :func:`run_due`, keeping the rows in step
    (step 2, which reads every row of every store) only every :data:`SYNC_SECONDS`."""
    synced = app.extensions.get("haat_schedules_synced")
    sync = synced is None or time.monotonic() - synced >= SYNC_SECONDS
    run_due(app, sync=sync)
    if sync:
        app.extensions["haat_schedules_synced"] = time.monotonic()


def run_due(app: Flask, now: datetime | None = None, *, sync: bool = True) -> list[QueuedRun]:
    """Queue every due schedule run (across stores); with ``sync``, also create,
    restart and recompute rows (see the module docstring).

    ``now`` (time-zone aware; default the current time) is when the tick happens.
    Returns what was queued. Under ``HAAT_JOBS=immediate`` the runs happen inside this
    call, one after the other.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    # SQLite keeps moments as naive UTC text and compares them as text: a moment with
    # another offset (06:49+06:00) must become UTC (00:49) before it meets them.
    now = now.astimezone(UTC)
    wanted = wanted_schedules(app)
    if not wanted:
        return []
    with app.app_context():
        with Session(db.engine) as session, platform_scope():
            queued: list[QueuedRun] = []
            for _ in range(MAX_BATCHES):
                due = find_due(session, wanted, now)
                queued += claim(session, due, wanted, now)
                if len(due) < BATCH:
                    break
            if sync:
                sync_rows(session, wanted, now)
        _enqueue(app, queued)
    if queued:
        log.debug("queued %d schedule runs", len(queued))
    return queued


def _enqueue(app: Flask, queued: list[QueuedRun]) -> None:
    """Hand the claimed runs to the job queue. If the queue fails (Redis is down), the
    runs not queued yet are put back as they were read, so the next tick finds them due
    again, and :class:`QueueUnavailableError` says so."""
    jobs = app.extensions["haat_jobs"]
    for index, run in enumerate(queued):
        try:
            # Schedule runs are batch work (campaigns, syncs): the bulk queue, fair per store.
            jobs.enqueue_bulk(run_schedule, run.tenant_id, run.plugin, run.schedule)
        except Exception as exc:
            if jobs.huey.immediate:
                raise  # the run itself raised (tests): it did happen, and is recorded
            left = queued[index:]
            with Session(db.engine) as session, platform_scope():
                unclaim(session, left)
            log.error("the job queue refused %d schedule runs; they are due again at the "
                      "next tick", len(left), exc_info=True)
            raise QueueUnavailableError(
                f"The job queue refused {len(left)} schedule run(s) ({type(exc).__name__}: "
                f"{exc}); they were put back and are due again at the next tick.") from exc


def unclaim(session: Session, runs: Iterable[QueuedRun]) -> None:
    """Put claimed rows back as :func:`claim` read them (time and status); commits.

    Each row only if it still holds the time the claim gave it, so a row that another
    dispatcher has moved on since is left alone.
    """
    _compare_and_set(session, [
        _Change(run.row_id, run.next_run_at, run.read_next_run_at, None, run.previous_status)
        for run in runs])
    session.commit()


def _is_on(now: datetime) -> ColumnElement[bool]:
    """The store has the plugin (the joined ``PluginState``) on and is not suspended."""
    return and_(PluginState.enabled.is_(True),
                or_(PluginState.disabled_until.is_(None), PluginState.disabled_until <= now),
                Tenant.status == TENANT_ACTIVE)


def _of_wanted(wanted: Wanted) -> ColumnElement[bool]:
    return or_(*(and_(ScheduleRun.plugin == plugin, ScheduleRun.schedule == name)
                 for plugin, name in wanted))


def find_due(session: Session, wanted: Wanted, now: datetime) -> list[DueRun]:
    """Up to :data:`BATCH` rows due at ``now``, oldest first (one statement).

    On PostgreSQL the rows are locked until ``session`` ends its transaction, and rows
    another dispatcher has locked are skipped; elsewhere :func:`claim`'s
    compare-and-set alone keeps two dispatchers apart.
    """
    on = _is_on(now)
    rows = session.execute(
        select(ScheduleRun.id, ScheduleRun.tenant_id, Tenant.slug, ScheduleRun.plugin,
               ScheduleRun.schedule, ScheduleRun.next_run_at, Tenant.timezone,
               ScheduleRun.timetable, case((on, True), else_=False), ScheduleRun.last_status)
        .join(Tenant, Tenant.id == ScheduleRun.tenant_id)
        .outerjoin(PluginState, and_(PluginState.tenant_id == ScheduleRun.tenant_id,
                                     PluginState.plugin == ScheduleRun.plugin))
        .where(ScheduleRun.next_run_at <= now, _of_wanted(wanted))
        .order_by(ScheduleRun.next_run_at, ScheduleRun.id)
        .limit(BATCH)
        .with_for_update(of=ScheduleRun, skip_locked=True)
    ).all()
    return [DueRun(id=r[0], tenant_id=r[1], slug=r[2], plugin=r[3], schedule=r[4],
                   read_next_run_at=r[5], timezone=r[6], timetable=r[7], on=bool(r[8]),
                   last_status=r[9])
            for r in rows]


def claim(session: Session, due: Iterable[DueRun], wanted: Wanted,
          now: datetime) -> list[QueuedRun]:
    """Move each due row on and return the runs this dispatcher won; commits.

    A row of a store with the plugin on gets its next time after ``now`` and status
    "queued"; a row of a store with it off is parked (``next_run_at`` NULL). Each
    move only happens if ``next_run_at`` still holds the value read, so of two
    dispatchers that read the same row, exactly one moves it.
    """
    changes: list[_Change] = []
    runs: dict[int, QueuedRun] = {}
    for row in due:
        if not row.on:
            changes.append(_Change(row.id, row.read_next_run_at, None, None, None))
            continue
        when = wanted[(row.plugin, row.schedule)].when
        following = next_run(when, store_id=row.tenant_id, plugin=row.plugin,
                             schedule=row.schedule, timezone=row.timezone, after=now)
        timetable = timetable_key(row.timezone, when)
        changes.append(_Change(row.id, row.read_next_run_at, following,
                               timetable if timetable != row.timetable else None, "queued"))
        runs[row.id] = QueuedRun(row.tenant_id, row.slug, row.plugin, row.schedule,
                                 aware(row.read_next_run_at), following, row_id=row.id,
                                 read_next_run_at=row.read_next_run_at,
                                 previous_status=row.last_status)
    won = _compare_and_set(session, changes)
    session.commit()
    return [run for row_id, run in runs.items() if row_id in won]


def sync_rows(session: Session, wanted: Wanted, now: datetime) -> None:
    """Create missing rows, restart parked ones and recompute changed timetables;
    commits. A handful of statements, whatever the number of stores."""
    _create_missing(session, wanted, now)
    # Rows of schedules that no installed plugin declares any more wait parked, out of
    # the due rows' index, until the plugin is back.
    session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.next_run_at.is_not(None), not_(_of_wanted(wanted)))
        .values(next_run_at=None)
        .execution_options(synchronize_session=False))
    changes = []
    for row_id, tenant_id, plugin, name, read, timezone in _to_reschedule(session, wanted,
                                                                        now):
        when = wanted[(plugin, name)].when
        following = next_run(when, store_id=tenant_id, plugin=plugin, schedule=name,
                             timezone=timezone, after=now)
        changes.append(_Change(row_id, read, following, timetable_key(timezone, when), None))
    _compare_and_set(session, changes)
    session.commit()


def _create_missing(session: Session, wanted: Wanted, now: datetime) -> None:
    """One row for each (store with the plugin on, schedule) that has none yet."""
    rows = missing_rows(session, wanted, now)
    if rows:
        add_rows(session, rows)


def missing_rows(session: Session, wanted: Wanted, now: datetime) -> list[dict[str, Any]]:
    """The rows to create: one per (store with the plugin on, schedule) that has none,
    timed from ``now`` (one statement)."""
    pairs = union_all(*(select(literal(plugin).label("plugin"), literal(name).label("schedule"))
                        for plugin, name in wanted)).subquery("wanted")
    missing = session.execute(
        select(PluginState.tenant_id, pairs.c.plugin, pairs.c.schedule, Tenant.timezone)
        .join(Tenant, Tenant.id == PluginState.tenant_id)
        .join(pairs, pairs.c.plugin == PluginState.plugin)
        .outerjoin(ScheduleRun, and_(ScheduleRun.tenant_id == PluginState.tenant_id,
                                     ScheduleRun.plugin == pairs.c.plugin,
                                     ScheduleRun.schedule == pairs.c.schedule))
        .where(_is_on(now), ScheduleRun.id.is_(None))
        .order_by(PluginState.tenant_id, pairs.c.plugin, pairs.c.schedule)
    ).all()
    rows = []
    for tenant_id, plugin, name, timezone in missing:
        when = wanted[(plugin, name)].when
        rows.append({
            "tenant_id": tenant_id, "plugin": plugin, "schedule": name,
            "next_run_at": next_run(when, store_id=tenant_id, plugin=plugin, schedule=name,
                                    timezone=timezone, after=now),
            "timetable": timetable_key(timezone, when), "last_status": "", "last_error": "",
            "runs": 0, "failures": 0, "failures_in_row": 0,
        })
    return rows


def add_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert :func:`missing_rows`' rows (one statement; the caller commits).

    Another dispatcher may have read the same rows as missing and be creating them
    right now: the unique (tenant_id, plugin, schedule) decides, and the loser's rows
    are dropped rather than failing the tick.
    """
    session.execute(_insert_ignoring_duplicates(session), rows)


def _insert_ignoring_duplicates(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(ScheduleRun).on_conflict_do_nothing(
        index_elements=["tenant_id", "plugin", "schedule"])


def _to_reschedule(session: Session, wanted: Wanted,
                   now: datetime) -> list[tuple[int, int, str, str, datetime | None, str]]:
    """Parked rows of stores that have the plugin on again, and rows computed from
    another timetable than the current one (one statement)."""
    changed = or_(*(and_(ScheduleRun.plugin == plugin, ScheduleRun.schedule == name,
                         ScheduleRun.timetable != Tenant.timezone + literal(" " + s.when))
                    for (plugin, name), s in wanted.items()))
    rows = session.execute(
        select(ScheduleRun.id, ScheduleRun.tenant_id, ScheduleRun.plugin,
               ScheduleRun.schedule, ScheduleRun.next_run_at, Tenant.timezone)
        .join(Tenant, Tenant.id == ScheduleRun.tenant_id)
        .outerjoin(PluginState, and_(PluginState.tenant_id == ScheduleRun.tenant_id,
                                     PluginState.plugin == ScheduleRun.plugin))
        .where(_of_wanted(wanted),
               or_(and_(ScheduleRun.next_run_at.is_(None), _is_on(now)),
                   and_(ScheduleRun.next_run_at.is_not(None), changed)))
        .order_by(ScheduleRun.id)
        .with_for_update(of=ScheduleRun, skip_locked=True)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


@dataclass(frozen=True)
class _Change:
    id: int
    read: datetime | None
    next_run_at: datetime | None
    timetable: str | None  # None: leave as it is
    status: str | None  # None: leave as it is


def _moment(value: datetime | None) -> ColumnElement[Any]:
    # Typed, NULL included: PostgreSQL reads a CASE of untyped NULLs as text.
    column_type = ScheduleRun.next_run_at.type
    return literal(value, column_type) if value is not None else cast(null(), column_type)


def _compare_and_set(session: Session, changes: list[_Change]) -> set[int]:
    """Apply ``changes`` where ``next_run_at`` still holds the value read; returns the
    ids changed. One ``UPDATE ... RETURNING`` per :data:`BATCH` rows."""
    won: set[int] = set()
    for start in range(0, len(changes), BATCH):
        chunk = changes[start:start + BATCH]
        values: dict[str, Any] = {"next_run_at": _per_row(chunk, "next_run_at", _moment)}
        for column, attr in ((ScheduleRun.timetable, "timetable"),
                             (ScheduleRun.last_status, "status")):
            value = _per_row(chunk, attr, literal, keep=column)
            if value is not None:
                values[column.key] = value
        read = _per_row(chunk, "read", _moment)
        result = session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id.in_([c.id for c in chunk]),
                   ScheduleRun.next_run_at.is_not_distinct_from(read))
            .values(values)
            .returning(ScheduleRun.id)
            .execution_options(synchronize_session=False))
        won.update(result.scalars())
    return won


def _per_row(chunk: list[_Change], attr: str, as_sql: Any,
             keep: Any = None) -> ColumnElement[Any] | None:
    """SQL for one value of each row of ``chunk``: a single value when they are all the
    same (the usual case: the stores due in one minute share their times), else a CASE
    on the id. With ``keep``, a row whose value is None keeps that column, and None is
    returned when no row changes it."""
    given = {c.id: getattr(c, attr) for c in chunk}
    if keep is not None:
        given = {row_id: value for row_id, value in given.items() if value is not None}
        if not given:
            return None
    distinct = set(given.values())
    if len(distinct) == 1 and len(given) == len(chunk):
        return as_sql(distinct.pop())
    return case({row_id: as_sql(value) for row_id, value in given.items()},
                value=ScheduleRun.id, else_=keep)


# --------------------------------------------------------------------------- job


def run_schedule(store: StoreInfo, plugin: str, schedule: str) -> None:
    """The job the dispatcher queues: one run of ``plugin``'s ``schedule`` for ``store``.

    Runs in the store's scope (``core.jobs`` set it up, with a fresh ``store``).
    """
    app = current_app._get_current_object()
    installed = app.extensions["haat_plugins"].installed.get(plugin)
    found = next((s for s in installed.manifest.schedules if s.name == schedule),
                 None) if installed is not None else None
    if found is None or plugin not in store.enabled_plugins:
        # Switched off (or uninstalled) after the run was queued.
        _skip(store.id, plugin, schedule, "the plugin is off")
        return
    if not _store_open(store.id):
        # Suspended after the run was queued: a closed store's plugins do no work.
        _skip(store.id, plugin, schedule, "the store is suspended")
        return
    _record(store.id, plugin, schedule, last_status="running", last_started_at=utcnow())
    try:
        found.func(store)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
        log.warning("schedule %s/%s for store %s failed: %s", plugin, schedule, store.id,
                    error, exc_info=app.debug)
        _record(store.id, plugin, schedule, last_status="failed", last_error=error,
                last_finished_at=utcnow(), runs=ScheduleRun.runs + 1,
                failures=ScheduleRun.failures + 1,
                failures_in_row=ScheduleRun.failures_in_row + 1)
        if not isolating(app):
            raise  # tests: the plugin's own error fails its test
        return  # not retried by the queue: the next run is the next time on the timetable
    _record(store.id, plugin, schedule, last_status="ok", last_finished_at=utcnow(),
            runs=ScheduleRun.runs + 1, failures_in_row=0)


def _store_open(tenant_id: int) -> bool:
    """The store is not suspended (one primary-key read)."""
    return db.session.scalar(select(Tenant.status).where(Tenant.id == tenant_id)) \
        == TENANT_ACTIVE


def _skip(tenant_id: int, plugin: str, schedule: str, why: str) -> None:
    """Record a run that did not happen. Its time is the skip's, so that the admin page
    never shows the previous run's time beside "Skipped"."""
    log.info("schedule %s/%s for store %s skipped: %s", plugin, schedule, tenant_id, why)
    _record(tenant_id, plugin, schedule, last_status="skipped", last_finished_at=utcnow())


def _record(tenant_id: int, plugin: str, schedule: str, **values: Any) -> None:
    """Write a run's progress in a short transaction of its own, so that the plugin's
    rolled-back work never takes the record with it."""
    with Session(db.engine) as session, tenant_scope(tenant_id):
        session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.tenant_id == tenant_id, ScheduleRun.plugin == plugin,
                   ScheduleRun.schedule == schedule)
            .values(values).execution_options(synchronize_session=False))
        session.commit()


# ------------------------------------------------------------------ admin display


@dataclass(frozen=True)
class Moment:
    """An instant for a page: ``iso`` for ``<time datetime>``, ``text`` to read."""

    iso: str
    text: str


@dataclass(frozen=True)
class ScheduleStatus:
    """What the plugin's admin page shows about one schedule in one store."""

    name: str
    title: str
    #: ``"hourly"``, ``"daily"`` or the cron expression as the plugin wrote it.
    when: str
    #: "" (never ran), "queued", "running", "ok", "failed" or "skipped".
    last_status: str
    last_error: str
    runs: int
    failures: int
    failures_in_row: int
    last_run: Moment | None
    next_run: Moment | None


def schedule_statuses(manifest: PluginManifest, store: Any, *, enabled: bool,
                      locale: str, now: datetime | None = None) -> list[ScheduleStatus]:
    """Each schedule of ``manifest`` for the store in scope, in the manifest's order
    (one query). ``store`` has ``id``, ``timezone`` and ``bengali_digits``; times are
    shown in its time zone, in ``locale``."""
    if not manifest.schedules:
        return []
    now = now or utcnow()
    rows = {row.schedule: row for row in db.session.scalars(
        select(ScheduleRun).where(ScheduleRun.plugin == manifest.name))}
    show = _moments(store.timezone, locale, bool(store.bengali_digits))
    found = []
    for schedule in manifest.schedules:
        row = rows.get(schedule.name)
        following = None
        if enabled:
            stored = aware(row.next_run_at) if row is not None else None
            current = row is not None and row.timetable == timetable_key(store.timezone,
                                                                          schedule.when)
            # Until the dispatcher's next tick, say when it will run.
            following = stored if stored is not None and current else next_run(
                schedule.when, store_id=store.id, plugin=manifest.name,
                schedule=schedule.name, timezone=store.timezone, after=now)
        last = None
        if row is not None and row.last_status != "queued":
            # The time of what the status says: a queued run has none of its own yet.
            last = (row.last_started_at if row.last_status == "running"
                    else row.last_finished_at or row.last_started_at)
        found.append(ScheduleStatus(
            name=schedule.name, title=schedule.title or schedule.name, when=schedule.when,
            last_status=row.last_status if row is not None else "",
            last_error=row.last_error if row is not None else "",
            runs=row.runs if row is not None else 0,
            failures=row.failures if row is not None else 0,
            failures_in_row=row.failures_in_row if row is not None else 0,
            last_run=show(aware(last)),
            next_run=show(following if following is not None and following < NEVER
                          else None),
        ))
    return found


def _moments(timezone: str, locale: str, bengali_digits: bool) -> Any:
    zone = zone_named(timezone)

    def show(moment: datetime | None) -> Moment | None:
        if moment is None:
            return None
        # A 24-hour clock: "03:12" is the night, never the afternoon.
        return Moment(moment.astimezone(zone).isoformat(),
                      format_moment(moment, locale, timezone=timezone,
                                    bengali_digits=bengali_digits, time_format="HH:mm"))
    return show
