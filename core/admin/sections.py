"""Payments and Shipping: the admin pages where a merchant sets up how shoppers pay and
how parcels reach them, in their own words, built on the plugins underneath.

Each page lists the plugins whose manifest puts them there (``PluginManifest.section``,
and every ``kind="payment"`` plugin under Payments) with their switch and a link to
their settings; the Plugins page still lists everything, with the technical details.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from core.admin.auth import owner_required
from core.admin.plugins import plugin_rows
from core.catalog import store_data
from core.db import utcnow
from core.pluginhost.web import plugins_for_request
from core.web.tenancy import current_store

bp = Blueprint("admin_sections", __name__, url_prefix="/admin")


def _page(section: str, template: str, **context: object) -> str:
    rows, others = plugin_rows(section)
    host = current_app.extensions["haat_plugins"]
    return render_template(template, store=current_store(), rows=rows, other_rows=others,
                           others_open=any(row.enabled for row in others),
                           on=[row for row in rows + others if row.is_on],
                           timing=host.timings is not None, now=utcnow(), section=section,
                           # Switching a plugin on or off comes back to this page.
                           back_to=url_for(f"admin_sections.{section}"), **context)


@bp.get("/payments")
@owner_required
def payments() -> str:
    """How shoppers pay: cash on delivery, mobile wallets, bank transfer, cards."""
    return _page("payments", "admin/payments.html")


@bp.get("/shipping")
@owner_required
def shipping() -> str:
    """How parcels reach shoppers: delivery zones and rates, couriers."""
    owned = store_data.shipping_zones_by_plugin(plugins_for_request().info)
    owners = {plugin for plugin, _zone in owned}
    # The plugin whose settings hold the zones, when one plugin has them all.
    return _page("shipping", "admin/shipping.html", zones=[zone for _p, zone in owned],
                 zones_plugin=next(iter(owners)) if len(owners) == 1 else None)
