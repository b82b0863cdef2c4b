"""The ArCa plugin through Haat's own doors: a shopper checks out in an Armenian store,
is sent to ArCa's payment page (the fake's), and comes back to
``/orders/<token>/return``; the merchant refunds from the admin; the scheduled check
settles payments whose shopper never came back.

ArCa's API is played by ``tests/fakes/arca_fake.py``, a FAKE that says so. Tests that
take ``arca_api`` also run against ArCa's test server when
``HAAT_TEST_ARCA_USERNAME`` and ``HAAT_TEST_ARCA_PASSWORD`` (a vPOS test user from a
bank) are set; tests that need the fake's controls (paying without a browser, making
it slow) take ``fake`` and run once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests
from fakes.arca_fake import FakeArca
from sqlalchemy import select

from admin_support import sign_in
from checkout_support import idempotency_key, shipping_plugin
from conftest import client_for
from core.db import db
from core.orders.models import Order
from core.sdk import BoolField, SecretField, TextField, payment_methods
from core.testing import assert_translated
from plugins.arca import api, checks
from plugins.arca.config import ArcaConfig
from plugins.arca.plugin import manifest
from plugins.arca.texts import TEXTS
from tenants import Tenant, tenant_scope

PRICE = 1_250_000  # ֏12,500.00
ADDRESS = {"name": "Anahit Petrosyan", "phone": "+37491123456", "country": "AM",
           "region": "Yerevan", "city": "Yerevan", "line1": "12 Abovyan St"}


@dataclass(frozen=True)
class Creds:
    username: str
    password: str


@dataclass
class ArcaApi:
    kind: str
    a: Creds
    b: Creds
    fake: FakeArca | None = None


def _fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArcaApi]:
    with FakeArca() as server:
        monkeypatch.setenv(api.ENV_API_BASE, server.api_base)
        a, b = server.add_account("shop-a"), server.add_account("shop-b")
        yield ArcaApi("fake", Creds(a.username, a.password), Creds(b.username, b.password),
                      server)


@pytest.fixture(params=["fake", "arca-test-server"])
def arca_api(request: pytest.FixtureRequest,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[ArcaApi]:
    """ArCa's API: the local fake, then ArCa's test server if credentials are set."""
    if request.param == "fake":
        yield from _fake(monkeypatch)
        return
    user = os.environ.get("HAAT_TEST_ARCA_USERNAME", "")
    password = os.environ.get("HAAT_TEST_ARCA_PASSWORD", "")
    if not user or not password:
        pytest.skip("ArCa's test server not configured: set HAAT_TEST_ARCA_USERNAME and "
                    "HAAT_TEST_ARCA_PASSWORD (a vPOS test user from your bank)")
    monkeypatch.delenv(api.ENV_API_BASE, raising=False)
    yield ArcaApi("arca-test-server", Creds(user, password), Creds(user, password))


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArcaApi]:
    yield from _fake(monkeypatch)


@dataclass
class Shop:
    slug: str
    tenant: Tenant
    product_id: int


@pytest.fixture
def open_shop(app, make_store, add_product, install_plugin, enable_plugin):
    install_plugin(shipping_plugin())

    def make(slug: str, creds: Creds, *, currency: str = "AMD", locale: str = "hy") -> Shop:
        tenant = make_store(slug, currency=currency, locale=locale, country="AM")
        enable_plugin(tenant, "test-courier")
        enable_plugin(tenant, "arca", settings={"username": creds.username},
                      secrets={"password": creds.password})
        return Shop(slug, tenant, add_product(tenant, "book", title="Book", price=PRICE,
                                              stock=50))

    return make


@pytest.fixture
def shops(arca_api, open_shop) -> tuple[Shop, Shop]:
    return open_shop("yerevan-books", arca_api.a), open_shop("gyumri-crafts", arca_api.b)


@pytest.fixture
def fake(fake_api) -> FakeArca:
    assert fake_api.fake is not None
    return fake_api.fake


@pytest.fixture
def fake_shops(fake_api, open_shop) -> tuple[Shop, Shop]:
    return open_shop("yerevan-books", fake_api.a), open_shop("gyumri-crafts", fake_api.b)


def buy(app, shop: Shop):
    """Check out with ArCa like a shopper; returns the response to "Place order"."""
    client = client_for(app, f"{shop.slug}.localhost")
    client.post("/cart/add", data={"product_id": str(shop.product_id)})
    key = idempotency_key(client.get("/checkout").get_data(as_text=True))
    placed = client.post("/checkout", data={**ADDRESS, "shipping_rate": "courier:standard",
                                            "payment_method": "arca",
                                            "idempotency_key": key, "action": "place"})
    assert placed.status_code == 303, placed.get_data(as_text=True)[:2000]
    return placed


def order_id_of(form_url: str) -> str:
    match = re.search(r"mdOrder=([0-9a-f-]+)", form_url)
    assert match, form_url
    return match.group(1)


def the_order(app, shop: Shop, number: int | None = None) -> Order:
    with app.app_context(), tenant_scope(shop.tenant.id):
        query = select(Order).order_by(Order.id)
        orders = db.session.scalars(query).all()
        order = orders[-1] if number is None else next(o for o in orders if o.number == number)
        order.kinds = [e.kind for e in order.events]
        order.texts = [str(e.message) for e in order.events]
        db.session.expunge(order)
        return order


def come_back(app, shop: Shop, location: str) -> int:
    """The shopper's browser follows ArCa's redirect back to the store."""
    path = location.split(f"{shop.slug}.localhost", 1)[1]
    return client_for(app, f"{shop.slug}.localhost").get(path).status_code


def press(form_url: str, button: str) -> str:
    """Open the fake's payment page and press ``#pay`` or ``#decline``; returns where
    it sends the browser."""
    page = requests.get(form_url, timeout=5)
    assert page.status_code == 200
    assert "FAKE of ArCa's payment page" in page.text
    action = re.search(rf'action="([^"]+)">\s*<button id="{button}"', page.text).group(1)
    base = form_url.split("/payment/", 1)[0]
    answer = requests.post(base + action, allow_redirects=False, timeout=5)
    assert answer.status_code == 303
    return answer.headers["Location"]


def info(app, store_plugins, shop: Shop):
    with app.app_context():
        return store_plugins(shop.tenant).info


# ------------------------------------------------------------------ offer and settings


def test_card_payments_are_offered_with_credentials_in_armenian_first(
        app, open_shop, store_plugins, enable_plugin):
    ready = open_shop("ready-shop", Creds("ready_api", "pw"))
    no_password = open_shop("no-password", Creds("half_api", ""))
    in_taka = open_shop("taka-shop", Creds("taka_api", "pw"), currency="BDT", locale="bn")
    with app.app_context():
        assert [g for g in payment_methods(store_plugins(no_password.tenant).info)
                if g.id == "arca"] == []
        assert [g for g in payment_methods(store_plugins(in_taka.tenant).info)
                if g.id == "arca"] == []
        (gateway,) = [g for g in payment_methods(store_plugins(ready.tenant).info)
                      if g.id == "arca"]
    assert (gateway.id, gateway.method, gateway.brand, gateway.refunds) == (
        "arca", "card", "ArCa", True)
    assert gateway.label == "Բանկային քարտ (ArCa)" == TEXTS["hy"]["label"]
    assert TEXTS["bn"]["label"] == "ব্যাংক কার্ড (ArCa)"
    assert set(TEXTS["hy"]) == set(TEXTS["en"]) == set(TEXTS["bn"])
    enable_plugin(ready.tenant, "arca", enabled=False)
    with app.app_context():
        assert [g for g in payment_methods(store_plugins(ready.tenant).info)
                if g.id == "arca"] == []


def test_settings_are_a_user_a_secret_password_and_test_mode_on_by_default(
        app, open_shop, store_plugins, monkeypatch):
    kinds = {f.name: type(f) for f in manifest.settings}
    assert kinds == {"username": TextField, "password": SecretField, "test_mode": BoolField}
    assert next(f for f in manifest.settings if f.name == "test_mode").default is True
    assert (manifest.kind, manifest.countries) == ("payment", ("AM",))
    assert [s.name for s in manifest.schedules] == ["check_payments"]

    shop = open_shop("settings-shop", Creds("merchant_api", "hunter2"))
    config = ArcaConfig.of(info(app, store_plugins, shop))
    assert (config.username, config.password, config.test_mode) == (
        "merchant_api", "hunter2", True)
    assert "hunter2" not in repr(config)
    monkeypatch.delenv(api.ENV_API_BASE, raising=False)
    assert api.base_url(config) == "https://ipaytest.arca.am:8445/payment/rest"
    assert api.base_url(ArcaConfig("u", "p", False)) == "https://ipay.arca.am/payment/rest"
    monkeypatch.setenv(api.ENV_API_BASE, "http://127.0.0.1:9/payment/rest/")
    assert api.base_url(config) == "http://127.0.0.1:9/payment/rest"


def test_every_message_is_translated():
    assert_translated("plugins.arca")


# ------------------------------------------------------------------------- paying


def test_registering_an_order_sends_the_shopper_to_arcas_page(app, shops, arca_api):
    shop, _other = shops
    placed = buy(app, shop)
    order = the_order(app, shop)
    assert order.payment_state == "pending"
    assert order.payment_reference == order_id_of(placed.location)
    if arca_api.fake is not None:
        (registered,) = [r for r in arca_api.fake.requests if r.method == "register.do"]
        assert registered.fields["userName"] == arca_api.a.username
        assert "password" not in registered.fields  # the fake keeps no passwords
        assert registered.fields["amount"] == str(order.total)  # minor units: ֏ x 100
        assert registered.fields["currency"] == "051"
        assert registered.fields["orderNumber"] == f"H{shop.tenant.id}-{order.number}-1"
        assert registered.fields["returnUrl"].endswith(f"/orders/{order.token}/return")
        assert registered.fields["language"] == "hy"
    # Coming back before paying: ArCa says "registered", the order stays pending.
    assert come_back(app, shop, f"http://{shop.slug}.localhost/orders/{order.token}/return"
                                f"?orderId={order.payment_reference}") == 303
    assert the_order(app, shop).payment_state == "pending"


def test_a_paid_order_is_confirmed_once_however_often_the_shopper_comes_back(
        app, fake_shops, fake):
    shop, _other = fake_shops
    placed = buy(app, shop)
    back = press(placed.location, "pay")
    assert back.startswith(f"http://{shop.slug}.localhost/orders/")
    assert come_back(app, shop, back) == 303
    assert come_back(app, shop, back) == 303  # a reload, or the back button
    order = the_order(app, shop)
    assert order.payment_state == "paid"
    assert order.payment_reference == order_id_of(placed.location)
    assert order.kinds.count("payment_paid") == 1


def test_a_declined_card_says_why_and_the_shopper_can_pay_again(app, fake_shops, fake):
    shop, _other = fake_shops
    placed = buy(app, shop)
    assert come_back(app, shop, press(placed.location, "decline")) == 303
    order = the_order(app, shop)
    assert order.payment_state == "failed"
    assert any("Insufficient funds" in t and "116" in t for t in order.texts), order.texts
    client = client_for(app, f"{shop.slug}.localhost")
    page = client.get(f"/orders/{order.token}").get_data(as_text=True)
    assert f'action="/orders/{order.token}/pay"' in page  # "Pay now" is offered
    again = client.post(f"/orders/{order.token}/pay")
    assert again.status_code == 303 and "mdOrder=" in again.location
    numbers = [r.fields["orderNumber"] for r in fake.requests if r.method == "register.do"]
    assert numbers[-1] == f"H{shop.tenant.id}-{order.number}-2"
    assert come_back(app, shop, press(again.location, "pay")) == 303
    order = the_order(app, shop)
    assert order.payment_state == "paid"
    assert order.payment_reference == order_id_of(again.location)


def test_a_return_naming_another_stores_arca_order_changes_nothing(
        app, fake_shops, fake, open_shop, fake_api):
    shop, other = fake_shops
    buy(app, shop)
    mine = the_order(app, shop)
    theirs = buy(app, other)
    back = press(theirs.location, "pay")
    forged = f"http://{shop.slug}.localhost/orders/{mine.token}/return?" + back.split("?")[1]
    assert come_back(app, shop, forged) == 303
    assert the_order(app, shop).payment_state == "pending"
    # A third store on the SAME ArCa account as the first: ArCa finds the order, but
    # its orderNumber is another store's, so nothing changes either.
    twin = open_shop("yerevan-twin", fake_api.a)
    buy(app, twin)
    twin_order = the_order(app, twin)
    paid_elsewhere = press(buy(app, shop).location, "pay").split("?")[1]
    assert come_back(app, twin, f"http://{twin.slug}.localhost/orders/{twin_order.token}"
                                f"/return?{paid_elsewhere}") == 303
    assert the_order(app, twin).payment_state == "pending"


@pytest.mark.parametrize("change", ["amount", "currency"])
def test_an_amount_or_currency_that_is_not_the_orders_is_refused(
        app, fake_shops, fake, change):
    shop, _other = fake_shops
    placed = buy(app, shop)
    arca_order = fake.order(order_id_of(placed.location))
    if change == "amount":
        arca_order.amount -= 100_000
    else:
        arca_order.currency = "840"
    assert come_back(app, shop, press(placed.location, "pay")) == 303
    order = the_order(app, shop)
    assert order.payment_state == "pending"
    assert "payment_mismatch" in order.kinds


def test_a_timeout_at_register_leaves_the_order_pending_with_a_note(
        app, fake_shops, fake, monkeypatch):
    monkeypatch.setattr(api, "TIMEOUT", (1, 0.3))
    shop, _other = fake_shops
    fake.hang()
    placed = buy(app, shop)
    fake.release()  # ArCa registered it after all: the next try must use a new number
    assert "/orders/" in placed.location and "mdOrder" not in placed.location
    order = the_order(app, shop)
    assert order.payment_state == "pending"
    assert "payment_not_started" in order.kinds
    assert TEXTS["hy"]["start_failed"] in order.texts
    page = client_for(app, f"{shop.slug}.localhost").get(f"/orders/{order.token}")
    assert page.status_code == 200
    again = client_for(app, f"{shop.slug}.localhost").post(f"/orders/{order.token}/pay")
    assert "mdOrder=" in again.location
    assert [r.fields["orderNumber"][-2:] for r in fake.requests
            if r.method == "register.do"] == ["-1", "-1", "-2"]


def test_arca_down_at_register_is_no_error_page(app, fake_shops, fake):
    shop, _other = fake_shops
    fake.go_down()
    placed = buy(app, shop)
    assert "mdOrder" not in placed.location
    assert the_order(app, shop).payment_state == "pending"
    fake.come_back()


def test_a_timeout_at_status_changes_nothing_until_the_scheduled_check(
        app, fake_shops, fake, monkeypatch, store_plugins):
    monkeypatch.setattr(api, "TIMEOUT", (1, 0.3))
    shop, _other = fake_shops
    placed = buy(app, shop)
    back = press(placed.location, "pay")
    fake.hang()
    assert come_back(app, shop, back) == 303  # no error page
    fake.release()
    order = the_order(app, shop)
    assert order.payment_state == "pending" and "payment_paid" not in order.kinds
    with app.app_context():
        checks.check_payments(store_plugins(shop.tenant).info)
    assert the_order(app, shop).payment_state == "paid"


# ------------------------------------------------------------- the scheduled check


def test_the_scheduled_check_pays_an_order_whose_shopper_closed_the_tab(
        app, fake_shops, fake, store_plugins):
    shop, _other = fake_shops
    placed = buy(app, shop)
    still_open = buy(app, shop)
    fake.pay(order_id_of(placed.location))  # paid on ArCa's page, never came back
    store = info(app, store_plugins, shop)
    with app.app_context():
        checks.check_payments(store)
        checks.check_payments(store)  # again: nothing more happens
    first = the_order(app, shop, the_order(app, shop).number - 1)
    assert first.payment_state == "paid" and first.kinds.count("payment_paid") == 1
    assert first.payment_reference == order_id_of(placed.location)
    assert the_order(app, shop).payment_state == "pending"  # still within its session
    assert order_id_of(still_open.location)
    # The paid order left the watch list; the open one is still on it.
    with app.app_context():
        from core.sdk import store_values
        watched = store_values(store, "arca").items(checks.WATCH_PREFIX)
    assert [v["order"] for v in watched.values()] == [the_order(app, shop).id]


def test_the_worker_runs_the_check_every_ten_minutes(app, fake_shops, fake):
    shop, _other = fake_shops
    placed = buy(app, shop)
    fake.pay(order_id_of(placed.location))
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "tick", "--at", start.isoformat()])  # timetable
    assert first.exit_code == 0, first.output
    later = runner.invoke(args=["jobs", "tick", "--at",
                                (start + timedelta(minutes=10)).isoformat()])
    assert later.exit_code == 0, (later.output, later.exception)
    assert f"ran arca/check_payments for store {shop.slug}" in later.output
    assert the_order(app, shop).payment_state == "paid"


def test_the_scheduled_check_fails_a_payment_left_past_arcas_session(
        app, fake_shops, fake, store_plugins):
    shop, _other = fake_shops
    placed = buy(app, shop)
    fake.age(order_id_of(placed.location), 1900)
    with app.app_context():
        checks.check_payments(info(app, store_plugins, shop))
    order = the_order(app, shop)
    assert order.payment_state == "failed"
    assert TEXTS["hy"]["expired"] in order.texts


def test_the_scheduled_check_leaves_everything_as_it_was_when_arca_is_down(
        app, fake_shops, fake, store_plugins):
    shop, _other = fake_shops
    placed = buy(app, shop)
    fake.pay(order_id_of(placed.location))
    fake.go_down()
    with app.app_context(), pytest.raises(api.ArcaUnreachable):
        checks.settle(info(app, store_plugins, shop),
                      ArcaConfig.of(info(app, store_plugins, shop)),
                      _snapshot(app, store_plugins, shop), checks.datetime.now(checks.UTC))
    fake.come_back()
    assert the_order(app, shop).payment_state == "pending"


def _snapshot(app, store_plugins, shop: Shop):
    from core.sdk import get_order

    with app.app_context():
        return get_order(store_plugins(shop.tenant).info, the_order(app, shop).id)


# ------------------------------------------------------------------------ refunds


def refund(app, store_client, shop: Shop, amount: str):
    order = the_order(app, shop)
    client = sign_in(store_client, shop.tenant)
    return client.post(f"/admin/orders/{order.id}/refund",
                       data={"amount": amount, "refunded_before": str(order.refunded_total),
                             "confirm": "yes"})


def test_a_refund_from_the_admin_goes_through_arca(app, fake_shops, fake, store_client):
    shop, _other = fake_shops
    placed = buy(app, shop)
    come_back(app, shop, press(placed.location, "pay"))
    refund(app, store_client, shop, "5000.00")
    order = the_order(app, shop)
    assert (order.payment_state, order.refunded_total) == ("partially_refunded", 500_000)
    arca_order = fake.order(order_id_of(placed.location))
    assert (arca_order.refunded, arca_order.status) == (500_000, 4)
    (asked,) = [r for r in fake.requests if r.method == "refund.do"]
    assert asked.fields == {"userName": fake.accounts[0].username,
                            "orderId": arca_order.order_id, "amount": "500000"}


def test_a_refund_arca_refuses_changes_nothing_and_says_why(
        app, fake_shops, fake, store_client):
    shop, _other = fake_shops
    placed = buy(app, shop)
    come_back(app, shop, press(placed.location, "pay"))
    fake.fail_next("7")
    refund(app, store_client, shop, "100.00")
    order = the_order(app, shop)
    assert (order.payment_state, order.refunded_total) == ("paid", 0)
    assert "refund_failed" in order.kinds
    assert any("ArCa" in t and "7" in t for t in order.texts)
    assert fake.order(order_id_of(placed.location)).refunded == 0


def test_a_refund_whose_answer_was_lost_is_not_made_twice(
        app, fake_shops, fake, store_client):
    shop, _other = fake_shops
    placed = buy(app, shop)
    come_back(app, shop, press(placed.location, "pay"))
    arca_order = fake.order(order_id_of(placed.location))
    fake.lose_answer("refund.do")  # ArCa refunds, but its answer never arrives
    refund(app, store_client, shop, "100.00")
    order = the_order(app, shop)
    assert (order.refunded_total, arca_order.refunded) == (0, 10_000)
    # Written in the owner's language (the Armenian store's admin is in Armenian).
    assert any("Չհաջողվեց կապվել ArCa-ի հետ" in t for t in order.texts), order.texts
    refund(app, store_client, shop, "100.00")  # the merchant tries again
    order = the_order(app, shop)
    assert (order.payment_state, order.refunded_total) == ("partially_refunded", 10_000)
    assert arca_order.refunded == 10_000  # not refunded a second time
    assert len([r for r in fake.requests if r.method == "refund.do"]) == 1


# ---------------------------------------------------------------------- isolation


def test_each_store_uses_only_its_own_credentials_and_watch_list(
        app, fake_shops, fake, store_plugins):
    shop, other = fake_shops
    mine = buy(app, shop)
    fake.pay(order_id_of(mine.location))
    with app.app_context():
        checks.check_payments(store_plugins(other.tenant).info)  # B's run: not A's order
    assert the_order(app, shop).payment_state == "pending"
    theirs = buy(app, other)
    a_user, b_user = fake.accounts[0].username, fake.accounts[1].username
    numbers = {r.fields.get("orderNumber", r.fields.get("orderId")): r.fields["userName"]
               for r in fake.requests}
    assert numbers[f"H{shop.tenant.id}-{the_order(app, shop).number}-1"] == a_user
    assert numbers[f"H{other.tenant.id}-{the_order(app, other).number}-1"] == b_user
    assert fake.order(order_id_of(theirs.location)).account.username == b_user
    assert all(r.fields["userName"] == b_user for r in fake.requests
               if str(r.fields.get("orderNumber", "")).startswith(f"H{other.tenant.id}-"))
    with app.app_context():
        checks.check_payments(store_plugins(shop.tenant).info)
    assert the_order(app, shop).payment_state == "paid"
    assert the_order(app, other).payment_state == "pending"
