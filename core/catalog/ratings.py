"""Products' review ratings, as the plugins that review products publish them.

Each plugin publishes its own figures per product (:func:`publish`, behind
``core.sdk.publish_ratings``); they are kept per plugin in ``product_ratings``. The
figures shoppers see are combined over the plugins the store has on, weighted by their
counts, and written onto the product (``Product.rating``, ``Product.review_count``) so
that cards, snapshots, search and SEO read them with no extra query. Switching a
plugin on or off combines them again (:func:`recombine_store`).

Writing the product through the ORM is what makes everything else follow: the page
cache's content version is bumped in the same transaction, and ``haat_product_saved``
reindexes the product for search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.catalog.models import Product
from core.db import db, utcnow
from core.sdk.catalog import RatingSummary
from tenants import TenantOwned, tenant_scope

_CENT = Decimal("0.01")


class ProductRating(TenantOwned, db.Model):
    """One plugin's published rating of one product."""

    __tablename__ = "product_ratings"
    __table_args__ = (UniqueConstraint("tenant_id", "product_id", "plugin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True)
    plugin: Mapped[str] = mapped_column(String(64))
    rating: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    review_count: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow)


def combine(parts: Iterable[tuple[Decimal, int]]) -> tuple[Decimal | None, int]:
    """The count-weighted average of ``(rating, count)`` parts, to two places, and the
    total count; ``(None, 0)`` for none."""
    total = Decimal(0)
    count = 0
    for rating, n in parts:
        total += Decimal(rating) * n
        count += n
    if count == 0:
        return None, 0
    return (total / count).quantize(_CENT, ROUND_HALF_UP), count


def publish(store_id: int, plugin: str, enabled: frozenset[str],
            ratings: Mapping[int, RatingSummary | None]) -> None:
    """Keep ``plugin``'s ``ratings`` for the store's products and write the combined
    figures of the products concerned. Ids of products the store does not have (or no
    longer has) are skipped. Commits."""
    ids = sorted({int(i) for i in ratings})
    if not ids:
        return
    with tenant_scope(store_id):
        products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
        kept = {r.product_id: r for r in db.session.scalars(select(ProductRating).where(
            ProductRating.plugin == plugin, ProductRating.product_id.in_(list(products))))}
        for product_id in products:
            summary = ratings.get(product_id)
            row = kept.get(product_id)
            if summary is None:
                if row is not None:
                    db.session.delete(row)
                continue
            if row is None:
                row = ProductRating(product_id=product_id, plugin=plugin)
                db.session.add(row)
            row.rating = summary.average.quantize(_CENT, ROUND_HALF_UP)
            row.review_count = summary.count
        db.session.flush()
        _recombine(list(products.values()), enabled)
        db.session.commit()


def recombine_store(store_id: int, enabled: frozenset[str]) -> None:
    """Combine the figures again for every product of the store that has or had a
    rating: after a plugin was switched on or off. Flushes; the caller commits."""
    with tenant_scope(store_id):
        rated = select(ProductRating.product_id)
        products = db.session.scalars(select(Product).where(
            (Product.review_count > 0) | Product.id.in_(rated))).all()
        _recombine(list(products), enabled)


def _recombine(products: list[Product], enabled: frozenset[str]) -> None:
    if not products:
        return
    parts: dict[int, list[tuple[Decimal, int]]] = {}
    for row in db.session.scalars(select(ProductRating).where(
            ProductRating.product_id.in_([p.id for p in products]),
            ProductRating.plugin.in_(sorted(enabled)))):
        parts.setdefault(row.product_id, []).append((row.rating, row.review_count))
    for product in products:
        rating, count = combine(parts.get(product.id, ()))
        if product.rating != rating or product.review_count != count:
            product.rating = rating
            product.review_count = count
    db.session.flush()


def store_rating(store_id: int) -> tuple[Decimal, int] | None:
    """The store's average over all reviews of its active products, and their number.

    A page shows it in several places (the trust badges of the product and of the
    footer) and it sums over the whole catalogue, so a request for the store keeps it
    until the store's content changes (:mod:`core.store_facts`): publishing a rating
    writes the products, which bumps ``content_version``."""
    from core.store_facts import remember

    return remember(store_id, "store_rating", lambda: _store_rating(store_id))


#: Built once: making the aggregate functions costs more than running them.
_STORE_RATING = (
    select(func.coalesce(func.sum(Product.review_count), 0),
           func.sum(Product.rating * Product.review_count))
    .where(Product.status == "active", Product.review_count > 0))


def _store_rating(store_id: int) -> tuple[Decimal, int] | None:
    with tenant_scope(store_id):
        count, total = db.session.execute(_STORE_RATING).one()
    if not count:
        return None
    return (Decimal(total) / count).quantize(_CENT, ROUND_HALF_UP), int(count)
