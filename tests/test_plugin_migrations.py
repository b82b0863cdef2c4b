"""Plugins' Alembic branches, through the ``haat`` command, on a database of their own.

Each test migrates a throwaway database (a SQLite file, or a PostgreSQL database named
after ``TEST_DATABASE_URL`` with ``_migrations`` appended), never the suite's own. The
sample plugin ("sample-board", ``tests/sample_plugin``) ships one revision; the
``haat plugin migration`` test writes a plugin package of its own and runs the real
``haat`` executable, which finds that plugin through its entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import Result
from flask import Flask
from sample_plugin.models import Note

from conftest import PASSWORD, SAMPLE_PLUGIN, client_for, require_component
from core import create_app
from core.catalog.models import Product
from core.config import PROJECT_ROOT, normalise_database_url
from core.db import db
from core.platform.signup import sign_up
from core.testing import drop_everything, ensure_postgres_database
from tenants import Tenant, platform_scope, tenant_scope
from tenants.provisioning import add_domain, create_tenant, delete_tenant

#: Core's latest revision (core's own folder alone has one head).
CORE_SCRIPTS = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
CORE_HEAD = CORE_SCRIPTS.get_current_head()
#: The core revision just below the head (``haat db downgrade`` goes back to it).
CORE_PREVIOUS = CORE_SCRIPTS.get_revision(CORE_HEAD).down_revision
SAMPLE_HEAD = "sample_board_0001"
HAAT = Path(sys.executable).with_name("haat")


# ----------------------------------------------------------------------- helpers


def _throwaway_url(tmp_path: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    target = sa.engine.make_url(normalise_database_url(url))
    target = target.set(database=f"{target.database}_migrations")
    rendered = target.render_as_string(hide_password=False)
    try:
        ensure_postgres_database(rendered)
    except sa.exc.OperationalError as exc:
        require_component(False, f"PostgreSQL for TEST_DATABASE_URL unreachable: {exc}")
    return rendered


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty throwaway database, emptied again afterwards."""
    url = _throwaway_url(tmp_path)
    engine = sa.create_engine(url)
    try:
        drop_everything(_EngineHolder(engine))
        yield url
        drop_everything(_EngineHolder(engine))
    finally:
        engine.dispose()


class _EngineHolder:
    """What ``drop_everything`` needs of Flask-SQLAlchemy's ``db``: an ``engine``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """``make_app(plugins=True)``: an app on the throwaway database, with the sample
    plugin installed or (``plugins=False``) not; keyword arguments are more config."""
    made: list[Flask] = []

    def make(*, plugins: bool = True, **config: object) -> Flask:
        app = create_app({
            "TESTING": True, "HAAT_ENV": "testing", "DATABASE_URL": database_url,
            "HAAT_INSTANCE_DIR": str(tmp_path / "instance"), "HAAT_JOBS": "immediate",
            "HAAT_EXTRA_PLUGINS": (SAMPLE_PLUGIN,) if plugins else (), **config,
        })
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def haat(app: Flask, *args: str) -> Result:
    """Run ``haat ARGS`` against ``app`` (click's runner: the command line's own door)."""
    return app.test_cli_runner().invoke(args=list(args))


def versions(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return set()
        return set(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))


def heads(app: Flask) -> set[str]:
    """The latest revision of every branch the app knows: core's and each plugin's."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return set(ScriptDirectory.from_config(config).get_heads())


def tables(app: Flask) -> set[str]:
    with app.app_context(), db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


# ------------------------------------------------------------------------- tests


def test_db_upgrade_with_no_argument_brings_core_and_every_plugin_to_its_head(make_app):
    app = make_app()
    assert {CORE_HEAD, SAMPLE_HEAD} <= heads(app)  # and any other installed plugin's
    result = haat(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert versions(app) == heads(app)
    assert {"tenants", "products", "plugin_values", "sample_board_notes"} <= tables(app)
    again = haat(app, "db", "upgrade")  # nothing left to do, and that is fine
    assert again.exit_code == 0, again.output
    assert versions(app) == heads(app)


def test_a_plugin_branch_upgrades_and_downgrades_alone(make_app):
    app = make_app()
    # On an empty database the branch brings only what it depends on: core's first
    # revision (which creates the stores table), not the rest of core.
    alone = haat(app, "db", "upgrade", "sample-board@head")
    assert alone.exit_code == 0, alone.output
    assert versions(app) == {SAMPLE_HEAD}  # Alembic implies 0001_initial from it
    assert {"tenants", "sample_board_notes"} <= tables(app)
    assert "plugin_values" not in tables(app)

    assert haat(app, "db", "upgrade").exit_code == 0
    with app.app_context(), platform_scope():
        db.session.add(Tenant(slug="kept-shop", name="Kept"))
        db.session.commit()

    down = haat(app, "db", "downgrade", "sample-board@base")
    assert down.exit_code == 0, down.output
    assert versions(app) == heads(app) - {SAMPLE_HEAD}
    assert "sample_board_notes" not in tables(app)
    with app.app_context(), db.engine.connect() as conn:  # core's data is untouched
        assert conn.scalar(sa.text("SELECT slug FROM tenants")) == "kept-shop"

    up = haat(app, "db", "upgrade", "sample-board@head")
    assert up.exit_code == 0, up.output
    assert versions(app) == heads(app)
    assert "sample_board_notes" in tables(app)


def test_a_downgrade_that_names_no_branch_is_refused_when_there_are_several(make_app):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    for args in ((), ("--", "-1"), ("--", "-2")):
        refused = haat(app, "db", "downgrade", *args)
        assert refused.exit_code == 1, refused.output
        assert "Traceback" not in refused.output
        assert "several branches" in refused.output
        assert f"core (at {CORE_HEAD})" in refused.output
        assert f"sample-board (at {SAMPLE_HEAD})" in refused.output
        assert "haat db downgrade core@-1" in refused.output
        assert "haat db downgrade NAME@-1" in refused.output
        assert "Nothing was changed" in refused.output
        assert versions(app) == heads(app)  # no plugin's tables were dropped
        assert "sample_board_notes" in tables(app)

    # Naming the branch works: core goes back one revision, the plugin's branch stays.
    core_back = haat(app, "db", "downgrade", "core@-1")
    assert core_back.exit_code == 0, core_back.output
    assert SAMPLE_HEAD in versions(app) and CORE_HEAD not in versions(app)
    assert "sample_board_notes" in tables(app)
    assert haat(app, "db", "upgrade").exit_code == 0
    assert versions(app) == heads(app)


def test_a_downgrade_with_core_alone_still_goes_back_one_revision(make_app):
    app = make_app(plugins=False)
    assert haat(app, "db", "upgrade", "core@head").exit_code == 0
    assert versions(app) == {CORE_HEAD}
    back = haat(app, "db", "downgrade")
    assert back.exit_code == 0, back.output
    assert versions(app) == {CORE_PREVIOUS}


def test_db_stamp_with_no_argument_records_every_branch(make_app):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    with app.app_context(), db.engine.begin() as conn:  # as if the version table was lost
        conn.execute(sa.text("DELETE FROM alembic_version"))
    stamped = haat(app, "db", "stamp")
    assert stamped.exit_code == 0, stamped.output
    assert versions(app) == heads(app)


def _row_counts(app: Flask) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return {table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
                for table in ("tenants", "domains", "products", "sample_board_notes")}


def test_taking_core_back_a_revision_and_up_again_keeps_every_store_s_rows(make_app):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    with app.app_context():
        tenant = create_tenant(slug="kept-shop", name="Kept shop", country="BD")
        add_domain(tenant, "kept-shop.example.com", verified=True)
        with tenant_scope(tenant.id):
            db.session.add(Product(handle="clay-pot", title="Clay pot", price_amount=500))
            db.session.add(Note(title="Eid hours", body=""))
            db.session.commit()
    before = _row_counts(app)
    assert before == {"tenants": 1, "domains": 1, "products": 1, "sample_board_notes": 1}

    # 0008 drops tenants.country going down: SQLite rebuilds the stores' table, which
    # must not take every row that references a store with it.
    down = haat(app, "db", "downgrade", "0007_admin")
    assert down.exit_code == 0, down.output
    assert "0007_admin" in versions(app)
    assert _row_counts(app) == before
    up = haat(app, "db", "upgrade")
    assert up.exit_code == 0, up.output
    assert versions(app) == heads(app)
    assert _row_counts(app) == before
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # the app's connections enforce keys again
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_on_sqlite_rows_left_pointing_at_nothing_stop_the_migration_loudly(make_app):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL checks every key while it migrates")
        # A note of a store that is not there, written with the keys off.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql(
            "INSERT INTO sample_board_notes (title, body, pinned, created_at, tenant_id) "
            "VALUES ('Lost', '', 0, '2026-01-01 00:00:00', 999)")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    down = haat(app, "db", "downgrade", "core@-1")
    assert down.exit_code == 1
    assert "Traceback" not in down.output
    assert ("SQLite reports 1 row(s) whose foreign key points at a row that does not "
            "exist: sample_board_notes row 1 -> tenants") in down.output
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sample_board_notes")
    up = haat(app, "db", "upgrade")
    assert up.exit_code == 0, up.output
    assert versions(app) == heads(app)


def test_a_plugin_installed_but_not_migrated_breaks_neither_its_data_page_nor_store_deletion(
        make_app):
    app = make_app(WTF_CSRF_ENABLED=False, HAAT_PLATFORM_DOMAIN="localhost")
    assert haat(app, "db", "upgrade", "core@head").exit_code == 0
    assert "sample_board_notes" not in tables(app)  # its model is declared all the same
    with app.app_context():
        tenant_id = sign_up(slug="fresh-shop", name="Fresh shop", currency="BDT",
                            email="owner@fresh-shop.example", password=PASSWORD).tenant.id
    owner = client_for(app, "fresh-shop.localhost")
    signed_in = owner.post("/admin/login", data={"email": "owner@fresh-shop.example",
                                                 "password": PASSWORD})
    assert signed_in.status_code == 303
    page = owner.get("/admin/plugins/sample-board/data")
    assert page.status_code == 200
    assert "keeps nothing for your store" in page.get_data(as_text=True)
    deleted = owner.post("/admin/plugins/sample-board/data",
                         data={"understand": "1", "plugin_name": "sample-board"})
    assert deleted.status_code == 303
    with app.app_context(), platform_scope():
        delete_tenant(db.session.get(Tenant, tenant_id))
        assert db.session.get(Tenant, tenant_id) is None


def test_an_uninstalled_plugin_s_revision_stops_the_upgrade_with_a_plain_explanation(
        make_app):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    without = make_app(plugins=False)  # the same database, the plugin gone
    result = haat(without, "db", "upgrade")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert SAMPLE_HEAD in result.output
    assert "plugin sample-board" in result.output
    assert "install the plugin again" in result.output
    assert "haat db downgrade sample-board@base" in result.output
    assert versions(without) == heads(app)  # nothing was changed


FUTURE_REVISION = '''
revision = 'future_pad_0001'
down_revision = None
branch_labels = ('future-pad',)
depends_on = '0099_from_the_future'


def upgrade():
    pass


def downgrade():
    pass
'''


def test_a_plugin_made_for_a_newer_haat_is_refused_with_a_plain_explanation(
        make_app, tmp_path, monkeypatch):
    package = tmp_path / "site" / "haat_future_pad"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "migrations" / "__init__.py").write_text("")
    (package / "migrations" / "future_pad_0001_first.py").write_text(FUTURE_REVISION)
    (package / "plugin.py").write_text(
        "from core.sdk import PluginManifest\n\n"
        "manifest = PluginManifest(name='future-pad', title='Future pad',\n"
        "                          migrations='haat_future_pad.migrations')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    app = make_app(HAAT_EXTRA_PLUGINS=(SAMPLE_PLUGIN, "haat_future_pad.plugin"))
    result = haat(app, "db", "upgrade")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "depends on revision '0099_from_the_future'" in result.output
    assert "made for a newer Haat" in result.output
    assert versions(app) == set()  # nothing was changed


def test_core_autogenerate_ignores_plugin_tables(make_app, tmp_path):
    app = make_app()
    assert haat(app, "db", "upgrade").exit_code == 0
    # The plugin's table differs from its model (an index is missing): that is for the
    # plugin's branch to fix, so core's autogenerate must not write a revision for it.
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_sample_board_notes_tenant_id_archived_at_pinned_"
                             "created_at"))
    scripts = tmp_path / "core-migrations"  # a copy: a wrong result stays out of the tree
    shutil.copytree(PROJECT_ROOT / "migrations", scripts)
    before = sorted(p.name for p in (scripts / "versions").iterdir())
    result = haat(app, "db", "migrate", "-d", str(scripts), "-m", "check")
    assert result.exit_code == 0, result.output
    assert "No changes in schema detected" in result.output
    assert sorted(p.name for p in (scripts / "versions").iterdir()) == before


# ------------------------------------------------- haat plugin migration (a real run)

MEMO_MODELS = '''
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import plugin_model_base

Base = plugin_model_base("memo-pad")


class Memo(Base):
    __tablename__ = "memo_pad_memos"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    # A core table made long after core's first revision.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
'''


def _memo_plugin(root: Path) -> Path:
    """A pip-installed-looking plugin "memo-pad": a package plus its dist-info."""
    package = root / "haat_memo_pad"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "migrations" / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MEMO_MODELS))
    (package / "plugin.py").write_text(
        "from core.sdk import PluginManifest\n"
        "from haat_memo_pad import models  # noqa: F401\n\n"
        "manifest = PluginManifest(name='memo-pad', title='Memo pad',\n"
        "                          migrations='haat_memo_pad.migrations')\n")
    info = root / "haat_memo_pad-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: haat-memo-pad\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[haat.plugins]\nmemo-pad = haat_memo_pad.plugin\n")
    return package


def test_haat_plugin_migration_writes_revisions_on_the_plugin_s_branch(database_url, tmp_path):
    package = _memo_plugin(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "DATABASE_URL": database_url,
           "HAAT_INSTANCE_DIR": str(tmp_path / "instance"), "HAAT_JOBS": "immediate"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(HAAT), *args], env=env,  # noqa: S603 (our own haat)
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    run("db", "upgrade")
    first = run("plugin", "migration", "memo-pad", "-m", "memos")
    written = package / "migrations" / "memo_pad_0001_memos.py"
    assert f"Wrote {written}" in first.stdout
    source = written.read_text()
    assert "revision = 'memo_pad_0001'" in source
    assert "down_revision = None" in source
    assert "branch_labels = ('memo-pad',)" in source
    # After core's latest revision, which made every core table it may reference.
    assert f"depends_on = '{CORE_HEAD}'" in source
    assert "op.create_table('memo_pad_memos'" in source
    assert "sa.UniqueConstraint('tenant_id', 'code'" in source
    assert "products" not in source  # only the plugin's own tables are compared

    run("db", "upgrade")
    models = package / "models.py"
    models.write_text(models.read_text() + "    note: Mapped[str] = mapped_column(String(80), "
                      "default='')\n")
    second = run("plugin", "migration", "memo-pad", "-m", "note")
    source = (package / "migrations" / "memo_pad_0002_note.py").read_text()
    assert "memo_pad_0002_note.py" in second.stdout
    assert "down_revision = 'memo_pad_0001'" in source
    assert "branch_labels = None" in source
    assert "add_column(sa.Column('note'" in source

    by_hand = run("plugin", "migration", "memo-pad", "-m", "backfill", "--empty")
    assert "memo_pad_0003_backfill.py" in by_hand.stdout
    source = (package / "migrations" / "memo_pad_0003_backfill.py").read_text()
    assert "down_revision = 'memo_pad_0002'" in source
    assert "def upgrade():\n    pass" in source

    # A fresh database gets the plugin's table after the core tables it references.
    engine = sa.create_engine(database_url)
    try:
        drop_everything(_EngineHolder(engine))
        run("db", "upgrade")
        with engine.connect() as conn:
            assert {"orders", "memo_pad_memos"} <= set(sa.inspect(conn).get_table_names())
            assert "memo_pad_0003" in set(conn.scalars(
                sa.text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def test_a_new_plugin_package_s_first_revision_runs_after_core_s_latest(make_app, tmp_path):
    made = haat(make_app(), "plugin", "new", "late-tables", "--dir", str(tmp_path))
    assert made.exit_code == 0, made.output
    first = (tmp_path / "haat-late-tables" / "haat_late_tables" / "migrations"
             / "late_tables_0001_purchases.py").read_text()
    assert f"depends_on = '{CORE_HEAD}'" in first


def test_haat_plugin_migration_explains_what_it_cannot_do(make_app):
    app = make_app()
    unknown = haat(app, "plugin", "migration", "no-such-plugin", "-m", "x")
    assert unknown.exit_code == 1
    assert "'no-such-plugin' is not an installed plugin" in unknown.output
    no_folder = haat(app, "plugin", "migration", "seo", "-m", "x")
    assert no_folder.exit_code == 1
    assert "has no migrations folder" in no_folder.output
    behind = haat(app, "plugin", "migration", "sample-board", "-m", "x")  # empty database
    assert behind.exit_code == 1
    assert "Run `haat db upgrade` first" in behind.output
    assert "Traceback" not in unknown.output + no_folder.output + behind.output
