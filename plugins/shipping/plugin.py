"""Shipping rates by zone: country, then region or district, then city or area.

The merchant builds the zones on the plugin's settings page (the Shipping page): places
chosen from Haat's address data, and delivery options priced flat, by weight bands, by
order-value bands, free over an amount, or pickup (``form.py``, ``zones_field.py``).
They are stored as a few lines of text (the format is in ``grammar.py`` and
docs/shipping.md), which power users may edit, import and export directly. At checkout
the most specific zone the address is in quotes its options; an address in no zone gets
no rates and a clear reason. Labels are the merchant's own words; the plugin's own notes
("Free", "1-2 days", the reasons) come in English, Bengali and Armenian (``texts.py``), and
so does its settings page, in the merchant's admin language (``catalogue.py``).
"""

from __future__ import annotations

from core.sdk import (
    CheckoutContext,
    CheckoutProblem,
    PluginManifest,
    ShippingCarrier,
    StoreInfo,
    hookimpl,
)

from .carrier import CARRIER_ID, ZoneCarrier, priced_methods
from .catalogue import _
from .defaults import default_zones
from .grammar import parse_zones, zone_problems
from .texts import text
from .zones import ZoneTable
from .zones_field import ZonesField

HELP = _.lazy(
    "Emptied (every zone removed), the zones go back to the starter zones for your "
    "currency."
)


manifest = PluginManifest(
    name="shipping",
    section="shipping",
    title=_.lazy("Shipping rates"),
    description=_.lazy("Delivery zones by country, region and city, each with its own "
                       "rates: flat, by weight, by order value, free over an amount, or "
                       "pickup."),
    settings=(
        ZonesField("zones", _.lazy("Delivery zones and rates"), help=HELP, default="",
                   validators=(zone_problems,)),
    ),
)


def store_table(store: StoreInfo) -> ZoneTable:
    """The store's parsed zones (its starter zones while it has written none).

    Saved text was checked when it was saved; text that no longer reads (an older
    format) raises, so checkout refuses clearly rather than charging a wrong rate.
    """
    written = str(store.plugin_settings(manifest.name).get("zones") or "").strip()
    table = parse_zones(written or default_zones(store.currency, store.locale))
    if table.errors:
        raise ValueError(f"the shipping zones cannot be read: {table.errors[0]}")
    return table


@hookimpl
def haat_shipping_carriers(store: StoreInfo) -> list[ShippingCarrier]:
    """The store's rate table, as one carrier with the id ``shipping``."""
    return [ZoneCarrier(store_table(store), label=text(store.locale, "carrier_label"))]


@hookimpl
def haat_checkout_validate(store: StoreInfo,
                           checkout: CheckoutContext) -> list[CheckoutProblem]:
    """Why this address or cart gets no rate, in the shopper's language.

    Silent when the shopper chose another carrier's rate, or has typed no country yet.
    """
    address = checkout.address
    if address is None or not address.country.strip():
        return []
    chosen = checkout.shipping_rate_id or ""
    if chosen and not chosen.startswith(f"{CARRIER_ID}:"):
        return []
    locale = checkout.locale or store.locale
    table = store_table(store)
    zones = table.zones_for(address)
    if not zones:
        field = "city" if table.serves_country(address.country) else "country"
        return [CheckoutProblem(text(locale, "no_zone"), field)]
    if not any(priced_methods(zone, checkout.cart) for zone in zones):
        return [CheckoutProblem(text(locale, "no_rate"), "shipping_rate")]
    return []
