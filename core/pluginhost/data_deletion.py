"""What a plugin keeps for one store, and deleting all of it ("Delete this plugin's data").

Switching a plugin off keeps everything. Deleting its data removes, for one store only:
the rows of the plugin's own tables, its key/value entries, its settings and secrets
(the plugin's switch goes with them, so it is off), its schedule records and its recorded
errors. Every statement is a Core DELETE with an explicit ``tenant_id``, children before
parents, so no other store is touched and the order is ours on SQLite and PostgreSQL.

The plugin's tables are the ones the database has (``stored_plugin_tables``): those its
models declare, and also those its migrations made without a model here (a table
created by hand, a model a later version removed). A model whose table is not there
yet (the plugin was installed but ``haat db upgrade`` has not run) has nothing to
delete.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.db import db
from core.pluginhost.models import PluginFailure, PluginState, PluginValue, ScheduleRun
from core.pluginhost.state import bump_version
from core.pluginhost.tables import stored_plugin_tables
from tenants import platform_scope


@dataclass(frozen=True)
class PluginData:
    """How much one plugin keeps for one store."""

    plugin: str
    #: (table name, rows of this store), children before parents.
    tables: tuple[tuple[str, int], ...]
    values: int
    #: A settings row exists (settings, secrets, the switch).
    settings: bool
    schedule_runs: int
    failures: int

    @property
    def rows(self) -> int:
        """Rows in the plugin's own tables, all tables together."""
        return sum(count for _name, count in self.tables)

    @property
    def is_empty(self) -> bool:
        return not (self.rows or self.values or self.settings or self.schedule_runs
                    or self.failures)


def _count(table: sa.TableClause, *where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0


def _core_tables(tenant_id: int, plugin: str) -> dict[str, tuple[sa.Table,
                                                                 sa.ColumnElement[bool]]]:
    found = {}
    for model in (PluginValue, ScheduleRun, PluginFailure, PluginState):
        table = model.__table__
        found[model.__tablename__] = (table, sa.and_(table.c.tenant_id == tenant_id,
                                                     table.c.plugin == plugin))
    return found


def plugin_data(tenant_id: int, plugin: str) -> PluginData:
    """Count what ``plugin`` keeps for store ``tenant_id`` (a few COUNT queries)."""
    with platform_scope():
        tables = tuple((t.name, _count(t, t.c.tenant_id == tenant_id))
                       for t in stored_plugin_tables(db.session.connection(), plugin))
        core = {name: _count(table, where)
                for name, (table, where) in _core_tables(tenant_id, plugin).items()}
    return PluginData(plugin=plugin, tables=tables, values=core["plugin_values"],
                      settings=bool(core["plugin_states"]),
                      schedule_runs=core["plugin_schedule_runs"],
                      failures=core["plugin_failures"])


def delete_plugin_data(tenant_id: int, plugin: str) -> PluginData:
    """Delete everything ``plugin`` keeps for store ``tenant_id``; returns what went.

    The plugin ends up switched off (its settings row is gone). Flushes and bumps the
    store's plugin version; the caller commits.
    """
    deleted: dict[str, int] = {}
    with platform_scope():
        for table in stored_plugin_tables(db.session.connection(), plugin):
            result = db.session.execute(sa.delete(table).where(table.c.tenant_id == tenant_id))
            deleted[table.name] = result.rowcount or 0
        core = {name: db.session.execute(sa.delete(table).where(where)).rowcount or 0
                for name, (table, where) in _core_tables(tenant_id, plugin).items()}
    bump_version(tenant_id)
    return PluginData(plugin=plugin, tables=tuple(deleted.items()),
                      values=core["plugin_values"], settings=bool(core["plugin_states"]),
                      schedule_runs=core["plugin_schedule_runs"],
                      failures=core["plugin_failures"])
