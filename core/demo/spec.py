"""Shapes of the demo catalogue data: plain data, no database code.

The catalogues in ``core/demo/catalogues/`` fill these in; ``core.demo.loader``
turns them into stores, collections, products and images.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoVariant:
    """One option combination of a product, e.g. ("M", "Indigo")."""

    options: tuple[str, ...]
    price: str
    stock: int
    sku: str = ""


@dataclass(frozen=True)
class DemoProduct:
    """One product as a shopper would see it in the demo store."""

    title: str
    handle: str  # ASCII, lowercase, hyphenated; unique within its store
    description: str  # plain text paragraphs separated by blank lines, in the store's language
    price: str  # decimal string in the store's currency, e.g. "1250.00" (never a float)
    stock: int  # 0 means out of stock; 1..5 counts as low stock
    collections: tuple[str, ...]  # handles of DemoCollection entries of the same store
    sku: str = ""
    compare_at_price: str | None = None  # a higher "was" price, as a decimal string
    tags: tuple[str, ...] = ()
    option_names: tuple[str, ...] = ()  # e.g. ("Size", "Colour") when there are variants
    variants: tuple[DemoVariant, ...] = ()
    video_url: str = ""


@dataclass(frozen=True)
class DemoCollection:
    """A category of products, e.g. 'Nakshi kantha' or 'Poetry'."""

    title: str
    handle: str  # ASCII, lowercase, hyphenated
    description: str = ""


@dataclass(frozen=True)
class DemoStore:
    """A whole demo store: identity, locale, currency, catalogue and owner."""

    slug: str
    name: str
    locale: str  # "bn", "hy" or "en"
    currency: str  # ISO 4217: "BDT", "AMD", "USD"
    tagline: str
    contact_email: str
    contact_phone: str
    address: str
    owner_email: str
    collections: tuple[DemoCollection, ...]
    products: tuple[DemoProduct, ...]
    bengali_digits: bool = False
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # handle -> (title, body)
    theme: str = "default"
    theme_settings: dict[str, object] = field(default_factory=dict)
    #: Checkout plugins to switch on, with their settings as the admin form would send
    #: them (checked by the same validation, so a bad demo value fails loudly).
    plugins: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Coupon codes: code -> (kind, value as typed, minimum subtotal as typed or "").
    coupons: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: IANA time zone: the admin's "today" and the dashboard's days follow it.
    timezone: str = "UTC"
    #: ISO 3166-1 alpha-2 code of the country the store sells from ("" for not set).
    country: str = ""
