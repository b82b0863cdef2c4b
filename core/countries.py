"""Countries: ISO 3166-1 alpha-2 codes, their names in a language, and the likely ones.

Names come from Babel's CLDR data, so a Bengali page says "বাংলাদেশ" and an Armenian
one "Բանգլադեշ". Only real countries and territories are listed (no "European Union",
"Unknown region" or pseudo-locales).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date

from babel import Locale
from babel.core import get_global
from babel.numbers import get_territory_currencies

from core.i18n import normalise_locale

__all__ = [
    "FIRST_MARKETS",
    "country_name",
    "country_names",
    "country_time_zone",
    "currency_country",
    "home_country",
    "is_country",
    "likely_countries",
]

#: Where Haat's first merchants are: offered near the top of every country list.
FIRST_MARKETS: tuple[str, ...] = ("BD", "AM")

#: The country most stores that sell in a currency are in, for a first guess where the
#: store has not said (the checkout's preselected country). Currencies of one country
#: only are covered by :func:`currency_country` as well.
_HOME_COUNTRIES = {"AMD": "AM", "BDT": "BD", "GBP": "GB", "INR": "IN", "USD": "US"}

#: CLDR codes that are not countries a shop or a shopper is in.
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@functools.lru_cache(maxsize=8)
def _names(locale: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale).territories
    found = {code: name for code, name in territories.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}
    return tuple(sorted(found.items(), key=lambda item: item[1]))


@functools.lru_cache(maxsize=8)
def _lookup(locale: str) -> dict[str, str]:
    return dict(_names(locale))


def country_names(locale: str) -> dict[str, str]:
    """Every country code -> its name in ``locale``, sorted by name."""
    return dict(_names(normalise_locale(locale)))


def country_name(code: str, locale: str) -> str:
    """The name of ``code`` in ``locale`` (``"BD"`` -> ``"Bangladesh"``); the code itself
    when it is not a country."""
    return _lookup(normalise_locale(locale)).get(code, code)


def is_country(code: object) -> bool:
    """True when ``code`` is an upper-case ISO 3166-1 alpha-2 country code Haat lists."""
    return isinstance(code, str) and code in _lookup("en")


@functools.cache
def _users() -> dict[str, frozenset[str]]:
    users: dict[str, set[str]] = defaultdict(set)
    for territory in get_global("territory_currencies"):
        if territory in _NOT_COUNTRIES:
            continue
        for currency in get_territory_currencies(territory, date.today(), tender=True):
            users[currency].add(territory)
    return {currency: frozenset(codes) for currency, codes in users.items()}


def currency_country(currency: str) -> str:
    """The country whose own currency ``currency`` is, when it is the only country using
    it today (BDT -> BD, AMD -> AM, JPY -> JP); ``""`` for currencies several countries
    use (USD, EUR, GBP, INR)."""
    users = _users().get(currency, frozenset())
    return next(iter(users)) if len(users) == 1 else ""


def country_time_zone(country: str) -> str:
    """The IANA time zone of ``country`` when it has one only (BD -> Asia/Dhaka, AM ->
    Asia/Yerevan); ``"UTC"`` for a country with several (US) or none known."""
    zones = get_global("territory_zones").get(country.strip().upper(), [])
    return zones[0] if len(zones) == 1 else "UTC"


def home_country(currency: str) -> str:
    """The country a store selling in ``currency`` is most likely in; ``""`` if no guess."""
    return _HOME_COUNTRIES.get(currency) or currency_country(currency)


def likely_countries(current: str, currency: str) -> list[str]:
    """The countries to offer first: the store's own, the home of its currency, and Haat's
    first markets, without repeats."""
    codes = [current, home_country(currency), *FIRST_MARKETS]
    return [code for index, code in enumerate(codes)
            if code and is_country(code) and code not in codes[:index]]
