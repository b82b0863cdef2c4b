"""Meilisearch search backend: one shared index for every store, filtered by ``tenant_id``.

This follows Meilisearch's advice for multi-tenancy: every store's products live in one
index (``haat_products`` by default), each document carries a filterable ``tenant_id``,
and isolation comes from filters:

* server-side calls (this module) always send ``tenant_id = <store id>`` as its own
  element of the ``filter`` array, so Meilisearch ANDs it with whatever else is asked;
  shopper input is only ever a quoted, escaped string value (:func:`quote`), never
  filter syntax;
* a browser that talks to Meilisearch directly gets a *tenant token*
  (:meth:`MeilisearchBackend.tenant_token`): a JWT signed with the **search** API key
  (never the master key) whose search rules carry the same ``tenant_id`` filter.

Documents are keyed ``"<tenant_id>-<product_id>"``. Index settings (searchable,
filterable and sortable attributes, ranking rules, typo tolerance, faceting and
pagination limits) are compared with the server's and updated only when they differ
(:meth:`MeilisearchBackend.ensure_settings`); that also runs lazily before the first
call, so a server that was down at start-up is set up when it comes back.

Writes are asynchronous in Meilisearch: they return a task that the server processes in
order. ``index``/``remove``/``clear`` enqueue and return (``wait=True`` waits for the
tasks and raises if one failed); ``ensure_settings`` and ``reindex`` always wait.

Facets: ``collection``, ``tags`` and ``in_stock`` come from Meilisearch's
``facetDistribution``. ``price`` is counted per bucket of :func:`core.sdk.price_buckets`
with one extra, hit-less query per bucket (``hitsPerPage: 0`` gives an exact
``totalHits``), all sent with the main query in a single ``/multi-search`` request;
``facetStats`` only gives a minimum and a maximum, which cannot count buckets. Facet
counts describe the current result set (every filter applied, as Meilisearch does).

Highlights: Meilisearch inserts its highlight tags into the raw text and escapes
nothing. We ask for random per-request marker strings instead of ``<mark>``, escape the
whole text, then turn the markers into ``<mark>``/``</mark>``: a product called
``<mark><script>`` comes out as text, never as markup.

``suggestion`` is always ``None``: Meilisearch has no "did you mean"; its typo tolerance
already finds ``saree`` for ``sare``.

Every failure (connection refused, timeout, an error response, a failed task) raises
:class:`SearchUnavailable`: the storefront shows a polite message and jobs retry.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import meilisearch
import requests
from markupsafe import escape
from meilisearch.errors import MeilisearchApiError, MeilisearchError, MeilisearchTimeoutError

from core.sdk import (
    ProductSnapshot,
    SearchHit,
    SearchQuery,
    SearchResults,
    StoreInfo,
    price_buckets,
)

__all__ = [
    "INDEX_SETTINGS",
    "MeilisearchBackend",
    "SearchConfigError",
    "SearchUnavailable",
    "document_id",
    "quote",
    "settings_changes",
]

log = logging.getLogger("haat.search.meilisearch")

ACTIVE = "active"
PRIMARY_KEY = "id"
#: Documents sent per request (Meilisearch accepts far more; this keeps requests small).
BATCH = 1000
MAX_PER_PAGE = 100
MAX_SUGGESTIONS = 20
SNIPPET_WORDS = 24
#: ``SearchQuery.facets``/``filters`` names -> document attributes.
FACET_ATTRIBUTES: Mapping[str, str] = {"collection": "collections", "tags": "tags",
                                       "in_stock": "in_stock"}
#: ``SearchQuery.sort`` -> Meilisearch ``sort``.
SORTS: Mapping[str, tuple[str, ...]] = {
    "relevance": (),
    "price-asc": ("price:asc",),
    "price-desc": ("price:desc",),
    "newest": ("created_at:desc",),
}
RETRIEVE = ["tenant_id", "product_id", "handle", "title"]

#: What :meth:`MeilisearchBackend.ensure_settings` makes the index look like.
#: ``sort`` comes right after ``words``: products that match every word come first,
#: and among them a price or date sort is strict (shoppers expect "lowest price" to
#: mean it), while relevance still orders them when no sort is asked for.
INDEX_SETTINGS: Mapping[str, Any] = {
    "searchableAttributes": ["title", "variant_titles", "tags", "collection_titles", "sku",
                             "variant_skus", "description"],
    "filterableAttributes": ["tenant_id", "product_id", "collections", "tags", "in_stock",
                             "price", "status"],
    "sortableAttributes": ["price", "created_at"],
    "rankingRules": ["words", "sort", "typo", "proximity", "attribute", "exactness"],
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
        "disableOnAttributes": ["sku", "variant_skus"],  # SKUs match exactly or not at all
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": 10000},
}
_UNORDERED = {"filterableAttributes", "sortableAttributes", "disableOnAttributes"}
_PRICE_KEY = re.compile(r"(\d{1,18})-(\d{0,18})")


class SearchUnavailable(RuntimeError):
    """Meilisearch could not do what was asked: unreachable, too slow, or it answered
    with an error (``code`` and ``status`` then say which), or a task failed."""

    def __init__(self, message: str, *, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class SearchConfigError(RuntimeError):
    """The backend is configured in a way that would be unsafe (for example, signing
    tenant tokens without a search API key)."""


def quote(value: object) -> str:
    """``value`` as a double-quoted Meilisearch filter string: backslashes and double
    quotes are escaped, so the value can never close the string and add syntax."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def document_id(store_id: int, product_id: int) -> str:
    """The Meilisearch document id of a product: ``"<tenant_id>-<product_id>"``."""
    return f"{int(store_id)}-{int(product_id)}"


def _tenant_filter(store: StoreInfo) -> str:
    return f"tenant_id = {int(store.id)}"


def _price_range(low: int, high: int | None) -> str:
    return f"price >= {int(low)}" + (f" AND price < {int(high)}" if high is not None else "")


def _values(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    return [str(value)]


def _user_filters(filters: Mapping[str, Any]) -> list[str]:
    """``SearchQuery.filters`` as Meilisearch filter expressions (one per key; unknown
    keys and malformed values are ignored)."""
    out: list[str] = []
    for name, value in filters.items():
        if value is None or value == "" or value == ():
            continue
        if name in ("collection", "tags"):
            attribute = FACET_ATTRIBUTES[name]
            values = _values(value)
            if len(values) == 1:
                out.append(f"{attribute} = {quote(values[0])}")
            elif values:
                out.append(f"{attribute} IN [{', '.join(quote(v) for v in values)}]")
        elif name == "in_stock":
            if value is True or str(value).lower() in ("1", "true"):
                out.append("in_stock = true")
        elif name == "price":
            match = _PRICE_KEY.fullmatch(str(value))
            if match:
                out.append(_price_range(int(match[1]), int(match[2]) if match[2] else None))
    return out


def _timestamp(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _document(store: StoreInfo, product: ProductSnapshot) -> dict[str, Any]:
    doc: dict[str, Any] = {
        PRIMARY_KEY: document_id(store.id, product.id),
        "tenant_id": int(store.id),
        "product_id": int(product.id),
        "handle": product.handle,
        "title": product.title,
        "description": product.description or "",
        "sku": product.sku or "",
        "variant_skus": list(product.variant_skus),
        "variant_titles": list(product.variant_titles),
        "tags": list(product.tags),
        "collections": list(product.collections),
        "collection_titles": list(product.collection_titles),
        "price": int(product.price.amount),
        "currency": product.price.currency,
        "in_stock": bool(product.in_stock),
        "status": product.status,
    }
    created = _timestamp(product.created_at)
    if created is not None:
        doc["created_at"] = created
    return doc


def _markers() -> tuple[str, str]:
    """Highlight tags for one request: letters and digits only (escaping leaves them
    alone) with a random part no product text can predict."""
    nonce = secrets.token_hex(8)
    return f"HLS{nonce}Q", f"HLE{nonce}Q"


def _safe_highlight(text: Any, markers: tuple[str, str]) -> str:
    """Meilisearch's formatted text, HTML-escaped, with our markers made ``<mark>``."""
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    pre, post = markers
    html = str(escape("" if text is None else str(text)))
    return html.replace(pre, "<mark>").replace(post, "</mark>")


def _attribute_set(value: Any) -> set[str]:
    """Filterable/sortable attributes as a set of names (Meilisearch 1.14+ may return
    ``{"attributePatterns": [...], ...}`` objects instead of names)."""
    names: set[str] = set()
    for item in value or ():
        if isinstance(item, Mapping):
            names.update(str(p) for p in item.get("attributePatterns") or ())
        else:
            names.add(str(item))
    return names


def _same(key: str, have: Any, want: Any) -> bool:
    if key in _UNORDERED:
        return _attribute_set(have) == _attribute_set(want)
    if isinstance(want, Mapping):
        return isinstance(have, Mapping) and all(_same(k, have.get(k), v)
                                                 for k, v in want.items())
    return bool(have == want)


def settings_changes(current: Mapping[str, Any],
                     wanted: Mapping[str, Any] = INDEX_SETTINGS) -> dict[str, Any]:
    """The part of ``wanted`` that differs from the index's ``current`` settings."""
    return {key: value for key, value in wanted.items()
            if not _same(key, current.get(key), value)}


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class MeilisearchBackend:
    """A :class:`core.sdk.SearchBackend` on Meilisearch.

    ``api_key`` is the key the server side uses (master or an admin key: it writes
    documents and settings). ``search_key`` is only for :meth:`tenant_token`; its uid is
    looked up with ``api_key`` unless ``search_key_uid`` is given. ``timeout`` (seconds)
    bounds every HTTP request; ``task_timeout`` bounds waiting for a task.
    """

    def __init__(self, url: str, api_key: str | None, index_uid: str = "haat_products",
                 search_key: str | None = None, timeout: float = 5.0, *,
                 search_key_uid: str | None = None, task_timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.index_uid = index_uid
        self.search_key = search_key or None
        self.timeout = timeout
        self.task_timeout = task_timeout
        self._search_key_uid = search_key_uid
        self._ready = False
        self._ready_lock = threading.Lock()
        # The client mutates its headers per request: one client per thread.
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"MeilisearchBackend({self.url!r}, index_uid={self.index_uid!r})"

    # ------------------------------------------------------------------ plumbing

    def _client(self) -> meilisearch.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = meilisearch.Client(self.url, self.api_key,
                                        timeout=self.timeout)  # type: ignore[arg-type]
            self._local.client = client
        return client

    def _index(self) -> meilisearch.index.Index:
        return self._client().index(self.index_uid)

    @contextlib.contextmanager
    def _calls(self, action: str) -> Iterator[None]:
        """Turn every client failure into :class:`SearchUnavailable`."""
        try:
            yield
        except SearchUnavailable:
            raise
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                self._ready = False  # somebody deleted it: set it up again next time
            raise SearchUnavailable(
                f"Meilisearch could not {action}: {exc.message} "
                f"(code {exc.code}, HTTP {exc.status_code})",
                code=exc.code, status=exc.status_code) from exc
        except MeilisearchTimeoutError as exc:
            raise SearchUnavailable(f"Meilisearch did not {action} in time: "
                                    f"{exc.message}") from exc
        except MeilisearchError as exc:
            raise SearchUnavailable(f"Meilisearch is unreachable (could not {action}): "
                                    f"{exc.message}") from exc
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            # Odd answers (not JSON, missing fields) from whatever is at that URL.
            raise SearchUnavailable(f"Meilisearch gave an unexpected answer (could not "
                                    f"{action}): {exc}") from exc

    def _wait(self, task_uids: Iterable[int], *, ok_codes: frozenset[str] = frozenset()
              ) -> None:
        """Wait for tasks (processed in order) and raise if one did not succeed."""
        client = self._client()
        for uid in task_uids:
            with self._calls(f"finish task {uid}"):
                task = client.wait_for_task(uid, timeout_in_ms=int(self.task_timeout * 1000),
                                            interval_in_ms=20)
            if task.status == "succeeded":
                continue
            error = task.error or {}
            if error.get("code") in ok_codes:
                continue
            raise SearchUnavailable(
                f"Meilisearch task {uid} ({task.type}) {task.status}: "
                f"{error.get('message', 'no reason given')}", code=error.get("code"))

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if not self._ready:
                self.ensure_settings()

    # ------------------------------------------------------------------ setup

    def ensure_settings(self) -> bool:
        """Create the index if needed and bring its settings to :data:`INDEX_SETTINGS`,
        waiting for the tasks. Only what differs is sent, so calling it again (every
        start-up) enqueues nothing. Returns whether an update was needed."""
        client = self._client()
        with self._calls(f"read index {self.index_uid}"):
            try:
                info: Mapping[str, Any] | None = client.get_raw_index(self.index_uid)
            except MeilisearchApiError as exc:
                if exc.code != "index_not_found":
                    raise
                info = None
        if info is None:
            with self._calls(f"create index {self.index_uid}"):
                task = client.create_index(self.index_uid, {"primaryKey": PRIMARY_KEY})
            self._wait([task.task_uid], ok_codes=frozenset({"index_already_exists"}))
        elif info.get("primaryKey") not in (None, PRIMARY_KEY):
            raise SearchConfigError(
                f"Meilisearch index {self.index_uid!r} has primary key "
                f"{info.get('primaryKey')!r}, not {PRIMARY_KEY!r}; use another index_uid")
        with self._calls(f"read the settings of {self.index_uid}"):
            current = self._index().get_settings()
        changes = settings_changes(current)
        if changes:
            log.info("updating Meilisearch settings of %s: %s", self.index_uid,
                     ", ".join(sorted(changes)))
            with self._calls(f"update the settings of {self.index_uid}"):
                task = self._index().update_settings(dict(changes))
            self._wait([task.task_uid])
        self._ready = True
        return bool(changes)

    def is_healthy(self) -> bool:
        """Whether the server answers ``/health`` (never raises)."""
        try:
            return bool(self._client().is_healthy())
        except Exception:
            return False

    # ------------------------------------------------------------------ writes

    def _enqueue_index(self, store: StoreInfo, products: Iterable[ProductSnapshot]
                       ) -> tuple[list[int], int]:
        """Send ``products`` in batches (active ones added or replaced, others removed).
        Returns the task uids and the number of active products."""
        uids: list[int] = []
        docs: list[dict[str, Any]] = []
        gone: list[int] = []
        active = 0

        def flush() -> None:
            if docs:
                with self._calls("index products"):
                    uids.append(self._index().add_documents(
                        list(docs), primary_key=PRIMARY_KEY).task_uid)
                docs.clear()
            if gone:
                uids.extend(self._enqueue_remove(store, list(gone)))
                gone.clear()

        for product in products:
            if product.status == ACTIVE:
                docs.append(_document(store, product))
                active += 1
            else:
                gone.append(int(product.id))
            if len(docs) + len(gone) >= BATCH:
                flush()
        flush()
        return uids, active

    def _enqueue_remove(self, store: StoreInfo, product_ids: Sequence[int]) -> list[int]:
        uids: list[int] = []
        with self._calls("remove products"):
            index = self._index()
            for chunk in _chunks(product_ids, BATCH):
                ids = ", ".join(str(int(i)) for i in chunk)
                expression = f"{_tenant_filter(store)} AND product_id IN [{ids}]"
                uids.append(index.delete_documents(filter=expression).task_uid)
        return uids

    def _enqueue_clear(self, store: StoreInfo) -> list[int]:
        with self._calls("clear the store"):
            return [self._index().delete_documents(filter=_tenant_filter(store)).task_uid]

    def index(self, store: StoreInfo, products: Iterable[ProductSnapshot], *,
              wait: bool = False) -> None:
        """Add or replace ``store``'s active products; inactive ones are removed."""
        self._ensure_ready()
        uids, _active = self._enqueue_index(store, products)
        if wait:
            self._wait(uids)

    def remove(self, store: StoreInfo, product_ids: Iterable[int], *,
               wait: bool = False) -> None:
        """Drop these products of ``store`` (ids of other stores match nothing)."""
        self._ensure_ready()
        uids = self._enqueue_remove(store, [int(i) for i in product_ids])
        if wait:
            self._wait(uids)

    def clear(self, store: StoreInfo, *, wait: bool = False) -> None:
        """Drop every document of ``store`` (a delete by filter ``tenant_id = N``)."""
        self._ensure_ready()
        uids = self._enqueue_clear(store)
        if wait:
            self._wait(uids)

    def reindex(self, store: StoreInfo, products: Iterable[ProductSnapshot]) -> int:
        """Clear ``store`` and index ``products`` (streamed in batches), waiting until
        Meilisearch has done it all. Tasks run in order, so running it twice gives the
        same index. Returns the number of active products indexed."""
        self._ensure_ready()
        uids = self._enqueue_clear(store)
        more, active = self._enqueue_index(store, products)
        self._wait(uids + more)
        return active

    # ------------------------------------------------------------------ reads

    def _hit(self, store: StoreInfo, hit: Mapping[str, Any],
             markers: tuple[str, str]) -> SearchHit | None:
        if hit.get("tenant_id") != store.id:  # cannot happen with the filter; never leak
            log.error("Meilisearch returned a document of another store: %s", hit.get("id"))
            return None
        formatted = hit.get("_formatted") or {}
        pre = markers[0]
        snippet_source = formatted.get("description")
        snippet = (_safe_highlight(snippet_source, markers)
                   if isinstance(snippet_source, str) and pre in snippet_source else "")
        return SearchHit(
            product_id=int(hit["product_id"]), handle=str(hit.get("handle", "")),
            title=str(hit.get("title", "")),
            highlighted_title=_safe_highlight(formatted.get("title", hit.get("title", "")),
                                              markers),
            snippet=snippet)

    def query(self, store: StoreInfo, query: SearchQuery) -> SearchResults:
        """One page of ``store``'s products matching ``query`` (always filtered by
        ``tenant_id``), with the asked-for facets. One HTTP request."""
        self._ensure_ready()
        filters = [_tenant_filter(store), *_user_filters(query.filters)]
        markers = _markers()
        per_page = min(max(int(query.per_page), 1), MAX_PER_PAGE)
        main: dict[str, Any] = {
            "indexUid": self.index_uid, "q": query.text, "filter": filters,
            "page": max(int(query.page), 1), "hitsPerPage": per_page,
            "matchingStrategy": "all", "attributesToRetrieve": RETRIEVE,
            "attributesToHighlight": ["title", "description"],
            "attributesToCrop": ["description"], "cropLength": SNIPPET_WORDS,
            "highlightPreTag": markers[0], "highlightPostTag": markers[1],
        }
        facet_attributes = [FACET_ATTRIBUTES[f] for f in query.facets if f in FACET_ATTRIBUTES]
        if facet_attributes:
            main["facets"] = facet_attributes
        sort = SORTS.get(query.sort, ())
        if sort:
            main["sort"] = list(sort)
        buckets = price_buckets(store.currency) if "price" in query.facets else ()
        queries = [main] + [
            {"indexUid": self.index_uid, "q": query.text, "matchingStrategy": "all",
             "filter": [*filters, _price_range(low, high)], "page": 1, "hitsPerPage": 0}
            for _key, low, high in buckets]
        with self._calls("search"):
            results = self._client().multi_search(queries)["results"]
            first = results[0]
            hits = [h for h in (self._hit(store, hit, markers) for hit in first["hits"]) if h]
            distribution = first.get("facetDistribution") or {}
            facets: dict[str, dict[str, int]] = {}
            for name in query.facets:
                if name in FACET_ATTRIBUTES:
                    counts = distribution.get(FACET_ATTRIBUTES[name]) or {}
                    facets[name] = {str(k): int(v) for k, v in counts.items()}
            if buckets:
                facets["price"] = {key: int(result["totalHits"])
                                   for (key, _low, _high), result in zip(buckets, results[1:],
                                                                         strict=True)}
            total = int(first.get("totalHits", len(hits)))
        return SearchResults(hits=tuple(hits), total=total, facets=facets, suggestion=None)

    def suggest(self, store: StoreInfo, text: str, limit: int = 8) -> Sequence[SearchHit]:
        """A few of ``store``'s products for search-as-you-type (the last word is a
        prefix; typos are tolerated)."""
        text = text.strip()
        if not text:
            return []
        self._ensure_ready()
        markers = _markers()
        params = {"filter": [_tenant_filter(store)],
                  "limit": min(max(int(limit), 1), MAX_SUGGESTIONS),
                  "matchingStrategy": "all", "attributesToRetrieve": RETRIEVE,
                  "attributesToHighlight": ["title"],
                  "highlightPreTag": markers[0], "highlightPostTag": markers[1]}
        with self._calls("suggest"):
            response = self._index().search(text, params)
            hits = [self._hit(store, hit, markers) for hit in response["hits"]]
        return [h for h in hits if h]

    # ------------------------------------------------------------------ browsers

    def search_key_uid(self) -> str:
        """The uid of the search API key (looked up once with ``api_key``). Refuses a
        key that can do more than search."""
        if self._search_key_uid:
            return self._search_key_uid
        if not self.search_key:
            raise SearchConfigError("no Meilisearch search API key is configured")
        with self._calls("look up the search API key"):
            key = self._client().get_key(self.search_key)
        if set(key.actions) != {"search"}:
            raise SearchConfigError(
                f"the Meilisearch key given as the search key may do {sorted(key.actions)};"
                " tenant tokens must be signed with a key whose only action is 'search'")
        self._search_key_uid = key.uid
        return key.uid

    def tenant_token(self, store: StoreInfo, expires_at: datetime | None = None) -> str:
        """A tenant token for browsers that search Meilisearch directly: it can only
        search this index, and only ``store``'s documents (``tenant_id = N`` is part of
        its search rules, ANDed by Meilisearch with any filter the browser sends).
        Signed with the search key; refuses to run without one (never the master key).
        ``expires_at`` defaults to an hour from now (naive datetimes are UTC)."""
        if not self.search_key or self.search_key == self.api_key:
            raise SearchConfigError(
                "tenant tokens need a Meilisearch search API key (MEILISEARCH_SEARCH_KEY);"
                " they are never signed with the master or admin key")
        if expires_at is None:
            expires_at = datetime.now(UTC) + timedelta(hours=1)
        elif expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        rules = {self.index_uid: {"filter": _tenant_filter(store)}}
        return self._client().generate_tenant_token(
            self.search_key_uid(), rules, expires_at=expires_at, api_key=self.search_key)

