"""Abandoned carts expire: ``haat carts expire`` and the jobs worker's hourly task
delete carts untouched for ``HAAT_CART_MAX_AGE_DAYS`` days, with their lines; recent
carts stay, a store-scoped run leaves other stores alone, and a visitor who only
looks around gets no cart row at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from huey import MemoryHuey
from sqlalchemy import func, select, update

from conftest import client_for
from core import jobs
from core.cart.models import Cart, CartLine
from core.db import db
from tenants import platform_scope, tenant_scope


@pytest.fixture
def stores(app, make_store, add_product):
    made = {}
    for slug in ("alpha-shop", "beta-shop"):
        tenant = make_store(slug)
        made[slug] = (tenant, add_product(tenant, "mug", title="Mug", price=1000, stock=50))
    return made


def fill_cart(app, stores, slug: str, days_old: float):
    """A shopper puts a mug in a new cart; the cart is then made ``days_old`` days old.
    Returns the shopper's client and the cart's token."""
    tenant, product_id = stores[slug]
    shopper = client_for(app, f"{slug}.localhost")
    assert shopper.post("/cart/add", data={"product_id": str(product_id)}).status_code == 303
    token = shopper.get_cookie("haat_cart", domain=f"{slug}.localhost").value
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(Cart).where(Cart.token == token).values(
            updated_at=datetime.now(UTC) - timedelta(days=days_old)))
        db.session.commit()
    return shopper, token


def tokens(app, tenant) -> set[str]:
    with app.app_context(), tenant_scope(tenant.id):
        return set(db.session.scalars(select(Cart.token)))


def count(app, model) -> int:
    with app.app_context(), platform_scope():
        return db.session.scalar(select(func.count()).select_from(model))


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["carts", "expire", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_old_carts_go_and_recent_ones_stay(app, stores):
    alpha, beta = stores["alpha-shop"][0], stores["beta-shop"][0]
    shopper, old = fill_cart(app, stores, "alpha-shop", days_old=31)
    _, recent = fill_cart(app, stores, "alpha-shop", days_old=29)
    _, beta_old = fill_cart(app, stores, "beta-shop", days_old=45)

    output = run(app)
    assert "Deleted 2 carts untouched for more than 30 days (all stores)." in output
    assert tokens(app, alpha) == {recent} and tokens(app, beta) == set()
    assert count(app, CartLine) == 1  # the lines went with their carts
    assert beta_old not in tokens(app, beta)
    # The shopper whose cart expired finds it empty and can start again.
    assert "Your cart is empty" in shopper.get("/cart").get_data(as_text=True)
    shopper.post("/cart/add", data={"product_id": str(stores["alpha-shop"][1])})
    assert len(tokens(app, alpha)) == 2 and old not in tokens(app, alpha)


def test_the_age_is_configurable(app, stores):
    alpha = stores["alpha-shop"][0]
    fill_cart(app, stores, "alpha-shop", days_old=8)
    assert "Deleted 0 carts" in run(app)
    app.config["HAAT_CART_MAX_AGE_DAYS"] = 7
    try:
        assert "Deleted 1 carts untouched for more than 7 days" in run(app)
    finally:
        app.config["HAAT_CART_MAX_AGE_DAYS"] = 30
    assert tokens(app, alpha) == set()
    fill_cart(app, stores, "alpha-shop", days_old=3)
    assert "Deleted 1 carts" in run(app, "--days", "2")


def test_a_store_scoped_run_leaves_other_stores_alone(app, stores):
    alpha, beta = stores["alpha-shop"][0], stores["beta-shop"][0]
    fill_cart(app, stores, "alpha-shop", days_old=40)
    _, beta_old = fill_cart(app, stores, "beta-shop", days_old=40)
    assert "Deleted 1 carts untouched for more than 30 days (store alpha-shop)." in run(
        app, "--store", "alpha-shop")
    assert tokens(app, alpha) == set() and tokens(app, beta) == {beta_old}
    result = app.test_cli_runner().invoke(args=["carts", "expire", "--store", "nobody"])
    assert result.exit_code != 0 and "No store with the slug 'nobody'" in result.output


def test_the_jobs_worker_expires_carts_every_hour(app, stores, monkeypatch):
    fill_cart(app, stores, "alpha-shop", days_old=31)
    _, recent = fill_cart(app, stores, "beta-shop", days_old=1)
    huey = MemoryHuey("cart-expiry-test")
    jobs._expire_carts_every_hour(app, huey)
    assert huey.read_periodic(datetime(2026, 1, 1, 3, 0)) == []  # only at minute 37
    due = huey.read_periodic(datetime(2026, 1, 1, 3, 37))
    assert [task.name for task in due] == [jobs.CART_EXPIRY_TASK]
    due[0].execute()
    assert count(app, Cart) == 1 and tokens(app, stores["beta-shop"][0]) == {recent}


def test_a_real_queue_registers_the_cart_expiry(app, tmp_path, monkeypatch):
    from flask import Flask

    monkeypatch.setattr(jobs, "_app", jobs._app)  # init_app below replaces it
    flask_app = Flask(__name__)
    flask_app.config.update(HAAT_JOBS="sqlite", HAAT_INSTANCE_DIR=str(tmp_path),
                            HAAT_JOB_RETRIES=1, HAAT_JOB_RETRY_DELAY=1)
    jobs.init_app(flask_app)
    queues = flask_app.extensions["haat_jobs"]
    due = {t.name for t in queues.bulk.read_periodic(datetime(2026, 1, 1, 5, 37))}
    assert jobs.CART_EXPIRY_TASK in due  # on the bulk queue: it never holds an email
    due = {t.name for t in queues.huey.read_periodic(datetime(2026, 1, 1, 5, 37))}
    assert jobs.CART_EXPIRY_TASK not in due


def test_looking_around_creates_no_cart(app, stores):
    _tenant, product_id = stores["alpha-shop"]
    visitor = client_for(app, "alpha-shop.localhost")
    for path in ("/", "/cart", "/cart.json", "/products/mug"):
        assert visitor.get(path).status_code == 200, path
    # A refused add (bad quantity) creates nothing either.
    visitor.post("/cart/add", data={"product_id": str(product_id), "quantity": "0"})
    assert count(app, Cart) == 0
    assert visitor.get_cookie("haat_cart", domain="alpha-shop.localhost") is None
