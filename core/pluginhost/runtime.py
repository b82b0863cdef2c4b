"""What one store sees of its plugins: the relay, settings, and isolated hook calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from cachetools import LRUCache
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.clock import aware
from core.db import db, utcnow
from core.pluginhost.manager import PluginHost, StoreHooks
from core.pluginhost.models import PluginFailure, PluginState
from core.pluginhost.secrets import SecretBox
from core.pluginhost.settings import effective_settings
from core.pluginhost.state import StorePluginState, load_state, read_version
from core.sdk import PluginCheckoutError, StoreInfo
from tenants import Tenant, tenant_scope

log = logging.getLogger("haat.plugins")
FAILURE_RETENTION = timedelta(days=30)


def isolating(app: Flask | None = None) -> bool:
    """True when a plugin's failure is contained (production); False under ``TESTING``
    or ``HAAT_PLUGIN_ISOLATION=0``, where every failure must reach the caller so that a
    plugin's own test fails instead of passing over a swallowed error."""
    from flask import current_app

    return bool((app or current_app).config["HAAT_PLUGIN_ISOLATION"])


def reraise_unless_isolating(exc: BaseException) -> None:
    """Call from an ``except`` block around code a plugin provides (a gateway, a carrier,
    a search backend): re-raise ``exc`` when failures are not isolated (tests), and
    return otherwise so that the caller can show its polite message."""
    if not isolating():
        raise exc


@dataclass(frozen=True)
class Contribution:
    """One plugin's answer to a collecting hook."""

    plugin: str
    value: Any


class StorePlugins:
    """The plugins enabled for one store, at one version of its plugin state."""

    def __init__(self, app: Flask, host: PluginHost, state: StorePluginState,
                 store: StoreInfo) -> None:
        self.app = app
        self.host = host
        self.state = state
        self.hooks: StoreHooks = host.hooks_for(state.enabled)
        self._settings: dict[str, Mapping[str, Any]] = {}
        self.info = replace(store, enabled_plugins=self.hooks.enabled,
                            _settings_loader=self.settings)

    @property
    def enabled(self) -> frozenset[str]:
        return self.hooks.enabled

    def settings(self, plugin: str) -> Mapping[str, Any]:
        """Effective settings of an enabled plugin for this store, secrets decrypted."""
        if plugin not in self._settings:
            installed = self.host.installed.get(plugin)
            if installed is None or plugin not in self.enabled:
                return {}
            box: SecretBox = self.app.extensions["haat_secret_box"]
            secrets = box.decrypt(self.state.secrets.get(plugin, ""))
            self._settings[plugin] = effective_settings(
                installed.manifest, self.state.settings.get(plugin, {}), secrets)
        return self._settings[plugin]

    def _arguments(self, hook_name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        spec = self.hooks.caller(hook_name).spec
        if spec is not None and "store" in spec.argnames and "store" not in kwargs:
            kwargs = {"store": self.info, **kwargs}
        return kwargs

    def first(self, hook_name: str, **kwargs: Any) -> Any:
        """Call a first-result hook (e.g. ``haat_search_backend``) the ordinary way."""
        return self.hooks.caller(hook_name)(**self._arguments(hook_name, kwargs))

    def contribute(self, hook_name: str, **kwargs: Any) -> list[Contribution]:
        """Call each implementation alone; a raising plugin costs only its own part."""
        return self._each(hook_name, self._arguments(hook_name, kwargs), checkout=False)

    def checkout(self, hook_name: str, **kwargs: Any) -> list[Contribution]:
        """Like ``contribute`` but any failure raises ``PluginCheckoutError``."""
        return self._each(hook_name, self._arguments(hook_name, kwargs), checkout=True)

    def _each(self, hook_name: str, kwargs: dict[str, Any], *,
              checkout: bool) -> list[Contribution]:
        results = []
        timings = self.host.timings
        for impl in reversed(self.hooks.caller(hook_name).get_hookimpls()):
            started = time.perf_counter()
            try:
                value = impl.function(
                    *[kwargs[name] for name in impl.argnames],
                    **{k: kwargs[k] for k in impl.kwargnames if k in kwargs},
                )
            except PluginCheckoutError as exc:
                # A deliberate "not for this checkout" message, not a malfunction.
                exc.plugin = exc.plugin or impl.plugin_name
                raise
            except Exception as exc:
                self._record(impl.plugin_name, hook_name, exc)
                if not isolating(self.app):
                    raise  # tests: the plugin's own error, not a polite message
                if checkout:
                    raise PluginCheckoutError(
                        "This option is not available right now. Please choose another "
                        "or try again in a few minutes.",
                        plugin=impl.plugin_name, detail=f"{hook_name}: {exc!r}",
                    ) from exc
                continue
            finally:
                if timings is not None:
                    timings.add(f"{hook_name}:{impl.plugin_name}", time.perf_counter() - started)
            if value is not None:
                results.append(Contribution(impl.plugin_name, value))
        return results

    def _record(self, plugin: str, hook_name: str, exc: BaseException) -> None:
        log.error("plugin %s failed in %s for store %s: %s: %s", plugin, hook_name,
                  self.info.slug, type(exc).__name__, exc,
                  exc_info=self.app.debug)
        record_failure(self.app, self.state.tenant_id, plugin, hook_name,
                       f"{type(exc).__name__}: {exc}")


def record_failure(app: Flask, tenant_id: int, plugin: str, hook: str, error: str) -> bool:
    """Count a failure in its own transaction; trip the breaker when there are too many.

    Returns True when this failure switched the plugin off for the store. A separate
    session keeps the page's own transaction out of it.
    """
    threshold = app.config["HAAT_PLUGIN_BREAKER_THRESHOLD"]
    window = timedelta(seconds=app.config["HAAT_PLUGIN_BREAKER_WINDOW"])
    cooldown = timedelta(seconds=app.config["HAAT_PLUGIN_BREAKER_COOLDOWN"])
    now = utcnow()
    with Session(db.engine) as session, tenant_scope(tenant_id):
        session.add(PluginFailure(tenant_id=tenant_id, plugin=plugin, hook=hook,
                                  error=error[:1000], created_at=now))
        session.flush()
        recent = session.scalar(
            select(func.count()).select_from(PluginFailure)
            .where(PluginFailure.plugin == plugin, PluginFailure.created_at >= now - window)
        )
        tripped = False
        if recent >= threshold:
            row = session.scalar(select(PluginState).where(PluginState.plugin == plugin))
            open_until = aware(row.disabled_until) if row is not None else None
            # A breaker whose cool-down has run out is closed again and may re-trip.
            if row is not None and row.enabled and (open_until is None or open_until <= now):
                row.disabled_until = now + cooldown
                session.execute(update(Tenant).where(Tenant.id == tenant_id)
                                .values(plugins_version=Tenant.plugins_version + 1))
                tripped = True
        # Keep the failure log bounded: a month is plenty to show the merchant.
        session.execute(delete(PluginFailure).where(
            PluginFailure.plugin == plugin, PluginFailure.created_at < now - FAILURE_RETENTION))
        session.commit()
    if tripped:
        log.warning("plugin %s switched off for store %s for %s after %s failures",
                    plugin, tenant_id, cooldown, recent)
    return tripped


class StatesCache:
    """Per-process cache of store plugin states, checked against the version per use."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._states: LRUCache[int, StorePluginState] = LRUCache(maxsize=maxsize)

    def get(self, tenant_id: int, version: int | None = None) -> StorePluginState:
        """The store's plugin state at its current version; pass ``version`` when it
        was just read from the database (it is read here otherwise)."""
        if version is None:
            version = read_version(tenant_id)
        cached = self._states.get(tenant_id)
        if cached is not None and cached.is_fresh(version, utcnow()):
            return cached
        state = load_state(tenant_id, version)
        self._states[tenant_id] = state
        return state

    def clear(self) -> None:
        self._states.clear()
