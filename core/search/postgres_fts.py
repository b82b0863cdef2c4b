"""The PostgreSQL side of the embedded engine: full-text search and ``pg_trgm``.

Each document has two tsvectors built here, in Python, from the already folded words:
``tsv`` (every word, no positions: only for matching) and ``head`` (the title's words
with weight A, the keywords' with weight B: for the rank). Queries are tsquery literals
of the same words, so PostgreSQL's parser, dictionaries and locale never change a word:
Bengali and Armenian are indexed exactly as on SQLite. The GIN index is on
``(tenant_id, tsv)`` (``btree_gin``), so a match reads only the store's part.

Typo candidates come from the vocabulary in two ways, and the real edit distance is then
checked in Python:

* every string one edit away from the word (letters from the word's own Unicode
  blocks), looked up by primary key: exact and complete for one typo, which is all a
  word of 4–7 characters gets. Trigrams cannot do this: ``slik`` and ``silk`` share one
  trigram of five;
* ``pg_trgm`` through a GIN index on ``(tenant_id, term)``: ``term % word`` (trigram
  similarity at least 0.15) for words of 8+ characters, which may have two typos, and
  ``word <% term`` (word similarity at least 0.3 / 0.25) for the word being typed.

A similarity threshold can miss a term two typos away that SQLite's bigram count filter
would find (two typos far apart in a word of 8–9 letters), and pg_trgm reads letters by
the database's ``LC_CTYPE``: under ``C`` it sees no Bengali or Armenian letters, so those
words lose two-typo and misspelt-prefix corrections (one typo, exact and prefix matching
still work).
"""

# SQL here is assembled from constants and integers only; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.search import text as T
from core.search.common import CANDIDATES, DOC_COLUMNS, MatchSql

log = logging.getLogger(__name__)

#: Namespace of the per-store advisory lock taken by writes.
LOCK_NAMESPACE = 0x5EA2
#: Positions PostgreSQL keeps.
MAX_POSITION = 16383
SIMILARITY = {2: 0.15}
#: Longer words with two typos allowed rely on trigrams alone (many, so robust).
ONE_TYPO_LOOKUP = 10
WORD_SIMILARITY = {1: 0.3, 2: 0.25}


# psycopg sends small Python ints as smallint, and btree_gin has no cross-type operators:
# without CAST(:t AS integer) the GIN indexes would not be searched by store at all.


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def words_literal(*texts: str) -> str:
    """A tsvector of the distinct words of ``texts`` (no positions)."""
    seen = dict.fromkeys(word for value in texts for word in value.split())
    return " ".join(map(_quote, seen))


def head_literal(title_terms: str, keyword_terms: str) -> str:
    """A tsvector of the title's words (weight A) and the keywords' (weight B)."""
    positions: dict[str, str] = {}
    position = 0
    for weight, words in (("A", title_terms), ("B", keyword_terms)):
        for word in words.split():
            if position >= MAX_POSITION:
                break
            position += 1
            positions.setdefault(word, f"{position}{weight}")
    return " ".join(f"{_quote(word)}:{found}" for word, found in positions.items())


def tsquery_literal(groups: Sequence[Sequence[str]], weights: str = "") -> str:
    suffix = f":{weights}" if weights else ""
    return " & ".join("(" + " | ".join(_quote(t) + suffix for t in terms) + ")"
                      for terms in groups)


class PostgresDialect:
    keeps_grams = False
    join = "JOIN"

    def __init__(self) -> None:
        self._checked_ctype = False

    def lock(self, session: Session, store_id: int) -> None:
        """Writes of one store wait for each other (vocabulary counts stay right)."""
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :t)"),
                        {"ns": LOCK_NAMESPACE, "t": store_id})

    def insert_documents(self, session: Session, rows: list[dict[str, Any]]) -> None:
        """One statement per table for the whole batch (arrays, unnested)."""
        columns: dict[str, list[Any]] = {name: [row[name] for row in rows] for name in (
            "id", "product_id", "price", "in_stock", "rating", "review_count", "created",
            "handle", "title", "description", "title_terms", "keyword_terms", "body_terms")}
        columns["tsv"] = [words_literal(r["title_terms"], r["keyword_terms"], r["body_terms"])
                          for r in rows]
        columns["head"] = [head_literal(r["title_terms"], r["keyword_terms"]) for r in rows]
        store_id = rows[0]["tenant_id"]
        session.execute(text(
            "INSERT INTO search_documents (id, tenant_id, product_id, price, in_stock, "
            "rating, review_count, created, tsv, head) "
            "SELECT u.id, CAST(:t AS integer), u.product_id, u.price, u.in_stock, u.rating, "
            "u.review_count, u.created, CAST(u.tsv AS tsvector), CAST(u.head AS tsvector) "
            "FROM unnest(CAST(:id AS bigint[]), CAST(:product_id AS integer[]), "
            "CAST(:price AS bigint[]), CAST(:in_stock AS boolean[]), "
            "CAST(:rating AS double precision[]), CAST(:review_count AS integer[]), "
            "CAST(:created AS bigint[]), CAST(:tsv AS text[]), CAST(:head AS text[])) "
            "AS u(id, product_id, price, in_stock, rating, review_count, created, tsv, head)"),
            {**columns, "t": store_id})
        session.execute(text(
            "INSERT INTO search_texts (id, tenant_id, handle, title, description, "
            "title_terms, keyword_terms, body_terms) "
            "SELECT u.id, CAST(:t AS integer), u.handle, u.title, u.description, "
            "u.title_terms, u.keyword_terms, u.body_terms "
            "FROM unnest(CAST(:id AS bigint[]), CAST(:handle AS text[]), "
            "CAST(:title AS text[]), CAST(:description AS text[]), "
            "CAST(:title_terms AS text[]), CAST(:keyword_terms AS text[]), "
            "CAST(:body_terms AS text[])) AS u(id, handle, title, description, title_terms, "
            "keyword_terms, body_terms)"), {**columns, "t": store_id})

    def delete_documents(self, session: Session, store_id: int,
                         ids: Sequence[int]) -> list[tuple[str, str, str]]:
        """Delete these documents; returns their (title, keyword, body) words."""
        params = {"t": store_id, "ids": list(ids)}
        rows = session.execute(text(
            "DELETE FROM search_texts WHERE tenant_id = CAST(:t AS integer) "
            "AND id = ANY(CAST(:ids AS bigint[])) "
            "RETURNING title_terms, keyword_terms, body_terms"), params).all()
        for table, column in (("search_documents", "id"), ("search_facets", "doc_id")):
            session.execute(text(f"DELETE FROM {table} WHERE tenant_id = CAST(:t AS integer) "
                                 f"AND {column} = ANY(CAST(:ids AS bigint[]))"), params)
        return [tuple(row) for row in rows]

    def insert_facets(self, session: Session, store_id: int,
                      rows: list[tuple[int, str, str]]) -> None:
        session.execute(text(
            "INSERT INTO search_facets (tenant_id, doc_id, kind, value) "
            "SELECT CAST(:t AS integer), u.d, u.k, u.v FROM unnest(CAST(:d AS bigint[]), "
            "CAST(:k AS text[]), CAST(:v AS text[])) AS u(d, k, v)"),
            {"t": store_id, "d": [r[0] for r in rows], "k": [r[1] for r in rows],
             "v": [r[2] for r in rows]})

    def add_to_vocabulary(self, session: Session, store_id: int,
                          deltas: list[tuple[str, int]]) -> None:
        """Add each delta to its word's count of documents (new words start at 0)."""
        session.execute(text(
            "INSERT INTO search_terms (tenant_id, term, docs, chars) "
            "SELECT CAST(:t AS integer), u.term, u.n, char_length(u.term) "
            "FROM unnest(CAST(:terms AS text[]), CAST(:ns AS integer[])) AS u(term, n) "
            "ON CONFLICT (tenant_id, term) DO UPDATE SET docs = search_terms.docs + excluded.docs"),
            {"t": store_id, "terms": [d[0] for d in deltas], "ns": [d[1] for d in deltas]})

    def clear(self, session: Session, store_id: int) -> None:
        """Nothing beyond the common tables."""

    def add_grams(self, session: Session, store_id: int, terms: Sequence[str]) -> None:
        """pg_trgm indexes the vocabulary itself."""

    def drop_grams(self, session: Session, store_id: int, terms: Sequence[str]) -> None:
        """pg_trgm indexes the vocabulary itself."""

    def _check_ctype(self, session: Session) -> None:
        if self._checked_ctype:
            return
        self._checked_ctype = True
        if not session.execute(text("SELECT cardinality(show_trgm('գիր')) > 0")).scalar():
            log.warning("pg_trgm sees no letters outside ASCII in this database "
                        "(LC_CTYPE is not UTF-8): Bengali and Armenian searches get no "
                        "typo correction")

    def candidates(self, session: Session, store_id: int, word: str, typos: int,
                   prefix: bool) -> list[tuple[str, int]]:
        """Vocabulary words that may be within ``typos`` of ``word`` (or, with
        ``prefix``, start with something within ``typos`` of it), with their counts."""
        found: dict[str, int] = {}
        if typos == 1 or len(word) <= ONE_TYPO_LOOKUP:
            found.update(session.execute(text(
                "SELECT s.term, s.docs FROM unnest(CAST(:near AS text[])) AS v(term) "
                "JOIN search_terms s ON s.tenant_id = CAST(:t AS integer) AND s.term = v.term"),
                {"t": store_id, "near": sorted(T.one_typo_away(word))}).all())
        if typos == 1 and not prefix:
            return list(found.items())
        self._check_ctype(session)
        if prefix:
            session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', "
                                 ":v, true)"), {"v": str(WORD_SIMILARITY[typos])})
            sql = ("SELECT term, docs FROM search_terms WHERE tenant_id = CAST(:t AS integer) "
                   "AND :w <% term AND chars >= :low "
                   "ORDER BY word_similarity(:w, term) DESC, docs DESC LIMIT :n")
        else:
            session.execute(text("SELECT set_config('pg_trgm.similarity_threshold', "
                                 ":v, true)"), {"v": str(SIMILARITY[typos])})
            sql = ("SELECT term, docs FROM search_terms WHERE tenant_id = CAST(:t AS integer) "
                   "AND term % :w AND chars BETWEEN :low AND :high "
                   "ORDER BY similarity(term, :w) DESC, docs DESC LIMIT :n")
        rows = session.execute(text(sql), {
            "t": store_id, "w": word, "low": max(1, len(word) - typos),
            "high": len(word) + typos, "n": CANDIDATES}).all()
        found.update((row.term, row.docs) for row in rows)
        return list(found.items())

    @contextmanager
    def planned(self, session: Session) -> Iterator[None]:
        """Around a match: through the GIN index, and no JIT.

        For a word in a sixth of a big store the planner prefers reading the whole table,
        or all the store's rows through the ``tenant_id`` b-tree (its cost model does not
        know how slow ``@@`` is on every row): several times slower than the GIN index.
        Random reads priced as on an SSD (the index is in memory), and sequential scans
        off, make it take the GIN index; JIT compiling would cost more than it saves.
        The caller's settings are restored afterwards (and only this transaction's are
        touched).
        """
        names = ("enable_seqscan", "random_page_cost", "jit")
        values = ("off", "1.1", "off")
        before = session.execute(text("SELECT " + ", ".join(
            f"current_setting('{name}'), set_config('{name}', '{value}', true)"
            for name, value in zip(names, values, strict=True)))).one()
        yield
        session.execute(text("SELECT " + ", ".join(
            f"set_config('{name}', :{name}, true)" for name in names)),
            {name: before[2 * index] for index, name in enumerate(names)})

    def match_sql(self, groups: Sequence[Sequence[str]], *, ranked: bool) -> MatchSql:
        params = {"match": tsquery_literal(groups)}
        score = "0"
        if ranked:
            # 2: every word in the title; 1: in the title or keywords; 0: elsewhere.
            score = ("(d.head @@ CAST(:match_title AS tsquery))::int "
                     "+ (d.head @@ CAST(:match_head AS tsquery))::int")
            params["match_title"] = tsquery_literal(groups, "A")
            params["match_head"] = tsquery_literal(groups, "AB")
        return MatchSql(
            f"SELECT {DOC_COLUMNS}, {score} AS score FROM search_documents d "
            "WHERE d.tenant_id = CAST(:t AS integer) AND d.tsv @@ CAST(:match AS tsquery)",
            params)

    def browse_sql(self) -> MatchSql:
        return MatchSql(f"SELECT {DOC_COLUMNS}, 0 AS score "
                        "FROM search_documents d WHERE d.tenant_id = :t")

