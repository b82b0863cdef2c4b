"""Plugin schedules: the timetable, the dispatcher (``haat jobs tick``), the runs, the
admin display, the worker's wiring, and ``run_after``.

Runs go through the doors people use: ``haat jobs tick --at ...`` (with the suite's
``HAAT_JOBS=immediate`` the runs happen inside the command), the admin's plugin page,
and a real (non-immediate) Huey queue where the queue itself is what is tested.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from types import ModuleType

import pytest
from huey import MemoryHuey
from sample_plugin.jobs import archive_old_notes
from sample_plugin.models import Note
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from admin_support import sign_in
from core.db import db, utcnow
from core.jobs import SCHEDULES_TASK, Jobs, _dispatch_schedules_every_minute
from core.pluginhost.models import PluginState, ScheduleRun
from core.pluginhost.schedules import (
    add_rows,
    claim,
    find_due,
    missing_rows,
    run_due,
    wanted_schedules,
)
from core.pluginhost.timetable import (
    DAILY_FIRST_HOUR,
    NEVER,
    cron_for,
    next_cron,
    next_run,
    spread,
    zone_named,
)
from core.sdk import PluginManifest, Schedule, run_after, store_session
from core.staff.models import StaffUser
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

BOARD = "sample-board"
ARCHIVE = "archive_old_notes"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday noon, far from any clock change


# ----------------------------------------------------------------------- helpers


def tick(app, at: datetime | str, *, ok: bool = True):
    """``haat jobs tick --at <at>``; returns the click result."""
    moment = at.isoformat() if isinstance(at, datetime) else at
    result = app.test_cli_runner().invoke(args=["jobs", "tick", "--at", moment])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def ran(result) -> list[str]:
    """``plugin/schedule@slug`` of each run a tick reports."""
    return sorted(f"{m[0]}@{m[1]}" for m in
                  re.findall(r"^(?:ran|queued) (\S+) for store (\S+) ", result.output, re.M))


def add_note(app, tenant, title: str, *, age_days: float, pinned: bool = False) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        db.session.add(Note(title=title, body="", pinned=pinned,
                            created_at=utcnow() - timedelta(days=age_days)))
        db.session.commit()


def live_notes(app, tenant) -> list[str]:
    with app.app_context(), tenant_scope(tenant.id):
        return sorted(db.session.scalars(select(Note.title).where(Note.archived_at.is_(None))))


def schedule_row(app, tenant, plugin: str = BOARD, name: str = ARCHIVE) -> ScheduleRun | None:
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(ScheduleRun).where(ScheduleRun.plugin == plugin,
                                                          ScheduleRun.schedule == name))
        if row is not None:
            db.session.expunge(row)
        return row


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def set_timezone(app, tenant, zone: str) -> None:
    with app.app_context(), platform_scope():
        db.session.get(Tenant, tenant.id).timezone = zone
        db.session.commit()
    invalidate_all()


def plugin_with(name: str, *schedules: Schedule) -> ModuleType:
    """An in-test plugin module whose manifest declares ``schedules``."""
    module = ModuleType(f"test_plugin_{name.replace('-', '_')}")
    module.manifest = PluginManifest(name=name, title=name.replace("-", " ").title(),
                                     schedules=schedules)
    return module


@pytest.fixture
def real_queue(app, monkeypatch):
    """Swap the suite's immediate queue for a real (in-memory) Huey queue."""
    huey = MemoryHuey("test-schedules", immediate=False)
    jobs = Jobs(huey, retries=3, retry_delay=15)
    monkeypatch.setitem(app.extensions, "haat_jobs", jobs)
    return huey


def run_queued(app, huey) -> int:
    """Run every task waiting in ``huey`` as a worker would; returns how many ran."""
    count = 0
    while (task := huey.dequeue()) is not None:
        with app.app_context():
            huey.execute(task)
        count += 1
    return count


# Module-level schedule functions (a schedule's func must be one), with what they saw.
seen: list[tuple[int, list[str]]] = []
calls: list[tuple[int, tuple]] = []


def list_notes(store) -> None:
    """Records the note titles a run for ``store`` can read."""
    with store_session(store) as session:
        seen.append((store.id, sorted(session.scalars(select(Note.title)))))


def failing_sync(store) -> None:
    """Writes through the job's session, then fails like a courier API that is down."""
    db.session.add(Note(title=f"half-done {len(seen)}", body=""))
    db.session.flush()
    seen.append((store.id, ["tried"]))
    raise ConnectionError("courier API unreachable: " + "x" * 2000)


def remember_call(store, *args) -> None:
    calls.append((store.id, args))


@pytest.fixture(autouse=True)
def _forget_calls():
    seen.clear()
    calls.clear()


@pytest.fixture
def board_stores(app, make_store, enable_plugin):
    """Stores A and B with the message board on (A archives after 10 days, B after 60),
    and C with it off; each has a 30-day-old note called "Eid hours"."""
    a = make_store("shop-a")
    b = make_store("shop-b")
    c = make_store("shop-c")
    enable_plugin(a, BOARD, {"archive_after_days": 10})
    enable_plugin(b, BOARD, {"archive_after_days": 60})
    for tenant in (a, b, c):
        add_note(app, tenant, "Eid hours", age_days=30)
    return a, b, c


# ------------------------------------------------------------------- timetables


def test_hourly_runs_once_an_hour_at_a_minute_of_its_own():
    expression, local = cron_for("hourly", 7, BOARD, ARCHIVE)
    minute = spread(7, BOARD, ARCHIVE, 60)
    assert (expression, local) == (f"{minute} * * * *", False)
    first = next_run("hourly", store_id=7, plugin=BOARD, schedule=ARCHIVE,
                     timezone="Asia/Kathmandu", after=T0)
    second = next_run("hourly", store_id=7, plugin=BOARD, schedule=ARCHIVE,
                      timezone="Asia/Kathmandu", after=first)
    assert first.minute == minute and T0 < first <= T0 + timedelta(hours=1)
    assert second - first == timedelta(hours=1)
    # The minute is stable (a digest, not Python's per-process hash) and spreads stores.
    assert spread(7, BOARD, ARCHIVE, 60) == minute
    assert len({spread(store, BOARD, ARCHIVE, 60) for store in range(200)}) > 40


@pytest.mark.parametrize("zone", ["Asia/Dhaka", "Asia/Yerevan", "America/New_York", "UTC"])
def test_daily_runs_once_a_day_in_the_stores_night(zone):
    local_times = set()
    for store in range(1, 60):
        moment = T0
        days = []
        for _ in range(3):
            moment = next_run("daily", store_id=store, plugin=BOARD, schedule=ARCHIVE,
                              timezone=zone, after=moment)
            local = moment.astimezone(zone_named(zone))
            assert DAILY_FIRST_HOUR <= local.hour < 5, (zone, store, local)
            days.append(local)
        assert [d.date() for d in days] == [days[0].date() + timedelta(days=i) for i in range(3)]
        assert len({d.time() for d in days}) == 1
        local_times.add(days[0].time())
    assert len(local_times) > 30  # spread over the night, not all at one minute


def test_a_cron_expression_is_read_in_the_stores_time_zone():
    dhaka = next_run("0 9 * * 1-5", store_id=1, plugin=BOARD, schedule=ARCHIVE,
                     timezone="Asia/Dhaka", after=T0)
    yerevan = next_run("0 9 * * 1-5", store_id=1, plugin=BOARD, schedule=ARCHIVE,
                       timezone="Asia/Yerevan", after=T0)
    # Monday noon UTC is evening in both: the next is Tuesday 09:00 local.
    assert dhaka == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    assert yerevan == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    assert next_run("0 0 31 2 *", store_id=1, plugin=BOARD, schedule=ARCHIVE,
                    timezone="UTC", after=T0) == NEVER
    # An unknown zone name is read as UTC rather than failing every run.
    assert next_cron("0 9 * * *", zone_named("Mars/Olympus"), T0) == datetime(
        2026, 3, 3, 9, 0, tzinfo=UTC)


def _runs(expression: str, zone: str, start: datetime, end: datetime) -> list[datetime]:
    found, moment = [], start
    while (moment := next_cron(expression, zone_named(zone), moment)) < end:
        found.append(moment)
    return found


@pytest.mark.parametrize("zone, back, forward", [
    ("Europe/Berlin", datetime(2026, 10, 25, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC)),
    ("America/New_York", datetime(2026, 11, 1, 4, tzinfo=UTC),
     datetime(2026, 3, 8, 5, tzinfo=UTC)),
])
def test_clock_changes_neither_skip_nor_double_a_days_run(zone, back, forward):
    local = zone_named(zone)
    # Clocks go back: 01:30 (New York) or 02:30 (Berlin) happens twice; it runs once.
    fixed = "30 1 * * *" if zone == "America/New_York" else "30 2 * * *"
    around_back = _runs(fixed, zone, back - timedelta(days=2), back + timedelta(days=2))
    assert len(around_back) == 4
    assert len({m.astimezone(local).date() for m in around_back}) == 4
    # Clocks go forward: 02:30 does not exist that night; it runs right after the jump.
    around_forward = _runs("30 2 * * *", zone, forward - timedelta(days=2),
                           forward + timedelta(days=2))
    assert len(around_forward) == 4
    jump_day = [m.astimezone(local) for m in around_forward
                if m.astimezone(local).date() == forward.astimezone(local).date()]
    assert [(m.hour, m.minute) for m in jump_day] == [(3, 0)]
    # "Every hour" by the wall clock runs every real hour through both changes.
    hourly_back = _runs("15 * * * *", zone, back, back + timedelta(days=1))
    hourly_forward = _runs("15 * * * *", zone, forward, forward + timedelta(days=1))
    assert {b - a for a, b in pairwise(hourly_back)} == {
        timedelta(hours=1)}
    assert {b - a for a, b in pairwise(hourly_forward)} == {
        timedelta(hours=1)}


def test_daily_runs_once_a_night_across_both_clock_changes():
    berlin = zone_named("Europe/Berlin")
    for start, end in ((datetime(2026, 10, 23, 10, tzinfo=UTC), datetime(2026, 10, 27, 22,
                                                                          tzinfo=UTC)),
                       (datetime(2026, 3, 27, 10, tzinfo=UTC), datetime(2026, 3, 31, 21,
                                                                         tzinfo=UTC))):
        for store in range(1, 80):
            days, moment = [], start
            while (moment := next_run("daily", store_id=store, plugin=BOARD,
                                      schedule=ARCHIVE, timezone="Europe/Berlin",
                                      after=moment)) < end:
                days.append(moment.astimezone(berlin).date())
            first = start.astimezone(berlin).date()
            assert days == [first + timedelta(days=n) for n in range(1, 5)], store


# -------------------------------------------------------------------- dispatching


def test_due_schedules_run_for_stores_with_the_plugin_on_and_not_for_others(
        app, board_stores):
    a, b, c = board_stores
    add_note(app, a, "Fresh", age_days=2)
    add_note(app, a, "Pinned", age_days=90, pinned=True)
    first = tick(app, T0)
    assert first.output.strip() == "nothing due"
    # Rows exist for the stores that have the plugin on, each at a time of its night.
    assert schedule_row(app, c) is None
    for tenant in (a, b):
        row = schedule_row(app, tenant)
        assert T0 < aware(row.next_run_at) <= T0 + timedelta(days=1)
        assert row.last_status == "" and row.timetable == "UTC daily"

    result = tick(app, T0 + timedelta(days=1))
    assert ran(result) == [f"{BOARD}/{ARCHIVE}@shop-a", f"{BOARD}/{ARCHIVE}@shop-b"]
    assert "ok" in result.output
    # A archives after 10 days, B after 60: each run read its own store's setting and
    # changed only its own store's notes. C's plugin is off: nothing happened there.
    assert live_notes(app, a) == ["Fresh", "Pinned"]
    assert live_notes(app, b) == ["Eid hours"]
    assert live_notes(app, c) == ["Eid hours"]
    row = schedule_row(app, a)
    assert (row.last_status, row.runs, row.failures, row.failures_in_row) == ("ok", 1, 0, 0)
    assert aware(row.last_started_at) <= aware(row.last_finished_at)
    assert aware(row.next_run_at) > T0 + timedelta(days=1)
    # The same moment again: nothing is due twice.
    assert tick(app, T0 + timedelta(days=1)).output.strip() == "nothing due"


def test_after_downtime_a_schedule_runs_once_and_is_back_on_its_timetable(app, board_stores):
    a, _, _ = board_stores
    tick(app, T0)
    planned = aware(schedule_row(app, a).next_run_at)
    late = T0 + timedelta(days=5, hours=1)
    result = tick(app, late)
    assert ran(result) == [f"{BOARD}/{ARCHIVE}@shop-a", f"{BOARD}/{ARCHIVE}@shop-b"]
    row = schedule_row(app, a)
    assert row.runs == 1
    following = aware(row.next_run_at)
    assert late < following <= late + timedelta(days=1)
    assert following.time() == planned.time()  # the store's own time of night


def test_a_tick_at_a_time_with_an_offset_is_read_as_that_instant(app, board_stores):
    a, b, _ = board_stores
    tick(app, T0)
    first = min((aware(schedule_row(app, t).next_run_at), t.slug) for t in (a, b))
    dhaka = timezone(timedelta(hours=6))  # the clock six hours ahead of UTC
    # A minute before the first run, written in Dhaka time: nothing is due yet, although
    # its wall-clock reading is hours after the run's (stored) UTC time.
    early = tick(app, (first[0] - timedelta(minutes=1)).astimezone(dhaka))
    assert early.output.strip() == "nothing due"
    assert aware(schedule_row(app, a).next_run_at) > T0 and schedule_row(app, a).runs == 0
    on_time = tick(app, first[0].astimezone(dhaka))
    assert f"{BOARD}/{ARCHIVE}@{first[1]}" in ran(on_time)
    assert f"due {first[0].isoformat()}" in on_time.output  # reported in UTC


def test_a_run_for_one_store_reads_only_that_stores_rows(app, make_store, enable_plugin,
                                                          install_plugin):
    install_plugin(plugin_with("note-lister", Schedule("list_notes", list_notes, "hourly")))
    a = make_store("lister-a")
    b = make_store("lister-b")
    for tenant, titles in ((a, ["A1", "A2"]), (b, ["B1"])):
        enable_plugin(tenant, "note-lister")
        for title in titles:
            add_note(app, tenant, title, age_days=1)
    tick(app, T0)
    tick(app, T0 + timedelta(hours=1))
    assert sorted(seen) == sorted([(a.id, ["A1", "A2"]), (b.id, ["B1"])])


def test_a_store_that_switches_the_plugin_off_gets_no_more_runs(app, board_stores,
                                                                  enable_plugin):
    a, _, _ = board_stores
    tick(app, T0)
    enable_plugin(a, BOARD, enabled=False)
    result = tick(app, T0 + timedelta(days=1))
    assert ran(result) == [f"{BOARD}/{ARCHIVE}@shop-b"]
    assert live_notes(app, a) == ["Eid hours"]
    # Parked: nothing to look at on later ticks, and its history is kept.
    assert schedule_row(app, a).next_run_at is None
    assert "shop-a" not in tick(app, T0 + timedelta(days=3)).output

    # Switched on again: back on the timetable from now, without a catch-up run.
    enable_plugin(a, BOARD)
    again = T0 + timedelta(days=3, minutes=1)
    assert "shop-a" not in tick(app, again).output
    row = schedule_row(app, a)
    assert again < aware(row.next_run_at) <= again + timedelta(days=1)
    assert ran(tick(app, again + timedelta(days=1))) == [
        f"{BOARD}/{ARCHIVE}@shop-a", f"{BOARD}/{ARCHIVE}@shop-b"]
    assert live_notes(app, a) == []


def test_a_tripped_circuit_breaker_or_a_suspended_store_gets_no_runs(app, board_stores):
    a, b, _ = board_stores
    tick(app, T0)
    with app.app_context(), platform_scope():
        db.session.execute(update(PluginState).where(PluginState.tenant_id == a.id)
                           .values(disabled_until=T0 + timedelta(days=30)))
        db.session.get(Tenant, b.id).status = "suspended"
        db.session.commit()
    assert tick(app, T0 + timedelta(days=1)).output.strip() == "nothing due"
    assert live_notes(app, a) == live_notes(app, b) == ["Eid hours"]


def test_a_run_queued_before_the_plugin_was_switched_off_is_skipped(
        app, board_stores, enable_plugin, real_queue):
    a, b, _ = board_stores
    tick(app, T0)
    result = tick(app, T0 + timedelta(days=1))
    assert ran(result) == [f"{BOARD}/{ARCHIVE}@shop-a", f"{BOARD}/{ARCHIVE}@shop-b"]
    assert result.output.startswith("queued ")
    assert schedule_row(app, a).last_status == "queued"
    enable_plugin(a, BOARD, enabled=False)
    assert run_queued(app, real_queue) == 2
    assert live_notes(app, a) == ["Eid hours"]  # not run: switched off meanwhile
    assert (schedule_row(app, a).last_status, schedule_row(app, a).runs) == ("skipped", 0)
    assert (schedule_row(app, b).last_status, schedule_row(app, b).runs) == ("ok", 1)


def test_a_run_queued_before_the_store_was_suspended_is_skipped(
        app, board_stores, real_queue):
    a, b, _ = board_stores
    tick(app, T0)
    assert len(ran(tick(app, T0 + timedelta(days=1)))) == 2
    with app.app_context(), platform_scope():
        db.session.get(Tenant, a.id).status = "suspended"
        db.session.commit()
    invalidate_all()
    assert run_queued(app, real_queue) == 2
    assert live_notes(app, a) == ["Eid hours"]  # a closed store's plugins do no work
    assert (schedule_row(app, a).last_status, schedule_row(app, a).runs) == ("skipped", 0)
    assert (schedule_row(app, b).last_status, schedule_row(app, b).runs) == ("ok", 1)


def test_a_skipped_run_shows_its_own_time_not_the_last_run_s(
        app, board_stores, enable_plugin, real_queue, store_client):
    a, _, _ = board_stores
    tick(app, T0)
    earlier = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)  # when the last real run ended
    with app.app_context(), tenant_scope(a.id):
        db.session.execute(update(ScheduleRun).values(
            last_status="ok", last_started_at=earlier, last_finished_at=earlier, runs=1))
        db.session.commit()
    tick(app, T0 + timedelta(days=1))
    client = sign_in(store_client, a)
    waiting = client.get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "Waiting to run" in waiting
    assert earlier.isoformat() not in waiting  # the queued run has no time of its own yet

    enable_plugin(a, BOARD, enabled=False)
    run_queued(app, real_queue)
    row = schedule_row(app, a)
    assert row.last_status == "skipped" and aware(row.last_finished_at) > earlier
    enable_plugin(a, BOARD)
    page = client.get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "Skipped: the plugin was off or the store was suspended" in page
    assert f'datetime="{aware(row.last_finished_at).isoformat()}"' in page
    assert earlier.isoformat() not in page


def test_runs_the_queue_refuses_are_put_back_and_run_at_the_next_tick(
        app, board_stores, real_queue, monkeypatch):
    a, b, _ = board_stores
    tick(app, T0)
    read = {t.id: schedule_row(app, t) for t in (a, b)}
    jobs = app.extensions["haat_jobs"]
    queue_it = jobs.enqueue_bulk  # schedule runs are bulk work
    calls = []

    def redis_goes_down_after_one(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:
            raise ConnectionError("Redis is down")
        queue_it(*args, **kwargs)

    monkeypatch.setattr(jobs, "enqueue_bulk", redis_goes_down_after_one)
    due = T0 + timedelta(days=1)
    failed = tick(app, due, ok=False)
    assert failed.exit_code == 1
    assert "refused 1 schedule run(s) (ConnectionError: Redis is down)" in failed.output
    assert "due again at the next tick" in failed.output
    assert len(real_queue.pending()) == 1  # the run queued before Redis went down
    queued_id = calls[0][1]
    refused = schedule_row(app, a if queued_id == b.id else b)
    # Put back as it was read: due, and its status unchanged.
    assert aware(refused.next_run_at) == aware(read[refused.tenant_id].next_run_at)
    assert refused.last_status == read[refused.tenant_id].last_status == ""
    assert schedule_row(app, a if queued_id == a.id else b).last_status == "queued"

    monkeypatch.setattr(jobs, "enqueue_bulk", queue_it)  # Redis is back
    again = tick(app, due + timedelta(minutes=1))
    slug = {a.id: a.slug, b.id: b.slug}[refused.tenant_id]
    assert ran(again) == [f"{BOARD}/{ARCHIVE}@{slug}"]  # only the one put back
    assert len(real_queue.pending()) == 2
    assert run_queued(app, real_queue) == 2
    assert {schedule_row(app, t).runs for t in (a, b)} == {1}


def test_a_new_timetable_or_time_zone_takes_effect_at_the_next_tick(
        app, make_store, enable_plugin, install_plugin):
    name = install_plugin(plugin_with("poller", Schedule("poll", remember_call, "daily")))
    shop = make_store("poller-shop")
    enable_plugin(shop, name)
    tick(app, T0)
    assert schedule_row(app, shop, name, "poll").timetable == "UTC daily"

    # A new version of the plugin polls every 15 minutes instead.
    host = app.extensions["haat_plugins"]
    host.unregister(name)
    install_plugin(plugin_with("poller", Schedule("poll", remember_call, "*/15 * * * *")))
    tick(app, T0 + timedelta(minutes=1))
    row = schedule_row(app, shop, name, "poll")
    assert (row.timetable, aware(row.next_run_at)) == (
        "UTC */15 * * * *", T0 + timedelta(minutes=15))

    # The merchant moves the store to Dhaka: a cron timetable follows the store's clock.
    host.unregister(name)
    install_plugin(plugin_with("poller", Schedule("poll", remember_call, "0 9 * * *")))
    set_timezone(app, shop, "Asia/Dhaka")
    tick(app, T0 + timedelta(minutes=2))
    row = schedule_row(app, shop, name, "poll")
    assert row.timetable == "Asia/Dhaka 0 9 * * *"
    assert aware(row.next_run_at) == datetime(2026, 3, 3, 3, 0, tzinfo=UTC)
    assert calls == []  # recomputing is not running


def test_an_uninstalled_plugins_rows_wait_until_it_is_back(
        app, make_store, enable_plugin, install_plugin):
    name = install_plugin(plugin_with("poller", Schedule("poll", remember_call, "hourly")))
    shop = make_store("poller-shop")
    enable_plugin(shop, name)
    tick(app, T0)
    app.extensions["haat_plugins"].unregister(name)
    tick(app, T0 + timedelta(hours=3))
    assert calls == []
    assert schedule_row(app, shop, name, "poll").next_run_at is None
    install_plugin(plugin_with("poller", Schedule("poll", remember_call, "hourly")))
    back = T0 + timedelta(hours=3, minutes=1)
    tick(app, back)
    assert back < aware(schedule_row(app, shop, name, "poll").next_run_at) <= back + timedelta(
        hours=1)
    tick(app, back + timedelta(hours=1))
    assert calls == [(shop.id, ())]


# ----------------------------------------------------------------- two dispatchers


def test_two_dispatchers_never_queue_the_same_run_twice(app, board_stores, real_queue):
    a, b, _ = board_stores
    tick(app, T0)
    due_at = T0 + timedelta(days=1)
    wanted = wanted_schedules(app)
    # Worker 1 reads the due rows, then worker 2 does a whole tick before worker 1 gets
    # to write: worker 1's compare-and-set finds the rows moved and wins none.
    with app.app_context(), platform_scope(), Session(db.engine) as first:
        seen_by_first = find_due(first, wanted, due_at)
        first.rollback()  # its read is over; on PostgreSQL its row locks are too
        assert {r.tenant_id for r in seen_by_first} == {a.id, b.id}
        queued_by_second = run_due(app, due_at)
        assert claim(first, seen_by_first, wanted, due_at) == []
    assert sorted(r.slug for r in queued_by_second) == ["shop-a", "shop-b"]
    assert len(real_queue.pending()) == 2

    # The other order: worker 1 claims first, then worker 2's tick finds nothing due.
    later = due_at + timedelta(days=1)
    with app.app_context(), platform_scope(), Session(db.engine) as first:
        won = claim(first, find_due(first, wanted, later), wanted, later)
    assert sorted(r.slug for r in won) == ["shop-a", "shop-b"]
    assert run_due(app, later) == []


def test_two_dispatchers_creating_rows_at_once_keep_one_row_each(app, board_stores):
    a, b, _ = board_stores
    wanted = wanted_schedules(app)
    # Both find the same rows missing before either writes; the unique key keeps the
    # first one's rows and drops the second's, without failing its tick.
    with app.app_context(), platform_scope():
        with Session(db.engine) as one, Session(db.engine) as two:
            seen_by_one = missing_rows(one, wanted, T0)
            seen_by_two = missing_rows(two, wanted, T0)
            assert sorted(r["tenant_id"] for r in seen_by_one) == sorted([a.id, b.id])
            assert seen_by_two == seen_by_one
            add_rows(one, seen_by_one)
            one.commit()
            add_rows(two, seen_by_two)
            two.commit()
        rows = db.session.scalars(select(ScheduleRun)).all()
    assert sorted(r.tenant_id for r in rows) == sorted([a.id, b.id])


# ------------------------------------------------------------------- query counts


def _tick_queries(app, count_queries, at: datetime) -> int:
    with count_queries() as statements:
        run_due(app, at)
    return len(statements)


def test_the_dispatchers_queries_do_not_grow_with_the_number_of_stores(
        app, make_store, enable_plugin, count_queries, real_queue):
    def open_stores(start: int, stop: int) -> None:
        for number in range(start, stop):
            enable_plugin(make_store(f"many-{number}"), BOARD)

    open_stores(0, 3)
    creating_few = _tick_queries(app, count_queries, T0)
    dispatching_few = _tick_queries(app, count_queries, T0 + timedelta(days=1))
    assert len(real_queue.pending()) == 3
    open_stores(3, 15)
    creating_many = _tick_queries(app, count_queries, T0 + timedelta(days=1, minutes=1))
    dispatching_many = _tick_queries(app, count_queries, T0 + timedelta(days=2, minutes=1))
    assert len(real_queue.pending()) == 3 + 15
    assert creating_many == creating_few
    assert dispatching_many == dispatching_few
    assert dispatching_few <= 8
    # A quiet minute: the due rows, and keeping the rows in step (four statements).
    assert _tick_queries(app, count_queries, T0 + timedelta(days=2, minutes=2)) == 4
    with count_queries() as statements:
        run_due(app, T0 + timedelta(days=2, minutes=3), sync=False)
    assert len(statements) == 1  # what a worker's minute costs between syncs


# ------------------------------------------------------------------- failures


def test_a_failing_run_is_recorded_not_retried_and_shown_to_the_merchant(
        app, make_store, enable_plugin, install_plugin, store_client, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)  # as in production
    name = install_plugin(plugin_with("courier-sync", Schedule(
        "sync_parcels", failing_sync, "*/30 * * * *", title="Parcel tracking")))
    shop = make_store("courier-shop", locale="bn", currency="BDT")
    set_timezone(app, shop, "Asia/Dhaka")
    enable_plugin(shop, name)
    tick(app, T0)
    for minutes in (30, 60):
        result = tick(app, T0 + timedelta(minutes=minutes))
        assert "failed (ConnectionError: courier API unreachable" in result.output
    assert len(seen) == 2  # ran twice, at its two times: never retried in between
    row = schedule_row(app, shop, name, "sync_parcels")
    assert (row.last_status, row.runs, row.failures, row.failures_in_row) == ("failed", 2, 2, 2)
    assert row.last_error.startswith("ConnectionError: courier API unreachable: xxx")
    assert len(row.last_error) == 1000
    # The run's own writes were rolled back; the record of the run was not.
    with app.app_context(), tenant_scope(shop.id):
        assert db.session.scalars(select(Note)).all() == []

    # The merchant's page (Bengali admin, Bengali digits), in the store's time zone.
    with app.app_context(), platform_scope():
        db.session.get(Tenant, shop.id).bengali_digits = True
        db.session.commit()
    invalidate_all()
    client = sign_in(store_client, shop)
    page = client.get(f"/admin/plugins/{name}").get_data(as_text=True)
    assert "Parcel tracking" in page and "*/30 * * * *" in page
    assert "ব্যর্থ" in page  # Failed
    assert "পরপর ২ বার" in page  # 2 in a row
    assert "ConnectionError: courier API unreachable" in page
    last = aware(row.last_finished_at).astimezone(zone_named("Asia/Dhaka"))
    assert f'datetime="{last.isoformat()}"' in page
    # 13:00 UTC is 19:00 in Dhaka; the next run is 19:30, written with Bengali digits.
    assert "১৯:৩০" in page

    # In English, and once a run goes well the failures in a row are over.
    with app.app_context(), tenant_scope(shop.id):
        staff = db.session.scalar(select(StaffUser))
        staff.locale = "en"
        db.session.commit()
    english = client.get(f"/admin/plugins/{name}").get_data(as_text=True)
    assert "Failed" in english and "2 in a row" in english and "2 of 2 runs failed" in english


def test_under_testing_a_failing_run_fails_the_test_and_is_still_recorded(
        app, make_store, enable_plugin, install_plugin):
    name = install_plugin(plugin_with("courier-sync", Schedule(
        "sync_parcels", failing_sync, "hourly")))
    shop = make_store("strict-shop")
    enable_plugin(shop, name)
    tick(app, T0)
    result = tick(app, T0 + timedelta(hours=1), ok=False)
    assert isinstance(result.exception, ConnectionError)
    row = schedule_row(app, shop, name, "sync_parcels")
    assert (row.last_status, row.failures_in_row) == ("failed", 1)


def test_a_good_run_after_failures_ends_the_failures_in_a_row(
        app, board_stores, store_client):
    a, _, _ = board_stores
    tick(app, T0)
    with app.app_context(), tenant_scope(a.id):
        db.session.execute(update(ScheduleRun).values(
            last_status="failed", last_error="TimeoutError: slow", runs=3, failures=3,
            failures_in_row=3))
        db.session.commit()
    tick(app, T0 + timedelta(days=1))
    row = schedule_row(app, a)
    assert (row.last_status, row.runs, row.failures, row.failures_in_row) == ("ok", 4, 3, 0)
    page = sign_in(store_client, a).get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "Succeeded" in page and "3 of 4 runs failed" in page
    assert "in a row" not in page


# ------------------------------------------------------------------- admin page


def test_the_plugin_page_shows_each_schedule_in_the_stores_time(
        app, make_store, enable_plugin, store_client):
    shop = make_store("night-shop")
    set_timezone(app, shop, "Asia/Yerevan")
    client = sign_in(store_client, shop)
    off = client.get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "Archive old notes" in off and "Every day, at night" in off
    assert "None while the plugin is off" in off and "Not yet" in off

    enable_plugin(shop, BOARD)
    # Before the dispatcher's first tick the page already says when it will run.
    on = client.get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    expected = next_run("daily", store_id=shop.id, plugin=BOARD, schedule=ARCHIVE,
                        timezone="Asia/Yerevan", after=utcnow())
    local = expected.astimezone(zone_named("Asia/Yerevan"))
    assert f'datetime="{local.isoformat()}"' in on
    assert local.strftime("%H:%M") in on and "Asia/Yerevan" in on


def test_a_store_sees_only_its_own_schedule_runs(app, board_stores, store_client):
    a, b, _ = board_stores
    tick(app, T0)
    with app.app_context(), tenant_scope(b.id):
        db.session.execute(update(ScheduleRun).values(
            last_status="failed", last_error="PermissionError: store B's secret trouble",
            runs=7, failures=7, failures_in_row=7))
        db.session.commit()
    page = sign_in(store_client, a).get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "Not yet" in page
    assert "store B" not in page and "in a row" not in page
    other = sign_in(store_client, b).get(f"/admin/plugins/{BOARD}").get_data(as_text=True)
    assert "store B&#39;s secret trouble" in other and "7 in a row" in other


def test_the_plugin_page_costs_the_same_queries_for_one_schedule_or_three(
        app, make_store, enable_plugin, install_plugin, store_client, count_queries):
    one = install_plugin(plugin_with("one-job", Schedule("a", remember_call, "hourly")))
    three = install_plugin(plugin_with("three-jobs", *(
        Schedule(n, remember_call, when) for n, when in
        (("a", "hourly"), ("b", "daily"), ("c", "*/5 * * * *")))))
    shop = make_store("counting-shop")
    enable_plugin(shop, one)
    enable_plugin(shop, three)
    tick(app, T0)
    tick(app, T0 + timedelta(days=1))  # every schedule has run once
    client = sign_in(store_client, shop)
    counts = {}
    for name in (one, three):
        client.get(f"/admin/plugins/{name}")
        with count_queries() as statements:
            page = client.get(f"/admin/plugins/{name}").get_data(as_text=True)
        counts[name] = len(statements)
        assert page.count("Succeeded") == (1 if name == one else 3)
    assert counts[one] == counts[three]


# -------------------------------------------------------------- the worker's wiring


def test_a_worker_dispatches_the_schedules_every_minute(app, board_stores, monkeypatch):
    a, b, _ = board_stores
    tick(app, utcnow() - timedelta(days=2))  # creates the rows
    now = utcnow()
    with app.app_context(), platform_scope():
        db.session.execute(update(ScheduleRun).values(next_run_at=now - timedelta(minutes=1)))
        db.session.commit()
    huey = MemoryHuey("worker-test", immediate=False)
    _dispatch_schedules_every_minute(app, huey)
    monkeypatch.setitem(app.extensions, "haat_jobs", Jobs(huey, retries=3, retry_delay=15))
    monkeypatch.delitem(app.extensions, "haat_schedules_synced", raising=False)
    # What `haat jobs worker` starts: a consumer with the periodic scheduler on.
    consumer = huey.create_consumer(workers=2, worker_type="thread")
    assert consumer.periodic
    scheduler = consumer._create_scheduler()
    worker, _thread = consumer.worker_threads[0]

    # At the minute, the scheduler queues the dispatcher; a worker runs it, which
    # queues one run per due store; the worker then runs those.
    scheduler.enqueue_periodic_tasks(now.replace(tzinfo=None))
    assert [task.name for task in huey.pending()] == [SCHEDULES_TASK]
    assert huey.pending()[0].expires == 120
    with app.app_context():
        worker.loop()
        assert len(huey.pending()) == 2
        worker.loop()
        worker.loop()
    assert huey.pending() == []
    assert live_notes(app, a) == []
    assert schedule_row(app, b).last_status == "ok"


def test_a_worker_keeps_the_rows_in_step_every_five_minutes(
        app, make_store, enable_plugin, real_queue, monkeypatch):
    from core.pluginhost import schedules

    clock = [1000.0]
    monkeypatch.setattr(schedules.time, "monotonic", lambda: clock[0])
    monkeypatch.delitem(app.extensions, "haat_schedules_synced", raising=False)
    first = make_store("early-shop")
    enable_plugin(first, BOARD)
    schedules.worker_tick(app)
    assert schedule_row(app, first) is not None
    # A store that switches the plugin on a minute later waits for the next sync...
    later = make_store("later-shop")
    enable_plugin(later, BOARD)
    clock[0] += 60
    schedules.worker_tick(app)
    assert schedule_row(app, later) is None
    # ... which comes five minutes after the last one.
    clock[0] += schedules.SYNC_SECONDS - 60
    schedules.worker_tick(app)
    assert schedule_row(app, later) is not None


def test_only_a_real_queue_has_the_dispatcher(tmp_path, monkeypatch):
    from flask import Flask

    from core import jobs

    monkeypatch.setattr(jobs, "_app", jobs._app)  # init_app below replaces it

    for kind, expected in (("sqlite", [SCHEDULES_TASK]), ("immediate", [])):
        flask_app = Flask(__name__)
        flask_app.config.update(HAAT_JOBS=kind, HAAT_INSTANCE_DIR=str(tmp_path),
                                HAAT_JOB_RETRIES=1, HAAT_JOB_RETRY_DELAY=1)
        jobs.init_app(flask_app)
        huey = flask_app.extensions["haat_jobs"].huey
        assert [t.name for t in huey.read_periodic(datetime(2026, 1, 1))] == expected


def test_tick_refuses_a_time_it_cannot_read(app):
    result = tick(app, "next tuesday", ok=False)
    assert result.exit_code == 2
    assert "not an ISO-8601 time" in result.output


# -------------------------------------------------------------------- run_after


def test_run_after_schedules_the_job_with_its_delay_on_a_real_queue(app, board_stores,
                                                                      real_queue):
    a, _, _ = board_stores
    with app.app_context():
        from core.pluginhost.web import plugins_for_tenant

        store = plugins_for_tenant(a.id).info
        before = datetime.now(UTC).replace(tzinfo=None)
        run_after(store, timedelta(minutes=20), remember_call, "ping", 3)
        run_after(store, 90, remember_call, "pong")
        after = datetime.now(UTC).replace(tzinfo=None)
    tasks = sorted(real_queue.pending(), key=lambda task: task.eta)
    assert len(tasks) == 2
    for task, delay in zip(tasks, (timedelta(seconds=90), timedelta(minutes=20)),
                           strict=True):
        assert before + delay <= task.eta <= after + delay
        # A worker that picks it up now puts it aside until its time.
        assert not real_queue.ready_to_run(task, after)
        assert real_queue.ready_to_run(task, after + delay)
    assert calls == []
    # Once its time has come a worker runs it for the store, with its arguments.
    for task in tasks:
        with app.app_context():
            real_queue.execute(task, task.eta)
    assert sorted(calls) == [(a.id, ("ping", 3)), (a.id, ("pong",))]


def test_run_after_runs_at_once_in_immediate_mode(app, board_stores):
    a, _, _ = board_stores
    with app.app_context():
        from core.pluginhost.web import plugins_for_tenant

        store = plugins_for_tenant(a.id).info
        run_after(store, timedelta(hours=6), remember_call, "now")
        assert calls == [(a.id, ("now",))]
        with pytest.raises(ValueError, match="delay"):
            run_after(store, -1, remember_call)
        with pytest.raises(ValueError, match="module-level"):
            run_after(store, 5, lambda s: None)
        with pytest.raises(TypeError, match="StoreInfo"):
            run_after(a, 5, remember_call)


def test_the_sample_plugins_schedule_is_declared_and_callable(app, board_stores):
    manifest = app.extensions["haat_plugins"].installed[BOARD].manifest
    assert [(s.name, s.when, s.func) for s in manifest.schedules] == [
        (ARCHIVE, "daily", archive_old_notes)]
    a, _, _ = board_stores
    with app.app_context():
        from core.pluginhost.web import plugins_for_tenant

        assert archive_old_notes(plugins_for_tenant(a.id).info) == 1
    assert live_notes(app, a) == []
