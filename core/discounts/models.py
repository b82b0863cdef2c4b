"""Coupon codes and their rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db, utcnow
from tenants import TenantOwned

KIND_PERCENTAGE = "percentage"
KIND_FIXED = "fixed"
KIND_FREE_SHIPPING = "free_shipping"
DISCOUNT_KINDS = (KIND_PERCENTAGE, KIND_FIXED, KIND_FREE_SHIPPING)


class Discount(TenantOwned, db.Model):
    """A coupon code. ``value`` is basis points for percentages (1250 = 12.5%) and
    minor units for fixed amounts; free shipping ignores it."""

    __tablename__ = "discounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        CheckConstraint("used_count >= 0", name="used_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored upper case; shoppers may type it in any case.
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default=KIND_PERCENTAGE)
    value: Mapped[int] = mapped_column(Integer, default=0)
    min_subtotal: Mapped[int | None] = mapped_column(Integer)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    per_customer_limit: Mapped[int | None] = mapped_column(Integer)
    #: Orders placed with the code (cancelled ones give their use back).
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
