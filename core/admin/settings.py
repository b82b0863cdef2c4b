"""Store settings at ``/admin/settings`` (owners only): an overview of every settings
section, the store details form, and the store's status (open, or "coming soon" with
a password and a message for shoppers; see :mod:`core.storefront.coming_soon`).

The store details are what shoppers, trust badges and the SEO organisation data read:
name, contact email and phone, address, country, currency, default language, Bengali
digits and time zone. The country (``""`` until the owner says) puts the plugins made for
it first on the plugins page and is the checkout's preselected country. Saving changes
the ``Tenant`` row; that commit retires the host caches (``tenants.resolution``), and the
page cache keys on the store snapshot, so the storefront shows the new details on the
next request.

Currency: amounts are stored as integers in the currency's minor units and are never
converted. Once the store has products, orders or discount amounts, a change between
currencies with different decimals (BDT 2, JPY 0) is refused, because every price would
change by a factor of 100; any other change needs an explicit "prices are not converted"
tick.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, ValidationError

from core.admin.auth import owner_required
from core.admin.language import admin_page_language
from core.catalog.models import Product
from core.countries import country_name, country_names, is_country, likely_countries
from core.db import db
from core.discounts.models import KIND_FIXED, Discount
from core.i18n import LOCALE_NAMES, SUPPORTED_LOCALES
from core.money import UnknownCurrency, minor_units
from core.orders.models import Order
from core.store_status import (
    MAX_MESSAGE,
    MAX_PASSWORD,
    MIN_PASSWORD,
    set_storefront_password,
)
from core.web.templating import number_filter
from core.web.tenancy import current_store
from tenants.models import Tenant

bp = Blueprint("admin_settings", __name__, url_prefix="/admin/settings")

MAX_NAME, MAX_EMAIL, MAX_PHONE, MAX_ADDRESS = 120, 254, 40, 500
_PHONE_CHARACTERS = re.compile(r"[0-9+()\-.\s/]*")
_TO_ASCII_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def _trim(value: str | None) -> str:
    return (value or "").strip()


def _trim_lines(value: str | None) -> str:
    # Keep the merchant's line breaks, drop trailing spaces and blank edges.
    lines = (value or "").replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


@functools.cache
def currencies_in_use() -> tuple[str, ...]:
    """ISO codes some country uses today (CLDR), sorted: the currencies a store may pick."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, date.today(), tender=True))
    usable = []
    for code in sorted(codes):
        try:
            minor_units(code)
        except UnknownCurrency:
            continue
        usable.append(code)
    return tuple(usable)


@functools.cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def time_zones() -> list[str]:
    """Every IANA time zone name this server knows, sorted (for the datalist)."""
    return sorted(_zones().values())


def time_zone_named(text: str) -> str | None:
    """The IANA name for ``text`` in any case (``asia/dhaka`` -> ``Asia/Dhaka``)."""
    if text.upper() == "UTC":
        return "UTC"
    return _zones().get(text.strip().lower())


class StoreForm(FlaskForm):
    """The store details as the owner types them; :func:`_clean` checks them."""

    name = StringField(_l("Store name"), filters=[_trim])
    contact_email = StringField(_l("Contact email"), filters=[_trim])
    contact_phone = StringField(_l("Contact phone"), filters=[_trim])
    address = TextAreaField(_l("Address"), filters=[_trim_lines], render_kw={"rows": 3})
    country = SelectField(_l("Country"), validate_choice=False)
    currency = SelectField(_l("Currency"), validate_choice=False)
    confirm_currency = BooleanField(
        _l("I understand prices are not converted: they keep their numbers in the new "
           "currency"))
    locale = SelectField(_l("Default language"), validate_choice=False,
                         choices=[SelectChoice(code, LOCALE_NAMES[code])
                                  for code in SUPPORTED_LOCALES])
    bengali_digits = BooleanField(_l("Show numbers and prices in Bengali digits (০১২৩) on "
                                     "Bengali pages"))
    sms_with_email = BooleanField(_l("Send order messages by SMS as well when the shopper "
                                     "also gave an email"))
    timezone = StringField(_l("Time zone"), filters=[_trim],
                           render_kw={"list": "time-zones", "autocomplete": "off",
                                      "spellcheck": "false"})


def _currency_choices(current: str, locale: str) -> list[SelectChoice]:
    codes = currencies_in_use()
    if current not in codes:  # a historic code the store already has stays choosable
        codes = (current, *codes)
    return [SelectChoice(code, f"{code} — {get_currency_name(code, locale=locale)}")
            for code in codes]


def country_groups(current: str, currency: str, locale: str) -> list[tuple[str, str]]:
    """The store-details country list in ``locale``: the likely countries (the store's own,
    its currency's home, Bangladesh and Armenia) and then every other, by name."""
    names = country_names(locale)
    first = likely_countries(current, currency)
    return ([(code, names[code]) for code in first]
            + [(code, name) for code, name in names.items() if code not in first])


def _has_amounts() -> bool:
    """True when the store has prices or amounts a currency change would reinterpret."""
    return any(db.session.scalar(query.limit(1)) is not None for query in (
        select(Product.id),
        select(Order.id),
        select(Discount.id).where(or_(Discount.kind == KIND_FIXED,
                                      Discount.min_subtotal.is_not(None))),
    ))


def _currency_problem(old: str, new: str, confirmed: bool) -> tuple[str, str] | None:
    """``(field, message)`` when changing ``old`` to ``new`` is refused, else ``None``."""
    if new == old:
        return None
    try:
        places = minor_units(new)
    except UnknownCurrency:
        return "currency", _("Choose a currency from the list.")
    if new not in currencies_in_use():
        return "currency", _("Choose a currency from the list.")
    if not _has_amounts():
        return None
    if places != minor_units(old):
        return "currency", _(
            "Your prices are stored with %(old_places)s decimal places of %(old)s; %(new)s "
            "has %(new_places)s, so every price would change by a factor of %(factor)s. "
            "A store with products, orders or discount amounts cannot switch between these "
            "currencies.", old_places=number_filter(minor_units(old)), old=old,
            new_places=number_filter(places), new=new,
            factor=number_filter(10 ** abs(places - minor_units(old))))
    if not confirmed:
        return "confirm_currency", _(
            "Tick this to change the currency: prices and discount amounts keep their "
            "numbers (1,500.00 %(old)s becomes 1,500.00 %(new)s).", old=old, new=new)
    return None


def _clean(form: StoreForm, tenant: Tenant) -> dict[str, Any] | None:
    """The tenant's new values, or ``None`` with each problem next to its field."""
    problems: dict[str, str] = {}
    name = form.name.data or ""
    if not name:
        problems["name"] = _("Enter a name for your store.")
    elif len(name) > MAX_NAME:
        problems["name"] = _("Use at most %(count)s characters.", count=number_filter(MAX_NAME))
    email = form.contact_email.data or ""
    if len(email) > MAX_EMAIL:
        problems["contact_email"] = _("Use at most %(count)s characters.",
                                      count=number_filter(MAX_EMAIL))
    elif email:
        try:
            Email()(form, form.contact_email)
        except ValidationError:
            problems["contact_email"] = _("Enter an email address like hello@example.com, "
                                          "or leave it empty.")
    phone = (form.contact_phone.data or "").translate(_TO_ASCII_DIGITS)
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (len(phone) > MAX_PHONE or not _PHONE_CHARACTERS.fullmatch(phone)
                  or not 5 <= digits <= 20):
        problems["contact_phone"] = _("Enter a phone number like +880 1711 000000: digits, "
                                      "spaces, +, - and brackets.")
    address = form.address.data or ""
    if len(address) > MAX_ADDRESS:
        problems["address"] = _("Use at most %(count)s characters.",
                                count=number_filter(MAX_ADDRESS))
    country = (form.country.data or "").strip().upper()
    if country and not is_country(country):
        problems["country"] = _("Choose a country from the list.")
    if form.locale.data not in SUPPORTED_LOCALES:
        problems["locale"] = _("Choose one of the languages.")
    zone = time_zone_named(form.timezone.data or "")
    if zone is None:
        problems["timezone"] = _("Choose a time zone from the list, e.g. Asia/Dhaka.")
    currency = form.currency.data or ""
    currency_problem = _currency_problem(tenant.currency, currency,
                                         bool(form.confirm_currency.data))
    if currency_problem:
        problems[currency_problem[0]] = currency_problem[1]
    for field, message in problems.items():
        getattr(form, field).errors.append(message)
    if problems:
        return None
    return {"name": name, "contact_email": email, "contact_phone": phone, "address": address,
            "country": country, "currency": currency, "locale": form.locale.data,
            "bengali_digits": bool(form.bengali_digits.data), "timezone": zone,
            "sms_with_email": bool(form.sms_with_email.data)}


def _tenant() -> Tenant:
    return db.session.get_one(Tenant, current_store().id)


# ----------------------------------------------------------------------- views


@bp.get("")
@owner_required
def index() -> str:
    """Every settings section, with a short summary of the store details."""
    store = current_store()
    country = country_name(store.country, admin_page_language()) if store.country else ""
    return render_template("admin/settings/index.html", store=store,
                           locale_names=LOCALE_NAMES, country=country)


def _details_page(form: StoreForm, status: int = 200) -> tuple[str, int]:
    store = current_store()
    form.currency.choices = _currency_choices(store.currency, store.locale)
    likely = likely_countries(store.country, store.currency)
    form.country.choices = country_groups(store.country, store.currency,
                                          admin_page_language())
    return render_template("admin/settings/store.html", store=store, form=form,
                           time_zones=time_zones(), likely_count=len(likely),
                           failed=status == 422), status


@bp.route("/store", methods=["GET", "POST"])
@owner_required
def store() -> Response | tuple[str, int]:
    """The store details form; on any problem nothing is saved and everything typed stays."""
    tenant = _tenant()
    if request.method == "GET":
        fields = ("name", "contact_email", "contact_phone", "address", "country", "currency",
                  "locale", "bengali_digits", "timezone", "sms_with_email")
        return _details_page(StoreForm(formdata=None,
                                       data={f: getattr(tenant, f) for f in fields}))
    form = StoreForm()
    form.validate()
    values = _clean(form, tenant)
    if values is None:
        return _details_page(form, 422)
    for name, value in values.items():
        setattr(tenant, name, value)
    db.session.commit()  # the flush marks routing changed: host caches are cleared
    flash(_("Store details saved."), "success")
    return redirect(url_for("admin_settings.store"), 303)


# ---------------------------------------------------------------- store status


class ComingSoonForm(FlaskForm):
    """The coming-soon page's password and message, as the owner types them."""

    password = StringField(_l("New password for shoppers"), filters=[_trim], render_kw={
        "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    remove_password = BooleanField(_l("Remove the password: only you and your staff get in"))
    message = TextAreaField(_l("Message to shoppers"), filters=[_trim_lines],
                            render_kw={"rows": 3})


def _status_page(form: ComingSoonForm, status: int = 200) -> tuple[str, int]:
    tenant = _tenant()
    return render_template("admin/settings/status.html", store=current_store(), form=form,
                           has_password=bool(tenant.storefront_password),
                           min_password=MIN_PASSWORD, max_message=MAX_MESSAGE,
                           failed=status == 422), status


def _clean_coming_soon(form: ComingSoonForm) -> bool:
    """Put each problem next to its field; True when there is none."""
    password = form.password.data or ""
    if password and form.remove_password.data:
        form.password.errors.append(_("Leave this empty to remove the password, or untick "
                                      "“Remove the password” to change it."))
    elif password and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        form.password.errors.append(_("Use %(min)s to %(max)s characters.",
                                      min=number_filter(MIN_PASSWORD),
                                      max=number_filter(MAX_PASSWORD)))
    if len(form.message.data or "") > MAX_MESSAGE:
        form.message.errors.append(_("Use at most %(count)s characters.",
                                     count=number_filter(MAX_MESSAGE)))
    return not (form.password.errors or form.message.errors)


@bp.route("/status", methods=["GET", "POST"])
@owner_required
def status() -> Response | tuple[str, int]:
    """Whether shoppers can see the store, and its coming-soon page's password and
    message. On any problem nothing is saved and what was typed stays."""
    if request.method == "GET":
        return _status_page(ComingSoonForm(formdata=None,
                                           data={"message": _tenant().coming_soon_message}))
    form = ComingSoonForm()
    form.validate()
    if not _clean_coming_soon(form):
        return _status_page(form, 422)
    tenant = _tenant()
    tenant.coming_soon_message = form.message.data or ""
    if form.remove_password.data:
        set_storefront_password(tenant, "")
    elif form.password.data:
        set_storefront_password(tenant, form.password.data)
    db.session.commit()  # the Tenant flush clears the host caches: the page shows it next
    flash(_("The coming-soon page is saved."), "success")
    return redirect(url_for("admin_settings.status"), 303)


@bp.post("/status/open")
@owner_required
def open_or_close() -> Response:
    """Open the store to shoppers (``open=1``), or put it back to "coming soon"."""
    wanted = request.form.get("open")
    if wanted not in ("0", "1"):
        abort(400)
    tenant = _tenant()
    tenant.open = wanted == "1"
    db.session.commit()
    if tenant.open:
        flash(_("Your store is open: shoppers can browse and buy."), "success")
    else:
        flash(_("Your store is “coming soon” again: shoppers see the coming-soon page."),
              "success")
    return redirect(url_for("admin_settings.status"), 303)
