"""Finds the themes under ``themes/`` and reads their ``theme.toml``.

A theme is a folder ``themes/<name>/`` holding ``theme.toml`` (name, version,
description and a settings schema), ``templates/`` and ``static/``. The schema's
setting types are listed in :data:`SETTING_TYPES`; ``docs/themes.md`` documents them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from themes import THEMES_ROOT

DEFAULT_THEME = "default"
SETTING_TYPES = ("colour", "font", "image", "text", "textarea", "bool", "choice", "number",
                 "collection")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: Font choices: system stacks only, so a page never fetches a font from another host.
#: Noto Sans Bengali/Armenian are named so the scripts use them where installed.
FONT_STACKS: Mapping[str, str] = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans Bengali", '
              '"Noto Sans Armenian", sans-serif',
    "humanist": '"Seravek", "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", '
                '"Noto Sans Bengali", "Noto Sans Armenian", sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, "Noto Serif", '
             '"Noto Serif Bengali", "Noto Serif Armenian", serif',
    "rounded": 'ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, '
               '"Noto Sans Bengali", "Noto Sans Armenian", sans-serif',
    "mono": 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, '
            '"DejaVu Sans Mono", monospace',
}


class ThemeError(ValueError):
    """A theme folder or its ``theme.toml`` is not valid."""


@dataclass(frozen=True)
class ThemeSetting:
    """One merchant-editable setting declared in ``theme.toml``."""

    key: str
    type: str
    label: str
    default: Any = None
    help: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for "choice"
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    group: str = ""


@dataclass(frozen=True)
class Theme:
    """A theme found on disk."""

    name: str
    title: str
    version: str
    description: str
    settings: tuple[ThemeSetting, ...]
    root: Path

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    def setting(self, key: str) -> ThemeSetting | None:
        return next((s for s in self.settings if s.key == key), None)

    def defaults(self) -> dict[str, Any]:
        return {s.key: s.default for s in self.settings}

    def groups(self) -> list[tuple[str, list[ThemeSetting]]]:
        """The settings by group, in the order ``theme.toml`` first names each group
        (so a theme puts its colours first), settings in their own order."""
        grouped: dict[str, list[ThemeSetting]] = {}
        for setting in self.settings:
            grouped.setdefault(setting.group, []).append(setting)
        return list(grouped.items())


def _parse_setting(raw: Mapping[str, Any], where: str) -> ThemeSetting:
    key, kind = raw.get("key", ""), raw.get("type", "")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ThemeError(f"{where}: setting key {key!r} must match {_KEY.pattern}")
    if kind not in SETTING_TYPES:
        raise ThemeError(f"{where}: setting {key!r} has unknown type {kind!r}")
    options: tuple[tuple[str, str], ...] = ()
    if kind == "choice":
        options = tuple((str(o["value"]), str(o.get("label", o["value"])))
                        for o in raw.get("options", ()))
        if not options:
            raise ThemeError(f"{where}: choice setting {key!r} needs options")
    if kind == "font":
        options = tuple((name, name.title()) for name in FONT_STACKS)
    default = raw.get("default")
    if kind in {"choice", "font"} and default not in {value for value, _ in options}:
        raise ThemeError(f"{where}: default of {key!r} is not one of its options")
    return ThemeSetting(
        key=key, type=kind, label=str(raw.get("label", key)), default=default,
        help=str(raw.get("help", "")), options=options,
        max_length=int(raw.get("max_length", 2000 if kind == "textarea" else 200)),
        minimum=raw.get("min"), maximum=raw.get("max"), group=str(raw.get("group", "")),
    )


def load_theme(folder: Path) -> Theme:
    """Read and check one theme folder; raises :class:`ThemeError` when it is broken."""
    manifest = folder / "theme.toml"
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{manifest}: {exc}") from exc
    name = data.get("name")
    if name != folder.name or not _NAME.match(str(name)):
        raise ThemeError(f"{manifest}: name must be the folder name ({folder.name!r})")
    settings = tuple(_parse_setting(raw, str(manifest)) for raw in data.get("settings", ()))
    keys = [s.key for s in settings]
    if len(keys) != len(set(keys)):
        raise ThemeError(f"{manifest}: duplicate setting keys")
    if not (folder / "templates").is_dir():
        raise ThemeError(f"{folder}: a theme needs a templates/ folder")
    return Theme(name=name, title=str(data.get("title", name)), version=str(data["version"]),
                 description=str(data.get("description", "")), settings=settings, root=folder)


@functools.cache
def available_themes(root: Path = THEMES_ROOT) -> Mapping[str, Theme]:
    """Every theme under ``root``, by name; the default theme must be among them."""
    found = {folder.name: load_theme(folder)
             for folder in sorted(root.iterdir()) if (folder / "theme.toml").is_file()}
    if DEFAULT_THEME not in found:
        raise ThemeError(f"{root}: the {DEFAULT_THEME!r} theme is missing")
    return found


def get_theme(name: str) -> Theme:
    """The theme called ``name``, or the default theme if it is not installed."""
    themes = available_themes()
    return themes.get(name) or themes[DEFAULT_THEME]
