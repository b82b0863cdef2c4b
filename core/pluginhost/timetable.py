"""When a plugin's schedule runs next for one store: pure time arithmetic, no database.

A schedule's ``when`` is read as a five-field cron expression:

* ``"hourly"`` is ``"<m> * * * *"`` in UTC, where the minute ``m`` comes from a stable
  hash of (store id, plugin, schedule). An hour is an hour in every time zone, so UTC
  keeps it clear of clock changes.
* ``"daily"`` is ``"<m> <h> * * *"`` in the store's time zone, at a time between 01:00
  and 04:59 from the same hash: the quiet hours of the store's night, and the stores
  spread over four hours instead of all calling one courier's API at once.
* Anything else is a cron expression read in the store's time zone.

Clock changes follow classic cron: a time the clock skips (02:30 on a spring-forward
night) runs at the first minute after the change, and a time the clock passes twice
(01:30 on a fall-back night) runs once, unless the hour field starts with ``*``
(``"*/20 * * * *"``), which runs every real hour, both passes included.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

from core.clock import zone_named

__all__ = ["DAILY_FIRST_HOUR", "DAILY_HOURS", "NEVER", "cron_for", "next_cron", "next_run",
           "spread", "timetable_key", "zone_named"]

#: ``next_run_at`` of a cron expression that never matches (``"0 0 31 2 *"``).
NEVER = datetime(9999, 1, 1, tzinfo=UTC)

#: The daily runs fall in these local hours: from 01:00 up to (not including) 05:00.
DAILY_FIRST_HOUR = 1
DAILY_HOURS = 4


def timetable_key(timezone: str, when: str) -> str:
    """What a stored ``next_run_at`` was computed from (``"Asia/Dhaka daily"``).

    The dispatcher compares it in SQL as ``tenants.timezone || ' ' || when``, so keep
    the two in step.
    """
    return f"{timezone} {when}"


def spread(store_id: int, plugin: str, schedule: str, modulo: int) -> int:
    """A number in ``range(modulo)`` that is the same in every process and every run.

    ``hash()`` is randomised per process, so it would move a store's run every time a
    worker restarts; a digest does not.
    """
    digest = hashlib.sha256(f"{store_id}:{plugin}:{schedule}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulo


def cron_for(when: str, store_id: int, plugin: str, schedule: str) -> tuple[str, bool]:
    """The cron expression ``when`` stands for, and whether it is read in the store's
    time zone (``False``: in UTC)."""
    if when == "hourly":
        return f"{spread(store_id, plugin, schedule, 60)} * * * *", False
    if when == "daily":
        offset = spread(store_id, plugin, schedule, DAILY_HOURS * 60)
        return f"{offset % 60} {DAILY_FIRST_HOUR + offset // 60} * * *", True
    return when, True


def next_run(when: str, *, store_id: int, plugin: str, schedule: str, timezone: str,
             after: datetime) -> datetime:
    """The first time strictly after ``after`` at which the schedule runs, in UTC.

    ``after`` must be time-zone aware. Returns :data:`NEVER` for an expression that
    matches no date.
    """
    expression, local = cron_for(when, store_id, plugin, schedule)
    return next_cron(expression, zone_named(timezone) if local else ZoneInfo("UTC"), after)


@functools.lru_cache(maxsize=4096)  # one tick asks the same of many stores
def next_cron(expression: str, zone: ZoneInfo, after: datetime) -> datetime:
    """The first time strictly after ``after`` that ``expression`` matches, read in
    ``zone`` (see the module docstring for clock changes), in UTC."""
    if after.tzinfo is None:
        raise ValueError("after must be time-zone aware")
    fixed_hour = not expression.split()[1].startswith("*")
    times = croniter(expression, after.astimezone(zone))
    try:
        while True:
            found: datetime = times.get_next(datetime)
            if fixed_hour and _second_pass(found, zone):
                continue  # this wall time already ran an hour ago
            return found.astimezone(UTC)
    except CroniterBadDateError:
        return NEVER


def _second_pass(moment: datetime, zone: ZoneInfo) -> bool:
    """True when ``moment``'s wall-clock time already happened once, earlier the same
    night (the repeated hour when clocks go back)."""
    wall = moment.replace(tzinfo=None)
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    # Going back, the first pass has the larger offset; a skipped time (going forward)
    # has them the other way round and is not a repeat.
    return first is not None and second is not None and first > second \
        and moment.utcoffset() == second
