"""The ``haat`` command: Flask's CLI plus Haat's own command groups.

``haat db upgrade`` (Flask-Migrate), ``haat tenants ...``, ``haat demo``, ``haat run``.
``haat db`` is Flask-Migrate's group with Haat's defaults: ``upgrade`` and ``stamp`` go
to every head (core and each installed plugin's branch), ``migrate``/``revision`` build
on core's branch unless told otherwise, and ``downgrade`` without a target refuses to
guess which branch to take back when the database has several.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import click
from flask import Flask, current_app, g
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from core import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Haat: many stores, one Flask app.")


def _migration_options(command: Any) -> Any:
    """Flask-Migrate's own options of ``upgrade`` and ``downgrade``, kept as they are."""
    for option in reversed((
        click.option("-d", "--directory", default=None,
                     help='Migration script directory (default is "migrations")'),
        click.option("--sql", is_flag=True,
                     help="Don't emit SQL to database - dump to standard output instead"),
        click.option("--tag", default=None,
                     help='Arbitrary "tag" name - can be used by custom env.py scripts'),
        click.option("-x", "--x-arg", multiple=True,
                     help="Additional arguments consumed by custom env.py scripts"),
    )):
        command = option(command)
    return command


@click.command("upgrade")
@_migration_options
@click.argument("revision", default="heads")
@with_appcontext
def upgrade_command(directory: str | None, sql: bool, tag: str | None,
                    x_arg: tuple[str, ...], revision: str) -> None:
    """Upgrade to a later version (default: every head, core's and each plugin's).

    REVISION may name one branch: `haat db upgrade sample-board@head`.
    """
    from alembic import command
    from alembic.util import CommandError

    migrate = current_app.extensions["migrate"].migrate
    try:
        config = migrate.get_config(directory or g.directory, x_arg=x_arg or g.x_arg)
        command.upgrade(config, revision, sql=sql, tag=tag)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc


#: ``-1``, ``-2``...: a step back that names no branch.
_UNNAMED_STEP = re.compile(r"^-\d+$")


def branch_heads(config: Any) -> dict[str, str]:
    """The database's current revision of each branch: label (``core``, a plugin's
    name) -> revision. A revision no installed code provides keeps its id as label."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(config)
    with current_app.extensions["migrate"].db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    found = {}
    for revision in current:
        try:
            labels = sorted(script.get_revision(revision).branch_labels)
        except Exception:  # an uninstalled plugin's revision: alembic's lookup errors
            labels = []
        found[labels[0] if labels else revision] = revision
    return dict(sorted(found.items(), key=lambda item: (item[0] != "core", item[0])))


def several_branches_message(heads: dict[str, str]) -> str:
    """Why ``haat db downgrade`` with no branch is refused, and what to type instead."""
    listed = ", ".join(f"{label} (at {revision})" for label, revision in heads.items())
    plugin = next((label for label in heads if label != "core"), "NAME")
    return (
        f"The database has several branches: {listed}. A downgrade without a target "
        f"would have to guess which one to take back, and taking back a plugin's branch "
        f"drops its tables with every store's data. Nothing was changed. Name the "
        f"branch: `haat db downgrade core@-1` takes back core's latest revision, "
        f"`haat db downgrade NAME@-1` a plugin's (here `haat db downgrade {plugin}@-1`), "
        f"and `haat db downgrade NAME@base` removes a plugin's tables for good."
    )


@click.command("downgrade")
@_migration_options
@click.argument("revision", required=False)
@with_appcontext
def downgrade_command(directory: str | None, sql: bool, tag: str | None,
                      x_arg: tuple[str, ...], revision: str | None) -> None:
    """Revert to a previous version.

    With one branch in the database (core alone) REVISION defaults to -1. With plugin
    branches too, name one: `haat db downgrade core@-1`, `haat db downgrade
    sample-board@-1`, or `haat db downgrade sample-board@base` (drops its tables).
    """
    from alembic import command
    from alembic.util import CommandError

    migrate = current_app.extensions["migrate"].migrate
    try:
        config = migrate.get_config(directory or g.directory, x_arg=x_arg or g.x_arg)
        if not sql and (revision is None or _UNNAMED_STEP.match(revision)):
            heads = branch_heads(config)
            if len(heads) > 1:
                raise click.ClickException(several_branches_message(heads))
        revision = revision or "-1"
        if sql and revision == "-1":  # as Flask-Migrate's own command
            revision = "head:-1"
        command.downgrade(config, revision, sql=sql, tag=tag)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc


def _with_default(command: click.Command, param: str, default: str) -> click.Command:
    """A copy of ``command`` whose option ``param`` defaults to ``default``."""
    changed = copy.copy(command)
    changed.params = [copy.copy(p) for p in command.params]
    for option in changed.params:
        if option.name == param:
            option.default = default
            option.show_default = True
    return changed


def db_group() -> click.Group:
    """Flask-Migrate's ``db`` group with Haat's defaults (see the module docstring).

    ``migrate`` and ``revision`` default to ``--head core@head``: with plugin branches
    there are several heads, and a revision without ``--head`` would be refused. For
    the same reason ``stamp`` defaults to ``heads`` (Flask-Migrate's ``head`` names one
    head, and is refused when there are several).
    """
    from flask_migrate.cli import db as flask_migrate_db

    group = copy.copy(flask_migrate_db)
    group.commands = dict(flask_migrate_db.commands)
    group.commands["upgrade"] = upgrade_command
    group.commands["downgrade"] = downgrade_command
    for name in ("migrate", "revision"):
        group.commands[name] = _with_default(flask_migrate_db.commands[name], "head",
                                             "core@head")
    group.commands["stamp"] = _with_default(flask_migrate_db.commands["stamp"], "revision",
                                            "heads")
    return group


def init_app(app: Flask) -> None:
    """Register Haat's command groups on ``app.cli``."""
    from core.cart.cli import carts_group
    from core.catalog.products_cli import products_group
    from core.catalog.search_cli import search_group
    from core.demo.cli import demo_command
    from core.jobs_cli import jobs_group
    from core.platform.cli import tenants_group
    from core.pluginhost.cli import plugin_group

    app.cli.add_command(db_group(), name="db")  # replaces Flask-Migrate's own
    app.cli.add_command(tenants_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(plugin_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(search_group)
    app.cli.add_command(products_group)
    app.cli.add_command(carts_group)
