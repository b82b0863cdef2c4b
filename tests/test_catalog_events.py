"""Catalogue changes reach plugins after the commit, and background jobs run per store."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import make_plugin
from core.catalog.models import Product, ProductImage
from core.db import db
from core.sdk import run_later
from tenants import tenant_scope

SEEN: list[tuple] = []


@pytest.fixture
def recorder(install_plugin):
    SEEN.clear()
    install_plugin(make_plugin(
        "test-recorder",
        haat_product_saved=lambda store, product, created: SEEN.append(
            ("saved", store.slug, product.handle, created, product.price.amount)),
        haat_product_deleted=lambda store, product_id, handle: SEEN.append(
            ("deleted", store.slug, handle)),
        haat_stock_changed=lambda store, product_id, stock: SEEN.append(
            ("stock", store.slug, stock)),
        haat_collection_saved=lambda store, collection: SEEN.append(
            ("collection", store.slug, collection.handle)),
    ))
    return SEEN


def test_product_changes_arrive_after_commit_with_fresh_snapshots(app, make_store, add_product,
                                                                  enable_plugin, recorder):
    store = make_store("alpha-shop")
    other = make_store("beta-shop")
    enable_plugin(store, "test-recorder")
    add_product(store, "mug", price=1500, collection="kitchen")
    add_product(other, "cup")  # beta has not enabled the plugin
    assert ("saved", "alpha-shop", "mug", True, 1500) in recorder
    assert ("collection", "alpha-shop", "kitchen") in recorder
    assert not [e for e in recorder if e[1] == "beta-shop"]
    recorder.clear()

    with app.app_context(), tenant_scope(store.id):
        product = db.session.scalar(select(Product).where(Product.handle == "mug"))
        product.stock = 3
        product.price_amount = 1700
        db.session.flush()
        assert recorder == []  # nothing before the commit
        db.session.commit()
    assert ("stock", "alpha-shop", 3) in recorder
    assert ("saved", "alpha-shop", "mug", False, 1700) in recorder
    recorder.clear()

    with app.app_context(), tenant_scope(store.id):
        product = db.session.scalar(select(Product).where(Product.handle == "mug"))
        product.images.append(ProductImage(storage_key="products/x.jpg"))
        db.session.commit()
    assert recorder == [("saved", "alpha-shop", "mug", False, 1700)]  # a child change
    recorder.clear()

    with app.app_context(), tenant_scope(store.id):
        db.session.delete(db.session.scalar(select(Product).where(Product.handle == "mug")))
        db.session.commit()
    assert recorder == [("deleted", "alpha-shop", "mug")]


def test_a_rolled_back_change_sends_nothing(app, make_store, add_product, enable_plugin,
                                            recorder):
    store = make_store("alpha-shop")
    enable_plugin(store, "test-recorder")
    add_product(store, "mug")
    recorder.clear()
    with app.app_context(), tenant_scope(store.id):
        db.session.scalar(select(Product)).stock = 0
        db.session.flush()
        db.session.rollback()
    assert recorder == []


RAN: list[tuple] = []


def record_job(store, word, times=1):
    RAN.append((store.slug, word, times, store.currency))


def test_run_later_runs_in_the_store_with_its_own_store_info(app, make_store):
    RAN.clear()
    store = make_store("alpha-shop", currency="BDT")
    with app.test_request_context(), tenant_scope(store.id):
        from core.pluginhost.web import plugins_for_tenant

        info = plugins_for_tenant(store.id).info
        run_later(info, record_job, "hello", times=2)
        with pytest.raises(ValueError, match="module-level"):
            run_later(info, lambda s: None)
    assert RAN == [("alpha-shop", "hello", 2, "BDT")]
