"""Custom domains at ``/admin/settings/domains`` (owners only).

Every store answers at ``<slug>.<platform domain>``. The owner may add their own domain
names here, and the page shows the DNS record to create (:mod:`core.admin.domain_checks`).

Adding a name only *claims* it (:mod:`core.admin.domain_claims`): other stores may claim
it too, and the first to prove it owns the name with "Check DNS" holds it verified; the
other claims are then released (a verified domain another store holds is refused
without naming that store). An unverified claim lapses after the pending window.

Routing (``tenants.resolution``) serves a store only on its *verified* domains, so a
domain added here does nothing until "Check DNS" finds it pointing at the platform and
marks it verified. A later failing check does not un-verify it (a resolver hiccup must
not take a shop offline); removing the domain stops it at once.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import StringField

from core.admin.auth import owner_required
from core.admin.domain_checks import (
    check_dns,
    clean_hostname,
    cname_target,
    display_name,
    ownership_record,
    platform_host,
    record_for,
)
from core.admin.domain_claims import (
    EXPIRED,
    TAKEN,
    claim_state,
    expires_at,
    state_of,
    verified_elsewhere,
)
from core.admin.listing import InputError
from core.db import db, utcnow
from core.web.templating import ngettext, number_filter
from core.web.tenancy import current_store
from tenants.models import Domain

bp = Blueprint("admin_domains", __name__, url_prefix="/admin/settings/domains")

#: A store rarely needs more than a couple (example.com and www.example.com); the cap
#: keeps the list short enough to show on one page.
MAX_DOMAINS = 20


class DomainForm(FlaskForm):
    """A domain name as the owner types or pastes it."""

    hostname = StringField(_l("Domain name"), render_kw={
        "placeholder": "shop.example.com", "autocapitalize": "none", "spellcheck": "false",
        "inputmode": "url"})


def _domains() -> list[Domain]:
    return list(db.session.scalars(select(Domain).order_by(Domain.created_at, Domain.id)
                                   .limit(MAX_DOMAINS)))


def _domain_or_404(domain_id: int) -> Domain:
    domain = db.session.get(Domain, domain_id)  # scoped: another store's id is not found
    if domain is None:
        abort(404)
    return domain


def _index_page(form: DomainForm, status: int = 200) -> tuple[str, int]:
    domains = _domains()
    taken = verified_elsewhere(d.hostname for d in domains)
    now = utcnow()
    states = {d.id: state_of(d, taken, now) for d in domains}
    return render_template(
        "admin/domains/index.html", store=current_store(), form=form, domains=domains,
        states=states, expires_at=expires_at,
        platform_host=platform_host(current_store().slug), display_name=display_name,
        full=len(domains) >= MAX_DOMAINS, limit=MAX_DOMAINS, failed=status == 422), status


def _taken_message() -> str:
    return _("This domain is already used by another store. If it is yours, ask the "
             "platform operator for help.")


def _problem(hostname: str, mine: Domain | None) -> str | None:
    """Why ``hostname`` cannot be claimed now, or ``None``; ``mine`` is this store's own
    claim on it. Another store's *unverified* claim is no obstacle."""
    if verified_elsewhere([hostname]):
        return _taken_message()
    if mine is not None:
        if claim_state(mine) == EXPIRED:
            return None  # adding it again renews the claim
        return _("You have already added this domain.")
    if db.session.scalar(select(func.count(Domain.id))) >= MAX_DOMAINS:
        return _("A store can have at most %(count)s domains. Remove one first.",
                 count=number_filter(MAX_DOMAINS))
    return None


# ----------------------------------------------------------------------- views


@bp.get("")
@owner_required
def index() -> tuple[str, int]:
    """The store's platform address, its own domains and the form to add one."""
    return _index_page(DomainForm(formdata=None))


@bp.post("")
@owner_required
def add() -> Response | tuple[str, int]:
    """Add a domain (unverified), then show the DNS record it needs."""
    form = DomainForm()
    form.validate()  # sets up the errors lists; the name itself is checked below
    try:
        hostname = clean_hostname(form.hostname.data,
                                  current_app.config["HAAT_PLATFORM_DOMAIN"])
    except InputError as exc:
        form.hostname.errors.append(str(exc))
        return _index_page(form, 422)
    mine = db.session.scalar(select(Domain).where(Domain.hostname == hostname))
    problem = _problem(hostname, mine)
    if problem:
        form.hostname.errors.append(problem)
        return _index_page(form, 422)
    if mine is not None:
        # An expired claim, renewed: same token, so a TXT record already made still counts.
        mine.created_at = utcnow()
        db.session.commit()
        flash(ngettext("%(domain)s added again: you have another %(num)s hour to create "
                       "the DNS records and check them.",
                       "%(domain)s added again: you have another %(num)s hours to create "
                       "the DNS records and check them.",
                       _pending_hours(), domain=display_name(hostname)), "success")
        return redirect(url_for("admin_domains.show", domain_id=mine.id), 303)
    domain = Domain(hostname=hostname, verified=False)
    db.session.add(domain)
    try:
        db.session.commit()
    except IntegrityError:  # the same name added twice at once from this store
        db.session.rollback()
        form.hostname.errors.append(_("You have already added this domain."))
        return _index_page(form, 422)
    flash(_("%(domain)s added. Create the DNS record below, then check it.",
            domain=display_name(hostname)), "success")
    return redirect(url_for("admin_domains.show", domain_id=domain.id), 303)


def _pending_hours() -> int:
    return int(current_app.config.get("HAAT_DOMAIN_PENDING_HOURS", 72))


def _token(domain: Domain) -> str:
    """The domain's ownership token (domains an operator added by hand get one here)."""
    if not domain.verification_token:
        domain.verification_token = secrets.token_urlsafe(24)
        db.session.commit()
    return domain.verification_token


@bp.get("/<id:domain_id>")
@owner_required
def show(domain_id: int) -> str:
    """The DNS record to create for one domain, and the "Check DNS" button."""
    domain = _domain_or_404(domain_id)
    store = current_store()
    return render_template("admin/domains/show.html", store=store, domain=domain,
                           state=claim_state(domain), expires=expires_at(domain),
                           name=display_name(domain.hostname),
                           record=record_for(domain.hostname, store.slug),
                           ownership=ownership_record(domain.hostname, _token(domain)),
                           platform_host=platform_host(store.slug),
                           cname_target=cname_target(store.slug))


@bp.post("/<id:domain_id>/check")
@owner_required
def check(domain_id: int) -> Response:
    """Resolve the domain; when it reaches the platform, mark it verified (it then serves
    the store)."""
    domain = _domain_or_404(domain_id)
    target = redirect(url_for("admin_domains.show", domain_id=domain.id), 303)
    state = claim_state(domain)
    if state == TAKEN:
        flash(_released_message(), "error")
        return target
    if state == EXPIRED:
        flash(_expired_message(), "error")
        return target
    result = check_dns(domain.hostname, current_store().slug, _token(domain))
    if result.ok and not domain.verified:
        domain.verified = True
        try:
            db.session.commit()  # the flush clears host caches: the domain routes at once
        except IntegrityError:  # another store proved the same name a moment ago
            db.session.rollback()
            flash(_released_message(), "error")
            return target
    flash(result.message, "success" if result.ok else "error")
    return target


def _released_message() -> str:
    return _("Another store has proved that this domain is theirs, so your claim was "
             "released. If the domain is yours, ask the platform operator for help.")


def _expired_message() -> str:
    return _("This claim expired before the DNS records were found. Add the domain again "
             "to get more time.")


@bp.route("/<id:domain_id>/delete", methods=["GET", "POST"])
@owner_required
def delete(domain_id: int) -> Response | str:
    """Ask first (GET), then remove the domain (POST): it stops serving the store."""
    domain = _domain_or_404(domain_id)
    name = display_name(domain.hostname)
    if request.method == "GET":
        return render_template("admin/domains/delete.html", store=current_store(),
                               domain=domain, name=name,
                               platform_host=platform_host(current_store().slug))
    db.session.delete(domain)
    db.session.commit()
    flash(_("%(domain)s removed. Your store no longer answers there.", domain=name),
          "success")
    return redirect(url_for("admin_domains.index"), 303)
