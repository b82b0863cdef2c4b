"""Server-side staff sessions: signing out really ends them.

Each sign-in makes a :class:`~core.staff.models.StaffSession` row. The browser holds its
id and a random secret (in the signed session cookie, and a second secret in the
"keep me signed in" cookie); the row keeps only SHA-256 hashes of the secrets. So:

* signing out deletes the row, and a copy of either cookie taken earlier opens nothing;
* "sign out everywhere" and a password change delete every row of the account;
* a session unused for the idle timeout (``HAAT_ADMIN_IDLE_MINUTES``) ends; a browser
  that chose "keep me signed in" gets a fresh session from its remember cookie instead;
* each use of a remember cookie replaces both secrets: the used cookie stops working.
  A used one coming back means two browsers hold it (one of them a thief), so the
  session is ended for both, unless it is the one just replaced, within a minute: that
  is a second tab of the same browser, refused without ending anything.

A cookie's identity is ``"<tenant>:<user>:<session key>:<session id>:<secret>"``; the
account's ``session_key`` (rotated with the password) is checked too. Ended and expired
rows are purged when someone signs in to the same store (:func:`purge`).

This module knows nothing of Flask's request: ``core.admin.auth`` is the glue.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select

from core.clock import aware
from core.db import db, utcnow
from core.staff.models import StaffSession, StaffUser

#: Idle minutes when ``HAAT_ADMIN_IDLE_MINUTES`` is not set.
DEFAULT_IDLE_MINUTES = 120
#: ``last_seen_at`` is written at most this often, so a page view rarely writes.
SEEN_STEP = timedelta(minutes=1)
#: How long after a rotation the replaced remember cookie is refused quietly (a second
#: tab's request) rather than taken for a copy, which ends the session.
REMEMBER_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Issued:
    """The cookie identities of a session just started or renewed (the secrets in
    clear, which only the browser keeps); ``remember`` is ``None`` without one."""

    row: StaffSession
    session: str
    remember: str | None


@dataclass(frozen=True)
class Checked:
    """What a session cookie's identity came to: the signed-in person, or ``None``;
    ``idle`` is true when it named a live session that was left unused too long."""

    user: StaffUser | None
    row: StaffSession | None = None
    idle: bool = False


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _matches(secret: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(_hash(secret), stored)


def _identity(user: StaffUser, row: StaffSession, secret: str) -> str:
    return f"{user.tenant_id}:{user.id}:{user.session_key}:{row.id}:{secret}"


def _parse(identity: object, tenant_id: int) -> tuple[int, str, int, str] | None:
    """``(user id, session key, session id, secret)`` of an identity of this store."""
    try:
        tenant, user, key, session_id, secret = str(identity).split(":", 4)
        if int(tenant) != tenant_id or not secret:
            return None
        return int(user), key, int(session_id), secret
    except ValueError:
        return None


def _owner(row: StaffSession | None, user_id: int, key: str) -> StaffUser | None:
    """The row's staff member, if the identity names them with their current key."""
    if row is None or row.staff_user_id != user_id:
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or not hmac.compare_digest(user.session_key, key):
        return None
    return user


def _issue(user: StaffUser, row: StaffSession, *, remember: bool) -> Issued:
    """New secrets for ``row`` (hashes stored; flushes so a new row has its id)."""
    secret = secrets.token_urlsafe(32)
    row.token_hash = _hash(secret)
    remember_secret = secrets.token_urlsafe(32) if remember else None
    if row.remember_hash is not None:
        row.previous_remember_hash, row.remember_rotated_at = row.remember_hash, utcnow()
    row.remember_hash = _hash(remember_secret) if remember_secret else None
    db.session.flush()
    return Issued(row, _identity(user, row, secret),
                  _identity(user, row, remember_secret) if remember_secret else None)


def start(user: StaffUser, *, remember: bool, lifetime: timedelta,
          user_agent: str = "", ip: str = "") -> Issued:
    """Start a session for ``user`` (not committed). It ends ``lifetime`` from now at
    the latest, however busy; ``remember`` adds a "keep me signed in" secret."""
    now = utcnow()
    row = StaffSession(staff_user_id=user.id, token_hash="", remember=remember,
                       created_at=now, last_seen_at=now, expires_at=now + lifetime,
                       user_agent=describe_browser(user_agent), ip=(ip or "")[:45])
    db.session.add(row)
    return _issue(user, row, remember=remember)


def renew(user: StaffUser, row: StaffSession) -> Issued:
    """Fresh secrets for a live session (not committed): the old cookies stop working."""
    row.last_seen_at = utcnow()
    return _issue(user, row, remember=row.remember)


def _expired(row: StaffSession, now: datetime) -> bool:
    return aware(row.expires_at) <= now


def check(identity: object, tenant_id: int, idle: timedelta) -> Checked:
    """The session cookie's ``identity`` on store ``tenant_id``: whose live session it is.

    ``Checked.row`` comes back with ``last_seen_at`` moved on when a minute has passed
    (not committed: see :func:`needs_touch`)."""
    parsed = _parse(identity, tenant_id)
    if parsed is None:
        return Checked(None)
    user_id, key, session_id, secret = parsed
    row = db.session.get(StaffSession, session_id)
    user = _owner(row, user_id, key)
    if user is None or row is None or not _matches(secret, row.token_hash):
        return Checked(None)
    now = utcnow()
    if _expired(row, now):
        return Checked(None)
    if now - aware(row.last_seen_at) >= idle:
        return Checked(None, row, idle=True)
    return Checked(user, row)


def needs_touch(row: StaffSession) -> bool:
    """Whether ``row``'s last-seen time is a minute old or more (worth writing)."""
    return utcnow() - aware(row.last_seen_at) >= SEEN_STEP


def touch(row: StaffSession) -> None:
    """Record that ``row`` was used now (not committed)."""
    row.last_seen_at = utcnow()


def restore(identity: object, tenant_id: int) -> tuple[StaffUser, Issued] | None:
    """Sign a browser back in from its remember cookie's ``identity`` (not committed):
    both secrets are replaced, so this cookie works once. A remember secret that was
    already used ends the session (someone else holds a copy)."""
    parsed = _parse(identity, tenant_id)
    if parsed is None:
        return None
    user_id, key, session_id, secret = parsed
    row = db.session.get(StaffSession, session_id)
    user = _owner(row, user_id, key)
    if user is None or row is None or row.remember_hash is None:
        return None
    if not _matches(secret, row.remember_hash):
        if _just_replaced(row, secret):
            return None  # another tab's request raced the rotation: refused, nothing ends
        db.session.delete(row)  # a used (copied) cookie: end the session for both
        return None
    if _expired(row, utcnow()):
        return None
    return user, renew(user, row)


def _just_replaced(row: StaffSession, secret: str) -> bool:
    """Whether ``secret`` is the remember secret the last rotation replaced, within
    :data:`REMEMBER_GRACE` of it (two tabs restoring at once send the same cookie)."""
    rotated = row.remember_rotated_at
    return (rotated is not None and utcnow() - aware(rotated) <= REMEMBER_GRACE
            and _matches(secret, row.previous_remember_hash))


def end(row: StaffSession | None) -> None:
    """End one session (not committed)."""
    if row is not None:
        db.session.delete(row)


def end_all(user: StaffUser, *, keep: StaffSession | None = None) -> None:
    """End every session of ``user`` but ``keep`` (not committed)."""
    query = delete(StaffSession).where(StaffSession.staff_user_id == user.id)
    if keep is not None:
        query = query.where(StaffSession.id != keep.id)
    db.session.execute(query, execution_options={"synchronize_session": "fetch"})


def purge(idle: timedelta) -> int:
    """Delete this store's ended sessions: past their expiry, or idle too long without
    a remember cookie to bring them back. Returns how many (not committed)."""
    now = utcnow()
    query = delete(StaffSession).where(or_(
        StaffSession.expires_at <= now,
        and_(StaffSession.remember.is_(False), StaffSession.last_seen_at <= now - idle)))
    return db.session.execute(query, execution_options={"synchronize_session": False}).rowcount


def live_sessions_of(user: StaffUser, idle: timedelta) -> list[StaffSession]:
    """``user``'s sessions that can still be used, most recently used first."""
    now = utcnow()
    return list(db.session.scalars(
        select(StaffSession).where(
            StaffSession.staff_user_id == user.id, StaffSession.expires_at > now,
            or_(StaffSession.remember.is_(True), StaffSession.last_seen_at > now - idle))
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())))


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def describe_browser(user_agent: str) -> str:
    """A short name for a User-Agent header, "Firefox / Windows"; "" when unknown.
    (Browser and system names are the same in every language, so not translated.)"""
    agent = re.sub(r"\s+", " ", user_agent or "")
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in agent), "")
    return " / ".join(part for part in (browser, system) if part)[:80]
