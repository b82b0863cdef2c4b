"""reviews: the manifest and the hooks Haat calls (see the package docstring)."""

from __future__ import annotations

from core.sdk import PluginManifest, hookimpl

from . import (
    admin,
    assets,
    display,
    models,  # noqa: F401  (declares the plugin's tables)
    requests,
    writing,
)
from .admin import haat_admin_menu, haat_dashboard_panels  # noqa: F401  (hooks)
from .display_hooks import (  # noqa: F401  (hooks)
    haat_assets,
    haat_sitemap_entries,
    haat_slot,
    haat_structured_data,
)
from .i18n import _
from .requests import (  # noqa: F401  (hooks)
    haat_order_cancelled,
    haat_order_delivered,
    haat_order_returned,
)
from .settings import FIELDS

manifest = PluginManifest(
    name="reviews",
    title=_.lazy("Reviews"),
    description=_.lazy("Star ratings, reviews and photos from your shoppers, review "
                       "requests after delivery, moderation and a customer wall."),
    migrations="plugins.reviews.migrations",
    settings=FIELDS,
    schedules=requests.SCHEDULES,
)


@hookimpl
def haat_blueprints():
    """The plugin's pages: static files, writing, display, requests and the admin."""
    return [assets.bp, display.bp, requests.bp, admin.bp, writing.bp]
