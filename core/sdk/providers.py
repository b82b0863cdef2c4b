"""Providers: objects a plugin hands to core, which core then drives directly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from core.money import Money
from core.sdk.catalog import ProductSnapshot
from core.sdk.commerce import (
    Address,
    CartSnapshot,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    RefundResult,
    Shipment,
    ShippingRate,
    WebhookResult,
)
from core.sdk.search import SearchHit, SearchQuery, SearchResults
from core.sdk.store import StoreInfo

__all__ = ["PaymentGateway", "PluginCheckoutError", "SearchBackend", "ShippingCarrier"]



class PluginCheckoutError(RuntimeError):
    """Raised by checkout-path providers; checkout shows ``shopper_message``."""

    def __init__(self, shopper_message: str, *, plugin: str = "", detail: str = "") -> None:
        """``shopper_message`` is what the shopper reads (the merchant, when refusing a
        booking), in their language. ``plugin`` names the plugin; core fills it in
        when it is ``""``. ``detail`` goes to the log only (``str(error)``), never to
        the shopper."""
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

    #: The gateway's id, unique in the store (``"cod"``, ``"bkash"``); orders keep it as
    #: ``OrderSnapshot.payment_method``, so never change it.
    id: str
    #: The way to pay as the shopper chooses it at checkout (``"Cash on delivery"``).
    label: str

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Begin paying for ``order``, right after it is committed: send the shopper to
        the provider (``redirect_url``) or give ``instructions``. Raise
        ``PluginCheckoutError`` to leave the payment pending with your message on the
        order's timeline (a ``"card"`` gateway's order page offers to pay again)."""
        ...

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """The shopper came back from the provider to ``/orders/<token>/return`` with
        the query string ``params``. Ask the provider what happened (the query string
        alone proves nothing) and return the result; core applies it once."""
        ...

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """A provider's ``POST /payments/<id>/webhook`` on the store's host: ``payload``
        is the raw body, ``headers`` the request's headers. Verify the signature before
        believing it; return the HTTP status and the results to apply."""
        ...

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Give back ``amount`` of a paid ``order`` (more than zero, at most what is not
        refunded yet), asked for by the merchant in the admin. With ``refunds = True``
        send it through the provider; otherwise confirm the refund made by hand.
        Return ``ok=False`` with a ``message`` to refuse."""
        ...


@runtime_checkable
class ShippingCarrier(Protocol):
    """A carrier or rate table that quotes shipping for a cart and address, books the
    parcels of the orders it quoted and gives their tracking links.

    Required: ``id`` (unique in the store; an order keeps the chosen rate as
    ``"<id>:<rate id>"`` in ``OrderSnapshot.shipping_rate_id``) and ``label`` (the
    carrier's name for the merchant: the admin offers "Book with <label>"). Optional
    attributes core reads when present:

    * ``books_shipments`` (bool): ``False`` when ``create_shipment`` never books (the
      merchant books every parcel by hand); the admin then offers no booking button.
      Absent means ``True``.
    * ``books_any_order`` (bool): ``True`` when ``create_shipment`` can also book an
      order whose rate another carrier quoted (the order's ``shipping_rate_id`` is not
      yours): a courier that takes the delivery area from the order's address. The
      admin then offers "Book with <label>" on every order that can be shipped, after
      the button of the carrier that quoted it, so a merchant who prices delivery with
      shipping zones picks a courier per parcel. Absent means ``False``.
    * ``tracking_url_for(rate_id, tracking_number) -> str | None``: the tracking link
      of a parcel sent with the rate ``rate_id`` (the id your ``quote`` gave, without
      ``"<id>:"``). Core prefers it to ``tracking_url`` when it knows the order's rate,
      so a carrier whose options use different couriers links each parcel rightly.
    * ``courier_name_for(rate_id) -> str | None``: the courier's name for parcels sent
      with the rate ``rate_id`` (``None``: no courier known). The admin's form for
      shipping by hand suggests it (without the method: ``label``), and fills in your
      link and carrier id only when the merchant keeps that name.

    ``quote`` runs whenever the checkout summary is computed. ``create_shipment`` runs
    when the merchant presses "Book with <label>" on an order whose rate this carrier
    quoted (or on any order, with ``books_any_order``): book the parcel and return a
    :class:`Shipment`, or ``None`` when this parcel is booked by hand (the admin says so
    and keeps its form for the courier and tracking number). Raise
    ``PluginCheckoutError("reason")`` to refuse with a reason the merchant reads; any
    other exception is logged and the merchant is told to try again. See
    :meth:`create_shipment` for what it may do. ``tracking_url`` (and
    ``tracking_url_for``) turn a tracking number into the shopper's ``https://`` link,
    or ``None``: core asks them when the ``Shipment`` has no link, and when the merchant
    ships by hand with the link left empty.
    """

    #: The carrier's id, unique in the store; orders keep it in ``shipping_rate_id`` and
    #: ``carrier_id``, so never change it.
    id: str
    #: The carrier's name for the merchant (``"Pathao"``).
    label: str

    def quote(self, store: StoreInfo, cart: CartSnapshot,
              address: Address) -> Sequence[ShippingRate]:
        """The delivery options for ``cart`` to ``address`` (which has at least a city
        or a region), one :class:`ShippingRate` each, in the order to show; empty when
        you do not deliver there. Runs on every refresh of the checkout: keep it fast.
        Raise ``PluginCheckoutError`` to tell the shopper why there is no option."""
        ...

    def tracking_url(self, tracking_number: str) -> str | None:
        """The shopper's ``https://`` link to follow the parcel with this tracking
        number, or ``None`` when there is none. Links that are not ``http(s)`` or are
        longer than 500 characters are dropped."""
        ...

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None:
        """Book ``order``'s parcel with the courier and return it as a
        :class:`Shipment` (a tracking number of 1 to 100 characters), or ``None`` when
        it is booked by hand. Raise ``PluginCheckoutError("reason")`` to refuse.

        It runs with no database transaction open and no lock held: call the courier's
        API (with a timeout), and write your own data if you need to
        (``store_values``, ``store_session``). Do not change the order: Haat ships it
        with your answer afterwards, unless the order was cancelled or shipped
        meanwhile (the merchant is then told to cancel the parcel with the courier).
        While it runs, another click on "Book" is refused; a booking with no answer
        after five minutes may be tried again. So an answer can be lost (a timeout)
        and the order booked twice: send ``order.token`` as the courier's merchant
        reference or idempotency key, so that the second booking finds the first
        parcel instead of creating another."""
        ...


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

    def index(self, store: StoreInfo, products: Iterable[ProductSnapshot]) -> None:
        """Add or replace ``products`` in the store's index; a product whose ``status``
        is not ``"active"`` is removed instead. Indexing twice changes nothing."""
        ...

    def remove(self, store: StoreInfo, product_ids: Iterable[int]) -> None:
        """Drop these products from the store's index; unknown ids are ignored."""
        ...

    def clear(self, store: StoreInfo) -> None:
        """Drop everything indexed for the store (and nothing of any other store)."""
        ...

    def query(self, store: StoreInfo, query: SearchQuery) -> SearchResults:
        """One page of the store's products matching ``query``, with its total, the
        facets asked for and a suggestion when the text looks misspelt."""
        ...

    def suggest(self, store: StoreInfo, text: str, limit: int = 8) -> Sequence[SearchHit]:
        """At most ``limit`` products for search-as-you-type: ``text`` is what the
        shopper has typed so far (2 characters or more), so match its last word as a
        prefix and forgive typos."""
        ...


