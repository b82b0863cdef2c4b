"""Applying plugins' checkout adjustments in a fixed, documented order.

Plugins never see each other's adjustments: each returns tagged ``Adjustment`` objects
computed from the same checkout, and core applies them by kind (discount, shipping,
fee, tax), then by plugin name, so the result never depends on plugin load order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.money import Money, sum_money
from core.sdk import ADJUSTMENT_ORDER, Adjustment


@dataclass(frozen=True)
class AppliedAdjustment:
    plugin: str
    adjustment: Adjustment


def order_adjustments(contributions: Iterable[tuple[str, Adjustment]]) -> list[AppliedAdjustment]:
    """Sort ``(plugin, adjustment)`` pairs into the order they are applied."""
    rank = {kind: index for index, kind in enumerate(ADJUSTMENT_ORDER)}
    applied = [AppliedAdjustment(plugin, adj) for plugin, adj in contributions]
    return sorted(applied, key=lambda a: (rank[a.adjustment.kind], a.plugin, a.adjustment.code))


def checkout_total(subtotal: Money, adjustments: Iterable[AppliedAdjustment]) -> Money:
    """Subtotal plus every adjustment; discounts never take the goods below zero."""
    applied = list(adjustments)
    discounts = sum_money((a.adjustment.amount for a in applied
                           if a.adjustment.kind == "discount"), subtotal.currency)
    goods = subtotal + discounts
    if goods.amount < 0:
        goods = Money.zero(subtotal.currency)
    charges = sum_money((a.adjustment.amount for a in applied
                         if a.adjustment.kind != "discount"), subtotal.currency)
    return goods + charges
