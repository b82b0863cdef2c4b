"""The cash-on-delivery gateway core drives after the order is placed.

Nothing happens online: the order stays unpaid (``pending``) until the merchant marks
it paid once the courier has brought the cash back, and refunds are cash handed back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    RefundResult,
    StoreInfo,
    WebhookResult,
)

from .texts import money_text, pick_locale, text

GATEWAY_ID = "cod"


@dataclass(frozen=True)
class CashOnDelivery:
    """A ``core.sdk.PaymentGateway`` for paying the courier in cash."""

    label: str
    description: str = ""
    unavailable_reason: str = ""
    id: str = GATEWAY_ID
    method: str = "cash_on_delivery"
    brand: str = ""
    refunds: bool = False

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Tell the shopper to have the total ready for the courier."""
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(instructions=text(locale, "instructions",
                                              total=money_text(order.total, locale)))

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """No provider to come back from: the payment stays pending."""
        return PaymentResult(order.token, "pending")

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Cash on delivery has no webhooks."""
        return WebhookResult(status=404)

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Confirm a refund the merchant made by hand (``refunds`` is False)."""
        return RefundResult(ok=True, amount=amount, message="Recorded as a refund made by hand.")
