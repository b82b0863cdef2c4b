"""Mobile wallets, paid by hand: bKash, Nagad, Rocket, Idram and the like.

The shopper sends the money to the wallet number shown at checkout and types the number
they paid from and the transaction ID; the merchant checks the wallet and marks the
order paid or rejects it. A transaction ID already used in the store is refused. One
plugin serves any number of wallets, one per line of its settings. See
docs/payments-manual.md.
"""

from __future__ import annotations

from core.sdk import (
    CheckoutContext,
    CheckoutProblem,
    LongTextField,
    PluginManifest,
    StoreInfo,
    hookimpl,
    payment_reference_used,
)

from .fields import TRANSACTION_ID, checkout_fields, normalise_transaction_id
from .gateway import WalletGateway
from .texts import _, pick_locale, text
from .wallets import Wallet, check_template, check_wallets, parse_wallets, render
from .wallets_field import WalletsField

manifest = PluginManifest(
    name="mobile-wallet",
    title=_.lazy("Mobile wallets (manual)"),
    description=_.lazy("bKash, Nagad, Rocket, Idram...: shoppers send money to your wallet "
                       "and enter the transaction ID; you check it and mark the order "
                       "paid."),
    kind="payment",
    # bKash, Nagad and Rocket move taka in Bangladesh, Idram and TelCell dram in Armenia;
    # the checkout wording ("Send Money", transaction ID) is theirs.
    countries=("BD", "AM"),
    currencies=("BDT", "AMD"),
    settings=(
        WalletsField("wallets", _.lazy("Wallets"), required=True,
                     validators=(check_wallets,),
                     help=_.lazy("Each wallet is its own way to pay at checkout. Leave a row "
                                 "empty to skip it; empty a row's boxes to remove that "
                                 "wallet.")),
        LongTextField("instructions", _.lazy("Instructions at checkout"), max_length=1000,
                      validators=(check_template,),
                      help=_.lazy("Shown under each wallet at checkout. You can use "
                                  "{wallet}, {number} and {amount}; {amount} reads “the "
                                  "order total”, which the order summary shows. Leave empty "
                                  "for ready-made instructions in the shopper's language.")),
    ),
)

def _wallets(store: StoreInfo) -> list[Wallet]:
    return parse_wallets(store.plugin_settings(manifest.name).get("wallets"))[0]


def _description(template: str, wallet: Wallet, locale: str) -> str:
    values = {"wallet": wallet.name, "number": wallet.number,
              "amount": text(locale, "order_total")}
    described = render(template, values) if template.strip() else None
    if described is None:
        described = text(locale, "instructions", **values)
    return f"{described}\n{wallet.note}" if wallet.note else described


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[WalletGateway]:
    """One way to pay per wallet, with its number and the fields the shopper fills in."""
    locale = pick_locale(checkout.locale if checkout else None, store.locale)
    template = store.plugin_settings(manifest.name).get("instructions") or ""
    return [WalletGateway(id=wallet.gateway_id, label=wallet.name, brand=wallet.name,
                          description=_description(template, wallet, locale),
                          fields=checkout_fields(wallet.name, locale))
            for wallet in _wallets(store)]


@hookimpl
def haat_checkout_validate(store: StoreInfo, checkout: CheckoutContext) -> list[CheckoutProblem]:
    """Refuse a transaction ID that an order of this store already carries."""
    if not (checkout.payment_method or "").startswith("wallet-"):
        return []
    if checkout.payment_method not in {w.gateway_id for w in _wallets(store)}:
        return []
    txn = normalise_transaction_id(checkout.payment_fields.get(TRANSACTION_ID, ""))
    if txn and payment_reference_used(store, checkout.payment_method, txn):
        locale = pick_locale(checkout.locale, store.locale)
        return [CheckoutProblem(text(locale, "txn_used"),
                                field=f"payment_fields.{TRANSACTION_ID}")]
    return []
