"""Read-side queries for storefront pages. Each page is a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.catalog.models import STATUS_ACTIVE, Collection, CollectionProduct, Product
from core.db import db

PAGE_SIZE = 24


def collections() -> Sequence[Collection]:
    """The store's collections in display order."""
    return db.session.scalars(select(Collection).order_by(Collection.position,
                                                          Collection.title)).all()


def collection_by_handle(handle: str) -> Collection | None:
    return db.session.scalar(select(Collection).where(Collection.handle == handle))


def active_products(collection: Collection | None = None, *, page: int = 1,
                    page_size: int = PAGE_SIZE) -> Sequence[Product]:
    """Active products, newest first (or in the collection's order), with images."""
    query = select(Product).where(Product.status == STATUS_ACTIVE)
    if collection is not None:
        query = query.join(CollectionProduct, CollectionProduct.product_id == Product.id).where(
            CollectionProduct.collection_id == collection.id
        ).order_by(CollectionProduct.position, Product.id)
    else:
        query = query.order_by(Product.created_at.desc(), Product.id.desc())
    query = query.options(selectinload(Product.images)).limit(page_size).offset(
        (max(page, 1) - 1) * page_size
    )
    return db.session.scalars(query).all()


def product_by_handle(handle: str) -> Product | None:
    """An active product with its images and collections."""
    return db.session.scalar(
        select(Product)
        .where(Product.handle == handle, Product.status == STATUS_ACTIVE)
        .options(selectinload(Product.images),
                 selectinload(Product.memberships).selectinload(CollectionProduct.collection))
    )
