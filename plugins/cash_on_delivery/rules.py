"""When cash on delivery may be chosen, and what it costs.

Both are worked out from the checkout alone: the plugin does not see other plugins'
fees, so the *order value* here is the goods after the coupon (``checkout.discount``)
plus the chosen shipping rate as charged. That value is what the maximum is compared
with and what a percentage fee is taken of (see docs/payments-manual.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.sdk import CheckoutContext, Money

FEE_NONE = "none"
FEE_FIXED = "fixed"
FEE_PERCENTAGE = "percentage"
FEE_BY_ZONE = "by_zone"

_SEPARATORS = re.compile(r"[,\n]")


def _entries(value: str | None) -> list[str]:
    return [z.strip() for z in _SEPARATORS.split(value or "") if z.strip()]


def split_zones(value: str | list[str] | None) -> list[str]:
    """Zone ids from the setting (a list; an older version stored a comma-separated
    text), lower-cased, in order."""
    if isinstance(value, (list, tuple)):
        return [str(z).strip().lower() for z in value if str(z).strip()]
    return [z.lower() for z in _entries(value)]


def order_value(checkout: CheckoutContext) -> Money:
    """The goods after the coupon plus the chosen shipping rate (when one is chosen)."""
    value = checkout.cart.subtotal
    if checkout.discount is not None:
        value = value + checkout.discount
    if checkout.shipping_rate is not None:
        value = value + checkout.shipping_rate.amount
    return value


@dataclass(frozen=True)
class CodRules:
    """A store's cash-on-delivery settings, ready to apply to a checkout."""

    fee_kind: str = FEE_NONE
    fee_amount: int = 0
    fee_percent: Decimal = Decimal(0)
    fee_zones: frozenset[str] = frozenset()
    max_order: int | None = None
    zones: frozenset[str] = frozenset()
    #: The fee per zone id in minor units, for ``FEE_BY_ZONE``.
    zone_fees: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> CodRules:
        """Read the plugin's effective settings (missing values mean "no rule")."""
        return cls(
            fee_kind=settings.get("fee_kind") or FEE_NONE,
            fee_amount=int(settings.get("fee_amount") or 0),
            fee_percent=Decimal(settings.get("fee_percent") or 0),
            fee_zones=frozenset(split_zones(settings.get("fee_zones"))),
            max_order=settings.get("max_order") or None,
            zones=frozenset(split_zones(settings.get("zones"))),
            zone_fees={str(zone).lower(): int(amount)
                       for zone, amount in (settings.get("zone_fees") or {}).items()
                       if isinstance(amount, int) and amount > 0},
        )

    def too_large(self, checkout: CheckoutContext) -> Money | None:
        """The maximum when this checkout is above it, else None."""
        if self.max_order is None:
            return None
        limit = Money(self.max_order, checkout.cart.subtotal.currency)
        return limit if order_value(checkout) > limit else None

    def zone_refused(self, checkout: CheckoutContext) -> bool:
        """True when zones are limited and the chosen rate is not in one of them.

        Before a rate is chosen nothing is refused; a rate with no zone is refused.
        """
        rate = checkout.shipping_rate
        return bool(self.zones) and rate is not None and rate.zone.lower() not in self.zones

    def fee(self, checkout: CheckoutContext) -> Money | None:
        """The fee for this checkout, or None when there is none (or it is zero)."""
        currency = checkout.cart.subtotal.currency
        if self.fee_kind == FEE_BY_ZONE:
            rate = checkout.shipping_rate
            amount = self.zone_fees.get(rate.zone.lower()) if rate is not None else None
            return Money(amount, currency) if amount else None
        if self.fee_zones:
            rate = checkout.shipping_rate
            if rate is None or rate.zone.lower() not in self.fee_zones:
                return None
        currency = checkout.cart.subtotal.currency
        if self.fee_kind == FEE_FIXED:
            fee = Money(self.fee_amount, currency)
        elif self.fee_kind == FEE_PERCENTAGE:
            fee = order_value(checkout).percentage(self.fee_percent)
        else:
            return None
        return None if fee.amount <= 0 else fee
