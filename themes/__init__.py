"""Storefront themes. Each theme is a folder: ``themes/<name>/templates`` and ``static``."""

from __future__ import annotations

from pathlib import Path

THEMES_ROOT = Path(__file__).resolve().parent


def theme_templates_folder(name: str) -> str:
    """Absolute path of a theme's ``templates`` folder."""
    return str(THEMES_ROOT / name / "templates")


def theme_static_folder(name: str) -> str:
    """Absolute path of a theme's ``static`` folder."""
    return str(THEMES_ROOT / name / "static")
