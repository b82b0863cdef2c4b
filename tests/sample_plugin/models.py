"""sample-board's own table: the notes a merchant pins for shoppers.

Declared through ``core.sdk.plugin_model_base``, so every note belongs to one store and
the store's isolation guards apply. The schema ships as the plugin's Alembic branch in
``sample_plugin/migrations``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import plugin_model_base

Base = plugin_model_base("sample-board")


def _now() -> datetime:
    return datetime.now(UTC)


class Note(Base):
    """A note on the board. Titles are unique per store; archived notes are hidden."""

    __tablename__ = "sample_board_notes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "title"),
        # The board page lists a store's live notes, pinned first, newest first.
        Index(None, "tenant_id", "archived_at", "pinned", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
