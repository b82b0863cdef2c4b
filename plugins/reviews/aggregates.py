"""Each product's rating summary, precomputed: counted again from the published reviews
whenever a review of the product changes, stored in ``ProductRatingStat`` and handed to
Haat with ``core.sdk.publish_ratings`` (which fills ``ProductSnapshot.rating``, the
stars on product cards, search ranking and the SEO plugin's ``AggregateRating``).

Counting again instead of adding and subtracting keeps the figures right whatever
happened in between (a review edited, hidden, deleted): one grouped query per
refresh, for any number of products. Concurrent refreshes: see :func:`refresh`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from core.sdk import RatingSummary, StoreInfo, publish_ratings, store_session

from .models import ProductRatingStat, Review, now

PLUGIN = "reviews"
#: Tries of a recount that met a concurrent one (see ``refresh``).
ATTEMPTS = 3


def average(total: int, count: int) -> Decimal | None:
    """The average of ``count`` ratings summing to ``total``, to two places."""
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def refresh(store: StoreInfo, product_ids: Iterable[int]) -> dict[int, RatingSummary | None]:
    """Count the published reviews of ``product_ids`` again, store the figures and
    publish them. Returns what was published (``None`` for a product left without
    reviews).

    Two refreshes at once (two shoppers reviewing the same product) stay right: the
    product's stored summary is locked before counting (PostgreSQL), so the second
    counts after the first has written; two first reviews racing to create the summary
    row, or SQLite refusing a stale writer, are tried again. What is published is read
    back after the commit, so it is the newest count."""
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        return {}
    for attempt in range(ATTEMPTS):
        try:
            _recount(store, ids)
            break
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
    with store_session(store) as session:
        stats = {s.product_id: s for s in session.scalars(
            select(ProductRatingStat).where(ProductRatingStat.product_id.in_(ids)))}
    summaries: dict[int, RatingSummary | None] = {
        product_id: (RatingSummary(average(stat.total, stat.count), stat.count)
                     if (stat := stats.get(product_id)) is not None and stat.count else None)
        for product_id in ids}
    publish_ratings(store, PLUGIN, summaries)
    return summaries


def _recount(store: StoreInfo, ids: list[int]) -> None:
    published = Review.status == "published"
    columns = [Review.product_id, func.count(Review.id), func.coalesce(func.sum(Review.rating), 0)]
    columns += [func.coalesce(func.sum(case((Review.rating == n, 1), else_=0)), 0)
                for n in range(1, 6)]
    columns += [func.coalesce(func.sum(case((Review.photo_count > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(Review.photo_count), 0)]
    with store_session(store) as session:
        # Lock first, count second: a concurrent refresh waits here, then counts what
        # this one saw and more (SQLite has one writer at a time and ignores the lock).
        stats = {s.product_id: s for s in session.scalars(
            select(ProductRatingStat).where(ProductRatingStat.product_id.in_(ids))
            .with_for_update())}
        rows = {row[0]: row for row in session.execute(
            select(*columns).where(published, Review.product_id.in_(ids))
            .group_by(Review.product_id))}
        for product_id in ids:
            row = rows.get(product_id)
            stat = stats.get(product_id)
            if row is None:
                if stat is not None:
                    session.delete(stat)
                continue
            if stat is None:
                stat = ProductRatingStat(product_id=product_id)
                session.add(stat)
            (_pid, stat.count, stat.total, stat.stars_1, stat.stars_2, stat.stars_3,
             stat.stars_4, stat.stars_5, stat.with_photos, stat.photos) = (int(v) for v in row)
            stat.updated_at = now()


def stat_for(store: StoreInfo, product_id: int) -> ProductRatingStat | None:
    """The stored summary of one product (``None`` when it has no published review)."""
    with store_session(store) as session:
        return session.scalar(
            select(ProductRatingStat).where(ProductRatingStat.product_id == product_id))
