"""Steadfast Courier: book parcels, follow them and settle their cash. See docs/steadfast.md.

Each store brings its own Steadfast merchant account: its API key and secret key (and
the token Steadfast's webhook sends) are encrypted settings, and every call uses that
store's keys. The merchant prices delivery with shipping zones (Steadfast's API quotes
no prices) and books any order's parcel with "Book with Steadfast". Steadfast's webhook
(``POST /apps/steadfast/webhook`` on the store's host) and a poll every 30 minutes move
the order through its journey; Steadfast's payouts, read every hour, feed Haat's
cash-on-delivery report.

Steadfast's public API has no success-rate (fraud) check, so this plugin gives no
``haat_delivery_record``.
"""

from __future__ import annotations

from core.sdk import PluginManifest, Schedule, StoreInfo, hookimpl

from . import admin, tracking
from .carrier import SteadfastCarrier
from .config import PLUGIN, SETTINGS, SteadfastConfig
from .payouts import sync_payouts
from .texts import _

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("Steadfast Courier"),
    description=_.lazy("Book parcels with Steadfast from the order page, follow them to the "
                       "door, and see the cash Steadfast collected and paid out."),
    section="shipping",
    countries=("BD",),
    currencies=("BDT",),
    settings=SETTINGS,
    schedules=(
        Schedule("poll_parcels", tracking.poll_parcels, "*/30 * * * *",
                 title=_.lazy("Parcel tracking")),
        Schedule("sync_payouts", sync_payouts, "hourly", title=_.lazy("Payouts")),
    ),
)


@hookimpl
def haat_shipping_carriers(store: StoreInfo) -> list[SteadfastCarrier]:
    """Steadfast books parcels once the store has set both API keys."""
    return [SteadfastCarrier(store)] if SteadfastConfig.of(store).ready else []


@hookimpl
def haat_blueprints():
    return [tracking.bp, admin.bp]


@hookimpl
def haat_admin_menu(store: StoreInfo):
    return admin.admin_menu(store)
