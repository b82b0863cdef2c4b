"""One-time sign-in links that carry a new owner from the platform host to their store.

Cookies are host-only, so the platform cannot log anyone in on a store's host. It
hands over a signed token instead; the token is valid for two minutes and only until
the owner's first sign-in (it embeds ``last_login_at``).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core.staff.models import StaffUser

MAX_AGE_SECONDS = 120


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="haat-owner-handoff")


def _stamp(user: StaffUser) -> str:
    return user.last_login_at.isoformat() if user.last_login_at else ""


def make_handoff_token(user: StaffUser) -> str:
    """A token that signs ``user`` in once on their store's host."""
    return _serializer().dumps({"t": user.tenant_id, "u": user.id, "l": _stamp(user)})


def redeem_handoff_token(token: str, tenant_id: int, load_user) -> StaffUser | None:
    """The user the token names, if it is fresh, unused and for this store."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != tenant_id:
        return None
    user = load_user(data.get("u"))
    if user is None or _stamp(user) != data.get("l"):
        return None
    return user
