"""Handles: the readable, unique-per-store part of a product, collection or page URL.

A handle is made from the title (``"নকশি কাঁথা"`` → ``nkshi-kaanthaa``) with
python-slugify, which transliterates Bengali and Armenian to Latin letters. When the
handle is taken, ``-2``, ``-3``… is added. A handle the merchant types is checked, not
rewritten, so the URL they chose is the one they get.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import select

from core.db import db

MAX_HANDLE = 120
_HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def handle_problem(handle: str) -> str | None:
    """Why ``handle`` cannot be used as typed, or ``None`` when it can."""
    if not handle:
        return _("Enter a handle, or leave it empty to make one from the title.")
    if len(handle) > MAX_HANDLE:
        return _("Use at most %(count)s characters.", count=MAX_HANDLE)
    if not _HANDLE.fullmatch(handle):
        return _("Use lower-case letters, digits and single hyphens, e.g. blue-kantha.")
    return None


def handle_from_title(title: str, fallback: str = "item") -> str:
    """A handle made from ``title``; ``fallback`` when nothing of it is usable."""
    # Leave room for a "-123" suffix added by unique_handle.
    return slugify(title, max_length=MAX_HANDLE - 8, word_boundary=True) or fallback


def unique_handle(model: type, base: str, *, exclude_id: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first one no other row of the store's
    ``model`` (a tenant-scoped model with ``handle``) uses."""
    query = select(model.handle).where(
        (model.handle == base) | model.handle.like(f"{base}-%"))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(db.session.scalars(query))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
