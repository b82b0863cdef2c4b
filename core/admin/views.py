"""Signing in and out of the admin panel; ``/admin`` itself is the dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from core.admin import dashboard
from core.admin.auth import (
    authenticate,
    load_staff_by_id,
    login_rate_key,
    login_rate_limit,
    sign_in,
    sign_out,
)
from core.admin.forms import LoginForm
from core.extensions import limiter
from core.staff.handoff import redeem_handoff_token
from core.web.tenancy import current_store

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_url_rule("/", "home", dashboard.home)
bp.add_url_rule("/setup-list", "setup_list", dashboard.setup_list, methods=["POST"])


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return url_for("admin.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, key_func=login_rate_key, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    """Sign in with email and password; errors keep what was typed (but the password)."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors = [_("That email and password do not match an account here.")]
    status = 422 if form.is_submitted() else 200
    return render_template("admin/login.html", form=form, store=current_store()), status


@bp.get("/welcome")
def welcome() -> Response | tuple[str, int]:
    """Redeem the one-time link from sign-up and sign the new owner in."""
    store = current_store()
    user = redeem_handoff_token(request.args.get("token", ""), store.id, load_staff_by_id)
    if user is None:
        flash(_("That sign-in link has expired. Please sign in with your password."), "info")
        return redirect(url_for("admin.login"), 303)
    sign_in(user)
    if store.open:
        flash(_("Welcome to Haat! %(store)s is live.", store=store.name), "success")
    else:
        flash(_("Welcome to Haat! Set up %(store)s here: shoppers see a “coming soon” page "
                "until you open it.", store=store.name), "success")
    return redirect(url_for("admin.home"), 303)


@bp.post("/logout")
def logout() -> Response:
    """End this browser's session on the server: a copy of its cookies opens nothing."""
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("admin.login"), 303)
