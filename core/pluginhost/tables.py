"""Plugins' own tables: the declarative base they derive from, and which plugin owns which.

A plugin's models subclass the base that :func:`plugin_model_base` returns. They are
ordinary store-owned models of core's metadata (``tenants.TenantOwned``), so the
isolation guards, store deletion and Alembic see them like core's own tables. The
rules a table must follow are checked when its class is created, before it joins the
metadata, so a broken model never leaves half a table behind.

What is *in the database* can differ from what this process declared: a table made by
a hand-written migration, one whose model a later version removed, or none yet (a
plugin installed but not migrated). :func:`stored_plugin_tables` finds a plugin's
tables in the database by their prefix, for "Delete this plugin's data" and store
deletion (:func:`install` hands store deletion what it needs).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context

from core.db import db
from tenants import provisioning
from tenants.models import TenantOwned

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

#: plugin name -> its abstract base (one per plugin, so every call returns the same).
_BASES: dict[str, type] = {}
#: table name -> the plugin that declared it.
_OWNERS: dict[str, str] = {}


def table_prefix(plugin_name: str) -> str:
    """The prefix every table of ``plugin_name`` starts with: ``sample-board`` ->
    ``sample_board_``."""
    return plugin_name.replace("-", "_") + "_"


def _check_name(plugin_name: str) -> None:
    if not isinstance(plugin_name, str) or not _NAME.match(plugin_name):
        raise ValueError(
            f"plugin name {plugin_name!r} must be lowercase words joined by hyphens, "
            "exactly the `name` of the plugin's manifest")


def table_problems(table: sa.Table, plugin_name: str) -> list[str]:
    """What breaks the rules for a plugin's table (empty when it is fine).

    The rules are core's: the name carries the plugin's prefix, ``tenant_id`` is NOT
    NULL and references ``tenants.id`` with ON DELETE CASCADE, and every unique rule and
    every index over several columns starts with ``tenant_id`` (each store's rows stay
    together, and a uniqueness can never span stores).
    """
    found = []
    prefix = table_prefix(plugin_name)
    if not table.name.startswith(prefix) or table.name == prefix:
        found.append(f"the table name {table.name!r} must start with {prefix!r} "
                     f"(set __tablename__ = {prefix + table.name.removeprefix(prefix)!r})")
    tenant_id = table.c.get("tenant_id")
    if tenant_id is None or tenant_id.nullable:
        found.append("tenant_id must be a NOT NULL column (do not redefine it)")
    elif [(fk.target_fullname, (fk.ondelete or "").upper()) for fk in tenant_id.foreign_keys] \
            != [("tenants.id", "CASCADE")]:
        found.append("tenant_id must reference tenants.id with ON DELETE CASCADE "
                     "(do not redefine it)")
    primary = {c.name for c in table.primary_key.columns}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            columns = [c.name for c in constraint.columns]
            if set(columns) - primary and columns[:1] != ["tenant_id"]:
                found.append(f"the unique constraint on ({', '.join(columns)}) must start with "
                             f"tenant_id: UniqueConstraint('tenant_id', {_quoted(columns)})")
    for index in table.indexes:
        columns = [getattr(e, "name", str(e)) for e in index.expressions]
        if columns[:1] == ["tenant_id"]:
            continue
        if index.unique and set(columns) - primary:
            found.append(f"the unique index on ({', '.join(columns)}) must start with "
                         "tenant_id")
        elif len(columns) > 1:
            found.append(f"the index on ({', '.join(columns)}) must start with tenant_id: "
                         f"Index(None, 'tenant_id', {_quoted(columns)})")
    return found


def _quoted(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns if c != "tenant_id")


def plugin_model_base(plugin_name: str) -> type:
    """The abstract declarative base for ``plugin_name``'s tables (see ``core.sdk.data``)."""
    _check_name(plugin_name)
    base = _BASES.get(plugin_name)
    if base is not None:
        return base

    @classmethod  # type: ignore[misc]
    def __table_cls__(cls: type, *args: Any, **kwargs: Any) -> sa.Table | None:
        # Runs inside class creation, before the mapper exists: a table that breaks the
        # rules is taken out of the metadata again and the class is never mapped.
        table = super(base, cls).__table_cls__(*args, **kwargs)  # type: ignore[misc]
        if table is None:  # single-table inheritance: the parent's table is used
            return None
        problems = table_problems(table, plugin_name)
        if problems:
            table.metadata.remove(table)
            raise TypeError(f"{cls.__module__}.{cls.__name__} (plugin {plugin_name}): "
                            + "; ".join(problems) + ".")
        _OWNERS[table.name] = plugin_name
        return table

    name = "".join(part.title() for part in plugin_name.split("-")) + "Model"
    base = type(name, (TenantOwned, db.Model), {
        "__abstract__": True,
        "__haat_plugin__": plugin_name,
        "__table_cls__": __table_cls__,
        "__module__": __name__,
        "__doc__": f"Base of the tables of plugin {plugin_name!r} (store-owned).",
    })
    _BASES[plugin_name] = base
    return base


def table_owner(table_name: str) -> str | None:
    """The plugin that declared ``table_name``, or ``None`` for core's tables."""
    return _OWNERS.get(table_name)


def plugin_tables(plugin_name: str) -> list[sa.Table]:
    """The tables ``plugin_name`` declared, children before parents (a safe delete order)."""
    return [t for t in reversed(db.metadata.sorted_tables) if _OWNERS.get(t.name) == plugin_name]


def plugin_table_names() -> dict[str, str]:
    """Every plugin table known to this process: table name -> plugin name."""
    return dict(_OWNERS)


def known_plugins() -> set[str]:
    """Plugins whose tables this process may meet: those that declared tables here,
    and (in an app context) every plugin the app has installed."""
    names = set(_OWNERS.values())
    if has_app_context():
        names |= set(current_app.extensions["haat_plugins"].installed)
    return names


def owner_by_prefix(table_name: str, plugins: Iterable[str]) -> str | None:
    """The plugin of ``plugins`` whose prefix ``table_name`` carries; the longest prefix
    wins (``shop_extra_items`` is plugin ``shop-extra``'s, not ``shop``'s)."""
    found = [p for p in plugins if table_name.startswith(table_prefix(p))]
    return max(found, key=len) if found else None


def is_core_table(table_name: str) -> bool:
    """A table of core's models (never a plugin's, whatever its name)."""
    return table_name in db.metadata.tables and table_name not in _OWNERS


def _database_tables(connection: sa.Connection, names: Iterable[str],
                     ) -> list[sa.TableClause]:
    """``names`` (tables in the database) that have a ``tenant_id`` column, children
    before parents. A table this process declared is its ``Table``; any other a
    lightweight ``table(name, column("tenant_id"))``, enough to count and delete."""
    inspector = sa.inspect(connection)
    found: dict[str, sa.TableClause] = {}
    parents: dict[str, set[str]] = {}
    for name in names:
        declared = db.metadata.tables.get(name)
        if declared is not None:
            if "tenant_id" not in declared.c:
                continue
            found[name] = declared
            parents[name] = {fk.target_fullname.rsplit(".", 1)[0]
                             for fk in declared.foreign_keys}
            continue
        if "tenant_id" not in {c["name"] for c in inspector.get_columns(name)}:
            continue
        found[name] = sa.table(name, sa.column("tenant_id"))
        with warnings.catch_warnings():
            # SQLite's reflection may warn about constraint details; only the referred
            # tables' names are needed here.
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            parents[name] = {fk["referred_table"] for fk in inspector.get_foreign_keys(name)}
    graph = {name: {p for p in refs if p in found and p != name}
             for name, refs in parents.items()}
    try:
        order = list(TopologicalSorter(graph).static_order())  # parents first
    except CycleError:  # tables that reference each other: no order is safe anyway
        order = sorted(found)
    return [found[name] for name in reversed(order)]


def stored_plugin_tables(connection: sa.Connection, plugin: str) -> list[sa.TableClause]:
    """``plugin``'s tables as the database has them, children before parents (a safe
    delete order): every table named with its prefix (and not a longer prefix of
    another known plugin) that has a ``tenant_id`` column, core's tables excepted. A
    table the plugin declared but that is not in the database (not migrated yet) is
    left out; one its migrations made without a model here is found all the same."""
    plugins = known_plugins() | {plugin}
    names = [name for name in sa.inspect(connection).get_table_names()
             if not is_core_table(name) and owner_by_prefix(name, plugins) == plugin]
    return _database_tables(connection, names)


def undeclared_plugin_tables(connection: sa.Connection,
                             existing: Iterable[str]) -> list[sa.TableClause]:
    """Tables of known plugins in the database (``existing``: its table names) that no
    model of this process declares, with a ``tenant_id``: store deletion empties them
    too. Children before parents."""
    plugins = known_plugins()
    names = [name for name in existing if name not in db.metadata.tables
             and owner_by_prefix(name, plugins) is not None]
    return _database_tables(connection, names)


def install() -> None:
    """Tell store deletion about plugins' tables (the tenancy layer knows no plugins):
    tables of plugins this app has not installed stay out of
    ``tenant_owned_tables()``, and plugin tables the database has but no model
    declares are emptied with the store. Idempotent."""
    provisioning.register_table_filter(installed_here)
    provisioning.register_table_source(undeclared_plugin_tables)


def installed_here(table_name: str) -> bool:
    """False for a plugin table whose plugin the current app has not installed.

    Models are process-wide but plugins are per app: a table declared by a plugin this
    app does not run was never migrated into its database, so store deletion and the
    tests' clean-up must not touch it. Core's tables, and every table outside an app
    context, count.
    """
    owner = _OWNERS.get(table_name)
    if owner is None or not has_app_context():
        return True
    return owner in current_app.extensions["haat_plugins"].installed
