"""Bank transfer: the shopper transfers the total to the merchant's account.

After the order is placed the shopper sees the bank details, the amount and a payment
reference (also in the confirmation email); the merchant marks the order paid when the
money arrives. See docs/payments-manual.md.
"""

from __future__ import annotations

from core.sdk import (
    CheckoutContext,
    LongTextField,
    PluginManifest,
    StoreInfo,
    TextField,
    hookimpl,
)

from .details import check_account_number, check_iban, check_prefix, check_swift
from .gateway import PLUGIN_NAME, BankTransfer
from .texts import _, pick_locale, text

manifest = PluginManifest(
    name=PLUGIN_NAME,
    title=_.lazy("Bank transfer"),
    description=_.lazy("Shoppers transfer the total to your bank account with a payment "
                       "reference; you mark the order paid when the money arrives."),
    kind="payment",
    settings=(
        TextField("account_name", _.lazy("Account name"), required=True, max_length=120,
                  help=_.lazy("The name on the account, exactly as the bank has it.")),
        TextField("bank_name", _.lazy("Bank name"), required=True, max_length=120,
                  help=_.lazy("E.g. BRAC Bank or Ameriabank.")),
        TextField("account_number", _.lazy("Account number"), required=True, max_length=40,
                  validators=(check_account_number,),
                  help=_.lazy("As your bank writes it, e.g. 1501 2034 5678 9001.")),
        TextField("branch", _.lazy("Branch / routing number"), max_length=120,
                  help=_.lazy("Optional: the branch name or routing number shoppers need "
                              "for transfers from other banks.")),
        TextField("swift", _.lazy("SWIFT/BIC"), max_length=20, validators=(check_swift,),
                  help=_.lazy("Optional: for transfers from abroad.")),
        TextField("iban", _.lazy("IBAN"), max_length=50, validators=(check_iban,),
                  help=_.lazy("Optional: only if your bank gives your account an IBAN.")),
        TextField("reference_prefix", _.lazy("Payment reference prefix"), max_length=12,
                  validators=(check_prefix,),
                  help=_.lazy("Shoppers write <prefix>-<order number> with their transfer, "
                              "e.g. DC-1042. Leave empty to use your store's address name "
                              "in capitals.")),
        LongTextField("extra_instructions", _.lazy("Extra instructions"), max_length=1000,
                      help=_.lazy("Optional: shown under the bank details on the "
                                  "confirmation and in the email, e.g. how long a transfer "
                                  "takes.")),
    ),
)

@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[BankTransfer]:
    """Bank transfer, once the merchant has filled in the account details."""
    settings = store.plugin_settings(PLUGIN_NAME)
    if not (settings.get("account_number") and settings.get("account_name")):
        return []  # enabled but not set up: there is nowhere to send the money
    locale = pick_locale(checkout.locale if checkout else None, store.locale)
    return [BankTransfer(label=text(locale, "label"),
                         description=text(locale, "description",
                                          bank=settings.get("bank_name", "")))]
