"""The SDK's read-only views of catalogue rows (what plugins receive)."""

from __future__ import annotations

from collections.abc import Callable

from core.catalog.images import rendition_key
from core.catalog.models import Collection, Product, ProductImage, ProductVariant
from core.catalog.richtext import html_to_text
from core.money import Money
from core.pages.models import Page
from core.sdk import (
    CollectionSnapshot,
    ImageSnapshot,
    PageSnapshot,
    ProductSnapshot,
    VariantSnapshot,
)


def product_snapshot(product: Product, currency: str,
                     media_url: Callable[[str], str]) -> ProductSnapshot:
    """``product`` as plugins see it; ``media_url`` turns a storage key into an absolute URL.

    Load ``images``, ``variants`` and ``memberships.collection`` eagerly when calling
    this for many products.
    """
    variants = product.variants
    images = tuple(image_snapshot(image, media_url) for image in product.images)
    by_id = {image.id: snapshot for image, snapshot in zip(product.images, images, strict=True)}
    return ProductSnapshot(
        id=product.id, handle=product.handle, title=product.title,
        description=html_to_text(product.description),
        price=Money(product.price_amount, currency),
        compare_at_price=(Money(product.compare_at_amount, currency)
                          if product.compare_at_amount else None),
        stock=product.stock, status=product.status, sku=product.sku,
        tags=tuple(t.strip() for t in product.tags.split(",") if t.strip()),
        collections=tuple(m.collection.handle for m in product.memberships),
        collection_titles=tuple(m.collection.title for m in product.memberships),
        image_urls=tuple(media_url(image.storage_key) for image in product.images),
        created_at=product.created_at, updated_at=product.updated_at,
        variant_titles=tuple(v.title for v in variants),
        variant_skus=tuple(v.sku for v in variants if v.sku),
        seo_title=product.seo_title or "", seo_description=product.seo_description or "",
        images=images,
        variants=tuple(variant_snapshot(v, currency, product.weight_grams or 0,
                                        by_id.get(v.image_id) if v.image_id else None)
                       for v in variants),
        option_names=tuple(product.option_labels) if variants else (),
        weight_grams=product.weight_grams or 0,
        rating=product.rating if product.review_count else None,
        review_count=product.review_count or 0,
    )


def image_snapshot(image: ProductImage, media_url: Callable[[str], str]) -> ImageSnapshot:
    """A photo and its resized copies (the JPEG/PNG ones; WebP stays the theme's)."""
    return ImageSnapshot(
        url=media_url(image.storage_key), alt=image.alt or "", width=image.width or 0,
        height=image.height or 0,
        sizes=tuple((w, media_url(rendition_key(image.storage_key, w, "original")))
                    for w in sorted(set(image.width_list))))


def variant_snapshot(variant: ProductVariant, currency: str, product_weight: int,
                     image: ImageSnapshot | None = None) -> VariantSnapshot:
    """One variant; its weight falls back to the product's, as the cart's does.
    ``image`` is the snapshot of its photo (one of the product's)."""
    return VariantSnapshot(
        id=variant.id, title=variant.title,
        options=tuple(o for o in (variant.option1, variant.option2, variant.option3) if o),
        price=Money(variant.price_amount, currency),
        compare_at_price=(Money(variant.compare_at_amount, currency)
                          if variant.compare_at_amount else None),
        stock=variant.stock, sku=variant.sku or None,
        weight_grams=(variant.weight_grams if variant.weight_grams is not None
                      else product_weight),
        image=image)


def collection_snapshot(collection: Collection) -> CollectionSnapshot:
    return CollectionSnapshot(id=collection.id, handle=collection.handle,
                              title=collection.title, description=collection.description,
                              updated_at=collection.updated_at)


def page_snapshot(page: Page) -> PageSnapshot:
    return PageSnapshot(id=page.id, handle=page.handle, title=page.title,
                        text=html_to_text(page.body), updated_at=page.updated_at)
