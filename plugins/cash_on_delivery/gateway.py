"""The cash-on-delivery gateway core drives after the order is placed.

Nothing happens online: the order stays unpaid (``pending``) until the merchant marks
it paid once the courier has brought the cash back, and refunds are cash handed back
(``ManualGateway`` answers returns, webhooks and refunds).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.sdk import OrderSnapshot, PaymentStart, StoreInfo
from plugins.manual_payments import ManualGateway, money_text

from .texts import pick_locale, text

GATEWAY_ID = "cod"


@dataclass(frozen=True)
class CashOnDelivery(ManualGateway):
    """A ``core.sdk.PaymentGateway`` for paying the courier in cash."""

    label: str
    description: str = ""
    unavailable_reason: str = ""
    id: str = GATEWAY_ID
    method: str = "cash_on_delivery"
    brand: str = ""

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Tell the shopper to have the total ready for the courier."""
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(instructions=text(locale, "instructions",
                                              total=money_text(order.total, locale, store)))
