"""``haat plugin list``, ``haat plugin new NAME`` and ``haat plugin rotate-secrets``."""

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
    """Create a pip-installable plugin package haat-NAME with a test and a README."""
    try:
        root = create_plugin_package(name, directory)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Created {root}")
    click.echo("Next steps:")
    click.echo(f"  cd {root}")
    click.echo("  pip install -e .          # registers the haat.plugins entry point")
    click.echo("  python -m pytest          # runs tests/test_plugin.py with Haat's fixtures")


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
