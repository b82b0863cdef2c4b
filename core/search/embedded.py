"""``EmbeddedSearch``: the search backend that needs no server.

It keeps its index in Haat's own database (SQLite FTS5, or PostgreSQL full-text search
with ``pg_trgm``; see :mod:`core.search` for what differs) and implements the SDK's
:class:`~core.sdk.SearchBackend`. Every statement names the store: documents are keyed
by ``tenant_id`` and by ids ``tenant_id << 32 | product_id`` (SQLite's FTS5 matches are
bounded to the store's id range), and the vocabulary, facets and typo candidates are
all looked up by ``tenant_id`` first.

How a query runs:

1. Its words are folded (:mod:`core.search.text`), at most ten.
2. Each word is looked up in the store's vocabulary. A word found as typed is matched as
   typed; the last word (unless the text ends with a space) also matches the store's 20
   most frequent words that start with it. A word found neither way is corrected: the
   vocabulary words within 1 typo (4–7 characters) or 2 typos (8 or more) of it, or for
   the last word of whom it is a misspelt beginning, nearest first, at most 5.
3. One statement then finds the matching documents (all words must match, any of each
   word's alternatives), applies the filters, and returns the page, the total and the
   asked-for facet counts. Corrections make ``suggestion``; with no results at all,
   ``suggestion`` is the query without the words that match nothing (or without its
   last word), if that finds something.

Relevance is Meilisearch's "attribute" rule, not TF-IDF: products with every word in
the title first, then with every word in the title or keywords (collections, tags,
SKUs, variant options), then the rest; within each, the best rated, then the newest.
Scoring every match with BM25 would cost far more for common words, and the number of
times a word appears in a description says little about a product.

Facet counts are exact up to :data:`FACET_SAMPLE` matches. Beyond that they are
estimated from a sample of about that many matches (chosen by a hash of the product
id) scaled to the total, as Algolia does for large results; ``total`` is always exact.

The writing methods commit the session when done, as an external engine would have
stored the change when the call returns: call them after committing your own work.
"""

# SQL here is assembled from constants and integers only; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from core.db import db
from core.sdk import (
    SEARCH_FACETS,
    ProductSnapshot,
    SearchHit,
    SearchQuery,
    SearchResults,
    StoreInfo,
    price_buckets,
)
from core.search import text as T
from core.search.common import MatchSql, doc_id, doc_range
from core.search.postgres_fts import PostgresDialect
from core.search.sqlite_fts import SqliteDialect
from tenants.resolution import bump_content_version

log = logging.getLogger(__name__)

ACTIVE = "active"
#: Products written per batch of statements.
BATCH = 500
#: Words of the store that the last query word (a beginning) stands for, at most.
PREFIX_EXPANSIONS = 20
#: Corrections used for a misspelt word, at most.
TYPO_EXPANSIONS = 5
#: Facet counts are exact up to this many matches, estimated from a sample beyond.
FACET_SAMPLE = 2000
#: Values listed per facet, at most (the most frequent).
MAX_FACET_VALUES = 100
MAX_PER_PAGE = 100
#: Characters of the description kept for snippets, and indexed.
SNIPPET_TEXT = 5000
BODY_TEXT = 20000
VALUE_LENGTH = 255
ID_LIMIT = 2**31

#: ``SearchQuery.sort`` -> ORDER BY over the matches ``m``.
ORDERS = {
    "relevance": "m.score DESC, m.rating DESC, m.created DESC, m.product_id DESC",
    "price-asc": "m.price ASC, m.score DESC, m.product_id DESC",
    "price-desc": "m.price DESC, m.score DESC, m.product_id DESC",
    "newest": "m.created DESC, m.product_id DESC",
}
#: A well-mixed number from 0 to 65535 per product, for sampling.
SAMPLE_HASH = "((m.product_id * 2654435761) % 4294967296) / 65536"


# ------------------------------------------------------------------------ documents


def _micros(moment: datetime | None) -> int:
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def _values(items: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        value = (item or "").strip()[:VALUE_LENGTH]
        if value:
            seen.setdefault(value, None)
    return list(seen)


def document(store_id: int, product: ProductSnapshot) -> dict[str, Any]:
    """What the engine stores for an active product (``_``-keys: its facet values)."""
    skus = _values([product.sku, *product.variant_skus])
    sku_words = []
    for sku in skus:
        parts = T.words(sku)
        sku_words.extend(parts)
        if len(parts) > 1:  # "DC-001" is also found as "dc001"
            sku_words.append("".join(parts)[: T.MAX_WORD])
    collections = _values(product.collections)
    labels = _values(product.collection_titles) or [c.replace("-", " ") for c in collections]
    tags = _values(product.tags)
    keywords = [*T.words(" ".join(labels)), *T.words(" ".join(tags)), *sku_words,
                *T.words(" ".join(product.variant_titles))]
    description = product.description or ""
    rating = product.rating if product.rating is not None and product.review_count else None
    return {
        "id": doc_id(store_id, product.id),
        "tenant_id": store_id,
        "product_id": product.id,
        "handle": product.handle,
        "title": product.title,
        "description": description[:SNIPPET_TEXT],
        "title_terms": T.terms(product.title),
        "keyword_terms": " ".join(keywords),
        "body_terms": T.terms(description[:BODY_TEXT]),
        "price": int(product.price.amount),
        "in_stock": product.stock > 0,
        "rating": float(rating) if rating is not None else None,
        "review_count": int(product.review_count or 0),
        "created": _micros(product.created_at),
        "_collections": collections,
        "_tags": tags,
    }


def _row_terms(*texts: str | None) -> set[str]:
    found: set[str] = set()
    for value in texts:
        if value:
            found.update(value.split())
    return found


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _store_id(store: StoreInfo) -> int:
    store_id = getattr(store, "id", None)
    if not isinstance(store_id, int) or isinstance(store_id, bool) or not 0 < store_id < ID_LIMIT:
        raise ValueError(f"not a store id: {store_id!r}")
    return store_id


def _valid_ids(ids: Iterable[Any]) -> list[int]:
    return sorted({i for i in ids
                   if isinstance(i, int) and not isinstance(i, bool) and 0 < i < ID_LIMIT})


def _expanding(sql: str, *names: str) -> Any:
    return text(sql).bindparams(*(bindparam(name, expanding=True) for name in names))


# ---------------------------------------------------------------------- query plans


@dataclass
class Word:
    """A query word and what it stands for in the store's vocabulary."""

    word: str
    terms: list[str] = field(default_factory=list)
    kind: str = "none"  # exact, prefix, typo or none (matches nothing)
    correction: str | None = None


@dataclass
class Plan:
    words: list[Word]

    @property
    def matchable(self) -> bool:
        return all(w.terms for w in self.words)

    @property
    def groups(self) -> list[list[str]]:
        return [w.terms for w in self.words]

    @property
    def matched_terms(self) -> set[str]:
        return {t for w in self.words for t in w.terms}

    @property
    def corrected(self) -> bool:
        return any(w.kind == "typo" for w in self.words)

    def text(self) -> str:
        return " ".join(w.correction or w.word for w in self.words)


@dataclass
class Filters:
    """``SearchQuery.filters`` as SQL on the documents ``d`` (values are bound).

    ``collection`` and ``tags`` take a value or a list (any of them), ``price`` a bucket
    key or a list, ``in_stock`` a truth value. Unknown keys are ignored; a malformed
    price key matches nothing.
    """

    collections: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    in_stock: bool | None = None
    prices: list[tuple[int, int | None]] = field(default_factory=list)

    @classmethod
    def parse(cls, filters: Mapping[str, Any]) -> Filters:
        def listed(value: Any) -> list[str]:
            if value is None or value == "" or isinstance(value, bool):
                return []
            items = [value] if isinstance(value, str | int) else list(value)
            return _values(str(v) for v in items)

        parsed = cls(collections=listed(filters.get("collection")),
                     tags=listed(filters.get("tags")))
        stock = filters.get("in_stock")
        if stock is not None and stock != "":
            parsed.in_stock = str(stock).lower() not in ("false", "0", "no", "off")
        for key in listed(filters.get("price")):
            low, dash, high = key.partition("-")
            try:
                parsed.prices.append((int(low), int(high) if high else None) if dash
                                     else (-1, -1))
            except ValueError:
                parsed.prices.append((-1, -1))
        return parsed

    def sql(self) -> tuple[str, dict[str, Any], list[str]]:
        """``AND ...`` clauses, their values, and the names of the list values."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        lists: list[str] = []
        for name, kind, values in (("fc", "c", self.collections), ("ft", "t", self.tags)):
            if values:
                clauses.append(f"d.id IN (SELECT doc_id FROM search_facets WHERE tenant_id = :t "
                               f"AND kind = '{kind}' AND value IN :{name})")
                params[name] = values
                lists.append(name)
        if self.in_stock is not None:
            clauses.append("d.in_stock = :fs")
            params["fs"] = self.in_stock
        if self.prices:
            ranges = []
            for index, (low, high) in enumerate(self.prices):
                params[f"fpl{index}"] = low
                if high is None:
                    ranges.append(f"d.price >= :fpl{index}")
                else:
                    params[f"fph{index}"] = high
                    ranges.append(f"(d.price >= :fpl{index} AND d.price < :fph{index})")
            clauses.append("(" + " OR ".join(ranges) + ")")
        return "".join(f" AND {c}" for c in clauses), params, lists


# ---------------------------------------------------------------------------- engine


class EmbeddedSearch:
    """The embedded :class:`~core.sdk.SearchBackend` (SQLite FTS5 or PostgreSQL FTS).

    Stateless: one instance may serve every store and app. Call it inside an app
    context; the tenant scope does not matter (every statement names the store).
    """

    def __init__(self) -> None:
        self._dialects: dict[str, Any] = {"sqlite": SqliteDialect(),
                                          "postgresql": PostgresDialect()}

    # -------------------------------------------------------------- plumbing

    def _dialect(self, session: Session) -> Any:
        name = session.get_bind().dialect.name
        try:
            return self._dialects[name]
        except KeyError:
            raise RuntimeError(f"the embedded search engine does not support {name}") from None

    def _write(self, store_id: int, work: Callable[[Session, Any], None]) -> None:
        session = db.session
        try:
            work(session, self._dialect(session))
            # Search pages are cached by the store's content version (core.storefront.
            # search_views), and index updates arrive by job after the catalogue change
            # that bumped it: results cached in between must be retired too.
            bump_content_version(session, {store_id})
            session.commit()
        except BaseException:
            session.rollback()
            raise

    # ---------------------------------------------------------------- writes

    def index(self, store: StoreInfo, products: Iterable[ProductSnapshot]) -> None:
        """Add or replace products; inactive ones are removed from the index."""
        store_id = _store_id(store)
        latest: dict[int, ProductSnapshot] = {}
        for product in products:
            if (not isinstance(product.id, int) or isinstance(product.id, bool)
                    or not 0 < product.id < ID_LIMIT):
                raise ValueError(f"not a product id: {product.id!r}")
            latest[product.id] = product
        if not latest:
            return
        ids = sorted(latest)

        def work(session: Session, dialect: Any) -> None:
            dialect.lock(session, store_id)
            for chunk in _chunks(ids):
                removed = self._delete_documents(session, dialect, store_id, chunk)
                docs = [document(store_id, latest[i]) for i in chunk
                        if latest[i].status == ACTIVE]
                added: Counter[str] = Counter()
                for doc in docs:
                    added.update(_row_terms(doc["title_terms"], doc["keyword_terms"],
                                            doc["body_terms"]))
                if docs:
                    dialect.insert_documents(session, docs)
                    facets = [(doc["id"], kind, value) for doc in docs
                              for kind, values in (("c", doc["_collections"]), ("t", doc["_tags"]))
                              for value in values]
                    if facets:
                        dialect.insert_facets(session, store_id, facets)
                self._update_vocabulary(session, dialect, store_id, added - removed,
                                        removed - added)

        self._write(store_id, work)

    def remove(self, store: StoreInfo, product_ids: Iterable[int]) -> None:
        """Drop these products from the store's index (unknown ids are ignored)."""
        store_id = _store_id(store)
        ids = _valid_ids(product_ids)
        if not ids:
            return

        def work(session: Session, dialect: Any) -> None:
            dialect.lock(session, store_id)
            for chunk in _chunks(ids):
                removed = self._delete_documents(session, dialect, store_id, chunk)
                self._update_vocabulary(session, dialect, store_id, Counter(), removed)

        self._write(store_id, work)

    def clear(self, store: StoreInfo) -> None:
        """Drop the store's whole index."""
        store_id = _store_id(store)

        def work(session: Session, dialect: Any) -> None:
            dialect.lock(session, store_id)
            for table in ("search_facets", "search_texts", "search_documents", "search_terms"):
                session.execute(text(f"DELETE FROM {table} WHERE tenant_id = :t"),
                                {"t": store_id})
            dialect.clear(session, store_id)

        self._write(store_id, work)

    def _delete_documents(self, session: Session, dialect: Any, store_id: int,
                          product_ids: Sequence[int]) -> Counter[str]:
        """Delete these products' rows; returns the words they had (one per product)."""
        words: Counter[str] = Counter()
        rows = dialect.delete_documents(session, store_id,
                                        [doc_id(store_id, p) for p in product_ids])
        for row in rows:
            words.update(_row_terms(*row))
        return words

    def _update_vocabulary(self, session: Session, dialect: Any, store_id: int,
                           gained: Counter[str], lost: Counter[str]) -> None:
        """Add ``gained`` to and take ``lost`` from each word's count of documents."""
        new_terms: list[str] = []
        if gained and dialect.keeps_grams:
            existing: set[str] = set()
            for chunk in _chunks(sorted(gained)):
                existing.update(session.scalars(_expanding(
                    "SELECT term FROM search_terms WHERE tenant_id = :t AND term IN :terms",
                    "terms"), {"t": store_id, "terms": list(chunk)}))
            new_terms = [t for t in gained if t not in existing]
        deltas = sorted([*gained.items(), *((term, -count) for term, count in lost.items())])
        if deltas:
            dialect.add_to_vocabulary(session, store_id, deltas)
        gone: list[str] = []
        for chunk in _chunks(sorted(lost)):
            gone.extend(session.scalars(_expanding(
                "DELETE FROM search_terms WHERE tenant_id = :t AND term IN :terms "
                "AND docs <= 0 RETURNING term", "terms"), {"t": store_id, "terms": list(chunk)}))
        if dialect.keeps_grams:
            gone_set = set(gone)
            dialect.add_grams(session, store_id, [t for t in new_terms if t not in gone_set])
            dialect.drop_grams(session, store_id, gone)

    # ---------------------------------------------------------------- reads

    def query(self, store: StoreInfo, query: SearchQuery) -> SearchResults:
        store_id = _store_id(store)
        session = db.session
        dialect = self._dialect(session)
        typed = query.text or ""
        words = T.words(typed)[: T.MAX_QUERY_WORDS]
        plan = self._plan(session, store_id, words, prefix=not typed[-1:].isspace())
        facets = tuple(f for f in SEARCH_FACETS if f in set(query.facets or ()))
        filters = Filters.parse(query.filters or {})
        per_page = max(1, min(int(query.per_page), MAX_PER_PAGE))
        page = max(1, int(query.page))
        sort = query.sort if query.sort in ORDERS else "relevance"
        if sort == "relevance" and not words:
            sort = "newest"

        suggestion = plan.text() if plan.corrected else None
        hits: list[SearchHit] = []
        total = 0
        counts: dict[str, dict[str, int]] = {f: {} for f in facets}
        if plan.matchable:
            match = (dialect.match_sql(plan.groups, ranked=sort == "relevance") if words
                     else dialect.browse_sql())
            hits, total, counts = self._run(session, dialect, store_id, match, plan, filters,
                                            facets, sort, per_page, (page - 1) * per_page,
                                            getattr(store, "currency", "USD"))
        if total == 0 and len(words) > 1:
            suggestion = self._guidance(session, dialect, store_id, plan, filters) or suggestion
        if suggestion == " ".join(words):
            suggestion = None
        return SearchResults(hits=tuple(hits), total=total, facets=counts,
                             suggestion=suggestion)

    def suggest(self, store: StoreInfo, text_: str, limit: int = 8) -> Sequence[SearchHit]:
        """Search-as-you-type: the best few products for what has been typed so far."""
        store_id = _store_id(store)
        typed = text_ or ""
        words = T.words(typed)[: T.MAX_QUERY_WORDS]
        limit = max(1, min(int(limit or 8), MAX_PER_PAGE))
        if not words:
            return []
        session = db.session
        dialect = self._dialect(session)
        plan = self._plan(session, store_id, words, prefix=not typed[-1:].isspace())
        if not plan.matchable:
            return []
        match = dialect.match_sql(plan.groups, ranked=True)
        order = ORDERS["relevance"]
        sql = (f"WITH m AS ({match.sql}) "
               "SELECT x.id, x.handle, x.title, p.product_id FROM "
               f"(SELECT * FROM m ORDER BY {order} LIMIT :limit) p "
               f"JOIN search_texts x ON x.id = p.id ORDER BY {order.replace('m.', 'p.')}")
        with dialect.planned(session):
            rows = session.execute(text(sql), {**match.params, "t": store_id,
                                               **doc_range(store_id), "limit": limit}).all()
        matched = plan.matched_terms
        return [SearchHit(product_id=r.product_id, handle=r.handle, title=r.title,
                          highlighted_title=T.highlight(r.title, matched))
                for r in rows]

    # ------------------------------------------------------------ planning

    def _plan(self, session: Session, store_id: int, words: list[str], *,
              prefix: bool) -> Plan:
        plan = Plan([Word(w) for w in words])
        if not words:
            return plan
        dialect = self._dialect(session)
        # One round trip: which words the store has, and the completions of the last.
        sql = ("SELECT 0 AS completion, term FROM search_terms "
               "WHERE tenant_id = :t AND term IN :terms")
        params: dict[str, Any] = {"t": store_id, "terms": sorted(set(words))}
        if prefix:
            sql += (" UNION ALL SELECT 1, term FROM (SELECT term FROM search_terms "
                    "WHERE tenant_id = :t AND term > :low AND term < :high "
                    "ORDER BY docs DESC, term LIMIT :n) longer")
            params |= {"low": words[-1], "high": T.successor(words[-1]),
                       "n": PREFIX_EXPANSIONS}
        rows = session.execute(_expanding(sql, "terms"), params).all()
        known = {row.term for row in rows if not row.completion}
        longer = [row.term for row in rows if row.completion]
        for index, item in enumerate(plan.words):
            last = prefix and index == len(plan.words) - 1
            if item.word in known:
                item.terms.append(item.word)
                item.kind = "exact"
            if last:
                item.terms.extend(longer)
                if longer and item.kind == "none":
                    item.kind = "prefix"
            typos = T.max_typos(item.word)
            if item.terms or not typos:
                continue
            ranked = []
            for term, docs in dialect.candidates(session, store_id, item.word, typos, last):
                found = T.distance(item.word, term, typos)
                if last:
                    found = min(found, T.prefix_distance(item.word, term, typos))
                if found <= typos:
                    ranked.append((found, -docs, term))
            if ranked:
                ranked.sort()
                item.terms = [term for found, _, term in ranked
                              if found == ranked[0][0]][:TYPO_EXPANSIONS]
                item.kind = "typo"
                item.correction = item.terms[0]
        return plan

    # ------------------------------------------------------------- running

    def _run(self, session: Session, dialect: Any, store_id: int, match: MatchSql,
             plan: Plan, filters: Filters, facets: tuple[str, ...], sort: str, limit: int,
             offset: int, currency: str
             ) -> tuple[list[SearchHit], int, dict[str, dict[str, int]]]:
        where, params, lists = filters.sql()
        order = ORDERS[sort]
        ctes = [f"m AS MATERIALIZED ({match.sql}{where})"]
        parts = [
            f"SELECT 'h' AS part, row_number() OVER (ORDER BY {order.replace('m.', 'p.')}) "
            "AS k, p.product_id AS n, x.handle AS a, x.title AS b, x.description AS c "
            f"FROM (SELECT * FROM m ORDER BY {order} LIMIT :limit OFFSET :offset) p "
            "JOIN search_texts x ON x.id = p.id",
            "SELECT 'n', 0, count(*), NULL, NULL, NULL FROM m",
        ]
        buckets = price_buckets(currency)
        if facets:
            ctes.append(
                f"s AS MATERIALIZED (SELECT * FROM m WHERE {SAMPLE_HASH} % (SELECT CASE "
                f"WHEN count(*) > {FACET_SAMPLE} THEN (count(*) + {FACET_SAMPLE - 1}) / "
                f"{FACET_SAMPLE} ELSE 1 END FROM m) = 0)")
            parts.append("SELECT 'ns', 0, count(*), NULL, NULL, NULL FROM s")
            kinds = [k for name, k in (("collection", "c"), ("tags", "t")) if name in facets]
            if kinds:
                listed = ", ".join(f"'{kind}'" for kind in kinds)
                parts.append(
                    "SELECT f.kind, 0, count(*), f.value, NULL, NULL FROM s "
                    f"{dialect.join} search_facets f ON f.tenant_id = :t AND f.doc_id = s.id "
                    f"WHERE f.kind IN ({listed}) GROUP BY f.kind, f.value")
            if "price" in facets:
                cases = " ".join(f"WHEN s.price < {int(high)} THEN '{index}'"
                                 for index, (_, _, high) in enumerate(buckets)
                                 if high is not None)
                parts.append(f"SELECT 'p', 0, count(*), CASE {cases} "
                             f"ELSE '{len(buckets) - 1}' END, NULL, NULL FROM s GROUP BY 4")
            if "in_stock" in facets:
                parts.append("SELECT 's', 0, count(*), CASE WHEN s.in_stock THEN 'true' "
                             "ELSE 'false' END, NULL, NULL FROM s GROUP BY 4")
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
        statement = text(sql).bindparams(*(bindparam(n, expanding=True) for n in lists))
        with dialect.planned(session) if plan.words else nullcontext():
            rows = session.execute(statement, {
                **match.params, **params, "t": store_id, **doc_range(store_id),
                "limit": limit, "offset": offset}).all()

        total = sampled = 0
        found: list[Any] = []
        raw: dict[str, dict[str, int]] = {f: {} for f in facets}
        names = {"c": "collection", "t": "tags", "p": "price", "s": "in_stock"}
        for row in rows:
            if row.part == "h":
                found.append(row)
            elif row.part == "n":
                total = int(row.n)
            elif row.part == "ns":
                sampled = int(row.n)
            elif row.part in names and row.n:
                key = buckets[int(row.a)][0] if row.part == "p" else row.a
                raw[names[row.part]][key] = int(row.n)
        counts = {name: _facet_counts(name, values, total, sampled, buckets)
                  for name, values in raw.items()}
        matched = plan.matched_terms
        hits = [SearchHit(product_id=row.n, handle=row.a, title=row.b,
                          highlighted_title=T.highlight(row.b, matched),
                          snippet=T.snippet(row.c or "", matched))
                for row in sorted(found, key=lambda row: row.k)]
        return hits, total, counts

    def _count(self, session: Session, dialect: Any, store_id: int, groups: list[list[str]],
               filters: Filters) -> int:
        match = dialect.match_sql(groups, ranked=False)
        where, params, lists = filters.sql()
        sql = f"SELECT count(*) FROM ({match.sql}{where}) m"
        with dialect.planned(session):
            return int(session.execute(
                text(sql).bindparams(*(bindparam(n, expanding=True) for n in lists)),
                {**match.params, **params, "t": store_id, **doc_range(store_id)}).scalar() or 0)

    def _guidance(self, session: Session, dialect: Any, store_id: int, plan: Plan,
                  filters: Filters) -> str | None:
        """With no results: the query without the words that match nothing, or without
        its last word, when that finds something."""
        kept = [w for w in plan.words if w.terms]
        words = kept if 0 < len(kept) < len(plan.words) else plan.words[:-1]
        if words and all(w.terms for w in words) and self._count(
                session, dialect, store_id, [w.terms for w in words], filters):
            return Plan(list(words)).text()
        return None


def _facet_counts(name: str, values: dict[str, int], total: int, sampled: int,
                  buckets: Sequence[tuple[str, int, int | None]]) -> dict[str, int]:
    """Counts scaled up from the sample (exact when the sample is everything), ordered:
    price buckets by price, other facets most frequent first."""
    if sampled and sampled < total:
        values = {key: max(1, round(count * total / sampled)) for key, count in values.items()}
    if name == "price":
        return {key: values[key] for key, _, _ in buckets if key in values}
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return dict(ordered[:MAX_FACET_VALUES])
