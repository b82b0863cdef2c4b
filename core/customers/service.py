"""Recognising returning shoppers by email or phone, without accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.customers.models import Customer
from core.db import db
from core.i18n import to_ascii_digits


def normalise_phone(phone: str) -> str:
    """ASCII digits only, with Bangladesh's +880 written the local way (01XXXXXXXXX), so
    the same number typed two ways (or in Bengali digits, ০১৭...) is one customer."""
    digits = "".join(ch for ch in to_ascii_digits(phone or "") if "0" <= ch <= "9")
    if digits.startswith("880") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_digits_sql(column: Any) -> Any:
    """``column`` (a phone as typed) without spaces, dashes, ``+``, brackets or dots,
    in SQL: a number's digits can then be searched with ``contains``."""
    for mark in (" ", "-", "+", "(", ")", "."):
        column = func.replace(column, mark, "")
    return column


def customer_key(email: str, phone: str) -> str:
    """How a shopper is recognised: the email in lower case, else ``tel:<digits>``."""
    if email.strip():
        return email.strip().lower()
    digits = normalise_phone(phone)
    return f"tel:{digits}" if digits else ""


def find_or_create_customer(email: str, phone: str, name: str) -> tuple[Customer | None, bool]:
    """The current store's customer for this contact, created when new.

    Returns ``(customer, created)``; ``(None, False)`` without any contact. Fills in a
    phone or name the record did not have yet. Safe when two first orders race.
    """
    key = customer_key(email, phone)
    if not key:
        return None, False
    customer = db.session.scalar(select(Customer).where(Customer.key == key))
    if customer is None:
        try:
            with db.session.begin_nested():
                customer = Customer(key=key, email=email.strip().lower(), phone=phone.strip(),
                                    name=name.strip()[:200])
                db.session.add(customer)
            return customer, True
        except IntegrityError:
            customer = db.session.scalar(select(Customer).where(Customer.key == key))
            if customer is None:
                raise
    if phone and not customer.phone:
        customer.phone = phone.strip()
    if name and not customer.name:
        customer.name = name.strip()[:200]
    return customer, False
