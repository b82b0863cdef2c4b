"""``/search``: handed to the store's search plugin through ``haat_search_backend``.

A store without a search plugin shows no search box, and this URL says so politely
(404, so it is not indexed). A backend that fails gives a polite 503 page; the rest
of the page (header, cart, navigation) still works.
"""

from __future__ import annotations

import logging

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.catalog.models import STATUS_ACTIVE, Product
from core.db import db
from core.pluginhost.web import plugins_for_request
from core.sdk import SearchQuery, SearchResults
from core.storefront.context import render_page, search_enabled
from core.storefront.views import _page_number, bp

log = logging.getLogger("haat.search")
MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 24


def _products_for(results: SearchResults) -> list[tuple[object, Product]]:
    """The hits with their products, in the backend's order (one query plus images)."""
    ids = [hit.product_id for hit in results.hits]
    found = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(ids), Product.status == STATUS_ACTIVE)
        .options(selectinload(Product.images)))}
    return [(hit, found[hit.product_id]) for hit in results.hits if hit.product_id in found]


@bp.get("/search")
def search() -> tuple[str, int]:
    """Search results for ``?q=``."""
    text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    context = {"query": text, "title": _("Search"), "results": None, "hits": []}
    if not search_enabled():
        return render_page("search.html", unavailable="disabled", **context), 404
    if not text:
        return render_page("search.html", unavailable=None, **context), 200
    page = _page_number()
    try:
        backend = plugins_for_request().first("haat_search_backend")
        results = backend.query(backend_store(), SearchQuery(
            text=text, page=page, per_page=RESULTS_PER_PAGE,
            sort=request.args.get("sort", "relevance")))
    except Exception:  # the plugin's failure must not take the page down
        log.exception("search failed")
        return render_page("search.html", unavailable="down", **context), 503
    context.update(results=results, hits=_products_for(results), page=page,
                   pages=max(1, -(-results.total // RESULTS_PER_PAGE)))
    return render_page("search.html", unavailable=None, **context), 200


def backend_store() -> object:
    """The SDK store object that search backends receive."""
    return plugins_for_request().info
