"""What the storefront shows of a store's reviews, read with a fixed number of queries:
a product's summary (its precomputed ``ProductRatingStat``, the newest reviews and the
newest customer photos), a page of a product's reviews sorted and filtered, the
customer wall, and a product found by its handle.

Every read goes through ``store_session``, so only the store's own rows are seen; only
``published`` reviews are ever read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import g
from sqlalchemy import func, select

from core.sdk import (
    ProductSnapshot,
    StoreInfo,
    get_products,
    image_srcset,
    image_url,
    product_by_handle,
    store_fact,
    store_session,
)

from .aggregates import PLUGIN
from .models import ProductRatingStat, Review, ReviewPhoto

#: Reviews on the product page, photos in its gallery, reviews per list page.
SHOWN = 5
GALLERY = 8
PER_PAGE = 10
#: The list's orders; the first is the default (and the one search engines index).
SORTS = ("newest", "highest", "lowest", "photos")
PUBLISHED = "published"
#: Is any review on the customer wall? (built once: every page's footer asks)
_ON_THE_WALL = select(Review.id).where(Review.featured.is_(True),
                                       Review.status == PUBLISHED).limit(1)


@dataclass(frozen=True)
class Photo:
    """A customer photo ready for ``<picture>``: the full-size link and the copies."""

    full: str
    src: str
    srcset_webp: str
    srcset: str
    width: int
    height: int


@dataclass(frozen=True)
class Bar:
    """One row of the rating distribution."""

    stars: int
    count: int
    percent: int


@dataclass(frozen=True)
class Stats:
    """A product's published reviews, counted (from ``ProductRatingStat``)."""

    count: int
    average: Decimal
    bars: tuple[Bar, ...]
    with_photos: int

    def count_for(self, stars: int | None, photos: bool = False) -> int:
        """How many reviews a filter leaves (for pages without a COUNT query)."""
        if stars:
            return next((b.count for b in self.bars if b.stars == stars), 0)
        return self.with_photos if photos else self.count


@dataclass(frozen=True)
class Summary:
    """What the product page shows: figures, the newest reviews, the newest photos."""

    stats: Stats
    reviews: list[Review]
    photos: dict[int, list[Photo]]
    gallery: list[Photo] = field(default_factory=list)


def photo_view(store: StoreInfo, row: ReviewPhoto) -> Photo:
    """``row`` as the templates show it: WebP and original copies, the smallest as
    ``src`` (a thumbnail), and the original for the link."""
    image = row.image
    full = image_url(store, image)
    if not image.widths:
        return Photo(full, full, "", "", row.width, row.height)
    return Photo(full, image_url(store, image, image.widths[0]),
                 image_srcset(store, image, "webp"), image_srcset(store, image, "original"),
                 row.width, row.height)


def stats_of(stat: ProductRatingStat | None) -> Stats | None:
    """``stat`` as the templates show it; ``None`` without published reviews."""
    if stat is None or stat.count <= 0:
        return None
    average = (Decimal(stat.total) / Decimal(stat.count)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    bars = tuple(Bar(n, count, round(100 * count / stat.count))
                 for n, count in ((n, getattr(stat, f"stars_{n}")) for n in range(5, 0, -1)))
    return Stats(stat.count, average, bars, stat.with_photos)


def _photos_by_review(store: StoreInfo, reviews: list[Review]) -> dict[int, list[Photo]]:
    return {r.id: [photo_view(store, p) for p in r.photos] for r in reviews}


def product_summary(store: StoreInfo, product_id: int) -> Summary | None:
    """The product page's figures, newest reviews and gallery; ``None`` without published
    reviews. Four queries (stat, reviews, their photos, gallery), kept for the request
    so the slots and the JSON-LD share them."""
    memo = g.setdefault("reviews_display_summaries", {})
    key = (store.id, product_id)
    if key not in memo:
        memo[key] = _read_summary(store, product_id)
    return memo[key]


def _read_summary(store: StoreInfo, product_id: int) -> Summary | None:
    with store_session(store) as session:
        stats = stats_of(session.scalar(
            select(ProductRatingStat).where(ProductRatingStat.product_id == product_id)))
        if stats is None:
            return None
        reviews = list(session.scalars(
            select(Review).where(Review.product_id == product_id, Review.status == PUBLISHED)
            .order_by(Review.created_at.desc(), Review.id.desc()).limit(SHOWN)))
        gallery_rows = list(session.scalars(
            select(ReviewPhoto).join(Review, Review.id == ReviewPhoto.review_id)
            .where(ReviewPhoto.product_id == product_id, Review.status == PUBLISHED)
            .order_by(ReviewPhoto.created_at.desc(), ReviewPhoto.id.desc()).limit(GALLERY)))
    return Summary(stats, reviews, _photos_by_review(store, reviews),
                   [photo_view(store, p) for p in gallery_rows])


@dataclass(frozen=True)
class ReviewPage:
    """One page of a product's reviews."""

    stats: Stats | None
    reviews: list[Review]
    photos: dict[int, list[Photo]]
    total: int
    page: int
    pages: int


def _ordered(query, sort: str, stars: int | None):
    # Each order reads one of the model's indexes in its own order, so a deep page skips
    # index entries, not rows: (status, created_at), (status, rating, id) forwards or
    # backwards, (status, photo_count). Ids grow with time, so "newest" within a rating
    # or among reviews with photos is the highest id, which those indexes end with.
    if sort == "highest":
        return query.order_by(Review.rating.desc(), Review.id.desc())
    if sort == "lowest":
        return query.order_by(Review.rating.asc(), Review.id.asc())
    if sort == "photos":
        return query.where(Review.photo_count > 0).order_by(Review.id.desc())
    if stars:
        return query.order_by(Review.id.desc())
    return query.order_by(Review.created_at.desc(), Review.id.desc())


def review_page(store: StoreInfo, product_id: int, *, sort: str, stars: int | None,
                page: int) -> ReviewPage:
    """Page ``page`` of the product's published reviews in ``sort`` order, only those
    with ``stars`` when given. Four queries (stat, the page's ids, their rows, their
    photos; a count too for photos with stars): the total comes from the precomputed
    counts, and the page is an offset over index entries."""
    with store_session(store) as session:
        stats = stats_of(session.scalar(
            select(ProductRatingStat).where(ProductRatingStat.product_id == product_id)))
        wanted = [Review.product_id == product_id, Review.status == PUBLISHED]
        if stars:
            wanted.append(Review.rating == stars)
        if stats is None:
            total = 0
        elif stars and sort == "photos":  # the one mix the stored counts do not have
            total = int(session.scalar(select(func.count(Review.id)).where(
                *wanted, Review.photo_count > 0)) or 0)
        else:
            total = stats.count_for(stars, sort == "photos")
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        reviews: list[Review] = []
        if total:
            # The page's ids first, from the index alone; then just those ten rows.
            ids = list(session.scalars(_ordered(select(Review.id).where(*wanted), sort, stars)
                                       .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
            rows = {r.id: r for r in session.scalars(select(Review).where(Review.id.in_(ids)))}
            reviews = [rows[i] for i in ids if i in rows]
    return ReviewPage(stats, reviews, _photos_by_review(store, reviews), total, page, pages)


@dataclass(frozen=True)
class WallPage:
    """One page of the customer wall, with the products its reviews are about."""

    reviews: list[Review]
    photos: dict[int, list[Photo]]
    products: dict[int, ProductSnapshot]
    total: int
    page: int
    pages: int


def wall_page(store: StoreInfo, page: int) -> WallPage:
    """Page ``page`` of the reviews the merchant featured, newest first, and their
    products (active ones; a review of a product gone is not shown). Six queries."""
    featured = (Review.featured.is_(True), Review.status == PUBLISHED)
    with store_session(store) as session:
        total = int(session.scalar(select(func.count(Review.id)).where(*featured)) or 0)
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        reviews = list(session.scalars(
            select(Review).where(*featured)
            .order_by(Review.published_at.desc(), Review.id.desc())
            .offset((page - 1) * PER_PAGE).limit(PER_PAGE))) if total else []
    products = {p.id: p for p in get_products(store, sorted({r.product_id for r in reviews}))
                if p.status == "active"}
    return WallPage(reviews, _photos_by_review(store, reviews), products, total, page, pages)


def published_review(store: StoreInfo, review_id: int) -> Review | None:
    """``store``'s published review ``review_id`` (``None`` for any other)."""
    if not 0 < review_id < 2**31:
        return None
    with store_session(store) as session:
        return session.scalar(select(Review).where(Review.id == review_id,
                                                   Review.status == PUBLISHED))


# --------------------------------------------------------------- product by handle


def active_product(store: StoreInfo, handle: str) -> ProductSnapshot | None:
    """``store``'s active product with ``handle``, or ``None`` (drafts are not shown)."""
    product = product_by_handle(store, handle)
    return product if product is not None and product.status == "active" else None


def wall_has_reviews(store: StoreInfo) -> bool:
    """True when the customer wall has a review to show. Every page's footer asks, so
    the answer (one indexed query) is kept until the store's pages change: featuring,
    publishing and hiding a review all say ``pages_changed``."""
    return store_fact(store, PLUGIN, "wall_has_reviews", lambda: _wall_has_reviews(store))


def _wall_has_reviews(store: StoreInfo) -> bool:
    with store_session(store) as session:
        return session.scalar(_ON_THE_WALL) is not None


def reviewed_products(store: StoreInfo) -> list[tuple[str, datetime]]:
    """``(handle, last change)`` of the store's active products with published reviews,
    for the sitemap: the stored summaries, then the products in batches."""
    with store_session(store) as session:
        changed = dict(session.execute(select(ProductRatingStat.product_id,
                                              ProductRatingStat.updated_at)).all())
    found = []
    ids = sorted(changed)
    for start in range(0, len(ids), 500):
        for product in get_products(store, ids[start:start + 500]):
            if product.status == "active":
                found.append((product.handle, changed[product.id]))
    return found
