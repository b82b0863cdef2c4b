"""Read-side queries for storefront pages. Each page is a fixed number of statements,
whatever the size of the catalogue (``tests/test_storefront_queries.py`` counts them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from flask import g
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from core.catalog.models import STATUS_ACTIVE, Collection, CollectionProduct, Product
from core.db import db
from core.pages.models import Page

PAGE_SIZE = 24
RELATED_LIMIT = 4
#: ``?sort=`` values of a collection listing, in the order the menu shows them.
SORTS = ("featured", "price-asc", "price-desc", "newest", "name")


@dataclass(frozen=True)
class Listing:
    """One page of a product listing."""

    products: Sequence[Product]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# Statements every page runs, built once (see _PRODUCT below for why).
_COLLECTIONS = select(Collection).order_by(Collection.position, Collection.title)
_FOOTER_PAGES = (select(Page).where(Page.published.is_(True), Page.in_footer.is_(True))
                 .order_by(Page.position, Page.title))
_PAGE = select(Page).where(Page.handle == bindparam("handle"), Page.published.is_(True))


def collections() -> Sequence[Collection]:
    """The store's collections in display order (once per request)."""
    if "haat_collections" not in g:
        g.haat_collections = db.session.scalars(_COLLECTIONS).all()
    return g.haat_collections


def footer_pages() -> Sequence[Page]:
    """Published pages the merchant shows in the footer (policies, contact …)."""
    return db.session.scalars(_FOOTER_PAGES).all()


def page_by_handle(handle: str) -> Page | None:
    return db.session.scalar(_PAGE, {"handle": handle})


def collection_by_handle(handle: str) -> Collection | None:
    return next((c for c in collections() if c.handle == handle), None)


def _ordered(query: Select, sort: str, in_collection: bool) -> Select:
    newest = (Product.created_at.desc(), Product.id.desc())
    if sort == "price-asc":
        return query.order_by(Product.price_amount, Product.id)
    if sort == "price-desc":
        return query.order_by(Product.price_amount.desc(), Product.id)
    if sort == "name":
        return query.order_by(Product.title, Product.id)
    if sort == "featured" and in_collection:
        return query.order_by(CollectionProduct.position, Product.id)
    return query.order_by(*newest)


@cache
def _listing_statements(sort: str, in_collection: bool, in_stock_only: bool,
                        ) -> tuple[Select, Select]:
    """The count and the rows of a listing, built once per kind of listing (a few dozen
    at most: ``sort`` is one of :data:`SORTS`); the collection, the page size and the
    offset are bound parameters."""
    query = select(Product).where(Product.status == STATUS_ACTIVE)
    if in_collection:
        query = query.join(CollectionProduct, CollectionProduct.product_id == Product.id).where(
            CollectionProduct.collection_id == bindparam("collection"))
    if in_stock_only:
        query = query.where(Product.stock > 0)
    total = select(func.count()).select_from(query.subquery())
    rows = (_ordered(query, sort, in_collection).options(selectinload(Product.images))
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return total, rows


def listing(collection: Collection | None = None, *, page: int = 1, sort: str = "featured",
            in_stock_only: bool = False, page_size: int = PAGE_SIZE,
            count: bool = True) -> Listing:
    """Active products of ``collection`` (or all), sorted and filtered: a count (unless
    ``count=False``, e.g. on the home page, which shows no total), the rows, their images."""
    total_statement, rows_statement = _listing_statements(
        sort if sort in SORTS else "featured", collection is not None, bool(in_stock_only))
    params = {"collection": collection.id} if collection is not None else {}
    total = (db.session.scalar(total_statement, params) or 0) if count else 0
    rows = db.session.scalars(rows_statement, {
        **params, "limit": page_size, "offset": (max(page, 1) - 1) * page_size}).all()
    return Listing(products=rows, total=total, page=page, page_size=page_size)


def newest_products(limit: int) -> Sequence[Product]:
    return listing(page_size=limit, sort="newest", count=False).products


# The product page's statements, built once: building a statement and its cache key
# costs more CPU than SQLite's answer.
# Each statement has a cost of its own far above its rows', so the product comes with
# its images and memberships joined (a few rows: images x collections) and only the
# variants, which may be many, in a second statement; related products come with their
# images joined (their LIMIT goes in a subquery).
_PRODUCT = (
    select(Product)
    .where(Product.handle == bindparam("handle"), Product.status == STATUS_ACTIVE)
    .options(joinedload(Product.images), joinedload(Product.memberships),
             selectinload(Product.variants))
)
_RELATED = (
    select(Product)
    .where(Product.id.in_(select(CollectionProduct.product_id).where(
               CollectionProduct.collection_id.in_(bindparam("collections", expanding=True)))),
           Product.id != bindparam("product"), Product.status == STATUS_ACTIVE)
    .order_by(Product.stock == 0, Product.created_at.desc(), Product.id)
    .options(joinedload(Product.images)).limit(bindparam("limit"))
)


def product_by_handle(handle: str) -> Product | None:
    """An active product with its images, variants and collection memberships.

    The store's collections are loaded first (the navigation needs them anyway), so
    ``membership.collection`` comes from the session without another query."""
    collections()
    return db.session.scalars(_PRODUCT, {"handle": handle}).unique().one_or_none()


def related_products(product: Product, limit: int = RELATED_LIMIT) -> Sequence[Product]:
    """Other active products that share a collection with ``product``."""
    collection_ids = [m.collection_id for m in product.memberships]
    if not collection_ids:
        return ()
    return db.session.scalars(_RELATED, {"collections": collection_ids, "product": product.id,
                                         "limit": limit}).unique().all()
