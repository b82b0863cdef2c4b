"""The product page's reviews: the stars under the title, the reviews section, the
reviews' JSON-LD and the stylesheet.

Product pages are cached whole and served to every shopper, so nothing here depends on
who is looking; ``aggregates.refresh`` (through ``publish_ratings``) and
``pages_changed`` make the cached pages render again when reviews change.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import render_template, url_for

from core.sdk import (
    Asset,
    Markup,
    PageContext,
    SitemapEntry,
    SlotContent,
    StoreInfo,
    StructuredData,
    hookimpl,
)

from . import display_data as data
from .display import list_url, write_url
from .display_text import _

PLUGIN = "reviews"
SCHEMA = "https://schema.org"


def _shown_rating(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def title_slot(page: PageContext) -> SlotContent | None:
    """"4.6 ★★★★★ (12 reviews)" linking to the section; nothing without reviews. Reads
    the product's figures, so it costs no query."""
    product = page.product
    if product is None or product.review_count <= 0 or product.rating is None:
        return None
    return SlotContent(html=Markup(render_template(
        "reviews/show_title.html", t=_, rating=_shown_rating(product.rating),
        count=product.review_count)), css_class="rv-title-slot")


def section_slot(store: StoreInfo, page: PageContext) -> SlotContent | None:
    """The reviews section (figures, distribution, photos, newest reviews, links), or
    an invitation to write the first review."""
    product = page.product
    if product is None:
        return None
    # A product without reviews costs no query: its published count says so.
    summary = data.product_summary(store, product.id) if product.review_count > 0 else None
    return SlotContent(html=Markup(render_template(
        "reviews/show_section.html", t=_, summary=summary,
        all_url=list_url(product.handle), write_url=write_url(product.handle))))


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """The stars under a product's title, the reviews under its description, and a
    link to the customer wall in the footer once the merchant has chosen reviews."""
    if name == "footer":
        return (SlotContent(text=_("What our customers say"), url="/reviews",
                            css_class="reviews-wall-link")
                if data.wall_has_reviews(store) else None)
    if page.kind != "product":
        return None
    if name == "product_after_title":
        return title_slot(page)
    if name == "product_after_description":
        return section_slot(store, page)
    return None


def review_items(store: StoreInfo, page: PageContext) -> list[dict[str, Any]]:
    """schema.org ``Review`` objects for the reviews the product page shows.

    Each names the product it reviews by the SEO plugin's ``@id`` for the page's
    Product (``<canonical URL>#product``) and also carries its name, so it is valid
    whether or not the SEO plugin writes the Product itself."""
    product = page.product
    if product is None or product.review_count <= 0:
        return []
    summary = data.product_summary(store, product.id)
    if summary is None:
        return []
    url = page.canonical_url or store.url(f"products/{product.handle}")
    items = []
    for review in summary.reviews:
        item: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "Review",
            "itemReviewed": {"@type": "Product", "@id": f"{url}#product",
                             "name": product.title, "url": url},
            "author": {"@type": "Person",
                       "name": review.author_name if review.author_name and not review.anonymous
                       else _("Anonymous")},
            "reviewRating": {"@type": "Rating", "ratingValue": review.rating,
                             "bestRating": 5, "worstRating": 1},
            "datePublished": (review.published_at or review.created_at).date().isoformat(),
        }
        if review.title:
            item["name"] = review.title
        if review.body:
            item["reviewBody"] = review.body
        if review.locale:
            item["inLanguage"] = review.locale
        items.append(item)
    return items


@hookimpl
def haat_structured_data(store: StoreInfo, page: PageContext) -> list[StructuredData]:
    """The shown reviews as JSON-LD on product pages."""
    if page.kind != "product":
        return []
    return [StructuredData(item) for item in review_items(store, page)]


@hookimpl
def haat_assets(store: StoreInfo, page: PageContext) -> list[Asset]:
    """The reviews' stylesheet on product pages and the plugin's own pages."""
    if page.kind == "product" or (page.kind == "plugin" and page.plugin == PLUGIN):
        return [Asset("css", url_for("reviews.static", filename="show.css"))]
    return []


@hookimpl
def haat_sitemap_entries(store: StoreInfo) -> list[SitemapEntry]:
    """The customer wall, while it has reviews, and each reviewed product's review
    list (their sorted and filtered views are ``noindex``)."""
    entries = [SitemapEntry(path="/reviews", changefreq="weekly")] \
        if data.wall_has_reviews(store) else []
    for handle, changed in data.reviewed_products(store):
        entries.append(SitemapEntry(path=list_url(handle), lastmod=changed,
                                    changefreq="weekly"))
    return entries
