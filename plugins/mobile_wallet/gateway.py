"""The gateway core drives for one of the merchant's wallets (bKash, Nagad, ...).

The shopper has already sent the money and typed the transaction ID at checkout; core
stores it as the order's payment reference (once per store). The order stays
``pending`` until the merchant checks the wallet and marks it paid or rejects it
(``ManualGateway`` answers returns, webhooks and refunds).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.sdk import OrderSnapshot, PaymentStart, StoreInfo, TextField
from plugins.manual_payments import ManualGateway

from .fields import TRANSACTION_ID, normalise_transaction_id
from .texts import pick_locale, text


@dataclass(frozen=True)
class WalletGateway(ManualGateway):
    """A ``core.sdk.PaymentGateway`` for manual payments to one wallet number."""

    id: str
    label: str
    brand: str
    description: str = ""
    fields: tuple[TextField, ...] = ()
    method: str = "mobile_wallet"
    reference_field: str = TRANSACTION_ID

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Tell the shopper their transaction ID will be checked."""
        txn = normalise_transaction_id(
            order.payment_fields.get(TRANSACTION_ID, "") or order.payment_reference)
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(reference=txn,
                            instructions=text(locale, "confirm", wallet=self.brand, txn=txn))
