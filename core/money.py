"""Money primitives for Haat.

Every monetary amount in Haat is a :class:`Money`: an integer number of *minor
units* (poisha, luma, cents, ...) plus an ISO 4217 currency code.  Floats are
never accepted anywhere in this module, so binary floating point error cannot
leak into prices, totals or fees.

Rounding rule
-------------
``ROUNDING = decimal.ROUND_HALF_UP`` is the single rounding rule used
everywhere in Haat: whenever a value has to be brought to a currency's minor
unit (parsing a decimal price, multiplying by a quantity or a rate, taking a
percentage such as a 1% cash-on-delivery fee), halves are rounded away from
zero.  ``Decimal("0.005")`` USD becomes 1 cent, ``Decimal("2.675")`` becomes
2.68 and ``Decimal("-0.005")`` becomes -1 cent.  Do not introduce another
rounding mode elsewhere; import :data:`ROUNDING` instead.

The number of minor units per currency comes from Babel's CLDR data
(:func:`minor_units`): BDT, AMD, USD and EUR have 2, JPY has 0.

This module is a leaf: it imports nothing else from the project.
"""

from __future__ import annotations

import decimal
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_currency_precision, list_currencies

__all__ = [
    "ROUNDING",
    "CurrencyMismatch",
    "Money",
    "UnknownCurrency",
    "minor_units",
    "sum_money",
]

#: The one rounding rule used everywhere in Haat (see the module docstring).
ROUNDING = decimal.ROUND_HALF_UP

_CODE_RE = re.compile(r"[A-Z]{3}")
_KNOWN_CURRENCIES: frozenset[str] = frozenset(list_currencies())
_ONE = Decimal(1)
# Arithmetic on amounts is done in this context so nothing is rounded except by
# the explicit quantize() with ROUNDING.  Multiplication, scaleb and quantize
# of finite operands are exact with unbounded precision.
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC, rounding=ROUNDING, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN
)
# Refuse absurd magnitudes (e.g. "1E999999") instead of building huge integers.
_MAX_DIGITS = 40


class UnknownCurrency(ValueError):
    """Raised for a currency code that is not a known ISO 4217 code."""


class CurrencyMismatch(ValueError):
    """Raised when combining or comparing :class:`Money` of different currencies."""


def minor_units(currency: str) -> int:
    """Return the number of decimal places (minor units) of an ISO 4217 currency.

    The code must be three uppercase letters known to Babel, e.g. ``"BDT"`` -> 2,
    ``"AMD"`` -> 2, ``"JPY"`` -> 0.  Anything else raises :class:`UnknownCurrency`.
    """
    if not isinstance(currency, str) or not _CODE_RE.fullmatch(currency):
        raise UnknownCurrency(f"invalid currency code: {currency!r}")
    return _minor_units(currency)


@functools.cache
def _minor_units(currency: str) -> int:
    if currency not in _KNOWN_CURRENCIES:
        raise UnknownCurrency(f"unknown currency code: {currency!r}")
    return int(get_currency_precision(currency))


def _to_decimal(value: object, what: str) -> Decimal:
    """Convert ``Decimal | str | int`` to a finite Decimal; reject floats and bools."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what} must be Decimal, str or int, not {type(value).__name__}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"{what} is not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"{what} must be Decimal, str or int, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


def _round_to_int(value: Decimal) -> int:
    """Round a finite Decimal to an integer with :data:`ROUNDING`, without precision loss."""
    if value.adjusted() > _MAX_DIGITS:
        raise ValueError(f"amount too large: {value!r}")
    return int(value.quantize(_ONE, rounding=ROUNDING, context=_EXACT))


def _check_same(a: Money, b: Money, op: str) -> None:
    if a.currency != b.currency:
        raise CurrencyMismatch(f"cannot {op} {a.currency} and {b.currency}")


def _check_factor(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"{what} must be Decimal or int, not {type(value).__name__}")
    return _to_decimal(value, what)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money: ``amount`` minor units of ``currency``.

    ``Money(125000, "BDT")`` is ৳1,250.00.  Instances are immutable and
    hashable; equality is by value (amount and currency).  Arithmetic and
    ordering are only defined between the same currency and raise
    :class:`CurrencyMismatch` otherwise.  ``bool(money)`` is deliberately not
    customised (it is always true); use :attr:`is_zero`.
    """

    #: An integer number of minor units (poisha, luma, cents): ``125000`` BDT is
    #: ৳1,250.00. Negative for discounts and refunds where a field says so.
    amount: int
    #: The ISO 4217 code (``"BDT"``, ``"AMD"``); amounts of a store are in its currency.
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(
                f"Money.amount must be an int of minor units, not {type(self.amount).__name__}"
            )
        minor_units(self.currency)

    # -- construction -----------------------------------------------------

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Build Money from a major-unit value, e.g. ``from_decimal("1250.50", "BDT")``.

        The value is rounded to the currency's minor unit with :data:`ROUNDING`
        (half-up).  Floats are rejected with :class:`TypeError`; non-numeric or
        non-finite strings raise :class:`ValueError`.
        """
        places = minor_units(currency)
        dec = _to_decimal(value, "value")
        return cls(_round_to_int(dec.scaleb(places, context=_EXACT)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``."""
        return cls(0, currency)

    # -- conversion -------------------------------------------------------

    def to_decimal(self) -> Decimal:
        """Return the amount in major units as an exact Decimal (``Decimal("1250.00")``)."""
        places = minor_units(self.currency)
        sign, digits, _ = Decimal(self.amount).as_tuple()
        return Decimal((sign, digits, -places))

    @property
    def is_zero(self) -> bool:
        """True if the amount is zero."""
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.to_decimal():f} {self.currency}"

    # -- arithmetic -------------------------------------------------------

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """Multiply by an int or Decimal, rounding with :data:`ROUNDING`; floats raise TypeError."""
        if isinstance(factor, Money):
            return NotImplemented
        dec = _check_factor(factor, "factor")
        return Money(_round_to_int(_EXACT.multiply(self.amount, dec)), self.currency)

    __rmul__ = __mul__

    def percentage(self, pct: Decimal | str | int) -> Money:
        """Return ``pct`` percent of this amount, rounded with :data:`ROUNDING`.

        ``Money.from_decimal("1300", "BDT").percentage(1)`` is ৳13.00.
        """
        dec = _to_decimal(pct, "pct")
        exact = _EXACT.multiply(self.amount, dec).scaleb(-2, context=_EXACT)
        return Money(_round_to_int(exact), self.currency)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split this amount by integer ``ratios`` without losing a minor unit.

        Uses the largest-remainder method: every share gets the floor of its
        exact part and leftover minor units go to the largest remainders
        (ties to the earlier ratio).  The parts always sum exactly to ``self``.
        ``100`` split ``[1, 1, 1]`` gives ``[34, 33, 33]``; negative amounts are
        split symmetrically (``-100`` -> ``[-34, -33, -33]``).
        """
        ratios = list(ratios)
        if not ratios:
            raise ValueError("ratios must not be empty")
        for r in ratios:
            if isinstance(r, bool) or not isinstance(r, int):
                raise TypeError(f"ratios must be ints, not {type(r).__name__}")
            if r < 0:
                raise ValueError("ratios must not be negative")
        total = sum(ratios)
        if total == 0:
            raise ValueError("ratios must not all be zero")

        sign = -1 if self.amount < 0 else 1
        amount = abs(self.amount)
        shares = [amount * r // total for r in ratios]
        remainders = [amount * r % total for r in ratios]
        leftover = amount - sum(shares)
        order = sorted(range(len(ratios)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    # -- ordering ---------------------------------------------------------

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "compare")
        return self.amount < other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        _check_same(self, other, "compare")
        return self.amount >= other.amount


def sum_money(items: Iterable[Money], currency: str) -> Money:
    """Sum ``items`` in ``currency``; an empty iterable gives zero.

    Raises :class:`CurrencyMismatch` if any item is in another currency.
    """
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total
