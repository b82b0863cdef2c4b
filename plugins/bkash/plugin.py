"""bKash: wallet payments through bKash Tokenized Checkout. See docs/bkash.md.

Each store brings its own bKash merchant account (username, password, app key, app
secret: the password and secret encrypted). The shopper pays on bKash's own page; Haat
learns the outcome by calling Execute Payment when the shopper comes back, and a
scheduled Query Payment settles payments left pending. Refunds from the admin go
through bKash. For merchants without API access, the manual bKash wallet entry
(plugins/mobile_wallet) remains.
"""

from __future__ import annotations

from core.sdk import CheckoutContext, PaymentGateway, PluginManifest, StoreInfo, hookimpl

from .config import PLUGIN, SETTINGS, BkashConfig
from .gateway import CURRENCY, BkashGateway
from .jobs import SCHEDULES
from .texts import _, text

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("bKash"),
    description=_.lazy("bKash wallet payments on bKash's own page, confirmed "
                       "automatically, with refunds from the admin. Needs a bKash "
                       "Tokenized Checkout merchant account."),
    kind="payment",
    countries=("BD",),
    currencies=("BDT",),
    settings=SETTINGS,
    schedules=SCHEDULES,
)


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[PaymentGateway]:
    """bKash, once the four credentials are set, for a store selling in taka."""
    if store.currency != CURRENCY or not BkashConfig.of(store).ready:
        return []
    locale = (checkout.locale if checkout is not None else "") or store.locale
    return [BkashGateway(label=text(locale, "label"),
                         description=text(locale, "description"))]
