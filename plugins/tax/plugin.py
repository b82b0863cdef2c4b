"""Tax: one rate (e.g. VAT 15%) added to the checkout, if the merchant configures one.

Prices are tax-exclusive: the tax is added on top of the goods after the coupon, and
of the shipping too when the merchant says so. Other plugins' fees are not taxed. The
amount is rounded half up to the currency's minor unit (``Money.percentage``). The
settings page is in the merchant's admin language (``translations/``; the tax's name is
the merchant's own). See docs/payments-manual.md.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from core.sdk import (
    Adjustment,
    BoolField,
    CheckoutContext,
    Money,
    NumberField,
    PluginManifest,
    PluginText,
    StoreInfo,
    TextField,
    hookimpl,
)
from plugins.manual_payments import pick_locale

LOCALES = ("en", "bn", "hy")

_ = PluginText(__package__)


def _rate_in_range(value: Decimal) -> str | None:
    return None if 0 <= value <= 100 else _("Enter a rate from 0 to 100, e.g. 15 or 7.5.")


manifest = PluginManifest(
    name="tax",
    title=_.lazy("Tax"),
    description=_.lazy("Adds one tax, such as VAT, to every order. Prices are shown "
                       "without it."),
    settings=(
        TextField("label", _.lazy("Tax name"), required=True, default="VAT", max_length=40,
                  help=_.lazy("What shoppers see in the order summary, next to the rate, "
                              "e.g. VAT or ভ্যাট.")),
        NumberField("rate", _.lazy("Rate (%)"), required=True, default=Decimal(0),
                    validators=(_rate_in_range,),
                    help=_.lazy("A percentage of the goods after the coupon; decimals are "
                                "allowed, e.g. 7.5. Your prices must not include it: it is "
                                "added at checkout.")),
        BoolField("apply_to_shipping", _.lazy("Also tax shipping"), default=False,
                  help=_.lazy("Add the same rate on the shipping charge.")),
    ),
)


def taxable_amount(checkout: CheckoutContext, with_shipping: bool) -> Money:
    """The goods after the coupon, plus the chosen shipping rate when shipping is taxed."""
    base = checkout.cart.subtotal
    if checkout.discount is not None:
        base = base + checkout.discount
    if with_shipping and checkout.shipping_rate is not None:
        base = base + checkout.shipping_rate.amount
    return base


def tax_label(label: str, rate: Decimal, locale: str) -> str:
    """E.g. ``"VAT 15%"`` (``"ԱԱՀ 7,5%"`` in Armenian, which writes a decimal comma)."""
    shown = format_decimal(rate.normalize(), locale=locale, decimal_quantization=False)
    return f"{label} {shown}%"


@hookimpl
def haat_checkout_adjustments(store: StoreInfo, checkout: CheckoutContext) -> list[Adjustment]:
    """The tax on this checkout (nothing when the rate is zero or the tax rounds to 0)."""
    settings = store.plugin_settings(manifest.name)
    rate = Decimal(settings.get("rate") or 0)
    if rate <= 0:
        return []
    amount = taxable_amount(checkout, bool(settings.get("apply_to_shipping")))
    tax = amount.percentage(rate)
    if tax.amount <= 0:
        return []
    locale = pick_locale(checkout.locale, store.locale, locales=LOCALES)
    label = tax_label(settings.get("label") or "VAT", rate, locale)
    return [Adjustment(kind="tax", code="tax", label=label, amount=tax)]
