"""A plugin's own data: its tables, a session to query them, and a small key/value store.

* :func:`plugin_model_base` gives the declarative base for the plugin's tables. They
  belong to stores like core's tables: ``tenant_id`` (NOT NULL, indexed, deleted with
  the store) is added for you, and every query and write is limited to the store in
  scope by Haat's isolation guards.
* :func:`store_session` opens a short transaction of the plugin's own for one store.
* :func:`store_values` is a per-store, per-plugin key/value store for simple state.

The tables' schema ships as Alembic migrations in the plugin's package
(``PluginManifest.migrations``); ``docs/plugin-data.md`` walks through all of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from core.pluginhost import tables
from core.pluginhost.datastore import open_store_session
from core.pluginhost.values import PluginValues, values_for
from core.sdk.store import StoreInfo, require_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["PluginValues", "plugin_model_base", "store_session", "store_values"]


def plugin_model_base(plugin_name: str) -> type:
    """The abstract declarative base for the tables of ``plugin_name``.

    Subclass it once per table; calling it again for the same plugin returns the same
    base. Each subclass gets a ``tenant_id`` column (NOT NULL, indexed, a foreign key to
    the store that cascades on delete) and is a store-owned model: queries see only the
    rows of the store in scope, and writing a row of another store raises.

    When the class is created the table is checked, and a ``TypeError`` says what to
    change when:

    * its name does not start with the plugin's prefix (the name with ``-`` turned into
      ``_``, then ``_``: ``sample-board`` -> ``sample_board_notes``);
    * a unique constraint, or an index over several columns, does not start with
      ``tenant_id`` (``UniqueConstraint("tenant_id", "title")``);
    * ``tenant_id`` was redefined.

    ::

        Base = plugin_model_base("sample-board")

        class Note(Base):
            __tablename__ = "sample_board_notes"
            __table_args__ = (UniqueConstraint("tenant_id", "title"),)
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String(200))

    Import the models module from the plugin's module, so that the tables are known as
    soon as the plugin is installed.
    """
    return tables.plugin_model_base(plugin_name)


@contextmanager
def store_session(store: StoreInfo) -> Iterator[Session]:
    """A SQLAlchemy ``Session`` of the plugin's own, for ``store``.

    ::

        with store_session(store) as session:
            session.add(Note(title="Eid hours", body="..."))

    The block runs in the store's scope: queries of store-owned models return only this
    store's rows, new rows (bulk inserts too) get its ``tenant_id``, and writing another
    store's row raises ``tenants.CrossTenantWriteError``. Name the model, not its table:
    a statement on ``Note.__table__`` cannot be filtered and raises
    ``tenants.TenantScopeError``. At the end of the block the session commits; if
    the block raises, it rolls back and the exception goes on. Either way it is closed.
    Objects stay readable after the block (``expire_on_commit=False``).

    It is a separate transaction on its own connection: it never commits nor rolls back
    the work of the request or job that called it. Keep it short.

    Do not write inside checkout-path hooks (rates, adjustments, payment start, order
    placement): that request holds its own write transaction open, and on SQLite only
    one transaction can write at a time, so the plugin's write would have to wait for
    it. Haat raises ``RuntimeError`` at once in that case instead of waiting. Reading is
    always fine; write later, from a lifecycle hook such as ``haat_order_placed`` or
    from a job (:func:`core.sdk.run_later`).
    """
    with open_store_session(require_store(store).id) as session:
        yield session


def store_values(store: StoreInfo, plugin: str) -> PluginValues:
    """The key/value store of ``plugin`` in ``store``, for simple state.

    ``plugin`` must be an installed plugin (``ValueError`` otherwise). It does not have
    to be switched on: its values are kept while it is off, and a job queued before the
    merchant switched it off may still need to read or tidy them.

    Keys are strings of 1 to 200 characters; values are anything ``json`` can write,
    at most 64 KiB once encoded. Every call is its own short transaction::

        values = store_values(store, "sample-board")
        values.set("last_synced", "2026-12-01T10:00:00Z")
        values.get("last_synced")            # "2026-12-01T10:00:00Z"
        values.increment("views")            # 1, then 2, ... (safe under concurrency)
        values.items(prefix="sync:")         # {"sync:cursor": ..., ...}
        values.delete("last_synced")         # True when it was there
    """
    return values_for(require_store(store).id, plugin)
