"""Wiring the plugin host into the app: discovery, per-request relays, slots, gates."""

from __future__ import annotations

import importlib
import json
from dataclasses import replace
from typing import Any

from flask import Flask, abort, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from core import store_facts
from core.db import db
from core.extensions import login_manager
from core.i18n import normalise_locale
from core.pluginhost import events, migrations, tables
from core.pluginhost.manager import PluginHost
from core.pluginhost.runtime import StatesCache, StorePlugins
from core.pluginhost.secrets import SecretBox, keys_from_config
from core.sdk import (
    BADGE_PLACEMENTS,
    SLOT_NAMES,
    AdminMenuItem,
    Asset,
    Badge,
    DashboardPanel,
    MetaTag,
    PageContext,
    SlotContent,
    StoreInfo,
    StructuredData,
)
from core.web.tenancy import current_store
from tenants.provisioning import find_tenant_by_id
from tenants.resolution import StoreRef, routing_change_pending

PAGE_KINDS = {
    "storefront.index": "home",
    "storefront.collection": "collection",
    "storefront.product": "product",
    "storefront.search": "search",
    "storefront.cart": "cart",
    "storefront.cart_add": "product",
    "storefront.cart_update": "cart",
    "storefront.page": "page",
    "storefront.checkout": "checkout",
    "storefront.checkout_submit": "checkout",
    "storefront.order_status": "order",
}


_UNBUILT = object()


class UnknownSlot(ValueError):
    """A template asked for a slot that is not in ``core.sdk.SLOT_NAMES``."""


def store_info(store: StoreRef, base_url: str | None = None) -> StoreInfo:
    """The SDK's view of a store (no settings loader yet)."""
    if base_url is None:  # outside a request: a job sending an email, a schedule
        config = current_app.config
        port = str(config.get("HAAT_PUBLIC_PORT") or "")
        suffix = f":{port}" if port.isdigit() and port not in ("80", "443") else ""
        base_url = (f"{config['PREFERRED_URL_SCHEME']}://{store.slug}."
                    f"{config['HAAT_PLATFORM_DOMAIN']}{suffix}/")
    return StoreInfo(id=store.id, slug=store.slug, name=store.name, locale=store.locale,
                     currency=store.currency, base_url=base_url,
                     contact_email=store.contact_email, contact_phone=store.contact_phone,
                     address=store.address, bengali_digits=bool(store.bengali_digits),
                     country=store.country, timezone=store.timezone)


def _build(store: StoreRef, base_url: str | None, *, fresh: bool = False) -> StorePlugins:
    app = current_app._get_current_object()
    state = app.extensions["haat_plugin_states"].get(
        store.id, version=store.plugins_version if fresh else None)
    return StorePlugins(app, app.extensions["haat_plugins"], state, store_info(store, base_url))


def plugins_for_request() -> StorePlugins | None:
    """The current store's plugins (built once per request), or None off a store host."""
    # One lookup through the proxy: templates ask many times per page (``g.store``).
    found = g.get("haat_store_plugins", _UNBUILT)
    if found is _UNBUILT:
        store = current_store()
        # A change to the store's plugins earlier in this request makes the version
        # read at its start out of date.
        fresh = bool(g.get("haat_store_fresh")) and not routing_change_pending(db.session)
        found = _build(store, request.host_url, fresh=fresh) if store else None
        g.haat_store_plugins = found
    return found


def plugins_for_tenant(tenant_id: int) -> StorePlugins:
    """A store's plugins outside a request (events, CLI, jobs)."""
    tenant = find_tenant_by_id(tenant_id)
    if tenant is None:
        raise LookupError(f"no store with id {tenant_id}")
    return _build(StoreRef.of(tenant), None)


def page_context(template_context: Context | dict[str, Any] | None = None) -> PageContext:
    """Describe the page being rendered, for slots, SEO and badges (once per request)."""
    cached = g.get("haat_page_context")
    if cached is not None:
        return cached
    context = template_context or {}
    store = current_store()
    page = PageContext(
        kind=PAGE_KINDS.get(request.endpoint or "", "other"),
        path=request.path,
        url=request.base_url,
        title=str(context.get("title", "") or ""),
        locale=normalise_locale(str(get_locale() or (store.locale if store else "en"))),
        is_secure=request.is_secure,
    )
    g.haat_page_context = page
    return page


def render_slot_items(name: str, items: list[tuple[str, SlotContent]]) -> Markup:
    """Slot contributions as HTML; text is escaped, ``Markup`` passes on purpose."""
    if not items:
        return Markup("")
    parts = []
    for plugin, item in items:
        href = _safe_href(item.url)
        if item.html is not None:
            inner = str(item.html)
        elif href:
            inner = f'<a href="{escape(href)}">{escape(item.text)}</a>'
        else:
            inner = str(escape(item.text))
        css = f" {escape(item.css_class)}" if item.css_class else ""
        parts.append(f'<div class="haat-slot-item{css}" data-plugin="{escape(plugin)}">'
                     f"{inner}</div>")
    # Every interpolated value above is escaped (or was Markup already).
    return Markup(f'<div class="haat-slot haat-slot-{escape(name)}">{"".join(parts)}</div>')  # noqa: S704


@pass_context
def slot(context: Context, name: str) -> Markup:
    """``{{ slot("footer") }}``: what the store's enabled plugins put in a slot."""
    if name not in SLOT_NAMES:
        raise UnknownSlot(f"{name!r} is not a slot; use one of {', '.join(SLOT_NAMES)}")
    plugins = plugins_for_request()
    if plugins is None:
        return Markup("")
    found = plugins.contribute("haat_slot", name=name, page=page_context(context))
    return render_slot_items(name, _flatten(found, SlotContent))


def _flatten(contributions: list[Any], kind: type) -> list[tuple[str, Any]]:
    items = []
    for contribution in contributions:
        values = contribution.value
        for item in values if isinstance(values, list | tuple) else [values]:
            if isinstance(item, kind):
                items.append((contribution.plugin, item))
    return items


def _json_ld(data: Any) -> Markup:
    # json.dumps does not escape "</script>"; these replacements make it inert in HTML.
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup('<script type="application/ld+json">{}</script>').format(Markup(text))  # noqa: S704 - made inert above


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _safe_href(url: str | None) -> str | None:
    """A link target fit for ``href``: same-origin paths and http(s)/mailto/tel only.

    Plugins often pass on merchant-typed URLs; ``javascript:`` and the like are dropped.
    """
    if not url:
        return None
    if _same_origin(url):
        return url
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    return url if scheme in ("http", "https", "mailto", "tel") else None


#: Head tags the theme renders itself (through ``page_title``/``page_description``).
_THEME_OWNED = frozenset({"title", "description"})


def _head_tags(context: Context) -> list[MetaTag]:
    """The store's plugins' head tags for this page (asked once per request)."""
    if "haat_head_tags" not in g:
        plugins = plugins_for_request()
        g.haat_head_tags = ([tag for _p, tag in _flatten(
            plugins.contribute("haat_head_tags", page=page_context(context)), MetaTag)]
            if plugins is not None else [])
    return g.haat_head_tags


def _owned_tag(context: Context, name: str) -> str | None:
    return next((t.content for t in _head_tags(context) if t.name == name and t.content),
                None)


@pass_context
def page_title(context: Context, default: str) -> str:
    """``<title>{{ page_title(...) }}</title>``: a plugin's ``MetaTag(name="title")`` if
    one is given (e.g. the SEO plugin's pattern), else the theme's ``default``."""
    return _owned_tag(context, "title") or default


@pass_context
def page_description(context: Context, default: str = "") -> str:
    """The meta description: a plugin's ``MetaTag(name="description")``, else ``default``,
    else the page's own summary (``PageContext.description``), else the store's name."""
    store = current_store()
    return (_owned_tag(context, "description") or default
            or page_context(context).description or (store.name if store else ""))


@pass_context
def plugin_head(context: Context) -> Markup:
    """``{{ plugin_head() }}`` in ``<head>``: meta/link tags, JSON-LD and assets."""
    plugins = plugins_for_request()
    if plugins is None:
        return Markup("")
    page = page_context(context)
    parts: list[str] = []
    for tag in _head_tags(context):
        if tag.rel and tag.href:
            hreflang = f' hreflang="{escape(tag.hreflang)}"' if tag.hreflang else ""
            parts.append(f'<link rel="{escape(tag.rel)}" href="{escape(tag.href)}"{hreflang}>')
        elif tag.property or (tag.name and tag.name not in _THEME_OWNED):
            attribute = "property" if tag.property else "name"
            parts.append(f'<meta {attribute}="{escape(tag.property or tag.name)}" '
                         f'content="{escape(tag.content)}">')
    for _plugin, data in _flatten(plugins.contribute("haat_structured_data", page=page),
                                  StructuredData):
        parts.append(str(_json_ld(dict(data.data))))
    seen: set[str] = set()
    for _plugin, asset in _flatten(plugins.contribute("haat_assets", page=page), Asset):
        if asset.url in seen or not _same_origin(asset.url):
            continue
        seen.add(asset.url)
        if asset.kind == "css":
            parts.append(f'<link rel="stylesheet" href="{escape(asset.url)}">')
        elif asset.kind == "js":
            defer = " defer" if asset.defer else ""
            parts.append(f'<script src="{escape(asset.url)}"{defer}></script>')
    return Markup("\n".join(parts))  # noqa: S704 - every value above is escaped


@pass_context
def badges(context: Context, placement: str) -> Markup:
    """``{{ badges("product") }}``: trust badges for a placement, each key once.

    A list with a translatable accessible name; each badge shows its icon (an inline
    SVG from ``badge_icons``, hidden from assistive technology) before its label, which
    is visible text. Labels, details and links are escaped.
    """
    from flask_babel import gettext

    from core.pluginhost.badge_icons import icon_svg

    if placement not in BADGE_PLACEMENTS:
        raise UnknownSlot(f"{placement!r} is not a badge placement")
    plugins = plugins_for_request()
    if plugins is None:
        return Markup("")
    found = _flatten(plugins.contribute("haat_trust_badges", placement=placement,
                                        page=page_context(context)), Badge)
    seen: set[str] = set()
    items = []
    for plugin, badge in found:
        if badge.key in seen:
            continue
        seen.add(badge.key)
        href = _safe_href(badge.url)
        label = (f'<a href="{escape(href)}">{escape(badge.label)}</a>'
                 if href else str(escape(badge.label)))
        detail = (f' <span class="badge-detail">{escape(badge.description)}</span>'
                  if badge.description else "")
        items.append(f'<li class="badge badge-{escape(badge.key)}" '
                     f'data-plugin="{escape(plugin)}">{icon_svg(badge.icon)}{label}{detail}</li>')
    if not items:
        return Markup("")
    name = gettext("Why shop with us")
    return Markup(  # noqa: S704 - every value above is escaped (icons are constants)
        f'<ul class="trust-badges trust-badges-{escape(placement)}" '
        f'aria-label="{escape(name)}">{"".join(items)}</ul>')


def admin_menu() -> list[tuple[str, AdminMenuItem]]:
    """Admin menu entries contributed by the store's plugins (same-origin links only)."""
    plugins = plugins_for_request()
    if plugins is None:
        return []
    return [(p, item) for p, item in _flatten(plugins.contribute("haat_admin_menu"),
                                                AdminMenuItem) if _same_origin(item.url)]


def dashboard_panels() -> list[tuple[str, DashboardPanel]]:
    """The dashboard panels of the store's plugins, by plugin; a panel's ``url`` is kept
    only when it is a path on the store's host."""
    plugins = plugins_for_request()
    if plugins is None:
        return []
    panels = []
    for plugin, panel in _flatten(plugins.contribute("haat_dashboard_panels"), DashboardPanel):
        if panel.url and not _same_origin(panel.url):
            panel = replace(panel, url="")
        if not isinstance(panel.html, Markup):  # plain text is shown as text
            panel = replace(panel, html=escape(str(panel.html)))
        panels.append((plugin, panel))
    return panels


def plugin_contexts() -> dict[str, dict[str, Any]]:
    """What each enabled plugin adds to a storefront page's template context (by plugin)."""
    plugins = plugins_for_request()
    if plugins is None:
        return {}
    found = {}
    for contribution in plugins.contribute("haat_template_context", page=page_context()):
        if isinstance(contribution.value, dict):
            found[contribution.plugin] = contribution.value
    return found


def _plugin_context() -> dict[str, Any]:
    """``plugin_context["<plugin>"]`` in storefront templates (plugin pages pass their
    own, see ``core.sdk.render_page``)."""
    return {"plugin_context": plugin_contexts() if request.blueprint == "storefront" else {}}


def route_plugin() -> str | None:
    """The plugin whose blueprint (or a blueprint nested in it) serves this request."""
    owners = current_app.extensions["haat_plugin_blueprints"]
    return next((owners[name] for name in request.blueprints if name in owners), None)


def _gate_plugin_routes() -> Any:
    """A plugin's routes answer 404 on stores that have not enabled it, and its routes
    under ``/admin`` only serve the store's signed-in staff (visitors are sent to sign
    in), whatever the plugin remembers to check itself."""
    owner = route_plugin()
    if owner is None:
        return None
    plugins = plugins_for_request()
    if plugins is None or owner not in plugins.enabled:
        abort(404)
    if (request.path == "/admin" or request.path.startswith("/admin/")) and \
            not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _private_plugin_pages(response: Any) -> Any:
    """A plugin's pages may show the shopper's own things: unless the plugin said how to
    cache a response, no shared cache (a CDN, a proxy) may keep it."""
    if "Cache-Control" not in response.headers and route_plugin() is not None:
        response.cache_control.private = True
    return response


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
            host.report(impl.plugin_name, "(installed)", f"blueprints failed: {exc!r}")
    app.extensions["haat_plugin_blueprints"] = owners


def init_app(app: Flask, host: PluginHost | None = None) -> PluginHost:
    """Discover plugins and wire them into requests, templates and events."""
    if host is None:
        host = PluginHost(timing=app.config["HAAT_PLUGIN_TIMING"])
        host.discover()
        # Plugin modules named in the config (never the environment): the test suite's
        # sample plugin, or an app that embeds Haat. Installed packages come first.
        for module_name in app.config.get("HAAT_EXTRA_PLUGINS", ()):
            host.register(importlib.import_module(module_name), distribution="(configured)")
    app.extensions["haat_plugins"] = host
    # The lower layers know no plugins: Alembic learns of their migrations folders, and
    # store deletion of their tables, from here.
    migrations.install()
    tables.install()
    app.extensions["haat_plugin_states"] = StatesCache()
    store_facts.install(app)
    app.extensions["haat_secret_box"] = SecretBox(keys_from_config(app.config))
    _register_blueprints(app, host)
    app.before_request(_gate_plugin_routes)
    app.after_request(_private_plugin_pages)
    app.add_template_global(slot, "slot")
    app.add_template_global(plugin_head, "plugin_head")
    app.add_template_global(page_title, "page_title")
    app.add_template_global(page_description, "page_description")
    app.add_template_global(badges, "badges")
    app.add_template_global(admin_menu, "plugin_admin_menu")
    app.context_processor(_plugin_context)
    events.install(app)
    return host
