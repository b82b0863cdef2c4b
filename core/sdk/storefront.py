"""Storefront pages and what plugins contribute to them: slots, assets, badges, SEO tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from core.sdk.catalog import CollectionSnapshot, PageSnapshot, ProductSnapshot
from core.sdk.commerce import CartSnapshot, OrderSnapshot

__all__ = [
    "BADGE_PLACEMENTS",
    "PAGE_KINDS",
    "SLOT_NAMES",
    "AdminMenuItem",
    "Asset",
    "Badge",
    "DashboardPanel",
    "Markup",
    "MetaTag",
    "PageContext",
    "RobotsRule",
    "SitemapEntry",
    "SlotContent",
    "StructuredData",
]

#: Slot names a theme may render with ``{{ slot("name") }}``; a test keeps themes honest.
SLOT_NAMES: tuple[str, ...] = (
    "head",
    "header",
    "footer",
    "home_after_hero",
    "collection_before_products",
    "product_after_title",
    "product_after_price",
    "product_after_description",
    "cart_summary",
    "checkout_before_payment",
    "checkout_after_summary",
    "order_status",
)

#: ``PageContext.kind`` values: which storefront page is being rendered. ``plugin`` is a
#: plugin's own page rendered with :func:`core.sdk.render_page`; ``account`` is kept for
#: shoppers' account pages, which Haat does not have yet; ``other`` is anything else.
PAGE_KINDS: tuple[str, ...] = (
    "home", "collection", "product", "search", "cart", "checkout", "order", "page",
    "account", "plugin", "other")

#: Where trust badges can be placed.
BADGE_PLACEMENTS: tuple[str, ...] = ("product", "cart", "checkout", "footer")


@dataclass(frozen=True)
class PageContext:
    """The storefront page being rendered, as slots, SEO and badge hooks see it.

    Catalogue pages (home, collections, products, the merchant's pages) and search
    results are cached whole, so what a hook contributes for them must follow from the
    store's data and settings, never from the shopper (see the plugin guide).
    """

    #: Which page: one of :data:`PAGE_KINDS`.
    kind: str
    #: The path as requested (``/products/kantha-quilt``).
    path: str
    #: The absolute URL as requested, query string included; on a cached catalogue page,
    #: only the query parameters the page reads (``?page=2&sort=name``, never a
    #: visitor's ``?utm_source=...``), since the page is stored for everyone.
    url: str
    #: The page's title as the theme shows it; ``""`` for the home page.
    title: str = ""
    #: The language the page is shown in (``"bn"``): the shopper's choice, else the
    #: store's default.
    locale: str = "en"
    #: True when the shopper's connection is HTTPS (as Haat's proxy settings trust it).
    is_secure: bool = False
    #: The product of a product page; ``None`` elsewhere.
    product: ProductSnapshot | None = None
    #: The collection of a collection page; ``None`` elsewhere (and on ``/collections/all``).
    collection: CollectionSnapshot | None = None
    #: A plain-text summary of the page, at most 160 characters; ``""`` when none.
    description: str = ""
    #: The clean URL of this content in this language: no sort, filter, variant or
    #: page-one parameters, and ``?lang=`` only for a language other than the store's
    #: default. ``""`` on pages that are not for search engines (cart, checkout, orders).
    canonical_url: str = ""
    #: ``(locale, absolute URL)`` of this page in each storefront language (``en``,
    #: ``bn``, ``hy``; every store offers all three).
    alternates: tuple[tuple[str, str], ...] = ()
    #: ``(name, absolute URL)`` from the home page down to this page; empty on the home page.
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    #: The merchant's page of a ``/pages/<handle>`` page; ``None`` elsewhere.
    page: PageSnapshot | None = None
    #: True when an enabled plugin provides search for the store.
    search_enabled: bool = False
    #: The store's default language (``StoreInfo.locale``).
    default_locale: str = "en"
    #: The order of an order status page; ``None`` elsewhere. Order pages are private
    #: and never cached.
    order: OrderSnapshot | None = None
    #: The shopper's cart on the cart and checkout pages; ``None`` elsewhere.
    cart: CartSnapshot | None = None
    #: On a plugin's own page (kind ``"plugin"``), the name of that plugin; ``""`` elsewhere.
    plugin: str = ""


@dataclass(frozen=True)
class SlotContent:
    """Content for a template slot. ``text`` is escaped by core; ``html`` is only used
    when it is a ``Markup`` object, i.e. the plugin marked it safe on purpose.

    Each item is wrapped in ``<div class="haat-slot-item ..." data-plugin="<name>">``
    inside the slot's ``<div class="haat-slot haat-slot-<name>">``.
    """

    #: Plain text, escaped by core; shown when ``html`` is ``None``.
    text: str = ""
    #: Ready HTML, passed through as it is, instead of ``text`` and ``url``. Must be
    #: ``Markup``: escape every value you put in it (``Markup("<b>{}</b>").format(x)``).
    html: Markup | None = None
    #: Makes ``text`` a link: a path on the store (``"/pages/returns"``) or an
    #: ``http(s):``, ``mailto:`` or ``tel:`` address. Any other scheme is dropped and
    #: the text shown unlinked. ``None`` for no link.
    url: str | None = None
    #: Extra CSS classes for the item's wrapper (``"announcement-info"``); ``""`` for
    #: none.
    css_class: str = ""

    def __post_init__(self) -> None:
        if self.html is not None and not isinstance(self.html, Markup):
            raise TypeError("SlotContent.html must be markupsafe.Markup (mark it safe on purpose)")


@dataclass(frozen=True)
class Asset:
    """A stylesheet or script a plugin adds to storefront pages (same-origin URLs only)."""

    #: ``"css"`` (a stylesheet link) or ``"js"`` (a script); anything else is ignored.
    kind: str
    #: A path on the store's own host, starting with one ``/`` (served by the plugin's
    #: blueprint, say); other URLs are dropped. Each URL is added once per page.
    url: str
    #: For a script: load it with ``defer``. Ignored for a stylesheet.
    defer: bool = True


@dataclass(frozen=True)
class Badge:
    """A trust badge. ``icon`` names a built-in inline SVG (lock, cash, card, truck, ...)."""

    #: What the badge is about (``"cod"``): within a placement, only the first badge of
    #: each key is shown, whichever plugin gives it. Also its CSS class ``badge-<key>``.
    key: str
    #: The badge's visible text (``"Cash on delivery"``), escaped.
    label: str
    #: A detail shown after the label (``"Pay when your parcel arrives."``); ``""`` for
    #: none.
    description: str = ""
    #: A built-in icon: ``lock``, ``card``, ``cash``, ``bank``, ``wallet``, ``truck``,
    #: ``return``, ``star``, ``phone``, ``map-pin`` or ``shield``; ``""`` or an unknown
    #: name shows none.
    icon: str = ""
    #: Makes the label a link (a path on the store, or ``http(s):``, ``mailto:``,
    #: ``tel:``; other schemes are dropped); ``None`` for no link.
    url: str | None = None


@dataclass(frozen=True)
class MetaTag:
    """A ``<meta>`` or ``<link>`` in ``<head>``: set ``name`` or ``property`` (meta) or
    ``rel`` + ``href`` (link). Every value is escaped."""

    #: The meta tag's ``content``.
    content: str = ""
    #: The meta tag's ``name`` (``"google-site-verification"``). ``"title"`` and
    #: ``"description"`` add no tag: they replace the page's ``<title>`` and meta
    #: description (the first plugin's wins).
    name: str | None = None
    #: The meta tag's ``property`` (Open Graph: ``"og:image"``); used instead of
    #: ``name`` when both are set.
    property: str | None = None
    #: With ``href``: a ``<link rel="...">`` (``"canonical"``, ``"alternate"``) instead
    #: of a meta tag.
    rel: str | None = None
    #: The link's target; use an absolute URL.
    href: str | None = None
    #: The language of the linked page (``"bn"``, ``"x-default"``), for
    #: ``rel="alternate"``; ``None`` for none.
    hreflang: str | None = None


@dataclass(frozen=True)
class StructuredData:
    """One JSON-LD object (a dict with ``@context`` and ``@type``)."""

    #: The object. Core writes it as JSON into ``<script type="application/ld+json">``,
    #: made safe for HTML; values JSON does not know (dates, ``Decimal``) become strings.
    data: Mapping[str, Any]


@dataclass(frozen=True)
class SitemapEntry:
    """One URL of the store's ``/sitemap.xml`` (``haat_sitemap_entries``)."""

    #: A path on the store (``"/products/kantha-quilt"``); core makes it absolute.
    #: Other URLs are dropped, and each path is listed once (the first entry wins).
    path: str
    #: When the page last changed: a date, or a datetime (naive means UTC); ``None``
    #: leaves it out.
    lastmod: date | datetime | None = None
    #: How often it changes, a sitemap word: ``"always"``, ``"hourly"``, ``"daily"``,
    #: ``"weekly"``, ``"monthly"``, ``"yearly"`` or ``"never"``; ``None`` leaves it out.
    changefreq: str | None = None
    #: Its weight among the store's pages, from ``0.0`` to ``1.0``; ``None`` leaves it
    #: out.
    priority: Decimal | None = None


@dataclass(frozen=True)
class RobotsRule:
    """Rules for the store's ``/robots.txt`` (``haat_robots_rules``). Core always keeps
    every crawler out of ``/admin``, ``/cart``, ``/checkout``, ``/search`` and
    ``/orders/``."""

    #: The crawler the rules are for (``"GPTBot"``); ``"*"`` means every crawler. Rules
    #: for the same crawler from several plugins are merged.
    user_agent: str = "*"
    #: Paths the crawler may visit (``"/pages/"``); entries not starting with ``/`` are
    #: ignored.
    allow: tuple[str, ...] = ()
    #: Paths the crawler must not visit (``"/"`` for the whole store); ``""`` writes an
    #: empty ``Disallow:`` (nothing is disallowed). Other entries not starting with ``/``
    #: are ignored.
    disallow: tuple[str, ...] = ()


@dataclass(frozen=True)
class DashboardPanel:
    """A box of the plugin's own on the admin dashboard (``haat_dashboard_panels``):
    a heading, a few figures or lines, and a link to the plugin's page.

    ``html`` is placed inside the panel as it is: build it with ``Markup`` and escape
    what shoppers typed (``Markup("<p>{}</p>").format(review.title)``). Keep it short,
    and in the staff member's language (:func:`core.sdk.current_locale`).
    """

    #: The panel's heading, in the staff member's language.
    title: str
    #: The panel's body.
    html: Markup
    #: A path on the store's host (``"/admin/reviews"``) that the panel leads to, or
    #: ``""`` for none; other URLs are dropped.
    url: str = ""
    #: The link's text (``"See all reviews"``); ``""`` shows the panel's title.
    link_text: str = ""


@dataclass(frozen=True)
class AdminMenuItem:
    """An entry in the admin menu; ``url`` is a path on the store host (``/admin/...``)."""

    #: The link's text, in the merchant's language.
    label: str
    #: A path on the store's host, starting with one ``/``; other URLs are dropped.
    url: str
    #: Show the link to the store's owners only, not to staff. It only hides the link:
    #: Haat lets only signed-in staff reach a plugin's ``/admin`` routes, and a route
    #: for owners alone also needs :func:`core.sdk.owner_required`.
    owner_only: bool = True


