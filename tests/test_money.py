"""Tests for core.money: exact minor-unit money with half-up rounding."""

from __future__ import annotations

import dataclasses
import decimal
from decimal import Decimal

import pytest

from core.money import (
    ROUNDING,
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    minor_units,
    sum_money,
)


def bdt(value: str) -> Money:
    return Money.from_decimal(value, "BDT")


# -- minor units / currencies ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "places"), [("BDT", 2), ("AMD", 2), ("USD", 2), ("EUR", 2), ("JPY", 0)]
)
def test_minor_units(code: str, places: int) -> None:
    assert minor_units(code) == places


@pytest.mark.parametrize("code", ["usd", "ZZZ", "US", "USDX", "", " USD", None, 840])
def test_unknown_currency_rejected(code: object) -> None:
    with pytest.raises(UnknownCurrency):
        minor_units(code)  # type: ignore[arg-type]
    with pytest.raises(UnknownCurrency):
        Money(100, code)  # type: ignore[arg-type]


def test_exceptions_are_value_errors() -> None:
    assert issubclass(UnknownCurrency, ValueError)
    assert issubclass(CurrencyMismatch, ValueError)


def test_rounding_rule_is_half_up() -> None:
    assert ROUNDING == decimal.ROUND_HALF_UP


# -- construction -----------------------------------------------------------


@pytest.mark.parametrize("amount", [1.0, 12.5, True, False, Decimal("1"), "100", None])
def test_amount_must_be_int(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_money_is_frozen_and_hashable() -> None:
    m = Money(100, "USD")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.amount = 5  # type: ignore[misc]
    assert {m, Money(100, "USD")} == {m}


@pytest.mark.parametrize(
    ("value", "currency", "amount"),
    [
        (Decimal("0.005"), "USD", 1),
        (Decimal("0.004"), "USD", 0),
        (Decimal("2.675"), "USD", 268),
        ("2.675", "USD", 268),
        (Decimal("2.665"), "USD", 267),  # half-up, not banker's (which would give 266)
        (Decimal("-0.005"), "USD", -1),  # halves go away from zero
        (Decimal("-2.675"), "USD", -268),
        ("1250.00", "BDT", 125000),
        (" 1250.5 ", "BDT", 125050),
        (1250, "BDT", 125000),
        (Decimal("1250.5"), "JPY", 1251),
        (Decimal("1249.4"), "JPY", 1249),
        ("12345678901234567890123456789.99", "USD", 1234567890123456789012345678999),
    ],
)
def test_from_decimal_rounds_half_up(value: object, currency: str, amount: int) -> None:
    assert Money.from_decimal(value, currency) == Money(amount, currency)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0.1, 2.675, 1.0])
def test_from_decimal_rejects_float(value: float) -> None:
    with pytest.raises(TypeError):
        Money.from_decimal(value, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", Decimal("NaN"), "1E999999"])
def test_from_decimal_rejects_non_numbers(value: object) -> None:
    with pytest.raises(ValueError):
        Money.from_decimal(value, "USD")  # type: ignore[arg-type]


def test_from_decimal_rejects_unknown_currency() -> None:
    with pytest.raises(UnknownCurrency):
        Money.from_decimal("1", "XYZ")


def test_zero() -> None:
    z = Money.zero("BDT")
    assert z == Money(0, "BDT")
    assert z.is_zero
    assert not Money(1, "BDT").is_zero
    assert str(z) == "0.00 BDT"


# -- conversion -------------------------------------------------------------


def test_to_decimal_is_exact() -> None:
    d = Money(125000, "BDT").to_decimal()
    assert isinstance(d, Decimal)
    assert d == Decimal("1250.00")
    assert str(d) == "1250.00"
    assert str(Money(-5, "USD").to_decimal()) == "-0.05"
    assert str(Money(1250, "JPY").to_decimal()) == "1250"


def test_str() -> None:
    assert str(Money(125000, "BDT")) == "1250.00 BDT"
    assert str(Money(-125050, "AMD")) == "-1250.50 AMD"
    assert str(Money(1250, "JPY")) == "1250 JPY"
    assert str(Money(10**30, "USD")) == "1" + "0" * 28 + ".00 USD"


def test_jpy_has_no_decimals() -> None:
    m = Money.from_decimal("1250", "JPY")
    assert m.amount == 1250
    assert m.to_decimal() == Decimal(1250)
    assert m.to_decimal().as_tuple().exponent == 0


# -- arithmetic -------------------------------------------------------------


def test_add_sub_neg() -> None:
    a, b = bdt("10.50"), bdt("0.75")
    assert a + b == bdt("11.25")
    assert a - b == bdt("9.75")
    assert b - a == bdt("-9.75")
    assert -a == Money(-1050, "BDT")


def test_currency_mismatch() -> None:
    usd, eur = Money(100, "USD"), Money(100, "EUR")
    with pytest.raises(CurrencyMismatch):
        usd + eur
    with pytest.raises(CurrencyMismatch):
        usd - eur
    with pytest.raises(CurrencyMismatch):
        _ = usd < eur
    with pytest.raises(CurrencyMismatch):
        _ = usd >= eur
    assert usd != eur


def test_add_non_money_is_type_error() -> None:
    with pytest.raises(TypeError):
        Money(1, "USD") + 1  # type: ignore[operator]


def test_mul() -> None:
    price = bdt("19.99")
    assert price * 3 == bdt("59.97")
    assert 3 * price == bdt("59.97")
    assert price * Decimal("0.5") == Money(1000, "BDT")  # 999.5 poisha -> 1000
    assert Money(1, "USD") * Decimal("0.5") == Money(1, "USD")
    assert Money(-1, "USD") * Decimal("0.5") == Money(-1, "USD")
    assert Money(1, "USD") * Decimal("0.49") == Money(0, "USD")


@pytest.mark.parametrize("factor", [1.5, 2.0, True, "2", Money(1, "USD")])
def test_mul_rejects_float_and_others(factor: object) -> None:
    with pytest.raises(TypeError):
        Money(100, "USD") * factor  # type: ignore[operator]


def test_mul_big_amount_is_exact() -> None:
    big = Money(10**40 + 1, "USD")
    assert (big * Decimal("1.0")).amount == 10**40 + 1


def test_percentage_cod_fee() -> None:
    assert bdt("1300.00").percentage(1) == bdt("13.00")
    assert bdt("1300.00").percentage("1") == Money(1300, "BDT")
    assert bdt("1300.00").percentage(Decimal("1.5")) == bdt("19.50")
    # 1% of 0.50 = 0.005 -> half-up to 0.01
    assert bdt("0.50").percentage(1) == bdt("0.01")
    assert bdt("0.49").percentage(1) == bdt("0.00")
    assert bdt("1234.56").percentage(0) == Money.zero("BDT")


def test_percentage_rejects_float() -> None:
    with pytest.raises(TypeError):
        bdt("100").percentage(1.0)  # type: ignore[arg-type]


# -- allocation -------------------------------------------------------------


def test_allocate_even_split() -> None:
    parts = Money(100, "BDT").allocate([1, 1, 1])
    assert [p.amount for p in parts] == [34, 33, 33]
    assert sum_money(parts, "BDT") == Money(100, "BDT")
    assert all(p.currency == "BDT" for p in parts)


@pytest.mark.parametrize(
    ("amount", "ratios", "expected"),
    [
        (5, [1, 1], [3, 2]),
        (100, [70, 20, 10], [70, 20, 10]),
        (101, [1, 2], [34, 67]),  # exact 33.67/67.33: larger remainder gets the unit
        (7, [0, 1, 1], [0, 4, 3]),
        (0, [1, 1], [0, 0]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (1, [1, 1, 1], [1, 0, 0]),
    ],
)
def test_allocate(amount: int, ratios: list[int], expected: list[int]) -> None:
    parts = Money(amount, "USD").allocate(ratios)
    assert [p.amount for p in parts] == expected
    assert sum(p.amount for p in parts) == amount


def test_allocate_many_parts_sums_exactly() -> None:
    total = bdt("1000.01")
    ratios = [3, 7, 11, 13, 17, 19, 23]
    parts = total.allocate(ratios)
    assert sum_money(parts, "BDT") == total
    assert max(p.amount for p in parts) - min(p.amount for p in parts) > 0


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1]])
def test_allocate_rejects_bad_ratios(ratios: list[int]) -> None:
    with pytest.raises(ValueError):
        Money(100, "USD").allocate(ratios)


@pytest.mark.parametrize("ratios", [[1.5, 1], [True, 1]])
def test_allocate_rejects_non_int_ratios(ratios: list[object]) -> None:
    with pytest.raises(TypeError):
        Money(100, "USD").allocate(ratios)  # type: ignore[arg-type]


# -- comparison ---------------------------------------------------------------


def test_comparisons() -> None:
    small, big = bdt("1.00"), bdt("2.00")
    assert small < big
    assert small <= big
    assert big > small
    assert big >= small
    assert small <= bdt("1.00")
    assert small >= bdt("1.00")
    assert small == bdt("1")
    assert small != big
    assert max([small, big]) == big
    assert sorted([big, small]) == [small, big]


def test_equality_with_other_types() -> None:
    assert Money(100, "USD") != 100
    assert Money(100, "USD") != Decimal("1.00")
    with pytest.raises(TypeError):
        _ = Money(100, "USD") < 100  # type: ignore[operator]


# -- sum_money ----------------------------------------------------------------


def test_sum_money() -> None:
    items = [bdt("10.10"), bdt("20.20"), bdt("0.70")]
    assert sum_money(items, "BDT") == bdt("31.00")
    assert sum_money([], "BDT") == Money.zero("BDT")
    assert sum_money(iter(items), "BDT") == bdt("31.00")


def test_sum_money_mismatch() -> None:
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(1, "BDT"), Money(1, "USD")], "BDT")
    with pytest.raises(CurrencyMismatch):
        sum_money([Money(1, "USD")], "BDT")
