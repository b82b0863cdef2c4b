"""Coupon codes at ``/admin/discounts``: list, create, edit, switch off, delete.

Owners and staff both manage codes (running promotions is day-to-day catalogue and
orders work, like the orders page). The rules a code has here are the ones checkout
applies (``core.discounts.rules``):

* code: 3 to 40 characters of A-Z, 0-9, ``-`` and ``_``; stored upper case and unique
  in the store;
* percentage 0.01-100 (stored in basis points: 12.5 % is 1250), a fixed amount above
  zero in the store's currency (stored in minor units), or free shipping;
* minimum subtotal, total uses and uses per customer are optional;
* start and end are days in the store's time zone: a code works from 00:00 on its start
  day and stops at 00:00 on its end day (both stored as that moment in UTC), so the
  end must be after the start.

Deleting a code keeps past orders as they were (they keep the code's text).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateInput

from core.admin.listing import (
    InputError,
    day_start,
    local_day,
    page_number,
    paginate,
    parse_amount,
    parse_count,
    parse_day,
)
from core.db import db, utcnow
from core.discounts.models import (
    DISCOUNT_KINDS,
    KIND_FIXED,
    KIND_FREE_SHIPPING,
    KIND_PERCENTAGE,
    Discount,
)
from core.i18n import to_ascii_digits
from core.money import Money
from core.web.templating import ngettext, number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_discounts", __name__, url_prefix="/admin/discounts")

KIND_LABELS = {KIND_PERCENTAGE: _l("Percentage off"), KIND_FIXED: _l("Fixed amount off"),
               KIND_FREE_SHIPPING: _l("Free shipping")}
#: What each ``status()`` value reads as (the value itself stays a machine word).
STATUS_LABELS = {"active": _l("Active"), "off": _l("Off"), "scheduled": _l("Scheduled"),
                 "expired": _l("Expired"), "used up": _l("Used up")}
CODE_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
MIN_CODE, MAX_CODE = 3, 40
ONE_HUNDRED_PERCENT = 10_000  # in basis points


def _upper(value: str | None) -> str:
    return (value or "").strip().upper()


def _trim(value: str | None) -> str:
    return (value or "").strip()


class DiscountForm(FlaskForm):
    """A coupon code as the merchant types it; :func:`_clean` turns it into values."""

    code = StringField(_l("Code"), filters=[_upper])
    kind = SelectField(_l("Type"), choices=[SelectChoice(value, label)
                                            for value, label in KIND_LABELS.items()],
                       validate_choice=False)
    value = StringField(_l("Value"), filters=[_trim])
    min_subtotal = StringField(_l("Minimum subtotal"), filters=[_trim])
    usage_limit = StringField(_l("Total uses"), filters=[_trim])
    per_customer_limit = StringField(_l("Uses per customer"), filters=[_trim])
    starts_on = StringField(_l("Starts on"), widget=DateInput(), filters=[_trim])
    ends_on = StringField(_l("Ends on"), widget=DateInput(), filters=[_trim])
    active = BooleanField(_l("Active: shoppers can use this code"))


# ---------------------------------------------------------------------- values


def _percent(text: str) -> int:
    """``12.5`` (or ``12.5%``, or ``১২.৫``) as basis points (1250)."""
    try:
        number = Decimal(to_ascii_digits(text).removesuffix("%").strip())
    except InvalidOperation:
        raise InputError(_("Enter a percentage, e.g. 10 or 12.5.")) from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or not isinstance(exponent, int):
        raise InputError(_("Enter a percentage, e.g. 10 or 12.5."))
    if -exponent > 2:
        raise InputError(ngettext("Use at most %(num)s decimal place.",
                                  "Use at most %(num)s decimal places.", 2))
    if not Decimal("0.01") <= number <= Decimal(100):
        raise InputError(_("Enter a percentage from 0.01 to 100."))
    return int(number * 100)


def _value(kind: str, text: str, currency: str) -> int:
    if kind == KIND_FREE_SHIPPING:
        return 0
    if not text:
        raise InputError(_("Enter a percentage, e.g. 10 or 12.5.") if kind == KIND_PERCENTAGE
                         else _("Enter the amount to take off."))
    if kind == KIND_PERCENTAGE:
        return _percent(text)
    amount = parse_amount(text, currency)
    if amount is None or amount.amount <= 0:
        raise InputError(_("Enter an amount above zero."))
    return amount.amount


def _code_problem(code: str, discount_id: int | None) -> str:
    if not MIN_CODE <= len(code) <= MAX_CODE or not set(code) <= CODE_CHARACTERS:
        return _("Use %(min)s to %(max)s characters: letters A–Z, digits 0–9, "
                 "hyphens and underscores.", min=number_filter(MIN_CODE),
                 max=number_filter(MAX_CODE))
    taken = select(Discount.id).where(Discount.code == code)
    if discount_id is not None:
        taken = taken.where(Discount.id != discount_id)
    if db.session.scalar(taken) is not None:
        return _("There is already a code %(code)s. Choose another.", code=code)
    return ""


def _clean(form: DiscountForm, currency: str, discount_id: int | None) -> dict[str, Any] | None:
    """The discount's column values, or ``None`` with each problem next to its field."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {"code": form.code.data, "kind": form.kind.data,
                              "active": bool(form.active.data)}
    problem = _code_problem(form.code.data or "", discount_id)
    if problem:
        problems["code"] = problem
    if form.kind.data not in DISCOUNT_KINDS:
        problems["kind"] = _("Choose one of the types.")
    else:
        try:
            values["value"] = _value(form.kind.data, form.value.data or "", currency)
        except InputError as exc:
            problems["value"] = str(exc)
    try:
        minimum = parse_amount(form.min_subtotal.data, currency)
        if minimum is not None and minimum.amount <= 0:
            raise InputError(_("Enter an amount above zero, or leave it empty."))
        values["min_subtotal"] = minimum.amount if minimum is not None else None
    except InputError as exc:
        problems["min_subtotal"] = str(exc)
    for name in ("usage_limit", "per_customer_limit"):
        try:
            values[name] = parse_count(getattr(form, name).data)
        except InputError as exc:
            problems[name] = str(exc)
    for name, column in (("starts_on", "starts_at"), ("ends_on", "ends_at")):
        try:
            day = parse_day(getattr(form, name).data)
            values[column] = day_start(day) if day else None
        except InputError as exc:
            problems[name] = str(exc)
    if (values.get("starts_at") and values.get("ends_at")
            and values["ends_at"] <= values["starts_at"]):
        problems["ends_on"] = _("The end date must be after the start date.")
    for name, message in problems.items():
        getattr(form, name).errors.append(message)
    return None if problems else values


def _to_form(discount: Discount, currency: str) -> dict[str, Any]:
    if discount.kind == KIND_PERCENTAGE:
        value = percent_text(discount.value)
    elif discount.kind == KIND_FIXED:
        value = str(Money(discount.value, currency).to_decimal())
    else:
        value = ""
    return {
        "code": discount.code, "kind": discount.kind, "value": value,
        "min_subtotal": (str(Money(discount.min_subtotal, currency).to_decimal())
                         if discount.min_subtotal else ""),
        "usage_limit": str(discount.usage_limit or ""),
        "per_customer_limit": str(discount.per_customer_limit or ""),
        "starts_on": local_day(discount.starts_at).isoformat() if discount.starts_at else "",
        "ends_on": local_day(discount.ends_at).isoformat() if discount.ends_at else "",
        "active": discount.active,
    }


def percent_text(basis_points: int) -> str:
    """Basis points as the merchant writes the percentage: 1250 -> ``12.5``."""
    return str(Decimal(basis_points) / 100)


def percent_shown(basis_points: int) -> str:
    """The percentage as the list shows it: ``12.5`` in the page's locale and the store's
    digits (``১২.৫``)."""
    return number_filter(Decimal(basis_points) / 100)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def status(discount: Discount, now: datetime) -> str:
    """What shoppers get right now: active, off, scheduled, expired or used up."""
    if not discount.active:
        return "off"
    if discount.ends_at and _aware(discount.ends_at) <= now:
        return "expired"
    if discount.starts_at and _aware(discount.starts_at) > now:
        return "scheduled"
    if discount.usage_limit is not None and discount.used_count >= discount.usage_limit:
        return "used up"
    return "active"


# ----------------------------------------------------------------------- views


def _discount_or_404(discount_id: int) -> Discount:
    discount = db.session.get(Discount, discount_id)
    if discount is None:
        abort(404)
    return discount


@bp.get("")
@login_required
def index() -> str:
    """Every code, newest first, 50 a page."""
    page = paginate(select(Discount).order_by(Discount.created_at.desc(), Discount.id.desc()),
                    select(func.count(Discount.id)), page_number(request.args.get("page")))
    return render_template("admin/discounts/index.html", store=current_store(), page=page,
                           kinds=KIND_LABELS, status=status, status_labels=STATUS_LABELS,
                           percent=percent_shown, now=utcnow())


def _form_page(form: DiscountForm, discount: Discount | None,
               status_code: int = 200) -> tuple[str, int]:
    body = render_template("admin/discounts/form.html", store=current_store(), form=form,
                           discount=discount, failed=status_code == 422)
    return body, status_code


def _save(form: DiscountForm, discount: Discount | None) -> Response | tuple[str, int]:
    store = current_store()
    values = _clean(form, store.currency, discount.id if discount else None)
    if values is None:
        return _form_page(form, discount, 422)
    target = discount or Discount()
    for name, value in values.items():
        setattr(target, name, value)
    if discount is None:
        db.session.add(target)
    try:
        db.session.commit()
    except IntegrityError:  # another request took the code meanwhile
        db.session.rollback()
        form.code.errors.append(_("There is already a code %(code)s. Choose another.",
                                  code=values["code"]))
        return _form_page(form, _discount_or_404(discount.id) if discount else None, 422)
    flash(_("Code %(code)s saved.", code=target.code) if discount
          else _("Code %(code)s created.", code=target.code), "success")
    return redirect(url_for("admin_discounts.index"), 303)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Response | tuple[str, int]:
    """A new code (active unless unticked)."""
    if request.method == "GET":
        return _form_page(DiscountForm(formdata=None, active=True, kind=KIND_PERCENTAGE), None)
    form = DiscountForm()
    form.validate()
    return _save(form, None)


@bp.route("/<id:discount_id>", methods=["GET", "POST"])
@login_required
def edit(discount_id: int) -> Response | tuple[str, int]:
    """Change a code. Its use count stays; orders placed keep what they got."""
    discount = _discount_or_404(discount_id)
    if request.method == "GET":
        return _form_page(DiscountForm(formdata=None,
                                       data=_to_form(discount, current_store().currency)),
                          discount)
    form = DiscountForm()
    form.validate()
    return _save(form, discount)


@bp.post("/<id:discount_id>/active")
@login_required
def switch(discount_id: int) -> Response:
    """Switch a code off (``active=0``) or on again (``active=1``)."""
    discount = _discount_or_404(discount_id)
    choice = request.form.get("active")
    if choice not in ("0", "1"):
        abort(400)
    discount.active = choice == "1"
    db.session.commit()
    flash(_("Code %(code)s is on.", code=discount.code) if discount.active
          else _("Code %(code)s is off.", code=discount.code), "success")
    return redirect(url_for("admin_discounts.index"), 303)


@bp.route("/<id:discount_id>/delete", methods=["GET", "POST"])
@login_required
def delete(discount_id: int) -> Response | str:
    """Ask first (GET), then delete the code (POST). Past orders keep its text."""
    discount = _discount_or_404(discount_id)
    if request.method == "GET":
        return render_template("admin/discounts/delete.html", store=current_store(),
                               discount=discount)
    code = discount.code
    db.session.delete(discount)
    db.session.commit()
    flash(_("Code %(code)s deleted.", code=code), "success")
    return redirect(url_for("admin_discounts.index"), 303)
