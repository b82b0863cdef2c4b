"""The Haat plugin SDK: the one module a plugin author imports.

Everything here is a stable, documented contract: the ``hookimpl`` marker, the
manifest and settings field types, the data types that hooks receive and return, the
provider protocols (payment gateway, search backend, shipping carrier) and the errors
a checkout-path plugin may raise. Everything else in Haat is private and may change.

A minimal plugin::

    from core.sdk import PluginManifest, SlotContent, TextField, hookimpl

    manifest = PluginManifest(
        name="announcement-bar",
        title="Announcement bar",
        settings=(TextField("message", "Message", required=True),),
    )

    @hookimpl
    def haat_slot(store, name, page):
        if name == "header":
            return SlotContent(text=store.plugin_settings("announcement-bar")["message"])
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import urlsplit

import pluggy
from markupsafe import Markup

from core.money import Money, UnknownCurrency, minor_units

__all__ = [
    "ADJUSTMENT_ORDER",
    "BADGE_PLACEMENTS",
    "EXCLUSIVE_KINDS",
    "PAYMENT_METHOD_KINDS",
    "PAYMENT_RESULT_STATES",
    "PRICE_BUCKET_EDGES",
    "SEARCH_FACETS",
    "SEARCH_SORTS",
    "SLOT_NAMES",
    "Address",
    "Adjustment",
    "AdminMenuItem",
    "Asset",
    "Badge",
    "BoolField",
    "CartLine",
    "CartSnapshot",
    "CheckoutContext",
    "CheckoutProblem",
    "ChoiceField",
    "CollectionSnapshot",
    "CustomerSnapshot",
    "Field",
    "FieldError",
    "LongTextField",
    "Markup",
    "MetaTag",
    "Money",
    "MoneyField",
    "MultiChoiceField",
    "NumberField",
    "OrderSnapshot",
    "PageContext",
    "PageSnapshot",
    "PaymentGateway",
    "PaymentResult",
    "PaymentStart",
    "PluginCheckoutError",
    "PluginManifest",
    "ProductSnapshot",
    "RefundResult",
    "RobotsRule",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SecretField",
    "Shipment",
    "ShippingCarrier",
    "ShippingRate",
    "SitemapEntry",
    "SlotContent",
    "StoreInfo",
    "StructuredData",
    "TextField",
    "UrlField",
    "WebhookResult",
    "embedded_search_backend",
    "format_money",
    "hookimpl",
    "iter_collections",
    "iter_pages",
    "iter_products",
    "payment_methods",
    "payment_reference_used",
    "payment_webhook_url",
    "price_buckets",
    "run_later",
]

#: Marks a function as an implementation of a Haat hook.
hookimpl = pluggy.HookimplMarker("haat")

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

#: Where trust badges can be placed.
BADGE_PLACEMENTS: tuple[str, ...] = ("product", "cart", "checkout", "footer")

#: Plugin kinds of which a store may enable only one at a time.
EXCLUSIVE_KINDS: frozenset[str] = frozenset({"search"})

#: Checkout adjustments are applied in this order of ``Adjustment.kind``, never chained.
ADJUSTMENT_ORDER: tuple[str, ...] = ("discount", "shipping", "fee", "tax")
#: What a gateway may report about a payment (``PaymentResult.state``).
PAYMENT_RESULT_STATES: tuple[str, ...] = (
    "pending", "authorised", "paid", "failed", "partially_refunded", "refunded")
#: What kind of payment a gateway is (``PaymentGateway.method``), shown by badges.
PAYMENT_METHOD_KINDS: tuple[str, ...] = (
    "card", "cash_on_delivery", "bank_transfer", "mobile_wallet")

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- settings


class FieldError(ValueError):
    """A settings value is invalid; the message is shown next to the field."""


Validator = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Field:
    """A typed setting a merchant fills in on the plugin's settings page.

    ``validators`` are callables that take the parsed value and return an error
    message or ``None``.
    """

    name: str
    label: str
    help: str = ""
    default: Any = None
    required: bool = False
    validators: tuple[Validator, ...] = ()

    kind: ClassVar[str] = "field"
    #: Secrets are encrypted at rest, write-only and masked.
    secret: ClassVar[bool] = False

    def parse(self, raw: Any, *, currency: str = "USD") -> Any:
        """Turn submitted form data into a value, or raise ``FieldError``."""
        value = self._parse(raw, currency=currency)
        if self._is_empty(value):
            if self.required:
                raise FieldError(f"{self.label} is required.")
            return self.empty_value()
        for validator in self.validators:
            problem = validator(value)
            if problem:
                raise FieldError(problem)
        return value

    def _parse(self, raw: Any, *, currency: str) -> Any:
        return raw.strip() if isinstance(raw, str) else raw

    @staticmethod
    def _is_empty(value: Any) -> bool:
        return value is None or value == "" or value == [] or value == ()

    def empty_value(self) -> Any:
        return self.default

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        """The stored value as the form should show it."""
        return "" if value is None else value


@dataclass(frozen=True)
class TextField(Field):
    """One line of text."""

    max_length: int = 500
    kind: ClassVar[str] = "text"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else str(raw).strip()
        if len(text) > self.max_length:
            raise FieldError(f"Use at most {self.max_length} characters.")
        return text


@dataclass(frozen=True)
class LongTextField(TextField):
    """Several lines of text (shown as a text area)."""

    max_length: int = 5000
    kind: ClassVar[str] = "longtext"


@dataclass(frozen=True)
class NumberField(Field):
    """A number; ``integer=True`` refuses fractions. Values are ``int`` or ``Decimal``."""

    min_value: Decimal | int | None = None
    max_value: Decimal | int | None = None
    integer: bool = False
    kind: ClassVar[str] = "number"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else str(raw).strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise FieldError("Enter a number.") from exc
        if not number.is_finite():
            raise FieldError("Enter a number.")
        if self.integer:
            if number != number.to_integral_value():
                raise FieldError("Enter a whole number.")
            number = int(number)
        if self.min_value is not None and number < self.min_value:
            raise FieldError(f"Enter {self.min_value} or more.")
        if self.max_value is not None and number > self.max_value:
            raise FieldError(f"Enter {self.max_value} or less.")
        return number

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class MoneyField(Field):
    """An amount in the store's currency, stored as integer minor units."""

    min_amount: int | None = 0
    kind: ClassVar[str] = "money"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else str(raw).strip().replace(",", "")
        if not text:
            return None
        try:
            money = Money.from_decimal(Decimal(text), currency)
        except (InvalidOperation, ValueError, UnknownCurrency) as exc:
            raise FieldError("Enter an amount, e.g. 120 or 99.50.") from exc
        if self.min_amount is not None and money.amount < self.min_amount:
            raise FieldError("Enter an amount of zero or more.")
        return money.amount

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return "" if value is None else str(Money(int(value), currency).to_decimal())


@dataclass(frozen=True)
class BoolField(Field):
    """A check box. Unchecked boxes are not submitted, so missing means ``False``."""

    default: Any = False
    kind: ClassVar[str] = "bool"

    def parse(self, raw: Any, *, currency: str = "USD") -> Any:
        return raw not in (None, "", "0", "false", "off", False)

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return bool(value)


@dataclass(frozen=True)
class ChoiceField(Field):
    """One of ``choices``: a sequence of ``(value, label)`` pairs."""

    choices: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "choice"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        value = "" if raw is None else str(raw)
        if value and value not in {v for v, _ in self.choices}:
            raise FieldError("Choose one of the options.")
        return value


@dataclass(frozen=True)
class MultiChoiceField(Field):
    """Any number of ``choices``; the value is a list in the order of ``choices``."""

    choices: tuple[tuple[str, str], ...] = ()
    default: Any = ()
    kind: ClassVar[str] = "multichoice"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        picked = [raw] if isinstance(raw, str) else list(raw or [])
        allowed = [v for v, _ in self.choices]
        unknown = set(picked) - set(allowed)
        if unknown:
            raise FieldError("Choose only from the options.")
        return [v for v in allowed if v in picked]

    def empty_value(self) -> Any:
        return list(self.default)


@dataclass(frozen=True)
class UrlField(TextField):
    """An ``http(s)://`` address."""

    max_length: int = 2000
    kind: ClassVar[str] = "url"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = super()._parse(raw, currency=currency)
        if text:
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise FieldError("Enter a full address starting with https://")
        return text


@dataclass(frozen=True)
class SecretField(TextField):
    """An API key or password: encrypted at rest, never shown again, never logged.

    Leaving the field empty on save keeps the stored value.
    """

    kind: ClassVar[str] = "secret"
    secret: ClassVar[bool] = True


@dataclass(frozen=True)
class PluginManifest:
    """Who a plugin is and what it needs. Every plugin module defines ``manifest``.

    ``name`` is the plugin's id (lowercase words joined by hyphens) and must equal the
    entry-point name. ``kind`` marks exclusive kinds (see ``EXCLUSIVE_KINDS``).
    ``validate_settings`` checks the whole form and returns ``{field: message}``.
    """

    name: str
    title: str
    description: str = ""
    kind: str | None = None
    settings: tuple[Field, ...] = ()
    validate_settings: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None

    def problems(self) -> list[str]:
        """What is wrong with this manifest (empty when it is valid)."""
        found = []
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            found.append(f"name {self.name!r} must be lowercase words joined by hyphens")
        if not self.title:
            found.append("title is required")
        names = [f.name for f in self.settings if isinstance(f, Field)]
        if len(names) != len(self.settings):
            found.append("settings must be Field instances")
        if len(set(names)) != len(names):
            found.append("settings field names must be unique")
        if any(not n.isidentifier() for n in names):
            found.append("settings field names must be Python identifiers")
        return found

    def field(self, name: str) -> Field | None:
        return next((f for f in self.settings if f.name == name), None)


# ----------------------------------------------------------------- what hooks receive


@dataclass(frozen=True)
class StoreInfo:
    """The store a hook runs for. Read-only; secrets only through ``plugin_settings``."""

    id: int
    slug: str
    name: str
    locale: str
    currency: str
    base_url: str
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    #: Show amounts and counts with Bengali digits (০-৯) in Bengali pages.
    bengali_digits: bool = False
    enabled_plugins: frozenset[str] = frozenset()
    _settings_loader: Callable[[str], Mapping[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    def plugin_settings(self, plugin_name: str) -> Mapping[str, Any]:
        """This store's settings for ``plugin_name`` (secrets decrypted), defaults filled."""
        if self._settings_loader is None:
            return {}
        return self._settings_loader(plugin_name)

    def url(self, path: str) -> str:
        """An absolute URL on this store's host."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class ProductSnapshot:
    """A product as plugins see it."""

    id: int
    handle: str
    title: str
    description: str
    price: Money
    compare_at_price: Money | None
    stock: int
    status: str
    sku: str | None = None
    tags: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    collection_titles: tuple[str, ...] = ()
    variant_titles: tuple[str, ...] = ()  # e.g. "M / Indigo"
    variant_skus: tuple[str, ...] = ()
    rating: Decimal | None = None  # average review rating, when reviews exist
    review_count: int = 0
    #: The merchant's search-engine title and description; "" means "not set".
    seo_title: str = ""
    seo_description: str = ""

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class CollectionSnapshot:
    """A collection as plugins see it."""

    id: int
    handle: str
    title: str
    description: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PageSnapshot:
    """A page the merchant wrote (``/pages/<handle>``); ``text`` is its plain text."""

    id: int
    handle: str
    title: str
    text: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PageContext:
    """The storefront page being rendered. ``kind`` is one of: home, collection,
    product, search, cart, checkout, order, page, account, other.

    ``url`` is the absolute URL as requested; ``canonical_url`` the clean URL of the
    content in this language (no sort, filter, variant or page-one parameters; ``?lang=``
    only for a language other than the store's default). ``alternates`` are
    ``(locale, absolute URL)`` for each language the store offers, ``breadcrumbs``
    ``(name, absolute URL)`` from the home page down to this page.
    """

    kind: str
    path: str
    url: str
    title: str = ""
    locale: str = "en"
    is_secure: bool = False
    product: ProductSnapshot | None = None
    collection: CollectionSnapshot | None = None
    description: str = ""
    canonical_url: str = ""
    alternates: tuple[tuple[str, str], ...] = ()
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    page: PageSnapshot | None = None
    search_enabled: bool = False
    default_locale: str = "en"


@dataclass(frozen=True)
class Address:
    """A postal address; many Bangladeshi addresses have no postcode."""

    country: str
    region: str = ""
    city: str = ""
    line1: str = ""
    line2: str = ""
    postcode: str = ""
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CartLine:
    product_id: int
    title: str
    quantity: int
    unit_price: Money
    weight_grams: int = 0
    sku: str | None = None


@dataclass(frozen=True)
class CartSnapshot:
    """A cart as plugins see it. ``subtotal`` is the sum of the lines."""

    token: str
    lines: tuple[CartLine, ...]
    subtotal: Money

    @property
    def weight_grams(self) -> int:
        return sum(line.weight_grams * line.quantity for line in self.lines)


@dataclass(frozen=True)
class CheckoutContext:
    """Everything known about a checkout at the moment a hook is asked."""

    cart: CartSnapshot
    address: Address | None = None
    email: str = ""
    phone: str = ""
    shipping_rate_id: str | None = None
    payment_method: str | None = None
    coupon_code: str = ""
    #: The chosen rate as charged (``shipping_rate_id`` is ``"<carrier id>:<rate id>"``;
    #: a free-delivery coupon makes its amount zero).
    shipping_rate: ShippingRate | None = None
    #: The coupon's reduction of the goods (zero or negative), ``None`` without a coupon.
    discount: Money | None = None
    #: What the shopper typed into the chosen gateway's ``fields`` (by field name).
    payment_fields: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    #: The shopper's language (e.g. "bn"); the store's default when unknown.
    locale: str = ""


@dataclass(frozen=True)
class CustomerSnapshot:
    id: int
    email: str = ""
    phone: str = ""
    name: str = ""


@dataclass(frozen=True)
class OrderSnapshot:
    """An order as plugins see it, with the amounts taken at purchase."""

    id: int
    number: int
    token: str
    total: Money
    payment_state: str
    fulfilment_state: str
    email: str = ""
    phone: str = ""
    payment_method: str = ""
    lines: tuple[CartLine, ...] = ()
    address: Address | None = None
    subtotal: Money | None = None
    discount_total: Money | None = None
    shipping_total: Money | None = None
    fee_total: Money | None = None
    tax_total: Money | None = None
    refunded_total: Money | None = None
    shipping_label: str = ""
    #: The chosen rate, ``"<carrier id>:<rate id>"`` (carriers find their tracking page).
    shipping_rate_id: str = ""
    coupon_code: str = ""
    locale: str = ""
    created_at: datetime | None = None
    #: The gateway's reference for the payment (a Stripe session, a wallet transaction
    #: id, the bank-transfer reference).
    payment_reference: str = ""
    payment_fields: Mapping[str, str] = field(default_factory=dict)
    #: The shopper's status page, ``/orders/<token>`` on the store's host.
    status_url: str = ""


# ------------------------------------------------------------ what hooks contribute


@dataclass(frozen=True)
class SlotContent:
    """Content for a template slot. ``text`` is escaped by core; ``html`` is only used
    when it is a ``Markup`` object, i.e. the plugin marked it safe on purpose."""

    text: str = ""
    html: Markup | None = None
    url: str | None = None
    css_class: str = ""

    def __post_init__(self) -> None:
        if self.html is not None and not isinstance(self.html, Markup):
            raise TypeError("SlotContent.html must be markupsafe.Markup (mark it safe on purpose)")


@dataclass(frozen=True)
class Asset:
    """A stylesheet or script a plugin adds to storefront pages (same-origin URLs only)."""

    kind: str  # "css" or "js"
    url: str
    defer: bool = True


@dataclass(frozen=True)
class Badge:
    """A trust badge. ``icon`` names a built-in inline SVG (lock, cash, card, truck, ...)."""

    key: str
    label: str
    description: str = ""
    icon: str = ""
    url: str | None = None


@dataclass(frozen=True)
class MetaTag:
    """A ``<meta>`` or ``<link>`` in ``<head>``: set ``name`` or ``property`` (meta) or
    ``rel`` + ``href`` (link)."""

    content: str = ""
    name: str | None = None
    property: str | None = None
    rel: str | None = None
    href: str | None = None
    hreflang: str | None = None


@dataclass(frozen=True)
class StructuredData:
    """One JSON-LD object (a dict with ``@context`` and ``@type``)."""

    data: Mapping[str, Any]


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    lastmod: date | datetime | None = None
    changefreq: str | None = None
    priority: Decimal | None = None


@dataclass(frozen=True)
class RobotsRule:
    user_agent: str = "*"
    allow: tuple[str, ...] = ()
    disallow: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdminMenuItem:
    """An entry in the admin menu; ``url`` is a path on the store host (``/admin/...``)."""

    label: str
    url: str
    owner_only: bool = True


@dataclass(frozen=True)
class CheckoutProblem:
    """A reason a checkout cannot go on, shown next to ``field`` (or on top if empty)."""

    message: str
    field: str = ""


@dataclass(frozen=True)
class Adjustment:
    """A change to a checkout's total, tagged by ``kind`` (see ``ADJUSTMENT_ORDER``).

    Discounts are negative amounts; shipping, fees and tax are positive.
    """

    kind: str
    code: str
    label: str
    amount: Money

    def __post_init__(self) -> None:
        if self.kind not in ADJUSTMENT_ORDER:
            raise ValueError(f"Adjustment kind must be one of {ADJUSTMENT_ORDER}")


@dataclass(frozen=True)
class ShippingRate:
    """A price to ship a cart to an address. ``id`` is unique within its carrier;
    ``zone`` names the carrier's zone it came from (payment plugins may limit
    themselves to zones)."""

    id: str
    label: str
    amount: Money
    carrier: str = ""
    description: str = ""
    min_days: int | None = None
    max_days: int | None = None
    zone: str = ""


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str
    tracking_url: str | None = None


@dataclass(frozen=True)
class PaymentStart:
    """What to do after the order is placed: redirect the shopper, or show instructions."""

    redirect_url: str | None = None
    instructions: str = ""
    reference: str = ""


@dataclass(frozen=True)
class PaymentResult:
    """What a gateway learned about an order's payment.

    ``state`` is one of :data:`PAYMENT_RESULT_STATES`. For ``refunded`` and
    ``partially_refunded``, ``amount`` is the total refunded so far (so a replayed
    event changes nothing). ``event_id`` is the provider's id for the event; core
    applies each event id once per store and gateway. Results that would move an
    order backwards (a late failure after success) are recorded and ignored.
    """

    order_token: str
    state: str
    provider_reference: str = ""
    message: str = ""
    event_id: str = ""
    amount: Money | None = None

    def __post_init__(self) -> None:
        if self.state not in PAYMENT_RESULT_STATES:
            raise ValueError(f"PaymentResult.state must be one of {PAYMENT_RESULT_STATES}")


@dataclass(frozen=True)
class WebhookResult:
    """How a gateway handled a provider webhook; ``status`` is the HTTP status to send."""

    status: int = 200
    results: tuple[PaymentResult, ...] = ()


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    amount: Money
    provider_reference: str = ""
    message: str = ""


#: Facets a search backend can count, and the ``SearchQuery.filters`` keys that narrow
#: by them: ``collection`` (a handle), ``tags`` (a tag), ``in_stock`` (True), ``price``
#: (a bucket key such as ``"50000-100000"`` or ``"500000-"``, minor units).
SEARCH_FACETS: tuple[str, ...] = ("collection", "price", "in_stock", "tags")
#: ``SearchQuery.sort`` values.
SEARCH_SORTS: tuple[str, ...] = ("relevance", "price-asc", "price-desc", "newest")
#: Price facet bucket edges in major units per currency (others use USD's).
PRICE_BUCKET_EDGES: Mapping[str, tuple[int, ...]] = {
    "BDT": (500, 1000, 2500, 5000),
    "AMD": (5000, 10000, 25000, 50000),
    "USD": (25, 50, 100, 250),
    "EUR": (25, 50, 100, 250),
}


def price_buckets(currency: str) -> tuple[tuple[str, int, int | None], ...]:
    """``(key, low, high)`` price buckets in minor units for ``currency``; the last has
    no upper bound. Keys look like ``"50000-100000"`` and ``"500000-"``."""
    scale = 10 ** minor_units(currency)
    edges = [0, *(e * scale for e in PRICE_BUCKET_EDGES.get(currency,
                                                            PRICE_BUCKET_EDGES["USD"]))]
    buckets = [(f"{low}-{high}", low, high) for low, high in itertools.pairwise(edges)]
    return (*buckets, (f"{edges[-1]}-", edges[-1], None))


@dataclass(frozen=True)
class SearchQuery:
    """What the shopper asked for. ``filters`` and ``facets`` use :data:`SEARCH_FACETS`;
    ``sort`` is one of :data:`SEARCH_SORTS`; ``page`` starts at 1."""

    text: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 24


@dataclass(frozen=True)
class SearchHit:
    product_id: int
    handle: str
    title: str
    highlighted_title: str = ""
    snippet: str = ""


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[SearchHit, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    suggestion: str | None = None


# ------------------------------------------------------------------------ providers


class PluginCheckoutError(RuntimeError):
    """Raised by checkout-path providers; checkout shows ``shopper_message``."""

    def __init__(self, shopper_message: str, *, plugin: str = "", detail: str = "") -> None:
        super().__init__(detail or shopper_message)
        self.shopper_message = shopper_message
        self.plugin = plugin


@runtime_checkable
class PaymentGateway(Protocol):
    """A way to pay, offered by a payment plugin for one store's checkout.

    Required: ``id`` (unique in the store, e.g. ``"cod"``) and ``label``. Optional
    attributes core reads when present:

    * ``description`` (str): one line under the label at checkout.
    * ``method`` (one of :data:`PAYMENT_METHOD_KINDS`) and ``brand`` (e.g. "bKash").
    * ``fields`` (sequence of :class:`TextField`): what the shopper must type at
      checkout (a wallet's sender number and transaction id). Core checks them with
      ``Field.parse`` and passes the values as ``CheckoutContext.payment_fields``.
    * ``unavailable_reason`` (str): when set, the method is shown but cannot be
      chosen, with this reason (e.g. "Not available above ৳20,000").
    * ``refunds`` (bool): True when ``refund`` sends money back through the provider;
      otherwise the admin records a refund made by hand and ``refund`` only confirms it.
    * ``reference_field`` (str): the name of one of ``fields`` whose value is the
      payment's reference (a wallet transaction id). Core stores it on the order and
      refuses, atomically, a second order of the store that reuses it.

    ``start`` runs right after the order is committed; a ``redirect_url`` sends the
    shopper to the provider (return to ``order.status_url + "/return"``), otherwise
    ``instructions`` are shown on the confirmation and in the email.
    ``handle_webhook`` receives the raw body of ``POST /payments/<id>/webhook`` on the
    store's host and must verify its signature.
    """

    id: str
    label: str

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart: ...

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult: ...

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult: ...

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult: ...


@runtime_checkable
class ShippingCarrier(Protocol):
    """A carrier or rate table that quotes shipping for a cart and address."""

    id: str
    label: str

    def quote(self, store: StoreInfo, cart: CartSnapshot,
              address: Address) -> Sequence[ShippingRate]: ...

    def tracking_url(self, tracking_number: str) -> str | None: ...

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None: ...


@runtime_checkable
class SearchBackend(Protocol):
    """A product search engine. Every call names its store, and a backend must never
    return, count or suggest another store's products.

    ``index`` adds or replaces products (only active ones are searchable: an inactive
    snapshot removes the product); ``remove`` drops ids; ``clear`` drops everything of
    the store (``haat search reindex`` clears, then indexes every product).
    ``query`` returns hits whose ``highlighted_title``/``snippet`` are safe HTML: the
    text escaped, matches wrapped in ``<mark>``. ``total`` counts all matches,
    ``facets`` maps each asked-for facet to ``{value: count}`` (price by bucket key of
    :func:`price_buckets`, in_stock as ``"true"``/``"false"``) and ``suggestion`` is a
    corrected query when the text looks misspelt. ``suggest`` is for search-as-you-type
    (prefix matching, typo tolerant, a few hits). Backends raise on failure (the
    storefront shows a polite message; jobs retry).
    """

    def index(self, store: StoreInfo, products: Iterable[ProductSnapshot]) -> None: ...

    def remove(self, store: StoreInfo, product_ids: Iterable[int]) -> None: ...

    def clear(self, store: StoreInfo) -> None: ...

    def query(self, store: StoreInfo, query: SearchQuery) -> SearchResults: ...

    def suggest(self, store: StoreInfo, text: str, limit: int = 8) -> Sequence[SearchHit]: ...


# ---------------------------------------------------------------- reading store data


def iter_products(store: StoreInfo, *, batch_size: int = 500,
                  include_inactive: bool = False) -> Iterable[ProductSnapshot]:
    """Every active product of ``store`` (all of them with ``include_inactive``), oldest
    first, read in batches of ``batch_size`` with a fixed number of queries per batch."""
    from core.catalog.store_data import iter_products as _iter

    return _iter(store, batch_size=batch_size, include_inactive=include_inactive)


def get_products(store: StoreInfo, ids: Iterable[int]) -> list[ProductSnapshot]:
    """The products of ``store`` with these ids (others' ids and missing ids are skipped)."""
    from core.catalog.store_data import get_products as _get

    return _get(store, ids)


def iter_collections(store: StoreInfo) -> list[CollectionSnapshot]:
    """The store's collections, in the merchant's order."""
    from core.catalog.store_data import iter_collections as _iter

    return _iter(store)


def iter_pages(store: StoreInfo) -> list[PageSnapshot]:
    """The store's published pages."""
    from core.catalog.store_data import iter_pages as _iter

    return _iter(store)


def payment_methods(store: StoreInfo) -> list[PaymentGateway]:
    """The payment gateways the store's enabled payment plugins offer right now (a
    failing plugin offers none). Gateways may set ``method`` ("card",
    "cash_on_delivery", "bank_transfer", "mobile_wallet") and ``brand`` (e.g. "bKash")."""
    from core.catalog.store_data import payment_methods as _methods

    return _methods(store)


def format_money(store: StoreInfo, money: Money, locale: str = "") -> str:
    """``money`` as shoppers of ``store`` read it in ``locale`` (the store's language
    when empty): ``"৳1,250.00"``, with Bengali digits when the store uses them."""
    from core.i18n import format_money as _format

    return _format(money, locale or store.locale, bengali_digits=store.bengali_digits)


def payment_reference_used(store: StoreInfo, gateway_id: str, reference: str) -> bool:
    """True when an order of ``store`` paid with ``gateway_id`` already carries this
    payment reference (e.g. a wallet transaction id sent twice)."""
    from core.orders.queries import payment_reference_used as _used

    return _used(store, gateway_id, reference)


def payment_webhook_url(store: StoreInfo, gateway_id: str) -> str:
    """The URL a provider should send ``gateway_id``'s webhooks to for ``store``."""
    return store.url(f"/payments/{gateway_id}/webhook")


def embedded_search_backend() -> SearchBackend:
    """Haat's built-in search engine (SQLite FTS5 or PostgreSQL full-text search with
    pg_trgm, whichever database Haat runs on), for search plugins that need no server."""
    from core.search import EmbeddedSearch

    return EmbeddedSearch()


# ------------------------------------------------------------------ background work


def run_later(store: StoreInfo, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Run ``func(store, *args, **kwargs)`` in a background job for ``store``.

    ``func`` must be a module-level function and the arguments must pickle. The job
    runs in a worker (``haat jobs worker``) in the store's scope, with a fresh
    ``StoreInfo``; if it raises it is retried later with a growing delay. Use it from
    lifecycle hooks for anything slow or that talks to another server.
    """
    from flask import current_app

    current_app.extensions["haat_jobs"].enqueue(func, store.id, *args, **kwargs)
