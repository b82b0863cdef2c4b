"""The catalogue as plugins see it: products, collections and the merchant's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.money import Money

__all__ = ["CollectionSnapshot", "ImageSnapshot", "PageSnapshot", "ProductSnapshot",
           "VariantSnapshot"]


@dataclass(frozen=True)
class ImageSnapshot:
    """One photo of a product, with the resized copies Haat made of it."""

    #: Absolute URL of the photo as uploaded (full size).
    url: str
    #: The merchant's description of the photo for screen readers; ``""`` when none
    #: (use the product's title then).
    alt: str = ""
    #: The uploaded photo's width in pixels; ``0`` when unknown (older uploads).
    width: int = 0
    #: The uploaded photo's height in pixels; ``0`` when unknown.
    height: int = 0
    #: ``(width in pixels, absolute URL)`` of each resized copy in the photo's own format
    #: (JPEG or PNG), narrowest first; never wider than the original. Empty when Haat made
    #: none (then use ``url``).
    sizes: tuple[tuple[int, str], ...] = ()

    def url_for_width(self, width: int) -> str:
        """The URL of the narrowest copy at least ``width`` pixels wide (CSS pixels times
        the screen's density), else of the widest copy, else of the original."""
        for size, url in self.sizes:
            if size >= width:
                return url
        return self.sizes[-1][1] if self.sizes else self.url

    @property
    def srcset(self) -> str:
        """The copies as an ``<img srcset>`` value (``"https://…-160.jpg 160w, …"``);
        ``""`` when there are none."""
        return ", ".join(f"{url} {size}w" for size, url in self.sizes)


@dataclass(frozen=True)
class VariantSnapshot:
    """One variant of a product (a size, a colour): what a shopper actually buys.

    To put a variant in the cart, post ``product_id`` and ``variant_id`` (this ``id``)
    with ``quantity`` to the storefront's ``/cart/add``.
    """

    #: Haat's id of the variant; unique across all stores. It stays the same when the
    #: merchant edits the product.
    id: int
    #: The option values joined by ``" / "``: ``"M / Indigo"``.
    title: str
    #: The option values in the product's option order (``("M", "Indigo")``); their names
    #: are ``ProductSnapshot.option_names``.
    options: tuple[str, ...]
    #: The price of one item of this variant, in the store's currency.
    price: Money
    #: The variant's struck-through "was" price; ``None`` when it has none.
    compare_at_price: Money | None = None
    #: Items of this variant that can be sold now, never negative.
    stock: int = 0
    #: The merchant's stock-keeping code of the variant; ``None`` when it has none.
    sku: str | None = None
    #: The weight of one item in grams: the variant's own, else the product's; ``0`` when
    #: neither is known.
    weight_grams: int = 0
    #: The photo the merchant chose for this variant, shown as the main one when a
    #: shopper chooses it: one of ``ProductSnapshot.images`` (the same values); ``None``
    #: when it has none (then show the product's first image).
    image: ImageSnapshot | None = None

    @property
    def in_stock(self) -> bool:
        """True when at least one item of this variant can be sold: ``stock > 0``."""
        return self.stock > 0


@dataclass(frozen=True)
class ProductSnapshot:
    """A product as plugins see it: a read-only copy taken when the hook was called.

    Lifecycle hooks (``haat_product_saved``), the product page's ``PageContext.product``
    and the read functions (:func:`core.sdk.iter_products`, :func:`core.sdk.get_products`)
    all give this. A product with variants (sizes, colours) is one snapshot: ``price``
    and ``stock`` summarise its variants.
    """

    #: Haat's id of the product; unique across all stores.
    id: int
    #: The product's address in the store, ``/products/<handle>``; unique in the store.
    #: The merchant may change it (the old address then redirects to the new one).
    handle: str
    #: The product's name, as the merchant wrote it.
    title: str
    #: The merchant's description as plain text: tags removed, entities decoded,
    #: whitespace (paragraphs too) collapsed to single spaces; ``""`` when there is none.
    description: str
    #: The price of one item, in the store's currency. With variants, the lowest
    #: variant price (what listings show as "from").
    price: Money
    #: The "was" price shown struck through next to ``price``; ``None`` when the merchant
    #: set none. With variants, that of the cheapest variant.
    compare_at_price: Money | None
    #: Items that can be sold now, never negative. With variants, the sum over all
    #: variants. Placing an order takes its items off; cancelling or returning the order
    #: puts them back; carts reserve nothing.
    stock: int
    #: ``"active"`` (on sale and shown to shoppers) or ``"draft"`` (hidden from shoppers).
    status: str
    #: The merchant's stock-keeping code for the product itself; ``None`` when it has
    #: none. Variants' codes are in ``variant_skus``.
    sku: str | None = None
    #: The merchant's tags, trimmed, in the order typed; empty when there are none.
    tags: tuple[str, ...] = ()
    #: The handles of the collections the product is in, in no particular order;
    #: ``collection_titles`` gives their titles in the same order.
    collections: tuple[str, ...] = ()
    #: Absolute URLs of the product's full-size images, in the merchant's order (the
    #: first is the main image); empty when the product has none.
    image_urls: tuple[str, ...] = ()
    #: When the product was created, in UTC (naive on SQLite: read it as UTC).
    #: ``None`` only in snapshots built by hand.
    created_at: datetime | None = None
    #: When the product was last changed, in UTC like ``created_at``.
    updated_at: datetime | None = None
    #: The titles of the collections in ``collections``, in the same order.
    collection_titles: tuple[str, ...] = ()
    #: Each variant's option values joined by ``" / "`` (``"M / Indigo"``), in the
    #: merchant's order; empty for a product without variants.
    variant_titles: tuple[str, ...] = ()
    #: The codes of the variants that have one (so not aligned with
    #: ``variant_titles``); empty when none has.
    variant_skus: tuple[str, ...] = ()
    #: The average review rating, from 1 to 5, to two places; ``None`` when there are no
    #: reviews. It comes from the plugins that review products (such as the first-party
    #: ``reviews``) through :func:`core.sdk.publish_ratings`, combined over those the
    #: store has on.
    rating: Decimal | None = None
    #: How many reviews ``rating`` averages; ``0`` when there are none.
    review_count: int = 0
    #: The merchant's title for search engines; ``""`` means "not set" (use ``title``).
    seo_title: str = ""
    #: The merchant's description for search engines; ``""`` means "not set" (use
    #: ``description``).
    seo_description: str = ""
    #: The product's photos in the merchant's order (the first is the main one), each
    #: with its resized copies for lists and thumbnails; same order as ``image_urls``.
    images: tuple[ImageSnapshot, ...] = ()
    #: The product's variants in the merchant's order; empty for a product without
    #: variants (then add ``id`` to the cart with no ``variant_id``).
    variants: tuple[VariantSnapshot, ...] = ()
    #: The names of the product's options (``("Size", "Colour")``), the order of
    #: ``VariantSnapshot.options``; empty for a product without variants.
    option_names: tuple[str, ...] = ()
    #: The weight of one item in grams when the product has no variants (variants carry
    #: their own); ``0`` when unknown.
    weight_grams: int = 0

    @property
    def in_stock(self) -> bool:
        """True when at least one item (of any variant) can be sold: ``stock > 0``."""
        return self.stock > 0


@dataclass(frozen=True)
class CollectionSnapshot:
    """A collection (a group of products, such as a category) as plugins see it."""

    #: Haat's id of the collection; unique across all stores.
    id: int
    #: The collection's address, ``/collections/<handle>``; unique in the store (``all``
    #: is reserved for the whole catalogue). A changed handle redirects.
    handle: str
    #: The collection's name, as the merchant wrote it.
    title: str
    #: The merchant's description as sanitised HTML (not plain text, unlike
    #: ``ProductSnapshot.description``); ``""`` when there is none.
    description: str = ""
    #: When the collection was last changed, in UTC (naive on SQLite: read it as UTC);
    #: ``None`` only in snapshots built by hand.
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PageSnapshot:
    """A page the merchant wrote (``/pages/<handle>``), such as "About us" or "Returns"."""

    #: Haat's id of the page; unique across all stores.
    id: int
    #: The page's address, ``/pages/<handle>``; unique in the store. A changed handle
    #: redirects.
    handle: str
    #: The page's title, as the merchant wrote it.
    title: str
    #: The page's body as plain text (tags removed, whitespace collapsed); ``""`` when
    #: the page is empty.
    text: str = ""
    #: When the page was last changed, in UTC (naive on SQLite: read it as UTC);
    #: ``None`` only in snapshots built by hand.
    updated_at: datetime | None = None




@dataclass(frozen=True)
class RatingSummary:
    """A product's rating as a plugin publishes it (:func:`core.sdk.publish_ratings`):
    the average of the reviews shoppers can see, and how many there are."""

    #: The average rating, from 1 to 5 (any precision; Haat keeps two places).
    average: Decimal
    #: How many reviews ``average`` is taken over; at least 1.
    count: int

    def __post_init__(self) -> None:
        if not isinstance(self.average, Decimal) or not Decimal(1) <= self.average <= 5:
            raise ValueError(f"average must be a Decimal from 1 to 5, not {self.average!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"count must be an int of at least 1, not {self.count!r}")


@dataclass(frozen=True)
class UploadedImage:
    """A photo a plugin stored with :func:`core.sdk.save_image`: checked, turned upright,
    stripped of its metadata (GPS positions, camera serial numbers) and resized, exactly
    as product photos are. Keep its four fields in your table; give them back to
    :func:`core.sdk.image_url`, :func:`core.sdk.image_srcset` and
    :func:`core.sdk.delete_image`."""

    #: Where the original is kept, inside the store's own media folder
    #: (``"plugins/reviews/3f2a9c.jpg"``).
    key: str
    #: The original's width in pixels.
    width: int
    #: The original's height in pixels.
    height: int
    #: The widths of the resized copies written, ascending (never empty). Each exists as
    #: WebP and in the original's format.
    widths: tuple[int, ...]
