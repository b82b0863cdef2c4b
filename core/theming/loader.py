"""Template loading by theme: the store's theme, then the default theme, then the app.

Storefront templates are rendered by a theme-qualified name, ``@<theme>/<path>``
(see :func:`theme_template`). Jinja caches compiled templates by name, so the
qualified name keeps each theme's copy apart. Inside a theme template, a plain
``{% extends "storefront/layout.html" %}`` or ``{% include %}`` stays in the same
theme (:meth:`ThemedEnvironment.join_path`). A name that no theme has falls
through to Flask's loader, which searches the app's and blueprints' (including
plugins') template folders.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.templating import Environment
from jinja2 import BaseLoader, TemplateNotFound
from jinja2 import Environment as JinjaEnvironment

from core.theming.registry import DEFAULT_THEME, get_theme

_PREFIX = "@"


def theme_template(theme: str, path: str) -> str:
    """The name ``path`` of ``theme`` renders under: ``@bazaar/storefront/cart.html``."""
    return f"{_PREFIX}{theme}/{path}"


def _split(name: str) -> tuple[str, str] | None:
    if not name.startswith(_PREFIX) or "/" not in name:
        return None
    theme, path = name[1:].split("/", 1)
    return theme, path


class ThemedEnvironment(Environment):
    """Flask's environment, where relative template names stay in the parent's theme."""

    def join_path(self, template: str, parent: str) -> str:
        parts = _split(parent)
        if parts is None or template.startswith(_PREFIX):
            return template
        return theme_template(parts[0], template)


class ThemeLoader(BaseLoader):
    """Resolves ``@theme/path`` through the theme folders, then ``fallback``."""

    def __init__(self, fallback: BaseLoader) -> None:
        self.fallback = fallback

    def get_source(self, environment: JinjaEnvironment, template: str,
                   ) -> tuple[str, str | None, Callable[[], bool] | None]:
        parts = _split(template)
        if parts is None:
            return self.fallback.get_source(environment, template)
        theme_name, path = parts
        if ".." in path.split("/"):
            raise TemplateNotFound(template)
        folders = [get_theme(theme_name).templates_dir]
        if theme_name != DEFAULT_THEME:
            folders.append(get_theme(DEFAULT_THEME).templates_dir)
        for folder in folders:
            found = folder / path
            if found.is_file():
                return _read(found)
        return self.fallback.get_source(environment, path)

    def list_templates(self) -> list[str]:
        return self.fallback.list_templates()


def _read(path: Path) -> tuple[str, str, Callable[[], bool]]:
    mtime = path.stat().st_mtime
    source = path.read_text(encoding="utf-8")
    return source, str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


def themed_loader(flask_loader: Any) -> ThemeLoader:
    """Wrap Flask's global loader (used by :class:`core.web.app.Haat`)."""
    return ThemeLoader(flask_loader)
