"""Haat amounts to Stripe amounts and back.

Haat stores integer minor units with the number of decimals CLDR gives a currency
(BDT, AMD, USD: 2; JPY, ISK, UGX: 0; KWD: 3). Stripe's API uses its own exponent per
currency (https://docs.stripe.com/currencies): 0 for its zero-decimal currencies, 3 for
the three-decimal ones, 2 for every other currency, ISK included (ISK 1 is ``100`` and
must be a multiple of 100), and UGX is zero-decimal. The amount is converted through
its decimal value, so the exponents never have to agree; an amount Stripe cannot take
exactly (a fraction of a unit Stripe does not have, or a three-decimal amount whose
last digit is not 0) is refused rather than rounded, because the shopper must be
charged exactly the order total.
"""

from __future__ import annotations

from decimal import Decimal

from core.sdk import Money

ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
    "VUV", "XAF", "XOF", "XPF",
})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
#: Currencies whose Stripe amounts must be a multiple of this (whole units only).
WHOLE_UNITS_ONLY = {"ISK": 100}


class AmountNotPayable(ValueError):
    """Stripe cannot take this amount exactly."""


def stripe_exponent(currency: str) -> int:
    """How many decimals Stripe's API uses for ``currency``."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_stripe(money: Money) -> int:
    """``money`` as the integer amount Stripe expects, or ``AmountNotPayable``."""
    value = money.to_decimal().scaleb(stripe_exponent(money.currency))
    if value != value.to_integral_value():
        raise AmountNotPayable(f"{money} has a fraction Stripe does not accept")
    amount = int(value)
    if money.currency in THREE_DECIMAL and amount % 10:
        raise AmountNotPayable(f"{money}: Stripe needs the last digit to be 0")
    step = WHOLE_UNITS_ONLY.get(money.currency)
    if step and amount % step:
        raise AmountNotPayable(f"{money}: Stripe takes whole units only")
    return amount


def from_stripe(amount: int, currency: str) -> Money:
    """A Stripe amount in ``currency`` (any case) as Haat ``Money``."""
    code = currency.upper()
    return Money.from_decimal(Decimal(int(amount)).scaleb(-stripe_exponent(code)), code)
