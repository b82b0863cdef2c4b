"""The reviews plugin's tables: reviews, their photos, edit history, abuse reports,
review requests, shoppers who asked not to be asked, and each product's precomputed
rating summary.

Every table is store-owned (``core.sdk.plugin_model_base``), so each store sees only its
own rows. The schema ships as the plugin's Alembic branch in ``migrations/``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.sdk import UploadedImage, plugin_model_base

Base = plugin_model_base("reviews")

#: Where a review stands. ``pending`` waits for the merchant's approval, ``held`` was
#: stopped by the spam filter (also waiting for the merchant), ``published`` is shown to
#: shoppers, ``hidden`` was taken down by the merchant. Deleting removes the row.
REVIEW_STATES = ("pending", "held", "published", "hidden")

#: Why a shopper reports a review.
REPORT_REASONS = ("spam", "offensive", "off_topic", "private", "other")

#: A review request's life: ``scheduled`` (waiting for its day), ``sent``, ``reminded``
#: (the one reminder went out), ``done`` (the shopper reviewed everything),
#: ``cancelled`` (order cancelled or returned, or the shopper opted out).
REQUEST_STATES = ("scheduled", "sent", "reminded", "done", "cancelled")


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC with its zone (SQLite gives stored times back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Review(Base):
    """One shopper's review of one product.

    ``reviewer_key`` makes "one review per customer and product" hold: it is
    ``"c:<customer id>"`` for a known customer (signed in, or through a request link),
    and ``None`` for an anonymous review (allowed only when the merchant allows them).
    """

    __tablename__ = "reviews_reviews"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "reviewer_key"),
        # The product's list: published reviews by date, by rating, with photos.
        # (Index names must stay within PostgreSQL's 63 characters.)
        Index(None, "tenant_id", "product_id", "status", "created_at"),
        Index(None, "tenant_id", "product_id", "status", "rating", "id"),
        Index(None, "tenant_id", "product_id", "status", "photo_count"),
        # The admin's queue and the customer wall.
        Index(None, "tenant_id", "status", "created_at"),
        Index(None, "tenant_id", "featured", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer)
    #: The store's customer who wrote it (``OrderSnapshot.customer_id``), if known.
    customer_id: Mapped[int | None] = mapped_column(Integer)
    #: The order it came from (through a request link or a signed-in buyer's order).
    order_id: Mapped[int | None] = mapped_column(Integer)
    reviewer_key: Mapped[str | None] = mapped_column(String(40))
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    #: The name shown with the review, as the shopper wrote it.
    author_name: Mapped[str] = mapped_column(String(80), default="")
    #: The language the review was written in (``en``, ``bn``, ``hy``).
    locale: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: Why the spam filter held it (shown to the merchant), empty otherwise.
    held_reason: Mapped[str] = mapped_column(String(300), default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Chosen by the merchant for the customer wall.
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Until when the writer may edit it (``None``: never).
    editable_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review", cascade="all, delete-orphan",
        order_by="ReviewPhoto.position", lazy="selectin")


class ReviewPhoto(Base):
    """A shopper's photo on a review, stored through ``core.sdk.save_image``."""

    __tablename__ = "reviews_photos"
    __table_args__ = (
        Index(None, "tenant_id", "product_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews_reviews.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    storage_key: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The rendition widths written, comma-separated ("160,320,480").
    widths: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    review: Mapped[Review] = relationship(back_populates="photos")

    @property
    def image(self) -> UploadedImage:
        """The ``core.sdk.UploadedImage`` this row was saved from, for ``image_url``,
        ``image_srcset`` and ``delete_image``."""
        widths = tuple(int(w) for w in self.widths.split(",") if w.strip().isdigit())
        return UploadedImage(self.storage_key, self.width, self.height,
                             widths or (self.width,))


class ReviewRevision(Base):
    """What a review said before an edit: the edit history the merchant can read."""

    __tablename__ = "reviews_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews_reviews.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(80), default="")
    #: When this text was replaced.
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ReviewReport(Base):
    """A shopper's report that a review is abusive. One per reporter and review."""

    __tablename__ = "reviews_reports"
    __table_args__ = (UniqueConstraint("tenant_id", "review_id", "reporter_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews_reviews.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    #: A hash of who reported (shopper contact, else the client address), never the
    #: address itself.
    reporter_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewRequest(Base):
    """The message that asks a delivered order's shopper for reviews, and its link.

    Only the SHA-256 of the link's token is kept, so a copy of the database opens no
    review form. The token is made when the message is sent (``token_hash`` holds a
    placeholder hash of random bytes until then).
    """

    __tablename__ = "reviews_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id"),
        UniqueConstraint("tenant_id", "token_hash"),
        UniqueConstraint("tenant_id", "reminder_token_hash"),
        Index(None, "tenant_id", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    #: The hash of the link's token in the request, and in the reminder (which carries
    #: a token of its own, since the first is not kept); either opens the same form.
    token_hash: Mapped[str] = mapped_column(String(64))
    reminder_token_hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    #: When the request is due, and when the reminder is (``None``: no reminder).
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminder_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The link stops working after this.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ReviewOptOut(Base):
    """A contact (phone in E.164 form, or email in lower case) that asked never to be
    asked for reviews by this store again. Kept as a SHA-256 hash."""

    __tablename__ = "reviews_opt_outs"
    __table_args__ = (UniqueConstraint("tenant_id", "contact_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ProductRatingStat(Base):
    """A product's published reviews, counted: what product pages show without
    counting 10,000 reviews on each request. Refreshed by ``aggregates.refresh``."""

    __tablename__ = "reviews_product_stats"
    __table_args__ = (UniqueConstraint("tenant_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)
    #: The sum of the ratings, so the average is exact: ``total / count``.
    total: Mapped[int] = mapped_column(Integer, default=0)
    stars_1: Mapped[int] = mapped_column(Integer, default=0)
    stars_2: Mapped[int] = mapped_column(Integer, default=0)
    stars_3: Mapped[int] = mapped_column(Integer, default=0)
    stars_4: Mapped[int] = mapped_column(Integer, default=0)
    stars_5: Mapped[int] = mapped_column(Integer, default=0)
    #: Published reviews with at least one photo, and those photos.
    with_photos: Mapped[int] = mapped_column(Integer, default=0)
    photos: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
