"""Per-store plugin switches, settings and recorded failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, String, Text, UniqueConstraint
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
