"""SEO: titles, descriptions, canonical URLs, social cards, JSON-LD, sitemap and robots.

Everything is built from the store's own data (``core.sdk`` only): the page's
``PageContext`` (title, description, product, collection, page, canonical URL, language
alternates, breadcrumbs) and the merchant's settings. See docs/seo.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

from core.sdk import (
    MetaTag,
    PageContext,
    PluginManifest,
    RobotsRule,
    SitemapEntry,
    StoreInfo,
    StructuredData,
    hookimpl,
    iter_collections,
    iter_pages,
    iter_products,
)

from . import pages, structured
from .i18n import _
from .settings import FIELDS, Settings

manifest = PluginManifest(
    name="seo", title=_.lazy("SEO"),
    description=_.lazy("Search-engine titles, descriptions, social cards, structured data "
                       "and a sitemap, built from your store's own data."),
    settings=FIELDS,
)

#: Kept out of robots.txt in addition to core's own list (admin, cart, checkout, search,
#: order status): customer accounts are private.
EXTRA_DISALLOW = ("/account",)


def settings_for(store: StoreInfo) -> Settings:
    return Settings.of(dict(store.plugin_settings(manifest.name)))


# --------------------------------------------------------------------- head tags


def _alternates(page: PageContext) -> list[MetaTag]:
    tags = [MetaTag(rel="alternate", href=url, hreflang=code) for code, url in page.alternates]
    default = next((url for code, url in page.alternates if code == page.default_locale),
                   page.canonical_url)
    if tags and default:
        tags.append(MetaTag(rel="alternate", href=default, hreflang="x-default"))
    return tags


def _image(page: PageContext, settings: Settings) -> str:
    if page.product is not None and page.product.image_urls:
        return page.product.image_urls[0]
    return settings.social_image


def _social(store: StoreInfo, page: PageContext, settings: Settings,
            description: str) -> list[MetaTag]:
    title = pages.social_title(store, page, settings)
    text = description or store.name
    image = _image(page, settings)
    item = page.product
    tags = [
        MetaTag(property="og:site_name", content=store.name),
        MetaTag(property="og:type", content="product" if item is not None else "website"),
        MetaTag(property="og:title", content=title),
        MetaTag(property="og:description", content=text),
        MetaTag(property="og:url", content=page.canonical_url),
        MetaTag(property="og:locale", content=pages.og_locale(page.locale)),
    ]
    tags += [MetaTag(property="og:locale:alternate", content=pages.og_locale(code))
             for code, _url in page.alternates if code != page.locale]
    if image:
        tags.append(MetaTag(property="og:image", content=image))
        if image.startswith("https://"):
            tags.append(MetaTag(property="og:image:secure_url", content=image))
        tags.append(MetaTag(property="og:image:alt", content=title))
    if item is not None:
        tags += [
            MetaTag(property="product:price:amount", content=structured.price_text(item.price)),
            MetaTag(property="product:price:currency", content=item.price.currency),
            MetaTag(property="product:availability",
                    content="in stock" if item.in_stock else "out of stock"),
            MetaTag(property="product:condition", content="new"),
        ]
        if item.sku:
            tags.append(MetaTag(property="product:retailer_item_id", content=item.sku))
    tags += [
        MetaTag(name="twitter:card", content="summary_large_image" if image else "summary"),
        MetaTag(name="twitter:title", content=title),
        MetaTag(name="twitter:description", content=text),
    ]
    if image:
        tags += [MetaTag(name="twitter:image", content=image),
                 MetaTag(name="twitter:image:alt", content=title)]
    if settings.twitter_handle:
        tags.append(MetaTag(name="twitter:site", content=settings.twitter_handle))
    return tags


@hookimpl
def haat_head_tags(store: StoreInfo, page: PageContext) -> list[MetaTag]:
    """Title, description, robots, canonical, hreflang, Open Graph, X card and
    verification tags for one page."""
    settings = settings_for(store)
    tags: list[MetaTag] = []
    title = pages.document_title(store, page, settings)
    if title:
        tags.append(MetaTag(name="title", content=title))
    robots = pages.robots_content(page, settings)
    if robots:
        tags.append(MetaTag(name="robots", content=robots))
    tags += [MetaTag(name=name, content=content) for name, content in settings.verification_tags]
    if not pages.is_content(page):
        return tags
    if page.kind == "home":
        titles = () if settings.default_description else (
            c.title for c in iter_collections(store))
        description = pages.home_description(store, settings, titles)
    else:
        description = pages.description(store, page, settings)
    if description:
        tags.append(MetaTag(name="description", content=description))
    if page.canonical_url:
        if not robots:  # a canonical URL on a noindex page would send mixed signals
            tags.append(MetaTag(rel="canonical", href=page.canonical_url))
            tags += _alternates(page)
        tags += _social(store, page, settings, description)
    return tags


# ------------------------------------------------------------------------ JSON-LD


@hookimpl
def haat_structured_data(store: StoreInfo, page: PageContext) -> list[StructuredData]:
    """Product (with Offer and rating), BreadcrumbList, and on the home page the store
    (OnlineStore) and the WebSite (with a SearchAction when the store has search)."""
    if not pages.is_content(page):
        return []
    settings = settings_for(store)
    found = []
    if page.kind == "home":
        found += [structured.online_store(store, settings), structured.website(store, page)]
    if page.kind == "product" and page.product is not None:
        found.append(structured.product(store, page, page.product))
    crumbs = structured.breadcrumbs(page)
    if crumbs is not None:
        found.append(crumbs)
    return [StructuredData(data) for data in found]


# ------------------------------------------------------------------- crawler files


def _when(value: datetime | None) -> datetime | None:
    """Naive times (SQLite) are UTC; making them aware lets them be compared."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _newest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


#: What Flask's ``url_for`` leaves unescaped in a path segment (werkzeug's converters).
_SAFE = "!$&'()*+,/:;=@"


def _path(prefix: str, handle: str) -> str:
    """The storefront path of a handle, escaped exactly as the canonical URL is."""
    return f"/{prefix}/{quote(handle, safe=_SAFE)}"


@hookimpl
def haat_sitemap_entries(store: StoreInfo) -> list[SitemapEntry]:
    """The home page, every collection (and ``/collections/all``), every active product
    and every published page, each with its last change. Nothing while the merchant
    hides the whole store."""
    if settings_for(store).noindex_store:
        return []
    products: list[SitemapEntry] = []
    newest_in: dict[str, datetime] = {}
    newest_product = None
    for item in iter_products(store):
        changed = _when(item.updated_at)
        products.append(SitemapEntry(path=_path("products", item.handle), lastmod=changed))
        newest_product = _newest(newest_product, changed)
        for handle in item.collections:
            newest_in[handle] = _newest(newest_in.get(handle), changed)
    collections = [
        SitemapEntry(path=_path("collections", c.handle),
                     lastmod=_newest(_when(c.updated_at), newest_in.get(c.handle)))
        for c in iter_collections(store) if c.handle != "all"
    ]
    merchant_pages = [SitemapEntry(path=_path("pages", p.handle), lastmod=_when(p.updated_at))
                      for p in iter_pages(store)]
    everything: Iterable[SitemapEntry] = (*collections, *products, *merchant_pages)
    home = _newest(*(e.lastmod for e in everything))
    return [SitemapEntry(path="/", lastmod=home),
            *collections,
            SitemapEntry(path="/collections/all", lastmod=newest_product),
            *products, *merchant_pages]


@hookimpl
def haat_robots_rules(store: StoreInfo) -> list[RobotsRule]:
    """Accounts kept out, plus the merchant's own rules. A store hidden from search
    engines adds nothing here: crawlers must fetch its pages to read their noindex."""
    return [RobotsRule(disallow=EXTRA_DISALLOW), *settings_for(store).robots_rules]
