"""The SQLite side of the embedded engine: FTS5, and bigrams for typo candidates.

``search_fts`` is an external-content FTS5 table over ``search_texts`` (rowid =
document id = ``tenant_id << 32 | product_id``) that triggers keep in step, with the
``unicode61`` tokenizer told that combining marks are word characters (the words
arrive folded already). A match is always bounded to the store's rowid range, which
FTS5 uses to seek inside each word's document list, so other stores' documents are
not even read. The rank (see :mod:`core.search.embedded`) asks FTS5 the same question
restricted to the title column, and to the title and keyword columns.

Typo candidates come from ``search_grams``: the bigrams of each vocabulary word of 3+
letters, with its length. A word ``w`` within ``k`` typos of a term shares at least
``|bigrams(w)| - 3k`` of its distinct bigrams (one edit destroys at most three), and the
lengths differ by at most ``k``; the terms passing that count filter are checked with
the real edit distance in Python. The filter loses no candidate.
"""

# SQL here is assembled from constants and integers only; every value is bound.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from core.search import text as T
from core.search.common import CANDIDATES, DOC_COLUMNS, MatchSql, fuzzy_term


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _expression(groups: Sequence[Sequence[str]]) -> str:
    return " AND ".join("(" + " OR ".join(map(_phrase, terms)) + ")" for terms in groups)


class SqliteDialect:
    keeps_grams = True
    #: Join keyword that makes SQLite keep the written order (matches first).
    join = "CROSS JOIN"

    def lock(self, session: Session, store_id: int) -> None:
        """SQLite has one writer at a time; the first DELETE takes the write lock."""

    def insert_documents(self, session: Session, rows: list[dict[str, Any]]) -> None:
        session.execute(text(
            "INSERT INTO search_documents (id, tenant_id, product_id, price, in_stock, "
            "rating, review_count, created) VALUES (:id, :tenant_id, :product_id, :price, "
            ":in_stock, :rating, :review_count, :created)"), rows)
        session.execute(text(
            "INSERT INTO search_texts (id, tenant_id, handle, title, description, "
            "title_terms, keyword_terms, body_terms) VALUES (:id, :tenant_id, :handle, "
            ":title, :description, :title_terms, :keyword_terms, :body_terms)"), rows)

    def clear(self, session: Session, store_id: int) -> None:
        session.execute(text("DELETE FROM search_grams WHERE tenant_id = :t"), {"t": store_id})

    def add_grams(self, session: Session, store_id: int, terms: Sequence[str]) -> None:
        rows = [{"t": store_id, "g": gram, "c": len(term), "term": term}
                for term in terms if fuzzy_term(term) for gram in T.grams(term)]
        if rows:
            session.execute(text("INSERT OR IGNORE INTO search_grams (tenant_id, gram, chars, "
                                 "term) VALUES (:t, :g, :c, :term)"), rows)

    def drop_grams(self, session: Session, store_id: int, terms: Sequence[str]) -> None:
        rows = [{"t": store_id, "g": gram, "c": len(term), "term": term}
                for term in terms if fuzzy_term(term) for gram in T.grams(term)]
        if rows:
            session.execute(text("DELETE FROM search_grams WHERE tenant_id = :t AND gram = :g "
                                 "AND chars = :c AND term = :term"), rows)

    def candidates(self, session: Session, store_id: int, word: str, typos: int,
                   prefix: bool) -> list[tuple[str, int]]:
        """Vocabulary words that may be within ``typos`` of ``word`` (or, with
        ``prefix``, start with something within ``typos`` of it), with their counts."""
        wanted = T.prefix_grams(word) if prefix else T.grams(word)
        need = max(1, len(wanted) - 3 * typos)
        high = 10**6 if prefix else len(word) + typos
        rows = session.execute(text(
            "SELECT c.term, s.docs FROM (SELECT term, count(*) AS shared FROM search_grams "
            "WHERE tenant_id = :t AND gram IN :grams AND chars BETWEEN :low AND :high "
            "GROUP BY term HAVING count(*) >= :need) c "
            "JOIN search_terms s ON s.tenant_id = :t AND s.term = c.term "
            "ORDER BY c.shared DESC, s.docs DESC LIMIT :n"
        ).bindparams(bindparam("grams", expanding=True)), {
            "t": store_id, "grams": sorted(wanted), "low": max(1, len(word) - typos),
            "high": high, "need": need, "n": CANDIDATES}).all()
        return [(row.term, row.docs) for row in rows]

    def match_sql(self, groups: Sequence[Sequence[str]], *, ranked: bool) -> MatchSql:
        expression = _expression(groups)
        params = {"match": expression}
        score = "0"
        if ranked:
            # 2: every word in the title; 1: in the title or keywords; 0: elsewhere.
            score = " + ".join(
                f"(search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts "
                f"MATCH :{name} AND rowid BETWEEN :lo AND :hi))"
                for name in ("match_title", "match_head"))
            params["match_title"] = "{title_terms}: (" + expression + ")"
            params["match_head"] = "{title_terms keyword_terms}: (" + expression + ")"
        return MatchSql(
            f"SELECT {DOC_COLUMNS}, {score} AS score "
            "FROM search_fts CROSS JOIN search_documents d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH :match AND search_fts.rowid BETWEEN :lo AND :hi "
            "AND d.tenant_id = :t", params)

    def browse_sql(self) -> MatchSql:
        return MatchSql(f"SELECT {DOC_COLUMNS}, 0 AS score FROM search_documents d "
                        "WHERE d.tenant_id = :t")

    def facet_sql(self, kinds: Sequence[str]) -> str:
        """Collection/tag counts over the sample ``s``: (kind, 0, count, value, ...)."""
        listed = ", ".join(f"'{kind}'" for kind in kinds)
        return ("SELECT f.kind, 0, count(*), f.value, NULL, NULL FROM s "
                "CROSS JOIN search_facets f ON f.tenant_id = :t AND f.doc_id = s.id "
                f"WHERE f.kind IN ({listed}) GROUP BY f.kind, f.value")
