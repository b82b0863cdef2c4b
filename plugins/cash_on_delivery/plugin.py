"""Cash on delivery: the shopper pays the courier; the merchant marks the order paid.

Settings give an optional fee (a fixed amount or a percentage of the order value), the
zones the fee applies in, a maximum order value and the shipping zones cash on delivery
is offered for. Outside those limits the method is still listed but cannot be chosen,
with the reason. See docs/payments-manual.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from core.sdk import (
    Adjustment,
    CheckoutContext,
    CheckoutProblem,
    ChoiceField,
    MoneyField,
    NumberField,
    PluginManifest,
    ShippingZonesField,
    StoreInfo,
    hookimpl,
)
from plugins.manual_payments import money_text

from .gateway import GATEWAY_ID, CashOnDelivery
from .rules import FEE_BY_ZONE, FEE_FIXED, FEE_NONE, FEE_PERCENTAGE, CodRules
from .texts import _, pick_locale, text
from .zone_fees import ZoneFeesField

FEE_KINDS = (
    (FEE_NONE, _.lazy("No fee")),
    (FEE_FIXED, _.lazy("A fixed amount")),
    (FEE_BY_ZONE, _.lazy("An amount for each delivery zone")),
    (FEE_PERCENTAGE, _.lazy("A percentage of the order value")),
)


def _percent_in_range(value: Decimal) -> str | None:
    if 0 <= value <= 100:
        return None
    return _("Enter a percentage from 0 to 100, e.g. 1 or 1.5.")


def _positive_amount(value: int) -> str | None:
    if value > 0:
        return None
    return _("Enter an amount above zero, or leave it empty for no limit.")


def _check(values: Mapping[str, Any]) -> dict[str, str]:
    """The fee chosen must have its amount or percentage."""
    kind = values.get("fee_kind")
    if kind == FEE_FIXED and not values.get("fee_amount"):
        return {"fee_amount": _("Enter the fee, or choose “No fee”.")}
    if kind == FEE_PERCENTAGE and not values.get("fee_percent"):
        return {"fee_percent": _("Enter the percentage, or choose “No fee”.")}
    if kind == FEE_BY_ZONE and not values.get("zone_fees"):
        return {"zone_fees": _("Enter the fee for at least one zone, or choose “No fee”.")}
    return {}


manifest = PluginManifest(
    name="cash-on-delivery",
    title=_.lazy("Cash on delivery"),
    description=_.lazy("Shoppers pay the courier in cash; you mark the order paid on "
                       "delivery. Optional fee, order limit and delivery zones."),
    kind="payment",
    settings=(
        ChoiceField("fee_kind", _.lazy("Cash on delivery fee"), choices=FEE_KINDS,
                    default=FEE_NONE,
                    help=_.lazy("Added to the order when the shopper chooses cash on "
                                "delivery.")),
        MoneyField("fee_amount", _.lazy("Fixed fee"),
                   help=_.lazy("Used when the fee is a fixed amount, e.g. 20.")),
        NumberField("fee_percent", _.lazy("Fee percentage"), validators=(_percent_in_range,),
                    help=_.lazy("Used when the fee is a percentage: of the goods after the "
                                "coupon plus shipping, rounded half up. 1 means 1%.")),
        ZoneFeesField("zone_fees", _.lazy("Fee for each delivery zone"),
                      help=_.lazy("Used when the fee is an amount for each zone, e.g. 0 "
                                  "inside Dhaka and 20 outside. A zone left empty has no "
                                  "fee.")),
        ShippingZonesField("fee_zones", _.lazy("Fee applies only in these shipping zones"),
                           help=_.lazy("For a fixed or percentage fee. Tick none to charge "
                                       "the fee in every zone.")),
        MoneyField("max_order", _.lazy("Maximum order value"), validators=(_positive_amount,),
                   help=_.lazy("Above this amount (goods after the coupon plus shipping) cash "
                               "on delivery is shown but cannot be chosen. Leave empty for "
                               "no limit.")),
        ShippingZonesField("zones", _.lazy("Offer cash on delivery only in these shipping "
                                           "zones"),
                           help=_.lazy("Tick none to offer it in every zone.")),
    ),
    validate_settings=_check,
)

def _rules(store: StoreInfo) -> CodRules:
    return CodRules.from_settings(store.plugin_settings(manifest.name))


def unavailable_reason(rules: CodRules, checkout: CheckoutContext, locale: str,
                       store: StoreInfo | None = None) -> str:
    """Why this checkout cannot use cash on delivery, in ``locale`` ("" when it can)."""
    limit = rules.too_large(checkout)
    if limit is not None:
        return text(locale, "too_large", amount=money_text(limit, locale, store))
    if rules.zone_refused(checkout):
        return text(locale, "wrong_zone")
    return ""


@hookimpl
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> list[CashOnDelivery]:
    """Cash on delivery, with the fee this checkout would pay or why it cannot be used."""
    locale = pick_locale(checkout.locale if checkout else None, store.locale)
    if checkout is None:
        return [CashOnDelivery(label=text(locale, "label"),
                               description=text(locale, "description"))]
    rules = _rules(store)
    fee = rules.fee(checkout)
    description = (text(locale, "description_fee", fee=money_text(fee, locale, store))
                   if fee is not None else text(locale, "description"))
    return [CashOnDelivery(label=text(locale, "label"), description=description,
                           unavailable_reason=unavailable_reason(rules, checkout, locale, store))]


@hookimpl
def haat_checkout_adjustments(store: StoreInfo, checkout: CheckoutContext) -> list[Adjustment]:
    """The cash-on-delivery fee, when cash on delivery is chosen and allowed."""
    if checkout.payment_method != GATEWAY_ID:
        return []
    rules = _rules(store)
    fee = rules.fee(checkout)
    locale = pick_locale(checkout.locale, store.locale)
    if fee is None or unavailable_reason(rules, checkout, locale):
        return []
    return [Adjustment(kind="fee", code="cod-fee", label=text(locale, "fee_label"), amount=fee)]


@hookimpl
def haat_checkout_validate(store: StoreInfo, checkout: CheckoutContext) -> list[CheckoutProblem]:
    """Refuse cash on delivery when it is chosen beyond its limits."""
    if checkout.payment_method != GATEWAY_ID:
        return []
    locale = pick_locale(checkout.locale, store.locale)
    reason = unavailable_reason(_rules(store), checkout, locale)
    return [CheckoutProblem(reason, field="payment_method")] if reason else []
