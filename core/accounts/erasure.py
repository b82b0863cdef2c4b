"""A shopper's own data: everything the store keeps about them, and erasing it.

Erasing keeps the orders for the merchant's books (numbers, lines, amounts, states, the
country, region and city they went to) and removes who they were: names, phone
numbers, email addresses, street lines, notes, the text of messages and the contact in
the timeline's notes. The customer records stay as anonymous rows so the orders keep
their link; marketing consent is withdrawn, and the sign-in codes, the address
book and every signed-in session of the contact are deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from core.accounts import sessions
from core.accounts.addresses import values_of
from core.accounts.identity import Contact
from core.accounts.models import ShopperAddress, ShopperCode
from core.customers.consent import CHANNELS, current_consents, record_consent
from core.customers.models import Customer, CustomerConsent
from core.db import db
from core.messaging.models import Message
from core.messaging.phones import to_e164
from core.orders.models import Order, OrderEvent

#: Address parts an erased order keeps (where it went, for the books; not who).
KEPT_ADDRESS_PARTS = ("country", "region", "city")


def export_data(contact: Contact, customers: list[Customer],
                orders: list[Order]) -> dict[str, Any]:
    """Everything this store keeps about the shopper, as JSON-ready data."""
    ids = [c.id for c in customers]
    orders = list(db.session.scalars(
        select(Order).where(Order.id.in_([o.id for o in orders]))
        .options(selectinload(Order.lines)).order_by(Order.id))) if orders else []
    messages = list(db.session.scalars(
        select(Message).where(or_(Message.recipient == contact.address,
                                  Message.customer_id.in_(ids)))
        .order_by(Message.id)))
    consents = list(db.session.scalars(
        select(CustomerConsent).where(CustomerConsent.customer_id.in_(ids))
        .order_by(CustomerConsent.id))) if ids else []
    addresses = list(db.session.scalars(
        select(ShopperAddress).where(ShopperAddress.contact == contact.address)
        .order_by(ShopperAddress.id)))
    return {
        "signed_in_as": contact.address,
        "saved_addresses": [{**values_of(a), "default": a.is_default} for a in addresses],
        "customer_records": [{"name": c.name, "email": c.email, "phone": c.phone,
                              "language": c.locale, "since": c.created_at.isoformat()}
                             for c in customers],
        "orders": [{
            "number": o.number, "placed_at": o.created_at.isoformat(), "email": o.email,
            "phone": o.phone, "currency": o.currency, "total_minor_units": o.total,
            "refunded_minor_units": o.refunded_total, "payment": o.payment_state,
            "status": o.fulfilment_state, "shipping_address": o.shipping_address,
            "note": o.note, "carrier": o.carrier, "tracking_number": o.tracking_number,
            "lines": [{"title": line.title, "option": line.variant_title,
                       "quantity": line.quantity, "unit_price_minor_units": line.unit_price}
                      for line in o.lines]} for o in orders],
        "messages": [{"sent_at": (m.sent_at or m.created_at).isoformat(), "about": m.event,
                      "channel": m.channel, "to": m.recipient, "status": m.status,
                      "text": m.body} for m in messages],
        "consents": [{"purpose": c.purpose, "channel": c.channel, "granted": c.granted,
                      "source": c.source, "at": c.created_at.isoformat()} for c in consents],
    }


def erase(contact: Contact, customers: list[Customer], orders: list[Order],
          country: str) -> None:
    """Anonymise the shopper's records (see the module's docstring). The caller commits."""
    ids = [c.id for c in customers]
    secrets = {contact.address} | {c.email for c in customers if c.email} | {
        c.phone for c in customers if c.phone}
    for order in orders:
        secrets |= {value for value in (order.email, order.phone) if value}
        address = order.shipping_address or {}
        secrets |= {str(address.get(part) or "") for part in ("name", "phone") if
                    address.get(part)}
    # Notes and logs write numbers in E.164 form, whatever was typed.
    secrets |= {number for value in list(secrets)
                if (number := to_e164(value, country)) is not None}
    order_ids = [o.id for o in orders]
    if order_ids:
        secrets |= set(db.session.scalars(select(Message.recipient).where(
            Message.order_id.in_(order_ids), Message.recipient != "")))
    for order in orders:
        address = order.shipping_address or {}
        order.shipping_address = {part: address[part] for part in KEPT_ADDRESS_PARTS
                                  if address.get(part)}
        order.email, order.phone, order.note = "", "", ""
    holding = current_consents(ids)
    for customer in customers:
        for channel in CHANNELS:
            record_consent(customer.id, "marketing", channel, False, "account_deleted",
                           now_holding=holding)
        customer.key, customer.name = f"erased:{customer.id}", ""
        customer.email, customer.phone, customer.note = "", "", ""
    if orders:
        _scrub_timeline([o.id for o in orders], secrets)
    mine = [Message.recipient == contact.address]
    if ids:
        mine.append(Message.customer_id.in_(ids))
    if order_ids:
        mine.append(Message.order_id.in_(order_ids))
    db.session.execute(update(Message).where(or_(*mine))
                       .values(recipient="", body="", subject="")
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(ShopperCode).where(ShopperCode.address == contact.address)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(ShopperAddress).where(ShopperAddress.contact == contact.address)
                       .execution_options(synchronize_session=False))
    sessions.end_all(contact.address)  # every device it was signed in on


def _scrub_timeline(order_ids: list[int], secrets: set[str]) -> None:
    """Take the shopper's contact out of the timeline's notes (e.g. "Sent the
    confirmation SMS to +8801712345678")."""
    ordered = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)
    for event in db.session.scalars(select(OrderEvent).where(OrderEvent.order_id.in_(order_ids))):
        text = event.message
        for secret in ordered:
            text = text.replace(secret, "[erased]")
        if text != event.message:
            event.message = text
