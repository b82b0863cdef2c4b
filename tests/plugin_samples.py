"""Plugin objects that tests load through real entry points (``plugin_samples:...``)."""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint, Response, jsonify

from core.sdk import PluginManifest, current_shopper, hookimpl

pages = Blueprint("sample_pages", __name__, url_prefix="/apps/sample")


@pages.get("/hello")
def hello() -> str:
    return "hello from the sample plugin"


@pages.get("/who")
def who() -> Response:
    """Who is signed in, as a plugin sees it (``core.sdk.current_shopper``)."""
    shopper = current_shopper()
    return jsonify(None if shopper is None else {
        "channel": shopper.channel, "address": shopper.address,
        "customers": list(shopper.customer_ids)})


@hookimpl
def _blueprints() -> list[Blueprint]:
    return [pages]


blueprint_plugin = ModuleType("sample_pages_plugin")
blueprint_plugin.manifest = PluginManifest(name="sample-pages", title="Sample pages")
blueprint_plugin.haat_blueprints = _blueprints
