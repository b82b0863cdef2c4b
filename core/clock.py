"""Moments and time zones: the few helpers every part of Haat needs to show a time.

Haat stores every moment in UTC. PostgreSQL gives it back with its zone, SQLite without
one (naive), so :func:`aware` reads both the same way. A store keeps the IANA name of
its time zone (``Tenant.timezone``); :func:`zone_named` turns it into a ``ZoneInfo``,
and :func:`format_moment` writes a moment in that zone for a reader.

A leaf module: it imports only :mod:`core.i18n` (and Babel).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time

from core.i18n import normalise_locale, to_bengali_digits

__all__ = ["aware", "format_moment", "zone_named"]


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``; an unknown or empty name is UTC rather than an error."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """``value`` in UTC with its zone; a naive value (SQLite's) is read as UTC, the way
    Haat stored it. ``None`` stays ``None``."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_moment(moment: datetime, locale: str, *, timezone: str | None = "UTC",
                  bengali_digits: bool = False, time_format: str = "short") -> str:
    """A date and time in ``timezone``, written the way ``locale`` writes them
    ("Dec 6, 2026, 2:05 PM"), with Bengali digits when asked for in Bengali.

    ``time_format`` is a CLDR width (``"short"``) or pattern (``"HH:mm"`` for a
    24-hour clock); the date is CLDR's medium date, joined as the locale joins them.
    """
    loc = normalise_locale(locale)
    local = aware(moment).astimezone(zone_named(timezone))
    pattern = str(Locale.parse(loc).datetime_formats["medium"])
    text = pattern.replace("{1}", format_date(local, "medium", locale=loc)).replace(
        "{0}", format_time(local, time_format, locale=loc))
    return to_bengali_digits(text) if bengali_digits and loc == "bn" else text
