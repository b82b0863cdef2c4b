"""sample-board's page in the store's theme: ``/board`` lists the store's notes, lets a
shopper leave one, and shows a few of the shop's products.

Written like a third-party plugin: it imports only ``core.sdk`` (plus Flask and
SQLAlchemy), finds its store with ``current_store()`` and renders with ``render_page``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Blueprint, jsonify, redirect, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.sdk import (
    PluginText,
    ProductSnapshot,
    StoreInfo,
    TextField,
    csrf_exempt,
    current_locale,
    current_store,
    flash_message,
    format_money,
    format_number,
    get_products,
    owner_required,
    rate_limit,
    render_admin_page,
    render_page,
    store_session,
)
from sample_plugin.models import Note

PLUGIN = "sample-board"
TITLE_LIMIT = 200
BODY_LIMIT = 2000
#: The newest notes the page shows (pinned ones first).
SHOWN = 50
#: Notes one client may leave per minute on one store's board (writes are rows).
NOTES_PER_MINUTE = "20 per minute"
#: At most this many of the merchant's chosen products.
PRODUCTS = 8

#: The page's own words, in the board's catalogue (translations/<lang>/LC_MESSAGES/board.po).
_ = PluginText(__package__, domain="board")

#: The plugin's setting for the products the page shows (``plugin.py`` lists it).
featured_products = TextField(
    "featured_products", _.lazy("Products on the board page"),
    help=_.lazy("Product ids, separated by commas (for example 12, 15)."))

bp = Blueprint("sample_board", __name__, template_folder="templates",
               static_folder="static", static_url_path="/board/static")


def featured_ids(store: StoreInfo) -> list[int]:
    """The product ids the merchant listed in the plugin's settings, in their order."""
    raw = str(store.plugin_settings(PLUGIN).get("featured_products") or "")
    ids = [int(part) for part in re.findall(r"\d{1,10}", raw)]
    return list(dict.fromkeys(ids))[:PRODUCTS]


def live_notes(store: StoreInfo) -> list[Note]:
    """The store's notes that are not archived: pinned first, then the newest."""
    with store_session(store) as session:
        return list(session.scalars(
            select(Note).where(Note.archived_at.is_(None))
            .order_by(Note.pinned.desc(), Note.created_at.desc(), Note.id.desc())
            .limit(SHOWN)))


def _problems(store: StoreInfo, form: Mapping[str, str]) -> dict[str, str]:
    locale = current_locale()
    problems = {}
    if not form["title"]:
        problems["title"] = _("Give your note a title.")
    elif len(form["title"]) > TITLE_LIMIT:
        problems["title"] = _("Keep the title to %(count)s characters or fewer.",
                              count=format_number(store, TITLE_LIMIT, locale))
    if len(form["body"]) > BODY_LIMIT:
        problems["body"] = _("Keep the note to %(count)s characters or fewer.",
                             count=format_number(store, BODY_LIMIT, locale))
    return problems


def add_note(store: StoreInfo, form: Mapping[str, str]) -> dict[str, str]:
    """Save a note; the problems by field name instead when the input is not right."""
    problems = _problems(store, form)
    if problems:
        return problems
    taken = {"title": _("A note with this title is on the board already.")}
    try:
        with store_session(store) as session:
            same = session.scalar(select(func.count()).select_from(Note)
                                  .where(Note.title == form["title"]))
            if same:
                return taken
            session.add(Note(title=form["title"], body=form["body"]))
    except IntegrityError:  # the same title, added a moment ago by someone else
        return taken
    return {}


def _page(form: Mapping[str, str], problems: Mapping[str, str]) -> str:
    store = current_store()
    locale = current_locale()
    notes = live_notes(store)
    products = get_products(store, featured_ids(store))

    def price(product: ProductSnapshot) -> str:
        return format_money(store, product.price, locale)

    return render_page(
        "sample_board/board.html", title=_("Message board"),
        description=_("Notes from the shop and its shoppers."),
        t=_, notes=notes, products=products, price=price, form=form, problems=problems,
        product_url=lambda product: store.url(f"products/{product.handle}"),
        notes_heading=_.ngettext("%(num)s note", "%(num)s notes", len(notes),
                                 num=format_number(store, len(notes), locale)),
        limits={"title": TITLE_LIMIT, "body": BODY_LIMIT})


@bp.get("/board")
def board() -> str:
    """The board: notes, the form to leave one, and the merchant's chosen products."""
    return _page({"title": "", "body": ""}, {})


@bp.post("/board")
@rate_limit(NOTES_PER_MINUTE)
def post_note() -> Response | tuple[str, int]:
    """Leave a note; bad input comes back with a message next to the field, text kept."""
    form = {name: request.form.get(name, "").strip() for name in ("title", "body")}
    problems = add_note(current_store(), form)
    if problems:
        return _page(form, problems), 422
    flash_message(_("Thank you! Your note is on the board."))
    # Back to the list, where the new note is: after a failed try the form's
    # address ends in #board-add, which a redirect without a fragment would keep.
    return redirect(url_for("sample_board.board", _anchor="board-notes"), code=303)


@bp.post("/board/ping")
@csrf_exempt
def ping() -> Response:
    """What another server may call (a webhook): it sends no CSRF token, and it answers
    even while the store is "coming soon". It tells nothing but the store's address."""
    return jsonify(store=current_store().slug, ok=True)


# ----------------------------------------------------------------- the merchant's side


@bp.get("/admin/board/summary.json")
def summary() -> Response:
    """How many notes the board has, for any staff member of the store (Haat lets only
    the store's signed-in staff reach a plugin's ``/admin`` routes)."""
    with store_session(current_store()) as session:
        live, archived = (session.scalar(select(func.count()).select_from(Note).where(
            Note.archived_at.is_(None) if live else Note.archived_at.is_not(None)))
            for live in (True, False))
    return jsonify(live=live, archived=archived)


@bp.get("/admin/board")
def admin_board() -> str:
    """The board's notes for the store's staff, inside the admin (its menu, language)."""
    store = current_store()
    return render_admin_page("sample_board/admin.html", title=_("Message board"),
                             notes=live_notes(store), t=_)


@bp.get("/admin/board/notes.json")
@owner_required
def export_notes() -> Response:
    """Every note of the store, for its owner only (staff get 403)."""
    with store_session(current_store()) as session:
        notes = session.scalars(select(Note).order_by(Note.id)).all()
        return jsonify(notes=[{"title": n.title, "body": n.body, "pinned": n.pinned}
                              for n in notes])
