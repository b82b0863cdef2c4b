"""Signing staff in and out of one store's admin panel.

Flask-Login carries the identity of a server-side session (:mod:`core.staff.sessions`)
in the signed session cookie. "Keep me signed in" is Haat's own cookie
(:data:`REMEMBER_COOKIE`), read by Flask-Login's request loader, because its secret must
change each time it is used: Flask-Login's remember cookie only repeats the identity.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Request, abort, current_app, flash, g, redirect, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.utils import login_url
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.clock import aware
from core.db import db, nothing_unsaved, track_unsaved_writes, utcnow
from core.extensions import login_manager
from core.staff import sessions
from core.staff.models import StaffSession, StaffUser, verify_dummy_password
from core.web.client_address import client_address
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


#: The "keep me signed in" cookie (host-only, like the session cookie).
REMEMBER_COOKIE = "haat_remember"
#: Flask-Login's own remember cookie, from before sessions were kept on the server: it
#: is deleted when seen (while present, Flask-Login would not ask for ours).
LEGACY_REMEMBER_COOKIE = "remember_token"


def idle_timeout() -> timedelta:
    """How long an admin session may go unused (``HAAT_ADMIN_IDLE_MINUTES``, at least 1)."""
    return timedelta(minutes=max(1, int(current_app.config["HAAT_ADMIN_IDLE_MINUTES"])))


def _lifetime() -> timedelta:
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=30))
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def current_session() -> StaffSession | None:
    """The server-side session this request is signed in with, if any."""
    return g.get("haat_staff_session") if current_user.is_authenticated else None


def load_staff(identity: str) -> StaffUser | None:
    """Flask-Login loader: the live session ``identity`` names, on the store in context."""
    store = current_store()
    if store is None:
        return None
    checked = sessions.check(identity, store.id, idle_timeout())
    if checked.idle:
        g.haat_session_idle = True  # ask_to_sign_in says why
    if checked.user is None or checked.row is None:
        return None
    # Last-seen is written at most once a minute, and only when that commit carries
    # nothing of the view's (a view may rely on its unsaved changes being dropped).
    if sessions.needs_touch(checked.row) and nothing_unsaved():
        sessions.touch(checked.row)
        db.session.commit()
    checked.user.session_identity = identity
    g.haat_staff_session = checked.row
    return checked.user


def load_remembered(incoming: Request) -> StaffUser | None:
    """Flask-Login request loader: a new session from the "keep me signed in" cookie,
    which is replaced (its secret works once)."""
    store = current_store()
    cookie = incoming.cookies.get(REMEMBER_COOKIE)
    if store is None or not cookie:
        return None
    restored = sessions.restore(cookie, store.id)
    db.session.commit()  # the new secrets (or the ended session) stick before cookies go out
    if restored is None:
        g.haat_forget_remember = True
        return None
    user, issued = restored
    _begin(user, issued, fresh=False)
    return user


def _begin(user: StaffUser, issued: sessions.Issued, *, fresh: bool = True) -> None:
    """Put ``issued``'s identities in this browser's cookies."""
    user.session_identity = issued.session
    login_user(user, fresh=fresh)
    g.haat_staff_session = issued.row
    if issued.remember:
        g.haat_set_remember = (issued.remember, aware(issued.row.expires_at))
    else:
        g.haat_forget_remember = True


def _write_remember_cookie(response: Response) -> Response:
    config = current_app.config
    where = {"path": config.get("REMEMBER_COOKIE_PATH", "/"),
             "domain": config.get("REMEMBER_COOKIE_DOMAIN")}
    remember: tuple[str, datetime] | None = g.get("haat_set_remember")
    if remember is not None:
        response.set_cookie(REMEMBER_COOKIE, remember[0], expires=remember[1],
                            secure=config.get("REMEMBER_COOKIE_SECURE", False),
                            httponly=config.get("REMEMBER_COOKIE_HTTPONLY", True),
                            samesite=config.get("REMEMBER_COOKIE_SAMESITE", "Lax"), **where)
    elif g.get("haat_forget_remember") and REMEMBER_COOKIE in request.cookies:
        response.delete_cookie(REMEMBER_COOKIE, **where)
    if LEGACY_REMEMBER_COOKIE in request.cookies:
        response.delete_cookie(LEGACY_REMEMBER_COOKIE, **where)
    return response


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
    """Start a session for ``user`` on this store's host and record the sign-in.

    The store's ended sessions are purged here (so the table holds only live ones and
    those of people who have not come back since)."""
    sessions.purge(idle_timeout())
    issued = sessions.start(user, remember=remember, lifetime=_lifetime(),
                            user_agent=request.user_agent.string,
                            ip=request.remote_addr or "")
    user.last_login_at = utcnow()
    db.session.commit()
    _begin(user, issued)


def stay_signed_in(user: StaffUser) -> None:
    """Keep this browser signed in after ``user``'s password changed: every other
    session of the account ends, this one gets new secrets ("keep me signed in"
    stays on if it was)."""
    here = g.get("haat_staff_session")
    sessions.end_all(user, keep=here)
    if here is None:
        db.session.commit()
        sign_in(user)
        return
    issued = sessions.renew(user, here)
    db.session.commit()
    _begin(user, issued)


def _forget_browser() -> None:
    logout_user()
    g.haat_forget_remember = True
    g.pop("haat_staff_session", None)


def sign_out() -> None:
    """End this browser's session on the server: copies of its cookies stop working."""
    sessions.end(current_session())
    db.session.commit()
    _forget_browser()


def end_every_session(user: StaffUser) -> None:
    """End every session of ``user``, this one and "keep me signed in" included; emailed
    password links of the account stop working too (its session key changes)."""
    user.session_key = secrets.token_hex(16)
    sessions.end_all(user)
    db.session.commit()
    _forget_browser()


def ask_to_sign_in() -> Response:
    """Flask-Login's unauthorized handler: to the sign-in page, which sends the person
    back to the page they asked for; after an idle timeout it says so."""
    if g.get("haat_session_idle"):
        flash(_("You were signed out after a while without activity. Sign in to carry on."),
              "info")
    else:
        flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def login_rate_key() -> str:
    """Rate-limit sign-in attempts per store and client address."""
    store = current_store()
    return f"login:{store.id if store else '-'}:{client_address()}"


def login_rate_limit() -> str:
    """Flask-Limiter limit string for sign-in attempts (``RATELIMIT_LOGIN``)."""
    return current_app.config["RATELIMIT_LOGIN"]


def forgot_rate_key() -> str:
    """Rate-limit "forgot your password" requests per store and client address."""
    store = current_store()
    return f"forgot:{store.id if store else '-'}:{client_address()}"


def forgot_rate_limit() -> str:
    """Flask-Limiter limit string for password reset requests (``RATELIMIT_FORGOT``)."""
    return current_app.config["RATELIMIT_FORGOT"]


def init_app(app: Flask) -> None:
    """Configure Flask-Login for store-bound staff sessions."""
    login_manager.init_app(app)
    login_manager.user_loader(load_staff)
    login_manager.request_loader(load_remembered)
    login_manager.unauthorized_handler(ask_to_sign_in)
    app.after_request(_write_remember_cookie)
    track_unsaved_writes()
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Please sign in to continue.")
    # The flash is stored in the session cookie, which takes plain strings only.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
