"""Storefront pages: home, collections, products and the merchant's pages.

Views only read through :mod:`core.storefront.queries` and render through the store's
theme (:func:`core.storefront.context.render_page`); the cart and search live in
their own modules, registered on the same blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from core.catalog.redirects import current_handle
from core.catalog.richtext import description_html
from core.catalog.video import optional_video
from core.extensions import limiter
from core.pluginhost.web import route_plugin
from core.storage import LocalStorage, UnsafeKey, is_private
from core.storefront import queries
from core.storefront.context import ONE_YEAR, current_theme, render_page, storefront_context
from core.storefront.media import product_image, product_url, setting_image
from core.storefront.page_cache import cached_page
from core.storefront.preview import keep_in_links, preview_banner, private_preview, start_preview
from core.storefront.query_args import choice, flag, identifier, number
from core.web.errors import http_error_page
from core.web.templating import LANG_COOKIE, shopper_language
from core.web.tenancy import current_store

bp = Blueprint("storefront", __name__)
# No app-wide or default limits apply to shopping; a route that needs one declares it.
limiter.exempt(bp)
bp.context_processor(storefront_context)
bp.add_app_template_global(product_image, "product_image")
bp.add_app_template_global(setting_image, "setting_image")
bp.add_app_template_global(product_url, "product_url")
# The staff preview of a theme draft (on any storefront page, plugins' own included).
bp.before_app_request(start_preview)
bp.app_url_defaults(keep_in_links)
bp.after_app_request(private_preview)
bp.add_app_template_global(preview_banner, "theme_preview_banner")


@bp.app_errorhandler(404)
def not_found(exc: NotFound) -> tuple[str, int]:
    """A store's own 404 page, in its theme; the platform and the admin keep the plain one."""
    if current_store() is None or request.path.startswith("/admin"):
        return http_error_page(exc)
    g.theme = current_theme()
    return render_page("not_found.html", title=None, **storefront_context()), 404

MAX_PAGE = 10_000  # deeper pages are empty anyway; bigger numbers overflow SQL integers

# The query parameters each cached page reads (``lang`` is known to all of them); any
# other parameter is ignored and never makes a new cache entry (core.storefront.query_args).
COLLECTION_ARGS = {"page": number(1, MAX_PAGE, 1),
                   "sort": choice(queries.SORTS, "featured"),
                   "available": flag}
PRODUCT_ARGS = {"variant": identifier}


@bp.after_app_request
def _remember_language(response: Response) -> Response:
    """A shopper who picked a language with ``?lang=`` (on a storefront page or a
    plugin's own page), or a visitor on the platform's home and sign-up pages, keeps it
    on later pages."""
    if request.blueprint not in ("storefront", "platform") and (
            current_store() is None or request.path.startswith("/admin")
            or route_plugin() is None):
        return response
    asked = request.args.get("lang")
    if asked and asked == shopper_language() and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=ONE_YEAR, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


def _moved(kind: str, handle: str, endpoint: str) -> Response:
    """301 to where an old handle lives now (keeping the query string), else 404."""
    new = current_handle(kind, handle)
    if new is None:
        abort(404)
    target = url_for(endpoint, handle=new)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=301)


def _page_number() -> int:
    """``?page=`` as a number from 1 to ``MAX_PAGE``; anything else means page 1."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


@bp.get("/")
@cached_page()
def index() -> str:
    """The store's home: the theme's hero, a featured collection and the newest products."""
    theme = current_theme()
    shown = int(theme.get("home_product_count", 8))
    featured = None
    handle = theme.get("featured_collection", "")
    if handle:
        found = queries.collection_by_handle(handle)
        if found is not None:
            featured = (found, queries.listing(found, page_size=shown, count=False).products)
    newest = queries.newest_products(shown)
    return render_page("index.html", featured=featured, products=newest, title=current_store().name)


@bp.get("/collections/<handle>")
@cached_page(COLLECTION_ARGS)
def collection(handle: str) -> str | Response:
    """One collection's products; ``all`` lists the whole catalogue."""
    if handle == "all":
        found = None
    else:
        found = queries.collection_by_handle(handle)
        if found is None:
            return _moved("collection", handle, "storefront.collection")
    sort = request.args.get("sort", "featured")
    sort = sort if sort in queries.SORTS else "featured"
    in_stock_only = request.args.get("available") == "1"
    result = queries.listing(found, page=_page_number(), sort=sort, in_stock_only=in_stock_only)
    description = (Markup(description_html(found.description))  # noqa: S704 - sanitised
                   if found and found.description else None)
    return render_page("collection.html", collection=found, listing=result, sort=sort,
                       in_stock_only=in_stock_only, sorts=queries.SORTS,
                       description=description, title=found.title if found else None)


def product_page(product: Any, *, status: int = 200, error: Any = None,
                 form: dict[str, str] | None = None) -> tuple[str, int]:
    """Render a product (also used by the cart to show an add-to-cart error in place).

    ``form["variant_id"]`` is the option to show (its price and stock) and preselect.
    The "added to your cart" message is shown by the add-to-cart button
    (``cart_feedback()``), not at the top of the page."""
    video = optional_video(product.video_url)
    g.haat_cart_feedback_in_page = True
    return render_page(
        "product.html", product=product, title=product.seo_title or product.title,
        description=Markup(description_html(product.description)),  # noqa: S704 - sanitised
        video=video, related=queries.related_products(product),
        cart_error=error, form=form or {},
    ), status


@bp.get("/products/<handle>")
@cached_page(PRODUCT_ARGS)
def product(handle: str) -> tuple[str, int] | Response:
    """One product; ``?variant=<id>`` shows that option (its price and stock) chosen."""
    found = queries.product_by_handle(handle)
    if found is None:
        return _moved("product", handle, "storefront.product")
    variant = request.args.get("variant", "")
    return product_page(found, form={"variant_id": variant}
                        if variant.isascii() and variant.isdigit() else None)


@bp.get("/pages/<handle>")
@cached_page()
def page(handle: str) -> str | Response:
    """A page the merchant wrote (about, contact, policies)."""
    found = queries.page_by_handle(handle)
    if found is None:
        return _moved("page", handle, "storefront.page")
    return render_page("page.html", page=found, title=found.title,
                       body=Markup(description_html(found.body)))  # noqa: S704 - sanitised


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers that ignore ``<link rel=icon>`` ask here; send them to the theme's icon."""
    from core.web.assets import theme_asset

    return redirect(theme_asset("favicon.svg"), code=301)


@bp.get("/media/<path:key>")
def media(key: str) -> Response:
    """A file of this store; the store comes from the host, never from the URL.

    Keys are never reused for different content, so files are cached for a year.
    """
    storage = LocalStorage(current_app.config["HAAT_MEDIA_DIR"])
    if is_private(key):  # an upload still waiting for its job, with its EXIF data
        abort(404)
    try:
        root = storage.tenant_root(current_store().id)
        storage.path(current_store().id, key)
    except UnsafeKey:
        abort(404)
    response = send_from_directory(root, key, max_age=ONE_YEAR)
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


from core.storefront import (  # noqa: E402, F401
    cart_views,
    checkout_views,
    coming_soon,
    crawler_views,
    order_views,
    search_views,
)
