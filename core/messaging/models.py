"""The message log: every message to a shopper, by channel, with its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned

#: A message's life: queued -> sending -> sent | failed. A message stays ``sending``
#: when the worker died between handing it over and writing the outcome; it is never
#: handed over again (the shopper may already have it).
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
MESSAGE_STATES = (QUEUED, SENDING, SENT, FAILED)


class Message(TenantOwned, db.Model):
    """One message to one address by one channel (``email`` or ``sms``).

    ``key`` makes queueing idempotent: the same store event for the same order and
    channel is one row however often it is queued (``order:<id>:<event>:<channel>``).
    """

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),
                      Index(None, "tenant_id", "customer_id", "created_at"),
                      Index(None, "tenant_id", "order_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8))
    #: An email address, or a phone number in E.164 form.
    recipient: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8), default="")
    #: What the event adds to the message (a refund's ``amount`` in minor units).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(300), default="")
    #: What was sent (filled in when it is rendered, just before sending).
    body: Mapped[str] = mapped_column(Text, default="")
    #: SMS parts (0 for email).
    parts: Mapped[int] = mapped_column(Integer, default=0)
    #: What carried it: "outbox", "smtp" or an SMS gateway's id.
    provider: Mapped[str] = mapped_column(String(64), default="")
    provider_ref: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Why it failed or waits for another try (for the merchant; never a secret).
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MessageTemplate(TenantOwned, db.Model):
    """A merchant's own wording of one event's message, in one channel and language.

    Without a row the standard text is sent. ``subject`` and ``heading`` are used by
    email only; ``body`` is the whole SMS, or the email's message above the order's
    details. Each is template text: words and ``{{ placeholder }}`` or
    ``{% if placeholder %}`` (:mod:`core.messaging.wording`), checked when saved.
    """

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "event", "channel", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300), default="")
    heading: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    #: Who saved it last (a staff member's email, kept when they leave).
    updated_by: Mapped[str] = mapped_column(String(254), default="")
