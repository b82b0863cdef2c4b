"""Describes the storefront page being rendered for plugins (``core.sdk.PageContext``).

SEO, badges and slots read the page's kind, its clean (canonical) URL, its language
alternates, breadcrumbs and the product, collection or merchant page it shows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import g, request, url_for

from core.catalog.models import Collection, Product
from core.catalog.richtext import html_to_text
from core.catalog.snapshots import collection_snapshot, page_snapshot, product_snapshot
from core.i18n import SUPPORTED_LOCALES
from core.orders.models import Order
from core.orders.snapshots import order_snapshot
from core.pages.models import Page
from core.pluginhost.web import PAGE_KINDS, plugins_for_request
from core.sdk import CartSnapshot, PageContext
from core.web.tenancy import current_store

DESCRIPTION_LIMIT = 160


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _canonical_path(context: dict[str, Any]) -> str:
    product, collection, page = (context.get(k) for k in ("product", "collection", "page"))
    if isinstance(product, Product):
        return url_for("storefront.product", handle=product.handle)
    if request.endpoint == "storefront.collection":
        handle = collection.handle if isinstance(collection, Collection) else "all"
        path = url_for("storefront.collection", handle=handle)
        listing = context.get("listing")
        number = getattr(listing, "page", 1)
        return f"{path}?page={number}" if number > 1 else path
    if isinstance(page, Page):
        return url_for("storefront.page", handle=page.handle)
    return request.path


def _request_url() -> str:
    """The page's URL as this request asked for it; while a page is stored in the page
    cache, with only the query parameters the page reads (the rest never reached
    ``request.args``), so a plugin printing it never stores a visitor's junk."""
    if not g.get("haat_page_recording"):
        return request.url
    query = urlencode(list(request.args.items(multi=True)))
    return request.base_url + (f"?{query}" if query else "")


def _alternate(canonical: str, code: str, default: str) -> str:
    if code == default:
        return canonical
    joiner = "&" if "?" in canonical else "?"
    return f"{canonical}{joiner}{urlencode({'lang': code})}"


#: Pages that are the shopper's own: never cached, never for search engines.
PRIVATE_KINDS = frozenset({"cart", "checkout", "order"})


def describe_page(context: dict[str, Any], *, locale: str, search_enabled: bool,
                  cart: CartSnapshot | None = None, kind: str | None = None,
                  plugin: str = "") -> PageContext:
    """The :class:`PageContext` of a storefront page rendered with template ``context``.

    ``kind`` defaults to the endpoint's kind (``PAGE_KINDS``); a plugin's own page
    passes ``"plugin"`` and the plugin's name. ``cart`` is the shopper's cart on the
    cart and checkout pages; an order page's ``order`` comes from the context.
    """
    store = current_store()
    kind = kind or PAGE_KINDS.get(request.endpoint or "", "other")
    product, collection, page = (context.get(k) for k in ("product", "collection", "page"))
    media = lambda key: _absolute(url_for("storefront.media", key=key))  # noqa: E731
    clean = _absolute(_canonical_path(context))
    # Each language version is its own page: canonical to itself, hreflang to the rest.
    canonical = _alternate(clean, locale, store.locale)
    crumbs = [(store.name, _absolute(url_for("storefront.index")))]
    description = ""
    product_info = collection_info = page_info = None
    if isinstance(product, Product):
        product_info = product_snapshot(product, store.currency, media)
        # The merchant's SEO description, when set, is what search engines should show.
        description = product_info.seo_description or product_info.description
        first = product.memberships[0].collection if product.memberships else None
        if first is not None:
            crumbs.append((first.title, _absolute(url_for("storefront.collection",
                                                          handle=first.handle))))
        crumbs.append((product.title, clean))
    elif isinstance(collection, Collection):
        collection_info = collection_snapshot(collection)
        description = collection.description
        crumbs.append((collection.title, _absolute(url_for("storefront.collection",
                                                           handle=collection.handle))))
    elif isinstance(page, Page):
        page_info = page_snapshot(page)
        description = page_info.text
        crumbs.append((page.title, clean))
    elif kind == "plugin":
        # A plugin page may pass a plain-text ``description`` for the meta description.
        description = str(context.get("description") or "")
        if context.get("title"):
            crumbs.append((str(context["title"]), clean))
    order = context.get("order")
    order_info = None
    if kind == "order" and isinstance(order, Order):
        plugins = plugins_for_request()
        assert plugins is not None  # a store's page
        order_info = order_snapshot(order, plugins.info)
    return PageContext(
        kind=kind,
        path=request.path, url=_request_url(), title=str(context.get("title") or ""),
        locale=locale, is_secure=request.is_secure,
        product=product_info, collection=collection_info, page=page_info,
        description=html_to_text(description, limit=DESCRIPTION_LIMIT),
        canonical_url="" if kind in PRIVATE_KINDS else canonical,
        order=order_info, cart=cart if kind in ("cart", "checkout") else None, plugin=plugin,
        alternates=tuple((code, _alternate(clean, code, store.locale))
                         for code in SUPPORTED_LOCALES),
        breadcrumbs=tuple(crumbs) if len(crumbs) > 1 else (),
        search_enabled=search_enabled, default_locale=store.locale,
    )
