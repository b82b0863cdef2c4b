"""Platform pages: the home page that explains Haat, and store sign-up."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers import Response

from core.platform.forms import SignupForm
from core.platform.signup import sign_up
from core.staff.handoff import make_handoff_token
from core.web.urls import store_url
from tenants import tenant_scope
from tenants.provisioning import ProvisioningError

bp = Blueprint("platform", __name__)


@bp.get("/")
def home() -> str:
    """What Haat is, and the way in."""
    return render_template("platform/home.html", form=SignupForm())


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response | tuple[str, int]:
    """Create a store and its owner, then land the owner in the store's admin."""
    form = SignupForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("platform/signup.html", form=form), status
    try:
        created = sign_up(name=form.name.data, slug=form.slug.data, email=form.email.data,
                          password=form.password.data, locale=form.locale.data,
                          currency=form.currency.data)
    except ProvisioningError as exc:
        getattr(form, exc.field, form.slug).errors = [exc.message]
        return render_template("platform/signup.html", form=form), 422
    with tenant_scope(created.tenant.id):
        token = make_handoff_token(created.owner)
    return redirect(store_url(created.tenant.slug, f"/admin/welcome?token={token}"), 303)
