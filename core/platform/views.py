"""Platform pages: the home page that explains Haat, and store sign-up."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import gettext as _
from limits import parse_many
from werkzeug.wrappers import Response

from core.platform import challenge
from core.platform.forms import SignupForm
from core.platform.signup import sign_up
from core.staff.handoff import make_handoff_token
from core.web.allowance import use_allowance
from core.web.client_address import client_address
from core.web.urls import store_url
from tenants import tenant_scope
from tenants.provisioning import ProvisioningError

bp = Blueprint("platform", __name__)


@bp.get("/")
def home() -> str:
    """What Haat is, and the way in."""
    return render_template("platform/home.html", form=SignupForm())


def _form_page(form: SignupForm, status: int, problem: str = "") -> tuple[str, int]:
    # Every showing gets a fresh challenge token: a refused form can be sent again.
    return render_template("platform/signup.html", form=form, problem=problem,
                           challenge_token=challenge.issue_token(),
                           token_field=challenge.TOKEN_FIELD,
                           honeypot_field=challenge.HONEYPOT_FIELD), status


def _within_signup_limit() -> bool:
    """Count one store created from this client address (``RATELIMIT_SIGNUP``)."""
    limits = parse_many(current_app.config["RATELIMIT_SIGNUP"])
    return use_allowance(limits, "haat-signup", client_address())


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response | tuple[str, int]:
    """Create a store and its owner, then land the owner in the store's admin."""
    form = SignupForm()
    if not form.validate_on_submit():
        return _form_page(form, 422 if form.is_submitted() else 200)
    refusal = challenge.problem(request.form)
    if refusal:
        return _form_page(form, 422, refusal)
    if not _within_signup_limit():
        return _form_page(form, 429, _("Several stores were just created from your "
                                       "network. Please try again in an hour."))
    try:
        created = sign_up(name=form.name.data, slug=form.slug.data, email=form.email.data,
                          password=form.password.data, locale=form.locale.data,
                          currency=form.currency.data)
    except ProvisioningError as exc:
        getattr(form, exc.field, form.slug).errors = [exc.message]
        return _form_page(form, 422)
    with tenant_scope(created.tenant.id):
        token = make_handoff_token(created.owner)
    return redirect(store_url(created.tenant.slug, f"/admin/welcome?token={token}"), 303)
