"""Stores, their host names, and the mixin that marks rows as owned by one store."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.db import db, utcnow

TENANT_ACTIVE = "active"
TENANT_SUSPENDED = "suspended"


class TenantOwned:
    """Mixin for every table whose rows belong to exactly one store.

    ``tenant_id`` is NOT NULL and indexed, and must lead every unique constraint and
    composite index of the table (so the table can later be distributed by it).
    Queries are filtered and flushes checked by ``tenants.scoping``.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False, index=True
        )


def password_stamp(password_hash: str | None) -> str:
    """:attr:`Tenant.entry_stamp` of a stored storefront password hash."""
    if not password_hash:
        return ""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Tenant(db.Model):
    """A store: its identity, locale, currency and status."""

    __tablename__ = "tenants"
    # Never reuse a deleted store's id: caches and logs key on it.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=TENANT_ACTIVE)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: ISO 3166-1 alpha-2 code of the country the store sells from; "" when unknown.
    country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    bengali_digits: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Order messages by SMS too when the shopper also gave an email (otherwise SMS
    #: go only to shoppers who gave just a phone number).
    sms_with_email: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    #: IANA zone name; the admin's "today" and dashboard days follow it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    theme: Mapped[str] = mapped_column(String(40), default="default", server_default="default")
    #: False while the store is "coming soon": shoppers get a password page instead of
    #: the storefront (``core/storefront/coming_soon.py``). Stores from the sign-up page
    #: start closed; the owner opens them under Settings -> Store status.
    open: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: An argon2 hash of the password that lets a shopper's browser into a store that is
    #: not open yet; "" when there is none (then only the store's staff get in).
    storefront_password: Mapped[str] = mapped_column(String(255), default="",
                                                     server_default="")
    #: The owner's words on the coming-soon page (plain text).
    coming_soon_message: Mapped[str] = mapped_column(String(500), default="",
                                                     server_default="")
    #: The owner hid the dashboard's getting-started list.
    setup_list_hidden: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    # Bumped with every change to what storefront pages show (catalogue, pages, theme
    # settings); part of the page-cache key, so a change is visible on the next request.
    content_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Bumped on every change to the store's plugin switches or settings, so that every
    # worker notices on its next request and rebuilds its per-store hook relay.
    plugins_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    @property
    def entry_stamp(self) -> str:
        """A short fingerprint of the storefront password, ``""`` without one. A browser
        let in with the password remembers it, so a new password (or none) shuts out
        every browser let in with the old one. It reveals nothing of the password."""
        return password_stamp(self.storefront_password)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Domain(TenantOwned, db.Model):
    """A custom host name a store claims, e.g. ``shop.example.com``.

    A claim is made by typing the name; it routes nothing until the store proves it owns
    the name (DNS, ``core/admin/domain_checks.py``) and it is marked ``verified``. Any
    number of stores may hold *unverified* claims on one name (so a squatter cannot
    block the real owner), but at most one row per name is verified: the partial unique
    index on ``hostname`` is the one routing rule that breaks the "tenant_id leads every
    unique constraint" rule; under Citus it would be a reference table. Unverified claims
    lapse after ``HAAT_DOMAIN_PENDING_HOURS`` (``core/admin/domain_claims.py``).
    """

    __tablename__ = "domains"
    __table_args__ = (
        UniqueConstraint("tenant_id", "hostname"),
        # Only a verified domain routes traffic, so only one store may hold it verified.
        Index(None, "hostname", unique=True, sqlite_where=text("verified"),
              postgresql_where=text("verified")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(String(253))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The store proves it owns the domain with a TXT record holding this token
    #: (``core/admin/domain_checks.py``); empty for domains an operator added by hand.
    verification_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(24), server_default="")
    #: When the claim was made (or last renewed by adding the name again): an unverified
    #: claim lapses ``HAAT_DOMAIN_PENDING_HOURS`` after it.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
