"""The admin's main menu: one list, filtered by role and by what the app serves."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.pluginhost.web import dashboard_panels


@dataclass(frozen=True)
class NavItem:
    """One menu entry; ``sections`` are the blueprints whose pages it is the parent of."""

    label: str
    endpoint: str
    owner_only: bool = False
    sections: tuple[str, ...] = ()


MAIN_MENU: tuple[NavItem, ...] = (
    NavItem(_l("Dashboard"), "admin.home", sections=("admin",)),
    NavItem(_l("Orders"), "admin_orders.index", sections=("admin_orders", "admin_cod")),
    NavItem(_l("Products"), "admin_products.index",
            sections=("admin_products", "admin_product_io")),
    NavItem(_l("Collections"), "admin_collections.index", sections=("admin_collections",)),
    NavItem(_l("Customers"), "admin_customers.index", sections=("admin_customers",)),
    NavItem(_l("Discounts"), "admin_discounts.index", sections=("admin_discounts",)),
    NavItem(_l("Settings"), "admin_settings.index", owner_only=True,
            sections=("admin_settings", "admin_messages", "admin_domains", "admin_pages",
                      "admin_theme", "admin_staff")),
    NavItem(_l("Payments"), "admin_sections.payments", owner_only=True,
            sections=("payments",)),
    NavItem(_l("Shipping"), "admin_sections.shipping", owner_only=True,
            sections=("shipping",)),
    NavItem(_l("Plugins"), "admin_plugins.index", owner_only=True, sections=("admin_plugins",)),
)


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    current: bool


def admin_menu() -> list[MenuLink]:
    """The entries the signed-in person may open, with the current section marked."""
    if not current_user.is_authenticated:
        return []
    served = current_app.view_functions
    here = _section_here()
    return [MenuLink(str(item.label), url_for(item.endpoint), here in item.sections)
            for item in MAIN_MENU
            if item.endpoint in served and (current_user.is_owner or not item.owner_only)]


def _section_here() -> str:
    """The menu section of this page: its blueprint, except that Payments and Shipping
    (and the settings of the plugins they list) are sections of their own."""
    here = request.blueprint or ""
    if request.endpoint in ("admin_sections.payments", "admin_sections.shipping"):
        return request.endpoint.rpartition(".")[2]
    if here in ("admin_plugins", "admin_plugin_data"):
        name = (request.view_args or {}).get("name")
        plugin = current_app.extensions["haat_plugins"].installed.get(name) if name else None
        if plugin is not None and plugin.manifest.admin_section:
            return plugin.manifest.admin_section
    return here


def admin_endpoint(endpoint: str) -> bool:
    """True when the app serves ``endpoint`` (a menu link to it would work)."""
    return endpoint in current_app.view_functions


def init_app(app: Flask) -> None:
    app.add_template_global(admin_menu, "admin_menu")
    app.add_template_global(admin_endpoint, "admin_endpoint")
    app.add_template_global(dashboard_panels, "dashboard_panels")
