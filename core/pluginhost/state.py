"""Reading and changing a store's plugin switches and settings.

Every change bumps ``Tenant.plugins_version`` in the same transaction, which is how
every worker learns, on its next request, that its cached relay is stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from core.clock import aware
from core.db import db, utcnow
from core.pluginhost.models import PluginState
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import mark_routing_changed


@dataclass(frozen=True)
class StorePluginState:
    """An immutable snapshot of one store's plugin state at one version."""

    tenant_id: int
    version: int
    enabled: frozenset[str]
    settings: Mapping[str, Mapping[str, Any]]
    secrets: Mapping[str, str]  # plugin -> encrypted token
    tripped: Mapping[str, datetime]  # plugin -> breaker open until
    valid_until: datetime | None  # the earliest breaker expiry, if any

    def is_fresh(self, version: int, now: datetime) -> bool:
        return version == self.version and (self.valid_until is None or now < self.valid_until)


def read_version(tenant_id: int) -> int:
    """The store's current plugin-state version (one indexed primary-key read)."""
    with platform_scope():
        return db.session.scalar(select(Tenant.plugins_version).where(Tenant.id == tenant_id)) or 0


def load_state(tenant_id: int, version: int | None = None) -> StorePluginState:
    """Read the store's switches, settings and breaker state.

    Pass ``version`` when it was just read; it is read before the rows, so a change
    landing in between makes the snapshot look older, never newer, than it is.
    """
    now = utcnow()
    with tenant_scope(tenant_id):
        if version is None:
            version = read_version(tenant_id)
        rows = db.session.scalars(select(PluginState)).all()
    tripped = {r.plugin: aware(r.disabled_until) for r in rows
               if r.disabled_until is not None and aware(r.disabled_until) > now}
    return StorePluginState(
        tenant_id=tenant_id,
        version=version,
        enabled=frozenset(r.plugin for r in rows if r.enabled and r.plugin not in tripped),
        settings={r.plugin: dict(r.settings or {}) for r in rows},
        secrets={r.plugin: r.secrets for r in rows if r.secrets},
        tripped=tripped,
        valid_until=min(tripped.values()) if tripped else None,
    )


def bump_version(tenant_id: int) -> None:
    """Mark the store's plugin state changed (part of the caller's transaction)."""
    with platform_scope():
        db.session.execute(
            update(Tenant).where(Tenant.id == tenant_id)
            .values(plugins_version=Tenant.plugins_version + 1)
            .execution_options(synchronize_session=False)
        )
    mark_routing_changed(db.session)  # cached StoreRefs carry the version


def _row(plugin: str) -> PluginState:
    row = db.session.scalar(select(PluginState).where(PluginState.plugin == plugin))
    if row is None:
        row = PluginState(plugin=plugin, enabled=False, settings={}, secrets="")
        db.session.add(row)
    return row


def set_enabled(tenant_id: int, plugin: str, enabled: bool,
                exclusive_peers: Iterable[str] = ()) -> list[str]:
    """Switch ``plugin`` on or off for one store; returns peers switched off with it.

    Turning on a plugin of an exclusive kind (e.g. search) turns off the others of
    that kind. Turning a plugin on also closes its circuit breaker. Flushes; the
    caller commits.
    """
    switched_off = []
    with tenant_scope(tenant_id):
        row = _row(plugin)
        row.enabled = enabled
        if enabled:
            row.disabled_until = None
            for peer in exclusive_peers:
                other = db.session.scalar(select(PluginState).where(PluginState.plugin == peer))
                if other is not None and other.enabled:
                    other.enabled = False
                    switched_off.append(peer)
        db.session.flush()
        _recombine_ratings(tenant_id)
    bump_version(tenant_id)
    return switched_off


def _recombine_ratings(tenant_id: int) -> None:
    """Products' ratings show only the figures of rating plugins that are on, so a
    switch combines them again (cheap: only products that have or had a rating)."""
    from core.catalog.ratings import ProductRating, recombine_store

    if db.session.scalar(select(ProductRating.id).limit(1)) is None:
        return
    now = utcnow()
    # The plugins the store's pages run, as load_state counts them: on, and not held
    # off by their circuit breaker.
    enabled = frozenset(row.plugin for row in db.session.scalars(
        select(PluginState).where(PluginState.enabled.is_(True)))
        if row.disabled_until is None or aware(row.disabled_until) <= now)
    recombine_store(tenant_id, enabled)


def save_settings(tenant_id: int, plugin: str, values: Mapping[str, Any],
                  encrypted_secrets: str) -> None:
    """Store validated settings (JSON-ready values) and the encrypted secrets token."""
    with tenant_scope(tenant_id):
        row = _row(plugin)
        row.settings = dict(values)
        row.secrets = encrypted_secrets
        db.session.flush()
    bump_version(tenant_id)


def default_plugins() -> list[str]:
    """The installed plugins that new stores start with (``HAAT_DEFAULT_PLUGINS``)."""
    wanted = [n.strip() for n in current_app.config["HAAT_DEFAULT_PLUGINS"].split(",")]
    installed = current_app.extensions["haat_plugins"].installed
    return [name for name in wanted if name in installed]


def enable_defaults(tenant_id: int, plugins: Iterable[str]) -> None:
    """Switch on the platform's default plugins for a new store."""
    names = [p for p in plugins if p]
    if not names:
        return
    with tenant_scope(tenant_id):
        for name in names:
            _row(name).enabled = True
        db.session.flush()
    bump_version(tenant_id)


def trip_breaker(tenant_id: int, plugin: str, cooldown: timedelta) -> None:
    """Switch a failing plugin off for this store until the cool-down has passed."""
    with tenant_scope(tenant_id):
        row = _row(plugin)
        row.disabled_until = utcnow() + cooldown
        db.session.flush()
    bump_version(tenant_id)
