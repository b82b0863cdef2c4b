"""The store's staff at ``/admin/staff`` (owners only): invite, change role, remove.

Rules that keep a store manageable:

* the store always keeps at least one owner who can sign in (an open invitation does
  not count), so the last owner cannot be demoted;
* nobody removes their own account here (another owner can);
* removing someone deletes their account, which ends their sessions at once;
  cancelling an open invitation is the same action and retires its link.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.admin.forms import InviteForm, role_choices
from core.admin.listing import page_number, paginate
from core.db import db
from core.staff import invites
from core.staff.models import ROLE_OWNER, StaffUser
from core.staff.tokens import INVITE, MAX_AGE_SECONDS
from core.web.templating import number_filter
from core.web.tenancy import current_store

#: How long an invitation link works.
INVITE_DAYS = MAX_AGE_SECONDS[INVITE] // 86400

bp = Blueprint("admin_staff", __name__, url_prefix="/admin/staff")


def _member_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _index_page(form: InviteForm, status: int = 200) -> tuple[str, int]:
    query = select(StaffUser).order_by(StaffUser.created_at, StaffUser.id)
    page = paginate(query, select(func.count(StaffUser.id)),
                    page_number(request.args.get("page")))
    return render_template("admin/staff/index.html", store=current_store(), page=page,
                           form=form, roles={c.value: c.label for c in role_choices()},
                           invite_days=INVITE_DAYS), status


@bp.get("")
@owner_required
def index() -> tuple[str, int]:
    """Everyone with an account or an open invitation, oldest first, 50 a page."""
    return _index_page(InviteForm(formdata=None, role="staff"))


@bp.post("/invite")
@owner_required
def invite() -> Response | tuple[str, int]:
    """Invite someone by email; they choose their own password from the link."""
    form = InviteForm()
    valid = form.validate()
    if form.role.data not in invites.ROLES:
        form.role.errors.append(_("Choose one of the roles."))
        valid = False
    if valid and invites.find_by_email(form.email.data) is not None:
        form.email.errors.append(_("%(email)s already has an account here, or an open "
                                   "invitation.", email=invites.normalise_email(form.email.data)))
        valid = False
    if not valid:
        return _index_page(form, 422)
    try:
        user = invites.invite(form.email.data, form.role.data,
                              inviter=current_user._get_current_object(),
                              base_url=request.host_url)
    except invites.AlreadyOnStaff:  # someone else invited them a moment ago
        form.email.errors.append(_("%(email)s already has an account here, or an open "
                                   "invitation.", email=invites.normalise_email(form.email.data)))
        return _index_page(form, 422)
    flash(_("Invitation sent to %(email)s. The link works for %(days)s days.", email=user.email,
            days=number_filter(INVITE_DAYS)), "success")
    return redirect(url_for("admin_staff.index"), 303)


@bp.post("/<id:user_id>/resend")
@owner_required
def resend(user_id: int) -> Response:
    """Email an open invitation again; earlier links stop working."""
    user = _member_or_404(user_id)
    if user.invited_at is None:
        flash(_("%(email)s has accepted their invitation already.", email=user.email), "info")
    else:
        invites.resend(user, inviter=current_user._get_current_object(),
                       base_url=request.host_url)
        flash(_("Invitation sent to %(email)s again. Earlier links no longer work.",
                email=user.email), "success")
    return redirect(url_for("admin_staff.index"), 303)


@bp.post("/<id:user_id>/role")
@owner_required
def change_role(user_id: int) -> Response:
    """Make someone an owner or staff; the store keeps at least one owner."""
    user = _member_or_404(user_id)
    role = request.form.get("role", "")
    if role not in invites.ROLES:
        abort(400)
    if role == user.role:
        return redirect(url_for("admin_staff.index"), 303)
    if (user.role == ROLE_OWNER and user.invited_at is None
            and invites.active_owner_ids() == [user.id]):
        flash(_("%(email)s is the store's only owner. Make someone else an owner first.",
                email=user.email), "error")
        return redirect(url_for("admin_staff.index"), 303)
    user.role = role
    db.session.commit()
    if user.id == current_user.id and role != ROLE_OWNER:
        flash(_("You are now staff. Settings, staff and plugins are for owners only."), "info")
        return redirect(url_for("admin.home"), 303)
    flash(_("%(email)s is now an owner.", email=user.email) if role == ROLE_OWNER
          else _("%(email)s is now staff.", email=user.email), "success")
    return redirect(url_for("admin_staff.index"), 303)


@bp.route("/<id:user_id>/remove", methods=["GET", "POST"])
@owner_required
def remove(user_id: int) -> Response | tuple[str, int]:
    """Ask first (GET), then remove the account or cancel the invitation (POST)."""
    user = _member_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot remove your own account. Another owner can."), "error")
        return redirect(url_for("admin_staff.index"), 303)
    if request.method == "GET":
        return render_template("admin/staff/remove.html", store=current_store(),
                               member=user), 200
    if (user.role == ROLE_OWNER and user.invited_at is None
            and invites.active_owner_ids() == [user.id]):
        flash(_("%(email)s is the store's only owner.", email=user.email), "error")
        return redirect(url_for("admin_staff.index"), 303)
    email, pending = user.email, user.invited_at is not None
    db.session.delete(user)
    db.session.commit()
    flash(_("Invitation to %(email)s cancelled.", email=email) if pending
          else _("%(email)s was removed and signed out.", email=email), "success")
    return redirect(url_for("admin_staff.index"), 303)
