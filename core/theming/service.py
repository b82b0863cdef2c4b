"""A store's choice of theme and its settings (call inside the store's tenant scope).

Each theme's settings have published values (what shoppers see) and at most one draft:
validated values the store's staff saved or are previewing. A draft is seen only in a
staff preview (:mod:`core.storefront.preview`); publishing copies it over the
published values, which retires the store's cached pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from core.db import db
from core.theming.models import ThemeSettings
from core.theming.registry import ThemeError, available_themes, get_theme
from core.theming.settings import ThemeView, effective_values
from tenants.context import require_tenant_id
from tenants.models import Tenant


def store_theme_view(theme_name: str, *, with_draft: bool = False) -> ThemeView:
    """The current store's view of ``theme_name`` (one query): its published values, or
    with ``with_draft`` the draft's values over them (the staff preview)."""
    theme = get_theme(theme_name)
    if not with_draft:
        stored = db.session.scalar(
            select(ThemeSettings.values).where(ThemeSettings.theme == theme.name)
        )
        return ThemeView(theme, effective_values(theme, stored))
    row = db.session.execute(
        select(ThemeSettings.values, ThemeSettings.draft).where(ThemeSettings.theme == theme.name)
    ).first()
    merged = {**(row.values or {}), **(row.draft or {})} if row is not None else None
    return ThemeView(theme, effective_values(theme, merged))


def choose_theme(name: str) -> None:
    """Make ``name`` the current store's theme. The caller commits."""
    if name not in available_themes():
        raise ThemeError(f"no theme called {name!r}")
    tenant = db.session.get(Tenant, require_tenant_id())
    tenant.theme = name


def _row(name: str, *, create: bool = False) -> ThemeSettings | None:
    row = db.session.scalar(select(ThemeSettings).where(ThemeSettings.theme == name))
    if row is None and create:
        row = ThemeSettings(theme=name, values={})
        db.session.add(row)
    return row


def save_theme_values(name: str, values: Mapping[str, Any]) -> None:
    """Publish already-cleaned ``values`` of theme ``name`` for the current store (merged
    over what is published). The caller commits."""
    row = _row(name, create=True)
    assert row is not None
    row.values = {**(row.values or {}), **values}


def theme_draft(name: str) -> dict[str, Any] | None:
    """The current store's draft of theme ``name``: the values it changes, or ``None``."""
    row = _row(name)
    return dict(row.draft) if row is not None and row.draft is not None else None


def save_theme_draft(name: str, values: Mapping[str, Any]) -> bool:
    """Keep already-cleaned ``values`` of theme ``name`` as the store's draft (merged over
    an earlier draft); shoppers keep seeing the published values. The draft keeps only
    what differs from them: a draft that changes nothing is no draft. Whether there is
    one now. The caller commits."""
    row = _row(name, create=True)
    assert row is not None
    published = effective_values(get_theme(name), row.values)
    draft = {key: value for key, value in {**(row.draft or {}), **values}.items()
             if key not in published or published[key] != value}
    row.draft = draft or None
    return bool(draft)


def publish_theme(name: str, values: Mapping[str, Any] | None = None) -> None:
    """Make the draft of theme ``name``, with already-cleaned ``values`` over it, what
    shoppers see, and drop the draft. The caller commits (which retires cached pages)."""
    row = _row(name, create=True)
    assert row is not None
    row.values = {**(row.values or {}), **(row.draft or {}), **(values or {})}
    row.draft = None


def discard_theme_draft(name: str) -> bool:
    """Drop the draft of theme ``name``; whether there was one. The caller commits."""
    row = _row(name)
    if row is None or row.draft is None:
        return False
    row.draft = None
    return True
