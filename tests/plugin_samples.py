"""Plugin objects that tests load through real entry points (``plugin_samples:...``)."""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint

from core.sdk import PluginManifest, hookimpl

pages = Blueprint("sample_pages", __name__, url_prefix="/apps/sample")


@pages.get("/hello")
def hello() -> str:
    return "hello from the sample plugin"


@hookimpl
def _blueprints() -> list[Blueprint]:
    return [pages]


blueprint_plugin = ModuleType("sample_pages_plugin")
blueprint_plugin.manifest = PluginManifest(name="sample-pages", title="Sample pages")
blueprint_plugin.haat_blueprints = _blueprints
