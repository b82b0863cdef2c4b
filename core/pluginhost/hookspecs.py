"""Haat's hook specifications: the contract between core and plugins.

Every hook takes ``store`` (a ``core.sdk.StoreInfo``) unless it says otherwise, and is
called only on the plugins enabled for that store. Each docstring says when the hook
fires, how results combine, and whether failures are isolated:

* **isolated**: each implementation is called on its own; one that raises costs only
  its own contribution, is logged and counted, and trips the circuit breaker.
* **checkout path**: a failure raises ``PluginCheckoutError``; checkout shows the
  shopper a clear message and does nothing half way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pluggy
from flask import Blueprint

from core.sdk import (
    Adjustment,
    AdminMenuItem,
    Asset,
    Badge,
    CartSnapshot,
    CheckoutContext,
    CheckoutProblem,
    CollectionSnapshot,
    CustomerSnapshot,
    DashboardPanel,
    DeliveryRecord,
    MetaTag,
    Money,
    OrderSnapshot,
    PageContext,
    PaymentGateway,
    ProductSnapshot,
    RobotsRule,
    SearchBackend,
    ShippingCarrier,
    SitemapEntry,
    SlotContent,
    SmsGateway,
    StoreInfo,
    StructuredData,
    TrackingEvent,
)

hookspec = pluggy.HookspecMarker("haat")


# ---------------------------------------------------------------------- discovery


@hookspec(firstresult=True)
def haat_search_backend(store: StoreInfo) -> SearchBackend | None:
    """Return the search backend that serves ``store``.

    Fires whenever core needs to index or query products. Per store; first result wins
    (search is an exclusive kind, so at most one search plugin is enabled per store).
    Checkout path rules do not apply: a failure surfaces to the caller, which shows a
    polite "search is unavailable" message.
    """


@hookspec
def haat_payment_gateways(store: StoreInfo,
                          checkout: CheckoutContext | None) -> Sequence[PaymentGateway]:
    """Return the payment gateways offered for this checkout (may be empty).

    ``checkout`` is ``None`` when the store lists its ways to pay outside a checkout
    (``core.sdk.payment_methods``, used e.g. by trust badges): return what you would
    offer in general.

    Fires when the checkout page lists payment methods and again when an order is
    placed. Per store; results are collected and flattened. Checkout path: a raising
    plugin becomes ``PluginCheckoutError``.
    """


@hookspec
def haat_shipping_carriers(store: StoreInfo) -> Sequence[ShippingCarrier]:
    """Return the shipping carriers / rate tables that can quote for this store.

    Fires when rates are quoted at checkout, and on the admin's order page when an
    order whose rate a carrier quoted is shipped (booking with ``create_shipment``,
    tracking links). Per store; collected and flattened. Checkout path: failures
    become ``PluginCheckoutError``; on the order page a failing plugin offers no
    carrier (isolated).
    """


@hookspec
def haat_sms_gateways(store: StoreInfo) -> Sequence[SmsGateway]:
    """Return the SMS gateway accounts this store can send text messages through.

    Fires when a message to a phone is delivered (in a background job) and on the
    admin's messaging page. Per store; collected and flattened. Core sends through the
    first gateway offered (plugins in name order); with none, SMS go to the outbox
    folder in development and are logged as not sent in production. Isolated: a
    plugin that raises here offers no gateway.
    """


# ------------------------------------------------------------------------ checkout


@hookspec
def haat_checkout_validate(store: StoreInfo,
                           checkout: CheckoutContext) -> Sequence[CheckoutProblem]:
    """Return reasons this checkout cannot be placed (empty when it can).

    Fires on every checkout submission before anything is written. Per store;
    collected. Checkout path: a raising plugin blocks the checkout cleanly.
    """


@hookspec
def haat_checkout_adjustments(store: StoreInfo,
                              checkout: CheckoutContext) -> Sequence[Adjustment]:
    """Return tagged adjustments (discount, shipping, fee, tax) to this checkout's total.

    Fires whenever the order summary is computed. Per store; collected, then applied
    by core in the fixed order of ``core.sdk.ADJUSTMENT_ORDER`` (then by plugin name),
    never as a chain where one plugin sees another's result. Checkout path.
    """


# ------------------------------------------------------------------ storefront UI


@hookspec
def haat_slot(store: StoreInfo, name: str,
              page: PageContext) -> SlotContent | Sequence[SlotContent] | None:
    """Return content for the template slot ``name`` (one of ``core.sdk.SLOT_NAMES``).

    Fires each time a theme renders ``{{ slot(name) }}``. Per store; collected in
    plugin order; text is escaped by core. Isolated.
    """


@hookspec
def haat_assets(store: StoreInfo, page: PageContext) -> Sequence[Asset]:
    """Return stylesheets and scripts to add to a storefront page.

    Fires once per storefront page. Per store; collected; duplicate URLs are dropped.
    Isolated.
    """


@hookspec
def haat_template_context(store: StoreInfo, page: PageContext) -> dict[str, Any] | None:
    """Return extra values for storefront templates.

    Fires once per storefront page. Per store; each plugin's dict is available to
    templates as ``plugin_context["<plugin name>"]`` so plugins never overwrite each
    other or core. Isolated.
    """


@hookspec
def haat_trust_badges(store: StoreInfo, placement: str,
                      page: PageContext) -> Sequence[Badge]:
    """Return trust badges for ``placement`` (one of ``core.sdk.BADGE_PLACEMENTS``).

    Fires when a page renders a badge placement. Per store; collected; badges with the
    same ``key`` are shown once. Isolated.
    """


# ------------------------------------------------------------------------------ SEO


@hookspec
def haat_head_tags(store: StoreInfo, page: PageContext) -> Sequence[MetaTag]:
    """Return ``<meta>``/``<link>`` tags for the page's ``<head>``.

    Fires once per storefront page. Per store; collected. Isolated.
    """


@hookspec
def haat_structured_data(store: StoreInfo, page: PageContext) -> Sequence[StructuredData]:
    """Return JSON-LD objects for the page.

    Fires once per storefront page; core serialises them safely into
    ``<script type="application/ld+json">``. Per store; collected. Isolated.
    """


@hookspec
def haat_sitemap_entries(store: StoreInfo) -> Iterable[SitemapEntry]:
    """Return URLs for the store's ``/sitemap.xml``.

    Fires when the sitemap is built: once per change to the store's catalogue or
    plugins (and at least hourly), often in a background job, so there may be no
    request: return paths and do not read ``request``. Per store; collected. Isolated.
    """


@hookspec
def haat_robots_rules(store: StoreInfo) -> Sequence[RobotsRule]:
    """Return rules for the store's ``/robots.txt``.

    Fires when robots.txt is served. Per store; collected. Isolated.
    """


# ------------------------------------------------------------------------------ admin


@hookspec
def haat_admin_menu(store: StoreInfo) -> Sequence[AdminMenuItem]:
    """Return entries for the admin menu (usually links to the plugin's own pages).

    Fires on each admin page. Per store; collected. Isolated.
    """


@hookspec
def haat_dashboard_panels(store: StoreInfo) -> Sequence[DashboardPanel]:
    """Return panels for the admin dashboard (new reviews, messages waiting, ...).

    Fires when the dashboard is shown, to owners and staff. Per store; collected.
    Isolated: a raising plugin's panels are left out and the dashboard still shows.
    Keep it to a few fixed queries: it runs on every visit to the dashboard.
    """


@hookspec
def haat_delivery_record(store: StoreInfo, phone: str) -> DeliveryRecord | None:
    """A courier's record of parcels sent to ``phone`` across its network, or ``None``
    when you have none. ``phone`` is the order's phone as digits only, with
    Bangladesh's +880 written the local way (``"01712345678"``). The admin's order page shows
    it beside the store's own deliveries to that phone to flag a risky cash-on-delivery
    order. Called while the page renders: return only what you already have (ask the
    courier in a background job, for example from ``haat_order_placed`` with
    ``run_later``, and keep the answer in your own table). Per store; a plugin that
    raises is left out."""


@hookspec
def haat_blueprints() -> Sequence[Blueprint]:
    """Return Flask blueprints with the plugin's own routes.

    Fires once at start-up for every installed plugin (not per store). Their routes
    answer only on store hosts, and only for stores that enabled the plugin: anywhere
    else they answer 404. Not isolated: a raising plugin is reported and left out.
    """


# ----------------------------------------------------------- lifecycle (after commit)


@hookspec
def haat_product_saved(store: StoreInfo, product: ProductSnapshot, created: bool) -> None:
    """A product was created or changed. Fires after the commit. Per store; isolated."""


@hookspec
def haat_product_deleted(store: StoreInfo, product_id: int, handle: str) -> None:
    """A product was deleted. Fires after the commit. Per store; isolated."""


@hookspec
def haat_stock_changed(store: StoreInfo, product_id: int, stock: int) -> None:
    """A product's stock changed (sale, restock, edit). After the commit; isolated."""


@hookspec
def haat_collection_saved(store: StoreInfo, collection: CollectionSnapshot) -> None:
    """A collection was created or changed. Fires after the commit. Per store; isolated."""


@hookspec
def haat_cart_updated(store: StoreInfo, cart: CartSnapshot) -> None:
    """A shopper's cart changed. Fires after the commit. Per store; isolated."""


@hookspec
def haat_customer_created(store: StoreInfo, customer: CustomerSnapshot) -> None:
    """A customer record was created. Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_placed(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order was placed. Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_paid(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order became paid. Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_fulfilled(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order was fulfilled (packed). Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_shipped(store: StoreInfo, order: OrderSnapshot, tracking_url: str | None) -> None:
    """An order was handed to a carrier. Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_delivered(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order was delivered: its carrier reported it (``core.sdk.record_tracking``)
    or the merchant marked it. Fires after the commit. Per store; isolated."""


@hookspec
def haat_order_returned(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order came back (its items are back in stock): its carrier reported it or
    the merchant marked it. Fires after the commit. Per store; isolated."""


@hookspec
def haat_shipment_tracked(store: StoreInfo, order: OrderSnapshot,
                          event: TrackingEvent) -> None:
    """A carrier reported a new step of an order's parcel (``core.sdk.record_tracking``;
    once per event, replays never fire). ``event`` has its ``event_id`` and
    ``occurred_at`` filled in; ``order`` is as it is after the whole report. Fires
    after the commit. Per store; isolated."""


@hookspec
def haat_order_cancelled(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order was cancelled (stock restored). After the commit. Per store; isolated."""


@hookspec
def haat_order_refunded(store: StoreInfo, order: OrderSnapshot, amount: Money) -> None:
    """Money was refunded on an order. Fires after the commit. Per store; isolated."""


@hookspec
def haat_store_reindex(store: StoreInfo) -> None:
    """Rebuild whatever the plugin derives from the catalogue (e.g. a search index).

    Core does not fire it on its own today: every catalogue change, an import's
    included, already fires the per-product events (``haat_product_saved`` and
    friends), and ``haat search reindex`` rebuilds search indexes itself through
    ``haat_search_backend``. Per store; isolated. Do the work in a job
    (``core.sdk.run_later``).
    """


@hookspec
def haat_store_deleted(store_id: int, slug: str) -> None:
    """A store was deleted; drop anything kept for it outside Haat's database.

    Fires after the commit, on every installed plugin (the store's switches are gone
    with it). Isolated.
    """
