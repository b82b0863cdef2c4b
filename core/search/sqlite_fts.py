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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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

    def delete_documents(self, session: Session, store_id: int,
                         ids: Sequence[int]) -> list[tuple[str, str, str]]:
        """Delete these documents; returns their (title, keyword, body) words."""
        params = {"t": store_id, "ids": list(ids)}
        rows = session.execute(text(
            "DELETE FROM search_texts WHERE tenant_id = :t AND id IN :ids "
            "RETURNING title_terms, keyword_terms, body_terms"
        ).bindparams(bindparam("ids", expanding=True)), params).all()
        for table, column in (("search_documents", "id"), ("search_facets", "doc_id")):
            session.execute(text(f"DELETE FROM {table} WHERE tenant_id = :t AND {column} IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), params)
        return [tuple(row) for row in rows]

    def insert_facets(self, session: Session, store_id: int,
                      rows: list[tuple[int, str, str]]) -> None:
        session.execute(text("INSERT INTO search_facets (tenant_id, doc_id, kind, value) "
                             "VALUES (:t, :d, :k, :v)"),
                        [{"t": store_id, "d": d, "k": k, "v": v} for d, k, v in rows])

    def add_to_vocabulary(self, session: Session, store_id: int,
                          deltas: list[tuple[str, int]]) -> None:
        """Add each delta to its word's count of documents (new words start at 0)."""
        session.execute(text(
            "INSERT INTO search_terms (tenant_id, term, docs, chars) VALUES (:t, :term, :n, :c) "
            "ON CONFLICT (tenant_id, term) DO UPDATE SET docs = search_terms.docs + excluded.docs"),
            [{"t": store_id, "term": term, "n": n, "c": len(term)} for term, n in deltas])

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

    @contextmanager
    def planned(self, session: Session) -> Iterator[None]:
        """Around a match: nothing to adjust (the SQL fixes the join order)."""
        yield

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

