"""Storefront pages. Templates come from the store's theme folder."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from werkzeug.wrappers import Response

from core.storage import LocalStorage, UnsafeKey
from core.storefront import queries
from core.web.tenancy import current_store
from themes import theme_static_folder, theme_templates_folder

bp = Blueprint(
    "storefront",
    __name__,
    template_folder=theme_templates_folder("default"),
    static_folder=theme_static_folder("default"),
    static_url_path="/theme",
)


MAX_PAGE = 10_000  # deeper pages are empty anyway; bigger numbers overflow SQL integers


def _page_number() -> int:
    """``?page=`` as a number from 1 to ``MAX_PAGE``; anything else means page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


@bp.get("/")
def index() -> str:
    """The store's home: its collections and newest products."""
    return render_template("storefront/index.html", collections=queries.collections(),
                           products=queries.active_products(page_size=12))


@bp.get("/collections/<handle>")
def collection(handle: str) -> str:
    """One collection's products; ``all`` lists the whole catalogue."""
    page = _page_number()
    if handle == "all":
        found = None
        title = "All products"
    else:
        found = queries.collection_by_handle(handle)
        if found is None:
            abort(404)
        title = found.title
    products = queries.active_products(found, page=page)
    return render_template("storefront/collection.html", collection=found, title=title,
                           products=products, page=page,
                           has_next=len(products) == queries.PAGE_SIZE,
                           collections=queries.collections())


@bp.get("/products/<handle>")
def product(handle: str) -> str:
    """One product."""
    found = queries.product_by_handle(handle)
    if found is None:
        abort(404)
    return render_template("storefront/product.html", product=found,
                           collections=queries.collections())


@bp.get("/media/<path:key>")
def media(key: str) -> Response:
    """A file of this store; the store comes from the host, never from the URL."""
    storage = LocalStorage(current_app.config["HAAT_MEDIA_DIR"])
    try:
        root = storage.tenant_root(current_store().id)
        storage.path(current_store().id, key)
    except UnsafeKey:
        abort(404)
    response = send_from_directory(root, key, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
