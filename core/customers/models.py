"""Customer records, created when someone orders for the first time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned


class Customer(TenantOwned, db.Model):
    """Someone who ordered from this store.

    ``key`` is how a returning shopper is recognised without an account: their
    email (lower case) or, when they gave only a phone number, ``tel:<digits>``.
    """

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(260))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The merchant's own notes (support history, preferences).
    note: Mapped[str] = mapped_column(Text, default="")
    #: The language the shopper chose for messages ("" until they choose: their orders'
    #: language is used).
    locale: Mapped[str] = mapped_column(String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


#: What a consent is for: messages about the shopper's own orders and account, or news
#: and offers (marketing).
CONSENT_PURPOSES = ("transactional", "marketing")
#: Where a consent was given or withdrawn.
CONSENT_SOURCES = ("checkout", "account", "unsubscribe_link", "account_deleted")


class CustomerConsent(TenantOwned, db.Model):
    """One change of a customer's consent, kept as a log: the newest row per purpose
    and channel is what holds now, and the older ones show when and where it changed."""

    __tablename__ = "customer_consents"
    __table_args__ = (Index(None, "tenant_id", "customer_id", "purpose", "channel", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    #: ``sms`` or ``email``.
    channel: Mapped[str] = mapped_column(String(8))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
