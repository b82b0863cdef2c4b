"""Tax: one rate (e.g. VAT 15%) added to the checkout, if the merchant configures one.

Prices are tax-exclusive: the tax is added on top of the goods after the coupon, and
of the shipping too when the merchant says so. Other plugins' fees are not taxed. The
amount is rounded half up to the currency's minor unit (``Money.percentage``). See
docs/payments-manual.md.
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
    StoreInfo,
    TextField,
    hookimpl,
)
from plugins.manual_payments import pick_locale

LOCALES = ("en", "bn", "hy")


def _rate_in_range(value: Decimal) -> str | None:
    return None if 0 <= value <= 100 else "Enter a rate from 0 to 100, e.g. 15 or 7.5."


manifest = PluginManifest(
    name="tax",
    title="Tax",
    description="Adds one tax, such as VAT, to every order. Prices are shown without it.",
    settings=(
        TextField("label", "Tax name", required=True, default="VAT", max_length=40,
                  help="What shoppers see in the order summary, next to the rate, e.g. "
                       "VAT or ভ্যাট."),
        NumberField("rate", "Rate (%)", required=True, default=Decimal(0),
                    validators=(_rate_in_range,),
                    help="A percentage of the goods after the coupon; decimals are allowed, e.g. "
                         "7.5. Your prices must not include it: it is added at checkout."),
        BoolField("apply_to_shipping", "Also tax shipping", default=False,
                  help="Add the same rate on the shipping charge."),
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
