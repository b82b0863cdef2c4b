"""Signing in without a password: accepting an invitation, resetting a forgotten password,
and the signed-in person's own account page.

Emailed links carry signed tokens (:mod:`core.staff.tokens`) that work once, on the
store that sent them. Setting a password ends every other session and "keep me signed
in" cookie of that account (:mod:`core.staff.sessions`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from core.admin.auth import (
    current_session,
    end_every_session,
    forgot_rate_key,
    forgot_rate_limit,
    idle_timeout,
    load_staff_by_id,
    login_rate_key,
    login_rate_limit,
    sign_in,
    stay_signed_in,
)
from core.admin.forms import (
    MIN_PASSWORD,
    ChangePasswordForm,
    ForgotForm,
    NewPasswordForm,
    role_choices,
)
from core.admin.language import admin_languages
from core.db import column_length, db
from core.extensions import limiter
from core.messaging.alerts import ALERTS, LOW_STOCK_LEVEL, alert_channels
from core.messaging.phones import to_e164
from core.staff import invites, sessions
from core.staff.emails import queue_staff_email
from core.staff.models import StaffUser
from core.staff.tokens import INVITE, RESET, read_token
from core.web.templating import number_filter
from core.web.tenancy import current_store

#: The longest alert phone number accepted, as typed.
MAX_ALERT_PHONE = column_length(StaffUser.phone)  # the column that keeps it

bp = Blueprint("admin_account", __name__, url_prefix="/admin")


@bp.after_request
def _keep_tokens_private(response: Response) -> Response:
    # Reset and invitation links carry their token in the path: never pass it on
    # to another site in a Referer header, and never keep these pages in a cache.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _page(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template(template, store=current_store(), min_password=MIN_PASSWORD,
                           **context), status


# ------------------------------------------------------------- forgotten password


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(forgot_rate_limit, key_func=forgot_rate_key, methods=["POST"])
def forgot() -> Response | tuple[str, int]:
    """Ask for a reset link. The answer is the same whether or not the email has an
    account, so the page cannot be used to find out who works at a store."""
    form = ForgotForm()
    if not form.validate_on_submit():
        return _page("admin/account/forgot.html", 422 if form.is_submitted() else 200,
                     form=form)
    user = invites.find_by_email(form.email.data)
    if user is not None and user.invited_at is None:
        queue_staff_email(user, RESET, request.host_url)
        db.session.commit()  # hands the email to the job queue
    flash(_("If an account exists for that email, we sent a link to choose a new password. "
            "It works for one hour."), "info")
    return redirect(url_for("admin.login"), 303)


def _link_refused() -> tuple[str, int]:
    return _page("admin/account/link_refused.html", 404)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response | tuple[str, int]:
    """Choose a new password with an emailed link, then carry on signed in."""
    user = read_token(token, RESET, current_store().id, load_staff_by_id)
    if user is None:
        return _link_refused()
    form = NewPasswordForm()
    if request.method == "GET" or not form.check(user.email):
        return _page("admin/account/set_password.html",
                     422 if request.method == "POST" else 200, form=form, user=user,
                     purpose=RESET)
    user.set_password(form.password.data)
    sessions.end_all(user)  # whoever else was signed in as this person is not any more
    sign_in(user)
    flash(_("Your password is changed, and you are signed in."), "success")
    return redirect(url_for("admin.home"), 303)


# -------------------------------------------------------------------- invitations


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> Response | tuple[str, int]:
    """Accept an invitation: choose a password, then carry on signed in."""
    store = current_store()
    user = read_token(token, INVITE, store.id, load_staff_by_id)
    if user is None:
        return _link_refused()
    form = NewPasswordForm()
    if request.method == "GET" or not form.check(user.email):
        return _page("admin/account/set_password.html",
                     422 if request.method == "POST" else 200, form=form, user=user,
                     purpose=INVITE)
    invites.accept(user, form.password.data)
    sign_in(user)
    flash(_("Welcome to %(store)s! Your account is ready.", store=store.name), "success")
    return redirect(url_for("admin.home"), 303)


# ------------------------------------------------------------------- own account


ALERT_LABELS = {
    "new_order": _l("A new order"),
    "payment_failed": _l("A payment failed"),
    "low_stock": _l("Stock runs low (%(count)s or fewer left)"),
}


def _alerts_form(user: StaffUser) -> dict[str, object]:
    """The alerts section as saved: the phone and the boxes ticked."""
    return {"phone": user.phone,
            "ticked": {f"{alert}.{channel}" for alert in ALERTS
                       for channel in alert_channels(user, alert)},
            "errors": {}}


def _account_page(form: ChangePasswordForm, status: int = 200,
                  alerts: dict[str, object] | None = None) -> tuple[str, int]:
    roles = {choice.value: choice.label for choice in role_choices()}
    return _page("admin/account/index.html", status, form=form,
                 role_label=roles.get(current_user.role, current_user.role),
                 languages=admin_languages(), store_language=current_store().locale,
                 alerts=alerts or _alerts_form(current_user._get_current_object()),
                 alert_names=ALERTS, alert_labels=ALERT_LABELS, low_stock=LOW_STOCK_LEVEL,
                 signed_in=sessions.live_sessions_of(current_user._get_current_object(),
                                                     idle_timeout()),
                 current=current_session(), phone_limit=MAX_ALERT_PHONE)


@bp.get("/account")
@login_required
def index() -> tuple[str, int]:
    """Your email and role, changing your password, signing out everywhere."""
    return _account_page(ChangePasswordForm(formdata=None))


@bp.post("/account/password")
@limiter.limit(login_rate_limit, key_func=login_rate_key, methods=["POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    """Change your password; every other session of your account ends."""
    form = ChangePasswordForm()
    user: StaffUser = current_user._get_current_object()
    valid = form.check(user.email)
    if not user.check_password(form.current.data or ""):
        form.current.errors.append(_("That is not your current password."))
        valid = False
    if not valid:
        return _account_page(form, 422)
    user.set_password(form.password.data)
    db.session.commit()
    stay_signed_in(user)
    flash(_("Your password is changed. You are signed out on every other device."), "success")
    return redirect(url_for("admin_account.index"), 303)


@bp.post("/account/language")
@login_required
def change_language() -> Response:
    """The language the admin is shown in for you; empty means the store's language."""
    chosen = request.form.get("locale", "")
    user: StaffUser = current_user._get_current_object()
    if chosen and chosen not in admin_languages():
        flash(_("Choose one of the languages listed."), "error")
        return redirect(url_for("admin_account.index"), 303)
    user.locale = chosen or None
    db.session.commit()
    refresh()  # this response already speaks the new language
    flash(_("The admin now speaks your chosen language."), "success")
    return redirect(url_for("admin_account.index"), 303)


@bp.post("/account/alerts")
@login_required
def save_alerts() -> Response | tuple[str, int]:
    """Which alerts you get, by email and SMS, and the mobile number for SMS."""
    user: StaffUser = current_user._get_current_object()
    phone = " ".join(request.form.get("phone", "").split())  # checked below, never cut
    ticked = {name for name in request.form if "." in name
              and name.split(".", 1)[0] in ALERTS
              and name.split(".", 1)[1] in ("email", "sms")}
    errors: dict[str, str] = {}
    wants_sms = any(name.endswith(".sms") for name in ticked)
    if len(phone) > MAX_ALERT_PHONE:
        errors["phone"] = _("Write the number in at most %(n)s characters.",
                            n=number_filter(MAX_ALERT_PHONE))
    elif phone and to_e164(phone, current_store().country) is None:
        errors["phone"] = _("Enter a mobile number that can receive SMS, e.g. 01712-345678.")
    elif wants_sms and not phone:
        errors["phone"] = _("Enter your mobile number to get alerts by SMS.")
    if errors:
        return _account_page(ChangePasswordForm(formdata=None), 422,
                             {"phone": phone, "ticked": ticked, "errors": errors})
    user.phone = phone
    user.alerts = {alert: sorted(c for c in ("email", "sms") if f"{alert}.{c}" in ticked)
                   for alert in ALERTS}
    db.session.commit()
    flash(_("Your alerts are saved."), "success")
    return redirect(url_for("admin_account.index") + "#alerts", 303)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """End every session of your account, this one and "keep me signed in" included."""
    end_every_session(current_user._get_current_object())
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("admin.login"), 303)
