"""Shoppers' one-time codes (sign-in, finding an order), address books and sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
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


class ShopperAddress(TenantOwned, db.Model):
    """A delivery address in a signed-in shopper's address book.

    ``contact`` is what the shopper proved when signing in (an E.164 phone or a
    lower-case email): the book belongs to whoever can sign in with it, in this store
    only. The fields are those of the checkout's address.
    """

    __tablename__ = "shopper_addresses"
    __table_args__ = (Index(None, "tenant_id", "contact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32), default="")
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    #: The one checkout starts from (one per book).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When an order last went to it (the book lists recent ones first).
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShopperSession(TenantOwned, db.Model):
    """One signed-in browser of a shopper (see :mod:`core.accounts.sessions`).

    A shopper is who proved a contact (``contact``: an E.164 phone or a lower-case
    email), not a customer row: they may have several rows, or only orders. Only a hash
    of the browser's secret is kept, so a copy of this table signs nobody in. Deleting
    the row ends the session.
    """

    __tablename__ = "shopper_sessions"
    __table_args__ = (Index(None, "tenant_id", "contact"),
                      Index(None, "tenant_id", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``sms`` (a phone) or ``email``.
    channel: Mapped[str] = mapped_column(String(8))
    contact: Mapped[str] = mapped_column(String(254))
    #: SHA-256 (hex) of the secret in the browser's session cookie.
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Last request seen (written at most once a minute).
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The session ends then, however busy (30 days after sign-in).
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
