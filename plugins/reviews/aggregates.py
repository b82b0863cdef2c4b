"""Each product's rating summary, precomputed: counted again from the published reviews
whenever a review of the product changes, stored in ``ProductRatingStat`` and handed to
Haat with ``core.sdk.publish_ratings`` (which fills ``ProductSnapshot.rating``, the
stars on product cards, search ranking and the SEO plugin's ``AggregateRating``).

Counting again instead of adding and subtracting keeps the figures right whatever
happened in between (a review edited, hidden, deleted, two shoppers at once): one
grouped query per refresh, for any number of products.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select

from core.sdk import RatingSummary, StoreInfo, publish_ratings, store_session

from .models import ProductRatingStat, Review, now

PLUGIN = "reviews"


def average(total: int, count: int) -> Decimal | None:
    """The average of ``count`` ratings summing to ``total``, to two places."""
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def refresh(store: StoreInfo, product_ids: Iterable[int]) -> dict[int, RatingSummary | None]:
    """Count the published reviews of ``product_ids`` again, store the figures and
    publish them. Returns what was published (``None`` for a product left without
    reviews)."""
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        return {}
    published = Review.status == "published"
    columns = [Review.product_id, func.count(Review.id), func.coalesce(func.sum(Review.rating), 0)]
    columns += [func.coalesce(func.sum(case((Review.rating == n, 1), else_=0)), 0)
                for n in range(1, 6)]
    columns += [func.coalesce(func.sum(case((Review.photo_count > 0, 1), else_=0)), 0),
                func.coalesce(func.sum(Review.photo_count), 0)]
    summaries: dict[int, RatingSummary | None] = {}
    with store_session(store) as session:
        rows = {row[0]: row for row in session.execute(
            select(*columns).where(published, Review.product_id.in_(ids))
            .group_by(Review.product_id))}
        stats = {s.product_id: s for s in session.scalars(
            select(ProductRatingStat).where(ProductRatingStat.product_id.in_(ids)))}
        for product_id in ids:
            row = rows.get(product_id)
            stat = stats.get(product_id)
            if row is None:
                if stat is not None:
                    session.delete(stat)
                summaries[product_id] = None
                continue
            if stat is None:
                stat = ProductRatingStat(product_id=product_id)
                session.add(stat)
            (_pid, stat.count, stat.total, stat.stars_1, stat.stars_2, stat.stars_3,
             stat.stars_4, stat.stars_5, stat.with_photos, stat.photos) = (int(v) for v in row)
            stat.updated_at = now()
            summaries[product_id] = RatingSummary(average(stat.total, stat.count), stat.count)
    publish_ratings(store, PLUGIN, summaries)
    return summaries


def stat_for(store: StoreInfo, product_id: int) -> ProductRatingStat | None:
    """The stored summary of one product (``None`` when it has no published review)."""
    with store_session(store) as session:
        return session.scalar(
            select(ProductRatingStat).where(ProductRatingStat.product_id == product_id))
