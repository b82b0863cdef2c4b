"""``haat plugin list``, ``haat plugin new NAME``, ``haat plugin migration NAME`` and
``haat plugin rotate-secrets``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.pluginhost.scaffold import ScaffoldError, create_plugin_package

plugin_group = AppGroup("plugin", help="Inspect installed plugins and start new ones.")


@plugin_group.command("list")
def list_command() -> None:
    """Installed plugins (name, version, distribution) and plugins that failed to load."""
    host = current_app.extensions["haat_plugins"]
    if host.installed:
        click.echo(f"{'name':<28} {'version':<12} distribution")
        for name in sorted(host.installed):
            plugin = host.installed[name]
            click.echo(f"{name:<28} {plugin.version or '-':<12} {plugin.distribution}")
    else:
        click.echo("No plugins installed.")
    if host.problems:
        click.echo(f"\n{len(host.problems)} plugin(s) left out:")
        for problem in host.problems:
            click.echo(f"  {problem.entry_point} ({problem.distribution}): {problem.error}")


@plugin_group.command("new", with_appcontext=False)
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path(), show_default="the current folder",
              help="Where to create the haat-NAME folder.")
def new_command(name: str, directory: Path) -> None:
    """Create a pip-installable plugin package haat-NAME: a page in the store's theme,
    its own table and migration, translations, tests and a README."""
    try:
        root = create_plugin_package(name, directory)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Created {root}")
    click.echo("Next steps:")
    click.echo(f"  cd {root}")
    click.echo("  pip install -e .          # registers the haat.plugins entry point")
    click.echo("  haat db upgrade           # creates the plugin's table")
    click.echo("  python -m pytest          # its tests, with Haat's fixtures")
    click.echo("Before publishing, test the package as operators install it:")
    click.echo("  pip install . && python -P -m pytest")


@plugin_group.command("migration")
@click.argument("name")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@click.option("--empty", is_flag=True,
              help="Write empty upgrade() and downgrade() to fill in by hand.")
def migration_command(name: str, message: str, empty: bool) -> None:
    """Write the next Alembic revision of installed plugin NAME into its migrations folder.

    Autogenerate compares only NAME's tables with the database, so run `haat db upgrade`
    first. The first revision starts the plugin's branch (see docs/plugin-data.md).
    """
    from alembic.util import CommandError

    from core.pluginhost.revisions import create_plugin_revision

    try:
        path = create_plugin_revision(name, message, empty=empty)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc
    if path is None:
        click.echo(f"No changes in the tables of {name}: no revision written.")
    else:
        click.echo(f"Wrote {path}")
        click.echo("Read it through, then apply it with: haat db upgrade")


@plugin_group.command("rotate-secrets")
def rotate_secrets_command() -> None:
    """Re-encrypt every store's plugin secrets with the first key of HAAT_SECRETS_KEYS.

    Run it after putting a new key first (keeping the old ones); then the old keys can
    be removed. Values are never printed.
    """
    from sqlalchemy import select

    from core.db import db
    from core.pluginhost.models import PluginState
    from tenants import platform_scope

    box = current_app.extensions["haat_secret_box"]
    rotated = 0
    with platform_scope():
        for state in db.session.scalars(select(PluginState).where(PluginState.secrets != "")):
            state.secrets = box.rotate(state.secrets)
            rotated += 1
        db.session.commit()
    click.echo(f"Re-encrypted the secrets of {rotated} store plugin setting(s).")
