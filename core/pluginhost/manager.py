"""Discovery and registration of plugins, and the per-enabled-set hook relay.

There is one ``PluginHost`` per app. Plugins come only from the ``haat.plugins``
entry-point group (installed packages); a plugin that fails to import, has an invalid
manifest or implements an unknown hook is reported and left out, and the app starts
without it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from core.pluginhost import hookspecs
from core.sdk import EXCLUSIVE_KINDS, PluginManifest

ENTRY_POINT_GROUP = "haat.plugins"
log = logging.getLogger("haat.plugins")


@dataclass(frozen=True)
class InstalledPlugin:
    """A plugin that loaded: its manifest and where it came from."""

    name: str
    manifest: PluginManifest
    module: Any
    distribution: str
    version: str


@dataclass(frozen=True)
class LoadProblem:
    """A plugin that could not be loaded, for the log and the operator."""

    entry_point: str
    distribution: str
    error: str


@dataclass
class HookTimings:
    """Per-hook call counts and total seconds (only kept when timing is switched on)."""

    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, key: str, elapsed: float) -> None:
        with self._lock:
            self.calls[key] += 1
            self.seconds[key] += elapsed

    def snapshot(self) -> list[tuple[str, int, float]]:
        """``(hook or hook:plugin, calls, mean milliseconds)``, slowest first."""
        with self._lock:
            rows = [(k, n, self.seconds[k] * 1000 / n) for k, n in self.calls.items() if n]
        return sorted(rows, key=lambda row: row[2], reverse=True)


class StoreHooks:
    """The hook relay for one set of enabled plugins: ``hooks.haat_slot(...)``.

    Built with ``subset_hook_caller`` (installed minus enabled are removed) and cached
    per hook name, so that stores sharing an enabled set share one relay.
    """

    def __init__(self, pm: pluggy.PluginManager, enabled: frozenset[str]) -> None:
        self.enabled = enabled
        self._pm = pm
        self._remove = [
            plugin for name, plugin in pm.list_name_plugin() if name not in enabled
        ]
        self._callers: dict[str, Any] = {}

    def caller(self, name: str) -> Any:
        """The (subset) hook caller for hook ``name``."""
        found = self._callers.get(name)
        if found is None:
            found = self._pm.subset_hook_caller(name, self._remove)
            self._callers[name] = found
        return found

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("haat_"):
            raise AttributeError(name)
        return self.caller(name)


class PluginHost:
    """Owns the pluggy ``PluginManager`` (project ``haat``) and what was installed."""

    def __init__(self, *, timing: bool = False) -> None:
        self.pm = pluggy.PluginManager("haat")
        self.pm.add_hookspecs(hookspecs)
        self.installed: dict[str, InstalledPlugin] = {}
        self.problems: list[LoadProblem] = []
        self.timings = HookTimings() if timing else None
        self._relays: dict[frozenset[str], StoreHooks] = {}
        self._lock = threading.Lock()
        if timing:
            self._start_timing()

    # ------------------------------------------------------------------ discovery

    def discover(self, points: Iterable[EntryPoint] | None = None) -> None:
        """Load every plugin of the ``haat.plugins`` entry-point group."""
        for point in points if points is not None else entry_points(group=ENTRY_POINT_GROUP):
            dist = point.dist.name if point.dist else "(unknown)"
            version = point.dist.version if point.dist else ""
            try:
                module = point.load()
            except Exception as exc:  # any import error is reported, never fatal
                self.report(point.name, dist, f"failed to import: {exc!r}")
                continue
            self.register(module, distribution=dist, version=version,
                          entry_point=point.name)

    def register(self, module: Any, *, distribution: str = "(local)", version: str = "",
                 entry_point: str | None = None) -> InstalledPlugin | None:
        """Validate and register one plugin object; report it and return None if invalid."""
        manifest = getattr(module, "manifest", None)
        label = entry_point or getattr(manifest, "name", repr(module))
        if not isinstance(manifest, PluginManifest):
            self.report(label, distribution, "has no `manifest = PluginManifest(...)`")
            return None
        problems = manifest.problems()
        if entry_point is not None and entry_point != manifest.name:
            problems.append(f"entry point {entry_point!r} differs from manifest name")
        if manifest.kind is not None and not isinstance(manifest.kind, str):
            problems.append("kind must be a string")
        if manifest.name in self.installed:
            problems.append("another installed plugin already uses this name")
        try:
            hash(module)
        except TypeError:
            # pluggy keeps plugins in sets; an unhashable one would break every page later.
            problems.append("the plugin object must be hashable (use a module or a class)")
        if problems:
            self.report(label, distribution, "invalid manifest: " + "; ".join(problems))
            return None
        try:
            self.pm.register(module, name=manifest.name)
            self.pm.check_pending()
        except Exception as exc:  # pluggy's validation errors and friends
            if self.pm.is_registered(module):
                self.pm.unregister(module)
            self.report(label, distribution, f"rejected by the hook checker: {exc}")
            return None
        plugin = InstalledPlugin(manifest.name, manifest, module, distribution, version)
        self.installed[manifest.name] = plugin
        self._relays.clear()
        # DEBUG: every `haat` command loads every plugin; HAAT_LOG_LEVEL=DEBUG shows them.
        log.debug("plugin %s %s loaded from %s", manifest.name, version, distribution)
        return plugin

    def unregister(self, name: str) -> None:
        """Remove a plugin (tests and the benchmark use this)."""
        plugin = self.installed.pop(name, None)
        if plugin is not None:
            self.pm.unregister(plugin.module)
            self._relays.clear()

    def report(self, entry_point: str, distribution: str, error: str) -> None:
        """Leave a plugin out: log the reason at ERROR and list it in ``problems``."""
        self.problems.append(LoadProblem(entry_point, distribution, error))
        log.error("plugin %s from %s left out: %s", entry_point, distribution, error)

    # -------------------------------------------------------------------- relays

    def hooks_for(self, enabled: frozenset[str]) -> StoreHooks:
        """The relay for a set of enabled plugin names (memoised per distinct set)."""
        relay = self._relays.get(enabled)
        if relay is None:
            with self._lock:
                relay = self._relays.get(enabled)
                if relay is None:
                    relay = StoreHooks(self.pm, enabled & self.installed.keys())
                    self._relays[enabled] = relay
        return relay

    def exclusive_peers(self, name: str) -> set[str]:
        """Other installed plugins of the same exclusive kind as ``name``."""
        kind = self.installed[name].manifest.kind
        if kind not in EXCLUSIVE_KINDS:
            return set()
        return {n for n, p in self.installed.items() if p.manifest.kind == kind and n != name}

    # -------------------------------------------------------------------- timing

    def _start_timing(self) -> None:
        # A stack per thread: hooks may call other hooks.
        started: dict[int, list[float]] = defaultdict(list)

        def before(hook_name: str, _impls: Any, _kwargs: Any) -> None:
            started[threading.get_ident()].append(time.perf_counter())

        def after(_outcome: Any, hook_name: str, _impls: Any, _kwargs: Any) -> None:
            stack = started[threading.get_ident()]
            if stack and self.timings is not None:
                self.timings.add(hook_name, time.perf_counter() - stack.pop())

        self.pm.add_hookcall_monitoring(before, after)
