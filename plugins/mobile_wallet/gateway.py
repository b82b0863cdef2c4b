"""The gateway core drives for one of the merchant's wallets (bKash, Nagad, ...).

The shopper has already sent the money and typed the transaction ID at checkout; core
stores it as the order's payment reference (once per store). The order stays
``pending`` until the merchant checks the wallet and marks it paid or rejects it.
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
    TextField,
    WebhookResult,
)

from .fields import TRANSACTION_ID, normalise_transaction_id
from .texts import pick_locale, text


@dataclass(frozen=True)
class WalletGateway:
    """A ``core.sdk.PaymentGateway`` for manual payments to one wallet number."""

    id: str
    label: str
    brand: str
    description: str = ""
    fields: tuple[TextField, ...] = ()
    method: str = "mobile_wallet"
    reference_field: str = TRANSACTION_ID
    refunds: bool = False

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Tell the shopper their transaction ID will be checked."""
        txn = normalise_transaction_id(
            order.payment_fields.get(TRANSACTION_ID, "") or order.payment_reference)
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(reference=txn,
                            instructions=text(locale, "confirm", wallet=self.brand, txn=txn))

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """No provider to come back from: the payment stays pending."""
        return PaymentResult(order.token, "pending")

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Manual wallet payments have no webhooks."""
        return WebhookResult(status=404)

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Confirm a refund the merchant sent back by hand (``refunds`` is False)."""
        return RefundResult(ok=True, amount=amount, message="Recorded as a refund made by hand.")
