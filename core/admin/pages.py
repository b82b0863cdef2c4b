"""The store's own pages (policies, about, contact) at ``/admin/pages`` (owners only).

A page has a title, a handle (its address ``/pages/<handle>``, made from the title when
left empty, unique in the store), a body (HTML from the editor, sanitised with nh3, or
plain text paragraphs), whether it is published, whether the storefront footer links to
it, and a position (footer order, smallest first). Changing a handle keeps the old
address working with a 301 (``core.catalog.redirects``).

"Add standard policy pages" creates drafts of a refund, privacy, terms and shipping
policy from short English starter texts, skipping those whose handle already exists.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, TextAreaField

from core.admin.auth import owner_required
from core.admin.listing import page_number, paginate
from core.admin.page_starters import STANDARD_PAGES
from core.catalog.handles import handle_from_title, handle_problem, unique_handle
from core.catalog.richtext import sanitize_html
from core.db import db
from core.i18n import to_ascii_digits
from core.pages.models import Page
from core.web.templating import ngettext, number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_pages", __name__, url_prefix="/admin/pages")

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_POSITION = 9999
_TAG_START = re.compile(r"<[a-zA-Z/]")


def _trim(value: str | None) -> str:
    return (value or "").strip()


def _lower(value: str | None) -> str:
    return (value or "").strip().lower()


class PageForm(FlaskForm):
    """A page as the owner types it; :func:`_clean` checks it."""

    title = StringField(_l("Title"), filters=[_trim])
    handle = StringField(_l("Handle"), filters=[_lower],
                         render_kw={"autocapitalize": "none", "spellcheck": "false"})
    body = TextAreaField(_l("Text"), render_kw={"rows": 16})
    published = BooleanField(_l("Published: shoppers can open this page"))
    in_footer = BooleanField(_l("Link to it in the footer of every page"))
    position = StringField(_l("Position in the footer"), filters=[_trim],
                           render_kw={"inputmode": "numeric"})


def _looks_like_html(text: str) -> bool:
    # The storefront's test (richtext.description_html): a tag opens with "<" + letter or "/".
    return _TAG_START.search(text) is not None


def _clean(form: PageForm, page_id: int | None) -> dict[str, Any] | None:
    """The page's column values, or ``None`` with each problem next to its field."""
    problems: dict[str, str] = {}
    title = form.title.data or ""
    if not title:
        problems["title"] = _("Enter a title, e.g. Refund policy.")
    elif len(title) > MAX_TITLE:
        problems["title"] = _("Use at most %(count)s characters.", count=number_filter(MAX_TITLE))
    handle = form.handle.data or ""
    if handle:
        problem = handle_problem(handle)
        if problem is None and db.session.scalar(
                select(Page.id).where(Page.handle == handle, Page.id != (page_id or 0))):
            problem = _("Another page uses this handle. Choose another.")
        if problem:
            problems["handle"] = problem
    elif title:
        handle = unique_handle(Page, handle_from_title(title, "page"), exclude_id=page_id)
    body = (form.body.data or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        problems["body"] = _("Use at most %(count)s characters.", count=number_filter(MAX_BODY))
    position_text = to_ascii_digits((form.position.data or "").strip()) or "0"
    if (not (position_text.isascii() and position_text.isdigit())
            or int(position_text) > MAX_POSITION):
        problems["position"] = _("Enter a whole number from 0 to %(max)s.",
                                 max=number_filter(MAX_POSITION))
    for name, message in problems.items():
        getattr(form, name).errors.append(message)
    if problems:
        return None
    return {"title": title, "handle": handle,
            "body": sanitize_html(body) if _looks_like_html(body) else body,
            "published": bool(form.published.data), "in_footer": bool(form.in_footer.data),
            "position": int(position_text)}


def _page_or_404(page_id: int) -> Page:
    page = db.session.get(Page, page_id)  # scoped: another store's id is not found
    if page is None:
        abort(404)
    return page


# ----------------------------------------------------------------------- views


@bp.get("")
@owner_required
def index() -> str:
    """Every page in footer order, 50 to a screen."""
    listing = paginate(select(Page).order_by(Page.position, Page.title, Page.id),
                       select(func.count(Page.id)), page_number(request.args.get("page")))
    return render_template("admin/pages/index.html", store=current_store(), page=listing)


def _form_page(form: PageForm, page: Page | None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/pages/form.html", store=current_store(), form=form,
                           page=page, failed=status == 422), status


def _save(form: PageForm, page: Page | None) -> Response | tuple[str, int]:
    values = _clean(form, page.id if page else None)
    if values is None:
        return _form_page(form, page, 422)
    target = page or Page()
    for name, value in values.items():
        setattr(target, name, value)
    if page is None:
        db.session.add(target)
    try:
        db.session.commit()  # a changed handle records its 301 redirect on flush
    except IntegrityError:  # another request took the handle meanwhile
        db.session.rollback()
        form.handle.errors.append(_("Another page uses this handle. Choose another."))
        return _form_page(form, _page_or_404(page.id) if page else None, 422)
    flash(_("Page “%(title)s” saved.", title=target.title), "success")
    return redirect(url_for("admin_pages.edit", page_id=target.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@owner_required
def create() -> Response | tuple[str, int]:
    """A new page (published and in the footer unless unticked)."""
    if request.method == "GET":
        return _form_page(PageForm(formdata=None, published=True, in_footer=True,
                                   position="0"), None)
    form = PageForm()
    form.validate()
    return _save(form, None)


@bp.route("/<id:page_id>", methods=["GET", "POST"])
@owner_required
def edit(page_id: int) -> Response | tuple[str, int]:
    """Change a page; a new handle keeps the old address working (301)."""
    page = _page_or_404(page_id)
    if request.method == "GET":
        return _form_page(PageForm(formdata=None, data={
            "title": page.title, "handle": page.handle, "body": page.body,
            "published": page.published, "in_footer": page.in_footer,
            "position": str(page.position)}), page)
    form = PageForm()
    form.validate()
    return _save(form, page)


@bp.route("/<id:page_id>/delete", methods=["GET", "POST"])
@owner_required
def delete(page_id: int) -> Response | str:
    """Ask first (GET), then delete the page (POST); its address then answers 404."""
    page = _page_or_404(page_id)
    if request.method == "GET":
        return render_template("admin/pages/delete.html", store=current_store(), page=page)
    title = page.title
    db.session.delete(page)
    db.session.commit()
    flash(_("Page “%(title)s” deleted.", title=title), "success")
    return redirect(url_for("admin_pages.index"), 303)


@bp.post("/standard")
@owner_required
def add_standard() -> Response:
    """Create drafts of the standard policy pages the store does not have yet."""
    existing = set(db.session.scalars(select(Page.handle).where(
        Page.handle.in_([starter.handle for starter in STANDARD_PAGES]))))
    top = db.session.scalar(select(func.max(Page.position))) or 0
    added = []
    for offset, starter in enumerate(s for s in STANDARD_PAGES if s.handle not in existing):
        db.session.add(Page(handle=starter.handle, title=starter.title, body=starter.body,
                            published=False, in_footer=True, position=top + 1 + offset))
        added.append(starter.title)
    if not added:
        flash(_("You already have all the standard policy pages."), "info")
        return redirect(url_for("admin_pages.index"), 303)
    try:
        db.session.commit()
    except IntegrityError:  # a second click got there first
        db.session.rollback()
        flash(_("You already have all the standard policy pages."), "info")
        return redirect(url_for("admin_pages.index"), 303)
    flash(ngettext("Added %(num)s draft: %(titles)s. Edit it and publish it when it fits "
                   "your shop.",
                   "Added %(num)s drafts: %(titles)s. Edit them and publish each when it "
                   "fits your shop.", len(added),
                   titles=", ".join(added)), "success")
    return redirect(url_for("admin_pages.index"), 303)
