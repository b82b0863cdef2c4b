"""The owner's theme page: choose the store's theme, edit its settings as a draft with a
live preview, then publish them.

A part of the admin panel at ``/admin/theme``. The form is built from the theme's
``theme.toml`` schema; every value is checked by :mod:`core.theming.settings`, and
images go through the same upload checks and resizing as product images.

Settings are never live at once. "Save draft" keeps them as the theme's draft
(:mod:`core.theming.service`), seen only by the store's signed-in staff in the preview
(:mod:`core.storefront.preview`); "Publish" makes them what shoppers see and retires
the store's cached pages; "Discard draft" drops the draft. The page shows the
storefront in a frame, in the preview: ``theme-editor.js`` posts the form to
:func:`preview` as the merchant types and reloads the frame. Without JavaScript the
"Preview" button opens the preview in a new tab.

The draft is kept in the ``theme_settings`` row (``draft``), not in the session: the
session is a signed cookie (4 KB, and a draft holds long Bengali texts and image
references), and a draft in the database survives signing out, follows the merchant
from phone to laptop and is the same for every member of the store's staff.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.catalog.images import ImageRejected, store_image
from core.catalog.models import STATUS_ACTIVE, Collection, Product
from core.db import db
from core.storage import get_storage
from core.storefront.preview import PREVIEW_ARG
from core.theming.registry import Theme, available_themes
from core.theming.service import (
    choose_theme,
    discard_theme_draft,
    publish_theme,
    save_theme_draft,
    store_theme_view,
    theme_draft,
)
from core.theming.settings import clean_form, is_colour, with_colour_pickers
from core.theming.text import theme_text
from core.web.tenancy import current_store

bp = Blueprint("admin_theme", __name__, url_prefix="/admin/theme")
bp.add_app_template_filter(theme_text, "theme_text")

#: How many of the newest products the preview offers to show.
PREVIEW_PRODUCTS = 30
ACTIONS = ("draft", "publish", "preview")


def _collections() -> list[Collection]:
    return list(db.session.scalars(select(Collection).order_by(Collection.position,
                                                               Collection.title)))


def preview_pages() -> list[tuple[str, str]]:
    """``(path, label)`` of the storefront pages the preview can show: the home page, all
    products and the newest products (merchant content: their titles as written)."""
    products = db.session.execute(
        select(Product.handle, Product.title).where(Product.status == STATUS_ACTIVE)
        .order_by(Product.created_at.desc(), Product.id.desc()).limit(PREVIEW_PRODUCTS)
    ).all()
    return [(url_for("storefront.index"), _("Home page")),
            (url_for("storefront.collection", handle="all"), _("All products")),
            *((url_for("storefront.product", handle=handle), title)
              for handle, title in products)]


def preview_url(path: str) -> str:
    """``path`` of the storefront in the staff preview."""
    return f"{path}?{PREVIEW_ARG}=1"


def _chosen_page(pages: list[tuple[str, str]]) -> str:
    """The page the merchant chose to preview, if it is one of ``pages`` (never any
    other address), else the home page."""
    wanted = request.values.get("preview_page", "")
    return next((path for path, _label in pages if path == wanted), pages[0][0])


def _page(theme: Theme, values: dict[str, Any], errors: dict[str, str],
          status: int = 200) -> tuple[str, int]:
    pages = preview_pages()
    chosen = _chosen_page(pages)
    return render_template(
        "admin/theme.html", themes=available_themes().values(), current=current_store().theme,
        theme=theme, values=values, errors=errors, collections=_collections(),
        store=current_store(), has_draft=theme_draft(theme.name) is not None,
        swatches=_swatches(theme, values),
        preview_pages=pages, preview_page=chosen, preview_src=preview_url(chosen),
    ), status


def _swatches(theme: Theme, values: Mapping[str, Any]) -> dict[str, str]:
    """What each colour picker shows: the colour in the form, or while that is not a
    colour (a typing mistake being corrected) the saved one."""
    colours = [s.key for s in theme.settings if s.type == "colour"]
    shown = {key: values.get(key) for key in colours if is_colour(values.get(key))}
    if len(shown) < len(colours):
        saved = store_theme_view(theme.name, with_draft=True)
        shown.update({key: saved.get(key) if is_colour(saved.get(key)) else "#000000"
                      for key in colours if key not in shown})
    return shown


@bp.get("")
@owner_required
def index() -> tuple[str, int]:
    """The theme list and the current theme's settings form (the draft, if there is one)."""
    view = store_theme_view(current_store().theme, with_draft=True)
    return _page(view.theme, dict(view.values), {})


@bp.post("/choose")
@owner_required
def choose() -> Response | tuple[str, int]:
    """Switch the store to another installed theme (its settings are kept per theme)."""
    name = request.form.get("theme", "")
    if name not in available_themes():
        flash(_("Choose one of the installed themes."), "error")
        return redirect(url_for("admin_theme.index"), code=303)
    choose_theme(name)
    db.session.commit()
    flash(_("Your store now uses the %(theme)s theme.",
            theme=theme_text(available_themes()[name].title, available_themes()[name])),
          "success")
    return redirect(url_for("admin_theme.index"), code=303)


def _upload(file: FileStorage, key: str) -> dict[str, Any]:
    stored = store_image(get_storage(), current_store().id, file.read(),
                         stem=f"theme/{key.replace('_', '-')}-{secrets.token_hex(4)}")
    return {"key": stored.storage_key, "width": stored.width, "height": stored.height,
            "widths": list(stored.widths)}


def _read_form(theme: Theme) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """``(values, errors, typed)`` from the posted form: the cleaned values (uploads
    stored), messages by setting key, and what was typed (to show again)."""
    typed = with_colour_pickers(theme, request.form)
    handles = frozenset(c.handle for c in _collections())
    values, errors = clean_form(theme, typed, handles)
    for setting in (s for s in theme.settings if s.type == "image"):
        upload = request.files.get(setting.key)
        if request.form.get(f"remove_{setting.key}") == "1":
            values[setting.key] = None
        elif upload is not None and upload.filename:
            try:
                values[setting.key] = _upload(upload, setting.key)
            except ImageRejected as exc:
                errors[setting.key] = str(exc)
    return values, errors, typed


def _form_again(theme: Theme, values: Mapping[str, Any], errors: dict[str, str],
                typed: Mapping[str, str]) -> tuple[str, int]:
    """The form with the errors next to their fields and everything typed kept."""
    shown = store_theme_view(theme.name, with_draft=True).values
    kept = {**shown, **{k: typed.get(k, "") for k in errors},
            **{k: v for k, v in values.items() if k not in errors}}
    return _page(theme, kept, errors, status=400)


@bp.post("/settings")
@owner_required
def save() -> Response | tuple[str, int]:
    """The settings form's buttons: "Save draft" (``action=draft``, also the default),
    "Publish" and, without JavaScript, "Preview" (saves the draft, then opens it). On any
    error nothing is saved and the form keeps what was typed."""
    theme = store_theme_view(current_store().theme).theme
    action = request.form.get("action", "draft")
    action = action if action in ACTIONS else "draft"
    values, errors, typed = _read_form(theme)
    if errors:
        return _form_again(theme, values, errors, typed)
    if action == "publish":
        publish_theme(theme.name, values)
        db.session.commit()
        flash(_("Published: shoppers now see your theme settings."), "success")
        return redirect(url_for("admin_theme.index"), code=303)
    has_draft = save_theme_draft(theme.name, values)
    db.session.commit()
    if action == "preview":
        return redirect(preview_url(_chosen_page(preview_pages())), code=303)
    if has_draft:
        flash(_("Draft saved. Shoppers do not see it until you publish."), "success")
    else:
        flash(_("Nothing changed: these are the settings shoppers see."), "info")
    return redirect(url_for("admin_theme.index"), code=303)


def _wants_json() -> bool:
    accepted = request.accept_mimetypes
    return accepted.best_match(("application/json", "text/html")) == "application/json"


@bp.post("/preview")
@owner_required
def preview() -> Response | tuple[str, int] | tuple[Response, int]:
    """The live preview: keep the form's valid values as the draft and say how to show
    it. ``theme-editor.js`` asks for JSON (``errors`` by setting key, the stored
    ``images``, the ``preview_url`` to reload); a plain form post (the "Preview"
    button without JavaScript) is sent on to the preview, or gets the form back with
    its errors."""
    theme = store_theme_view(current_store().theme).theme
    values, errors, typed = _read_form(theme)
    if not _wants_json():
        if errors:
            return _form_again(theme, values, errors, typed)
        save_theme_draft(theme.name, values)
        db.session.commit()
        return redirect(preview_url(_chosen_page(preview_pages())), code=303)
    # As the merchant types, half a colour is normal: the valid values still show.
    valid = {k: v for k, v in values.items() if k not in errors}
    has_draft = save_theme_draft(theme.name, valid)
    db.session.commit()
    images = {key: (url_for("storefront.media", key=value["key"]) if value else None)
              for key, value in valid.items()
              if (setting := theme.setting(key)) is not None and setting.type == "image"}
    status = (_("Preview updated. Draft saved, not published.") if has_draft
              else _("Preview updated. It is what shoppers see now."))
    answer = {"saved": True, "draft": has_draft, "errors": errors, "images": images,
              "preview_url": preview_url(_chosen_page(preview_pages())), "status": status}
    return jsonify(answer), 422 if errors else 200


@bp.post("/discard")
@owner_required
def discard() -> Response:
    """Drop the draft: the form and the preview show the published settings again."""
    if discard_theme_draft(current_store().theme):
        db.session.commit()
        flash(_("Draft discarded. The settings are back to what shoppers see."), "success")
    return redirect(url_for("admin_theme.index"), code=303)
