"""Many buyers racing for the last units: exactly as many orders as there is stock.

PostgreSQL only: it is the database that runs many writers at once (SQLite takes
one writer at a time, so there is no race to lose). Run with ``TEST_DATABASE_URL``;
``.ci/run`` does.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from checkout_support import Manual, checkout_form, payment_plugin, shipping_plugin
from conftest import client_for
from core.catalog.models import Product
from core.db import db
from core.orders.models import Order
from tenants import tenant_scope

BUYERS = 50
UNITS = 5


@pytest.fixture
def last_units(app, make_store, add_product, install_plugin, enable_plugin, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL only: SQLite runs one writer at a time")
    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(Manual()))
    store = make_store("race-shop", currency="BDT")
    enable_plugin(store, "test-courier")
    enable_plugin(store, "test-pay")
    return store, add_product(store, "last-lamp", title="Last lamp", price=90_000,
                              stock=UNITS)


def test_fifty_buyers_for_five_units_make_five_orders(app, last_units):
    store, product_id = last_units
    buyers = []
    for _ in range(BUYERS):  # each with a cart of one lamp, before the race starts
        client = client_for(app, "race-shop.localhost")
        assert client.post("/cart/add", data={"product_id": str(product_id)}).status_code == 303
        buyers.append((client, checkout_form(client)))
    start = threading.Barrier(BUYERS)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def buy(client, form) -> None:
        start.wait()
        response = client.post("/checkout", data=form)
        with lock:
            outcomes.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=buy, args=buyer) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == BUYERS
    placed = [body for status, body in outcomes if status == 303]
    refused = [body for status, body in outcomes if status == 422]
    assert len(placed) == UNITS and len(refused) == BUYERS - UNITS
    assert all("Sorry, Last lamp has just sold out." in body or "Last lamp is sold out" in body
               for body in refused)
    with app.app_context(), tenant_scope(store.id):
        assert db.session.get(Product, product_id).stock == 0
        numbers = db.session.scalars(select(Order.number).order_by(Order.number)).all()
        assert numbers == list(range(1001, 1001 + UNITS))  # no gaps from the losers
        assert db.session.scalar(select(func.sum(Order.subtotal))) == UNITS * 90_000
