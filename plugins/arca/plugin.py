"""ArCa: card payments (Visa, Mastercard, ArCa) through ArCa's iPay/vPOS gateway, the
payment page most Armenian banks give their merchants. See docs/arca.md.

Each store brings the vPOS API user and password its bank issued; every call uses that
store's credentials only. The shopper pays on ArCa's page, so card data never touches
Haat. Haat learns the outcome when the shopper comes back, and from a scheduled check
for shoppers who do not, always by asking ArCa. Refunds from the admin go through ArCa.
"""

from __future__ import annotations

from core.sdk import (
    CheckoutContext,
    OrderSnapshot,
    PaymentGateway,
    PluginManifest,
    Schedule,
    StoreInfo,
    hookimpl,
)

from .api import CURRENCY_CODES
from .checks import check_payments, watch
from .config import PLUGIN, SETTINGS, ArcaConfig
from .gateway import GATEWAY_ID, ArcaGateway
from .texts import _, text

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("ArCa cards"),
    description=_.lazy("Visa, Mastercard and ArCa card payments on your Armenian bank's "
                       "ArCa payment page (iPay/vPOS), with refunds from the admin. Card "
                       "details never reach your store."),
    kind="payment",
    countries=("AM",),
    settings=SETTINGS,
    schedules=(Schedule("check_payments", check_payments, "*/10 * * * *",
                        title=_.lazy("Check unfinished ArCa payments")),),
)


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[PaymentGateway]:
    """Card payments, once the store has its ArCa credentials and an ArCa currency."""
    if not ArcaConfig.of(store).ready or store.currency not in CURRENCY_CODES:
        return []
    locale = (checkout.locale if checkout is not None else "") or store.locale
    return [ArcaGateway(label=text(locale, "label"), description=text(locale, "description"))]


@hookimpl
def haat_order_placed(store: StoreInfo, order: OrderSnapshot) -> None:
    """Watch ArCa orders until they are settled (see ``checks``)."""
    if order.payment_method == GATEWAY_ID:
        watch(store, order)
