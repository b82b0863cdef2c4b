"""A plugin's small key/value store per store, kept in ``plugin_values``.

Each call is one short transaction on a session of its own (``datastore``), so it never
touches the caller's transaction. Writes are single upsert statements, which makes
``set`` last-writer-wins and ``increment`` exact under concurrency on PostgreSQL and
SQLite alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db import utcnow
from core.pluginhost.datastore import open_store_session, refuse_sqlite_self_lock
from core.pluginhost.models import PluginValue

#: Longest key, in characters (the column's width).
MAX_KEY_LENGTH = 200
#: Largest value, in bytes of its UTF-8 JSON encoding.
MAX_VALUE_BYTES = 64 * 1024
#: The whole numbers ``increment`` keeps: a 64-bit integer, as both databases count.
MIN_WHOLE, MAX_WHOLE = -(2**63), 2**63 - 1

T = TypeVar("T")
_TABLE = PluginValue.__table__
_CONFLICT = ["tenant_id", "plugin", "key"]


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("a key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a key has at most {MAX_KEY_LENGTH} characters; "
                         f"this one has {len(key)}")
    return key


def _encoded(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the value must be JSON-serialisable: {exc}") from exc
    size = len(text.encode())
    if size > MAX_VALUE_BYTES:
        raise ValueError(f"the value takes {size} bytes as JSON; the limit is "
                         f"{MAX_VALUE_BYTES} (64 KiB). Keep larger data in a table.")
    return text


class PluginValues:
    """One plugin's key/value store in one store (from :func:`core.sdk.store_values`)."""

    def __init__(self, tenant_id: int, plugin: str) -> None:
        self.tenant_id = tenant_id
        self.plugin = plugin

    def __repr__(self) -> str:
        return f"<PluginValues store={self.tenant_id} plugin={self.plugin}>"

    def _run(self, work: Callable[[Session], T]) -> T:
        with open_store_session(self.tenant_id) as session:
            return work(session)

    def _where(self, key: str) -> sa.ColumnElement[bool]:
        # Reads and deletes go through the model, so the store's guards filter them too.
        return sa.and_(PluginValue.tenant_id == self.tenant_id,
                       PluginValue.plugin == self.plugin, PluginValue.key == key)

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key``, or ``default`` when there is none."""
        _check_key(key)
        row = self._run(lambda s: s.execute(
            sa.select(PluginValue.value).where(self._where(key))).first())
        return default if row is None else row.value

    def set(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON: tuples come back as lists) under ``key``, replacing any.

        ``ValueError`` for a bad key, a value ``json`` cannot write, or one larger than
        64 KiB encoded.
        """
        _check_key(key)
        plain = json.loads(_encoded(value))
        now = utcnow()

        def write(session: Session) -> None:
            refuse_sqlite_self_lock()
            insert = _dialect_insert(session).values(
                tenant_id=self.tenant_id, plugin=self.plugin, key=key, value=plain,
                updated_at=now)
            session.execute(insert.on_conflict_do_update(
                index_elements=_CONFLICT, set_={"value": insert.excluded.value,
                                                "updated_at": now}))

        self._run(write)

    def delete(self, key: str) -> bool:
        """Remove ``key``; True when it was there."""
        _check_key(key)

        def remove(session: Session) -> bool:
            refuse_sqlite_self_lock()
            return bool(session.execute(
                sa.delete(PluginValue).where(self._where(key))
                .execution_options(synchronize_session=False)).rowcount)

        return self._run(remove)

    def items(self, prefix: str = "") -> dict[str, Any]:
        """Every key starting with ``prefix`` (all keys by default) and its value, by key."""
        if not isinstance(prefix, str):
            raise ValueError("prefix must be a string")
        query = (sa.select(PluginValue.key, PluginValue.value)
                 .where(PluginValue.tenant_id == self.tenant_id,
                        PluginValue.plugin == self.plugin)
                 .order_by(PluginValue.key))
        if prefix:
            query = query.where(PluginValue.key.startswith(prefix, autoescape=True))
        rows = self._run(lambda s: s.execute(query).all())
        # SQLite's LIKE ignores case: keep the exact prefix matches only.
        return {row.key: row.value for row in rows if row.key.startswith(prefix)}

    def increment(self, key: str, by: int = 1) -> int:
        """Add ``by`` to the whole number under ``key`` (missing counts as 0); returns the
        new value. Exact under concurrency: one atomic statement, no read-then-write.
        ``ValueError`` when the key holds something other than a whole number, or when
        the total would leave the 64-bit range (-2**63 to 2**63 - 1); the value is then
        left as it was."""
        _check_key(key)
        if not isinstance(by, int) or isinstance(by, bool):
            raise ValueError("by must be a whole number")
        if not MIN_WHOLE <= by <= MAX_WHOLE:
            raise ValueError(f"by must be between {MIN_WHOLE} and {MAX_WHOLE}")
        now = utcnow()

        def add(session: Session) -> int | None:
            refuse_sqlite_self_lock()
            dialect = session.get_bind().dialect.name
            insert = _dialect_insert(session).values(
                tenant_id=self.tenant_id, plugin=self.plugin, key=key, value=by,
                updated_at=now)
            current = _TABLE.c.value
            if dialect == "postgresql":
                # json has no arithmetic: go through its text, which for a whole number
                # is the number; the WHERE keeps anything else untouched.
                is_whole = sa.and_(sa.func.json_typeof(current) == "number",
                                   sa.cast(current, sa.Text).regexp_match(r"^-?[0-9]+$"))
                total = sa.func.to_json(
                    sa.cast(sa.cast(current, sa.Text), sa.BigInteger) + by)
            else:
                is_whole = sa.func.json_type(current) == "integer"
                total = sa.cast(sa.func.json_extract(current, "$") + by, sa.Text)
            # SQLite would turn a sum past 2**63 - 1 into a float without a word, so
            # the sum must fit before it is made (PostgreSQL would raise).
            number = sa.cast(sa.cast(current, sa.Text), sa.BigInteger) \
                if dialect == "postgresql" else sa.func.json_extract(current, "$")
            fits = sa.case((is_whole, number <= MAX_WHOLE - by if by > 0
                            else number >= MIN_WHOLE - by), else_=False)
            statement = insert.on_conflict_do_update(
                index_elements=_CONFLICT, set_={"value": total, "updated_at": now},
                where=sa.and_(is_whole, fits)).returning(_TABLE.c.value)
            try:
                row = session.execute(statement).first()
            except sa.exc.DataError as exc:  # a stored number beyond PostgreSQL's bigint
                raise ValueError(f"{key!r} would leave the range of whole numbers") from exc
            if row is not None:
                return int(row.value)
            # Nothing changed: say whether the value is no whole number or too large.
            kept = session.scalar(sa.select(PluginValue.value).where(self._where(key)))
            if isinstance(kept, int) and not isinstance(kept, bool):
                raise ValueError(f"{key!r} holds {kept}; adding {by} would leave the range "
                                 f"of whole numbers ({MIN_WHOLE} to {MAX_WHOLE})")
            return None

        result = self._run(add)
        if result is None:
            raise ValueError(f"{key!r} holds a value that is not a whole number")
        return result


def _dialect_insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(_TABLE)
    if name == "sqlite":
        return sqlite.insert(_TABLE)
    raise RuntimeError(f"the plugin key/value store does not support {name}")


def values_for(tenant_id: int, plugin: str) -> PluginValues:
    """The key/value store of installed ``plugin`` in store ``tenant_id``."""
    installed = current_app.extensions["haat_plugins"].installed
    if plugin not in installed:
        raise ValueError(f"{plugin!r} is not an installed plugin; use the `name` of your "
                         f"plugin's manifest")
    return PluginValues(tenant_id, plugin)
