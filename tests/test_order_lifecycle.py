"""What happens to an order after it is placed, through the order services: the two
state machines, restocking, coupon uses given back, and the lifecycle hooks that
fire only after a commit."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from checkout_support import Card, Manual, checkout_form, payment_plugin, shipping_plugin
from conftest import client_for, make_plugin
from core.catalog.models import Product, ProductVariant
from core.db import db
from core.discounts.models import Discount
from core.money import Money
from core.orders import service, states
from core.orders.models import Order
from core.sdk import PaymentResult
from tenants import Tenant, platform_scope, tenant_scope

STAFF = "staff@shop.example"


@pytest.fixture
def heard():
    return []


@pytest.fixture
def shop(app, make_store, add_product, install_plugin, enable_plugin, heard):
    def listen(name):
        return lambda store, order, **extra: heard.append(
            (name, store.slug, order.number, order.payment_state, order.fulfilment_state,
             extra.get("amount") or extra.get("tracking_url")))

    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(Manual(), Card()))
    install_plugin(make_plugin(
        "listener",
        haat_order_placed=lambda store, order: listen("placed")(store, order),
        haat_order_paid=lambda store, order: listen("paid")(store, order),
        haat_order_fulfilled=lambda store, order: listen("fulfilled")(store, order),
        haat_order_shipped=lambda store, order, tracking_url: listen("shipped")(
            store, order, tracking_url=tracking_url),
        haat_order_cancelled=lambda store, order: listen("cancelled")(store, order),
        haat_order_refunded=lambda store, order, amount: listen("refunded")(
            store, order, amount=amount),
        haat_customer_created=lambda store, customer: heard.append(
            ("customer", store.slug, customer.phone))))
    store = make_store("life-shop", currency="BDT")
    other = make_store("quiet-shop", currency="BDT")
    for tenant in (store, other):
        for name in ("test-courier", "test-pay", "listener"):
            enable_plugin(tenant, name)
    product_id = add_product(store, "lamp", title="Lamp", price=50_000, stock=10)
    return store, product_id


def place(app, slug: str, product_id: int, quantity: int = 2, **form) -> None:
    client = client_for(app, f"{slug}.localhost")
    client.post("/cart/add", data={"product_id": str(product_id), "quantity": str(quantity)})
    assert client.post("/checkout", data=checkout_form(client, **form)).status_code == 303


def the_order(app, store) -> Order:
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
        return order


def act(app, store, action, *args):
    """Run a service on the latest order in its own transaction (events after commit)."""
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        action(order, *args)
        db.session.commit()


def stock(app, store, product_id) -> int:
    with app.app_context(), tenant_scope(store.id):
        return db.session.get(Product, product_id).stock


@pytest.mark.parametrize(("current", "wanted"), [
    pair for pair in itertools.product(states.PAYMENT_STATES, repeat=2)
    if pair[1] not in states.PAYMENT_MOVES[pair[0]]])
def test_payment_moves_outside_the_table_are_refused(current, wanted):
    with pytest.raises(states.InvalidTransition):
        states.check_payment(current, wanted)


@pytest.mark.parametrize(("current", "wanted"), [
    pair for pair in itertools.product(states.FULFILMENT_STATES, repeat=2)
    if pair[1] not in states.FULFILMENT_MOVES[pair[0]]])
def test_fulfilment_moves_outside_the_table_are_refused(current, wanted):
    with pytest.raises(states.InvalidTransition):
        states.check_fulfilment(current, wanted)


def test_the_happy_life_of_an_order_fires_each_hook_once_after_commit(app, shop, heard):
    store, product_id = shop
    place(app, "life-shop", product_id)
    act(app, store, service.mark_paid, STAFF)
    act(app, store, service.fulfil, STAFF)
    act(app, store, service.ship, STAFF, "Pathao", "PX-1", "https://track.example/PX-1")
    act(app, store, service.mark_delivered, STAFF)
    assert heard == [
        ("customer", "life-shop", "01712345678"),
        ("placed", "life-shop", 1001, "pending", "unfulfilled", None),
        ("paid", "life-shop", 1001, "paid", "unfulfilled", None),
        ("fulfilled", "life-shop", 1001, "paid", "fulfilled", None),
        ("shipped", "life-shop", 1001, "paid", "shipped", "https://track.example/PX-1"),
    ]
    order = the_order(app, store)
    assert (order.carrier, order.tracking_number, order.fulfilment_state) == (
        "Pathao", "PX-1", "delivered")
    with app.app_context(), tenant_scope(store.id):
        kinds = [e.kind for e in db.session.get(Order, order.id).events]
    assert kinds[:1] == ["placed"]
    assert [k for k in kinds if k not in ("email_sent", "sms_sent")][1:] == [
        "payment_paid", "fulfilled", "shipped", "delivered"]
    # The phone-only shopper was told by SMS at each step they care about.
    assert kinds.count("sms_sent") == 4  # placed, paid, shipped, delivered


def test_a_rolled_back_change_fires_nothing(app, shop, heard):
    store, product_id = shop
    place(app, "life-shop", product_id)
    heard.clear()
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order)).one()
        service.mark_paid(order, STAFF)
        db.session.rollback()
    assert heard == [] and the_order(app, store).payment_state == "pending"


def test_cancelling_restocks_and_gives_the_coupon_use_back(app, shop, heard):
    store, product_id = shop
    with app.app_context(), tenant_scope(store.id):
        db.session.add(Discount(code="TEN", kind="fixed", value=1000, usage_limit=1))
        db.session.commit()
    place(app, "life-shop", product_id, quantity=3, coupon="TEN")
    assert stock(app, store, product_id) == 7
    act(app, store, service.cancel, STAFF, "Customer asked.")
    assert stock(app, store, product_id) == 10
    with app.app_context(), tenant_scope(store.id):
        assert db.session.scalars(select(Discount)).one().used_count == 0
    assert heard[-1][:5] == ("cancelled", "life-shop", 1001, "pending", "cancelled")
    with pytest.raises(service.OrderActionError, match="cancelled"):
        act(app, store, service.ship, STAFF, "Pathao", "PX-2")
    with pytest.raises(service.OrderActionError):
        act(app, store, service.cancel, STAFF)  # twice would restock twice
    assert stock(app, store, product_id) == 10


def test_a_shipped_order_cannot_be_cancelled_but_a_return_restocks(app, shop):
    store, product_id = shop
    place(app, "life-shop", product_id)
    act(app, store, service.ship, STAFF, "Steadfast", "")
    with pytest.raises(service.OrderActionError):
        act(app, store, service.cancel, STAFF)
    assert stock(app, store, product_id) == 8
    act(app, store, service.mark_returned, STAFF)
    assert stock(app, store, product_id) == 10


def test_refunds_go_through_the_gateway_and_add_up(app, shop, heard, store_plugins):
    store, product_id = shop
    place(app, "life-shop", product_id, payment_method="card")
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order)).one()
        gateway = Card()
        info = store_plugins(store).info
        with pytest.raises(service.OrderActionError, match="Only a paid order"):
            service.refund(order, Money(1000, "BDT"), gateway, info, STAFF)
        service.mark_paid(order, STAFF)
        with pytest.raises(service.OrderActionError, match="more than is left"):
            service.refund(order, Money(order.total + 1, "BDT"), gateway, info, STAFF)
        service.refund(order, Money(1000, "BDT"), gateway, info, STAFF)
        assert (order.payment_state, order.refunded_total) == ("partially_refunded", 1000)
        service.refund(order, Money(order.total - 1000, "BDT"), gateway, info, STAFF)
        assert (order.payment_state, order.refunded_total) == ("refunded", order.total)
        db.session.commit()
    refunds = [entry for entry in heard if entry[0] == "refunded"]
    assert [entry[5].amount for entry in refunds] == [1000, 100_000 + 7000 - 1000]


def test_another_store_cannot_load_or_change_the_order(app, shop, heard):
    store, product_id = shop
    place(app, "life-shop", product_id)
    with app.app_context(), tenant_scope(store.id):
        order_id = db.session.scalars(select(Order)).one().id
    with app.app_context(), platform_scope():
        quiet_id = db.session.scalars(select(Tenant.id).where(Tenant.slug == "quiet-shop")).one()
    with app.app_context(), tenant_scope(quiet_id):
        assert db.session.get(Order, order_id) is None
        assert db.session.scalars(select(Order)).all() == []
    assert the_order(app, store).payment_state == "pending"


def test_a_payment_reported_twice_at_once_is_applied_once(app, shop, heard):
    """The shopper's return and the webhook race: the one that reads 'pending' last
    must not pay the order (and email the shopper) a second time."""
    store, product_id = shop
    place(app, "life-shop", product_id, payment_method="card")
    with app.app_context(), tenant_scope(store.id):
        stale = db.session.scalars(select(Order)).one()  # reads "pending"
        result = PaymentResult(order_token=stale.token, state="paid")
        with app.app_context(), tenant_scope(store.id):  # the other delivery, first
            fresh = db.session.scalars(select(Order)).one()
            assert service.apply_payment_result(fresh, result, "card") is True
            db.session.commit()
        assert service.apply_payment_result(stale, result, "card") is False
        db.session.commit()
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order)).one()
        assert [e.kind for e in order.events].count("payment_paid") == 1
    assert [entry[0] for entry in heard].count("paid") == 1


def test_a_payment_for_another_amount_changes_nothing(app, shop):
    store, product_id = shop
    place(app, "life-shop", product_id, payment_method="card")
    with app.app_context(), tenant_scope(store.id):
        order = db.session.scalars(select(Order)).one()
        short = PaymentResult(order_token=order.token, state="paid", event_id="evt_short",
                              amount=Money(order.total - 100, "BDT"))
        assert service.apply_payment_result(order, short, "card") is False
        db.session.commit()
        assert order.payment_state == "pending"
        assert order.events[-1].kind == "payment_mismatch"


def test_selling_and_restocking_a_variant_keeps_the_product_total(app, shop, add_product):
    store, _ = shop
    product_id = add_product(store, "kurta", title="Kurta", price=90_000,
                             variants=[("S", 90_000, 1), ("M", 90_000, 2)])
    with app.app_context(), tenant_scope(store.id):
        small = db.session.scalars(select(ProductVariant).where(
            ProductVariant.product_id == product_id, ProductVariant.option1 == "S")).one().id
    client = client_for(app, "life-shop.localhost")
    client.post("/cart/add", data={"product_id": str(product_id), "variant_id": str(small)})
    assert client.post("/checkout", data=checkout_form(client)).status_code == 303

    def levels() -> tuple[int, int]:
        with app.app_context(), tenant_scope(store.id):
            return (db.session.get(Product, product_id).stock,
                    db.session.get(ProductVariant, small).stock)

    assert levels() == (2, 0)  # the product shows what its options have left
    act(app, store, service.cancel, STAFF)
    assert levels() == (3, 1)
