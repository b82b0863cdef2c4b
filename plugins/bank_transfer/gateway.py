"""The bank-transfer gateway core drives after the order is placed.

The shopper gets the merchant's bank details and a payment reference on the
confirmation page and in the email; the order stays unpaid (``pending``) until the
merchant sees the money arrive and marks it paid. Refunds are transfers made by hand
(``ManualGateway`` answers returns, webhooks and refunds).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.sdk import OrderSnapshot, PaymentStart, StoreInfo
from plugins.manual_payments import ManualGateway

from .details import instructions, payment_reference
from .texts import pick_locale

GATEWAY_ID = "bank-transfer"
PLUGIN_NAME = "bank-transfer"


@dataclass(frozen=True)
class BankTransfer(ManualGateway):
    """A ``core.sdk.PaymentGateway`` for paying by transfer to the merchant's account."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "bank_transfer"
    brand: str = ""

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """The bank details, the amount and the reference to write with the transfer."""
        settings = store.plugin_settings(PLUGIN_NAME)
        reference = payment_reference(store, settings, order)
        locale = pick_locale(order.locale, store.locale)
        return PaymentStart(reference=reference,
                            instructions=instructions(settings, order, reference, locale,
                                                      store))
