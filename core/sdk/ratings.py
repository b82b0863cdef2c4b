"""Publishing products' review ratings, and reading the store's (services layer)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from core.sdk.catalog import RatingSummary
from core.sdk.store import StoreInfo, require_store

__all__ = ["pages_changed", "publish_ratings", "store_fact", "store_rating"]

T = TypeVar("T")


def publish_ratings(store: StoreInfo, plugin: str,
                    ratings: Mapping[int, RatingSummary | None]) -> None:
    """Tell Haat the rating of some of ``store``'s products, as ``plugin`` counts them:
    ``{product_id: RatingSummary(average, count)}``, or ``None`` for a product that no
    longer has a review shoppers can see.

    Haat keeps each plugin's figures apart and shows their count-weighted combination
    over the plugins the store has on: in ``ProductSnapshot.rating`` and
    ``review_count`` (so search ranks by them and the SEO plugin writes
    ``AggregateRating``), the stars on the themes' product cards, and
    :func:`store_rating`. Switching ``plugin`` off hides its figures and switching it on
    shows them again, with nothing for the plugin to do. Products the store does not
    have are skipped. The products' cached pages are rendered again and the products
    are reindexed for search.

    Publish only figures of reviews that shoppers can see (published, not waiting for
    approval or hidden), and publish again whenever they change. It writes and commits
    Haat's own transaction: call it from your routes, jobs and lifecycle hooks, never
    from a checkout-path hook. Raises ``ValueError`` for a plugin that is not installed.
    """
    from flask import current_app

    from core.catalog import ratings as kept

    info = require_store(store)
    if plugin not in current_app.extensions["haat_plugins"].installed:
        raise ValueError(f"{plugin!r} is not an installed plugin; use the `name` of your "
                         "plugin's manifest")
    for product_id, summary in ratings.items():
        if isinstance(product_id, bool) or not isinstance(product_id, int):
            raise TypeError(f"product ids must be ints, not {product_id!r}")
        if summary is not None and not isinstance(summary, RatingSummary):
            raise TypeError("each rating must be a core.sdk.RatingSummary or None")
    kept.publish(info.id, plugin, frozenset(info.enabled_plugins), ratings)


def store_rating(store: StoreInfo) -> RatingSummary | None:
    """The average rating of all of ``store``'s reviewed active products, weighted by
    their review counts, and the number of those reviews; ``None`` when there is none.
    What the trust badges show as the store's rating. In a request for ``store`` it is
    read once and kept until the store's pages change (see :func:`store_fact`), which
    :func:`publish_ratings` makes them do."""
    from core.catalog import ratings as kept

    figures = kept.store_rating(require_store(store).id)
    return RatingSummary(*figures) if figures else None


def pages_changed(store: StoreInfo) -> None:
    """Say that what your slots or hooks show on ``store``'s catalogue pages changed
    (a review was approved, a reply written): the cached pages are rendered again on
    their next visit, in this worker at once and in others within seconds. Haat
    already does this when its own data changes and in :func:`publish_ratings`.
    Commits Haat's own transaction, like :func:`publish_ratings`."""
    from core.db import db
    from tenants.resolution import bump_content_version

    bump_content_version(db.session, {require_store(store).id})
    db.session.commit()


def store_fact(store: StoreInfo, plugin: str, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, a fact about the whole of ``store`` that ``plugin``'s hooks show on
    its pages (e.g. "the customer wall has a review"), kept by this worker until the
    store's cached pages are retired: :func:`pages_changed`, :func:`publish_ratings`,
    any change to the catalogue, or a plugin switched on or off or set, and for at most
    as long as a cached page. Say :func:`pages_changed` whenever what it depends on
    changes, as for the slots themselves.

    Kept per store, per plugin and per ``name``, and only in a request for ``store``
    itself; elsewhere (a job, a schedule) and in a request that has already changed the
    store, ``compute`` is called every time. The value is shared by the store's
    requests: return something immutable (a bool, a number, a tuple), never anything
    that depends on the shopper."""
    from core.store_facts import remember

    return remember(require_store(store).id, ("plugin", plugin, name), compute)
