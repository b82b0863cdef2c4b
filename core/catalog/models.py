"""Catalogue models. Prices are integers in the store currency's minor units."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db, utcnow
from tenants import TenantOwned

STATUS_ACTIVE = "active"
STATUS_DRAFT = "draft"
LOW_STOCK_THRESHOLD = 5


class Collection(TenantOwned, db.Model):
    """A group of products shown together, e.g. a category."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("tenant_id", "handle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    memberships: Mapped[list[CollectionProduct]] = relationship(
        back_populates="collection",
        cascade="all, delete-orphan",
        order_by="CollectionProduct.position",
    )


class Product(TenantOwned, db.Model):
    """Something a store sells."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "handle"),
        UniqueConstraint("tenant_id", "sku"),
        Index(None, "tenant_id", "status", "created_at"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_amount >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sku: Mapped[str | None] = mapped_column(String(64))
    price_amount: Mapped[int] = mapped_column(Integer)
    compare_at_amount: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    #: Shipping weight of one item; variants may set their own.
    weight_grams: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default=STATUS_ACTIVE)
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma separated
    # e.g. "Size,Colour": the names of a variant's option1..option3, in order.
    option_names: Mapped[str] = mapped_column(String(200), default="", server_default="")
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: Search-engine title and description; empty means the title and description.
    seo_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    seo_description: Mapped[str] = mapped_column(String(320), default="", server_default="")
    #: The average review rating (two places) and how many reviews it averages, over
    #: the rating plugins the store has on; kept by :mod:`core.catalog.ratings`.
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    review_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    memberships: Mapped[list[CollectionProduct]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="ProductVariant.position",
    )

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def option_labels(self) -> list[str]:
        return [name.strip() for name in self.option_names.split(",") if name.strip()]

    @property
    def low_stock(self) -> bool:
        return 0 < self.stock <= LOW_STOCK_THRESHOLD


class CollectionProduct(TenantOwned, db.Model):
    """Membership of a product in a collection, with its position there."""

    __tablename__ = "collection_products"
    __table_args__ = (UniqueConstraint("tenant_id", "collection_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    collection: Mapped[Collection] = relationship(back_populates="memberships")
    product: Mapped[Product] = relationship(back_populates="memberships")


class ProductImage(TenantOwned, db.Model):
    """An image of a product; ``storage_key`` is relative to the store's media folder."""

    __tablename__ = "product_images"
    __table_args__ = (Index(None, "tenant_id", "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    storage_key: Mapped[str] = mapped_column(String(300))
    alt: Mapped[str] = mapped_column(String(300), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Widths of the resized copies written next to the original (see core.catalog.images).
    widths: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: True until the job has written the clean original and renditions
    #: (``core.catalog.image_jobs``); pages show a placeholder meanwhile.
    processing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    product: Mapped[Product] = relationship(back_populates="images")

    @property
    def width_list(self) -> tuple[int, ...]:
        return tuple(int(w) for w in self.widths.split(",") if w.strip().isdigit())


class ProductVariant(TenantOwned, db.Model):
    """One buyable version of a product (e.g. size M in red), with its own SKU, price and stock.

    When a product has variants, the variants' stock is what can be sold and the
    product's ``price_amount``/``stock`` hold the lowest price and the total stock
    (kept in step by the catalogue services) for listings.
    """

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "option1", "option2", "option3"),
        Index(None, "tenant_id", "product_id", "position"),
        CheckConstraint("stock >= 0", name="variant_stock_not_negative"),
        CheckConstraint("price_amount >= 0", name="variant_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    option1: Mapped[str] = mapped_column(String(100), default="")
    option2: Mapped[str] = mapped_column(String(100), default="")
    option3: Mapped[str] = mapped_column(String(100), default="")
    sku: Mapped[str | None] = mapped_column(String(64))
    price_amount: Mapped[int] = mapped_column(Integer)
    compare_at_amount: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    #: ``None`` means the product's weight.
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The product's photo shown when a shopper chooses this variant (one of the same
    #: product's images); ``None`` means the product's own order of photos.
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_images.id", ondelete="SET NULL"), index=True)

    product: Mapped[Product] = relationship(back_populates="variants")
    image: Mapped[ProductImage | None] = relationship()

    @property
    def title(self) -> str:
        return " / ".join(o for o in (self.option1, self.option2, self.option3) if o)

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class StagedImage(TenantOwned, db.Model):
    """A photo the merchant chose in the product editor that no product shows yet.

    Its files are stored (checked, cleaned and resized like a product image) as soon
    as the browser sends it, so that nothing chosen is lost when the form comes back
    with a mistake or after a step such as "make every combination". Saving the
    product turns it into a :class:`ProductImage` with the same files; one left
    behind (a form never saved) is removed with its files after a day.
    """

    __tablename__ = "staged_images"
    __table_args__ = (Index(None, "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(300))
    #: The file's name on the merchant's device, to tell photos apart in the editor.
    name: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    widths: Mapped[str] = mapped_column(String(100), default="")
    #: As :attr:`ProductImage.processing`; saving the product carries it over.
    processing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def width_list(self) -> tuple[int, ...]:
        return tuple(int(w) for w in self.widths.split(",") if w.strip().isdigit())
