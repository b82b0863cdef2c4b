"""Plugin-owned data: the table base's rules, store sessions, the key/value store, and
what switching off, "Delete this plugin's data" and deleting the store do to it.

The sample plugin "sample-board" (``tests/sample_plugin``) owns the table
``sample_board_notes`` (model ``Note``), created by its own migration.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sample_plugin.models import Note
from sqlalchemy import Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from admin_support import add_staff, html, sign_in
from core.db import db
from core.pluginhost.models import PluginState, PluginValue, ScheduleRun
from core.pluginhost.tables import plugin_table_names, table_problems
from core.pluginhost.web import plugins_for_tenant
from core.sdk import StoreInfo, plugin_model_base, store_session, store_values
from tenants import (
    CrossTenantWriteError,
    Tenant,
    TenantOwned,
    TenantScopeError,
    platform_scope,
    tenant_scope,
)
from tenants.provisioning import delete_tenant, tenant_owned_tables

PLUGIN = "sample-board"


def info(app, tenant: Tenant) -> StoreInfo:
    """The ``StoreInfo`` hooks receive for ``tenant``."""
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def notes_of(app, tenant: Tenant) -> list[str]:
    """Titles of the store's notes, read around every guard (platform scope)."""
    with app.app_context(), platform_scope():
        return sorted(db.session.scalars(
            select(Note.title).where(Note.tenant_id == tenant.id)))


def add_notes(app, tenant: Tenant, *titles: str) -> list[int]:
    with app.app_context(), store_session(info(app, tenant)) as session:
        notes = [Note(title=title, body=f"{title} body") for title in titles]
        session.add_all(notes)
    return [note.id for note in notes]


def assert_write_refused(app, tenant: Tenant, statement: sa.Executable, rows) -> None:
    """``statement`` (with ``rows``) is refused as a write into another store, both in
    ``tenant``'s store session and in core's session scoped to it; nothing is left
    pending. Call inside an app context."""
    with pytest.raises(CrossTenantWriteError), store_session(info(app, tenant)) as session:
        session.execute(statement, rows)
    with pytest.raises(CrossTenantWriteError), tenant_scope(tenant.id):
        db.session.execute(statement, rows)
    db.session.rollback()


@pytest.fixture
def shops(app, make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


# ------------------------------------------------------------------ the table base


def test_the_base_makes_store_owned_tables_of_core_s_metadata():
    assert plugin_model_base(PLUGIN) is plugin_model_base(PLUGIN)
    assert Note.__bases__ == (plugin_model_base(PLUGIN),)
    assert issubclass(Note, TenantOwned)
    assert db.metadata.tables["sample_board_notes"] is Note.__table__
    assert plugin_table_names()["sample_board_notes"] == PLUGIN
    tenant_id = Note.__table__.c.tenant_id
    assert not tenant_id.nullable
    assert [fk.target_fullname for fk in tenant_id.foreign_keys] == ["tenants.id"]


def test_the_base_refuses_tables_that_break_the_rules_and_leaves_nothing_behind():
    base = plugin_model_base("rule-check")
    before = set(db.metadata.tables)

    with pytest.raises(TypeError, match="must start with 'rule_check_'"):
        class Unprefixed(base):
            __tablename__ = "notes"
            id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(TypeError, match=r"unique constraint on \(code\) must start with "
                                        r"tenant_id: UniqueConstraint\('tenant_id', 'code'\)"):
        class GlobalCode(base):
            __tablename__ = "rule_check_codes"
            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str] = mapped_column(String(20), unique=True)

    with pytest.raises(TypeError, match=r"unique constraint on \(code, tenant_id\)"):
        class TenantSecond(base):
            __tablename__ = "rule_check_pairs"
            __table_args__ = (UniqueConstraint("code", "tenant_id"),)
            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str] = mapped_column(String(20))

    with pytest.raises(TypeError, match=r"index on \(code, id\) must start with tenant_id"):
        class WideIndex(base):
            __tablename__ = "rule_check_wide"
            __table_args__ = (Index(None, "code", "id"),)
            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str] = mapped_column(String(20))

    with pytest.raises(TypeError, match="tenant_id must be a NOT NULL column"):
        class OptionalStore(base):
            __tablename__ = "rule_check_loose"
            id: Mapped[int] = mapped_column(primary_key=True)
            tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id"))

    assert set(db.metadata.tables) == before
    assert "rule_check_codes" not in plugin_table_names()
    with pytest.raises(ValueError, match="lowercase words joined by hyphens"):
        plugin_model_base("Not A Name")


def test_the_rules_allow_single_column_indexes_and_store_leading_uniques():
    table = sa.Table(
        "demo_things", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("code", sa.String(20), index=True),
        sa.Column("title", sa.String(20)),
        UniqueConstraint("tenant_id", "code"),
        Index(None, "tenant_id", "title", "code"),
    )
    assert table_problems(table, "demo") == []


# ------------------------------------------------------------------ store sessions


def test_a_store_session_sees_and_changes_only_its_own_store_s_rows(app, shops):
    a, b = shops
    add_notes(app, a, "Eid hours", "Free delivery")
    [b_note] = add_notes(app, b, "Eid hours")  # titles are unique per store only

    with app.app_context(), store_session(info(app, a)) as session:
        assert sorted(session.scalars(select(Note.title))) == ["Eid hours", "Free delivery"]
        assert session.get(Note, b_note) is None
        assert session.scalar(select(sa.func.count()).select_from(Note)) == 2
        changed = session.execute(sa.update(Note).where(Note.id == b_note)
                                  .values(title="Hacked"))
        assert changed.rowcount == 0
        gone = session.execute(sa.delete(Note).where(Note.id == b_note))
        assert gone.rowcount == 0
    assert notes_of(app, b) == ["Eid hours"]


def test_a_store_session_refuses_to_write_another_store_s_row_and_rolls_back(app, shops):
    a, b = shops
    [b_note] = add_notes(app, b, "Beta's note")
    with app.app_context():
        with pytest.raises(CrossTenantWriteError), store_session(info(app, a)) as session:
            session.add(Note(title="Alpha's note"))
            session.add(Note(title="Planted", tenant_id=b.id))
        with pytest.raises(CrossTenantWriteError), store_session(info(app, a)) as session:
            with tenant_scope(b.id):
                loaded = session.get(Note, b_note)
            loaded.title = "Changed from alpha"
    assert notes_of(app, a) == []  # the whole block was rolled back
    assert notes_of(app, b) == ["Beta's note"]


def test_a_store_session_commits_at_the_end_and_rolls_back_on_error(app, shops):
    a, _b = shops
    with app.app_context():
        with pytest.raises(ZeroDivisionError), store_session(info(app, a)) as session:
            session.add(Note(title="Never kept"))
            session.flush()
            1 / 0  # noqa: B018
        with store_session(info(app, a)) as session:
            note = Note(title="Kept", pinned=True)
            session.add(note)
    assert (note.title, note.pinned, note.tenant_id) == ("Kept", True, a.id)  # still readable
    assert notes_of(app, a) == ["Kept"]


def test_a_store_session_never_commits_the_caller_s_transaction(app, shops, is_postgres):
    a, _b = shops
    with app.app_context(), tenant_scope(a.id):
        db.session.add(PluginValue(plugin="seo", key="pending", value=1))
        with store_session(info(app, a)) as session:  # the caller has not flushed yet
            session.add(Note(title="Plugin's own"))
        db.session.rollback()
        assert notes_of(app, a) == ["Plugin's own"]
        assert db.session.scalar(select(PluginValue).where(PluginValue.key == "pending")) is None

        db.session.add(PluginValue(plugin="seo", key="flushed", value=1))
        db.session.flush()
        if is_postgres:
            with store_session(info(app, a)) as session:
                session.add(Note(title="Second"))
            db.session.rollback()
            assert notes_of(app, a) == ["Plugin's own", "Second"]
            assert db.session.scalar(
                select(PluginValue).where(PluginValue.key == "flushed")) is None
        else:
            # SQLite: one writer at a time; waiting for our own caller would hang, so
            # the plugin's write is refused at once and nothing of its block is kept.
            with (pytest.raises(RuntimeError, match="only one transaction can write"),
                  store_session(info(app, a)) as session):
                session.add(Note(title="Second"))
            with store_session(info(app, a)) as session:  # reading is fine
                assert len(session.scalars(select(Note)).all()) == 1
            db.session.rollback()
            assert notes_of(app, a) == ["Plugin's own"]


# ------------------------------------------------- statements that name the table itself


def _note_rows(tenant_id: int, title: str) -> dict[str, object]:
    return {"tenant_id": tenant_id, "title": title, "body": "", "pinned": False}


def test_a_statement_on_the_table_not_the_model_is_refused_in_a_store_s_scope(app, shops):
    a, b = shops
    add_notes(app, a, "Alpha's note")
    add_notes(app, b, "Beta's secret")
    notes = Note.__table__
    # Statements that name the table rather than the model: the store filter cannot see
    # them, so they would read or change every store's rows.
    statements = [
        select(notes.c.title),
        select(sa.func.count()).select_from(notes),
        select(Note.title, select(sa.func.count()).select_from(notes).scalar_subquery()),
        select(Note.title).where(Note.id.in_(select(notes.c.id))),
        select(select(notes.c.title).subquery().c.title),
        sa.update(notes).values(title="Hacked"),
        sa.delete(notes),
    ]
    with app.app_context():
        for statement in statements:
            with (pytest.raises(TenantScopeError, match="Use the model class"),
                  store_session(info(app, a)) as session):
                session.execute(statement)
            with pytest.raises(TenantScopeError, match="Use the model class"), \
                    tenant_scope(a.id):
                db.session.execute(statement)
            db.session.rollback()
        with pytest.raises(TenantScopeError, match="no store in context"):
            db.session.execute(select(notes.c.title))
        # Through the model the same questions are answered for the store in scope.
        with store_session(info(app, a)) as session:
            assert session.scalars(select(Note.title)).all() == ["Alpha's note"]
            assert session.scalar(select(sa.func.count()).select_from(Note)) == 1
        with platform_scope():  # platform code reads every store's rows on purpose
            assert sorted(db.session.scalars(select(notes.c.title))) == [
                "Alpha's note", "Beta's secret"]
    assert notes_of(app, b) == ["Beta's secret"]


def test_a_bulk_insert_cannot_write_rows_of_another_store(app, shops):
    a, b = shops
    from sqlalchemy.dialects import postgresql, sqlite

    upsert = (postgresql if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
              else sqlite).insert
    attempts = [
        (sa.insert(Note), [_note_rows(b.id, "Planted")]),
        (sa.insert(Note), [_note_rows(a.id, "Mine"), _note_rows(b.id, "Planted")]),
        (sa.insert(Note).values(_note_rows(b.id, "Planted")), None),
        (sa.insert(Note.__table__).values([_note_rows(a.id, "Mine"),
                                           _note_rows(b.id, "Planted")]), None),
        (sa.insert(Note.__table__), {**_note_rows(b.id, "Planted")}),
        # An upsert whose conflict target is not per store could overwrite B's row.
        (upsert(Note).values(_note_rows(a.id, "Mine"))
         .on_conflict_do_update(index_elements=["id"], set_={"title": "Hacked"}), None),
    ]
    with app.app_context():
        for statement, rows in attempts:
            assert_write_refused(app, a, statement, rows)
    assert notes_of(app, a) == notes_of(app, b) == []

    # Rows without a tenant_id get the store in scope, as new objects do.
    with app.app_context():
        with store_session(info(app, a)) as session:
            session.execute(sa.insert(Note), [{"title": "One", "body": ""},
                                              {"title": "Two", "body": ""}])
            session.execute(sa.insert(Note.__table__).values(title="Three", body="",
                                                             pinned=False))
        with tenant_scope(b.id):
            db.session.execute(sa.insert(Note), [_note_rows(b.id, "Own")])
            db.session.commit()
    assert notes_of(app, a) == ["One", "Three", "Two"]
    assert notes_of(app, b) == ["Own"]


def test_a_bulk_update_changes_only_the_store_s_rows_and_hands_none_over(app, shops):
    a, b = shops
    [a_note] = add_notes(app, a, "Alpha's note")
    [b_note] = add_notes(app, b, "Beta's note")
    with app.app_context():
        # A bulk UPDATE by primary key: B's id is simply not found.
        with store_session(info(app, a)) as session:
            session.execute(sa.update(Note), [{"id": b_note, "title": "Hacked"},
                                              {"id": a_note, "title": "Alpha's, edited"}])
        with tenant_scope(a.id):
            db.session.execute(sa.update(Note), [{"id": b_note, "title": "Hacked again"}])
            db.session.commit()
        # Moving rows to another store is a write into it.
        for statement, rows in ((sa.update(Note).values(tenant_id=b.id), None),
                                (sa.update(Note), [{"id": a_note, "tenant_id": b.id}])):
            assert_write_refused(app, a, statement, rows)
    assert notes_of(app, a) == ["Alpha's, edited"]
    assert notes_of(app, b) == ["Beta's note"]


def test_store_session_wants_a_store_info(app):
    with (app.app_context(), pytest.raises(TypeError, match=r"expected core\.sdk\.StoreInfo"),
          store_session(1)):  # type: ignore[arg-type]
        pass


# ------------------------------------------------------------------ key/value store


def test_values_are_kept_per_store_and_per_plugin(app, shops):
    a, b = shops
    with app.app_context():
        mine, theirs = store_values(info(app, a), PLUGIN), store_values(info(app, b), PLUGIN)
        other_plugin = store_values(info(app, a), "seo")
        mine.set("greeting", {"bn": "স্বাগতম", "hy": "Բարի գալուստ", "list": [1, 2.5, None]})
        mine.set("sync:cursor", "c-42")
        mine.set("sync:at", "2026-12-01T10:00:00Z")
        mine.set("Sync:other-case", True)
        theirs.set("greeting", "beta")
        other_plugin.set("greeting", "seo")

        assert mine.get("greeting") == {"bn": "স্বাগতম", "hy": "Բարի գալուստ",
                                        "list": [1, 2.5, None]}
        assert theirs.get("greeting") == "beta"
        assert other_plugin.get("greeting") == "seo"
        assert mine.get("missing") is None
        assert mine.get("missing", default=0) == 0
        assert mine.items(prefix="sync:") == {"sync:at": "2026-12-01T10:00:00Z",
                                              "sync:cursor": "c-42"}
        assert list(mine.items()) == ["Sync:other-case", "greeting", "sync:at", "sync:cursor"]
        assert theirs.items() == {"greeting": "beta"}

        mine.set("sync:cursor", "c-43")  # replaces
        assert mine.get("sync:cursor") == "c-43"
        assert mine.delete("sync:cursor") is True
        assert mine.delete("sync:cursor") is False
        assert mine.get("sync:cursor") is None
        assert theirs.items() == {"greeting": "beta"}


def test_values_refuse_bad_keys_values_and_plugins_with_clear_errors(app, shops):
    a, _b = shops
    with app.app_context():
        values = store_values(info(app, a), PLUGIN)
        with pytest.raises(ValueError, match="at most 200 characters"):
            values.set("k" * 201, 1)
        values.set("k" * 200, 1)
        with pytest.raises(ValueError, match="non-empty string"):
            values.get("")
        with pytest.raises(ValueError, match="JSON-serialisable"):
            values.set("when", object())
        with pytest.raises(ValueError, match="JSON-serialisable"):
            values.set("ratio", float("nan"))
        with pytest.raises(ValueError, match="the limit is 65536"):
            values.set("big", "ক" * 22_000)  # three bytes each in UTF-8
        values.set("fits", "x" * 65_000)
        with pytest.raises(ValueError, match="'no-such-plugin' is not an installed plugin"):
            store_values(info(app, a), "no-such-plugin")
        assert set(values.items()) == {"k" * 200, "fits"}


def test_increment_counts_from_zero_and_only_whole_numbers(app, shops):
    a, b = shops
    with app.app_context():
        values = store_values(info(app, a), PLUGIN)
        assert values.increment("views") == 1
        assert values.increment("views", by=10) == 11
        assert values.increment("views", by=-3) == 8
        assert values.get("views") == 8
        assert store_values(info(app, b), PLUGIN).increment("views") == 1
        values.set("label", "not a number")
        values.set("ratio", 1.5)
        for key in ("label", "ratio"):
            with pytest.raises(ValueError, match="not a whole number"):
                values.increment(key)
        with pytest.raises(ValueError, match="by must be a whole number"):
            values.increment("views", by=1.5)  # type: ignore[arg-type]
        assert values.get("label") == "not a number"


def test_increment_refuses_to_leave_the_range_of_whole_numbers(app, shops):
    a, _b = shops
    largest, smallest = 2**63 - 1, -(2**63)
    with app.app_context():
        values = store_values(info(app, a), PLUGIN)
        values.set("count", largest - 2)
        assert values.increment("count", by=2) == largest
        with pytest.raises(ValueError, match=rf"'count' holds {largest}; adding 1 would "
                                             r"leave the range of whole numbers"):
            values.increment("count")
        assert values.get("count") == largest  # kept exactly, not turned into a float
        assert isinstance(values.get("count"), int)
        values.set("debt", smallest + 1)
        assert values.increment("debt", by=-1) == smallest
        with pytest.raises(ValueError, match="would leave the range"):
            values.increment("debt", by=-1)
        assert values.get("debt") == smallest
        with pytest.raises(ValueError, match="by must be between"):
            values.increment("fresh", by=2**63)
        assert values.get("fresh") is None
        assert values.increment("count", by=-largest) == 0  # far from both ends: fine


def test_increment_is_exact_when_many_workers_count_at_once(app, shops):
    a, _b = shops
    store = info(app, a)
    workers, each = 6, 15
    start = threading.Barrier(workers)

    def count() -> list[int]:
        with app.app_context():
            values = store_values(store, PLUGIN)
            start.wait()  # every worker races for the first insert of the key too
            return [values.increment("hits") for _ in range(each)]

    with ThreadPoolExecutor(workers) as pool:
        seen = [n for result in pool.map(lambda _: count(), range(workers)) for n in result]
    assert sorted(seen) == list(range(1, workers * each + 1))  # no two saw the same total
    with app.app_context():
        assert store_values(store, PLUGIN).get("hits") == workers * each


# ------------------------------------------------------------ switching off keeps data


def test_switching_the_plugin_off_keeps_its_data(app, shops, enable_plugin, store_client):
    a, _b = shops
    enable_plugin(a, PLUGIN)
    add_notes(app, a, "Eid hours")
    with app.app_context():
        store_values(info(app, a), PLUGIN).set("cursor", 7)
    owner = sign_in(store_client, a)
    off = owner.post(f"/admin/plugins/{PLUGIN}/toggle", data={"enabled": "0"})
    assert off.status_code == 303
    with app.app_context():
        assert PLUGIN not in info(app, a).enabled_plugins
        assert store_values(info(app, a), PLUGIN).get("cursor") == 7
    assert notes_of(app, a) == ["Eid hours"]
    assert owner.post(f"/admin/plugins/{PLUGIN}/toggle", data={"enabled": "1"}).status_code == 303
    assert notes_of(app, a) == ["Eid hours"]


# ------------------------------------------------------- "Delete this plugin's data"


def _fill_both(app, shops, enable_plugin) -> None:
    """Each store: the plugin on with two notes, three values and a schedule record."""
    for tenant in shops:
        enable_plugin(tenant, PLUGIN)
        add_notes(app, tenant, f"{tenant.slug} first", f"{tenant.slug} second")
        with app.app_context():
            values = store_values(info(app, tenant), PLUGIN)
            for key in ("a", "b", "c"):
                values.set(key, key)
            with tenant_scope(tenant.id):
                db.session.add(ScheduleRun(plugin=PLUGIN, schedule="tidy"))
                db.session.commit()


def _kept(app, tenant: Tenant) -> dict[str, object]:
    with app.app_context(), tenant_scope(tenant.id):
        return {
            "notes": len(db.session.scalars(select(Note)).all()),
            "values": len(store_values(info(app, tenant), PLUGIN).items()),
            "state": db.session.scalar(select(PluginState.enabled)
                                       .where(PluginState.plugin == PLUGIN)),
            "runs": len(db.session.scalars(select(ScheduleRun)).all()),
            "version": db.session.get(Tenant, tenant.id).plugins_version,
        }


def test_the_delete_data_page_shows_what_will_go_and_asks_for_confirmation(
        app, shops, enable_plugin, store_client):
    a, _b = shops
    _fill_both(app, shops, enable_plugin)
    owner = sign_in(store_client, a)
    settings = html(owner.get(f"/admin/plugins/{PLUGIN}"))
    assert f'href="/admin/plugins/{PLUGIN}/data"' in settings

    page = owner.get(f"/admin/plugins/{PLUGIN}/data")
    body = html(page)
    assert page.status_code == 200
    assert "Delete the data of Message board?" in body
    assert "<code>sample_board_notes</code></th><td>2 rows</td>" in body
    assert "Stored values</th><td>3</td>" in body
    assert "Schedule records</th><td>1</td>" in body
    assert 'name="csrf_token"' in body
    assert 'name="understand"' in body and 'name="plugin_name"' in body

    before = _kept(app, a)
    refused = owner.post(f"/admin/plugins/{PLUGIN}/data", data={"plugin_name": "sample"})
    body = html(refused)
    assert refused.status_code == 422
    assert 'id="understand-error"' in body and "Tick the box" in body
    assert 'id="plugin_name-error"' in body and "exactly as shown" in body
    assert 'value="sample"' in body  # what was typed is kept
    assert "Nothing was deleted." in body
    unticked = owner.post(f"/admin/plugins/{PLUGIN}/data",
                          data={"plugin_name": PLUGIN})
    assert unticked.status_code == 422
    assert 'id="plugin_name-error"' not in html(unticked)
    assert _kept(app, a) == before
    assert owner.get("/admin/plugins/no-such-plugin/data").status_code == 404


def test_deleting_a_plugin_s_data_removes_it_for_this_store_only(
        app, shops, enable_plugin, store_client):
    a, b = shops
    _fill_both(app, shops, enable_plugin)
    b_before = _kept(app, b)
    a_version = _kept(app, a)["version"]
    owner = sign_in(store_client, a)
    done = owner.post(f"/admin/plugins/{PLUGIN}/data",
                      data={"understand": "1", "plugin_name": f" {PLUGIN} "})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/admin/plugins/{PLUGIN}"
    flashed = html(owner.get(done.headers["Location"]))
    assert ("Deleted from Message board: 2 rows of its tables, 3 stored values, its "
            "settings, 1 schedule record. The plugin is off.") in flashed

    after = _kept(app, a)
    assert (after["notes"], after["values"], after["state"], after["runs"]) == (0, 0, None, 0)
    assert after["version"] > a_version  # every worker rebuilds the store's plugins
    with app.app_context():
        assert PLUGIN not in info(app, a).enabled_plugins
    assert _kept(app, b) == b_before

    again = html(owner.get(f"/admin/plugins/{PLUGIN}/data"))
    assert "keeps nothing for your store" in again
    assert 'name="plugin_name"' not in again


@pytest.fixture
def tags_table(app):
    """``sample_board_note_tags``, as a hand-written migration of the plugin might make
    it: no model declares it, and its key to the notes does not cascade (so deleting
    notes first would fail). Dropped again afterwards."""
    table = sa.Table(
        "sample_board_note_tags", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, nullable=False),
        sa.Column("note_id", sa.Integer, sa.ForeignKey(Note.__table__.c.id), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
    )
    with app.app_context():
        table.create(db.engine)
    yield table
    with app.app_context():
        with platform_scope():
            db.session.execute(table.delete())
            db.session.commit()
        table.drop(db.engine)


def _tag_notes(app, tenant: Tenant, table: sa.Table, *tags: str) -> None:
    [note] = add_notes(app, tenant, f"{tenant.slug} tagged")
    with app.app_context(), platform_scope():
        db.session.execute(table.insert(), [{"tenant_id": tenant.id, "note_id": note,
                                             "tag": tag} for tag in tags])
        db.session.commit()


def _tags_of(app, tenant: Tenant, table: sa.Table) -> list[str]:
    with app.app_context(), platform_scope():
        return sorted(db.session.scalars(select(table.c.tag)
                                          .where(table.c.tenant_id == tenant.id)))


def test_a_plugin_table_without_a_model_is_shown_and_deleted_with_the_plugin_s_data(
        app, shops, enable_plugin, store_client, tags_table):
    a, b = shops
    _fill_both(app, shops, enable_plugin)
    _tag_notes(app, a, tags_table, "eid", "sale")
    _tag_notes(app, b, tags_table, "new")
    owner = sign_in(store_client, a)
    body = html(owner.get(f"/admin/plugins/{PLUGIN}/data"))
    assert "<code>sample_board_note_tags</code></th><td>2 rows</td>" in body
    assert "<code>sample_board_notes</code></th><td>3 rows</td>" in body

    done = owner.post(f"/admin/plugins/{PLUGIN}/data",
                      data={"understand": "1", "plugin_name": PLUGIN})
    assert done.status_code == 303
    assert "5 rows of its tables" in html(owner.get(done.headers["Location"]))
    assert _tags_of(app, a, tags_table) == [] and notes_of(app, a) == []
    assert _tags_of(app, b, tags_table) == ["new"]
    assert len(notes_of(app, b)) == 3


def test_deleting_the_store_empties_plugin_tables_without_a_model_too(
        app, shops, enable_plugin, tags_table):
    a, b = shops
    _tag_notes(app, a, tags_table, "eid")
    _tag_notes(app, b, tags_table, "new")
    with app.app_context(), platform_scope():
        counts = delete_tenant(db.session.get(Tenant, a.id))
    assert counts["sample_board_note_tags"] == 1
    assert _tags_of(app, a, tags_table) == [] and notes_of(app, a) == []
    assert _tags_of(app, b, tags_table) == ["new"]


def test_staff_cannot_delete_a_plugin_s_data(app, shops, enable_plugin, store_client):
    a, _b = shops
    _fill_both(app, shops, enable_plugin)
    add_staff(app, a, "packer@alpha-shop.example")
    staff = sign_in(store_client, a, "packer@alpha-shop.example")
    before = _kept(app, a)
    assert staff.get(f"/admin/plugins/{PLUGIN}/data").status_code == 403
    posted = staff.post(f"/admin/plugins/{PLUGIN}/data",
                        data={"understand": "1", "plugin_name": PLUGIN})
    assert posted.status_code == 403
    assert _kept(app, a) == before


def test_deleting_the_store_deletes_its_plugin_rows(app, shops, enable_plugin):
    a, b = shops
    _fill_both(app, shops, enable_plugin)
    assert "sample_board_notes" in {t.name for t in tenant_owned_tables()}
    with app.app_context(), platform_scope():
        delete_tenant(db.session.get(Tenant, a.id))
    assert notes_of(app, a) == []
    assert notes_of(app, b) == ["beta-shop first", "beta-shop second"]
    with app.app_context(), platform_scope():
        assert db.session.scalar(select(sa.func.count()).select_from(PluginValue)
                                 .where(PluginValue.tenant_id == a.id)) == 0
