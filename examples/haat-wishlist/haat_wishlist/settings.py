"""The merchant's settings for the wishlist (the manifest lists them), and reading them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.sdk import BoolField, NumberField, StoreInfo
from haat_wishlist.models import PLUGIN
from haat_wishlist.text import _

DEFAULT_KEEP_DAYS = 90

keep_days = NumberField(
    "keep_days", _.lazy("Keep saved products for (days)"),
    help=_.lazy("Every night, products that shoppers saved longer ago than this leave "
                "their wishlists. From 1 to 3650 days."),
    default=DEFAULT_KEEP_DAYS, integer=True, min_value=1, max_value=3650)

show_button = BoolField(
    "show_button", _.lazy("Show the “Save for later” button on product pages"),
    help=_.lazy("Shoppers press it to put the product on their wishlist."),
    default=True)

show_header_link = BoolField(
    "show_header_link", _.lazy("Show a “Wishlist” link at the top of every page"),
    help=_.lazy("It leads shoppers to the products they saved. Without it, they find "
                "their wishlist at /wishlist."),
    default=True)

FIELDS = (keep_days, show_button, show_header_link)


def settings_of(store: StoreInfo) -> Mapping[str, Any]:
    """The store's wishlist settings, every field present."""
    return store.plugin_settings(PLUGIN)


def kept_days(store: StoreInfo) -> int:
    """How many days the store keeps saved products."""
    return int(settings_of(store).get("keep_days") or DEFAULT_KEEP_DAYS)
