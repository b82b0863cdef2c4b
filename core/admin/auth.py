"""Signing staff in and out of one store's admin panel."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from core.db import db, utcnow
from core.extensions import login_manager
from core.staff.models import StaffUser, verify_dummy_password
from core.web.tenancy import current_store

View = TypeVar("View", bound=Callable[..., Any])


def owner_required(view: View) -> View:
    """Only the store's owner may use ``view``: others get 403, visitors the sign-in page."""

    @wraps(view)
    def check_owner(*args: Any, **kwargs: Any) -> Any:
        if not getattr(current_user, "is_owner", False):
            abort(403)
        return view(*args, **kwargs)

    return login_required(check_owner)  # type: ignore[return-value]


def load_staff(identity: str) -> StaffUser | None:
    """Flask-Login loader: ``"<tenant>:<user>:<session key>"`` of the store in context."""
    store = current_store()
    try:
        tenant_id, user_id, session_key = identity.split(":", 2)
        tenant_id_int, user_id_int = int(tenant_id), int(user_id)
    except (AttributeError, ValueError):
        return None
    if store is None or tenant_id_int != store.id:
        return None
    user = db.session.get(StaffUser, user_id_int)
    if user is None or user.session_key != session_key:
        return None
    return user


def load_staff_by_id(user_id: object) -> StaffUser | None:
    """The staff user of the store in context with this row id."""
    if not isinstance(user_id, int):
        return None
    return db.session.get(StaffUser, user_id)


def authenticate(email: str, password: str) -> StaffUser | None:
    """The store's staff user with these credentials, or ``None`` (in constant-ish time)."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        verify_dummy_password(password)
        return None
    matches = user.check_password(password)
    # An open invitation has no password of its own yet: nothing signs it in.
    return user if matches and user.invited_at is None else None


def sign_in(user: StaffUser, *, remember: bool = False) -> None:
    """Start a session for ``user`` on this store's host and record the sign-in."""
    login_user(user, remember=remember)
    user.last_login_at = utcnow()
    db.session.commit()


def stay_signed_in(user: StaffUser) -> None:
    """Renew this browser's session after ``user``'s session key was rotated (which
    ended every other session), keeping "keep me signed in" if it was on."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


def login_rate_key() -> str:
    """Rate-limit sign-in attempts per store and client address."""
    store = current_store()
    return f"login:{store.id if store else '-'}:{get_remote_address()}"


def login_rate_limit() -> str:
    """Flask-Limiter limit string for sign-in attempts (``RATELIMIT_LOGIN``)."""
    return current_app.config["RATELIMIT_LOGIN"]


def forgot_rate_key() -> str:
    """Rate-limit "forgot your password" requests per store and client address."""
    store = current_store()
    return f"forgot:{store.id if store else '-'}:{get_remote_address()}"


def forgot_rate_limit() -> str:
    """Flask-Limiter limit string for password reset requests (``RATELIMIT_FORGOT``)."""
    return current_app.config["RATELIMIT_FORGOT"]


def init_app(app: Flask) -> None:
    """Configure Flask-Login for store-bound staff sessions."""
    login_manager.init_app(app)
    login_manager.user_loader(load_staff)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    # The flash is stored in the session cookie, which takes plain strings only.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
