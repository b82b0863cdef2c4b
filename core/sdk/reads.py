"""Reading the store's data: every function enters the store's scope itself, so a plugin
can only ever read the store it was called for.

This is the services layer of the SDK: it calls down into Haat's core, which plugins
never import themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from core.catalog import store_data
from core.i18n import format_money as _format_money
from core.i18n import format_number as _format_number
from core.money import Money
from core.orders import queries as order_queries
from core.sdk.catalog import CollectionSnapshot, PageSnapshot, ProductSnapshot
from core.sdk.commerce import OrderSnapshot, ShippingZone
from core.sdk.providers import PaymentGateway, SearchBackend
from core.sdk.store import StoreInfo, require_store

__all__ = [
    "customer_orders",
    "embedded_search_backend",
    "format_money",
    "format_number",
    "get_order",
    "get_products",
    "iter_collections",
    "iter_pages",
    "iter_products",
    "payment_methods",
    "payment_reference_used",
    "payment_webhook_url",
    "product_by_handle",
    "shipping_zones",
    "shopper_contact",
]


def iter_products(store: StoreInfo, *, batch_size: int = 500,
                  include_inactive: bool = False) -> Iterable[ProductSnapshot]:
    """Every active product of ``store`` (all of them with ``include_inactive``), oldest
    first, read in batches of ``batch_size`` with a fixed number of queries per batch."""
    return store_data.iter_products(require_store(store), batch_size=batch_size,
                                    include_inactive=include_inactive)


def get_products(store: StoreInfo, ids: Iterable[int]) -> list[ProductSnapshot]:
    """The products of ``store`` with these ids, in the order asked for (ids of other
    stores and missing ids are skipped). Three queries whatever the number of ids."""
    return store_data.get_products(require_store(store), ids)


def product_by_handle(store: StoreInfo, handle: str) -> ProductSnapshot | None:
    """``store``'s product whose ``handle`` is this (the last part of its URL,
    ``/products/<handle>``), whatever its status, or ``None``. Check
    ``status == "active"`` before showing it to shoppers. An old handle the merchant
    changed is not found (Haat redirects its own product URLs). Four queries."""
    return store_data.product_by_handle(require_store(store), handle)


def get_order(store: StoreInfo, order_id: int) -> OrderSnapshot | None:
    """``store``'s order ``order_id`` as it is now (state, lines, contact), or ``None``
    when the store has no such order (another store's order is never returned)."""
    return order_queries.order_by_id(require_store(store), order_id)


def customer_orders(store: StoreInfo, customer_ids: Iterable[int], *,
                    limit: int = 50) -> list[OrderSnapshot]:
    """The newest ``limit`` (at most 200) orders of ``store`` placed by any of
    ``customer_ids``, newest first, with their lines: what a signed-in shopper bought
    (``current_shopper().customer_ids``). Customers of other stores match nothing.
    Two queries whatever the number of orders."""
    if not 1 <= limit <= 200:
        raise ValueError("limit must be from 1 to 200")
    return order_queries.orders_of_customers(require_store(store), customer_ids, limit)


def iter_collections(store: StoreInfo) -> list[CollectionSnapshot]:
    """The store's collections, in the merchant's order."""
    return store_data.iter_collections(require_store(store))


def iter_pages(store: StoreInfo) -> list[PageSnapshot]:
    """The store's published pages, in the merchant's order."""
    return store_data.iter_pages(require_store(store))


def payment_methods(store: StoreInfo) -> list[PaymentGateway]:
    """The payment gateways the store's enabled payment plugins offer right now (a
    failing plugin offers none). Gateways may set ``method`` ("card",
    "cash_on_delivery", "bank_transfer", "mobile_wallet") and ``brand`` (e.g. "bKash")."""
    return store_data.payment_methods(require_store(store))


def shipping_zones(store: StoreInfo) -> list[ShippingZone]:
    """The delivery zones of the store's enabled shipping carriers, in their order (a
    zone id listed by two carriers comes once). A failing carrier lists none."""
    return store_data.shipping_zones(require_store(store))


def format_money(store: StoreInfo, money: Money, locale: str = "") -> str:
    """``money`` as shoppers of ``store`` read it in ``locale`` (the store's language
    when empty): ``"৳1,250.00"``, with Bengali digits when the store uses them."""
    require_store(store)
    return _format_money(money, locale or store.locale, bengali_digits=store.bengali_digits)


def format_number(store: StoreInfo, number: int | Decimal, locale: str = "") -> str:
    """A count, or a ``Decimal`` such as an average rating, as shoppers of ``store``
    read it in ``locale`` (the store's language when empty): ``"1,250"``, or
    ``"১,২৫০"`` in Bengali when the store uses Bengali digits; ``Decimal("4.5")`` is
    ``"4.5"``, ``"৪.৫"`` or, in Armenian, ``"4,5"``. A Decimal keeps all its places:
    round it first (``quantize``). Floats raise ``TypeError``."""
    require_store(store)
    return _format_number(number, locale or store.locale, bengali_digits=store.bengali_digits)


def shopper_contact(store: StoreInfo, text: str) -> str | None:
    """The phone number or email address in ``text``, as Haat keys shoppers by it: a
    phone in E.164 form (read in the store's country, so ``"01711-000000"`` in a
    Bangladeshi store is ``"+8801711000000"``), an email in lower case; ``None`` when
    ``text`` is neither. It is the form of ``ShopperIdentity.address``, so an order's
    ``phone`` or ``email`` and a signed-in shopper compare equal."""
    from core.accounts.identity import read_contact

    contact = read_contact(str(text or ""), require_store(store).country)
    return contact.address if contact is not None else None


def payment_reference_used(store: StoreInfo, gateway_id: str, reference: str) -> bool:
    """True when an order of ``store`` paid with ``gateway_id`` already carries this
    payment reference (e.g. a wallet transaction id sent twice)."""
    return order_queries.payment_reference_used(require_store(store), gateway_id, reference)


def payment_webhook_url(store: StoreInfo, gateway_id: str) -> str:
    """The URL a provider should send ``gateway_id``'s webhooks to for ``store``."""
    return require_store(store).url(f"/payments/{gateway_id}/webhook")


def embedded_search_backend() -> SearchBackend:
    """Haat's built-in search engine (SQLite FTS5 or PostgreSQL full-text search with
    pg_trgm, whichever database Haat runs on), for search plugins that need no server."""
    from core.search import EmbeddedSearch

    return EmbeddedSearch()
