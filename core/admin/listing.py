"""Shared helpers of the admin's list pages and forms: pages of rows, and dates,
amounts and counts as a merchant types them.

Every list page runs the same two statements whatever its size (a count and one
page of rows), so a store with thousands of orders costs no more queries than a
store with five.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select

from core.clock import aware
from core.db import db
from core.i18n import to_ascii_digits
from core.money import Money, minor_units
from core.web.templating import digits_filter, ngettext, store_zone

PER_PAGE = 50
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Far beyond any real list; larger numbers are treated as the last page anyway.
MAX_PAGE = 100_000
#: The largest amount in minor units (10,000,000.00 taka): amounts are 32-bit columns.
MAX_AMOUNT = 1_000_000_000

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a list: its rows and where it sits in the whole."""

    items: list[Row]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        """True when there is a page before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """The 1-based position of the page's first row (0 when the list is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        """The 1-based position of the page's last row (0 when the list is empty)."""
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_number(raw: str | None) -> int:
    """``?page=`` as a number from 1; anything else (``abc``, ``-3``, ``0``) is page 1."""
    text = to_ascii_digits((raw or "").strip())
    # isascii: "²".isdigit() is true but int() refuses it.
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def paginate(rows: Select[Any], count: Select[Any], number: int, *,
             per_page: int = PER_PAGE, scalars: bool = True) -> Page[Any]:
    """Run ``count`` and one page of ``rows`` (two statements). A page past the end
    shows the last page. ``scalars=False`` keeps each row as a tuple."""
    total = int(db.session.scalar(count) or 0)
    last = max(1, -(-total // per_page))
    number = min(max(number, 1), last)
    statement = rows.limit(per_page).offset((number - 1) * per_page)
    items = (list(db.session.scalars(statement)) if scalars
             else list(db.session.execute(statement).all()))
    return Page(items=items, number=number, per_page=per_page, total=total)


def query_args(values: Mapping[str, str]) -> dict[str, str]:
    """The non-empty filter values, to carry into page links."""
    return {key: value for key, value in values.items() if value}


# ----------------------------------------------------------------- typed input


class InputError(ValueError):
    """A value the merchant typed that cannot be used; the message says what to type."""


def parse_day(raw: str | None) -> date | None:
    """A date from ``<input type="date">`` (``2025-03-31``, or typed ``২০২৫-০৩-৩১`` where
    the browser has no date picker); empty is ``None``."""
    text = to_ascii_digits((raw or "").strip())
    if not text:
        return None
    if _ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(_("Enter a date like 2025-03-31."))


def day_start(day: date) -> datetime:
    """The moment ``day`` starts in the store's time zone, in UTC: how admin dates are
    compared with stored moments (a Dhaka store's 7 December starts at 18:00 UTC on the
    6th)."""
    return datetime.combine(day, time(0), tzinfo=store_zone()).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The moment ``day`` ends in the store's time zone (the next day's start), in UTC."""
    return day_start(day + timedelta(days=1))


def local_day(moment: datetime) -> date:
    """The day ``moment`` falls on in the store's time zone."""
    return aware(moment).astimezone(store_zone()).date()


def parse_amount(raw: str | None, currency: str) -> Money | None:
    """An amount in major units of ``currency`` (``1,250.50``, or ``১,২৫০.৫০`` in
    Bengali digits: the same amount); empty is ``None``.

    Refuses more decimals than the currency has instead of rounding them away, and
    amounts beyond :data:`MAX_AMOUNT` minor units (the database could not store them).
    """
    text = to_ascii_digits((raw or "").strip()).replace(",", "")
    if not text:
        return None
    places = minor_units(currency)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InputError(_amount_hint(places)) from None
    if not number.is_finite() or number.adjusted() > 12:
        raise InputError(_amount_hint(places))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InputError(ngettext("Use at most %(num)s decimal place.",
                                  "Use at most %(num)s decimal places.", places)
                         if places else
                         _("%(currency)s amounts have no decimals.", currency=currency))
    money = Money.from_decimal(number, currency)
    if abs(money.amount) > MAX_AMOUNT:
        raise InputError(_("Enter an amount up to %(max)s.",
                           max=digits_filter(f"{Money(MAX_AMOUNT, currency).to_decimal():f}")))
    return money


def _amount_hint(places: int) -> str:
    if places:
        return _("Enter an amount, e.g. 120 or 99.50.")
    return _("Enter an amount, e.g. 120.")


def parse_count(raw: str | None) -> int | None:
    """A whole number of at least 1 (a usage limit), in any digits (``১০`` is 10); empty
    is ``None`` (no limit)."""
    text = to_ascii_digits((raw or "").strip())
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise InputError(_("Enter a whole number of 1 or more, or leave it empty."))
    return int(text)
