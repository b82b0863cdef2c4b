"""Template helpers: money, numbers, dates and times in the store's locale and zone."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, request
from flask_babel import get_domain, get_locale
from jinja2 import pass_context

from core.clock import aware, format_moment, zone_named
from core.i18n import (
    SUPPORTED_LOCALES,
    format_date,
    format_money,
    format_number,
    normalise_locale,
    to_bengali_digits,
)
from core.money import Money
from core.web.tenancy import current_store


def _store_locale() -> str:
    return normalise_locale(str(get_locale() or "en"))


def money_filter(amount: int | None, currency: str | None = None) -> str:
    """``{{ product.price_amount|money }}``: minor units in the store's currency."""
    if amount is None:
        return ""
    store = current_store()
    code = currency or (store.currency if store else "USD")
    digits = bool(store and store.bengali_digits)
    return format_money(Money(amount, code), _store_locale(), bengali_digits=digits)


#: The shopper's chosen language; host-only, so remembered per store.
LANG_COOKIE = "haat_lang"


def shopper_language() -> str | None:
    """The language the shopper asked for: ``?lang=`` first, then their cookie."""
    for value in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in SUPPORTED_LOCALES:
            return value
    return None


def select_locale() -> str:
    """Flask-Babel locale selector: on a storefront page the shopper's choice, else the
    store's default locale; in the admin the staff member's choice, else the store's; on
    the platform's own pages (home, sign-up) ``?lang=`` or the cookie, else the browser's
    languages."""
    from core.admin.language import is_admin_request, staff_language

    store = current_store()
    default = normalise_locale(store.locale if store else "en")
    if store is None:  # the platform's own pages: the visitor's choice, else their browser's
        if not has_request_context():
            return default
        return shopper_language() or request.accept_languages.best_match(
            SUPPORTED_LOCALES, default=default)
    if is_admin_request():
        return staff_language() or default
    return shopper_language() or default


def number_filter(value: int | Decimal) -> str:
    """``{{ n|number }}``: an integer (or ``Decimal``) in the page's locale and the store's
    digits: ``৭`` on a Bengali page of a store with Bengali digits."""
    store = current_store()
    return format_number(value, _store_locale(),
                         bengali_digits=bool(store and store.bengali_digits))


def rating_filter(value: Decimal | int | None) -> str:
    """``{{ p.rating|rating }}``: an average rating to one place, rounded half up (4.25
    is 4.3, as shoppers round), in the page's locale and the store's digits; ``""``
    for ``None``."""
    if value is None:
        return ""
    return number_filter(Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ``ngettext`` for Python code, with ``%(num)s`` written by
    :func:`number_filter` (the page's locale and the store's digits: "৩টি পণ্য", not
    "3টি পণ্য"). Flask-Babel fills ``num`` with the bare integer and takes no ``num=`` of
    its own; templates pass ``num=n|number`` instead. Imported under this name, so
    ``make messages`` extracts the calls as it does Flask-Babel's."""
    variables.setdefault("num", number_filter(num))
    return get_domain().get_translations().ungettext(singular, plural, num) % variables


def digits_filter(text: str) -> str:
    """``{{ text|digits }}``: a number already written out (``10000000.00``) in the store's
    digits, on a Bengali page of a store with Bengali digits; otherwise as it is."""
    store = current_store()
    if store and store.bengali_digits and _store_locale() == "bn":
        return to_bengali_digits(text)
    return text


def store_zone() -> ZoneInfo:
    """The time zone of the store on this request (UTC off a store's host)."""
    store = current_store()
    return zone_named(store.timezone if store else None)


def date_filter(value: date | None, format: str = "medium") -> str:
    """``{{ order.created_at|store_date }}``: a date in the page's locale and digits; a
    moment (a ``datetime``) is first put in the store's time zone, so an order placed
    at 00:30 in Dhaka is dated that day, not the day before in UTC."""
    if value is None:
        return ""
    store = current_store()
    if isinstance(value, datetime):
        value = aware(value).astimezone(store_zone())
    return format_date(value, _store_locale(), format=format,
                       bengali_digits=bool(store and store.bengali_digits))


def moment_filter(value: datetime | None) -> str:
    """``{{ event.created_at|store_moment }}``: a date and time in the store's time zone,
    the page's locale and the store's digits ("7 Dec 2026, 2:05 PM")."""
    if value is None:
        return ""
    store = current_store()
    return format_moment(value, _store_locale(), timezone=store.timezone if store else None,
                         bengali_digits=bool(store and store.bengali_digits))


def _per_request(func: Callable[..., str]) -> Callable[..., str]:
    """``func`` as a template filter that Jinja never works out at compile time.

    Jinja folds a filter applied to a constant (``{{ 1|number }}``,
    ``{{ "0123456789"|digits }}``) into the compiled template, which is cached and
    shared by every store: the first store's language and digits would stay for all.
    A ``pass_context`` filter is never folded."""

    @pass_context
    @functools.wraps(func)
    def filter_(_context: Any, *args: Any, **kwargs: Any) -> str:
        return func(*args, **kwargs)

    return filter_


def init_app(app: Flask) -> None:
    app.add_template_filter(_per_request(money_filter), "money")
    app.add_template_filter(_per_request(number_filter), "number")
    app.add_template_filter(_per_request(rating_filter), "rating")
    app.add_template_filter(_per_request(digits_filter), "digits")
    app.add_template_filter(_per_request(date_filter), "store_date")
    app.add_template_filter(_per_request(moment_filter), "store_moment")
