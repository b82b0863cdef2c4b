"""Server-side shopper sessions: signing out really ends them.

Each sign-in makes a :class:`~core.accounts.models.ShopperSession` row. The browser holds
its id and a random secret in the store's signed session cookie; the row keeps only a
SHA-256 hash of the secret. So:

* signing out deletes the row, and a copy of the cookie taken earlier opens nothing;
* "sign out everywhere" and erasing the account delete every row of the contact;
* a session ends 30 days after sign-in at the latest (the row's ``expires_at``).

A cookie's identity is ``"<tenant>:<session id>:<secret>"``. Ended and expired rows are
purged when a shopper signs in to the same store (:func:`purge`). This module knows
nothing of Flask's request: :mod:`core.accounts.identity` is the glue.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update

from core.accounts.models import ShopperSession
from core.clock import aware
from core.db import db, utcnow

#: ``last_seen_at`` is written at most this often, so a page view rarely writes.
SEEN_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Live:
    """A session cookie that names a live session: its row's id and contact, and
    whether its last-seen time is worth writing (a minute old or more)."""

    session_id: int
    channel: str
    contact: str
    stale_seen: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(identity: object, tenant_id: int) -> tuple[int, str] | None:
    """``(session id, secret)`` of an identity of this store, else ``None``."""
    try:
        tenant, session_id, secret = str(identity).split(":", 2)
        if int(tenant) != tenant_id or not secret:
            return None
        return int(session_id), secret
    except ValueError:
        return None


def start(channel: str, contact: str, lifetime: timedelta) -> str:
    """Start a session for whoever proved ``contact`` (flushed, not committed) and
    return the cookie identity (the secret in clear, which only the browser keeps)."""
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    row = ShopperSession(channel=channel, contact=contact, token_hash=_hash(secret),
                         created_at=now, last_seen_at=now, expires_at=now + lifetime)
    db.session.add(row)
    db.session.flush()  # for its id
    return f"{row.tenant_id}:{row.id}:{secret}"


def check(identity: object, tenant_id: int) -> Live | None:
    """The live session a cookie's ``identity`` names on store ``tenant_id``, or ``None``
    (another store's, ended, expired, or a wrong secret). One query by primary key."""
    parsed = _parse(identity, tenant_id)
    if parsed is None:
        return None
    session_id, secret = parsed
    row = db.session.get(ShopperSession, session_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    if not hmac.compare_digest(_hash(secret), row.token_hash):
        return None
    now = utcnow()
    if aware(row.expires_at) <= now:
        return None
    return Live(row.id, row.channel, row.contact,
                stale_seen=now - aware(row.last_seen_at) >= SEEN_STEP)


def touch(session_id: int) -> None:
    """Record that the session was used now (not committed)."""
    db.session.execute(update(ShopperSession).where(ShopperSession.id == session_id)
                       .values(last_seen_at=utcnow())
                       .execution_options(synchronize_session=False))


def end(session_id: int) -> None:
    """End one session (not committed)."""
    db.session.execute(delete(ShopperSession).where(ShopperSession.id == session_id)
                       .execution_options(synchronize_session=False))


def end_all(contact: str) -> None:
    """End every session of whoever proved ``contact`` in this store (not committed)."""
    db.session.execute(delete(ShopperSession).where(ShopperSession.contact == contact)
                       .execution_options(synchronize_session=False))


def purge() -> int:
    """Delete this store's expired sessions; returns how many (not committed)."""
    query = delete(ShopperSession).where(ShopperSession.expires_at <= utcnow())
    return db.session.execute(query, execution_options={"synchronize_session": False}).rowcount
