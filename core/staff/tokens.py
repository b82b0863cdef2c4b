"""Signed links for staff: resetting a forgotten password and accepting an invitation.

A token names the store and the user and carries a fingerprint of the user's current
password hash and session key. Setting a password changes both, so a link works once;
re-sending an invitation replaces the unusable password, so only the newest invitation
link works. No table is needed. Reset links last an hour, invitations seven days.

Reset links do not replace each other: issuing one must not change the account (anyone
can ask for a reset), so every unused reset link stays valid until it expires or a
password is set.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.staff.models import StaffUser

RESET = "reset"
INVITE = "invite"
#: How long each kind of link works, in seconds.
MAX_AGE_SECONDS = {RESET: 60 * 60, INVITE: 7 * 24 * 60 * 60}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # One salt per purpose: a reset token is never accepted as an invitation.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"haat-staff-{purpose}")


def fingerprint(user: StaffUser) -> str:
    """A short digest of what setting a password (or re-inviting) changes."""
    material = f"{user.email}\0{user.password_hash}\0{user.session_key}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def make_token(user: StaffUser, purpose: str) -> str:
    """A link token for ``purpose`` (:data:`RESET` or :data:`INVITE`) naming ``user``."""
    if purpose not in MAX_AGE_SECONDS:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _serializer(purpose).dumps({"t": user.tenant_id, "u": user.id,
                                       "f": fingerprint(user)})


def read_token(token: str, purpose: str, tenant_id: int,
               load_user: Callable[[object], StaffUser | None]) -> StaffUser | None:
    """The user a fresh, unused ``purpose`` token of store ``tenant_id`` names, else None.

    An invitation token only works while the invitation is open; a reset token only
    for an account that has accepted its invitation.
    """
    if purpose not in MAX_AGE_SECONDS or not token or len(token) > 1000:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE_SECONDS[purpose])
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("t") != tenant_id:
        return None
    user = load_user(data.get("u"))
    if user is None or user.tenant_id != tenant_id:
        return None
    if not hmac.compare_digest(fingerprint(user), str(data.get("f", ""))):
        return None
    pending = user.invited_at is not None
    if pending != (purpose == INVITE):
        return None
    return user
