"""A courier and a cash-on-delivery gateway with nothing behind them, for in-test plugins
that need a way to deliver and a way to pay. Subclasses give the id, the courier's
rates, or a place to fail; like any plugin's providers they use ``core.sdk`` only."""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    RefundResult,
    StoreInfo,
    WebhookResult,
)


class UntrackedCourier:
    """A courier with no tracking page and no booking API (parcels are sent by hand);
    subclasses set ``id`` and ``label`` and write ``quote``."""

    def tracking_url(self, tracking_number: str) -> str | None:
        return None

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> None:
        return None


class CashOnDelivery:
    """The shopper pays the courier: the order waits as pending with the instructions
    "Pay the courier.", no provider calls back, and refunds are recorded as made.
    Subclasses set ``id``."""

    label = "Cash on delivery"
    method = "cash_on_delivery"

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        return PaymentStart(instructions="Pay the courier.")

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        return PaymentResult(order_token=order.token, state="pending")

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        return WebhookResult(status=404)

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        return RefundResult(ok=True, amount=amount)
