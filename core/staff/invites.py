"""Inviting people to a store's admin: invite, re-send, cancel, accept.

An invited person gets an account at once, with ``invited_at`` set and a random
password nobody knows, so it cannot be signed in to (``core.admin.auth.authenticate``
also refuses open invitations). Accepting the emailed link sets their own password
and clears ``invited_at``. Re-sending replaces the random password, which retires
every earlier link (see :mod:`core.staff.tokens`).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.staff.emails import queue_staff_email
from core.staff.models import ROLE_OWNER, ROLE_STAFF, StaffUser
from core.staff.tokens import INVITE

ROLES = (ROLE_OWNER, ROLE_STAFF)


class AlreadyOnStaff(ValueError):
    """The email already has an account (or an open invitation) in this store."""


def normalise_email(email: str) -> str:
    """Emails are stored trimmed and lower case (sign-in compares them that way)."""
    return (email or "").strip().lower()


def find_by_email(email: str) -> StaffUser | None:
    """The store's account with this email, if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def _lock_out(user: StaffUser) -> None:
    # A real argon2 hash of a secret nobody keeps: the account has no usable password,
    # and checking one against it costs the same time as for any other account.
    user.set_password(secrets.token_urlsafe(32))


def invite(email: str, role: str, *, inviter: StaffUser, base_url: str) -> StaffUser:
    """Create the invited account and email its link; :class:`AlreadyOnStaff` if taken."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    address = normalise_email(email)
    if find_by_email(address) is not None:
        raise AlreadyOnStaff(address)
    user = StaffUser(email=address, role=role, invited_at=utcnow())
    _lock_out(user)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # invited by someone else a moment ago
        db.session.rollback()
        raise AlreadyOnStaff(address) from None
    queue_staff_email(user, INVITE, base_url, inviter=inviter.email)
    db.session.commit()
    return user


def resend(user: StaffUser, *, inviter: StaffUser, base_url: str) -> None:
    """Email a fresh link (valid for another 7 days); earlier links stop working."""
    if user.invited_at is None:
        raise ValueError("this person has accepted their invitation already")
    _lock_out(user)
    user.invited_at = utcnow()
    queue_staff_email(user, INVITE, base_url, inviter=inviter.email)
    db.session.commit()


def accept(user: StaffUser, password: str) -> None:
    """Set the invited person's own password; the account is now usable."""
    user.set_password(password)
    user.invited_at = None
    db.session.commit()


def active_owner_ids() -> list[int]:
    """The owners of the store who can sign in (open invitations do not count).

    Their rows stay locked until the commit (PostgreSQL), so two owners demoting or
    removing each other at the same moment cannot leave the store without one.
    """
    return list(db.session.scalars(
        select(StaffUser.id).where(StaffUser.role == ROLE_OWNER, StaffUser.invited_at.is_(None))
        .order_by(StaffUser.id).with_for_update()))
