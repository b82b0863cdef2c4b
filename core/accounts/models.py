"""One-time codes sent to shoppers (sign-in, finding an order)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned


class ShopperCode(TenantOwned, db.Model):
    """A code sent to ``address`` (an E.164 phone or a lower-case email).

    Only a keyed hash of the code is kept (``code_hash``, HMAC-SHA256 with the app's
    secret and a per-code salt), so a copy of the database signs nobody in.
    """

    __tablename__ = "shopper_codes"
    __table_args__ = (Index(None, "tenant_id", "address", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``sign_in`` (the account) or ``order`` (one order, from the order lookup).
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: When it was used, or when a newer code for the same address replaced it.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
