"""Titles and descriptions: patterns, fallbacks and trimming at a word."""

from __future__ import annotations

import re
from string import Formatter

from .i18n import _

#: Search engines show about this many characters of a title and a description.
TITLE_LIMIT = 70
DESCRIPTION_LIMIT = 160
ELLIPSIS = "…"

#: The placeholders a title pattern may use.
PATTERN_FIELDS = frozenset({"title", "store"})
DEFAULT_PATTERN = "{title} | {store}"

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """``text`` on one line with single spaces."""
    return _SPACE.sub(" ", text or "").strip()


def trim(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word and ended with "…"."""
    text = squash(text)
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[:room]
    if not text[room].isspace():  # the limit fell inside a word: drop that word
        space = cut.rfind(" ")
        cut = cut[:space] if space >= limit // 2 else cut
    return cut.rstrip(" ,.;:–—-|·") + ELLIPSIS


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable title pattern (``None`` when it is), in the
    language of the moment (the merchant's, on the settings page)."""
    try:
        parts = [(name, spec, conv) for _text, name, spec, conv in Formatter().parse(pattern)
                 if name is not None]
    except ValueError:
        return _("Write {title} and {store} with both braces, e.g. {title} | {store}.")
    unknown = sorted({name for name, _spec, _conv in parts if name not in PATTERN_FIELDS})
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        return _("Only {title} and {store} can be used, not %(names)s.", names=shown)
    if any(spec or conv for _name, spec, conv in parts):
        return _("Write {title} and {store} with nothing else inside the braces.")
    if "title" not in {name for name, _spec, _conv in parts}:
        return _("The pattern must contain {title}, e.g. {title} | {store}.")
    return None


def apply_pattern(pattern: str, title: str, store: str, limit: int = TITLE_LIMIT) -> str:
    """The page title from ``pattern``, at most ``limit`` characters.

    When it is too long, the page's own title is shortened first so that the store's
    name (usually at the end) stays readable; only a very long store name shortens the
    whole title.
    """
    if pattern_problem(pattern):
        pattern = DEFAULT_PATTERN
    title, store = squash(title), squash(store)
    full = squash(pattern.format(title=title, store=store))
    if len(full) <= limit:
        return full
    rest = len(squash(pattern.format(title="", store=store)))
    room = limit - rest - (1 if rest else 0)
    if room >= 15:  # enough for a readable piece of the page's title
        return squash(pattern.format(title=trim(title, room), store=store))[:limit]
    return trim(full, limit)
