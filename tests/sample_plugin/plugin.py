"""sample-board: the manifest and hooks (see the package docstring)."""

from __future__ import annotations

from core.sdk import PluginManifest, PluginText, hookimpl
from sample_plugin import models  # noqa: F401  (declares the plugin's tables)
from sample_plugin.jobs import SCHEDULES, archive_after_days
from sample_plugin.views import bp, featured_products

#: The manifest's words, in the plugin's catalogue (translations/<lang>/LC_MESSAGES/).
_ = PluginText(__package__)

manifest = PluginManifest(
    name="sample-board",
    title=_.lazy("Message board"),
    description=_.lazy("Notes the merchant pins for shoppers, on a page of their own."),
    migrations="sample_plugin.migrations",
    settings=(archive_after_days, featured_products),
    schedules=SCHEDULES,
)


@hookimpl
def haat_blueprints():
    """The board page, ``/board`` (``views.py``)."""
    return [bp]
