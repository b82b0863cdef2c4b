"""Pathao Courier: delivery prices at checkout, booking parcels from the order page,
tracking by Pathao's webhook (and an hourly poll), and the cash Pathao collects and pays
out, for Haat's cash-on-delivery report. See docs/pathao.md.

Each store brings its own Pathao merchant account (client id and secret, login, pickup
store, webhook secret): encrypted settings, used only for that store's calls.
"""

from __future__ import annotations

from core.sdk import PluginManifest, Schedule, ShippingCarrier, StoreInfo, hookimpl

from .carrier import PathaoCarrier
from .config import PLUGIN, SETTINGS, PathaoConfig
from .events import poll_parcels
from .texts import _
from .webhook import bp

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("Pathao Courier"),
    description=_.lazy("Pathao's delivery prices at checkout, parcels booked from the "
                       "order page, tracking for your shoppers, and Pathao's cash on "
                       "delivery payouts matched to your orders."),
    section="shipping",
    countries=("BD",),
    currencies=("BDT",),
    settings=SETTINGS,
    schedules=(Schedule("poll_parcels", poll_parcels, "hourly",
                        title=_.lazy("Parcel tracking")),),
)


@hookimpl
def haat_shipping_carriers(store: StoreInfo) -> list[ShippingCarrier]:
    return [PathaoCarrier(PathaoConfig.of(store))]


@hookimpl
def haat_blueprints() -> list:
    return [bp]
