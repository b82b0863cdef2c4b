"""Placing an order: one transaction that either does everything or nothing.

The order row (with its per-store number and the form's idempotency key), its line
snapshots, the stock taken with conditional updates, the coupon use, the customer
record and the emptied cart commit together. A second submit of the same form finds
the first order by its key instead of making another. The payment starts only after
the commit, so a slow or failing provider can never leave half an order behind.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.cart.models import Cart
from core.cart.service import line_weight
from core.catalog.stock import OutOfStock, StockRequest, take_stock
from core.checkout.form import CheckoutInput, contact_problems, idempotency_key
from core.checkout.quote import Quote, QuoteRequest, build_quote
from core.customers.consent import current_consents, record_consent
from core.customers.service import customer_key, find_or_create_customer
from core.db import db
from core.discounts.rules import claim_use, customer_uses
from core.messaging.alerts import queue_low_stock_alerts, queue_staff_alerts
from core.orders import timeline
from core.orders.models import Order, OrderLine
from core.orders.numbering import next_order_number
from core.orders.service import queue_messages, record
from core.orders.snapshots import order_snapshot
from core.pluginhost.events import emit, emit_lazy
from core.pluginhost.runtime import reraise_unless_isolating
from core.sdk import CustomerSnapshot, PaymentStart, PluginCheckoutError, StoreInfo

log = logging.getLogger("haat.checkout")


class CheckoutRefused(Exception):
    """The order was not placed; ``quote.problems`` says why, field by field."""

    def __init__(self, quote: Quote | None, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.quote = quote
        self.problems = problems


@dataclass(frozen=True)
class Placed:
    """The outcome: the order, whether this submit made it, and what the payment
    provider wants next (``None`` when it could not be started)."""

    order: Order
    created: bool
    payment: PaymentStart | None = None


def existing_order(key: str) -> Order | None:
    """The current store's order made by the form with this idempotency key."""
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def place_order(request: QuoteRequest, cart: Cart | None, data: CheckoutInput,
                countries: dict[str, str]) -> Placed:
    """Place the order for ``cart`` or raise :class:`CheckoutRefused`.

    Prices, rates, fees and the discount are computed again here from the catalogue
    and the plugins; nothing in ``data`` but the shopper's choices is used.
    """
    key = idempotency_key(data)
    if key is None:
        raise CheckoutRefused(None, {"form": _("This page is out of date. Please check "
                                               "your details and place the order again.")})
    earlier = existing_order(key)
    if earlier is not None:
        return Placed(earlier, created=False)
    if cart is None:
        raise CheckoutRefused(None, {"cart": _("Your cart is empty.")})
    problems = contact_problems(data, countries)
    quote = build_quote(request, cart, data, placing=True)
    problems = {**problems, **quote.problems}
    if not problems and quote.totals is not None and _total_changed(data, quote):
        problems["form"] = _("The total changed to %(total)s while you were checking out "
                             "(a price or a delivery rate changed). Please check your order "
                             "and place it again.",
                             total=request.money_text(quote.totals.total))
    if problems:
        raise CheckoutRefused(quote, problems)
    try:
        order = _write(quote, data, key, request.plugins.info)
        db.session.commit()
    except _Duplicate:
        db.session.rollback()
        earlier = existing_order(key)
        if earlier is None:
            raise
        return Placed(earlier, created=False)
    except CheckoutRefused:
        db.session.rollback()
        raise
    gateway = quote.gateway.gateway if quote.gateway else None
    payment = start_payment(order, gateway, request.plugins.info)
    queue_messages(order, "order_placed")
    queue_staff_alerts(order.tenant_id, "new_order", order_id=order.id)
    taken: dict[int, int] = {}
    for line in order.lines:
        if line.product_id is not None:
            taken[line.product_id] = taken.get(line.product_id, 0) + line.quantity
    queue_low_stock_alerts(order.tenant_id, taken)
    db.session.commit()
    return Placed(order, created=True, payment=payment)


def _record_consents(customer_id: int, order: Order, *, marketing: bool) -> None:
    """The shopper gave a phone and/or email to hear about this order (transactional);
    a ticked box also says yes to news and offers there (marketing)."""
    db.session.flush()  # the customer's id, for a new customer
    holding = current_consents([customer_id])
    for channel, given in (("sms", order.phone), ("email", order.email)):
        if not given:
            continue
        record_consent(customer_id, "transactional", channel, True, "checkout",
                       now_holding=holding)
        if marketing:
            record_consent(customer_id, "marketing", channel, True, "checkout",
                           now_holding=holding)


def _total_changed(data: CheckoutInput, quote: Quote) -> bool:
    """True when the page the shopper placed from showed another total (its hidden
    ``expected_total``, in minor units); a form without one is not checked."""
    shown = data.get("expected_total")
    assert quote.totals is not None
    return shown.isascii() and shown.isdigit() and int(shown) != quote.totals.total.amount


class _Duplicate(Exception):
    """The same form was placed by a concurrent submit that committed first."""


def _write(quote: Quote, data: CheckoutInput, key: str, store: StoreInfo) -> Order:
    assert quote.totals is not None and quote.gateway is not None
    totals, gateway = quote.totals, quote.gateway
    reference_field = str(getattr(gateway.gateway, "reference_field", "") or "")
    reference = quote.payment_values.get(reference_field) if reference_field else None
    order = Order(
        number=next_order_number(), token=secrets.token_urlsafe(24), idempotency_key=key,
        email=data.get("email").lower(), phone=data.get("phone"),
        locale=quote.context.locale if quote.context else store.locale,
        currency=store.currency, subtotal=totals.subtotal.amount,
        discount_total=totals.discount.amount, shipping_total=totals.shipping.amount,
        fee_total=totals.fee.amount, tax_total=totals.tax.amount, total=totals.total.amount,
        adjustments=[{"kind": a.adjustment.kind, "code": a.adjustment.code,
                      "label": a.adjustment.label, "amount": a.adjustment.amount.amount,
                      "plugin": a.plugin} for a in quote.adjustments],
        coupon_code=quote.coupon.code if quote.coupon and quote.coupon.applies else "",
        discount_id=quote.coupon.discount.id if quote.coupon and quote.coupon.discount else None,
        payment_method=gateway.id, payment_label=gateway.label,
        payment_reference=reference or None, payment_fields=dict(quote.payment_values),
        shipping_rate_id=quote.rate.id if quote.rate else "",
        shipping_label=quote.rate.rate.label if quote.rate else "",
        shipping_zone=quote.rate.rate.zone if quote.rate else "",
        shipping_address={name: data.get(name) for name in
                          ("name", "phone", "country", "region", "city", "line1", "line2",
                           "postcode")},
        note=data.get("note"),
    )
    for line in quote.cart.lines:
        source = line.variant or line.product
        order.lines.append(OrderLine(
            product_id=line.product_id, variant_id=line.variant_id, title=line.product.title,
            variant_title=line.variant.title if line.variant else "",
            sku=(source.sku or ""), quantity=line.quantity, unit_price=source.price_amount,
            line_total=source.price_amount * line.quantity, weight_grams=line_weight(line)))
    db.session.add(order)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        _refuse_conflict(quote, key, reference_field, reference, exc)
    _take_stock(quote)
    _claim_coupon(quote, order, data)
    customer, created = find_or_create_customer(order.email, order.phone, data.get("name"))
    order.customer = customer
    if customer is not None:
        _record_consents(customer.id, order, marketing=bool(data.get("marketing")))
    record(order, "placed", timeline.order_placed(gateway.label), "shopper")
    db.session.delete(quote.cart)
    db.session.flush()
    if created and customer is not None:
        emit("haat_customer_created", order.tenant_id, customer=CustomerSnapshot(
            id=customer.id, email=customer.email, phone=customer.phone, name=customer.name))
    order_id = order.id

    def build(store_info: StoreInfo) -> dict[str, object] | None:
        found = db.session.get(Order, order_id)
        return {"order": order_snapshot(found, store_info)} if found else None

    emit_lazy("haat_order_placed", order.tenant_id, build)
    return order


def _refuse_conflict(quote: Quote, key: str, reference_field: str, reference: str | None,
                     exc: IntegrityError) -> None:
    """Explain why the order row could not be written (the transaction is rolled back):
    the same form placed meanwhile, a wallet reference used meanwhile, or a product
    deleted meanwhile."""
    db.session.rollback()
    if existing_order(key) is not None:
        raise _Duplicate from exc
    if reference and existing_reference(quote, reference):
        raise CheckoutRefused(quote, {f"payment_fields.{reference_field}": _(
            "This transaction ID was already used for another order. Check it and "
            "enter it again.")}) from exc
    log.warning("order refused by a constraint: %s", exc.orig)
    raise CheckoutRefused(quote, {"cart": _(
        "Something in your cart changed while you were checking out. Please check your "
        "cart and place the order again.")}) from exc


def existing_reference(quote: Quote, reference: str) -> bool:
    """True when an order of this store already carries this payment reference."""
    assert quote.gateway is not None
    return db.session.scalar(select(Order.id).where(
        Order.payment_method == quote.gateway.id,
        Order.payment_reference == reference)) is not None


def _claim_coupon(quote: Quote, order: Order, data: CheckoutInput) -> None:
    """Count the coupon's use, checking its limits again now that this store's orders
    are serialised on the order counter (two tabs cannot both use a once-only code)."""
    if order.discount_id is None or quote.coupon is None or quote.coupon.discount is None:
        return
    used_up = _("The code %(code)s has just been used up.", code=order.coupon_code)
    limit = quote.coupon.discount.per_customer_limit
    key = customer_key(data.get("email"), data.get("phone"))
    if limit is not None and customer_uses(order.discount_id, key) >= limit:
        raise CheckoutRefused(quote, {"coupon": _("You have already used the code %(code)s.",
                                                  code=order.coupon_code)})
    if not claim_use(order.discount_id):
        raise CheckoutRefused(quote, {"coupon": used_up})


def _take_stock(quote: Quote) -> None:
    try:
        take_stock(StockRequest(line.product_id, line.variant_id, line.quantity)
                   for line in quote.cart.lines)
    except OutOfStock as exc:
        line = next(line for line in quote.cart.lines
                    if line.product_id == exc.request.product_id
                    and line.variant_id == exc.request.variant_id)
        title = line.product.title + (f" ({line.variant.title})" if line.variant else "")
        message = (_("Sorry, %(title)s has just sold out.", title=title) if exc.available <= 0
                   else _("Sorry, only %(stock)s of %(title)s are left now.",
                          stock=exc.available, title=title))
        raise CheckoutRefused(quote, {"cart": message}) from exc


def start_payment(order: Order, gateway: object | None, store: StoreInfo) -> PaymentStart | None:
    """Ask the order's gateway how the shopper pays (after the order is committed).

    A provider that fails leaves the order pending with a timeline entry; the
    status page offers to try again. The caller commits.
    """
    gateway = gateway or find_gateway(store, order.payment_method)
    started: PaymentStart | None = None
    try:
        if gateway is None:
            raise PluginCheckoutError(_("This way to pay is not available any more."))
        started = gateway.start(store, order_snapshot(order, store))
    except PluginCheckoutError as exc:
        record(order, "payment_not_started", exc.shopper_message,
               f"plugin:{exc.plugin or order.payment_method}")
    except Exception as exc:
        reraise_unless_isolating(exc)
        log.exception("payment start failed for order %s", order.id)
        record(order, "payment_not_started", timeline.payment_provider_failed(),
               f"plugin:{order.payment_method}")
    if started is not None:
        if started.reference and not order.payment_reference:
            order.payment_reference = started.reference[:200]
        order.payment_instructions = started.instructions
    return started


def start_problem(order: Order) -> str | None:
    """Why the newest payment start of ``order`` failed, in the shopper's words (the
    gateway's ``PluginCheckoutError``); ``""`` when the provider failed without words
    for the shopper; ``None`` when no start failed."""
    for event in reversed(order.events):
        if event.kind == "payment_not_started":
            return "" if event.template else event.message
    return None


def find_gateway(store: StoreInfo, gateway_id: str) -> object | None:
    """The enabled gateway ``gateway_id`` of ``store`` (outside a checkout)."""
    from core.sdk import payment_methods

    return next((g for g in payment_methods(store) if str(g.id) == gateway_id), None)
