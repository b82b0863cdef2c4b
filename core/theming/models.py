"""A store's values for one theme's settings (kept per theme, so switching back restores them),
and the draft of changes its staff are trying out before shoppers see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned


class ThemeSettings(TenantOwned, db.Model):
    """Validated setting values of ``theme`` for one store.

    ``values`` are published: what shoppers see. ``draft`` holds validated values the
    store's staff saved or are previewing, not yet published (``None``: no draft); it
    overlays ``values`` only in a staff preview (:mod:`core.storefront.preview`) and a
    change to it alone does not retire the store's cached pages.
    """

    __tablename__ = "theme_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(40))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True,
                                                         default=None)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
