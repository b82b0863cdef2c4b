"""Changing products from values that were already checked: create, update, delete,
variants, collections and images.

Callers (the admin's product form, scripts) parse and validate what was typed; the
functions here only turn values into rows. They flush but never commit, so the caller
decides what one unit of work is. Image files are written before the rows (a row must
never point at a missing file) and removed after the commit that dropped their rows.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core.catalog.handles import handle_from_title, unique_handle
from core.catalog.images import ImageRejected, StoredImage, delete_image, store_image
from core.catalog.models import (
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
    StagedImage,
)
from core.catalog.richtext import sanitize_editor_html
from core.catalog.variants import sync_from_variants
from core.db import db
from core.storage import Storage

#: The most option names (e.g. Size, Colour, Material) a product can have.
MAX_OPTIONS = 3
#: The most variants one product can have.
MAX_VARIANTS = 100
#: Where product images live inside a store's storage.
IMAGE_FOLDER = "products"

# The same test core.catalog.richtext uses to tell HTML from plain text.
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/]")
_STEM_PART = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class VariantValues:
    """One variant as it should be; ``id`` is an existing variant of the product to
    update, ``None`` for a new one."""

    id: int | None
    options: tuple[str, str, str]
    sku: str | None
    price: int
    compare_at: int | None
    stock: int
    weight: int | None
    #: The photo shown for this variant: an image of this product (its id), or one of
    #: the staged images saved with it (``staged_image_id``); both ``None``: no photo.
    image_id: int | None = None
    staged_image_id: int | None = None


@dataclass(frozen=True)
class ImageChange:
    """New alt text and position of an existing image of the product."""

    id: int
    alt: str
    position: int


@dataclass(frozen=True)
class StagedChoice:
    """A staged image (:class:`~core.catalog.models.StagedImage`) to add to the product,
    with its alt text and its position among all the product's images."""

    id: int
    alt: str
    position: int


@dataclass(frozen=True)
class ProductValues:
    """A product's checked values. An empty ``handle`` is made from the title. With
    ``variants``, the product's price, compare-at price and stock come from them."""

    title: str
    handle: str
    description: str
    price: int
    compare_at: int | None
    sku: str | None
    stock: int
    weight: int
    status: str
    tags: str
    video_url: str
    seo_title: str
    seo_description: str
    option_names: tuple[str, ...] = ()
    variants: tuple[VariantValues, ...] = ()
    collection_ids: frozenset[int] = frozenset()
    image_changes: tuple[ImageChange, ...] = ()
    staged_images: tuple[StagedChoice, ...] = ()


@dataclass(frozen=True)
class ImageFiles:
    """The files of one stored image, to remove once its row is gone."""

    storage_key: str
    widths: tuple[int, ...]


@dataclass
class Uploads:
    """Images stored for one save, and the merchant-facing reason for each rejected one."""

    stored: list[tuple[StoredImage, str]] = field(default_factory=list)  # (image, alt)
    rejected: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- pure helpers


def clean_description(text: str) -> str:
    """HTML from the editor, sanitised (the editor's own markup turned into what themes
    style); plain text (paragraphs) is kept as typed."""
    text = text.strip()
    return sanitize_editor_html(text) if _LOOKS_LIKE_HTML.search(text) else text


def join_tags(raw: str) -> str:
    """``" eid , Gift,eid "`` -> ``"eid, Gift"``: trimmed, empty ones and repeats
    (in any case) dropped, first spelling kept."""
    seen: set[str] = set()
    tags: list[str] = []
    for tag in raw.split(","):
        tag = " ".join(tag.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return ", ".join(tags)


# ------------------------------------------------------------- store lookups


def handle_taken(handle: str, product_id: int | None) -> bool:
    """True when another product of the store uses ``handle``."""
    query = select(Product.id).where(Product.handle == handle)
    if product_id is not None:
        query = query.where(Product.id != product_id)
    return db.session.scalar(query.limit(1)) is not None


def taken_skus(skus: Iterable[str], product_id: int | None) -> set[str]:
    """Those of ``skus`` another product of the store, or a variant of another product,
    already uses (two statements)."""
    wanted = sorted(set(skus))
    if not wanted:
        return set()
    products = select(Product.sku).where(Product.sku.in_(wanted))
    variants = select(ProductVariant.sku).where(ProductVariant.sku.in_(wanted))
    if product_id is not None:
        products = products.where(Product.id != product_id)
        variants = variants.where(ProductVariant.product_id != product_id)
    return {s for s in db.session.scalars(products)} | {s for s in db.session.scalars(variants)}


# ------------------------------------------------------------------- saving


def save_product(product: Product | None, values: ProductValues,
                 staged: Mapping[int, StagedImage] | None = None) -> Product:
    """Create a product (``product`` is ``None``) or update one from ``values``; flushed,
    not committed. Variants not in ``values`` are deleted (orders keep their copies).

    ``staged`` holds the store's staged images by id; those ``values.staged_images``
    names become the product's images (same files) and their staged rows are deleted.
    A choice whose staged image is missing is skipped."""
    # The handle first: its query would flush a new, still incomplete product.
    handle = values.handle or unique_handle(Product, handle_from_title(values.title, "product"),
                                            exclude_id=product.id if product else None)
    if product is None:
        product = Product()
        db.session.add(product)
    product.title = values.title
    product.handle = handle
    product.description = values.description
    product.sku = values.sku
    product.price_amount = values.price
    product.compare_at_amount = values.compare_at
    product.stock = values.stock
    product.weight_grams = values.weight
    product.status = values.status
    product.tags = values.tags
    product.video_url = values.video_url
    product.seo_title = values.seo_title
    product.seo_description = values.seo_description
    product.option_names = ",".join(values.option_names) if values.variants else ""
    db.session.flush()  # the new product needs its id for the rows below
    _apply_memberships(product, values.collection_ids)
    added = _apply_images(product, values.image_changes, values.staged_images, staged or {})
    _apply_variants(product, values.variants, added)
    sync_from_variants(product)
    db.session.flush()
    return product


def _apply_memberships(product: Product, wanted: frozenset[int]) -> None:
    current = {m.collection_id: m for m in product.memberships}
    for collection_id, membership in current.items():
        if collection_id not in wanted:
            product.memberships.remove(membership)
    added = sorted(wanted - current.keys())
    if not added:
        return
    # A product added to a collection goes to its end.
    last = {collection_id: position for collection_id, position in db.session.execute(
        select(CollectionProduct.collection_id, func.max(CollectionProduct.position))
        .where(CollectionProduct.collection_id.in_(added))
        .group_by(CollectionProduct.collection_id))}
    for collection_id in added:
        position = last.get(collection_id)
        product.memberships.append(CollectionProduct(
            collection_id=collection_id, position=0 if position is None else position + 1))


def _apply_variants(product: Product, rows: Sequence[VariantValues],
                    added: Mapping[int, ProductImage]) -> None:
    """Update kept variants in place (their ids stay, so carts keep working), add new
    ones and delete the rest, without ever tripping the one-row-per-combination rule.
    ``added`` maps staged image ids to the images just made of them; a photo that is
    not one of the product's images is dropped."""
    images = {image.id: image for image in product.images if image.id is not None}
    existing = {v.id: v for v in product.variants}
    kept = {row.id for row in rows if row.id in existing}
    for variant in list(product.variants):
        if variant.id not in kept:
            product.variants.remove(variant)
    # Deletions first: a new row may take a deleted row's combination.
    db.session.flush()
    renamed = [existing[row.id] for row in rows
               if row.id in kept and _options(existing[row.id]) != row.options]
    if renamed:
        # Two rows may swap combinations (S <-> M): park them on unique values first.
        for variant in renamed:
            variant.option1, variant.option2, variant.option3 = f"~{variant.id}~", "", ""
        db.session.flush()
    ordered: list[ProductVariant] = []
    for position, row in enumerate(rows):
        variant = existing[row.id] if row.id in kept else ProductVariant()
        variant.option1, variant.option2, variant.option3 = row.options
        variant.sku = row.sku
        variant.price_amount = row.price
        variant.compare_at_amount = row.compare_at
        variant.stock = row.stock
        variant.weight_grams = row.weight
        variant.position = position
        variant.image = (added.get(row.staged_image_id) if row.staged_image_id is not None
                         else images.get(row.image_id) if row.image_id is not None else None)
        ordered.append(variant)
    product.variants = ordered


def _options(variant: ProductVariant) -> tuple[str, str, str]:
    return (variant.option1 or "", variant.option2 or "", variant.option3 or "")


def _apply_images(product: Product, changes: Sequence[ImageChange],
                  choices: Sequence[StagedChoice],
                  staged: Mapping[int, StagedImage]) -> dict[int, ProductImage]:
    """Alt texts and positions of the product's images, and the staged images added
    among them; returns the new images by staged id."""
    by_id = {change.id: change for change in changes}
    images = list(product.images)
    for image in images:
        change = by_id.get(image.id)
        if change is not None:
            image.alt = change.alt
            image.position = change.position
    added: dict[int, ProductImage] = {}
    for choice in choices:
        row = staged.get(choice.id)
        if row is None or choice.id in added:
            continue
        image = ProductImage(storage_key=row.storage_key, alt=choice.alt, width=row.width,
                             height=row.height, widths=row.widths, position=choice.position,
                             processing=row.processing)
        added[choice.id] = image
        images.append(image)
        db.session.delete(row)
    # Renumber 0, 1, 2…; equal positions keep their current order (the images already
    # saved first, then the added ones in the order chosen).
    ranked = sorted(enumerate(images), key=lambda pair: (pair[1].position, pair[0]))
    for position, (_index, image) in enumerate(ranked):
        image.position = position
    product.images = [image for _index, image in ranked]
    return added


# ------------------------------------------------------------------- images


def image_stem(handle: str) -> str:
    """A fresh storage stem such as ``products/blue-kantha-3f2a9c1b``: never reused,
    so cached copies of a deleted image can never show a new one."""
    base = _STEM_PART.sub("-", handle.lower()).strip("-")[:60] or "image"
    return f"{IMAGE_FOLDER}/{base}-{secrets.token_hex(4)}"


def store_uploads(storage: Storage, tenant_id: int, handle: str,
                  files: Sequence[tuple[str, bytes]], *, max_bytes: int | None = None,
                  ) -> Uploads:
    """Validate and store each ``(file name, data)``; a rejected file gets a message
    naming it. The alt text of a stored image starts empty."""
    result = Uploads()
    limits = {"max_bytes": max_bytes} if max_bytes is not None else {}
    for name, data in files:
        try:
            stored = store_image(storage, tenant_id, data, stem=image_stem(handle), **limits)
        except ImageRejected as exc:
            result.rejected.append(f"{name}: {exc}" if name else str(exc))
            continue
        result.stored.append((stored, ""))
    return result


def discard_uploads(storage: Storage, tenant_id: int, uploads: Uploads) -> None:
    """Remove the files of ``uploads`` (a save that failed after storing them)."""
    remove_files(storage, tenant_id,
                 [ImageFiles(s.storage_key, s.widths) for s, _alt in uploads.stored])


def attach_images(product: Product, uploads: Uploads) -> None:
    """Add the stored images after the product's existing ones."""
    position = max((image.position for image in product.images), default=-1) + 1
    for offset, (stored, alt) in enumerate(uploads.stored):
        product.images.append(ProductImage(
            storage_key=stored.storage_key, alt=alt, width=stored.width,
            height=stored.height, position=position + offset,
            widths=",".join(str(w) for w in stored.widths)))
    db.session.flush()


def delete_product_image(image: ProductImage) -> ImageFiles:
    """Delete one image row; returns its files, to remove after the commit."""
    files = ImageFiles(image.storage_key, image.width_list)
    product = image.product
    for variant in product.variants:  # the database's ON DELETE SET NULL, in the session
        if variant.image_id == image.id:
            variant.image = None
    product.images.remove(image)
    for position, other in enumerate(product.images):
        other.position = position
    db.session.flush()
    return files


def delete_product(product: Product) -> list[ImageFiles]:
    """Delete a product with its variants, images and collection places; returns the
    image files to remove after the commit. Orders keep their lines (a copy)."""
    files = [ImageFiles(image.storage_key, image.width_list) for image in product.images]
    db.session.delete(product)
    db.session.flush()
    return files


def remove_files(storage: Storage, tenant_id: int, files: Iterable[ImageFiles]) -> None:
    """Remove stored image files and their renditions, except those another product still
    shows (a CSV import may point two products at one file); missing ones are fine."""
    files = list(files)
    still_shown = set(db.session.scalars(select(ProductImage.storage_key).where(
        ProductImage.storage_key.in_([item.storage_key for item in files]))))
    for item in files:
        if item.storage_key not in still_shown:
            delete_image(storage, tenant_id, item.storage_key, item.widths)
