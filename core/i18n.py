"""Locale-aware formatting primitives for Haat (English, Bangla, Armenian).

All formatting goes through Babel's CLDR data and never through ``float``:
money is formatted from :meth:`core.money.Money.to_decimal`, numbers must be
``int`` or ``Decimal``.

Every ``locale`` argument is passed through :func:`normalise_locale`, so
``"bn-BD"``, ``"bn_BD"`` and ``"BN"`` all mean Bangla, and anything
unsupported falls back to English.

What Babel (CLDR) produces for the store currencies, checked against Babel 2.18:

* ``bn`` / BDT: ``"1,250.00৳"`` -- the taka sign ৳ as a suffix, Indian digit
  grouping (``12,34,567.50৳``) and Latin digits by default;
  ``bengali_digits=True`` gives ``"১,২৫০.০০৳"``.
* ``hy`` / AMD: ``"1\\xa0250,00\\xa0֏"`` -- the dram sign ֏, no-break-space
  grouping and a decimal comma.
* ``en`` / USD: ``"$1,250.00"``.

Babel already emits ৳ and ֏ for these locale/currency pairs, so no custom
pattern or symbol post-processing is applied.  (In ``en`` the same currencies
render as ``"BDT1,250.00"`` / ``"AMD1,250.00"``, which is CLDR's choice and is
kept as is.)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal

from core.money import Money

__all__ = [
    "LOCALE_NAMES",
    "SUPPORTED_LOCALES",
    "format_date",
    "format_money",
    "format_number",
    "normalise_locale",
    "to_ascii_digits",
    "to_bengali_digits",
]

SUPPORTED_LOCALES: tuple[str, ...] = ("en", "bn", "hy")
LOCALE_NAMES: dict[str, str] = {"en": "English", "bn": "বাংলা", "hy": "Հայերեն"}

_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_LOCALE_SPLIT = re.compile(r"[-_,;.@\s]")


def to_bengali_digits(text: str) -> str:
    """Replace the ASCII digits 0-9 in ``text`` with Bengali digits ০-৯."""
    return text.translate(_BENGALI_DIGITS)


def to_ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script as an ASCII digit 0-9.

    What merchants and shoppers type goes through this before it is read as a number,
    so ``"১৮৫০"`` is read as ``"1850"`` and stores exactly the same value. Only decimal
    digits (Unicode category Nd: Bengali ০-৯, Devanagari, Arabic-Indic, full-width…)
    change; everything else is kept, so ``"²"`` (a superscript, not a decimal digit)
    stays and is refused by the number check that follows.
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char
                   for char in text)


def normalise_locale(value: str | None, default: str = "en") -> str:
    """Return the supported locale code for ``value``, or ``default``.

    Region, script and encoding parts and case are ignored: ``"bn-BD"`` -> ``"bn"``,
    ``"HY"`` -> ``"hy"``, ``"en_US.UTF-8"`` -> ``"en"``.  ``None``, empty and
    unsupported values give ``default``, which must itself be supported.
    """
    if default not in SUPPORTED_LOCALES:
        raise ValueError(f"default locale {default!r} is not supported")
    if not isinstance(value, str):
        return default
    language = _LOCALE_SPLIT.split(value.strip(), maxsplit=1)[0].lower()
    return language if language in SUPPORTED_LOCALES else default


def _digits(text: str, locale: str, bengali_digits: bool) -> str:
    return to_bengali_digits(text) if bengali_digits and locale == "bn" else text


@functools.lru_cache(maxsize=8192)  # pure, and on every page many times over
def format_money(money: Money, locale: str, *, bengali_digits: bool = False) -> str:
    """Format ``money`` for ``locale`` with Babel, e.g. ``"1,250.00৳"`` for bn/BDT.

    The exact Decimal from :meth:`Money.to_decimal` is formatted with the
    currency's own number of decimals, so no rounding happens here.  With
    ``bengali_digits=True`` and a Bangla locale the digits are rendered as ০-৯;
    the flag is ignored for other locales.
    """
    if not isinstance(money, Money):
        raise TypeError(f"format_money expects Money, not {type(money).__name__}")
    loc = normalise_locale(locale)
    text = _babel_format_currency(money.to_decimal(), money.currency, locale=loc)
    return _digits(text, loc, bengali_digits)


def format_number(value: int | Decimal, locale: str, *, bengali_digits: bool = False) -> str:
    """Format an ``int`` or ``Decimal`` with the locale's grouping and decimal sign.

    All significant decimals are kept (no rounding); floats and bools raise
    :class:`TypeError`.  ``bengali_digits`` works as in :func:`format_money`.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"format_number expects int or Decimal, not {type(value).__name__}")
    if type(value) is int:  # Decimals are not cached: 1.0 == 1.00 but they print apart
        return _format_int(value, normalise_locale(locale), bengali_digits)
    loc = normalise_locale(locale)
    text = _babel_format_decimal(value, locale=loc, decimal_quantization=False)
    return _digits(text, loc, bengali_digits)


@functools.lru_cache(maxsize=8192)
def _format_int(value: int, locale: str, bengali_digits: bool) -> str:
    return _digits(_babel_format_decimal(value, locale=locale), locale, bengali_digits)


def format_date(
    value: date | datetime,
    locale: str,
    *,
    bengali_digits: bool = False,
    format: str = "medium",
) -> str:
    """Format the date part of ``value`` with :func:`babel.dates.format_date`.

    ``format`` is ``"short"``, ``"medium"``, ``"long"``, ``"full"`` or a CLDR
    pattern.  A ``datetime`` is formatted by its own calendar date, without any
    time-zone conversion (convert to the store's zone first).
    ``bengali_digits`` works as in :func:`format_money`.
    """
    if not isinstance(value, date):
        raise TypeError(f"format_date expects date or datetime, not {type(value).__name__}")
    loc = normalise_locale(locale)
    text = _babel_format_date(value, format=format, locale=loc)
    return _digits(text, loc, bengali_digits)
