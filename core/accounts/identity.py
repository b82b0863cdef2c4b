"""Who a typed phone or email is in this store, and who is signed in on this request.

A shopper is known by a contact they proved they own: an E.164 phone number or a
lower-case email address. Their orders are the orders of every customer record of this
store with that contact, so orders placed before they ever signed in are theirs too.
The sign-in itself is a server-side session (:mod:`core.accounts.sessions`) named in the
store's own cookie, so signing out ends it everywhere the cookie was copied to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import g, session
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from core.accounts import sessions
from core.customers.models import Customer
from core.customers.service import normalise_phone, phone_digits_sql
from core.db import db, nothing_unsaved
from core.messaging.phones import to_e164
from core.orders.models import Order
from core.web.tenancy import current_store

#: The session cookie's key for the shopper's server-side session
#: (``core.accounts.sessions``: ``"<tenant>:<session id>:<secret>"``).
SESSION_KEY = "haat_shopper"
#: How long a sign-in lasts on a device, however busy.
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
    """Sign this browser in as the owner of ``contact``: a new server-side session
    (flushed; the caller commits), named in the store's own cookie. Expired sessions of
    the store are purged here. Other browsers' sessions are left alone."""
    sessions.purge()
    identity = sessions.start(contact.channel, contact.address, SIGNED_IN_FOR)
    session[SESSION_KEY] = identity
    session.permanent = True
    g.pop(_LIVE, None)


def sign_out() -> None:
    """End this browser's session on the server (committed): copies of its cookie stop
    working. Other browsers stay signed in."""
    live = _live()
    if live is not None:
        sessions.end(live.session_id)
        db.session.commit()
    _forget_browser()


def sign_out_everywhere(contact: Contact) -> None:
    """End every session of ``contact`` in this store, this browser's included
    (committed)."""
    sessions.end_all(contact.address)
    db.session.commit()
    _forget_browser()


def _forget_browser() -> None:
    session.pop(SESSION_KEY, None)
    g.pop(_LIVE, None)


#: Where this request keeps what its session cookie came to (asked for many times).
_LIVE = "haat_shopper_session"


def _live() -> sessions.Live | None:
    """The live server-side session this request's cookie names, looked up once.

    A request without a shopper cookie (every anonymous visitor) asks the database
    nothing. Cookies of the shape used before sessions were kept on the server (a dict)
    name no session: those shoppers sign in again."""
    if _LIVE in g:
        return g.get(_LIVE)
    identity = session.get(SESSION_KEY)
    store = current_store()
    if identity is None or store is None:
        live = None
    else:
        live = sessions.check(identity, store.id) if isinstance(identity, str) else None
        if live is None:  # ended, expired or foreign: forget it, so it is asked about once
            session.pop(SESSION_KEY, None)
    setattr(g, _LIVE, live)
    return live


def signed_in_contact() -> Contact | None:
    """The contact the shopper on this request proved, or ``None``."""
    live = _live()
    return Contact(live.channel, live.contact) if live is not None else None


def record_last_seen(response: Response) -> Response:
    """After a signed-in shopper's request, write the session's last-seen time when it
    is a minute old, and only when that commit carries nothing of the view's (an
    unfinished view's changes must still be dropped)."""
    live = g.get(_LIVE)
    if live is None or not live.stale_seen or response.status_code >= 500:
        return response
    if nothing_unsaved():
        sessions.touch(live.session_id)
        db.session.commit()
    return response
