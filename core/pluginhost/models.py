"""Per-store plugin switches, settings and recorded failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned


class PluginState(TenantOwned, db.Model):
    """One plugin's switch and settings for one store.

    ``settings`` holds plain values as JSON; ``secrets`` is a Fernet token of the
    secret fields (never plaintext). ``disabled_until`` is set by the circuit breaker.
    """

    __tablename__ = "plugin_states"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[str] = mapped_column(Text, default="")
    disabled_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class PluginFailure(TenantOwned, db.Model):
    """A hook implementation that raised while serving a store."""

    __tablename__ = "plugin_failures"
    __table_args__ = (Index(None, "tenant_id", "plugin", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    hook: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PluginValue(TenantOwned, db.Model):
    """One entry of a plugin's small key/value store for one store (``core.sdk.store_values``).

    For simple state (a cursor, a last-synced time, a counter); a plugin with real data
    declares its own tables. ``value`` is any JSON value.
    """

    __tablename__ = "plugin_values"
    __table_args__ = (UniqueConstraint("tenant_id", "plugin", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ScheduleRun(TenantOwned, db.Model):
    """When one plugin schedule runs next for one store, and how its last run went.

    The dispatcher (``core/pluginhost/schedules.py``) picks rows whose ``next_run_at``
    has passed, queues one job each and moves ``next_run_at`` on; the job records its
    outcome here, which the plugin's admin page shows.
    """

    __tablename__ = "plugin_schedule_runs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "plugin", "schedule"),
        # The dispatcher looks across stores for due rows.
        Index(None, "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    schedule: Mapped[str] = mapped_column(String(64))
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The timetable ``next_run_at`` was computed from: the store's time zone and the
    #: schedule's ``when`` (``"Asia/Dhaka daily"``). When either changes (a new plugin
    #: version, the merchant moves the store) the dispatcher computes it again.
    timetable: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: "" (never ran), "queued", "running", "ok", "failed" or "skipped" (the plugin was
    #: off by the time the run started).
    last_status: Mapped[str] = mapped_column(String(16), default="")
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: Failures in a row since the last run that went well.
    failures_in_row: Mapped[int] = mapped_column(Integer, default=0)
