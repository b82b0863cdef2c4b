"""A store's choice of theme and its settings (call inside the store's tenant scope)."""

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


def store_theme_view(theme_name: str) -> ThemeView:
    """The current store's view of ``theme_name`` (one query for its stored values)."""
    theme = get_theme(theme_name)
    stored = db.session.scalar(
        select(ThemeSettings.values).where(ThemeSettings.theme == theme.name)
    )
    return ThemeView(theme, effective_values(theme, stored))


def choose_theme(name: str) -> None:
    """Make ``name`` the current store's theme. The caller commits."""
    if name not in available_themes():
        raise ThemeError(f"no theme called {name!r}")
    tenant = db.session.get(Tenant, require_tenant_id())
    tenant.theme = name


def save_theme_values(name: str, values: Mapping[str, Any]) -> None:
    """Store already-cleaned ``values`` of theme ``name`` for the current store (merged
    over what is stored). The caller commits."""
    row = db.session.scalar(select(ThemeSettings).where(ThemeSettings.theme == name))
    if row is None:
        row = ThemeSettings(theme=name, values={})
        db.session.add(row)
    row.values = {**row.values, **values}
