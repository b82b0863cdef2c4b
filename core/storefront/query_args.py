"""The query parameters a cached storefront page understands, in one canonical form.

A cached page (:func:`core.storefront.page_cache.cached_page`) names the parameters it
reads, each with a normaliser that turns a raw value into its canonical text, or
``None`` for "the default" (which leaves it out). Everything else in the query string
(``utm_*``, ``fbclid``, a random cache-buster) is ignored: it never reaches the cache
key, and the page is rendered as if it were not there, so one cached copy is right for
every spelling of the same page.

Ignoring beats redirecting to the canonical URL here: campaign parameters must stay in
the address bar for the analytics scripts a merchant adds, and a redirect would cost an
extra round trip on every ad click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask import request
from werkzeug.datastructures import ImmutableMultiDict

from core.i18n import SUPPORTED_LOCALES

#: Raw value -> canonical value, or ``None`` when the value means the page's default.
Normaliser = Callable[[str], str | None]
#: A page's parameters: name -> normaliser.
KnownArgs = Mapping[str, Normaliser]
#: Canonical parameters, sorted by name: part of the cache key.
CanonicalArgs = tuple[tuple[str, str], ...]


def choice(allowed: Iterable[str], default: str) -> Normaliser:
    """One of ``allowed``; the default and anything unknown mean the default."""
    options = frozenset(allowed) - {default}
    return lambda raw: raw if raw in options else None


def number(low: int, high: int, default: int) -> Normaliser:
    """A whole number, clamped to ``low..high``; junk means the default."""

    def normalise(raw: str) -> str | None:
        raw = raw.strip()
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
            return None
        value = min(max(int(raw), low), high)
        return None if value == default else str(value)

    return normalise


def flag(raw: str) -> str | None:
    """``"1"`` switches it on; anything else is off (the default)."""
    return "1" if raw == "1" else None


def identifier(raw: str) -> str | None:
    """A row id: ASCII digits without leading zeros (at most 18, to stay in a BIGINT)."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
        return None
    return str(int(raw))


def language(raw: str) -> str | None:
    """``?lang=``: a language the storefront has, else ignored."""
    return raw if raw in SUPPORTED_LOCALES else None


#: Understood by every cached page: the language switch.
COMMON: KnownArgs = {"lang": language}


def canonical_args(known: KnownArgs) -> CanonicalArgs:
    """This request's known parameters, normalised and sorted by name (the first value
    of a repeated one, as ``request.args.get`` reads it); defaults are left out."""
    every = {**COMMON, **known}
    found = []
    for name in sorted(every):
        raw = request.args.get(name)
        value = every[name](raw) if raw is not None else None
        if value is not None:
            found.append((name, value))
    return tuple(found)


def as_request_args(args: CanonicalArgs) -> ImmutableMultiDict[str, str]:
    """The canonical parameters as ``request.args``, for rendering a page as its key says."""
    return ImmutableMultiDict(list(args))
