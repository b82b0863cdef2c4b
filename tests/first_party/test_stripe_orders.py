"""Stripe end to end through Haat's own doors: a shopper checks out with the real
``stripe`` plugin against the local fake of Stripe's API, and Stripe's signed webhooks
arrive at ``POST /payments/stripe/webhook`` on the store's host.

The plugin's own tests (``test_stripe.py``) check each gateway method; these check that
core applies what it reports: once per event, never backwards, and only in its store.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from fakes.stripe_fake import Delivery, FakeStripe
from sqlalchemy import select

from checkout_support import ADDRESS, idempotency_key, shipping_plugin
from conftest import client_for
from core.db import db
from core.orders.models import Order
from plugins.stripe_checkout import api
from tenants import tenant_scope

PRICE = 150_000


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        monkeypatch.setenv(api.ENV_API_BASE, server.url)
        yield server


@pytest.fixture
def shops(app, fake, make_store, add_product, install_plugin, enable_plugin):
    install_plugin(shipping_plugin())
    made = {}
    for slug in ("card-shop", "other-card-shop"):
        account = fake.add_account(slug)
        tenant = make_store(slug, currency="BDT")
        enable_plugin(tenant, "test-courier")
        enable_plugin(tenant, "stripe", settings={"publishable_key": account.publishable_key},
                      secrets={"secret_key": account.secret_key,
                               "webhook_secret": account.webhook_secret})
        made[slug] = (tenant, account, add_product(tenant, "lamp", title="Lamp",
                                                   price=PRICE, stock=5))
    return made


def buy(app, slug: str, product_id: int) -> str:
    """Check out with Stripe like a shopper; returns the Checkout Session id."""
    client = client_for(app, f"{slug}.localhost")
    client.post("/cart/add", data={"product_id": str(product_id)})
    key = idempotency_key(client.get("/checkout").get_data(as_text=True))
    placed = client.post("/checkout", data={**ADDRESS, "shipping_rate": "courier:standard",
                                            "payment_method": "stripe",
                                            "idempotency_key": key, "action": "place"})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    return re.search(r"/c/pay/(cs_\w+)$", placed.location).group(1)


def the_order(app, tenant) -> Order:
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order)).one()
        db.session.expunge(order)
        order.kinds = [e.kind for e in db.session.get(Order, order.id).events]
        return order


def post(app, slug: str, delivery: Delivery) -> int:
    client = client_for(app, f"{slug}.localhost")
    return client.post("/payments/stripe/webhook", data=delivery.payload,
                       headers=dict(delivery.headers),
                       content_type="application/json").status_code


def test_a_signed_webhook_pays_the_order_once(app, shops, fake):
    tenant, _account, product_id = shops["card-shop"]
    session_id = buy(app, "card-shop", product_id)
    order = the_order(app, tenant)
    assert (order.payment_state, order.payment_reference) == ("pending", session_id)
    assert order.total == PRICE + 7000
    assert fake.session(session_id)["amount_total"] == order.total

    paid = fake.pay(session_id)
    assert post(app, "card-shop", paid) == 200
    assert post(app, "card-shop", paid) == 200  # Stripe delivers at least once
    order = the_order(app, tenant)
    assert order.payment_state == "paid" and order.payment_reference.startswith("pi_")
    assert order.kinds.count("payment_paid") == 1


def test_bad_signatures_and_stale_timestamps_change_nothing(app, shops, fake):
    tenant, account, product_id = shops["card-shop"]
    session_id = buy(app, "card-shop", product_id)
    paid = fake.pay(session_id)
    forged = paid.signed("whsec_not_the_shops_secret")
    stale = paid.signed(account.webhook_secret, timestamp=int(time.time()) - 3600)
    tampered = Delivery(paid.event_id, paid.event_type,
                        paid.payload.replace(b'"paid"', b'"unpaid"', 1), paid.headers)
    assert [post(app, "card-shop", d) for d in (forged, stale, tampered)] == [400, 400, 400]
    assert the_order(app, tenant).payment_state == "pending"


def test_a_late_failure_does_not_undo_a_payment_and_refunds_add_up(app, shops, fake):
    tenant, _account, product_id = shops["card-shop"]
    session_id = buy(app, "card-shop", product_id)
    declined = fake.decline(session_id)  # a first card was declined ...
    paid = fake.pay(session_id)  # ... the second went through
    assert post(app, "card-shop", paid) == 200
    assert post(app, "card-shop", declined) == 200  # arrives late
    assert the_order(app, tenant).payment_state == "paid"
    partly = fake.refund_in_dashboard(session_id, amount=5000)
    assert post(app, "card-shop", partly) == 200
    assert post(app, "card-shop", partly) == 200
    order = the_order(app, tenant)
    assert (order.payment_state, order.refunded_total) == ("partially_refunded", 5000)


def test_a_store_never_applies_another_stores_events(app, shops, fake):
    tenant, _account, product_id = shops["card-shop"]
    session_id = buy(app, "card-shop", product_id)
    paid = fake.pay(session_id)
    _other_tenant, other_account, _ = shops["other-card-shop"]
    # Sent to the other store's endpoint: its secret does not verify A's event ...
    assert post(app, "other-card-shop", paid) == 400
    # ... and even signed with its secret, A's order is not found in B.
    assert post(app, "other-card-shop", paid.signed(other_account.webhook_secret)) == 200
    assert the_order(app, tenant).payment_state == "pending"


def test_an_event_naming_a_payment_intent_of_another_order_changes_nothing(app, shops, fake):
    """A signed event for order 2 that carries order 1's PaymentIntent (Stripe itself
    never sends one; an edited session could) is acknowledged, so Stripe stops
    retrying, and neither order changes."""
    tenant, account, product_id = shops["card-shop"]
    first = buy(app, "card-shop", product_id)
    second = buy(app, "card-shop", product_id)
    assert post(app, "card-shop", fake.pay(first)) == 200
    paid_intent = fake.session(first)["payment_intent"]
    event = fake.pay(second).event
    event["id"] = "evt_duplicate_intent"
    event["data"]["object"]["payment_intent"] = paid_intent
    forged = Delivery(event["id"], event["type"], json.dumps(event).encode(), {}
                      ).signed(account.webhook_secret)
    assert post(app, "card-shop", forged) == 200
    assert post(app, "card-shop", forged) == 200  # a retry is just as calm
    with app.app_context(), tenant_scope(tenant.id):
        orders = {o.payment_reference: o.payment_state
                  for o in db.session.scalars(select(Order).order_by(Order.id))}
    assert orders == {paid_intent: "paid", second: "pending"}


def test_signatures_dated_in_the_future_are_refused(app, shops, fake):
    tenant, account, product_id = shops["card-shop"]
    session_id = buy(app, "card-shop", product_id)
    paid = fake.pay(session_id)
    ahead = paid.signed(account.webhook_secret, timestamp=int(time.time()) + 3600)
    assert post(app, "card-shop", ahead) == 400
    assert the_order(app, tenant).payment_state == "pending"
    # A little clock skew is fine.
    assert post(app, "card-shop", paid.signed(account.webhook_secret,
                                              timestamp=int(time.time()) + 60)) == 200
    assert the_order(app, tenant).payment_state == "paid"
