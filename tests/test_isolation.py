"""Two stores with identical handles: every path sees only the current store's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, update

from core.catalog.models import Collection, Product
from core.db import db
from tenants import CrossTenantWriteError, TenantScopeError, platform_scope, tenant_scope

HANDLES = {"gift-card": 5, "clay-pot": 0}


@pytest.fixture
def two_stores(make_store, seed_catalog):
    a = make_store("alpha-shop", name="Alpha Shop")
    b = make_store("beta-shop", name="Beta Shop")
    return a, b, seed_catalog(a, HANDLES), seed_catalog(b, HANDLES)


def test_orm_queries_see_only_the_store_in_context(app_ctx, two_stores):
    a, _b, a_ids, b_ids = two_stores
    with tenant_scope(a.id):
        products = db.session.scalars(select(Product)).all()
        assert {p.id for p in products} == set(a_ids.values())
        assert all(p.title.startswith("Alpha") for p in products)
        # Joins, relationship loads and counts are filtered too.
        collection = db.session.scalar(select(Collection).where(Collection.handle == "bestsellers"))
        assert {m.product_id for m in collection.memberships} == set(a_ids.values())
        joined = db.session.scalars(
            select(Product).join(Product.memberships).where(Product.handle == "gift-card")
        ).all()
        assert [p.id for p in joined] == [a_ids["gift-card"]]
        assert db.session.scalar(select(db.func.count()).select_from(Product)) == 2
        # A primary key of the other store is simply not there.
        assert db.session.get(Product, b_ids["gift-card"]) is None


def test_bulk_update_only_touches_the_store_in_context(app_ctx, two_stores):
    a, b, _a_ids, _b_ids = two_stores
    with tenant_scope(a.id):
        db.session.execute(update(Product).values(stock=99))
        db.session.commit()
    with tenant_scope(b.id):
        stocks = db.session.scalars(select(Product.stock).order_by(Product.id)).all()
    assert sorted(stocks) == sorted(HANDLES.values())


def test_storefront_pages_show_only_their_store(two_stores, store_client):
    for slug, own, other in (("alpha-shop", "Alpha", "Beta"), ("beta-shop", "Beta", "Alpha")):
        client = store_client(slug)
        for path in ("/", "/collections/bestsellers", "/collections/all",
                     "/products/gift-card"):
            page = client.get(path).get_data(as_text=True)
            assert f"{own} Shop gift-card" in page, path
            assert other not in page, path


def test_an_id_of_store_b_used_on_store_a_is_not_found(two_stores, store_client):
    _a, _b, a_ids, b_ids = two_stores
    client = store_client("alpha-shop")
    client.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                      "password": "correct-horse-battery"})
    assert client.get(f"/admin/products/{a_ids['gift-card']}").status_code == 200
    response = client.get(f"/admin/products/{b_ids['gift-card']}")
    assert response.status_code == 404
    assert "Beta" not in response.get_data(as_text=True)


def test_writing_a_row_of_another_store_is_refused(app_ctx, two_stores):
    a, b, _a_ids, _b_ids = two_stores
    with tenant_scope(a.id):
        db.session.add(Product(tenant_id=b.id, handle="smuggled", title="x", price_amount=1))
        with pytest.raises(CrossTenantWriteError):
            db.session.flush()
        db.session.rollback()
    with tenant_scope(a.id):
        mine = db.session.scalar(select(Product).where(Product.handle == "gift-card"))
        mine.tenant_id = b.id
        with pytest.raises(CrossTenantWriteError):
            db.session.flush()
        db.session.rollback()
    with platform_scope():
        assert db.session.scalar(select(Product).where(Product.handle == "smuggled")) is None
        owners = db.session.scalars(select(Product.tenant_id).where(Product.handle == "gift-card"))
        assert sorted(owners) == sorted([a.id, b.id])


def test_new_rows_get_the_store_in_context(app_ctx, two_stores):
    a, _b, _a_ids, _b_ids = two_stores
    with tenant_scope(a.id):
        product = Product(handle="fresh", title="Fresh", price_amount=100)
        db.session.add(product)
        db.session.commit()
        assert product.tenant_id == a.id


def test_a_query_with_no_store_in_context_raises(app_ctx, two_stores):
    with pytest.raises(TenantScopeError, match="no store in context"):
        db.session.scalars(select(Product)).all()
    db.session.rollback()
    with pytest.raises(TenantScopeError):
        db.session.add(Product(tenant_id=two_stores[0].id, handle="x", title="x",
                               price_amount=1))
        db.session.flush()
    db.session.rollback()


def test_platform_scope_sees_every_store_on_purpose(app_ctx, two_stores):
    with platform_scope():
        assert db.session.scalar(select(db.func.count()).select_from(Product)) == 4


def test_a_hand_written_statement_cannot_smuggle_another_stores_row(app_ctx, two_stores):
    a, _b, _a_ids, b_ids = two_stores
    smuggle = select(Product).from_statement(
        db.text("SELECT * FROM products WHERE id = :id").bindparams(id=b_ids["gift-card"])
    )
    with tenant_scope(a.id), pytest.raises(CrossTenantWriteError, match="Loaded Product"):
        db.session.scalars(smuggle).all()
    db.session.rollback()


def test_one_statement_run_for_each_store_in_turn_sees_only_that_store(app_ctx, two_stores):
    # The guard reuses each store's filter and what it learnt of a statement's shape.
    a, b, _a_ids, _b_ids = two_stores
    titles = select(Product.title).where(Product.handle == bindparam("handle"))
    for store, name in ((a, "Alpha"), (b, "Beta"), (a, "Alpha"), (b, "Beta")):
        with tenant_scope(store.id):
            assert db.session.scalars(titles, {"handle": "gift-card"}).all() == [
                f"{name} Shop gift-card"]
            assert db.session.scalar(select(db.func.count()).select_from(Product)) == 2


def test_a_relationship_loaded_in_another_store_s_scope_is_filtered_for_this_one(
        app_ctx, two_stores):
    a, b, _a_ids, _b_ids = two_stores
    with tenant_scope(b.id):
        collection = db.session.scalar(select(Collection).where(
            Collection.handle == "bestsellers"))
    # The lazy load carries B's filter from the query that loaded the collection; A's
    # is added to it, so A's scope reads none of B's rows.
    with tenant_scope(a.id):
        assert collection.memberships == []
    db.session.rollback()


def test_a_table_statement_is_refused_after_the_same_question_through_its_model(
        app_ctx, two_stores):
    a, _b, _a_ids, _b_ids = two_stores
    table = Product.__table__
    with tenant_scope(a.id):
        for _ in range(2):  # the second time from what the guard remembered
            assert len(db.session.scalars(select(Product.title)).all()) == 2
            with pytest.raises(TenantScopeError, match="Use the model class"):
                db.session.scalars(select(table.c.title)).all()
            with pytest.raises(TenantScopeError, match="Use the model class"):
                db.session.scalars(select(Product.title).where(
                    Product.id.in_(select(table.c.id)))).all()
    db.session.rollback()


@pytest.mark.parametrize("page", ["99999999999999999999999", "-3", "abc", "0", ""])
def test_any_page_number_a_shopper_types_gives_a_page_not_an_error(two_stores, store_client,
                                                                   page):
    response = store_client("alpha-shop").get(f"/collections/all?page={page}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Beta" not in body
    if page in ("-3", "abc", "0", ""):
        assert "Alpha Shop gift-card" in body  # treated as page 1


def test_an_id_too_large_for_the_database_is_simply_not_found(two_stores, store_client):
    client = store_client("alpha-shop")
    client.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                      "password": "correct-horse-battery"})
    for product_id in ("99999999999999999999999", "2147483648", "0"):
        assert client.get(f"/admin/products/{product_id}").status_code == 404


def test_requests_in_one_app_context_each_get_their_own_stores_plugins(
        app, two_stores, install_plugin, enable_plugin, store_client):
    """A job or script that calls the app inside an app context shares that context's
    ``g`` across its requests: the second store's page must not see the first store's
    plugins (nor its StoreInfo)."""
    from conftest import make_plugin
    from core.sdk import SlotContent

    install_plugin(make_plugin("whoami", haat_slot=lambda store, name, page: (
        SlotContent(text=f"served-for-{store.slug}") if name == "header" else None)))
    for tenant in two_stores[:2]:
        enable_plugin(tenant, "whoami")
    with app.app_context():
        first = store_client(two_stores[0].slug).get("/").get_data(as_text=True)
        second = store_client(two_stores[1].slug).get("/").get_data(as_text=True)
    assert f"served-for-{two_stores[0].slug}" in first
    assert f"served-for-{two_stores[1].slug}" in second
    assert f"served-for-{two_stores[0].slug}" not in second
