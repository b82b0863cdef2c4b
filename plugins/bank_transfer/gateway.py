"""The bank-transfer gateway core drives after the order is placed.

The shopper gets the merchant's bank details and a payment reference on the
confirmation page and in the email; the order stays unpaid (``pending``) until the
merchant sees the money arrive and marks it paid. Refunds are transfers made by hand.
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

from .details import instructions, payment_reference
from .texts import pick_locale

GATEWAY_ID = "bank-transfer"
PLUGIN_NAME = "bank-transfer"


@dataclass(frozen=True)
class BankTransfer:
    """A ``core.sdk.PaymentGateway`` for paying by transfer to the merchant's account."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "bank_transfer"
    brand: str = ""
    refunds: bool = False

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """The bank details, the amount and the reference to write with the transfer."""
        settings = store.plugin_settings(PLUGIN_NAME)
        reference = payment_reference(store, settings, order)
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(reference=reference,
                            instructions=instructions(settings, order, reference, locale))

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """No provider to come back from: the payment stays pending."""
        return PaymentResult(order.token, "pending")

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Bank transfers have no webhooks."""
        return WebhookResult(status=404)

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Confirm a refund the merchant made by hand (``refunds`` is False)."""
        return RefundResult(ok=True, amount=amount, message="Recorded as a refund made by hand.")
