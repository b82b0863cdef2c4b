"""The embedded engine's tables (migration ``0005_search_index``).

Four tables are common to both databases and are declared here, so that SQLAlchemy's
metadata (store deletion, the test clean-up, Alembic) sees them:

``search_documents``
    one narrow row per searchable (active) product: ``id`` is
    ``tenant_id << 32 | product_id``, and the values to filter, sort and count by.
``search_texts``
    the same ``id`` (on SQLite, the rowid the FTS5 index refers to): the text to show
    (``handle``, ``title``, ``description``) and the folded words to search
    (``title_terms``; ``keyword_terms``: collections, tags, SKUs and variant options;
    ``body_terms``: the description). Apart, so that the rows read for every match
    stay small.
``search_facets``
    ``(doc_id, kind, value)``: the collections (kind ``c``, by handle) and tags
    (kind ``t``) of each document.
``search_terms``
    each store's vocabulary: every distinct folded word with the number of documents
    that contain it. Typo correction, "did you mean" and prefix expansion look here.

The migration adds what only one database has, and Alembic must not see as drift
(:func:`include_object`): on SQLite the FTS5 table ``search_fts`` (and its shadow
tables) kept in step with ``search_texts`` by triggers, and ``search_grams`` (bigrams
of the vocabulary, the typo-candidate index); on PostgreSQL the ``tsv`` (every word) and
``head`` (title and keyword words, weighted) columns of ``search_documents`` and the GIN
indexes (``btree_gin`` + ``pg_trgm``).

The classes are mapped only so that the schema rules (``TenantOwned`` for every table
with a ``tenant_id``) hold; the engine reads and writes them with Core SQL that always
names the store, never through the ORM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from tenants.models import TenantOwned

#: Tables and shadow tables that only one database has (see the module docstring).
ENGINE_TABLES = frozenset({
    "search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize",
    "search_fts_config", "search_fts_content", "search_grams",
})
#: PostgreSQL-only indexes and columns.
ENGINE_INDEXES = frozenset({"ix_search_documents_tenant_id_tsv",
                            "ix_search_terms_tenant_id_term_trgm"})
ENGINE_COLUMNS = frozenset({("search_documents", "tsv"), ("search_documents", "head")})


def is_engine_table(name: str) -> bool:
    """True for the engine's database-specific tables (not in the metadata)."""
    return name in ENGINE_TABLES


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """An Alembic ``include_object`` hook that hides the engine's database-specific
    objects from autogenerate and ``compare_metadata``."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return not is_engine_table(name or "")
    if type_ == "index":
        return name not in ENGINE_INDEXES
    if type_ == "column":
        return (getattr(obj.table, "name", None), name) not in ENGINE_COLUMNS
    return True


class SearchDocument(TenantOwned, db.Model):
    """What filters, sorting and facet counts read for every match: kept narrow."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("tenant_id", "product_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(BigInteger)
    in_stock: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(BigInteger)  # microseconds since 1970, UTC


class SearchText(TenantOwned, db.Model):
    """The words of a document (same ``id``) and the text shown in results."""

    __tablename__ = "search_texts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=False)
    handle: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    title_terms: Mapped[str] = mapped_column(Text)
    keyword_terms: Mapped[str] = mapped_column(Text)
    body_terms: Mapped[str] = mapped_column(Text)


class SearchFacet(TenantOwned, db.Model):
    """A collection (kind ``c``) or tag (kind ``t``) of an indexed product."""

    __tablename__ = "search_facets"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "doc_id", "kind", "value"),
                      Index(None, "tenant_id", "kind", "value", "doc_id"),
                      {"sqlite_with_rowid": False})

    doc_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(1))
    value: Mapped[str] = mapped_column(String(255))


class SearchTerm(TenantOwned, db.Model):
    """A word of a store's vocabulary and how many of its documents contain it."""

    __tablename__ = "search_terms"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "term"), {"sqlite_with_rowid": False})

    # Code-point order on PostgreSQL too, so that a prefix is a range of the key.
    term: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"))
    docs: Mapped[int] = mapped_column(Integer)
    chars: Mapped[int] = mapped_column(Integer)


documents = SearchDocument.__table__
texts = SearchText.__table__
facets = SearchFacet.__table__
vocabulary = SearchTerm.__table__
