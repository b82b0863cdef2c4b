"""Sessions of a plugin's own: one short transaction for one store, apart from core's.

A plugin that writes through ``db.session`` would commit (or lose) whatever the request
had pending; a session on its own connection cannot. On SQLite only one connection can
write at a time, so a plugin session that writes while the caller's transaction holds
uncommitted writes would wait for a lock its own caller holds: that is refused at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from core.db import db
from tenants import tenant_scope

SQLITE_WRITE_CONFLICT = (
    "A plugin tried to write through its own session while this request's transaction "
    "has uncommitted writes (for example inside a checkout-path hook). On SQLite only "
    "one transaction can write at a time, so it would wait for its own caller. Write "
    "from a lifecycle hook such as haat_order_placed, or queue a job with run_later()."
)


def _caller_holds_sqlite_write_lock() -> bool:
    """True when ``db.session`` (the request's or job's) has uncommitted SQLite writes.

    Python's sqlite3 opens a transaction only before a data-changing statement, so an
    open DBAPI transaction on that connection means writes are pending.
    """
    outer = db.session()
    if not outer.in_transaction() or outer.get_bind().dialect.name != "sqlite":
        return False
    raw = outer.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))


def refuse_sqlite_self_lock() -> None:
    """Raise ``RuntimeError`` when a write now would wait for the caller's own lock."""
    if _caller_holds_sqlite_write_lock():
        raise RuntimeError(SQLITE_WRITE_CONFLICT)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        refuse_sqlite_self_lock()


def _before_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        refuse_sqlite_self_lock()


def new_session() -> Session:
    """A fresh session on the app's engine (the isolation guards apply to it too)."""
    session = Session(bind=db.engine, expire_on_commit=False)
    if db.engine.dialect.name == "sqlite":
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "do_orm_execute", _before_execute)
    return session


@contextmanager
def open_store_session(tenant_id: int) -> Iterator[Session]:
    """Yield a fresh session in ``tenant_scope(tenant_id)``; commit at the end of the
    block, roll back if it raises, always close."""
    with tenant_scope(tenant_id):
        session = new_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
