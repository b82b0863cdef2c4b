"""Checking a merchant's theme settings and turning them into what templates use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from core.i18n import to_ascii_digits
from core.theming.registry import FONT_STACKS, Theme, ThemeSetting

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def is_colour(value: object) -> bool:
    """Whether ``value`` is a colour as settings keep them: ``#`` and six hex digits."""
    return isinstance(value, str) and bool(_COLOUR.match(value))


class SettingError(ValueError):
    """A submitted value that a setting does not accept; the message is for the merchant."""


def _check_number(setting: ThemeSetting, raw: str) -> int:
    try:
        number = int(to_ascii_digits(raw.strip()))  # "১২" is 12
    except ValueError:
        raise SettingError(_("Enter a whole number.")) from None
    if setting.minimum is not None and number < setting.minimum:
        raise SettingError(_("Enter %(min)s or more.", min=setting.minimum))
    if setting.maximum is not None and number > setting.maximum:
        raise SettingError(_("Enter %(max)s or less.", max=setting.maximum))
    return number


def clean_value(setting: ThemeSetting, raw: str | None,
                collections: frozenset[str] = frozenset()) -> Any:
    """Turn the text a form sent for ``setting`` into its stored value.

    Raises :class:`SettingError` with a message to show next to the field.
    ``collections`` are the store's collection handles (for ``collection`` settings).
    Image settings are not handled here: they arrive as uploads.
    """
    text = (raw or "").strip()
    kind = setting.type
    if kind == "bool":
        return text in {"1", "on", "true", "yes"}
    if kind == "colour":
        if not _COLOUR.match(text):
            raise SettingError(_("Enter a colour as # and six hex digits, e.g. #0f766e."))
        return text.lower()
    if kind in {"choice", "font"}:
        if text not in {value for value, _label in setting.options}:
            raise SettingError(_("Choose one of the options."))
        return text
    if kind == "number":
        return _check_number(setting, text)
    if kind == "collection":
        if text and text not in collections:
            raise SettingError(_("Choose one of your collections."))
        return text
    if kind in {"text", "textarea"}:
        if len(text) > setting.max_length:
            raise SettingError(_("Use at most %(max)s characters.", max=setting.max_length))
        return text
    raise SettingError(f"Unsupported setting type {kind!r}.")


#: Form names of a colour's ``<input type=color>`` and of the colour the page showed.
PICKER_PREFIX = "picker:"
SHOWN_PREFIX = "shown:"


def with_colour_pickers(theme: Theme, form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields, each colour taken from whichever of its two inputs the merchant
    changed: the hex text field (``<key>``) or the colour picker beside it
    (``picker:<key>``). ``shown:<key>`` is the colour both showed when the page was
    drawn. With JavaScript the two stay in step; without it the picker still works."""
    values = {key: form.get(key) or "" for key in form}
    for setting in theme.settings:
        if setting.type != "colour":
            continue
        text = values.get(setting.key, "").strip()
        picker = values.get(PICKER_PREFIX + setting.key, "").strip().lower()
        shown = values.get(SHOWN_PREFIX + setting.key, "").strip().lower()
        if _COLOUR.match(picker) and picker != shown and text.lower() == shown:
            values[setting.key] = picker
    return values


def clean_form(theme: Theme, form: Mapping[str, str], collections: frozenset[str] = frozenset(),
               ) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean every non-image setting of ``theme`` from ``form``.

    Returns ``(values, errors)``; ``errors`` maps setting keys to messages. Values are
    only meaningful when ``errors`` is empty.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for setting in theme.settings:
        if setting.type == "image":
            continue
        try:
            values[setting.key] = clean_value(setting, form.get(setting.key), collections)
        except SettingError as exc:
            errors[setting.key] = str(exc)
    return values, errors


@dataclass(frozen=True)
class ThemeView:
    """The store's theme and its effective setting values, as templates see them."""

    theme: Theme
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.theme.name

    def __getitem__(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        setting = self.theme.setting(key)
        return setting.default if setting else None

    def get(self, key: str, default: Any = None) -> Any:
        value = self[key]
        return default if value is None else value

    def css_variables(self) -> Markup:
        """``--key: value;`` for every colour setting and the chosen font stack.

        Safe to put in a ``<style>`` element: colours are checked against ``#rrggbb``
        when stored and fonts come from :data:`FONT_STACKS`, never from the merchant.
        """
        parts = []
        for setting in self.theme.settings:
            value = self[setting.key]
            if setting.type == "colour" and isinstance(value, str) and _COLOUR.match(value):
                name = setting.key.replace("_", "-")
                parts.append(f"--{name}:{value}")
                parts.append(f"--{name}-contrast:{readable_on(value)}")
            elif setting.type == "font" and value in FONT_STACKS:
                parts.append(f"--{setting.key.replace('_', '-')}:{FONT_STACKS[value]}")
        return Markup(":root{%s}") % Markup(";".join(parts))  # noqa: S704 - values checked above


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_on(colour: str) -> str:
    """Black or white, whichever has the higher WCAG contrast on ``colour``.

    Themes use it for text on merchant-chosen colours, so a light accent colour
    never leaves white button text unreadable.
    """
    light = _luminance(colour)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def effective_values(theme: Theme, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with the stored values that the theme still declares."""
    values = theme.defaults()
    for key, value in (stored or {}).items():
        if theme.setting(key) is not None:
            values[key] = value
    return values
