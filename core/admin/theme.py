"""The owner's theme page: choose the store's theme and edit its settings.

A minimal part of the admin panel at ``/admin/theme`` (the full panel absorbs it
later). The form is built from the theme's ``theme.toml`` schema; every value is
checked by :mod:`core.theming.settings`, and images go through the same upload
checks and resizing as product images.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.catalog.images import ImageRejected, store_image
from core.catalog.models import Collection
from core.db import db
from core.storage import get_storage
from core.theming.registry import Theme, available_themes
from core.theming.service import choose_theme, save_theme_values, store_theme_view
from core.theming.settings import clean_form
from core.theming.text import theme_text
from core.web.tenancy import current_store

bp = Blueprint("admin_theme", __name__, url_prefix="/admin/theme")
bp.add_app_template_filter(theme_text, "theme_text")


def _collections() -> list[Collection]:
    return list(db.session.scalars(select(Collection).order_by(Collection.position,
                                                               Collection.title)))


def _page(theme: Theme, values: dict[str, Any], errors: dict[str, str],
          status: int = 200) -> tuple[str, int]:
    return render_template("admin/theme.html", themes=available_themes().values(),
                           current=current_store().theme, theme=theme, values=values,
                           errors=errors, collections=_collections(), store=current_store()), status


@bp.get("")
@owner_required
def index() -> tuple[str, int]:
    """The theme list and the current theme's settings form."""
    view = store_theme_view(current_store().theme)
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
    flash(_("Your store now uses the %(theme)s theme.", theme=available_themes()[name].title),
          "success")
    return redirect(url_for("admin_theme.index"), code=303)


def _upload(file: FileStorage, key: str) -> dict[str, Any]:
    stored = store_image(get_storage(), current_store().id, file.read(),
                         stem=f"theme/{key.replace('_', '-')}-{secrets.token_hex(4)}")
    return {"key": stored.storage_key, "width": stored.width, "height": stored.height,
            "widths": list(stored.widths)}


@bp.post("/settings")
@owner_required
def save() -> Response | tuple[str, int]:
    """Save the current theme's settings; on any error nothing is saved and the form keeps
    what was typed."""
    view = store_theme_view(current_store().theme)
    theme = view.theme
    handles = frozenset(c.handle for c in _collections())
    values, errors = clean_form(theme, request.form, handles)
    for setting in (s for s in theme.settings if s.type == "image"):
        upload = request.files.get(setting.key)
        if request.form.get(f"remove_{setting.key}") == "1":
            values[setting.key] = None
        elif upload is not None and upload.filename:
            try:
                values[setting.key] = _upload(upload, setting.key)
            except ImageRejected as exc:
                errors[setting.key] = str(exc)
    if errors:
        typed = {**view.values, **{k: request.form.get(k, "") for k in errors},
                 **{k: v for k, v in values.items() if k not in errors}}
        return _page(theme, typed, errors, status=400)
    save_theme_values(theme.name, values)
    db.session.commit()
    flash(_("Theme settings saved."), "success")
    return redirect(url_for("admin_theme.index"), code=303)
