"""Order tables. Everything a shopper saw at purchase is copied here (a snapshot):
titles, prices, the address, shipping and fees, so later catalogue edits change nothing.
Order amounts are 64-bit: 99 items of ৳250,000 is more than a 32-bit integer holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.customers.models import Customer
from core.db import db, utcnow
from tenants import TenantOwned

FIRST_ORDER_NUMBER = 1001


class OrderCounter(TenantOwned, db.Model):
    """The last order number a store used (numbers are per store: #1001, #1002, ...)."""

    __tablename__ = "order_counters"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=FIRST_ORDER_NUMBER - 1)


class Order(TenantOwned, db.Model):
    """One purchase. Amounts are minor units of ``currency``."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "token"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        # A wallet transaction id (or any gateway reference) is used once per store.
        UniqueConstraint("tenant_id", "payment_method", "payment_reference"),
        Index(None, "tenant_id", "created_at"),
        Index(None, "tenant_id", "customer_id"),
        # A carrier's tracking events find their order by tracking number.
        Index(None, "tenant_id", "carrier_id", "tracking_number"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    #: The secret in the shopper's status URL, ``/orders/<token>``.
    token: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    locale: Mapped[str] = mapped_column(String(8), default="")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount_total: Mapped[int] = mapped_column(BigInteger, default=0)  # negative or 0
    shipping_total: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    refunded_total: Mapped[int] = mapped_column(BigInteger, default=0)
    #: ``[{kind, code, label, amount, plugin}]`` as applied at purchase.
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    coupon_code: Mapped[str] = mapped_column(String(40), default="")
    discount_id: Mapped[int | None] = mapped_column(
        ForeignKey("discounts.id", ondelete="SET NULL"))
    payment_method: Mapped[str] = mapped_column(String(64))
    payment_label: Mapped[str] = mapped_column(String(200), default="")
    payment_state: Mapped[str] = mapped_column(String(24), default="pending")
    payment_reference: Mapped[str | None] = mapped_column(String(200))
    payment_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    payment_instructions: Mapped[str] = mapped_column(Text, default="")
    fulfilment_state: Mapped[str] = mapped_column(String(24), default="unfulfilled")
    shipping_rate_id: Mapped[str] = mapped_column(String(200), default="")
    shipping_label: Mapped[str] = mapped_column(String(200), default="")
    shipping_zone: Mapped[str] = mapped_column(String(100), default="")
    #: The address as typed: name, phone, country, region, city, line1, line2, postcode.
    shipping_address: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: The courier's name as shown to the shopper ("Pathao").
    carrier: Mapped[str] = mapped_column(String(100), default="")
    #: The ``ShippingCarrier.id`` that booked the parcel or gives its tracking link;
    #: "" when the merchant named a courier by hand.
    carrier_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id")
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id")
    customer: Mapped[Customer | None] = relationship()


class OrderLine(TenantOwned, db.Model):
    """A product as bought: title, option and price copied at purchase."""

    __tablename__ = "order_lines"
    __table_args__ = (
        Index(None, "tenant_id", "order_id"),
        Index(None, "tenant_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # The product may be deleted later; the line keeps its copy.
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    variant_title: Mapped[str] = mapped_column(String(200), default="")
    sku: Mapped[str] = mapped_column(String(64), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    line_total: Mapped[int] = mapped_column(BigInteger)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(TenantOwned, db.Model):
    """One entry in an order's timeline (placed, paid, shipped, a note, ...)."""

    __tablename__ = "order_events"
    __table_args__ = (Index(None, "tenant_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    #: The entry in English, as written (exports, logs, and entries from before
    #: ``template`` existed).
    message: Mapped[str] = mapped_column(Text, default="")
    #: The English message with ``%(name)s`` placeholders, a msgid of the admin
    #: catalogue, so that the admin shows the entry in its reader's language; ``""`` for
    #: words nobody translates (a merchant's note, a provider's own message).
    template: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The placeholders' values (see :mod:`core.orders.timeline`).
    params: Mapped[dict[str, str] | None] = mapped_column(JSON, default=dict)
    #: Who did it: a staff email, "shopper", "system" or "plugin:<name>".
    actor: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")


class PaymentEvent(TenantOwned, db.Model):
    """A provider event already applied (webhooks are delivered at least once)."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("tenant_id", "gateway", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(24), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShipmentEvent(TenantOwned, db.Model):
    """One step of a parcel's journey as its carrier reported it (picked up, out for
    delivery, delivered, ...). ``event_id`` makes a carrier's repeated report a no-op."""

    __tablename__ = "shipment_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "carrier_id", "event_id"),
        Index(None, "tenant_id", "order_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    carrier_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(200))
    #: One of ``core.sdk.TRACKING_STATUSES``.
    status: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CodCollection(TenantOwned, db.Model):
    """What a courier reports about one parcel's cash on delivery: collected from the
    shopper, kept as its charge, and paid out to the merchant (``payout_reference``).
    One row per parcel (carrier and tracking number); the latest report replaces it."""

    __tablename__ = "cod_collections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "carrier_id", "tracking_number"),
        Index(None, "tenant_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    carrier_id: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(100))
    #: Minor units of the order's currency.
    collected: Mapped[int] = mapped_column(BigInteger)
    charge: Mapped[int] = mapped_column(BigInteger)
    payout_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
