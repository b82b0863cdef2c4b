"""``/search`` and ``/search/suggest``: handed to the store's search plugin.

A store without a search plugin shows no search box, and these URLs say so politely
(404, so they are not indexed). A backend that fails gives a polite 503 page; the rest
of the page (header, cart, navigation) still works. Highlighted text from a backend is
sanitised again here (only ``<mark>`` survives), whoever wrote the backend.

Result pages are cached whole, with the shopper's own parts as holes, like catalogue
pages (:func:`core.storefront.page_cache.cached_page`), in a bounded cache of their own
(``HAAT_SEARCH_CACHE_SIZE`` entries per worker, for ``HAAT_SEARCH_CACHE_TTL`` seconds), so
a flood of different queries cannot push the catalogue pages out. The key is the store
with its content and plugin versions, the host, the language and the parameters below
(:data:`SEARCH_ARGS`), normalised: any other parameter makes no entry. Suggestions are
cached the same way, in the same cache. A cached answer does not spend the store's search
budget: the budget protects the database and CPUs, and a cached answer costs about as
much as a cached product page (sitemaps do the same).

How stale a cached answer can be:

* Catalogue changes bump the store's ``content_version`` at once, and so does every
  write of the embedded engine's index (which arrives by job after the change), so with
  the embedded engine a cached page is never older than the index, give or take the
  host cache (``HAAT_TENANT_CACHE_TTL``) in other workers.
* Meilisearch applies updates asynchronously in the server, after the job that sends
  them, and another plugin's backend may change whenever it likes: results cached
  while an update is on its way can show the old matches for up to
  ``HAAT_SEARCH_CACHE_TTL`` seconds. The products shown are read from the catalogue
  when the page is rendered, so prices and titles are those of that moment.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import nh3
from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.catalog.models import STATUS_ACTIVE, Product
from core.db import db
from core.pluginhost.runtime import reraise_unless_isolating
from core.pluginhost.web import plugins_for_request
from core.sdk import (
    SEARCH_FACETS,
    SEARCH_SORTS,
    SearchHit,
    SearchQuery,
    SearchResults,
    price_buckets,
)
from core.storefront.context import render_page, search_enabled
from core.storefront.page_cache import cache_key, cached_page
from core.storefront.query_args import KnownArgs, choice, flag, number
from core.storefront.views import MAX_PAGE, _page_number, bp
from core.web.budgets import spend
from core.web.templating import money_filter
from core.web.tenancy import current_store

log = logging.getLogger("haat.search")
MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 24
SUGGESTIONS = 6
#: The filters a shopper can set in the URL, and the facets they correspond to.
FILTER_ARGS = ("collection", "tags", "in_stock", "price")


def search_text(raw: str) -> str | None:
    """``?q=`` as the engine reads it: NFC, spaces collapsed and trimmed, at most
    ``MAX_QUERY_LENGTH`` characters (empty: no query). Case is kept: the page shows the
    query as typed."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())[:MAX_QUERY_LENGTH]
    return text.strip() or None


def _filter_value(raw: str) -> str | None:
    return raw.strip()[:120] or None


def _price_key(raw: str) -> str | None:
    """One of the store's price buckets (they depend on its currency), else none."""
    return raw if raw in {key for key, _low, _high in price_buckets(current_store().currency)} \
        else None


#: The parameters a search page reads, normalised for its cache key (core.storefront.
#: query_args); any other parameter is ignored and makes no new entry.
SEARCH_ARGS: KnownArgs = {"q": search_text, "sort": choice(SEARCH_SORTS, "relevance"),
                          "page": number(1, MAX_PAGE, 1), "collection": _filter_value,
                          "tags": _filter_value, "in_stock": flag, "price": _price_key}
SUGGEST_ARGS: KnownArgs = {"q": search_text}


def safe_highlight(html: str) -> Markup:
    """A backend's highlighted text with every tag but ``<mark>`` removed."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))  # noqa: S704


def _filters() -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for name in FILTER_ARGS:
        value = request.args.get(name, "").strip()[:120]
        if not value:
            continue
        if name == "in_stock":
            if value == "1":
                chosen[name] = True
        elif name == "price":
            if value in {key for key, _low, _high in price_buckets(current_store().currency)}:
                chosen[name] = value
        else:
            chosen[name] = value
    return chosen


def _products_for(hits: Iterable[SearchHit], *, images: bool = True,
                  ) -> list[tuple[SearchHit, Product]]:
    """The hits with their products, in the backend's order (one query, plus images).

    Products are read in the store's scope, so an id a misbehaving backend returns for
    another store, or a product no longer active, is dropped."""
    hits = list(hits)
    query = select(Product).where(Product.id.in_([hit.product_id for hit in hits]),
                                  Product.status == STATUS_ACTIVE)
    if images:
        query = query.options(selectinload(Product.images))
    found = {p.id: p for p in db.session.scalars(query)}
    return [(hit, found[hit.product_id]) for hit in hits if hit.product_id in found]


def _link(**changes: Any) -> str:
    """This search's URL with some arguments changed (``None`` removes one)."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("storefront.search") + ("?" + urlencode(args) if args else "")


def _facet_groups(results: SearchResults, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The filters sidebar: each facet's values with counts, links and labels."""
    from core.storefront.queries import collections

    titles = {c.handle: c.title for c in collections()}
    labels = {"collection": _("Collection"), "price": _("Price"), "in_stock": _("Availability"),
              "tags": _("Tags")}
    groups = []
    for name in SEARCH_FACETS:
        counts = results.facets.get(name) or {}
        options = []
        if name == "price":
            for key, low, high in price_buckets(current_store().currency):
                if counts.get(key):
                    label = (f"{money_filter(low)} – {money_filter(high)}" if high is not None
                             else _("%(price)s and more", price=money_filter(low)))
                    options.append((key, label, counts[key]))
        elif name == "in_stock":
            if counts.get("true"):
                options.append(("1", _("In stock only"), counts["true"]))
        else:
            options = [(value, titles.get(value, value) if name == "collection" else value,
                        count) for value, count in sorted(counts.items(),
                                                          key=lambda kv: (-kv[1], kv[0]))[:12]]
        current = filters.get(name)
        current = "1" if current is True else current
        items = [{"label": label, "count": count, "active": value == current,
                  "url": _link(**{name: None if value == current else value})}
                 for value, label, count in options]
        if items:
            groups.append({"name": name, "label": labels[name], "items": items})
    return groups


@bp.get("/search")
@cached_page(SEARCH_ARGS, cache="search")
def search() -> tuple[str, int]:
    """Search results for ``?q=`` with facets, sorting and pages."""
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    sort = request.args.get("sort", "relevance")
    sort = sort if sort in SEARCH_SORTS else "relevance"
    context: dict[str, Any] = {"query": text, "title": _("Search"), "results": None,
                               "hits": [], "sort": sort, "sorts": SEARCH_SORTS,
                               "facet_groups": [], "link": _link, "highlight": safe_highlight,
                               "page_css": "search.css"}
    if not search_enabled():
        return render_page("search.html", unavailable="disabled", **context), 404
    if not text:
        return render_page("search.html", unavailable=None, **context), 200
    spend("search")  # the store's search budget (a flood gets 429, other stores go on)
    page = _page_number()
    filters = _filters()
    try:
        engine = plugins_for_request().first("haat_search_backend")
        results = engine.query(plugins_for_request().info, SearchQuery(
            text=text, filters=filters, facets=SEARCH_FACETS, sort=sort, page=page,
            per_page=RESULTS_PER_PAGE))
    except Exception as exc:  # the plugin's failure must not take the page down
        reraise_unless_isolating(exc)
        log.exception("search failed")
        return render_page("search.html", unavailable="down", **context), 503
    context.update(results=results, hits=_products_for(results.hits), page=page,
                   pages=max(1, -(-results.total // RESULTS_PER_PAGE)),
                   facet_groups=_facet_groups(results, filters), filters=filters)
    return render_page("search.html", unavailable=None, **context), 200


@bp.get("/search/suggest")
def suggest() -> tuple[Response, int]:
    """Search-as-you-type: a few products for ``?q=`` as JSON (cached like result pages)."""
    text = search_text(request.args.get("q", "")) or ""
    # Looked up first: the key holds the store's plugins_version, so a copy is never
    # served once the search plugin is switched off.
    key = cache_key(SUGGEST_ARGS) if current_app.config["HAAT_SEARCH_CACHE_SIZE"] else None
    cache = current_app.extensions["haat_search_cache"]
    body = cache.get(key) if key is not None else None
    if body is None:
        if not search_enabled():
            return jsonify(error=_("This store does not offer search.")), 404
        if len(text) < 2:
            return jsonify(query=text, products=[]), 200
        spend("search")
        try:
            engine = plugins_for_request().first("haat_search_backend")
            hits = list(engine.suggest(plugins_for_request().info, text, SUGGESTIONS))
        except Exception as exc:
            reraise_unless_isolating(exc)
            log.exception("search suggestions failed")
            return jsonify(error=_("Search is not available right now.")), 503
        items = [{"title": product.title,
                  "highlighted": str(safe_highlight(hit.highlighted_title or "")),
                  "url": url_for("storefront.product", handle=product.handle),
                  "price": money_filter(product.price_amount)}
                 for hit, product in _products_for(hits, images=False)]
        body = current_app.json.dumps({"query": text, "products": items})
        if key is not None:
            cache.set(key, body)
    response = current_app.response_class(body + "\n", mimetype="application/json")
    response.cache_control.max_age = 60
    return response, 200
