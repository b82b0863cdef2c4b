"""The store's orders at ``/admin/orders``: a filtered list, one order's page with
its actions, and a printable packing slip and invoice.

Owners and staff both manage orders. Every change goes through
``core.orders.service``. The page offers only the actions the order's states allow
(``core.orders.states``), and the POST handlers check again: an action the order's
state refuses (a stale page, a second click) is answered 409 with the reason, a bad
field 422 with the message next to it and what was typed kept. Each POST rolls back
everything on a refusal, so nothing half-done is ever saved.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.admin.listing import (
    InputError,
    day_end,
    day_start,
    page_number,
    paginate,
    parse_amount,
    parse_day,
    query_args,
)
from core.catalog import store_data
from core.checkout.placement import find_gateway
from core.customers.service import normalise_phone
from core.db import db
from core.i18n import to_ascii_digits
from core.money import Money
from core.orders import carriers, service, states, timeline
from core.orders.carriers import BookingFailed, BookingUnderWay, OrderCarrier
from core.orders.cod import COD_METHOD, DeliveryRisk, delivery_risk, risky_phones
from core.orders.emails import safe_link
from core.orders.labels import (
    FULFILMENT_LABELS,
    PAYMENT_LABELS,
    TRACKING_LABELS,
    refusal,
    state_label,
)
from core.orders.models import Order
from core.orders.service import OrderActionError
from core.orders.tracking import shipment_events
from core.pluginhost.runtime import reraise_unless_isolating
from core.pluginhost.web import plugins_for_request
from core.sdk import OrderSnapshot, RefundResult, StoreInfo
from core.web.templating import money_filter, number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_orders", __name__, url_prefix="/admin/orders")
bp.add_app_template_filter(timeline.shown, "timeline_entry")
bp.add_app_template_filter(timeline.actor_shown, "timeline_actor")
# PAYMENT_LABELS and FULFILMENT_LABELS (the states' words) are imported from here by the
# dashboard and the customers pages too.
_ASCII_NUMBER = re.compile(r"[0-9]{1,9}")
log = logging.getLogger("haat.admin")

#: Free text the merchant adds to a rejection or cancellation, for the timeline.
MAX_REASON = 500
MAX_SEARCH = 100


# ------------------------------------------------------------------------ list


@dataclass(frozen=True)
class OrderFilters:
    """What the list is narrowed to, as typed (``raw``) and as understood."""

    raw: dict[str, str]
    since: date | None = None
    until: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def q(self) -> str:
        """The search text (number, email or phone)."""
        return self.raw.get("q", "")

    @property
    def active(self) -> bool:
        """True when anything narrows the list."""
        return bool(query_args(self.raw))


def _filters(args: Any) -> OrderFilters:
    raw = {name: (args.get(name) or "").strip()[:MAX_SEARCH]
           for name in ("q", "status", "payment", "from", "to")}
    errors: dict[str, str] = {}
    if raw["status"] not in ("", *states.FULFILMENT_STATES):
        errors["status"] = _("Choose one of the listed statuses.")
    if raw["payment"] not in ("", *states.PAYMENT_STATES):
        errors["payment"] = _("Choose one of the listed payment states.")
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            days[name] = parse_day(raw[name])
        except InputError as exc:
            days[name], errors[name] = None, str(exc)
    if days["from"] and days["to"] and days["to"] < days["from"]:
        errors["to"] = _("The end date is before the start date.")
        days["to"] = None
    return OrderFilters(raw=raw, since=days["from"], until=days["to"], errors=errors)


def _phone_digits(column: Any) -> Any:
    """The column's digits, so ``+880 1712-345678`` matches ``01712345678``."""
    for mark in (" ", "-", "+", "(", ")", "."):
        column = func.replace(column, mark, "")
    return column


def _search(text: str) -> ColumnElement[bool]:
    options: list[ColumnElement[bool]] = [Order.email.icontains(text, autoescape=True),
                                          Order.phone.contains(text, autoescape=True)]
    number = to_ascii_digits(text).removeprefix("#").strip()  # "#১০২৪" is order 1024
    if _ASCII_NUMBER.fullmatch(number):  # "²".isdigit() is true but int() refuses it
        options.append(Order.number == int(number))
    digits = normalise_phone(text).lstrip("0")
    if len(digits) >= 4 and digits.isascii() and digits.isdigit():
        options.append(_phone_digits(Order.phone).contains(digits, autoescape=True))
    return or_(*options)


def _conditions(filters: OrderFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    raw = filters.raw
    if raw["status"] and "status" not in filters.errors:
        conditions.append(Order.fulfilment_state == raw["status"])
    if raw["payment"] and "payment" not in filters.errors:
        conditions.append(Order.payment_state == raw["payment"])
    if filters.since:
        conditions.append(Order.created_at >= day_start(filters.since))
    if filters.until:
        conditions.append(Order.created_at < day_end(filters.until))
    if filters.q:
        conditions.append(_search(filters.q))
    return conditions


@bp.get("")
@login_required
def index() -> str:
    """Orders, newest first, 50 a page: filter by status, payment and date; search by
    number, email or phone. Three queries whatever the page holds (the third flags
    risky cash-on-delivery orders)."""
    filters = _filters(request.args)
    conditions = _conditions(filters)
    page = paginate(
        select(Order).where(*conditions).order_by(Order.created_at.desc(), Order.id.desc()),
        select(func.count(Order.id)).where(*conditions),
        page_number(request.args.get("page")))
    return render_template(
        "admin/orders/index.html", store=current_store(), page=page, filters=filters,
        args=query_args(filters.raw), payment_labels=PAYMENT_LABELS,
        risky=_risky_on_page(page.items),
        fulfilment_labels=FULFILMENT_LABELS,
        store_link=url_for("storefront.index", _external=True))


def _risky_on_page(orders: list[Order]) -> set[int]:
    """The ids of the page's cash-on-delivery orders, not yet shipped, whose phone's
    parcels from this store came back at least half the time (one query)."""
    waiting = [order for order in orders
               if order.payment_method == COD_METHOD and order.phone
               and order.fulfilment_state in (states.UNFULFILLED, states.FULFILLED)]
    phones = risky_phones(order.phone for order in waiting)
    return {order.id for order in waiting if normalise_phone(order.phone) in phones}


# ---------------------------------------------------------------------- detail


def _order_or_404(order_id: int, *, lock: bool = False) -> Order:
    """The current store's order (another store's id is simply not found). ``lock``
    holds the row until the commit, so two clicks cannot both act on it."""
    query = (select(Order).where(Order.id == order_id)
             .options(selectinload(Order.lines), selectinload(Order.events),
                      selectinload(Order.customer)))
    if lock:
        query = query.with_for_update(of=Order)
    order = db.session.scalar(query)
    if order is None:
        abort(404)
    return order


def _store_info() -> StoreInfo:
    plugins = plugins_for_request()
    assert plugins is not None  # admin pages only exist on a store's host
    return plugins.info


def _actor() -> str:
    return str(current_user.email)


@dataclass(frozen=True)
class Action:
    """One button on the order page: the state it moves the order to, whether the
    order's current state allows it, and how a refusal reads (the move's usual words,
    or ``refused`` with ``%(state)s`` for the current state's label)."""

    name: str
    machine: str  # "payment", "fulfilment" or "" (always allowed)
    target: str
    refused: Any = None  # a lazy message, translated when shown

    def allowed(self, order: Order) -> bool:
        """True when the order's states allow this action now."""
        if self.machine == "payment":
            return states.can_move_payment(order.payment_state, self.target)
        if self.machine == "fulfilment":
            return states.can_move_fulfilment(order.fulfilment_state, self.target)
        return True

    def refusal(self, order: Order) -> str:
        """Why the order's state does not allow this now."""
        current = order.payment_state if self.machine == "payment" else order.fulfilment_state
        return str(refusal(self.machine, current, self.target, self.refused))


ACTIONS = {action.name: action for action in (
    Action("mark-paid", "payment", states.PAID),
    Action("reject-payment", "payment", states.FAILED),
    Action("fulfil", "fulfilment", states.FULFILLED),
    Action("ship", "fulfilment", states.SHIPPED),
    Action("book", "fulfilment", states.SHIPPED,
           _l("This order is %(state)s; it cannot be booked with a courier now.")),
    Action("deliver", "fulfilment", states.DELIVERED),
    Action("return", "fulfilment", states.RETURNED),
    Action("cancel", "fulfilment", states.CANCELLED),
    # Both a first and a further partial refund may end in "refunded".
    Action("refund", "payment", states.REFUNDED),
    Action("note", "", ""),
)}


class _ByHand:
    """Stands in for a payment plugin that is switched off: the merchant refunded by
    hand, and Haat only records it."""

    id = ""
    label = ""
    refunds = False

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        # Kept on the order's timeline, which the service writes in English.
        return RefundResult(ok=True, amount=amount, message="Recorded as a refund made by hand.")


@dataclass(frozen=True)
class RefundWay:
    """How a refund of this order happens: through the provider, or recorded."""

    gateway: Any
    label: str
    through_provider: bool
    plugin_off: bool


def _refund_way(order: Order) -> RefundWay:
    gateway = find_gateway(_store_info(), order.payment_method)
    if gateway is None:
        return RefundWay(_ByHand(), order.payment_label or order.payment_method, False, True)
    return RefundWay(gateway, str(getattr(gateway, "label", "") or order.payment_label),
                     bool(getattr(gateway, "refunds", False)), False)


def _left_to_refund(order: Order) -> Money:
    return Money(max(order.total - order.refunded_total, 0), order.currency)


def _carrier(order: Order) -> OrderCarrier | None:
    """The enabled carrier that quoted the order's rate (it books and links parcels)."""
    return carriers.order_carrier(_store_info(), order)


def _chosen_carrier(order: Order) -> OrderCarrier | None:
    """The carrier the merchant pressed "Book with" for (the form's ``carrier``), among
    those that may book the order; the first of them when the form names none."""
    offered = carriers.booking_carriers(_store_info(), order)
    wanted = request.form.get("carrier", "").strip()
    for found in offered:
        if not wanted or found.id == wanted:
            return found
    return None


def _delivery_risk(order: Order) -> DeliveryRisk | None:
    """What is known about deliveries to a cash-on-delivery order's phone: the store's
    own parcels and each courier plugin's record (``haat_delivery_record``)."""
    if order.payment_method != COD_METHOD or not order.phone:
        return None
    records = [(c.plugin, c.value) for c in plugins_for_request().contribute(
        "haat_delivery_record", phone=normalise_phone(order.phone)) if c.value is not None]
    return delivery_risk(order, records)


def _page(order: Order, *, errors: dict[str, str] | None = None, typed: dict[str, str] | None
          = None, refusal: str = "", status: int = 200) -> tuple[str, int]:
    allowed = {name for name, action in ACTIONS.items() if action.allowed(order)}
    way = _refund_way(order) if "refund" in allowed else None
    carrier = _carrier(order) if "ship" in allowed else None
    # The form suggests the courier of the order's delivery option; keeping it gets the
    # carrier's tracking link, another courier gets none.
    courier = carriers.courier_name(carrier) if carrier is not None else ""
    book_with = (carriers.booking_carriers(_store_info(), order)
                 if "ship" in allowed else [])
    booking = carriers.booking_under_way(order.id) if book_with else None
    values = {"refund-amount": str(_left_to_refund(order).to_decimal()),
              "ship-carrier": courier, **(typed or {})}
    body = render_template(
        "admin/orders/detail.html", store=current_store(), order=order, allowed=allowed,
        refund_way=way, left=_left_to_refund(order), errors=errors or {}, typed=values,
        refusal=refusal, payment_labels=PAYMENT_LABELS, fulfilment_labels=FULFILMENT_LABELS,
        carrier=carrier, courier=courier, booking=booking, book_with=book_with,
        risk=_delivery_risk(order),
        tracking_link=safe_link(order.tracking_url),
        tracking_events=shipment_events(order.id) if order.carrier_id else [],
        tracking_labels=TRACKING_LABELS, zone_name=_zone_name(order),
        limits={**service.SHIP_LIMITS, "reason": MAX_REASON, "note": service.MAX_NOTE})
    return body, status


def _zone_name(order: Order) -> str:
    """The name of the order's delivery zone as the merchant knows it now ("ঢাকার
    বাইরে"), or its id when the zone has gone since."""
    if not order.shipping_zone:
        return ""
    names = {zone.id: zone.name for zone in store_data.shipping_zones(_store_info())}
    return names.get(order.shipping_zone, order.shipping_zone)


@bp.get("/<id:order_id>")
@login_required
def detail(order_id: int) -> tuple[str, int]:
    """One order: lines, addresses, totals, payment, shipment, timeline and actions."""
    return _page(_order_or_404(order_id))


@bp.get("/<id:order_id>/packing-slip")
@login_required
def packing_slip(order_id: int) -> str:
    """A printable packing slip: what goes in the parcel and where it goes (no prices)."""
    return render_template("admin/orders/packing_slip.html", store=current_store(),
                           order=_order_or_404(order_id))


@bp.get("/<id:order_id>/invoice")
@login_required
def invoice(order_id: int) -> str:
    """A printable invoice: the lines, the totals and how it was paid."""
    return render_template("admin/orders/invoice.html", store=current_store(),
                           order=_order_or_404(order_id), payment_labels=PAYMENT_LABELS)


# --------------------------------------------------------------------- actions


class _ProviderRefused(OrderActionError):
    """The provider said no; the timeline entry the service wrote is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(_("The refund was refused: %(reason)s", reason=message), "amount")


def _act(order_id: int, name: str, run: Callable[[Order], str]) -> Response | tuple[str, int]:
    """Run one action on the locked order and commit, or roll back and explain.

    ``run`` returns the success message, or raises ``OrderActionError`` (from the
    service or from the form's own checks) with the field it belongs to.
    """
    action = ACTIONS[name]
    order = _order_or_404(order_id, lock=True)
    typed = {f"{name}-{key}": value for key, value in request.form.items()
             if key != "csrf_token"}
    if not action.allowed(order):
        message = action.refusal(order)
        db.session.rollback()
        return _page(_order_or_404(order_id), typed=typed, refusal=message, status=409)
    try:
        message = run(order)
    except OrderActionError as exc:
        if isinstance(exc, _ProviderRefused):
            db.session.commit()  # keep the refusal on the timeline; nothing else changed
        else:
            db.session.rollback()
        order = _order_or_404(order_id)
        message = str(exc.message)  # a lazy message is translated now, and escaped
        if exc.field:
            return _page(order, errors={f"{name}-{exc.field}": message}, typed=typed,
                         status=422)
        return _page(order, typed=typed, refusal=message, status=409)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin_orders.detail", order_id=order_id), 303)


def _reason(name: str = "reason") -> str:
    text = (request.form.get(name) or "").strip()
    if len(text) > MAX_REASON:
        raise OrderActionError(_("Keep it under %(max)s characters.",
                                 max=number_filter(MAX_REASON)), name)
    return text


def _within(limits: dict[str, int]) -> None:
    """Refuse a field longer than its limit (the number in the store's digits): the
    service would refuse it too, but in the admin's words and digits here."""
    for name, limit in limits.items():
        if len((request.form.get(name) or "").strip()) > limit:
            raise OrderActionError(_("Use at most %(count)s characters.",
                                     count=number_filter(limit)), name)


def _confirmed() -> None:
    if request.form.get("confirm") != "yes":
        raise OrderActionError(_("Tick the box to confirm."), "confirm")


@bp.post("/<id:order_id>/mark-paid")
@login_required
def mark_paid(order_id: int) -> Response | tuple[str, int]:
    """The money arrived (cash on delivery, bank transfer, a checked wallet payment)."""
    def run(order: Order) -> str:
        service.mark_paid(order, _actor())
        return _("Order #%(number)s is marked as paid.", number=order.number)
    return _act(order_id, "mark-paid", run)


@bp.post("/<id:order_id>/reject-payment")
@login_required
def reject_payment(order_id: int) -> Response | tuple[str, int]:
    """The payment could not be found (e.g. a wrong wallet transaction id)."""
    def run(order: Order) -> str:
        service.reject_payment(order, _actor(), _reason())
        return _("The payment of order #%(number)s is rejected.", number=order.number)
    return _act(order_id, "reject-payment", run)


@bp.post("/<id:order_id>/fulfil")
@login_required
def fulfil(order_id: int) -> Response | tuple[str, int]:
    """The order is packed."""
    def run(order: Order) -> str:
        service.fulfil(order, _actor())
        return _("Order #%(number)s is packed.", number=order.number)
    return _act(order_id, "fulfil", run)


@bp.post("/<id:order_id>/ship")
@login_required
def ship(order_id: int) -> Response | tuple[str, int]:
    """Handed to a courier, with its tracking number (and link) for the shopper."""
    def run(order: Order) -> str:
        _within(service.SHIP_LIMITS)
        carriers.ship_by_hand(order, _store_info(), _actor(),
                              request.form.get("carrier", ""),
                              request.form.get("tracking_number", ""),
                              request.form.get("tracking_url") or "")
        return _("Order #%(number)s is shipped.", number=order.number)
    return _act(order_id, "ship", run)


@bp.post("/<id:order_id>/book")
@login_required
def book(order_id: int) -> Response | tuple[str, int]:
    """Book the parcel with the carrier that quoted the order's delivery rate; the
    order is then shipped with the carrier's tracking number and link.

    The courier is asked with no lock held (``carriers.book``): a second click while
    it answers is refused ("under way"), and an order cancelled or shipped meanwhile
    keeps its state while the merchant is told to cancel the booked parcel."""
    order = _order_or_404(order_id, lock=True)
    action = ACTIONS["book"]
    carrier = _chosen_carrier(order) if action.allowed(order) else None
    if not action.allowed(order):
        message = action.refusal(order)
    elif carrier is None or not carrier.books:
        message = _("This order's delivery option cannot be booked through Haat. Enter the "
                    "courier and tracking number below.")
    else:
        message = ""
    if carrier is None or message:
        db.session.rollback()
        return _page(_order_or_404(order_id), refusal=message, status=409)
    actor = _actor()  # read now: nothing may open a transaction while the courier answers
    try:
        booking = carriers.book(order, _store_info(), carrier, actor)
    except (BookingUnderWay, OrderActionError) as exc:
        db.session.rollback()
        # Name the courier of the booking under way, which may not be the one pressed.
        running = (str((exc.started.params or {}).get("carrier") or carrier.label)
                   if isinstance(exc, BookingUnderWay) else carrier.label)
        message = (str(exc.message) if isinstance(exc, OrderActionError) else _(
            "A booking with %(carrier)s is already under way for this order. Reload the "
            "page in a minute to see how it went; after %(minutes)s minutes without an "
            "answer you can book again.", carrier=running,
            minutes=number_filter(int(carriers.BOOKING_WINDOW.total_seconds() // 60))))
        return _page(_order_or_404(order_id), refusal=message, status=409)
    except BookingFailed as exc:
        return _page(_order_or_404(order_id), errors={"book-carrier": _failure(exc)},
                     status=422)
    return _booked(order_id, carrier, booking)


def _failure(exc: BookingFailed) -> str:
    label = exc.carrier.label
    if exc.reason:
        return _("%(carrier)s refused the booking: %(reason)s", carrier=label,
                 reason=exc.reason)
    if exc.unusable:
        return _("The answer of %(carrier)s could not be used; check with the courier "
                 "before booking again.", carrier=label)
    return _("%(carrier)s did not answer, so nothing was booked. Try again in a few "
             "minutes, or enter the tracking number by hand below.", carrier=label)


def _booked(order_id: int, carrier: OrderCarrier,
            booking: carriers.Booking) -> Response | tuple[str, int]:
    """The merchant's answer to a booking that came back."""
    parcel = booking.parcel
    if booking.outcome == "by_hand" or parcel is None:
        return _page(_order_or_404(order_id), errors={"book-carrier": _(
            "%(carrier)s books this parcel by hand: book it with the courier, then enter "
            "the courier and tracking number below.", carrier=carrier.label)}, status=422)
    order = _order_or_404(order_id)
    if booking.outcome == "shipped":
        flash(_("Order #%(number)s is booked with %(courier)s, tracking number "
                "%(tracking)s.", number=order.number, courier=order.carrier,
                tracking=order.tracking_number), "success")
        return redirect(url_for("admin_orders.detail", order_id=order_id), 303)
    if booking.outcome == "unused":
        message = _("%(carrier)s booked a parcel (tracking number %(tracking)s), but the "
                    "order was %(state)s meanwhile. Cancel the parcel with the courier.",
                    carrier=carrier.label, tracking=parcel.tracking_number,
                    state=state_label("fulfilment", booking.state))
    else:
        message = _("%(carrier)s booked a parcel (tracking number %(tracking)s), but "
                    "another booking of this order started meanwhile. Check with the "
                    "courier that only one parcel goes out.", carrier=carrier.label,
                    tracking=parcel.tracking_number)
    return _page(order, refusal=message, status=409)


@bp.post("/<id:order_id>/deliver")
@login_required
def deliver(order_id: int) -> Response | tuple[str, int]:
    """The shopper has the parcel."""
    def run(order: Order) -> str:
        service.mark_delivered(order, _actor())
        return _("Order #%(number)s is delivered.", number=order.number)
    return _act(order_id, "deliver", run)


@bp.post("/<id:order_id>/return")
@login_required
def mark_returned(order_id: int) -> Response | tuple[str, int]:
    """The parcel came back; its items go back into stock."""
    def run(order: Order) -> str:
        service.mark_returned(order, _actor())
        return _("Order #%(number)s is returned; its items are back in stock.",
                 number=order.number)
    return _act(order_id, "return", run)


@bp.post("/<id:order_id>/cancel")
@login_required
def cancel(order_id: int) -> Response | tuple[str, int]:
    """Cancel an order that has not shipped (confirmed with a tick); restocks."""
    def run(order: Order) -> str:
        reason = _reason()
        _confirmed()
        service.cancel(order, _actor(), reason)
        paid = order.payment_state in states.MONEY_RECEIVED
        if paid:
            return _("Order #%(number)s is cancelled; its items are back in stock. "
                     "Refund the payment below if you have not yet.", number=order.number)
        return _("Order #%(number)s is cancelled; its items are back in stock.",
                 number=order.number)
    return _act(order_id, "cancel", run)


@bp.post("/<id:order_id>/note")
@login_required
def note(order_id: int) -> Response | tuple[str, int]:
    """A staff note on the order's timeline."""
    def run(order: Order) -> str:
        service.add_note(order, _actor(), request.form.get("note", ""))
        return _("Note added.")
    return _act(order_id, "note", run)


@bp.post("/<id:order_id>/refund")
@login_required
def refund(order_id: int) -> Response | tuple[str, int]:
    """Refund through the payment plugin when it can, else record a refund made by
    hand. Confirmed with a tick; a provider's refusal is shown and kept on the
    timeline, and the order keeps its state."""
    return _act(order_id, "refund", _refund)


def _refund(order: Order) -> str:
    try:
        amount = parse_amount(request.form.get("amount"), order.currency)
    except InputError as exc:
        raise OrderActionError(str(exc), "amount") from exc
    if amount is None:
        raise OrderActionError(_("Enter the amount to refund."), "amount")
    if str(order.refunded_total) != (request.form.get("refunded_before") or "").strip():
        raise OrderActionError(_("Another refund was recorded since you opened this page. "
                                 "Check what is left to refund and try again."))
    _confirmed()
    way = _refund_way(order)
    try:
        result = service.refund(order, amount, way.gateway, _store_info(), _actor())
    except OrderActionError:
        raise
    except Exception as exc:
        reraise_unless_isolating(exc)
        log.exception("refund through %s failed for order %s", order.payment_method, order.id)
        raise OrderActionError(_("%(provider)s did not answer, so nothing was refunded. "
                                 "Try again in a few minutes.", provider=way.label),
                               "amount") from exc
    if not result.ok:
        raise _ProviderRefused(result.message or _("no reason given"))
    shown = money_filter(amount.amount, amount.currency)
    if way.through_provider:
        return _("%(amount)s refunded through %(provider)s.", amount=shown, provider=way.label)
    return _("Refund of %(amount)s recorded.", amount=shown)
