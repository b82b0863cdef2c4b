"""The checkout summary, computed from the cart and the shopper's choices.

The same function serves the page (every time a choice changes) and the placing of
the order, so what the shopper saw is what is charged: prices come from the
catalogue, rates from the shipping plugins, fees and taxes from the plugins'
adjustments and the discount from the coupon rules, never from the form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from flask_babel import gettext as _

from core.cart.models import Cart
from core.cart.service import snapshot
from core.catalog.models import STATUS_ACTIVE
from core.checkout.adjustments import AppliedAdjustment, checkout_total, order_adjustments
from core.checkout.form import CheckoutInput
from core.customers.service import customer_key
from core.discounts.rules import CouponDecision, evaluate, normalise_code
from core.money import Money, sum_money
from core.pluginhost.runtime import StorePlugins, reraise_unless_isolating
from core.sdk import (
    Adjustment,
    CartSnapshot,
    CheckoutContext,
    CheckoutProblem,
    FieldError,
    PaymentGateway,
    PluginCheckoutError,
    ShippingRate,
)

log = logging.getLogger("haat.checkout")
CORE = "core"  # the "plugin" name of adjustments core makes itself (coupon, shipping)


@dataclass(frozen=True)
class RateOption:
    """A delivery option as offered: ``id`` is ``"<carrier id>:<rate id>"``."""

    id: str
    rate: ShippingRate
    amount: Money


@dataclass(frozen=True)
class GatewayOption:
    """A way to pay as offered at this checkout."""

    gateway: PaymentGateway
    id: str
    label: str
    description: str = ""
    unavailable_reason: str = ""
    fields: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Totals:
    subtotal: Money
    discount: Money
    shipping: Money
    fee: Money
    tax: Money
    total: Money


@dataclass
class Quote:
    """Everything the checkout page shows and the order copies."""

    cart: Cart
    snapshot: CartSnapshot
    rates: list[RateOption] = field(default_factory=list)
    rate: RateOption | None = None
    gateways: list[GatewayOption] = field(default_factory=list)
    gateway: GatewayOption | None = None
    payment_values: dict[str, str] = field(default_factory=dict)
    coupon: CouponDecision | None = None
    adjustments: list[AppliedAdjustment] = field(default_factory=list)
    totals: Totals | None = None
    problems: dict[str, str] = field(default_factory=dict)
    context: CheckoutContext | None = None

    def problem(self, name: str, message: str) -> None:
        self.problems.setdefault(name or "form", message)


class CouponGuard(Protocol):
    """What limits coupon guessing (the storefront's is ``core.storefront.coupon_guard``)."""

    def may_check(self, cart: Cart, code: str) -> bool:
        """Whether ``code`` may be checked for ``cart`` now (False: too many tries)."""

    def known(self, cart: Cart, code: str) -> bool:
        """Whether ``code`` has already applied to ``cart`` (its refusals may be exact)."""

    def applied(self, cart: Cart, code: str) -> None:
        """Remember that ``code`` applied to ``cart``."""


@dataclass(frozen=True)
class QuoteRequest:
    """Who is asking: the store's plugins, the shopper's locale and formatters, and
    what limits coupon guessing (``None``: nothing, e.g. outside a request)."""

    plugins: StorePlugins
    locale: str
    money_text: Callable[[Money], str]
    date_text: Callable[[datetime], str]
    coupons: CouponGuard | None = None


def _decide_coupon(quote: Quote, request: QuoteRequest,
                   data: CheckoutInput) -> CouponDecision | None:
    """The typed code's decision, within the guard's limits on guessing."""
    guard, cart = request.coupons, quote.cart
    code = normalise_code(data.get("coupon"))
    if code and guard is not None and not guard.may_check(cart, code):
        return CouponDecision(code, reason=_("You have tried several codes just now. Wait "
                                             "a while, then try again."))
    decision = evaluate(code, quote.snapshot.subtotal,
                        customer_key(data.get("email"), data.get("phone")),
                        request.money_text, request.date_text,
                        explain=bool(code and guard is not None and guard.known(cart, code)))
    if decision is not None and decision.applies and guard is not None:
        guard.applied(cart, code)
    return decision


def build_quote(request: QuoteRequest, cart: Cart, data: CheckoutInput, *,
                placing: bool) -> Quote:
    """Compute the summary for ``cart`` and the choices in ``data``.

    With ``placing`` every missing choice is a problem; otherwise the page is only
    being shown or refreshed, and defaults are picked quietly.
    """
    store = request.plugins.info
    quote = Quote(cart=cart, snapshot=snapshot(cart, store.currency))
    _check_lines(quote, request)
    address = data.address
    _offer_rates(quote, request, data, address, placing)
    quote.coupon = _decide_coupon(quote, request, data)
    if quote.coupon is not None and not quote.coupon.applies:
        quote.problem("coupon", quote.coupon.reason)
    coupon = quote.coupon if quote.coupon and quote.coupon.applies else None
    if coupon is not None and coupon.free_shipping:  # every option becomes free
        quote.rates = [replace(option, amount=Money.zero(store.currency))
                       for option in quote.rates]
        quote.rate = next((o for o in quote.rates if quote.rate and o.id == quote.rate.id),
                          None)
    context = CheckoutContext(
        cart=quote.snapshot, address=address, email=data.get("email"),
        phone=data.get("phone"), shipping_rate_id=quote.rate.id if quote.rate else None,
        payment_method=data.get("payment_method") or None,
        coupon_code=coupon.code if coupon else "",
        shipping_rate=replace(quote.rate.rate, amount=quote.rate.amount) if quote.rate else None,
        discount=Money(-coupon.amount, store.currency) if coupon else None,
        note=data.get("note"), locale=request.locale)
    _offer_gateways(quote, request, context, data, placing)
    context = replace(context, payment_method=quote.gateway.id if quote.gateway else None,
                      payment_fields=dict(quote.payment_values))
    quote.context = context
    _apply_adjustments(quote, request, context)
    if placing:
        _validate(quote, request, context)
    return quote


def _check_lines(quote: Quote, request: QuoteRequest) -> None:
    if not quote.cart.lines:
        quote.problem("cart", _("Your cart is empty."))
    for line in quote.cart.lines:
        source = line.variant or line.product
        stock = source.stock if line.product.status == STATUS_ACTIVE else 0
        if stock < line.quantity:
            title = line.product.title + (f" ({line.variant.title})" if line.variant else "")
            message = (_("%(title)s is sold out. Remove it from your cart to go on.",
                         title=title) if stock <= 0 else
                       _("Only %(stock)s of %(title)s left. Change the quantity in your cart.",
                         stock=stock, title=title))
            quote.problem("cart", message)


def _offer_rates(quote: Quote, request: QuoteRequest, data: CheckoutInput,
                 address: Any, placing: bool) -> None:
    # A country alone would price "outside Dhaka" for someone in Dhaka: wait for the area.
    if address is None or not (address.city or address.region):
        if placing:
            quote.problem("shipping_rate", _("Enter your address to see delivery options."))
        return
    try:
        carriers = [carrier for contribution in
                    request.plugins.checkout("haat_shipping_carriers")
                    for carrier in contribution.value or ()]
        for carrier in carriers:
            for rate in carrier.quote(request.plugins.info, quote.snapshot, address) or ():
                if rate.amount.currency != request.plugins.info.currency:
                    raise ValueError(f"{carrier.id} quoted {rate.amount.currency}")
                quote.rates.append(RateOption(f"{carrier.id}:{rate.id}", rate, rate.amount))
    except PluginCheckoutError as exc:
        quote.problem("shipping_rate", exc.shopper_message)
        return
    except Exception as exc:  # a carrier's own failure: say so, never a 500
        reraise_unless_isolating(exc)
        log.exception("shipping quote failed for store %s", request.plugins.info.slug)
        quote.problem("shipping_rate", _("Delivery prices are not available right now. "
                                         "Please try again in a few minutes."))
        return
    wanted = data.get("shipping_rate")
    quote.rate = next((option for option in quote.rates if option.id == wanted), None)
    if quote.rate is None and quote.rates and not (placing and wanted):
        quote.rate = quote.rates[0]
    if placing and quote.rate is None:
        quote.problem("shipping_rate",
                      _("That delivery option is no longer offered. Choose one again.")
                      if wanted and quote.rates else
                      _("Choose a delivery option.") if quote.rates else
                      _("We do not deliver to this address yet."))


def _offer_gateways(quote: Quote, request: QuoteRequest, context: CheckoutContext,
                    data: CheckoutInput, placing: bool) -> None:
    try:
        offered = [gateway for contribution in
                   request.plugins.checkout("haat_payment_gateways", checkout=context)
                   for gateway in contribution.value or ()]
    except PluginCheckoutError as exc:
        quote.problem("payment_method", exc.shopper_message)
        return
    for gateway in offered:
        quote.gateways.append(GatewayOption(
            gateway=gateway, id=str(gateway.id), label=str(gateway.label),
            description=str(getattr(gateway, "description", "") or ""),
            unavailable_reason=str(getattr(gateway, "unavailable_reason", "") or ""),
            fields=tuple(getattr(gateway, "fields", ()) or ())))
    wanted = data.get("payment_method")
    available = [option for option in quote.gateways if not option.unavailable_reason]
    chosen = next((option for option in quote.gateways if option.id == wanted), None)
    if chosen is None and not wanted and len(available) == 1:
        chosen = available[0]
    if chosen is not None and chosen.unavailable_reason:
        quote.problem("payment_method", chosen.unavailable_reason)
        chosen = None
    quote.gateway = chosen
    if not quote.gateways:
        quote.problem("payment_method", _("This shop cannot take payments right now."))
    elif placing and chosen is None:
        quote.problem("payment_method", _("Choose how you will pay."))
    if chosen is not None:
        _read_payment_fields(quote, chosen, data.payment_fields.get(chosen.id, {}), placing)


def _read_payment_fields(quote: Quote, option: GatewayOption, typed: dict[str, str],
                         placing: bool) -> None:
    for setting in option.fields:
        raw = typed.get(setting.name, "")
        try:
            value = setting.parse(raw)
        except FieldError as exc:
            if placing or raw:
                quote.problem(f"payment_fields.{setting.name}", str(exc))
            continue
        quote.payment_values[setting.name] = "" if value is None else str(value)


def _apply_adjustments(quote: Quote, request: QuoteRequest, context: CheckoutContext) -> None:
    currency = request.plugins.info.currency
    contributions: list[tuple[str, Adjustment]] = []
    coupon = quote.coupon if quote.coupon and quote.coupon.applies else None
    if coupon is not None and coupon.amount:
        contributions.append((CORE, Adjustment(
            "discount", coupon.code, _("Discount (%(code)s)", code=coupon.code),
            Money(-coupon.amount, currency))))
    if quote.rate is not None:
        label = quote.rate.rate.label
        if coupon is not None and coupon.free_shipping:  # its amount is zero already
            label = _("%(label)s, free with %(code)s", label=label, code=coupon.code)
        contributions.append((CORE, Adjustment("shipping", quote.rate.id, label,
                                               quote.rate.amount)))
    try:
        for contribution in request.plugins.checkout("haat_checkout_adjustments",
                                                     checkout=context):
            for adjustment in contribution.value or ():
                if adjustment.amount.currency != currency:
                    raise PluginCheckoutError(_("This shop's prices could not be worked "
                                                "out. Please try again later."),
                                              plugin=contribution.plugin)
                contributions.append((contribution.plugin, adjustment))
    except PluginCheckoutError as exc:
        quote.problem("form", exc.shopper_message)
    quote.adjustments = order_adjustments(contributions)
    quote.totals = _totals(quote.snapshot.subtotal, quote.adjustments)


def _totals(subtotal: Money, applied: Sequence[AppliedAdjustment]) -> Totals:
    currency = subtotal.currency

    def kind(name: str) -> Money:
        return sum_money((a.adjustment.amount for a in applied
                          if a.adjustment.kind == name), currency)

    discount = kind("discount")
    if subtotal.amount + discount.amount < 0:  # a discount never takes goods below zero
        discount = Money(-subtotal.amount, currency)
    return Totals(subtotal=subtotal, discount=discount, shipping=kind("shipping"),
                  fee=kind("fee"), tax=kind("tax"), total=checkout_total(subtotal, applied))


def _validate(quote: Quote, request: QuoteRequest, context: CheckoutContext) -> None:
    try:
        for contribution in request.plugins.checkout("haat_checkout_validate",
                                                     checkout=context):
            for problem in contribution.value or ():
                if isinstance(problem, CheckoutProblem):
                    quote.problem(problem.field, problem.message)
    except PluginCheckoutError as exc:
        quote.problem("form", exc.shopper_message)
