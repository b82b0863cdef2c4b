"""Wiring the plugin host into the app: discovery, per-request relays, slots, gates."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, g, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from core.pluginhost import events
from core.pluginhost.manager import PluginHost
from core.pluginhost.runtime import StatesCache, StorePlugins
from core.pluginhost.secrets import SecretBox, keys_from_config
from core.sdk import SLOT_NAMES, PageContext, SlotContent, StoreInfo
from core.web.tenancy import current_store
from tenants.provisioning import find_tenant_by_id
from tenants.resolution import StoreRef

PAGE_KINDS = {
    "storefront.index": "home",
    "storefront.collection": "collection",
    "storefront.product": "product",
}


class UnknownSlot(ValueError):
    """A template asked for a slot that is not in ``core.sdk.SLOT_NAMES``."""


def store_info(store: StoreRef, base_url: str | None = None) -> StoreInfo:
    """The SDK's view of a store (no settings loader yet)."""
    if base_url is None:
        domain = current_app.config["HAAT_PLATFORM_DOMAIN"]
        base_url = f"{current_app.config['PREFERRED_URL_SCHEME']}://{store.slug}.{domain}/"
    return StoreInfo(id=store.id, slug=store.slug, name=store.name, locale=store.locale,
                     currency=store.currency, base_url=base_url,
                     contact_email=store.contact_email, contact_phone=store.contact_phone,
                     address=store.address)


def _build(store: StoreRef, base_url: str | None) -> StorePlugins:
    app = current_app._get_current_object()
    state = app.extensions["haat_plugin_states"].get(store.id)
    return StorePlugins(app, app.extensions["haat_plugins"], state, store_info(store, base_url))


def plugins_for_request() -> StorePlugins | None:
    """The current store's plugins (built once per request), or None off a store host."""
    if "haat_store_plugins" not in g:
        store = current_store()
        g.haat_store_plugins = _build(store, request.host_url) if store else None
    return g.haat_store_plugins


def plugins_for_tenant(tenant_id: int) -> StorePlugins:
    """A store's plugins outside a request (events, CLI, jobs)."""
    tenant = find_tenant_by_id(tenant_id)
    if tenant is None:
        raise LookupError(f"no store with id {tenant_id}")
    return _build(StoreRef.of(tenant), None)


def page_context(template_context: Context | dict[str, Any] | None = None) -> PageContext:
    """Describe the page being rendered, for slots, SEO and badges."""
    context = template_context or {}
    store = current_store()
    return PageContext(
        kind=PAGE_KINDS.get(request.endpoint or "", "other"),
        path=request.path,
        url=request.base_url,
        title=str(context.get("title", "") or ""),
        locale=store.locale if store else "en",
        is_secure=request.is_secure,
    )


def render_slot_items(name: str, items: list[tuple[str, SlotContent]]) -> Markup:
    """Slot contributions as HTML; text is escaped, ``Markup`` passes on purpose."""
    if not items:
        return Markup("")
    parts = []
    for plugin, item in items:
        if item.html is not None:
            inner = item.html
        elif item.url:
            inner = Markup('<a href="{}">{}</a>').format(item.url, item.text)
        else:
            inner = escape(item.text)
        css = f" {item.css_class}" if item.css_class else ""
        parts.append(Markup('<div class="haat-slot-item{}" data-plugin="{}">{}</div>').format(
            css, plugin, inner))
    return Markup('<div class="haat-slot haat-slot-{}">{}</div>').format(
        name, Markup("").join(parts))


@pass_context
def slot(context: Context, name: str) -> Markup:
    """``{{ slot("footer") }}``: what the store's enabled plugins put in a slot."""
    if name not in SLOT_NAMES:
        raise UnknownSlot(f"{name!r} is not a slot; use one of {', '.join(SLOT_NAMES)}")
    plugins = plugins_for_request()
    if plugins is None:
        return Markup("")
    items: list[tuple[str, SlotContent]] = []
    for contribution in plugins.contribute("haat_slot", name=name, page=page_context(context)):
        values = contribution.value
        for item in values if isinstance(values, list | tuple) else [values]:
            if isinstance(item, SlotContent):
                items.append((contribution.plugin, item))
    return render_slot_items(name, items)


def _gate_plugin_routes() -> None:
    """A plugin's routes answer 404 on stores that have not enabled it."""
    owner = current_app.extensions["haat_plugin_blueprints"].get(request.blueprint or "")
    if owner is None:
        return
    plugins = plugins_for_request()
    if plugins is None or owner not in plugins.enabled:
        abort(404)


def _register_blueprints(app: Flask, host: PluginHost) -> None:
    owners: dict[str, str] = {}
    for impl in host.pm.hook.haat_blueprints.get_hookimpls():
        try:
            blueprints = impl.function() or []
            for blueprint in blueprints:
                app.register_blueprint(blueprint)
                owners[blueprint.name] = impl.plugin_name
        except Exception as exc:  # a broken plugin must not stop the app
            host.unregister(impl.plugin_name)
            host.problems.append(_problem(impl.plugin_name, f"blueprints failed: {exc!r}"))
    app.extensions["haat_plugin_blueprints"] = owners


def _problem(name: str, error: str) -> Any:
    from core.pluginhost.manager import LoadProblem

    return LoadProblem(name, "(installed)", error)


def init_app(app: Flask, host: PluginHost | None = None) -> PluginHost:
    """Discover plugins and wire them into requests, templates and events."""
    if host is None:
        host = PluginHost(timing=app.config["HAAT_PLUGIN_TIMING"])
        host.discover()
    app.extensions["haat_plugins"] = host
    app.extensions["haat_plugin_states"] = StatesCache()
    app.extensions["haat_secret_box"] = SecretBox(keys_from_config(app.config))
    _register_blueprints(app, host)
    app.before_request(_gate_plugin_routes)
    app.add_template_global(slot, "slot")
    events.install(app)
    return host
