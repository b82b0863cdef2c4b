"""JSON-LD (schema.org) for storefront pages: Product with its Offer, BreadcrumbList,
the store as an OnlineStore, and the WebSite with its search box."""

from __future__ import annotations

from typing import Any

from core.sdk import Money, PageContext, ProductSnapshot, StoreInfo

from .settings import Settings

SCHEMA = "https://schema.org"
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"
NEW_CONDITION = "https://schema.org/NewCondition"
#: Search engines read the start of a description; the rest only makes pages heavier.
MAX_DESCRIPTION = 5000


def price_text(money: Money) -> str:
    """The price as schema.org wants it: a plain number with the currency's decimals."""
    return f"{money.to_decimal():f}"


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without empty values (schema.org prefers a missing field to an empty one)."""
    return {k: v for k, v in data.items() if v not in (None, "", [], (), {})}


def product(store: StoreInfo, page: PageContext, item: ProductSnapshot) -> dict[str, Any]:
    url = page.canonical_url or store.url(f"products/{item.handle}")
    offer = {
        "@type": "Offer",
        "url": url,
        "price": price_text(item.price),
        "priceCurrency": item.price.currency,
        "availability": IN_STOCK if item.in_stock else OUT_OF_STOCK,
        "itemCondition": NEW_CONDITION,
        "seller": {"@type": "Organization", "name": store.name},
    }
    data = {
        "@context": SCHEMA,
        "@type": "Product",
        "@id": f"{url}#product",
        "name": item.title,
        "url": url,
        "description": item.description[:MAX_DESCRIPTION],
        "image": list(item.image_urls),
        "sku": item.sku or "",
        "brand": {"@type": "Brand", "name": store.name},
        "category": item.collection_titles[0] if item.collection_titles else "",
        "offers": offer,
    }
    if item.review_count > 0 and item.rating is not None:
        data["aggregateRating"] = {"@type": "AggregateRating",
                                   "ratingValue": f"{item.rating:f}",
                                   "reviewCount": item.review_count,
                                   "bestRating": "5", "worstRating": "1"}
    return _compact(data)


def breadcrumbs(page: PageContext) -> dict[str, Any] | None:
    if len(page.breadcrumbs) < 2:
        return None
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(page.breadcrumbs, start=1)
        ],
    }


def home_url(store: StoreInfo) -> str:
    return store.url("/")


def online_store(store: StoreInfo, settings: Settings) -> dict[str, Any]:
    """The store as an ``OnlineStore`` (a kind of ``Organization``) with its contacts."""
    home = home_url(store)
    address = ({"@type": "PostalAddress", "streetAddress": store.address.strip()}
               if store.address.strip() else None)
    same_as = ([f"https://x.com/{settings.twitter_handle.lstrip('@')}"]
               if settings.twitter_handle else [])
    return _compact({
        "@context": SCHEMA,
        "@type": "OnlineStore",
        "@id": f"{home}#store",
        "name": store.name,
        "url": home,
        "email": store.contact_email.strip(),
        "telephone": store.contact_phone.strip(),
        "address": address,
        "image": settings.social_image,
        "sameAs": same_as,
    })


def website(store: StoreInfo, page: PageContext) -> dict[str, Any]:
    """The ``WebSite``; with a ``SearchAction`` (the search box in results) only when
    the store has search."""
    home = home_url(store)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": store.name,
        "url": home,
        "inLanguage": page.default_locale or store.locale,
        "publisher": {"@id": f"{home}#store"},
    }
    if page.search_enabled:
        data["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint",
                       "urlTemplate": f"{home}search?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        }
    return data
