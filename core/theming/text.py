"""A theme's own words in the admin's language: the title, description, setting labels,
help texts, groups and choices of its ``theme.toml``.

A theme ships them as gettext catalogues beside its ``theme.toml``, read as they are (no
compile step), like a plugin's (docs/plugin-translations.md)::

    themes/default/
        theme.toml
        translations/bn/LC_MESSAGES/messages.po
        translations/hy/LC_MESSAGES/messages.po

The ``msgid`` is the English text of ``theme.toml``; a text without a translation shows
in English.
"""

from __future__ import annotations

import functools
import logging
from gettext import NullTranslations
from pathlib import Path

from flask_babel import get_locale

from core.sdk.text import _language, _read, _source
from core.theming.registry import Theme

log = logging.getLogger("haat.themes")

#: The folder of a theme that holds its catalogues.
CATALOGUE_FOLDER = "translations"


@functools.lru_cache(maxsize=64)
def theme_catalogue(root: str, language: str) -> NullTranslations:
    """The compiled catalogue of the theme in ``root`` for ``language`` (read once per
    process); an empty one (English) when there is none or it cannot be read."""
    if not language or language == "en":
        return NullTranslations()
    source = _source(Path(root) / CATALOGUE_FOLDER / language, "messages")
    if source is None:
        return NullTranslations()
    try:
        return _read(source, language, "messages")
    except Exception:  # a broken file must not take the admin down: English instead
        log.exception("cannot read the %s catalogue of the theme in %s", language, root)
        return NullTranslations()


def theme_text(message: str, theme: Theme) -> str:
    """``{{ setting.label|theme_text(theme) }}``: ``message`` of ``theme`` in the page's
    language."""
    if not message:
        return message
    language = _language(str(get_locale() or "en"))
    return theme_catalogue(str(theme.root), language).gettext(str(message))
