"""sample-board's periodic work: every night, archive the notes that have been up long
enough.

A schedule is a module-level function taking the ``StoreInfo`` it runs for, declared in
the manifest with ``Schedule(name, func, when)``. Haat runs it once per store that has
the plugin on, in that store's scope, at a time of the store's night.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from core.sdk import NumberField, Schedule, StoreInfo, store_session
from sample_plugin.models import Note

PLUGIN = "sample-board"
DEFAULT_ARCHIVE_DAYS = 30

#: The setting the schedule reads (part of the manifest's settings).
archive_after_days = NumberField(
    "archive_after_days", "Archive notes after (days)",
    help="Every night, notes older than this are archived. Pinned notes stay.",
    default=DEFAULT_ARCHIVE_DAYS, integer=True, min_value=1, max_value=3650)


def archive_old_notes(store: StoreInfo) -> int:
    """Archive the store's unpinned notes older than its ``archive_after_days``.

    Returns how many were archived (Haat ignores it; tests read it).
    """
    days = store.plugin_settings(PLUGIN).get("archive_after_days") or DEFAULT_ARCHIVE_DAYS
    now = datetime.now(UTC)
    with store_session(store) as session:
        # The session is the store's: this UPDATE only ever touches its own notes.
        result = session.execute(
            update(Note)
            .where(Note.archived_at.is_(None), Note.pinned.is_(False),
                   Note.created_at < now - timedelta(days=int(days)))
            .values(archived_at=now)
            .execution_options(synchronize_session=False))
    return result.rowcount


#: The manifest's ``schedules``.
SCHEDULES = (
    Schedule("archive_old_notes", archive_old_notes, "daily", title="Archive old notes"),
)
