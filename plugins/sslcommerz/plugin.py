"""SSLCommerz: cards, bKash, Nagad, Rocket and internet banking on SSLCommerz's hosted
page, for stores in Bangladesh. See docs/sslcommerz.md.

Each store brings its own SSLCommerz store ID and password (the password encrypted),
with a sandbox/live switch. The shopper pays on SSLCommerz's page, so card and wallet
data never touch Haat. Haat learns the outcome from the IPN (``POST
/payments/sslcommerz/webhook`` on the store's host) and when the shopper comes back
(``/payments/sslcommerz/return/...``), in both cases only from SSLCommerz's validation
and transaction query APIs. Refunds from the admin go through SSLCommerz.
"""

from __future__ import annotations

from core.sdk import CheckoutContext, PaymentGateway, PluginManifest, StoreInfo, hookimpl

from . import routes
from .config import COUNTRIES, PLUGIN, SETTINGS, SslcommerzConfig
from .gateway import SslcommerzGateway
from .texts import _, text

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("SSLCommerz"),
    description=_.lazy("Cards, bKash, Nagad, Rocket and internet banking on SSLCommerz's "
                       "secure page, with refunds from the admin. Card details never reach "
                       "your store."),
    kind="payment",
    countries=COUNTRIES,
    settings=SETTINGS,
)


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[PaymentGateway]:
    """SSLCommerz's page, once the store has set its store ID and password."""
    if not SslcommerzConfig.of(store).ready:
        return []
    locale = (checkout.locale if checkout is not None else "") or store.locale
    return [SslcommerzGateway(label=text(locale, "label"),
                              description=text(locale, "description"))]


@hookimpl
def haat_blueprints():
    """The return route SSLCommerz's page posts the shopper back to."""
    return [routes.bp]
