"""Alerts to the store's own people: a new order, a failed payment, low stock.

Each person (owner or staff) chooses on **Your account** which alerts they get, by email
and/or by SMS to their own mobile number. Until they choose, the owner gets every alert by
email and staff get none. Alerts are messages like any other (``core.messaging.service``):
queued with the change, sent once from a job, written in the person's admin language.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from core.db import db
from core.messaging.models import Message
from core.messaging.phones import to_e164
from core.messaging.service import deliver_message, store_row
from core.pluginhost.events import enqueue_after_commit
from core.staff.models import ROLE_OWNER, StaffUser

#: The alerts, in the order the account page lists them.
ALERTS = ("new_order", "payment_failed", "low_stock")
#: An order that takes a product's stock from above this to this or below alerts.
LOW_STOCK_LEVEL = 5


def alert_channels(user: StaffUser, alert: str) -> list[str]:
    """The channels ``user`` gets ``alert`` by (``[]`` for none)."""
    if user.alerts is None:
        return ["email"] if user.role == ROLE_OWNER else []
    return [c for c in user.alerts.get(alert, []) if c in ("email", "sms")]


def queue_staff_alerts(tenant_id: int, alert: str, *, order_id: int | None = None,
                       product_id: int | None = None, stock: int | None = None) -> None:
    """Queue ``alert`` to every person of the store who wants it, after the commit."""
    if alert not in ALERTS:
        raise ValueError(f"unknown alert {alert!r}")
    tenant = store_row(tenant_id)
    country = tenant.country if tenant else ""
    people = db.session.scalars(select(StaffUser).where(StaffUser.invited_at.is_(None))
                                .order_by(StaffUser.id))
    reference = order_id if order_id is not None else f"{product_id}-{secrets.token_hex(4)}"
    for user in people:
        for channel in alert_channels(user, alert):
            recipient = user.email if channel == "email" else to_e164(user.phone, country)
            if not recipient:
                continue  # an SMS alert without a number: the account page asks for one
            key = f"alert:{alert}:{reference}:{user.id}:{channel}"
            if db.session.scalar(select(Message.id).where(Message.key == key)) is not None:
                continue  # told already (a payment that fails a second time)
            db.session.add(Message(
                tenant_id=tenant_id, key=key, event=f"alert_{alert}", channel=channel,
                recipient=recipient, order_id=order_id, locale=user.locale or "",
                data={"staff_id": user.id, "product_id": product_id, "stock": stock}))
            enqueue_after_commit(deliver_message, tenant_id, key)


def queue_low_stock_alerts(tenant_id: int, taken: dict[int, int]) -> None:
    """After an order took ``taken`` (product id -> quantity), alert for each product
    whose stock it took from above :data:`LOW_STOCK_LEVEL` to it or below."""
    from core.catalog.models import Product

    if not taken:
        return
    for product_id, stock in db.session.execute(
            select(Product.id, Product.stock).where(Product.id.in_(list(taken)))):
        if stock <= LOW_STOCK_LEVEL < stock + taken[product_id]:
            queue_staff_alerts(tenant_id, "low_stock", product_id=product_id, stock=stock)
