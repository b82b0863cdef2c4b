"""What the SEO plugin says about one storefront page: indexable or not, its title and
its description (with the fallbacks built from the page's content)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from core.sdk import PageContext, StoreInfo

from .settings import Settings
from .text import DESCRIPTION_LIMIT, TITLE_LIMIT, apply_pattern, squash, trim

#: Pages that are private or different for each shopper: never listed by search engines.
PRIVATE_KINDS = frozenset({"cart", "checkout", "search", "order", "account"})
PRIVATE_PATHS = ("/cart", "/checkout", "/search", "/orders/", "/account")
#: Pages that show the store's content; only these get a canonical URL and alternates.
CONTENT_KINDS = frozenset({"home", "collection", "product", "page"})

#: ``og:locale`` for each storefront language.
OG_LOCALES = {"en": "en_US", "bn": "bn_BD", "hy": "hy_AM"}


def is_private(page: PageContext) -> bool:
    return page.kind in PRIVATE_KINDS or page.path.startswith(PRIVATE_PATHS)


def is_missing(page: PageContext) -> bool:
    """A "not found" page rendered for a content URL (e.g. a product that is gone)."""
    if page.kind == "product":
        return page.product is None
    if page.kind == "page":
        return page.page is None
    if page.kind == "collection":
        return page.collection is None and page.path.rstrip("/") != "/collections/all"
    return False


def is_content(page: PageContext) -> bool:
    """A page that search engines should know: the home page, a collection, a product or
    one of the merchant's pages (not a private page, not a "not found" page)."""
    return page.kind in CONTENT_KINDS and not is_private(page) and not is_missing(page)


def listing_page_number(page: PageContext) -> int:
    """The page number of a collection's listing (1 unless its canonical URL says so)."""
    values = parse_qs(urlsplit(page.canonical_url).query).get("page", ["1"])
    try:
        return max(1, int(values[0]))
    except ValueError:
        return 1


def robots_content(page: PageContext, settings: Settings) -> str | None:
    """The ``<meta name="robots">`` content, or ``None`` for an indexable page."""
    if is_private(page):
        # Carts and search results are followed to products; orders and accounts are not.
        return "noindex" if page.kind in ("cart", "search") else "noindex, nofollow"
    if settings.noindex_store:
        return "noindex, nofollow"
    if is_missing(page):
        return "noindex"
    return None


def content_title(page: PageContext) -> str:
    """The name of what the page shows (product, collection, page) or the page's title."""
    for item in (page.product, page.collection, page.page):
        if item is not None and item.title:
            return squash(item.title)
    return squash(page.title)


def seo_title(page: PageContext) -> str:
    """The merchant's own search-engine title of the product shown ("" when not set)."""
    if page.kind == "product" and page.product is not None:
        return squash(page.product.seo_title)
    return ""


def document_title(store: StoreInfo, page: PageContext, settings: Settings) -> str | None:
    """The ``<title>`` for this page, or ``None`` to keep the theme's own. A product's
    own SEO title is used as written (no pattern: the merchant chose every word)."""
    if page.kind == "home":
        return trim(settings.home_title or store.name, TITLE_LIMIT)
    if seo_title(page):
        return seo_title(page)
    title = content_title(page)
    if not title or is_missing(page):
        return None
    if page.kind == "collection" and listing_page_number(page) > 1:
        return None  # the theme's title names the page number in the shopper's language
    return apply_pattern(settings.title_pattern, title, store.name)


def social_title(store: StoreInfo, page: PageContext, settings: Settings) -> str:
    """``og:title``: the product's or page's own name (the site name is separate)."""
    if page.kind == "home":
        return trim(settings.home_title or store.name, TITLE_LIMIT)
    return trim(seo_title(page) or content_title(page) or store.name, TITLE_LIMIT)


def _own_text(page: PageContext) -> str:
    if page.product is not None and page.product.seo_description:
        return page.product.seo_description
    if page.product is not None and page.product.description:
        return page.product.description
    if page.collection is not None and page.collection.description:
        return page.collection.description
    if page.page is not None and page.page.text:
        return page.page.text
    return page.description


def home_description(store: StoreInfo, settings: Settings,
                     collection_titles: Iterable[str] = ()) -> str:
    """The home page's description: the merchant's default description, else the
    store's name followed by its collections (what it sells)."""
    if settings.default_description:
        return trim(settings.default_description, DESCRIPTION_LIMIT)
    titles = [squash(t) for t in collection_titles if squash(t)]
    if not titles:
        return trim(store.name, DESCRIPTION_LIMIT)
    return trim(f"{squash(store.name)}: {', '.join(titles)}", DESCRIPTION_LIMIT)


def description(store: StoreInfo, page: PageContext, settings: Settings) -> str:
    """The meta description of a page other than home: the page's own text; else, for a
    product, collection or page without text, its name, where it belongs and the store's
    name, followed by the default description; else the default description ("" when
    there is none)."""
    own = squash(_own_text(page))
    if own:
        return trim(own, DESCRIPTION_LIMIT)
    title = content_title(page)
    if page.kind in ("product", "collection", "page") and title and not is_missing(page):
        pieces = [title]
        if page.product is not None and page.product.collection_titles:
            pieces.append(page.product.collection_titles[0])
        pieces.append(store.name)
        summary = " · ".join(squash(p) for p in pieces if squash(p))
        if settings.default_description:
            summary = f"{summary}. {settings.default_description}"
        return trim(summary, DESCRIPTION_LIMIT)
    return trim(settings.default_description, DESCRIPTION_LIMIT)


def og_locale(locale: str) -> str:
    return OG_LOCALES.get(locale, locale)
