"""The nightly schedule: forget saved products older than the merchant's setting.

A schedule is a module-level function taking the ``StoreInfo`` it runs for, declared in
the manifest with ``Schedule(name, func, when)``. Haat runs it once a day for each
store that has the plugin on, in that store's scope, at a time of the store's night.
"""

from __future__ import annotations

from core.sdk import Schedule, StoreInfo
from haat_wishlist.items import forget_older_than
from haat_wishlist.settings import kept_days
from haat_wishlist.text import _


def forget_old_items(store: StoreInfo) -> int:
    """Delete the store's saved items older than its ``keep_days``; returns how many.

    Haat ignores the result; it is there for whoever calls the function by hand.
    """
    return forget_older_than(store, kept_days(store))


#: The manifest's ``schedules``.
SCHEDULES = (
    Schedule("forget_old_items", forget_old_items, "daily",
             title=_.lazy("Forget products saved long ago")),
)
