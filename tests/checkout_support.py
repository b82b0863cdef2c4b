"""In-test shipping and payment plugins for the checkout tests, and a shopper helper.

The plugins are small but real: they go through the same hooks and provider
protocols as the first-party ones, so core's checkout is tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conftest import make_plugin
from core.sdk import (
    Adjustment,
    CheckoutProblem,
    Money,
    PaymentResult,
    PaymentStart,
    RefundResult,
    ShippingRate,
    TextField,
    WebhookResult,
)

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
ADDRESS = {"name": "Rahim Uddin", "phone": "01712345678", "country": "BD",
           "region": "Dhaka", "city": "Dhaka", "line1": "House 12, Road 5, Dhanmondi"}


class Courier:
    """Inside Dhaka 70, elsewhere 130 (in the store's currency, major units)."""

    id = "courier"
    label = "Courier"

    def quote(self, store, cart, address):
        inside = address.city.strip().lower() == "dhaka"
        amount = Money.from_decimal("70" if inside else "130", store.currency)
        zone = "inside-dhaka" if inside else "outside-dhaka"
        return [ShippingRate(id="standard", label="Inside Dhaka" if inside else "Outside Dhaka",
                             amount=amount, carrier=self.id, zone=zone),
                ShippingRate(id="pickup", label="Pick up", amount=Money.zero(store.currency),
                             carrier=self.id, zone=zone)]

    def tracking_url(self, number):
        return None

    def create_shipment(self, store, order):
        return None


@dataclass
class Manual:
    """A pay-later gateway (like cash on delivery) that records what it was asked."""

    id: str = "manual"
    label: str = "Pay on delivery"
    method: str = "cash_on_delivery"
    refunds: bool = False
    started: list[Any] = field(default_factory=list)

    def start(self, store, order):
        self.started.append(order)
        return PaymentStart(instructions=f"Pay {order.total.amount} on delivery.")

    def handle_return(self, store, order, params):
        return PaymentResult(order_token=order.token, state="pending")

    def handle_webhook(self, store, payload, headers):
        return WebhookResult(status=404)

    def refund(self, store, order, amount):
        return RefundResult(ok=True, amount=amount, message="Recorded.")


@dataclass
class Wallet(Manual):
    """A manual wallet: the shopper types a transaction id, unique per store."""

    id: str = "wallet-bkash"
    label: str = "bKash"
    method: str = "mobile_wallet"
    fields: tuple = (TextField("sender", "Your bKash number", required=True),
                     TextField("transaction_id", "Transaction ID", required=True))
    reference_field: str = "transaction_id"


@dataclass
class Card(Manual):
    """A redirecting gateway with signed-ish webhooks: ``X-Test-Secret`` must match."""

    id: str = "card"
    label: str = "Card"
    method: str = "card"
    refunds: bool = True
    secret: str = "s3cret"

    def start(self, store, order):
        self.started.append(order)
        return PaymentStart(redirect_url=f"https://pay.example/{order.token}",
                            reference=f"sess_{order.number}")

    def handle_return(self, store, order, params):
        state = "paid" if params.get("ok") == "1" else "pending"
        return PaymentResult(order_token=order.token, state=state,
                             provider_reference=f"pi_{order.number}")

    def handle_webhook(self, store, payload, headers):
        if headers.get("X-Test-Secret") != self.secret:
            return WebhookResult(status=400)
        event_id, token, state, *rest = payload.decode().split(",")
        amount = Money(int(rest[0]), store.currency) if rest else None
        return WebhookResult(results=(PaymentResult(order_token=token, state=state,
                                                    event_id=event_id, amount=amount),))


def shipping_plugin() -> object:
    return make_plugin("test-courier", haat_shipping_carriers=lambda store: [Courier()])


def payment_plugin(*gateways: Any, fee_percent: int = 0) -> object:
    def adjustments(store, checkout):
        if fee_percent and checkout.payment_method == "manual" and checkout.shipping_rate \
                and checkout.shipping_rate.zone == "outside-dhaka":
            return [Adjustment("fee", "cod-fee", "COD fee",
                               checkout.cart.subtotal.percentage(fee_percent))]
        return []

    def validate(store, checkout):
        if checkout.payment_method == "manual" and not checkout.phone:
            return [CheckoutProblem("The courier needs your phone number.", "phone")]
        return []

    return make_plugin("test-pay", kind="payment",
                       haat_payment_gateways=lambda store, checkout: list(gateways),
                       haat_checkout_adjustments=adjustments,
                       haat_checkout_validate=validate)


def idempotency_key(page: str) -> str:
    match = KEY.search(page)
    assert match, "the checkout page has no idempotency key"
    return match.group(1)


def checkout_form(client, **overrides: str) -> dict[str, str]:
    """Open /checkout like a shopper and fill it in (address in Dhaka, manual payment)."""
    page = client.get("/checkout")
    assert page.status_code == 200, page.status_code
    return {**ADDRESS, "shipping_rate": "courier:standard", "payment_method": "manual",
            "idempotency_key": idempotency_key(page.get_data(as_text=True)),
            "action": "place", **overrides}
