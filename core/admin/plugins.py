"""The store owner's plugin page: switch plugins on and off, and configure them.

A minimal part of the admin panel at ``/admin/plugins`` (the full panel absorbs it
later). Everything here is per store: the request's store scope filters every query,
and the ``core.pluginhost.state`` helpers bump the store's plugin-state version so every
worker sees a change on its next request.

Settings values and secrets are never logged; secrets are never put into a page.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.admin.language import admin_page_language
from core.admin.plugin_applicability import Applicability, applicability
from core.catalog import store_data
from core.clock import aware
from core.db import db, utcnow
from core.pluginhost.manager import InstalledPlugin, PluginHost
from core.pluginhost.models import PluginFailure, PluginState
from core.pluginhost.runtime import reraise_unless_isolating
from core.pluginhost.schedules import schedule_statuses
from core.pluginhost.secrets import SecretBox, SecretsUnreadable
from core.pluginhost.settings import (
    FORM_ERROR,
    form_values,
    submitted_value,
    to_json,
    validate_settings,
)
from core.pluginhost.state import save_settings, set_enabled
from core.pluginhost.web import plugins_for_request
from core.sdk import (
    BoolField,
    Field,
    FieldError,
    PluginManifest,
    WidgetContext,
    WidgetField,
)
from core.web.templating import number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_plugins", __name__, url_prefix="/admin/plugins")
log = logging.getLogger("haat.admin")

RECENT_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Failure:
    hook: str
    error: str
    at: datetime


@dataclass
class PluginRow:
    """What the list page shows about one installed plugin for this store."""

    plugin: InstalledPlugin
    enabled: bool = False
    tripped_until: datetime | None = None
    failures: list[Failure] = field(default_factory=list)
    failures_24h: int = 0
    timings: list[tuple[str, int, float]] = field(default_factory=list)
    fit: Applicability = field(default_factory=lambda: Applicability(True, False, ""))

    @property
    def name(self) -> str:
        return self.plugin.name

    @property
    def manifest(self) -> PluginManifest:
        return self.plugin.manifest

    @property
    def is_on(self) -> bool:
        """On and serving shoppers (not switched off by the circuit breaker)."""
        return self.enabled and self.tripped_until is None


# ------------------------------------------------------------------------ helpers


def _host() -> PluginHost:
    return current_app.extensions["haat_plugins"]


def _box() -> SecretBox:
    return current_app.extensions["haat_secret_box"]


def _installed(name: str) -> InstalledPlugin:
    plugin = _host().installed.get(name)
    if plugin is None:
        abort(404)
    return plugin


def _states() -> dict[str, PluginState]:
    return {row.plugin: row for row in db.session.scalars(select(PluginState))}


def _state(name: str) -> PluginState | None:
    return db.session.scalar(select(PluginState).where(PluginState.plugin == name))


def _tripped_until(row: PluginState | None, now: datetime) -> datetime | None:
    until = aware(row.disabled_until) if row is not None else None
    return until if until is not None and until > now else None


def _recent_failures(names: list[str]) -> dict[str, list[Failure]]:
    """The last few failures of each plugin for this store, newest first (one query)."""
    if not names:
        return {}
    ranked = (
        select(
            PluginFailure.plugin, PluginFailure.hook, PluginFailure.error,
            PluginFailure.created_at,
            func.row_number().over(
                partition_by=PluginFailure.plugin,
                order_by=(PluginFailure.created_at.desc(), PluginFailure.id.desc()),
            ).label("position"),
        )
        .where(PluginFailure.plugin.in_(names))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.plugin, ranked.c.hook, ranked.c.error, ranked.c.created_at)
        .where(ranked.c.position <= RECENT_FAILURES)
        .order_by(ranked.c.plugin, ranked.c.position)
    ).all()
    found: dict[str, list[Failure]] = defaultdict(list)
    for plugin, hook, error, created_at in rows:
        found[plugin].append(Failure(hook, error, aware(created_at)))
    return found


def _failure_counts(now: datetime) -> dict[str, int]:
    rows = db.session.execute(
        select(PluginFailure.plugin, func.count())
        .where(PluginFailure.created_at >= now - FAILURE_WINDOW)
        .group_by(PluginFailure.plugin)
    ).all()
    return {plugin: count for plugin, count in rows}


def _timings(host: PluginHost) -> dict[str, list[tuple[str, int, float]]]:
    """Per-plugin ``(hook, calls, mean ms)`` from the host's timings, if kept."""
    if host.timings is None:
        return {}
    found: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
    for key, calls, mean_ms in host.timings.snapshot():
        hook, _, plugin = key.rpartition(":")
        if hook and plugin:
            found[plugin].append((hook, calls, mean_ms))
    return found


def _stored_secrets(row: PluginState | None) -> tuple[dict[str, str], bool]:
    """The decrypted secrets of a plugin for this store, and whether they were readable."""
    if row is None or not row.secrets:
        return {}, True
    try:
        return _box().decrypt(row.secrets), True
    except SecretsUnreadable:
        log.error("stored secrets of plugin %s for store %s cannot be decrypted",
                  row.plugin, row.tenant_id)
        return {}, False


def _needs_settings(manifest: PluginManifest, row: PluginState | None) -> bool:
    """True when a required setting has never been filled in."""
    stored = (row.settings or {}) if row is not None else {}
    has_secrets = bool(row is not None and row.secrets)
    for item in manifest.settings:
        if not item.required:
            continue
        if item.secret and not has_secrets:
            return True
        if not item.secret and stored.get(item.name) in (None, "", []):
            return True
    return False


def _typed_values(manifest: PluginManifest) -> dict[str, Any]:
    """What the merchant typed, to show again after an error (secrets left out)."""
    typed: dict[str, Any] = {}
    for item in manifest.settings:
        if item.secret:
            continue
        if isinstance(item, WidgetField):
            typed[item.name] = item.read_form(request.form)
        elif item.kind in ("multichoice", "shipping_zones"):
            typed[item.name] = request.form.getlist(item.name)
        elif isinstance(item, BoolField):
            typed[item.name] = item.checked(submitted_value(request.form, item))
        else:
            typed[item.name] = request.form.get(item.name, "")
    return typed


#: The admin pages a plugin's switch may send the merchant back to.
BACK_TO = ("/admin/plugins", "/admin/payments", "/admin/shipping")


def _back_to(default: str) -> str:
    target = request.form.get("next", "")
    if target.startswith(BACK_TO) and not target.startswith("//"):
        return target
    return default


# ------------------------------------------------------------------------- views


def field_error_text(error: FieldError) -> str:
    """A settings field's message in the admin's language: core's own messages (English
    ids with variables) through the admin catalogue, a plugin's own words as it gave
    them (a message without an admin translation stays as it is). Numbers in core's
    messages ("Enter 1 or more.") are written in the store's digits."""
    if isinstance(error.message, str):
        return _(error.message, **{
            name: number_filter(value)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
            for name, value in error.variables.items()})
    return str(error)


def _title(plugin: InstalledPlugin) -> str:
    """The plugin's title in the admin's language (a plugin may translate it lazily)."""
    return str(plugin.manifest.title)


def plugin_rows(section: str | None = None) -> tuple[list[PluginRow], list[PluginRow]]:
    """The installed plugins as the list pages show them (those made for the store's
    country and currency, then the others), only those of the admin ``section`` when
    given.

    Plugins made for the store's country and currency come first (those made for it in
    particular before those made for anywhere); plugins made for other countries or
    currencies are listed apart, each with a note of what it is for."""
    host = _host()
    store = current_store()
    now = utcnow()
    locale = admin_page_language()
    installed = [plugin for plugin in host.installed.values()
                 if section is None or plugin.manifest.admin_section == section]
    fits = {plugin.name: applicability(plugin.manifest, country=store.country,
                                       currency=store.currency, locale=locale)
            for plugin in installed}
    plugins = sorted(installed,
                     key=lambda p: (not fits[p.name].local, _title(p).lower(), p.name))
    states = _states()
    recent = _recent_failures([p.name for p in plugins])
    counts = _failure_counts(now)
    timings = _timings(host)
    rows = []
    for plugin in plugins:
        state = states.get(plugin.name)
        rows.append(PluginRow(
            plugin=plugin,
            enabled=bool(state is not None and state.enabled),
            tripped_until=_tripped_until(state, now),
            failures=recent.get(plugin.name, []),
            failures_24h=counts.get(plugin.name, 0),
            timings=timings.get(plugin.name, []),
            fit=fits[plugin.name],
        ))
    return ([row for row in rows if row.fit.applies],
            [row for row in rows if not row.fit.applies])


@bp.get("")
@owner_required
def index() -> str:
    """Every installed plugin, its switch for this store, its health and load problems."""
    host = _host()
    store = current_store()
    rows, others = plugin_rows()
    return render_template("admin/plugins.html", store=store, rows=rows, other_rows=others,
                           others_open=any(row.enabled for row in others),
                           ask_country=not store.country and any(
                               p.manifest.countries for p in host.installed.values()),
                           problems=host.problems, timing=host.timings is not None,
                           now=utcnow())


@bp.post("/<name>/toggle")
@owner_required
def toggle(name: str) -> Response:
    """Switch one plugin on (``enabled=1``) or off (``enabled=0``) for this store."""
    plugin = _installed(name)
    choice = request.form.get("enabled")
    if choice not in ("1", "0"):
        abort(400)
    enabled = choice == "1"
    host = _host()
    store = current_store()
    switched_off = set_enabled(store.id, name, enabled,
                               exclusive_peers=host.exclusive_peers(name))
    db.session.commit()
    title = _title(plugin)
    if enabled:
        flash(_("%(plugin)s is on.", plugin=title), "success")
        for peer in sorted(switched_off):
            peer_plugin = host.installed.get(peer)
            peer_title = _title(peer_plugin) if peer_plugin else peer
            flash(_("%(plugin)s was switched off: only one %(kind)s plugin can be on.",
                    plugin=peer_title, kind=plugin.manifest.kind), "info")
        if _needs_settings(plugin.manifest, _state(name)):
            flash(_("%(plugin)s needs its settings filled in before it can work.", plugin=title),
                  "info")
    else:
        flash(_("%(plugin)s is off.", plugin=title), "success")
    log.info("plugin %s switched %s for store %s", name, "on" if enabled else "off", store.id)
    return redirect(_back_to(url_for("admin_plugins.index") + f"#plugin-{name}"), 303)


@bp.route("/<name>", methods=["GET", "POST"])
@owner_required
def settings(name: str) -> str | Response | tuple[str, int]:
    """The plugin's settings form for this store, built from its manifest."""
    plugin = _installed(name)
    manifest = plugin.manifest
    store = current_store()
    now = utcnow()
    row = _state(name)
    stored_secrets, readable = _stored_secrets(row)
    errors: dict[str, str] = {}
    if not readable:
        errors[FORM_ERROR] = _("The saved secret settings cannot be read with this "
                               "server's keys. Please enter them again.")
    status = 200
    shown = form_values(manifest, (row.settings or {}) if row else {}, stored_secrets,
                        currency=store.currency)
    retype: set[str] = set()
    if request.method == "POST":
        result = validate_settings(manifest, request.form, currency=store.currency,
                                   stored_secrets=stored_secrets, explain=field_error_text)
        if result.ok:
            if readable or result.secrets:
                token = _box().encrypt(result.secrets)
            else:
                # Unreadable (e.g. a key left out while rotating) and nothing new typed:
                # keep the token, so that fixing the keys brings the secrets back.
                token = row.secrets if row is not None else ""
            save_settings(store.id, name, to_json(manifest, result.values), token)
            db.session.commit()
            log.info("plugin %s settings saved for store %s", name, store.id)
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin_plugins.settings", name=name), 303)
        errors.update(result.errors)
        shown.update(_typed_values(manifest))
        # A new secret that was typed is not shown again (nor kept): ask for it again.
        retype = {f.name for f in manifest.settings
                  if f.secret and (request.form.get(f.name) or "").strip()}
        status = 422
    fields = [_field_view(item, shown, errors, retype) for item in manifest.settings]
    # The store's zones are asked of its carriers once, however many fields tick them.
    zones = functools.cache(lambda: [(zone.id, zone.name) for zone in
                                     store_data.shipping_zones(plugins_for_request().info)])
    fields = [_with_controls(view, zones) for view in fields]
    body = render_template(
        "admin/plugin_settings.html", store=store, plugin=plugin, fields=fields,
        form_error=errors.get(FORM_ERROR, ""), failed=status == 422,
        enabled=bool(row is not None and row.enabled),
        tripped_until=_tripped_until(row, now), now=now,
        fit=applicability(manifest, country=store.country, currency=store.currency,
                          locale=admin_page_language()),
        schedules=schedule_statuses(
            manifest, store, now=now, locale=admin_page_language(),
            enabled=bool(row is not None and row.enabled) and not _tripped_until(row, now)),
    )
    return body, status


@dataclass(frozen=True)
class FieldView:
    """One settings field ready for the template (secrets only ever masked)."""

    field: Field
    value: Any
    error: str
    stored_mask: str
    #: A widget field's own controls (``WidgetField.render``).
    controls: Markup | None = None
    #: A shipping-zones field's choices: ``(id, name)`` of the store's zones now, then
    #: ticked ids no zone has any more (named by their id).
    zone_choices: tuple[tuple[str, str], ...] = ()
    #: Ticked ids that no zone has any more.
    gone_zones: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return f"setting-{self.field.name}"

    @property
    def required(self) -> bool:
        """Must be filled in now (a stored secret may be left empty to keep it)."""
        return self.field.required and not self.stored_mask

    @property
    def describedby(self) -> str | None:
        ids = []
        if self.field.help:
            ids.append(f"{self.id}-help")
        if self.stored_mask:
            ids.append(f"{self.id}-stored")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids) or None


def _with_controls(view: FieldView,
                   store_zones: Callable[[], list[tuple[str, str]]]) -> FieldView:
    """``view`` with what its kind of field needs drawn: a widget's own controls, the
    store's shipping zones to tick."""
    item = view.field
    if isinstance(item, WidgetField):
        context = WidgetContext(name=item.name, id=view.id, value=view.value,
                                error=view.error, locale=admin_page_language(),
                                store=plugins_for_request().info,
                                describedby=view.describedby)
        try:
            drawn = Markup(item.render(context))  # noqa: S704 - the plugin escapes
        except Exception as exc:
            # A plugin's bug costs its own form, not the page: the merchant is told, and
            # the operator finds the traceback in the log (tests see the exception).
            reraise_unless_isolating(exc)
            log.exception("plugin setting %s could not draw its form", item.name)
            drawn = Markup('<p class="error">{}</p>').format(
                _("This setting's form could not be shown. Please try again later."))
        return replace(view, controls=drawn)
    if item.kind == "shipping_zones":
        zones = store_zones()
        ticked = list(view.value or [])
        gone = frozenset(z for z in ticked if z not in {zone_id for zone_id, _ in zones})
        return replace(view, value=ticked,
                       zone_choices=(*zones, *((z, z) for z in ticked if z in gone)),
                       gone_zones=gone)
    return view


def _field_view(item: Field, shown: dict[str, Any], errors: dict[str, str],
                retype: set[str]) -> FieldView:
    error = errors.get(item.name, "")
    if item.secret:
        # The form only ever gets the mask; the input itself stays empty.
        if not error and item.name in retype:
            error = _("Enter this again: it was not saved because of the errors on this page.")
        return FieldView(item, "", error, shown.get(item.name, ""))
    return FieldView(item, shown.get(item.name, ""), error, "")
