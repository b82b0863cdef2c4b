"""The PostgreSQL side of the embedded engine: full-text search and ``pg_trgm``.

Each document has two tsvectors built here, in Python, from the already folded words:
``tsv`` (every word, no positions: only for matching) and ``head`` (the title's words
with weight A, the keywords' with weight B: for the rank). Queries are tsquery literals
of the same words, so PostgreSQL's parser, dictionaries and locale never change a word:
Bengali and Armenian are indexed exactly as on SQLite. The GIN index is on
``(tenant_id, tsv)`` (``btree_gin``), so a match reads only the store's part. The
``facets`` array (``c<handle>``, ``t<tag>``) is counted with ``unnest``.

Typo candidates come from the vocabulary with ``pg_trgm``: ``term % word`` (trigram
similarity at least 0.2 for one typo, 0.15 for two) or ``word <% term`` for the word
being typed (word similarity 0.3 / 0.25), through a GIN index on ``(tenant_id, term)``;
the real edit distance is then checked in Python. Unlike SQLite's bigram count filter,
a similarity threshold can miss a candidate that is within the allowed typos (very short
words with a changed middle letter, or two typos far apart), and pg_trgm reads letters
by the database's ``LC_CTYPE``: under ``C`` it sees no Bengali or Armenian letters, so
those words get no typo correction (exact and prefix matching still work).
"""

# SQL here is assembled from constants and integers only; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.search.common import CANDIDATES, DOC_COLUMNS, MatchSql

log = logging.getLogger(__name__)

#: Namespace of the per-store advisory lock taken by writes.
LOCK_NAMESPACE = 0x5EA2
#: Positions PostgreSQL keeps.
MAX_POSITION = 16383
SIMILARITY = {1: 0.2, 2: 0.15}
WORD_SIMILARITY = {1: 0.3, 2: 0.25}


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
        for row in rows:
            row["tsv"] = words_literal(row["title_terms"], row["keyword_terms"],
                                       row["body_terms"])
            row["head"] = head_literal(row["title_terms"], row["keyword_terms"])
            row["facets"] = ([f"c{v}" for v in row["_collections"]]
                             + [f"t{v}" for v in row["_tags"]])
        session.execute(text(
            "INSERT INTO search_documents (id, tenant_id, product_id, price, in_stock, "
            "rating, review_count, created, tsv, head, facets) VALUES (:id, :tenant_id, "
            ":product_id, :price, :in_stock, :rating, :review_count, :created, "
            "CAST(:tsv AS tsvector), CAST(:head AS tsvector), :facets)"), rows)
        session.execute(text(
            "INSERT INTO search_texts (id, tenant_id, handle, title, description, "
            "title_terms, keyword_terms, body_terms) VALUES (:id, :tenant_id, :handle, "
            ":title, :description, :title_terms, :keyword_terms, :body_terms)"), rows)

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
        self._check_ctype(session)
        if prefix:
            session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', "
                                 ":v, true)"), {"v": str(WORD_SIMILARITY[typos])})
            sql = ("SELECT term, docs FROM search_terms WHERE tenant_id = :t "
                   "AND :w <% term AND chars >= :low "
                   "ORDER BY word_similarity(:w, term) DESC, docs DESC LIMIT :n")
        else:
            session.execute(text("SELECT set_config('pg_trgm.similarity_threshold', "
                                 ":v, true)"), {"v": str(SIMILARITY[typos])})
            sql = ("SELECT term, docs FROM search_terms WHERE tenant_id = :t "
                   "AND term % :w AND chars BETWEEN :low AND :high "
                   "ORDER BY similarity(term, :w) DESC, docs DESC LIMIT :n")
        rows = session.execute(text(sql), {
            "t": store_id, "w": word, "low": max(1, len(word) - typos),
            "high": len(word) + typos, "n": CANDIDATES}).all()
        return [(row.term, row.docs) for row in rows]

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
            f"SELECT {DOC_COLUMNS}, d.facets, {score} AS score FROM search_documents d "
            "WHERE d.tenant_id = :t AND d.tsv @@ CAST(:match AS tsquery)", params)

    def browse_sql(self) -> MatchSql:
        return MatchSql(f"SELECT {DOC_COLUMNS}, d.facets, 0 AS score "
                        "FROM search_documents d WHERE d.tenant_id = :t")

    def facet_sql(self, kinds: Sequence[str]) -> str:
        """Collection/tag counts over the sample ``s``: (kind, 0, count, value, ...)."""
        listed = ", ".join(f"'{kind}'" for kind in kinds)
        return ("SELECT left(u.v, 1), 0, count(*), substr(u.v, 2), NULL, NULL FROM s "
                "CROSS JOIN LATERAL unnest(s.facets) AS u(v) "
                f"WHERE left(u.v, 1) IN ({listed}) GROUP BY left(u.v, 1), substr(u.v, 2)")
