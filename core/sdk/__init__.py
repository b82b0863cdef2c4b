"""The Haat plugin SDK: the one package a plugin author imports (``from core.sdk import ...``).

Everything named in ``__all__`` is a stable, documented contract; everything else in Haat
is private and may change. The SDK reads in two layers:

* **The contract** (loaded with this package): the ``hookimpl`` marker, the manifest and
  its settings fields, the data types that hooks receive and return, the provider
  protocols (payment gateway, shipping carrier, search backend) and the errors a
  checkout-path plugin may raise. Core's own code is written against these types too.
* **The services** (loaded on first use): functions a plugin calls to read the store's
  data, keep its own data, render pages in the store's theme, queue jobs and report
  shipments. They call down into Haat's core, which a plugin never imports itself.

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

The reference of every name, field by field, is ``docs/sdk-reference.md`` (generated from
this package by ``python -m core.sdk.reference``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from core.money import Money
from core.sdk.catalog import (
    CollectionSnapshot,
    ImageSnapshot,
    PageSnapshot,
    ProductSnapshot,
    RatingSummary,
    UploadedImage,
    VariantSnapshot,
)
from core.sdk.commerce import (
    ADJUSTMENT_ORDER,
    PAYMENT_METHOD_KINDS,
    PAYMENT_RESULT_STATES,
    TRACKING_STATUSES,
    Address,
    Adjustment,
    CartLine,
    CartSnapshot,
    CheckoutContext,
    CheckoutProblem,
    CodCollection,
    CustomerSnapshot,
    DeliveryRecord,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    RefundResult,
    Shipment,
    ShippingRate,
    ShippingZone,
    TrackingEvent,
    WebhookResult,
)
from core.sdk.fields import (
    BoolField,
    ChoiceField,
    Field,
    FieldError,
    LongTextField,
    MoneyField,
    MultiChoiceField,
    NumberField,
    SecretField,
    ShippingZonesField,
    TextField,
    UrlField,
    WidgetContext,
    WidgetField,
    ascii_digits,
)
from core.sdk.hooks import hookimpl
from core.sdk.manifest import ADMIN_SECTIONS, EXCLUSIVE_KINDS, PluginManifest
from core.sdk.messaging import MESSAGE_CHANNELS, SmsGateway, SmsMessage, SmsNotSent, SmsReceipt
from core.sdk.places import (
    Place,
    find_place,
    has_places,
    locate_address,
    place_by_id,
    place_name,
    places_of,
)
from core.sdk.providers import PaymentGateway, PluginCheckoutError, SearchBackend, ShippingCarrier
from core.sdk.schedules import SCHEDULE_PRESETS, Schedule
from core.sdk.search import (
    PRICE_BUCKET_EDGES,
    SEARCH_FACETS,
    SEARCH_SORTS,
    SearchHit,
    SearchQuery,
    SearchResults,
    price_buckets,
)
from core.sdk.store import ShopperIdentity, StoreInfo
from core.sdk.storefront import (
    BADGE_PLACEMENTS,
    PAGE_KINDS,
    SLOT_NAMES,
    AdminMenuItem,
    Asset,
    Badge,
    DashboardPanel,
    Markup,
    MetaTag,
    PageContext,
    RobotsRule,
    SitemapEntry,
    SlotContent,
    StructuredData,
)
from core.sdk.text import LazyText, PluginText

#: The services layer: public name -> the module of ``core.sdk`` that defines it. These
#: modules import Haat's core, so they load on first use (PEP 562), after core is ready.
_SERVICES: dict[str, str] = {
    "embedded_search_backend": "reads",
    "format_money": "reads",
    "format_number": "reads",
    "get_order": "reads",
    "customer_orders": "reads",
    "get_products": "reads",
    "product_by_handle": "reads",
    "iter_collections": "reads",
    "iter_pages": "reads",
    "iter_products": "reads",
    "payment_methods": "reads",
    "payment_reference_used": "reads",
    "payment_webhook_url": "reads",
    "shipping_zones": "reads",
    "shopper_contact": "reads",
    "publish_ratings": "ratings",
    "store_rating": "ratings",
    "pages_changed": "ratings",
    "store_fact": "ratings",
    "ImageRejected": "media",
    "save_image": "media",
    "delete_image": "media",
    "image_url": "media",
    "image_srcset": "media",
    "plugin_model_base": "data",
    "PluginValues": "data",
    "store_session": "data",
    "store_values": "data",
    "send_message": "messages",
    "marketing_allowed": "messages",
    "unsubscribe_url": "messages",
    "record_tracking": "shipments",
    "shipments_in_transit": "shipments",
    "record_cod_collections": "shipments",
    "apply_payment_result": "payments",
    "orders_awaiting_payment": "payments",
    "run_after": "jobs",
    "run_bulk": "jobs",
    "run_later": "jobs",
    "csrf_exempt": "web",
    "csrf_input": "web",
    "current_locale": "web",
    "current_shopper": "web",
    "current_store": "web",
    "flash_message": "web",
    "owner_required": "web",
    "rate_limit": "web",
    "render_page": "web",
    "render_admin_page": "web",
}

if TYPE_CHECKING:  # what type checkers and editors see of the lazy services
    from core.sdk.data import PluginValues, plugin_model_base, store_session, store_values
    from core.sdk.jobs import run_after, run_bulk, run_later
    from core.sdk.media import ImageRejected, delete_image, image_srcset, image_url, save_image
    from core.sdk.messages import marketing_allowed, send_message, unsubscribe_url
    from core.sdk.payments import apply_payment_result, orders_awaiting_payment
    from core.sdk.ratings import pages_changed, publish_ratings, store_fact, store_rating
    from core.sdk.reads import (
        customer_orders,
        embedded_search_backend,
        format_money,
        format_number,
        get_order,
        get_products,
        iter_collections,
        iter_pages,
        iter_products,
        payment_methods,
        payment_reference_used,
        payment_webhook_url,
        product_by_handle,
        shipping_zones,
        shopper_contact,
    )
    from core.sdk.shipments import record_cod_collections, record_tracking, shipments_in_transit
    from core.sdk.web import (
        csrf_exempt,
        csrf_input,
        current_locale,
        current_shopper,
        current_store,
        flash_message,
        owner_required,
        rate_limit,
        render_admin_page,
        render_page,
    )


def __getattr__(name: str) -> Any:
    module = _SERVICES.get(name)
    if module is None:
        raise AttributeError(f"module 'core.sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"core.sdk.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ADJUSTMENT_ORDER",
    "ADMIN_SECTIONS",
    "BADGE_PLACEMENTS",
    "EXCLUSIVE_KINDS",
    "MESSAGE_CHANNELS",
    "PAGE_KINDS",
    "PAYMENT_METHOD_KINDS",
    "PAYMENT_RESULT_STATES",
    "PRICE_BUCKET_EDGES",
    "SCHEDULE_PRESETS",
    "SEARCH_FACETS",
    "SEARCH_SORTS",
    "SLOT_NAMES",
    "TRACKING_STATUSES",
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
    "CodCollection",
    "CollectionSnapshot",
    "CustomerSnapshot",
    "DashboardPanel",
    "DeliveryRecord",
    "Field",
    "FieldError",
    "ImageRejected",
    "ImageSnapshot",
    "LazyText",
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
    "Place",
    "PluginCheckoutError",
    "PluginManifest",
    "PluginText",
    "PluginValues",
    "ProductSnapshot",
    "RatingSummary",
    "RefundResult",
    "RobotsRule",
    "Schedule",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SecretField",
    "Shipment",
    "ShippingCarrier",
    "ShippingRate",
    "ShippingZone",
    "ShippingZonesField",
    "ShopperIdentity",
    "SitemapEntry",
    "SlotContent",
    "SmsGateway",
    "SmsMessage",
    "SmsNotSent",
    "SmsReceipt",
    "StoreInfo",
    "StructuredData",
    "TextField",
    "TrackingEvent",
    "UploadedImage",
    "UrlField",
    "VariantSnapshot",
    "WebhookResult",
    "WidgetContext",
    "WidgetField",
    "apply_payment_result",
    "ascii_digits",
    "csrf_exempt",
    "csrf_input",
    "current_locale",
    "current_shopper",
    "current_store",
    "customer_orders",
    "delete_image",
    "embedded_search_backend",
    "find_place",
    "flash_message",
    "format_money",
    "format_number",
    "get_order",
    "get_products",
    "has_places",
    "hookimpl",
    "image_srcset",
    "image_url",
    "iter_collections",
    "iter_pages",
    "iter_products",
    "locate_address",
    "marketing_allowed",
    "orders_awaiting_payment",
    "owner_required",
    "pages_changed",
    "payment_methods",
    "payment_reference_used",
    "payment_webhook_url",
    "place_by_id",
    "place_name",
    "places_of",
    "plugin_model_base",
    "price_buckets",
    "product_by_handle",
    "publish_ratings",
    "rate_limit",
    "record_cod_collections",
    "record_tracking",
    "render_admin_page",
    "render_page",
    "run_after",
    "run_bulk",
    "run_later",
    "save_image",
    "send_message",
    "shipments_in_transit",
    "shipping_zones",
    "shopper_contact",
    "store_fact",
    "store_rating",
    "store_session",
    "store_values",
    "unsubscribe_url",
]
