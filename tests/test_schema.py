"""Schema rules, checked on the database the migrations built (not on the models alone)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import db
from core.search import include_object, is_engine_table
from core.search.schema import ENGINE_INDEXES
from tenants import TenantOwned
from tenants.provisioning import tenant_owned_tables

# Platform routing data that is unique across stores on purpose (see tenants/models.py).
# A new entry here must be a deliberate, documented decision.
GLOBAL_UNIQUE_EXCEPTIONS = {"domains": ["hostname"]}


@pytest.fixture
def inspector(app_ctx) -> sa.Inspector:
    return sa.inspect(db.engine)


def _tables(inspector: sa.Inspector) -> list[str]:
    """Tables the models describe (the search engine's FTS5 internals are its own)."""
    return [t for t in inspector.get_table_names()
            if t != "alembic_version" and not is_engine_table(t)]


def _tenant_tables(inspector: sa.Inspector) -> list[str]:
    return [t for t in _tables(inspector)
            if "tenant_id" in {c["name"] for c in inspector.get_columns(t)}]


def _unique_column_sets(inspector: sa.Inspector, table: str) -> list[tuple[str, list[str]]]:
    """(name, columns) of every unique constraint and unique index of ``table``."""
    found = [(uc["name"], list(uc["column_names"]))
             for uc in inspector.get_unique_constraints(table)]
    found += [(ix["name"], list(ix["column_names"]))
              for ix in _own_indexes(inspector, table) if ix["unique"]]
    return found


def _own_indexes(inspector: sa.Inspector, table: str) -> list[dict]:
    """Indexes created as such (PostgreSQL also lists those behind unique constraints)."""
    return [ix for ix in inspector.get_indexes(table) if not ix.get("duplicates_constraint")]


def test_the_migrations_match_the_models(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "models changed without a migration (flask db migrate):\n" + "\n".join(
        map(str, diff))


def test_the_tenant_tables_are_the_ones_the_code_deletes_and_filters(inspector):
    reflected = set(_tenant_tables(inspector))
    assert {"products", "staff_users", "domains"} <= reflected
    # Store deletion and the test clean-up walk tenant_owned_tables(): it must see them all.
    assert {t.name for t in tenant_owned_tables()} == reflected


def test_tenant_id_is_not_null_and_indexed_first(inspector):
    for table in _tenant_tables(inspector):
        column = next(c for c in inspector.get_columns(table) if c["name"] == "tenant_id")
        assert column["nullable"] is False, table
        leading = [ix["name"] for ix in _own_indexes(inspector, table)
                   if ix["column_names"][:1] == ["tenant_id"]]
        assert leading, f"{table} has no index that starts with tenant_id"
        fks = [fk for fk in inspector.get_foreign_keys(table)
               if fk["constrained_columns"] == ["tenant_id"]]
        assert [(fk["referred_table"], fk["referred_columns"]) for fk in fks] == [
            ("tenants", ["id"])], table
        assert fks[0]["options"].get("ondelete", "").upper() == "CASCADE", table


def test_every_unique_rule_starts_with_tenant_id_except_documented_routing(inspector):
    exceptions: dict[str, list[str]] = {}
    checked = 0
    for table in _tenant_tables(inspector):
        for _name, columns in _unique_column_sets(inspector, table):
            if set(columns) <= {"id"}:
                continue
            checked += 1
            if columns[0] != "tenant_id":
                exceptions.setdefault(table, []).extend(columns)
    assert checked >= 4  # the reflection really found the per-store unique constraints
    assert exceptions == GLOBAL_UNIQUE_EXCEPTIONS
    assert "tenant_id" not in {c["name"] for c in inspector.get_columns("tenants")}


def test_every_model_with_a_tenant_id_is_tenant_owned():
    owned = []
    for mapper in db.Model.registry.mappers:
        if "tenant_id" in mapper.local_table.c:
            assert issubclass(mapper.class_, TenantOwned), mapper.class_.__name__
            owned.append(mapper.local_table.name)
        else:
            assert not issubclass(mapper.class_, TenantOwned), mapper.class_.__name__
    assert sorted(owned) == sorted(t.name for t in tenant_owned_tables())


def _named(actual: str | None, expected: str, limit: int) -> bool:
    """``actual`` is ``expected``, or SQLAlchemy's hashed shortening of it when it is
    longer than the database allows (PostgreSQL: 63 characters)."""
    if actual == expected:
        return True
    return (len(expected) > limit and actual is not None and len(actual) <= limit
            and expected.startswith(actual[:-5]) and actual[-5] == "_")


def test_constraint_and_index_names_follow_the_convention(inspector):
    limit = inspector.dialect.max_identifier_length
    for table in _tables(inspector):
        pk_name = inspector.get_pk_constraint(table)["name"]
        # SQLite writes AUTOINCREMENT keys inline ("id INTEGER PRIMARY KEY AUTOINCREMENT"),
        # which cannot carry a constraint name; tenants uses it so ids are never reused.
        if not (table == "tenants" and inspector.dialect.name == "sqlite"):
            assert pk_name == f"pk_{table}"
        for uc in inspector.get_unique_constraints(table):
            assert _named(uc["name"], f"uq_{table}_{'_'.join(uc['column_names'])}", limit)
        for ix in _own_indexes(inspector, table):
            if ix["name"] in ENGINE_INDEXES:  # the search engine's GIN/trigram indexes
                continue
            assert ix["name"] == f"ix_{table}_{'_'.join(ix['column_names'])}"
        for fk in inspector.get_foreign_keys(table):
            column = fk["constrained_columns"][0]
            assert fk["name"] == f"fk_{table}_{column}_{fk['referred_table']}"
        for ck in inspector.get_check_constraints(table):
            assert (ck["name"] or "").startswith(f"ck_{table}_"), ck


def test_store_ids_are_never_reused_after_every_migration(app, make_store):
    """Caches and logs key on store ids, so a deleted store's id must never come back.
    On SQLite that takes AUTOINCREMENT, which a migration that copies the table (Alembic's
    batch mode) silently drops."""
    first = make_store("first-shop")
    with app.app_context():
        from tenants import Tenant, platform_scope

        with platform_scope():
            db.session.execute(sa.delete(Tenant).where(Tenant.id == first.id))
            db.session.commit()
    assert make_store("second-shop").id > first.id
