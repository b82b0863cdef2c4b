""""Delete this plugin's data" at ``/admin/plugins/<name>/data`` (owners only).

Switching a plugin off keeps what it stored; this page is the one way for a merchant to
remove it. It shows what will go, asks for a tick and the plugin's name typed out, then
switches the plugin off and deletes, for this store only, the rows of its tables, its
stored values, its settings and secrets, and its schedule and error records
(``core.pluginhost.data_deletion``).
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.db import db
from core.pluginhost.data_deletion import PluginData, delete_plugin_data, plugin_data
from core.pluginhost.manager import InstalledPlugin
from core.web.templating import number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_plugin_data", __name__, url_prefix="/admin/plugins")
log = logging.getLogger("haat.admin")


def _installed(name: str) -> InstalledPlugin:
    plugin = current_app.extensions["haat_plugins"].installed.get(name)
    if plugin is None:
        abort(404)
    return plugin


def deleted_parts(data: PluginData) -> list[str]:
    """What went, in words of the admin's language (empty parts left out)."""
    parts = []
    if data.rows:
        parts.append(ngettext("%(count)s row of its tables", "%(count)s rows of its tables",
                              data.rows, count=number_filter(data.rows)))
    if data.values:
        parts.append(ngettext("%(count)s stored value", "%(count)s stored values", data.values,
                              count=number_filter(data.values)))
    if data.settings:
        parts.append(_("its settings"))
    if data.schedule_runs:
        parts.append(ngettext("%(count)s schedule record", "%(count)s schedule records",
                              data.schedule_runs, count=number_filter(data.schedule_runs)))
    if data.failures:
        parts.append(ngettext("%(count)s recorded error", "%(count)s recorded errors",
                              data.failures, count=number_filter(data.failures)))
    return parts


@bp.route("/<name>/data", methods=["GET", "POST"])
@owner_required
def delete(name: str) -> str | Response | tuple[str, int]:
    """Show what the plugin keeps for this store (GET); delete it once confirmed (POST)."""
    plugin = _installed(name)
    store = current_store()
    title = str(plugin.manifest.title)
    errors: dict[str, str] = {}
    typed = ""
    ticked = False
    if request.method == "POST":
        ticked = bool(request.form.get("understand"))
        typed = request.form.get("plugin_name", "")
        if not ticked:
            errors["understand"] = _("Tick the box to confirm that the data cannot be "
                                     "brought back.")
        if typed.strip() != name:
            errors["plugin_name"] = (_("Type %(name)s exactly as shown.", name=name)
                                     if typed.strip() else
                                     _("Type %(name)s to confirm.", name=name))
        if not errors:
            gone = delete_plugin_data(store.id, name)
            db.session.commit()
            log.info("plugin %s data deleted for store %s: %s", name, store.id, gone)
            parts = deleted_parts(gone)
            if parts:
                flash(_("Deleted from %(plugin)s: %(what)s. The plugin is off.",
                        plugin=title, what=", ".join(parts)), "success")
            else:
                flash(_("%(plugin)s kept nothing for your store. The plugin is off.",
                        plugin=title), "success")
            return redirect(url_for("admin_plugins.settings", name=name), 303)
    body = render_template("admin/plugin_data.html", store=store, plugin=plugin,
                           title=title, data=plugin_data(store.id, name), errors=errors,
                           typed=typed, ticked=ticked)
    return body, 422 if errors else 200
