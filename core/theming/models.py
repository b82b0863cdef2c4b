"""A store's values for one theme's settings (kept per theme, so switching back restores them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned


class ThemeSettings(TenantOwned, db.Model):
    """Validated setting values of ``theme`` for one store."""

    __tablename__ = "theme_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(40))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
