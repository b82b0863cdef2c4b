"""Wishlist: the manifest and the hooks (the package docstring says what it does).

Haat finds this module through the ``haat.plugins`` entry point ``wishlist`` (see
setup.cfg). Every hook that takes ``store`` runs only for stores that switched the
plugin on.
"""

from __future__ import annotations

from flask import Blueprint

from core.sdk import Asset, PageContext, PluginManifest, SlotContent, StoreInfo, hookimpl
from haat_wishlist import models  # noqa: F401  (declares the plugin's table)
from haat_wishlist.jobs import SCHEDULES
from haat_wishlist.models import PLUGIN
from haat_wishlist.settings import FIELDS, settings_of
from haat_wishlist.text import _
from haat_wishlist.views import PAGE, STYLESHEET, bp, save_button

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("Wishlist"),
    description=_.lazy("Shoppers save products for later with a button on each product "
                       "page, and find them again on their own wishlist page."),
    # The plugin's Alembic branch: `haat db upgrade` creates its table.
    migrations="haat_wishlist.migrations",
    settings=FIELDS,
    schedules=SCHEDULES,
)


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """A "Wishlist" link at the top of every page, and the "Save for later" button
    under a product's price (each as the merchant's settings say)."""
    settings = settings_of(store)
    if name == "header" and settings.get("show_header_link"):
        return SlotContent(text=_("Wishlist"), url=PAGE, css_class="wishlist-header-link")
    if (name == "product_after_price" and settings.get("show_button")
            and page.product is not None):
        return SlotContent(html=save_button(page.product.id), css_class="wishlist-save-slot")
    return None


@hookimpl
def haat_assets(store: StoreInfo, page: PageContext) -> list[Asset]:
    """The small stylesheet, on the pages that show a part of the plugin."""
    settings = settings_of(store)
    if (page.plugin == PLUGIN or settings.get("show_header_link")
            or (page.kind == "product" and settings.get("show_button"))):
        return [Asset(kind="css", url=STYLESHEET)]
    return []


@hookimpl
def haat_blueprints() -> list[Blueprint]:
    """The page and its forms (views.py); Haat answers 404 on stores without the plugin."""
    return [bp]
