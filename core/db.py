"""The database handle and the declarative base every model uses.

Constraint names follow one convention so that Alembic migrations are stable on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import DeclarativeBase

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
