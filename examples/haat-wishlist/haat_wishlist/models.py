"""The plugin's own table: the products each shopper saved, one row per product.

Declared through ``core.sdk.plugin_model_base``, so every row belongs to one store
(``tenant_id`` is added for you) and Haat's isolation guards keep each query to the
store in scope. The schema ships as the plugin's Alembic branch in ``migrations/``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import plugin_model_base

PLUGIN = "wishlist"

Base = plugin_model_base(PLUGIN)


def _now() -> datetime:
    return datetime.now(UTC)


class WishlistItem(Base):
    """A product a shopper saved for later.

    ``shopper`` is the SHA-256 (hex) of the random token in the shopper's wishlist
    cookie: the token itself is never stored, so the table alone cannot be used to
    read or change anyone's wishlist.
    """

    __tablename__ = "wishlist_items"
    __table_args__ = (
        # A product is on a shopper's list once; also serves "how many has this shopper".
        UniqueConstraint("tenant_id", "shopper", "product_id"),
        # The page lists a shopper's items newest first.
        Index(None, "tenant_id", "shopper", "created_at"),
        # The nightly schedule forgets a store's items older than its setting.
        Index(None, "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shopper: Mapped[str] = mapped_column(String(64))
    # A product the merchant deletes leaves every wishlist with it. The index makes
    # that cascade (and PostgreSQL's check of it) cheap.
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
