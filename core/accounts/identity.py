"""Who a typed phone or email is in this store, and who is signed in on this request.

A shopper is known by a contact they proved they own: an E.164 phone number or a
lower-case email address. Their orders are the orders of every customer record of this
store with that contact, so orders placed before they ever signed in are theirs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import session
from sqlalchemy import func, or_, select

from core.customers.models import Customer
from core.customers.service import normalise_phone, phone_digits_sql
from core.db import db, utcnow
from core.messaging.phones import to_e164
from core.orders.models import Order
from core.web.tenancy import current_store

SESSION_KEY = "haat_shopper"
#: How long a sign-in lasts on a device.
SIGNED_IN_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Contact:
    """A phone (``channel="sms"``, E.164 ``address``) or an email (``"email"``)."""

    channel: str
    address: str

    @property
    def masked(self) -> str:
        """The address with most of it hidden, to show on a page: ``+88017•••••678``."""
        if self.channel == "email":
            name, _, domain = self.address.partition("@")
            return f"{name[:2]}•••@{domain}"
        return f"{self.address[:6]}•••••{self.address[-3:]}"


def read_contact(text: str, country: str) -> Contact | None:
    """The phone number or email address in ``text`` (any spelling), or ``None``."""
    text = (text or "").strip()
    if "@" in text:
        try:
            found = validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            return None
        return Contact("email", found.normalized.lower())
    number = to_e164(text, country)
    return Contact("sms", number) if number else None


def customers_with(contact: Contact) -> list[Customer]:
    """This store's customer records keyed by ``contact`` itself.

    Only the record whose key *is* the proved contact counts: a record keyed by an
    email that a checkout once added a phone to is not the phone owner's (anyone can
    type any phone next to someone else's email).
    """
    key = contact.address if contact.channel == "email" else (
        f"tel:{normalise_phone(contact.address)}")
    return list(db.session.scalars(select(Customer).where(Customer.key == key)))


def orders_with(contact: Contact, customers: list[Customer], country: str) -> list[Order]:
    """The shopper's orders, newest first: those of ``customers``, and every order
    placed with ``contact`` as its own email or phone (whatever record it went to)."""
    mine = [Order.customer_id.in_([c.id for c in customers])] if customers else []
    if contact.channel == "email":
        query = select(Order).where(or_(func.lower(Order.email) == contact.address, *mine))
        candidates = db.session.scalars(query.order_by(Order.created_at.desc(),
                                                       Order.id.desc()))
        return list(candidates)
    tail = normalise_phone(contact.address)[-8:]  # narrow in SQL, compare here
    digits = phone_digits_sql(Order.phone)
    ids = {c.id for c in customers}
    candidates = db.session.scalars(
        select(Order).where(or_(digits.contains(tail, autoescape=True), *mine))
        .order_by(Order.created_at.desc(), Order.id.desc()))
    return [o for o in candidates if o.customer_id in ids
            or to_e164(o.phone, (o.shipping_address or {}).get("country") or country)
            == contact.address]


def sign_in(contact: Contact) -> None:
    """Remember on this device (the store's own cookie) that its shopper owns ``contact``."""
    store = current_store()
    session[SESSION_KEY] = {"store": store.id, "channel": contact.channel,
                            "address": contact.address,
                            "until": (utcnow() + SIGNED_IN_FOR).isoformat()}
    session.permanent = True


def sign_out() -> None:
    session.pop(SESSION_KEY, None)


def signed_in_contact() -> Contact | None:
    """The contact the shopper on this request proved, or ``None``."""
    saved = session.get(SESSION_KEY)
    store = current_store()
    if not isinstance(saved, dict) or store is None or saved.get("store") != store.id:
        return None
    try:
        until = datetime.fromisoformat(str(saved["until"]))
        if utcnow() >= until:
            return None
        return Contact(str(saved["channel"]), str(saved["address"]))
    except (KeyError, ValueError, TypeError):  # an older or tampered-with shape
        return None
