"""Stripe: card payments on Stripe's hosted Checkout page. See docs/stripe.md.

Each store brings its own Stripe account: its keys and webhook signing secret are
encrypted settings, and every API call uses that store's secret key. The shopper pays
on Stripe's page, so card data never touches Haat; Haat learns the outcome from a
signed webhook (``POST /payments/stripe/webhook`` on the store's host) or when the
shopper comes back, always by asking Stripe rather than trusting the address. Refunds
from the admin go through Stripe.
"""

from __future__ import annotations

from core.sdk import CheckoutContext, PaymentGateway, PluginManifest, StoreInfo, hookimpl

from .config import PLUGIN, SETTINGS, STRIPE_COUNTRIES, StripeConfig, check_settings
from .gateway import StripeGateway
from .texts import _, text

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("Stripe"),
    description=_.lazy("Card payments on Stripe's secure checkout page, with refunds from "
                       "the admin. Card details never reach your store."),
    kind="payment",
    countries=STRIPE_COUNTRIES,
    settings=SETTINGS,
    validate_settings=check_settings,
)


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[PaymentGateway]:
    """Card payments, once the store has set its secret key and webhook secret."""
    if not StripeConfig.of(store).ready:
        return []
    locale = (checkout.locale if checkout is not None else "") or store.locale
    return [StripeGateway(label=text(locale, "label"),
                          description=text(locale, "description"))]
