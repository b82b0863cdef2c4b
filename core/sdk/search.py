"""Product search: what the shopper asked for and what a search backend answers."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.money import minor_units

__all__ = [
    "PRICE_BUCKET_EDGES",
    "SEARCH_FACETS",
    "SEARCH_SORTS",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "price_buckets",
]


#: Facets a search backend can count, and the ``SearchQuery.filters`` keys that narrow
#: by them: ``collection`` (a handle), ``tags`` (a tag), ``in_stock`` (True), ``price``
#: (a bucket key such as ``"50000-100000"`` or ``"500000-"``, minor units).
SEARCH_FACETS: tuple[str, ...] = ("collection", "price", "in_stock", "tags")
#: ``SearchQuery.sort`` values.
SEARCH_SORTS: tuple[str, ...] = ("relevance", "price-asc", "price-desc", "newest")
#: Price facet bucket edges in major units per currency (others use USD's).
PRICE_BUCKET_EDGES: Mapping[str, tuple[int, ...]] = {
    "BDT": (500, 1000, 2500, 5000),
    "AMD": (5000, 10000, 25000, 50000),
    "USD": (25, 50, 100, 250),
    "EUR": (25, 50, 100, 250),
}


def price_buckets(currency: str) -> tuple[tuple[str, int, int | None], ...]:
    """``(key, low, high)`` price buckets in minor units for ``currency``; the last has
    no upper bound. Keys look like ``"50000-100000"`` and ``"500000-"``."""
    scale = 10 ** minor_units(currency)
    edges = [0, *(e * scale for e in PRICE_BUCKET_EDGES.get(currency,
                                                            PRICE_BUCKET_EDGES["USD"]))]
    buckets = [(f"{low}-{high}", low, high) for low, high in itertools.pairwise(edges)]
    return (*buckets, (f"{edges[-1]}-", edges[-1], None))


@dataclass(frozen=True)
class SearchQuery:
    """What the shopper asked for. ``filters`` and ``facets`` use :data:`SEARCH_FACETS`;
    ``sort`` is one of :data:`SEARCH_SORTS`; ``page`` starts at 1."""

    #: What the shopper typed, trimmed, at most 200 characters. The storefront never
    #: asks with ``""``; a backend may then list the store's products.
    text: str
    #: Narrow the matches: ``collection`` (a handle), ``tags`` (a tag), ``in_stock``
    #: (``True``), ``price`` (a key of :func:`price_buckets`). A missing key does not
    #: narrow; a backend ignores keys it does not know.
    filters: Mapping[str, Any] = field(default_factory=dict)
    #: The facets to count in ``SearchResults.facets`` (the storefront asks for all of
    #: :data:`SEARCH_FACETS`); empty: count none.
    facets: tuple[str, ...] = ()
    #: One of :data:`SEARCH_SORTS`.
    sort: str = "relevance"
    #: Which page of hits, from 1.
    page: int = 1
    #: Hits per page (24 on the storefront).
    per_page: int = 24


@dataclass(frozen=True)
class SearchHit:
    """One product found. The storefront reads each hit's product in the store's
    scope, so a hit for another store's product, or an inactive one, is dropped."""

    #: The product's id (``ProductSnapshot.id``).
    product_id: int
    #: The product's handle, ``/products/<handle>``.
    handle: str
    #: The product's title, plain text.
    title: str
    #: The title as HTML: the text escaped, every matching word in ``<mark>``; ``""``
    #: shows the plain title. The storefront strips every other tag.
    highlighted_title: str = ""
    #: A short passage of the description as HTML like ``highlighted_title``; ``""``
    #: for none. The built-in themes do not show it.
    snippet: str = ""


@dataclass(frozen=True)
class SearchResults:
    """What ``SearchBackend.query`` answers."""

    #: This page's hits, in the order asked for (``SearchQuery.sort``).
    hits: tuple[SearchHit, ...]
    #: How many products match in all (for the page count), not only on this page.
    total: int
    #: For each facet asked for, ``{value: count}`` over the filtered matches:
    #: collection handles, tags, price bucket keys, ``"true"``/``"false"`` for
    #: ``in_stock``. Values with no match are left out.
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: The query with misspelt words corrected ("Did you mean ..."); ``None`` when there
    #: is nothing to suggest.
    suggestion: str | None = None


