"""Tests for core.i18n: Babel-backed formatting for en, bn and hy."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest

from core.i18n import (
    LOCALE_NAMES,
    SUPPORTED_LOCALES,
    format_date,
    format_money,
    format_number,
    normalise_locale,
    to_ascii_digits,
    to_bengali_digits,
)
from core.money import Money

LATIN_DIGIT = re.compile(r"[0-9]")
NBSP = "\xa0"


def test_supported_locales() -> None:
    assert SUPPORTED_LOCALES == ("en", "bn", "hy")
    assert LOCALE_NAMES == {"en": "English", "bn": "বাংলা", "hy": "Հայերեն"}
    assert set(LOCALE_NAMES) == set(SUPPORTED_LOCALES)


def test_to_bengali_digits() -> None:
    assert to_bengali_digits("0123456789") == "০১২৩৪৫৬৭৮৯"
    assert to_bengali_digits("৳1,250.00 (x)") == "৳১,২৫০.০০ (x)"
    assert to_bengali_digits("") == ""


def test_to_ascii_digits_reads_any_decimal_digits() -> None:
    assert to_ascii_digits("০১২৩৪৫৬৭৮৯") == "0123456789"
    assert to_ascii_digits("৳১,৮৫০.৫০ (x)") == "৳1,850.50 (x)"
    assert to_ascii_digits("١٢٣ ४५ １２") == "123 45 12"  # Arabic-Indic, Devanagari, full-width
    assert to_ascii_digits("²৳abc") == "²৳abc"  # a superscript is not a decimal digit
    assert to_ascii_digits("") == ""
    assert to_ascii_digits(to_bengali_digits("1,234.50")) == "1,234.50"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bn-BD", "bn"),
        ("bn_BD", "bn"),
        ("HY", "hy"),
        ("hy-AM", "hy"),
        ("en", "en"),
        ("en-US", "en"),
        ("en_US.UTF-8", "en"),
        (" bn ", "bn"),
        ("bn-BD,bn;q=0.9,en;q=0.8", "bn"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("bengali", "en"),
    ],
)
def test_normalise_locale(value: str | None, expected: str) -> None:
    assert normalise_locale(value) == expected


def test_normalise_locale_custom_default() -> None:
    assert normalise_locale("de", default="bn") == "bn"
    assert normalise_locale(None, default="hy") == "hy"
    with pytest.raises(ValueError):
        normalise_locale("de", default="de")


# -- format_money -------------------------------------------------------------


def test_en_usd() -> None:
    assert format_money(Money(125000, "USD"), "en") == "$1,250.00"
    assert format_money(Money(-125050, "USD"), "en") == "-$1,250.50"


def test_bn_bdt() -> None:
    text = format_money(Money(125000, "BDT"), "bn")
    assert "৳" in text
    assert text == "1,250.00৳"


def test_bn_bdt_bengali_digits() -> None:
    text = format_money(Money(125000, "BDT"), "bn", bengali_digits=True)
    assert "৳" in text
    assert "১,২৫০" in text
    assert not LATIN_DIGIT.search(text)
    assert text == "১,২৫০.০০৳"


def test_bn_uses_indian_grouping() -> None:
    text = format_money(Money.from_decimal("1234567.50", "BDT"), "bn-BD", bengali_digits=True)
    assert text == "১২,৩৪,৫৬৭.৫০৳"


def test_bengali_digits_only_for_bn() -> None:
    assert format_money(Money(125000, "USD"), "en", bengali_digits=True) == "$1,250.00"


def test_hy_amd() -> None:
    text = format_money(Money(125000, "AMD"), "hy")
    assert "֏" in text
    assert text == f"1{NBSP}250,00{NBSP}֏"


def test_jpy_no_decimals() -> None:
    assert format_money(Money(1250, "JPY"), "en") == "¥1,250"


def test_money_is_not_rounded_by_formatting() -> None:
    # Money is already exact in minor units; the formatted value must match it.
    assert format_money(Money(1, "USD"), "en") == "$0.01"
    assert format_money(Money(5, "USD"), "en") == "$0.05"


def test_unsupported_locale_falls_back_to_english() -> None:
    assert format_money(Money(125000, "USD"), "xx") == "$1,250.00"


def test_format_money_rejects_non_money() -> None:
    with pytest.raises(TypeError):
        format_money(Decimal("1.00"), "en")  # type: ignore[arg-type]


# -- format_number ------------------------------------------------------------


def test_format_number() -> None:
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234567, "bn") == "12,34,567"
    assert format_number(1234567, "bn", bengali_digits=True) == "১২,৩৪,৫৬৭"
    assert format_number(Decimal("1234.5"), "hy") == f"1{NBSP}234,5"


def test_format_number_keeps_all_decimals() -> None:
    assert format_number(Decimal("1.23456"), "en") == "1.23456"


@pytest.mark.parametrize("value", [1.5, True, "12"])
def test_format_number_rejects_float(value: object) -> None:
    with pytest.raises(TypeError):
        format_number(value, "en")  # type: ignore[arg-type]


# -- format_date --------------------------------------------------------------


def test_format_date() -> None:
    d = date(2024, 3, 5)
    assert format_date(d, "en") == "Mar 5, 2024"
    bn = format_date(d, "bn")
    assert "মার্চ" in bn
    assert "2024" in bn
    bn_digits = format_date(d, "bn", bengali_digits=True)
    assert "২০২৪" in bn_digits
    assert "৫" in bn_digits
    assert not LATIN_DIGIT.search(bn_digits)
    assert "2024" in format_date(d, "hy")


def test_format_date_accepts_datetime_and_format() -> None:
    dt = datetime(2024, 3, 5, 23, 59)
    assert format_date(dt, "en") == "Mar 5, 2024"
    assert format_date(dt, "en", format="short") == "3/5/24"
    assert format_date(dt, "en", format="yyyy-MM-dd") == "2024-03-05"
    assert format_date(dt, "bn", format="yyyy-MM-dd", bengali_digits=True) == "২০২৪-০৩-০৫"


def test_format_date_rejects_non_dates() -> None:
    with pytest.raises(TypeError):
        format_date("2024-03-05", "en")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_date(None, "en")  # type: ignore[arg-type]
