"""Small pieces shared by the engine and its two database dialects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The columns of a matching document ``d`` that ordering, filters and facets use.
DOC_COLUMNS = ("d.id, d.product_id, d.price, d.in_stock, d.created, "
               "COALESCE(d.rating, -1.0) AS rating")
#: Typo candidates read per word, at most (nearest first), before the exact check.
CANDIDATES = 50


@dataclass(frozen=True)
class MatchSql:
    """A SELECT of the matching documents ``d`` (``DOC_COLUMNS``, ``score`` and maybe
    more) that ends in a WHERE clause, so filters can add ``AND ...``. Binds ``:t``
    (the store), ``:lo``/``:hi`` (its document-id range) and ``params``."""

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)


def doc_id(store_id: int, product_id: int) -> int:
    """The document id of a product: the store in the high 32 bits."""
    return (store_id << 32) | product_id


def doc_range(store_id: int) -> dict[str, int]:
    """``lo``/``hi``: the first and last document id a store can have."""
    return {"lo": doc_id(store_id, 0), "hi": doc_id(store_id, 2**32 - 1)}


def fuzzy_term(term: str) -> bool:
    """Whether typos may be corrected towards ``term`` (no digits, 3+ characters)."""
    return len(term) >= 3 and not any(c.isdigit() for c in term)
