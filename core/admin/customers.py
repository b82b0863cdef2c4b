"""The store's customers at ``/admin/customers``: who ordered, how often, for how
much, and the merchant's own notes (the CRM view support staff answer from).

Owners and staff both use it. Customers are created by checkout (one per email, or
per phone when no email was given); here they are only read and annotated.

Lifetime value is the sum of the customer's order totals minus what was refunded,
leaving out cancelled orders. The list computes it with one grouped subquery, so a
page costs the same two statements however many orders stand behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import BigInteger, ColumnElement, Subquery, case, cast, func, or_, select
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length

from core.admin.listing import page_number, paginate, query_args
from core.admin.orders import FULFILMENT_LABELS, PAYMENT_LABELS
from core.customers.consent import current_consents
from core.customers.models import Customer
from core.customers.service import normalise_phone, phone_digits_sql
from core.db import db
from core.messaging.labels import CHANNEL_LABELS, ERROR_LABELS, EVENT_LABELS, STATUS_LABELS
from core.messaging.models import Message
from core.messaging.service import can_resend, queue_resend
from core.money import Money
from core.orders import states
from core.orders.models import Order
from core.web.allowance import use_allowance
from core.web.templating import number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_customers", __name__, url_prefix="/admin/customers")

NOTE_MAX = 5000
MAX_SEARCH = 100
SORTS = {"last_order": _l("Last order (latest first)"),
         "lifetime_value": _l("Lifetime value (highest first)"), "name": _l("Name")}
LIFETIME_VALUE_RULE = _l("Lifetime value is the total of this customer's orders minus refunds, "
                         "without cancelled orders.")


class NoteForm(FlaskForm):
    """The merchant's free-text notes about one customer."""

    note = TextAreaField(
        _l("What to remember about this customer"), render_kw={"rows": 6},
        validators=[Length(max=NOTE_MAX, message=LazyString(
            lambda: _("Keep notes under %(limit)s characters.",
                      limit=number_filter(NOTE_MAX))))])


def _order_stats() -> Subquery:
    """Per customer: order count, lifetime value, first and last order date."""
    counted = Order.fulfilment_state != states.CANCELLED
    return (
        select(Order.customer_id.label("customer_id"),
               func.count(Order.id).label("orders"),
               # PostgreSQL sums bigint as numeric; keep it an integer of minor units.
               func.coalesce(cast(func.sum(case((counted, Order.total - Order.refunded_total),
                                                else_=0)), BigInteger), 0)
               .label("lifetime_value"),
               func.min(Order.created_at).label("first_order"),
               func.max(Order.created_at).label("last_order"))
        .where(Order.customer_id.is_not(None))
        .group_by(Order.customer_id)
        .subquery("customer_stats")
    )


def _search(text: str) -> ColumnElement[bool]:
    options: list[ColumnElement[bool]] = [
        Customer.name.icontains(text, autoescape=True),
        Customer.email.icontains(text, autoescape=True),
        Customer.phone.contains(text, autoescape=True),
    ]
    digits = normalise_phone(text).lstrip("0")
    if len(digits) >= 4 and digits.isdigit():
        options.append(phone_digits_sql(Customer.phone).contains(digits, autoescape=True))
    return or_(*options)


@bp.get("")
@login_required
def index() -> str:
    """Customers, 50 a page: search by name, email or phone; sort by last order,
    lifetime value or name."""
    q = (request.args.get("q") or "").strip()[:MAX_SEARCH]
    sort = request.args.get("sort") or "last_order"
    if sort not in SORTS:
        sort = "last_order"
    stats = _order_stats()
    conditions = [_search(q)] if q else []
    value = func.coalesce(stats.c.lifetime_value, 0)
    ordering = {
        "last_order": (stats.c.last_order.desc().nulls_last(), Customer.id.desc()),
        "lifetime_value": (value.desc(), Customer.id.desc()),
        "name": (func.lower(Customer.name), Customer.email, Customer.id),
    }[sort]
    rows = (select(Customer, func.coalesce(stats.c.orders, 0).label("orders"),
                   value.label("lifetime_value"), stats.c.first_order, stats.c.last_order)
            .outerjoin(stats, stats.c.customer_id == Customer.id)
            .where(*conditions).order_by(*ordering))
    page = paginate(rows, select(func.count(Customer.id)).where(*conditions),
                    page_number(request.args.get("page")), scalars=False)
    args = query_args({"q": q, "sort": sort if sort != "last_order" else ""})
    return render_template("admin/customers/index.html", store=current_store(), page=page,
                           q=q, sort=sort, sorts=SORTS, args=args, rule=LIFETIME_VALUE_RULE)


@dataclass(frozen=True)
class History:
    """What the customer page sums up from the customer's orders."""

    orders: list[Order]
    lifetime_value: int
    first_order: datetime | None
    last_order: datetime | None


def _history(customer_id: int) -> History:
    orders = list(db.session.scalars(
        select(Order).where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc(), Order.id.desc())))
    value = sum(o.total - o.refunded_total for o in orders
                if o.fulfilment_state != states.CANCELLED)
    return History(orders, value, orders[-1].created_at if orders else None,
                   orders[0].created_at if orders else None)


def _customer_or_404(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        abort(404)
    return customer


CONSENT_LABELS = {
    "transactional": _l("Order messages"), "marketing": _l("News and offers"),
    "sms": _l("SMS"), "email": _l("Email"),
    "checkout": _l("at checkout"), "account": _l("in their account"),
    "unsubscribe_link": _l("with the unsubscribe link"),
    "account_deleted": _l("when they deleted their account"),
}

#: The customer page shows this many of the newest messages.
MESSAGES_SHOWN = 50
#: Messages one person may send again per hour (each SMS costs the merchant money).
RESENDS_PER_PERSON = "20 per hour"


def _messages(customer_id: int) -> list[Message]:
    return list(db.session.scalars(
        select(Message).where(Message.customer_id == customer_id)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(MESSAGES_SHOWN)))


def _sms_part_cost() -> Money | None:
    """What one SMS part costs on the store's gateway, when its plugin says."""
    from core.messaging.sms import part_cost
    from core.pluginhost.web import plugins_for_request

    return part_cost(current_store(), plugins_for_request())


def _page(customer: Customer, form: NoteForm, status: int = 200) -> tuple[str, int]:
    body = render_template(
        "admin/customers/detail.html", store=current_store(), customer=customer, form=form,
        history=_history(customer.id), rule=LIFETIME_VALUE_RULE, note_max=NOTE_MAX,
        payment_labels=PAYMENT_LABELS, fulfilment_labels=FULFILMENT_LABELS,
        messages=_messages(customer.id), messages_shown=MESSAGES_SHOWN,
        can_resend=can_resend,
        sms_part_cost=_sms_part_cost(),
        consents=sorted(current_consents([customer.id]).values(),
                        key=lambda c: (c.purpose, c.channel)),
        consent_labels=CONSENT_LABELS,
        event_labels=EVENT_LABELS, channel_labels=CHANNEL_LABELS,
        message_states=STATUS_LABELS, message_errors=ERROR_LABELS)
    return body, status


@bp.get("/<id:customer_id>")
@login_required
def detail(customer_id: int) -> tuple[str, int]:
    """One customer: contact, lifetime value, first and last order, notes, every order."""
    customer = _customer_or_404(customer_id)
    return _page(customer, NoteForm(formdata=None, note=customer.note))


@bp.post("/<id:customer_id>/note")
@login_required
def save_note(customer_id: int) -> Response | tuple[str, int]:
    """Save the notes; too long keeps what was typed, with the reason next to it."""
    customer = _customer_or_404(customer_id)
    form = NoteForm()
    if not form.validate():
        return _page(customer, form, status=422)
    customer.note = (form.note.data or "").strip()
    db.session.commit()
    flash(_("Notes saved."), "success")
    return redirect(url_for("admin_customers.detail", customer_id=customer_id), 303)


@bp.post("/<id:customer_id>/messages/<id:message_id>/resend")
@login_required
def resend_message(customer_id: int, message_id: int) -> Response:
    """Send an order message again (the shopper says it never came): the same address,
    made again from the order as it is now, logged as a new message."""
    customer = _customer_or_404(customer_id)
    message = db.session.get(Message, message_id)  # scoped: another store's is not found
    if message is None or message.customer_id != customer.id or not can_resend(message):
        abort(404)
    target = url_for("admin_customers.detail", customer_id=customer_id) + "#messages"
    if not _resend_allowed():
        flash(_("You have sent many messages again in the last hour. Try again later."),
              "error")
        return redirect(target, 303)
    queue_resend(message)
    db.session.commit()
    flash(_("The message is being sent again to %(address)s.", address=message.recipient),
          "success")
    return redirect(target, 303)


def _resend_allowed() -> bool:
    return use_allowance([RESENDS_PER_PERSON], "haat-message-resends",
                         str(current_store().id), str(current_user.id))
