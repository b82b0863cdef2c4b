"""Haat's embedded product search: no server, inside the app's own database.

Public API
----------

``EmbeddedSearch()``
    The :class:`core.sdk.SearchBackend` (``core.sdk.embedded_search_backend()`` returns
    one). Stateless; call it inside an app context, in any tenant scope or none: every
    statement names the store it was given. ``index(store, products)`` adds or replaces
    products (an inactive snapshot removes its product), ``remove(store, ids)``,
    ``clear(store)``, ``query(store, SearchQuery) -> SearchResults`` and
    ``suggest(store, text, limit=8) -> [SearchHit]``. The three writing methods commit
    the session (the change is stored when they return, as with a search server).
``core.search.text``
    ``words``/``fold`` (how text becomes searchable words), ``distance``,
    ``highlight``/``snippet`` (escaped HTML with ``<mark>``).
``include_object`` / ``is_engine_table`` / ``ENGINE_TABLES``
    For Alembic (``migrations/env.py``) and the schema tests: the engine's
    database-specific objects are not in the models.
``SearchDocument``, ``SearchText``, ``SearchFacet``, ``SearchTerm``
    The common tables (``core/search/schema.py``), mapped only for the schema rules.

What it does, on both databases
-------------------------------

* **Indexed**: every active product's title, description (plain text), collection
  titles and handles (handles are the facet values), tags, SKU and variant SKUs
  (``DC-001`` is also found as ``dc001``), variant options (``M / Indigo``), price,
  stock state, rating (only with reviews) and creation date.
* **Words** are split and folded in Python, identically for both databases:
  letters, digits and combining marks make words, so Bengali vowel signs stay in
  their word; NFC, Unicode case folding (Armenian too), Bengali digits as ASCII, Latin
  accents removed. No stemming and no stop words (three languages in one store).
* **Typos**: a query word not found as typed is corrected to the store's words within 1
  typo (4–7 characters) or 2 typos (8+); words of 3 or fewer characters and words with
  digits must match as typed. An edit is an inserted, dropped or changed character, or
  two neighbours swapped. Bengali vowel signs count as characters, so ``নকশী`` →
  ``নকশি`` and ``কাথা`` → ``কাঁথা`` are one typo each.
* **Prefixes**: the last word, unless followed by a space, also matches the store's 20
  most frequent words that begin with it (misspelt beginnings too: ``Նարակա`` finds
  ``Նարեկացի``).
* **Matching**: every query word (or one of its corrections/completions) must be in the
  product. With no words at all, ``query`` lists the store's products (newest first).
* **Relevance** (Meilisearch's attribute rule, not TF-IDF): products with every word in
  the title, then every word in the title or keywords (collections, tags, SKUs,
  options), then the rest; then the best rated; then the newest. ``price-asc``,
  ``price-desc`` and ``newest`` sort by that and then relevance.
* **Facets**: ``collection`` (handle), ``tags``, ``price`` (keys of
  ``core.sdk.price_buckets(store.currency)``, listed in price order) and ``in_stock``
  (``"true"``/``"false"``), counted over the filtered matches; values with no match are
  left out, at most 100 values per facet (the most frequent). Exact up to 2,000 matches;
  beyond that estimated from a sample of about 2,000 matches (picked by a hash of the
  product id) scaled to the total, as Algolia does. ``total`` is always exact.
* **Filters**: ``collection``, ``tags`` and ``price`` take a value or a list (any of
  them); ``in_stock`` a truth value. Unknown filters are ignored; an unknown price key
  matches nothing.
* **Highlights**: ``highlighted_title`` and ``snippet`` (about 30 words around the first
  match in the description's first 2,000 characters, with "…" where cut) are the text
  HTML-escaped with every matching word in ``<mark>``.
* **Did you mean**: ``suggestion`` is the query with its misspelt words corrected.
  When nothing matches, it is the query without the words that match nothing (or
  without its last word) if that finds something.
* **Isolation**: documents, facets, vocabulary and typo candidates are all keyed by the
  store, and every statement has the store's id; document ids are
  ``store id << 32 | product id``. Deleting a store deletes its rows (``tenant_id``
  foreign keys with ``ON DELETE CASCADE``, and ``tenant_owned_tables()``).
* **Writes** replace a product's rows (idempotent: indexing twice changes nothing) and
  keep each store's vocabulary counted, so removed words stop being suggested.

What differs between SQLite and PostgreSQL
------------------------------------------

* **Full-text index.** SQLite: FTS5 (``search_fts``, external content on
  ``search_texts``, the ``unicode61`` tokenizer with combining marks as word
  characters), each match bounded to the store's rowid range. PostgreSQL: a tsvector
  ``tsv`` on ``search_documents`` with a GIN index on ``(tenant_id, tsv)``
  (``btree_gin``); words go in and are queried verbatim (tsvector/tsquery literals), so
  no text-search parser, dictionary or locale changes them.
* **Title/keyword rank.** SQLite: FTS5 column filters. PostgreSQL: a second, weighted
  tsvector ``head`` (title A, keywords B).
* **Typo candidates.** SQLite: ``search_grams``, the bigrams of each store's words, with
  a count filter that loses no candidate, then the edit distance. PostgreSQL: every
  one-typo variant of the word looked up by primary key (exact; it is all that words
  of 4–7 characters get), plus ``pg_trgm`` through a GIN trigram index on
  ``(tenant_id, term)`` for 2-typo words and misspelt beginnings, then the edit
  distance. A trigram threshold can miss two typos far apart in an 8–9 letter word
  that SQLite finds.
* **Locale.** pg_trgm classifies letters by the database's ``LC_CTYPE``; under ``C`` it
  sees no Bengali or Armenian letters, and those words lose two-typo and
  misspelt-beginning corrections (one typo, exact and prefix matching still work). Use
  a UTF-8 ``LC_CTYPE`` (``C.UTF-8``, ``en_US.UTF-8``); the engine logs a warning
  otherwise. SQLite has no such dependency.
* **Extensions.** SQLite: none (FTS5 is built into Python's SQLite). PostgreSQL:
  ``pg_trgm`` and ``btree_gin``, created by the migration if missing. Both are
  "trusted" from PostgreSQL 13, so the database owner may create them; otherwise a
  superuser must run ``CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gin;`` in the
  database before ``haat db upgrade``.
* **Query plans.** SQLite's join order is fixed by the SQL (``CROSS JOIN``). On
  PostgreSQL the engine sets ``enable_seqscan=off``, ``random_page_cost=1.1`` and
  ``jit=off`` around its match statements (transaction-local, restored afterwards):
  otherwise, for a word in a sixth of a large store, the planner reads the whole table
  instead of the GIN index and takes several times longer.
* **Concurrent writes** of one store: SQLite has one writer at a time anyway;
  PostgreSQL takes a per-store advisory lock for the transaction.
* **Store ids** are bound as ``CAST(:t AS integer)`` in PostgreSQL's GIN lookups:
  psycopg sends small ints as ``smallint`` and ``btree_gin`` has no cross-type
  operators, so the index would otherwise not be searched by store at all.

Results, ranking, facets and suggestions are otherwise the same on both (the test suite
runs unchanged on each).

Limits
------

A query uses its first 10 words, words are cut at 64 characters, the first 20,000
characters of a description are indexed and 5,000 kept for snippets, facet values at
255 characters. ``per_page`` is at most 100. There is no transliteration (``narekatsi``
does not find ``Նարեկացի``), no synonyms and no stemming.
"""

from core.search.embedded import EmbeddedSearch
from core.search.schema import (
    ENGINE_TABLES,
    SearchDocument,
    SearchFacet,
    SearchTerm,
    SearchText,
    include_object,
    is_engine_table,
)

__all__ = [
    "ENGINE_TABLES",
    "EmbeddedSearch",
    "SearchDocument",
    "SearchFacet",
    "SearchTerm",
    "SearchText",
    "include_object",
    "is_engine_table",
]
