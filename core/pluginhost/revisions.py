"""``haat plugin migration``: write a new revision on an installed plugin's branch.

The revision goes into the plugin's own migrations folder, on its branch, and
autogenerate compares only that plugin's tables with the database. A plugin's first
revision starts the branch: ``branch_labels = ("<name>",)``, ``down_revision = None``,
``depends_on = <core's head>``: the core revision the database is at, so every core
table the plugin's tables may reference exists before they are created. Revision ids
are the plugin's name with ``_`` and a four-digit number (``sample_board_0002``),
unique across plugins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app

from core.pluginhost.migrations import (
    PLUGIN_ATTRIBUTE,
    PluginMigrationsError,
    core_head,
    migration_folder,
    revision_prefix,
)
from core.pluginhost.tables import plugin_tables


def _plugin(name: str) -> Any:
    """The installed plugin ``name`` (an ``InstalledPlugin``) that has migrations."""
    installed = current_app.extensions["haat_plugins"].installed
    plugin = installed.get(name)
    if plugin is None:
        raise PluginMigrationsError(
            f"{name!r} is not an installed plugin. Installed: "
            f"{', '.join(sorted(installed)) or '(none)'}.")
    if not plugin.manifest.migrations:
        raise PluginMigrationsError(
            f"Plugin {name} has no migrations folder. Create a package folder for them "
            f"(for example <your package>/migrations/ with an empty __init__.py) and "
            f"name it in the manifest: migrations=\"<your package>.migrations\".")
    return plugin


def _next_revision_id(script: ScriptDirectory, name: str, folder: Path) -> tuple[str, bool]:
    """(the new revision's id, whether it is the branch's first revision)."""
    own = [s for s in script.walk_revisions() if Path(s.path).resolve().parent == folder]
    number = len(own) + 1
    prefix = revision_prefix(name)
    taken = {s.revision for s in script.walk_revisions()}
    while f"{prefix}{number:04d}" in taken:
        number += 1
    return f"{prefix}{number:04d}", not own


def create_plugin_revision(name: str, message: str, *, empty: bool = False) -> Path | None:
    """Write the next revision of plugin ``name``; its path, or ``None`` when autogenerate
    found no change. ``empty`` writes a revision with empty ``upgrade``/``downgrade`` to
    fill in by hand (no database needed).

    Raises ``PluginMigrationsError`` (an Alembic ``CommandError``) with a message for the
    operator when the plugin cannot have migrations or the database is behind.
    """
    plugin = _plugin(name)
    folder = migration_folder(plugin)
    if not empty and not plugin_tables(name):
        raise PluginMigrationsError(
            f"Plugin {name} declares no tables through core.sdk.plugin_model_base(), so "
            f"there is nothing to compare. Import its models module from the plugin's "
            f"module, or pass --empty to write a revision by hand.")
    migrate = current_app.extensions["migrate"].migrate
    config = migrate.get_config(opts=None if empty else ["autogenerate"])
    config.attributes[PLUGIN_ATTRIBUTE] = name
    script = ScriptDirectory.from_config(config)
    rev_id, first = _next_revision_id(script, name, folder)
    try:
        created = command.revision(
            config, message, autogenerate=not empty, rev_id=rev_id,
            head="base" if first else f"{name}@head",
            branch_label=name if first else None,
            # After core's latest revision: a table of the plugin may reference any
            # core table there is now (orders, customers...), on every database.
            depends_on=core_head(script) if first else None,
            version_path=str(folder),
        )
    except CommandError as exc:
        if "not up to date" in str(exc):
            raise PluginMigrationsError(
                "The database is not at the latest revision of core and every plugin, so "
                "the comparison would be wrong. Run `haat db upgrade` first, then run "
                "this command again.") from exc
        raise
    if isinstance(created, list):  # autogenerate found no change: no script
        created = created[0] if created else None
    return Path(created.path) if created is not None else None
