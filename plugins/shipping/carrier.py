"""The store's rate table as a ``core.sdk.ShippingCarrier``: quoting a cart to an address."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal

from core.sdk import (
    Address,
    CartSnapshot,
    Money,
    OrderSnapshot,
    Shipment,
    ShippingRate,
    ShippingZone,
    StoreInfo,
    format_number,
)

from .couriers import Courier, TrackingPage
from .texts import days_text, text
from .zones import FREE_OVER, PICKUP, Method, Zone, ZoneTable

CARRIER_ID = "shipping"


def priced_methods(zone: Zone, cart: CartSnapshot) -> list[tuple[Method, Decimal]]:
    """The zone's options that apply to ``cart`` with their prices, in the merchant's order.

    When "free over" applies it replaces every paid option except pickup.
    """
    priced = [(m, p) for m in zone.methods if (p := m.price_for(cart)) is not None]
    if any(m.kind == FREE_OVER for m, _ in priced):
        priced = [(m, p) for m, p in priced if m.kind == PICKUP or p == 0]
    return priced


def describe(method: Method, price: Decimal, locale: str, *, zone: str = "",
             number: Callable[[int], str] = str) -> str:
    """The plugin's note under the merchant's label: "Free · 1-2 days", after the
    zone's name when the shopper is choosing between zones. ``number`` writes the days
    in the store's digits (``quote`` passes ``core.sdk.format_number`` for the store, in
    the same ``locale`` as the words: "১-২ দিন" for a Bengali store with Bengali digits)."""
    parts = [zone] if zone else []
    if price == 0:
        parts.append(text(locale, "free"))
    days = days_text(locale, method.min_days, method.max_days, number)
    if days:
        parts.append(days)
    return text(locale, "separator").join(parts)


class ZoneCarrier:
    """One store's zones and rates, quoting carts at checkout.

    Built per store from its settings by ``haat_shipping_carriers``; it holds nothing of
    any other store. Rate ids are ``"<zone slug>/<option slug>"``; rate notes ("Free",
    "1-2 days") are in the store's language, and ``min_days``/``max_days`` let core word
    them in the shopper's.
    """

    id = CARRIER_ID

    def __init__(self, table: ZoneTable, *, label: str) -> None:
        self.table = table
        self.label = label
        self.couriers: Mapping[str, Courier] = {
            f"{zone.slug}/{method.slug}": TrackingPage(method.track, name=method.label)
            for zone in table.zones for method in zone.methods if method.track
        }

    @property
    def zones(self) -> list[ShippingZone]:
        """The zones, for payment plugins to offer as choices (cash on delivery's)."""
        return [ShippingZone(id=zone.slug, name=zone.name, carrier=self.id)
                for zone in self.table.zones]

    def quote(self, store: StoreInfo, cart: CartSnapshot,
              address: Address) -> list[ShippingRate]:
        """Rates of the zone the address is in, or of every zone it may be in when it
        cannot be placed precisely (``ZoneTable.zones_for``). The shopper then chooses
        the zone with the rate: each note starts with its zone's name ("Sylhet city ·
        1-2 days"), and a label that two zones share gets the name in front too."""
        zones = self.table.zones_for(address)
        priced = [(zone, method, price) for zone in zones
                  for method, price in priced_methods(zone, cart)]
        labels = Counter(method.label.casefold() for _zone, method, _price in priced)

        def number(count: int) -> str:
            return format_number(store, count, store.locale)

        return [
            ShippingRate(
                id=f"{zone.slug}/{method.slug}",
                label=(method.label if labels[method.label.casefold()] == 1
                       else f"{zone.name}: {method.label}"),
                amount=Money.from_decimal(price, store.currency),
                carrier=self.id,
                description=describe(method, price, store.locale,
                                     zone=zone.name if len(zones) > 1 else "", number=number),
                min_days=method.min_days,
                max_days=method.max_days,
                zone=zone.slug,
            )
            for zone, method, price in priced
        ]

    def courier_for(self, rate_id: str) -> Courier | None:
        """The courier behind a delivery option (``rate_id`` without the carrier id)."""
        return self.couriers.get(rate_id)

    def courier_name_for(self, rate_id: str) -> str | None:
        """The courier of the option ``rate_id`` as the admin's form suggests it when the
        merchant ships by hand: the option's label for an option with a ``track:`` page
        (name such options after their courier, "Pathao: 120"); ``None`` for an option
        without a courier (the form then suggests none, and gives no link)."""
        courier = self.courier_for(rate_id)
        return (courier.name or None) if courier is not None else None

    @property
    def books_shipments(self) -> bool:
        """True when a courier of one of the options books parcels (core then offers
        "Book with ..." on orders); ``track:`` pages alone book nothing."""
        return any(courier.books_shipments for courier in self.couriers.values())

    def tracking_url_for(self, rate_id: str, tracking_number: str) -> str | None:
        """The tracking link of a parcel sent with the option ``rate_id`` (what core
        asks when it knows the order's option): its ``track:`` page."""
        courier = self.courier_for(rate_id)
        return courier.tracking_url(tracking_number) if courier is not None else None

    def tracking_url(self, tracking_number: str) -> str | None:
        """The tracking link when the store's options use one tracking page only.

        Without the order's option there is no safe answer when options use different
        tracking pages, so this then gives ``None`` (core asks
        :meth:`tracking_url_for` when it knows the option).
        """
        couriers: list[Courier] = []
        for courier in self.couriers.values():
            if courier not in couriers:
                couriers.append(courier)
        return couriers[0].tracking_url(tracking_number) if len(couriers) == 1 else None

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment | None:
        """Book the parcel with the courier of the order's option; ``None`` when that
        option has none that books (a ``track:`` page: the merchant books by hand)."""
        carrier_id, _colon, rate_id = order.shipping_rate_id.partition(":")
        courier = self.courier_for(rate_id) if carrier_id == self.id else None
        return courier.create_shipment(store, order) if courier is not None else None
