"""``core.sdk.orders_awaiting_payment`` and ``core.sdk.apply_payment_result``: a gateway's
schedule finds its store's pending orders and settles them once, as a return would,
never another store's or another gateway's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from admin_support import insert_orders, make_gateways, open_shops, reload
from core.db import db, utcnow
from core.orders.models import Order
from core.pluginhost.web import plugins_for_tenant
from core.sdk import Money, PaymentResult, apply_payment_result, orders_awaiting_payment
from tenants import tenant_scope


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


def info(app, tenant):
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def pending(app, tenant, count, *, minutes_ago, method="wallet-x"):
    ids = insert_orders(app, tenant, count, payment_method=method, total=1000)
    with app.app_context(), tenant_scope(tenant.id):
        for order_id in ids:
            db.session.get(Order, order_id).created_at = utcnow() - timedelta(
                minutes=minutes_ago)
        db.session.commit()
        return {order_id: db.session.get(Order, order_id).token for order_id in ids}


def test_awaiting_orders_are_the_stores_own_pending_ones_newest_first(app, shops):
    fresh = pending(app, shops["a"], 1, minutes_ago=1)
    ready = pending(app, shops["a"], 2, minutes_ago=30)
    pending(app, shops["a"], 1, minutes_ago=60 * 24 * 3)  # abandoned long ago
    pending(app, shops["a"], 1, minutes_ago=30, method="other")
    pending(app, shops["b"], 1, minutes_ago=30)
    with app.app_context():
        found = orders_awaiting_payment(info(app, shops["a"]), "wallet-x")
    assert [order.id for order in found] == sorted(ready, reverse=True)
    assert not set(fresh) & {order.id for order in found}


def test_a_result_is_applied_once_and_only_to_the_stores_order(app, shops):
    [(order_id, token)] = pending(app, shops["a"], 1, minutes_ago=30).items()
    result = PaymentResult(token, "paid", provider_reference="TRX-1", event_id="paid:TRX-1",
                           amount=Money(1000, shops["a"].currency))
    with app.app_context():
        # Store B's schedule names store A's order: nothing happens.
        assert apply_payment_result(info(app, shops["b"]), "wallet-x", result) is False
        # Another gateway of store A: nothing happens.
        assert apply_payment_result(info(app, shops["a"]), "other", result) is False
    assert reload(app, shops["a"], order_id).payment_state == "pending"
    with app.app_context():
        assert apply_payment_result(info(app, shops["a"]), "wallet-x", result) is True
        assert apply_payment_result(info(app, shops["a"]), "wallet-x", result) is False
    order = reload(app, shops["a"], order_id)
    assert (order.payment_state, order.payment_reference) == ("paid", "TRX-1")
    assert [kind for kind, *_ in order.event_log].count("payment_paid") == 1


def test_an_amount_that_is_not_the_total_changes_nothing(app, shops):
    [(order_id, token)] = pending(app, shops["a"], 1, minutes_ago=30).items()
    with app.app_context():
        assert apply_payment_result(info(app, shops["a"]), "wallet-x", PaymentResult(
            token, "paid", event_id="paid:short",
            amount=Money(999, shops["a"].currency))) is False
    order = reload(app, shops["a"], order_id)
    assert order.payment_state == "pending"
    assert "payment_mismatch" in [kind for kind, *_ in order.event_log]
