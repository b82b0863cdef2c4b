"""The merchant's admin panel at ``/admin`` on each store's host."""

from __future__ import annotations

from flask import Blueprint


def admin_blueprints() -> list[Blueprint]:
    """Every admin blueprint, in the order the app registers them."""
    from core.admin import (
        account,
        cod,
        collections,
        customers,
        discounts,
        domains,
        message_wording,
        orders,
        pages,
        plugin_data,
        plugins,
        product_io,
        products,
        sections,
        settings,
        staff,
        theme,
        views,
    )

    # Import and export come first so /admin/products/export is not read as a product id.
    return [views.bp, account.bp, product_io.bp, products.bp, collections.bp, cod.bp,
            orders.bp,
            customers.bp, discounts.bp, settings.bp, message_wording.bp, domains.bp, pages.bp,
            staff.bp, theme.bp, plugins.bp, plugin_data.bp, sections.bp]
