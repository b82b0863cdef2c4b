"""Staff accounts, one set per store. Passwords are argon2 hashes."""

from __future__ import annotations

import secrets
from contextlib import suppress
from datetime import datetime
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned

ROLE_OWNER = "owner"
ROLE_STAFF = "staff"

_hasher = PasswordHasher()


class StaffUser(UserMixin, TenantOwned, db.Model):
    """A person who can sign in to one store's admin panel."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=ROLE_STAFF)
    # Rotated on password change and "sign out everywhere": retires emailed links
    # (core.staff.tokens), and any session started before it (core.staff.sessions).
    session_key: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Set while an invitation is open: the person has not chosen a password yet.
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The admin language this person chose; ``None`` means the store's language.
    locale: Mapped[str | None] = mapped_column(String(8))
    #: A mobile number for SMS alerts, as typed (checked to be one when saved).
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    #: Which alerts this person gets, by channel: ``{"new_order": ["email", "sms"], ...}``;
    #: ``None`` until they choose (see ``core.messaging.alerts.alert_channels``).
    alerts: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)

    #: The Flask-Login identity of the session this object was signed in with on this
    #: request (set by ``core.admin.auth``; not a column).
    session_identity: ClassVar[str | None] = None

    def set_password(self, password: str) -> None:
        """Hash and store ``password`` (argon2id)."""
        self.password_hash = _hasher.hash(password)
        self.session_key = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches; rehashes transparently when parameters change."""
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.password_hash = _hasher.hash(password)
        return True

    def get_id(self) -> str:
        """Flask-Login identity: the server-side session this request signed in with
        (``core.staff.sessions.identity``), never just the row id. Without one the
        identity names no session, so it signs nobody in."""
        return self.session_identity or f"{self.tenant_id}:{self.id}:-"

    @property
    def is_owner(self) -> bool:
        return self.role == ROLE_OWNER


class StaffSession(TenantOwned, db.Model):
    """One signed-in browser of a staff member (see :mod:`core.staff.sessions`).

    Only hashes of the secrets are kept: a copy of this table opens no admin. Deleting
    the row ends the session, its "keep me signed in" cookie included.
    """

    __tablename__ = "staff_sessions"
    __table_args__ = (Index(None, "tenant_id", "staff_user_id"),
                      Index(None, "tenant_id", "expires_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    #: SHA-256 (hex) of the secret in the browser's session cookie.
    token_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the "keep me signed in" cookie's secret; ``None`` without one.
    remember_hash: Mapped[str | None] = mapped_column(String(64))
    #: The hash the last rotation replaced, and when: a second tab that sent the same
    #: cookie at the same moment is refused quietly, not taken for a thief.
    previous_remember_hash: Mapped[str | None] = mapped_column(String(64))
    remember_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Last request seen (written at most once a minute); the idle timeout counts from it.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: No session outlives this, however busy (``REMEMBER_COOKIE_DURATION`` after sign-in).
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: "Firefox on Windows": what the account page lists the session as.
    user_agent: Mapped[str] = mapped_column(String(80), default="", server_default="")
    ip: Mapped[str] = mapped_column(String(45), default="", server_default="")


def verify_dummy_password(password: str) -> None:
    """Spend the same time as a real check, so unknown emails are not revealed by timing."""
    with suppress(VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH, password)


_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
