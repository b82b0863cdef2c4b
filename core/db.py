"""The database handle and the declarative base every model uses.

Constraint names follow one convention so that Alembic migrations are stable on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, inspect
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Timezone-aware now, used for every timestamp default."""
    return datetime.now(UTC)


def column_length(attribute: Any) -> int:
    """The ``n`` of a ``String(n)`` model attribute (``Order.tracking_url``).

    Forms take their limits from here, so a field's check, its ``maxlength`` and the
    column that stores it cannot drift apart (longer input is refused, never cut).
    """
    length = inspect(attribute).property.columns[0].type.length
    if not isinstance(length, int):
        raise TypeError(f"{attribute} has no length; give the form a limit of its own")
    return length


def nothing_unsaved() -> bool:
    """Whether committing ``db.session`` now would write nothing of the request's own:
    no pending objects and no flushed, uncommitted writes. Code that records something
    on the side (a session's last-seen time) commits only then, so a view may still rely
    on its unsaved changes being dropped. Needs :func:`track_unsaved_writes`."""
    state = db.session
    return not (state.new or state.dirty or state.deleted or state.info.get("haat_flushed"))


def track_unsaved_writes() -> None:
    """Mark a database session that flushed writes not yet committed (for
    :func:`nothing_unsaved`). Installed once per process."""
    if event.contains(Session, "after_flush", _flushed):
        return
    event.listen(Session, "after_flush", _flushed)
    event.listen(Session, "after_transaction_end", _transaction_ended)


def _flushed(session: Session, _context: object) -> None:
    session.info["haat_flushed"] = True


def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("haat_flushed", None)
