"""Periodic work a plugin declares in its manifest."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from croniter import croniter

if TYPE_CHECKING:  # a plugin's translated text (core.sdk.PluginText.lazy)
    from core.sdk.text import LazyText

__all__ = ["SCHEDULE_PRESETS", "Schedule"]

#: ``Schedule.when`` words besides cron expressions. ``hourly`` runs once an hour at a
#: minute of its own per store; ``daily`` once a day at a time of its own per store
#: between 01:00 and 05:00 in the store's time zone. Spreading the stores keeps them
#: from all calling a courier's API in the same minute.
SCHEDULE_PRESETS: tuple[str, ...] = ("hourly", "daily")

_SCHEDULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Schedule:
    """Work that runs on a timetable, once for each store that has the plugin on.

    ``func(store)`` runs in a background job in the store's scope, exactly like a job
    queued with :func:`core.sdk.run_later`. A run that raises is recorded (the plugin's
    admin page shows the last run and its failures) and is not retried: the next run
    comes at the next time on the timetable. A store that switches the plugin off gets
    no more runs.

    Example: ``Schedule("poll_parcels", poll_parcels, "*/30 * * * *", title="Parcel
    tracking")``.
    """

    #: The schedule's id within the plugin: lowercase letters, digits and underscores,
    #: starting with a letter (``"poll_parcels"``).
    name: str
    #: A module-level function taking the :class:`~core.sdk.StoreInfo` it runs for.
    func: Callable[..., Any]
    #: ``"hourly"``, ``"daily"`` (see :data:`SCHEDULE_PRESETS`) or a five-field cron
    #: expression (``"*/30 * * * *"``: minute, hour, day of month, month, day of week)
    #: read in the store's time zone.
    when: str
    #: What the merchant sees on the plugin's page ("Parcel tracking"); the name when "".
    title: str | LazyText = ""

    def problems(self) -> list[str]:
        """What is wrong with this schedule (empty when it is valid)."""
        found = []
        if not isinstance(self.name, str) or not _SCHEDULE_NAME.match(self.name):
            found.append(f"schedule name {self.name!r} must be lowercase letters, digits "
                         "and underscores, starting with a letter")
        qualname = getattr(self.func, "__qualname__", "<")
        if not callable(self.func) or "<" in qualname or "." in qualname:
            found.append(f"schedule {self.name!r}: func must be a module-level function")
        if self.when not in SCHEDULE_PRESETS and not is_cron(self.when):
            found.append(f"schedule {self.name!r}: when {self.when!r} must be "
                         "'hourly', 'daily' or a five-field cron expression")
        return found


def is_cron(text: object) -> bool:
    """True for a valid five-field cron expression."""
    return (isinstance(text, str) and len(text.split()) == 5
            and croniter.is_valid(text))
