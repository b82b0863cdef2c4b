"""Plugins' Alembic branches: where their revisions live, and the rules that join them to core.

Each installed plugin whose manifest names ``migrations`` contributes that package
folder to Alembic's ``version_locations``, next to core's ``migrations/versions``. Its
revisions form a branch labelled with the plugin's name whose first revision depends on
a core revision: the one that created the core tables it references (``haat plugin
migration`` writes core's head at the time). ``migrations/env.py`` asks this module
which tables an autogenerate run may look at, and whether the database holds
revisions that no installed code knows.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app

from core.config import PROJECT_ROOT
from core.pluginhost.tables import (
    is_core_table,
    known_plugins,
    owner_by_prefix,
    table_owner,
    table_prefix,
)

#: Core's first revision (it creates ``tenants`` and ``products``).
CORE_BASE_REVISION = "0001_initial"
#: The label of core's own branch.
CORE_BRANCH = "core"
#: Core's own migrations folder, in the installed Haat.
CORE_MIGRATIONS = PROJECT_ROOT / "migrations"
#: ``config.attributes`` key naming the plugin an autogenerate run is for.
PLUGIN_ATTRIBUTE = "haat_plugin"


class PluginMigrationsError(CommandError):
    """A plugin's migrations cannot be used; the message says why and what to do."""


def revision_prefix(plugin_name: str) -> str:
    """The prefix of a plugin's revision ids: ``sample-board`` -> ``sample_board_``."""
    return table_prefix(plugin_name)


def migration_folder(plugin: Any) -> Path:
    """The folder of an installed plugin's revisions (``manifest.migrations``)."""
    dotted = plugin.manifest.migrations
    try:
        package = importlib.import_module(dotted)
    except ImportError as exc:
        raise PluginMigrationsError(
            f"Plugin {plugin.name} names migrations={dotted!r}, which cannot be imported "
            f"({exc}). It must be a package folder (with an __init__.py) shipped with "
            "the plugin.") from exc
    locations = list(getattr(package, "__path__", []))
    if not locations:
        raise PluginMigrationsError(
            f"Plugin {plugin.name}: migrations={dotted!r} is a module, not a package "
            "folder. Put the revision files in a folder with an __init__.py.")
    return Path(locations[0]).resolve()


def plugin_migration_folders(app: Flask) -> dict[str, Path]:
    """Installed plugin name -> its revisions folder, for plugins that have migrations."""
    installed = app.extensions["haat_plugins"].installed
    return {name: migration_folder(plugin) for name, plugin in sorted(installed.items())
            if plugin.manifest.migrations}


def core_head(script: ScriptDirectory | None = None) -> str:
    """Core's latest revision: of ``script`` (core's branch), or else of the installed
    Haat's own ``migrations`` folder. A plugin's first revision depends on it."""
    if script is None:
        return ScriptDirectory(str(CORE_MIGRATIONS)).get_current_head() or \
            CORE_BASE_REVISION
    return script.get_revision(f"{CORE_BRANCH}@head").revision


def install() -> None:
    """Point Flask-Migrate at every installed plugin's revisions too (idempotent).

    The plugin host calls this while it sets up; core's database wiring knows nothing
    of plugins.
    """
    from core.extensions import migrate

    if configure_alembic not in migrate.configure_callbacks:
        migrate.configure(configure_alembic)


def configure_alembic(config: Config) -> Config:
    """Flask-Migrate's configure callback: core's versions plus every plugin's folder."""
    core_versions = Path(config.get_main_option("script_location") or "") / "versions"
    folders = [core_versions.resolve(), *plugin_migration_folders(current_app).values()]
    config.set_main_option("path_separator", "newline")
    config.set_main_option("version_locations",
                           "\n".join(str(f).replace("%", "%%") for f in folders))
    return config


# ------------------------------------------------------------------- autogenerate


def include_object_for(plugin: str | None,
                       inner: Callable[..., bool]) -> Callable[..., bool]:
    """An ``include_object`` for autogenerate: core's run ignores plugin tables; a
    plugin's run (``plugin`` set) sees only that plugin's tables."""
    plugins = known_plugins() | ({plugin} if plugin else set())

    def owner(table_name: str) -> str | None:
        if is_core_table(table_name):
            return None
        # A table in the database whose model is gone: attributed by its prefix.
        return table_owner(table_name) or owner_by_prefix(table_name, plugins)

    def include(obj: Any, name: str | None, type_: str, reflected: bool,
                compare_to: Any) -> bool:
        if not inner(obj, name, type_, reflected, compare_to):
            return False
        table_name = name if type_ == "table" else getattr(getattr(obj, "table", None),
                                                           "name", None)
        if table_name is None:
            return plugin is None
        return owner(table_name) == plugin

    return include


# ------------------------------------------------------------------- unknown revisions


def unknown_revisions(current: Sequence[str], script: ScriptDirectory) -> list[str]:
    """The revisions recorded in the database that no version location provides."""
    missing = []
    for revision in current:
        try:
            found = script.revision_map.get_revision(revision)
        except Exception:  # alembic raises ResolutionError and friends
            found = None
        if found is None:
            missing.append(revision)
    return missing


def _guess_plugin(revision: str) -> str | None:
    match = re.match(r"^([a-z][a-z0-9_]*?)_\d+$", revision)
    return match.group(1).replace("_", "-") if match else None


def unknown_revisions_message(missing: Sequence[str]) -> str:
    """One paragraph for the operator: what an unknown revision means, and the way out."""
    revisions = ", ".join(missing)
    guesses = sorted({g for g in map(_guess_plugin, missing) if g})
    who = (f"plugin {', '.join(guesses)}" if guesses else "a plugin")
    branch = guesses[0] if len(guesses) == 1 else "NAME"
    return (
        f"The database records migration revision {revisions}, which neither core nor "
        f"any installed plugin provides. Most likely {who} was uninstalled while its "
        f"tables were still in the database (or this code is older than the database). "
        f"Nothing was changed. To go on, either install the plugin again (the same or a "
        f"newer version) and run the command again, or remove its tables for good: "
        f"reinstall it, run `haat db downgrade {branch}@base` (this drops its tables "
        f"and every store's data in them), then uninstall it. `haat plugin list` shows "
        f"what is installed and what failed to load."
    )


def check_known_revisions(current: Sequence[str], script: ScriptDirectory) -> None:
    """Raise :class:`PluginMigrationsError` when the database is ahead of the code, or
    when a revision depends on one that no installed code provides."""
    try:
        script.revision_map.get_revisions("heads")  # builds the map of every revision
    except KeyError as exc:  # alembic's own message would be a bare KeyError
        needed = exc.args[0] if exc.args else "?"
        raise PluginMigrationsError(
            f"A migration revision depends on revision {needed!r}, which neither core nor "
            f"any installed plugin provides. Most likely an installed plugin was made for "
            f"a newer Haat (its first revision runs after core's {needed}): upgrade Haat, "
            f"or install a version of the plugin made for this one. Nothing was changed. "
            f"`haat plugin list` shows what is installed.") from exc
    missing = unknown_revisions(current, script)
    if missing:
        raise PluginMigrationsError(unknown_revisions_message(missing))
