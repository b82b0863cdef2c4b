"""The wishlist's Alembic branch: the migration makes exactly the table the model
declares, and the branch can be taken down and up on its own (``haat db``)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from haat_wishlist.models import WishlistItem
from sqlalchemy import create_engine, inspect


def _engine(app):
    return create_engine(app.config["SQLALCHEMY_DATABASE_URI"])


def test_the_migration_matches_the_model(haat_app):
    engine = _engine(haat_app)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), WishlistItem.metadata)
    finally:
        engine.dispose()
    mine = [d for d in diff if "wishlist_" in str(d)]
    assert mine == []


def test_the_branch_goes_down_and_up_alone(haat_app, haat_clean):
    runner = haat_app.test_cli_runner()
    down = runner.invoke(args=["db", "downgrade", "wishlist@base"])
    assert down.exit_code == 0, down.output
    engine = _engine(haat_app)
    try:
        tables = set(inspect(engine).get_table_names())
        assert "wishlist_items" not in tables
        assert {"tenants", "products"} <= tables  # core is untouched
    finally:
        engine.dispose()
    up = runner.invoke(args=["db", "upgrade", "wishlist@head"])
    assert up.exit_code == 0, up.output
    engine = _engine(haat_app)
    try:
        assert "wishlist_items" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert "wishlist_0001" in MigrationContext.configure(conn).get_current_heads()
    finally:
        engine.dispose()
