"""bKash Tokenized Checkout through Haat's own doors.

A shopper checks out with the real ``bkash`` plugin (HTTP: cart, checkout, the order's
``/return`` address on the store's host), the browser's trip through bKash's page is
played by the local fake (``tests/fakes/bkash_fake.py``: it serves the page too), and
the merchant's refunds and the scheduled query go through the gateway and the schedule
function. Tests taking ``bkash_api`` also run against bKash's real sandbox when
``HAAT_TEST_BKASH_USERNAME``, ``_PASSWORD``, ``_APP_KEY`` and ``_APP_SECRET`` are set.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import pytest
import requests
from fakes.bkash_fake import FakeBkash, Merchant
from sqlalchemy import select

from checkout_support import ADDRESS, idempotency_key, shipping_plugin
from conftest import client_for
from core.db import db
from core.orders.models import Order
from core.orders.snapshots import order_snapshot
from core.pluginhost.settings import validate_settings
from core.sdk import Money, PaymentGateway, StoreInfo, payment_methods, store_values
from core.testing import assert_translated
from plugins.bkash import api, config, jobs
from plugins.bkash.plugin import manifest
from plugins.bkash.texts import TEXTS
from tenants import tenant_scope

PRICE = 150_000  # ৳1,500.00; the test courier adds ৳70 inside Dhaka
TOTAL = PRICE + 7000


@dataclass(frozen=True)
class Creds:
    username: str
    password: str
    app_key: str
    app_secret: str

    @classmethod
    def of(cls, merchant: Merchant) -> Creds:
        return cls(merchant.username, merchant.password, merchant.app_key,
                   merchant.app_secret)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBkash]:
    with FakeBkash() as server:
        monkeypatch.setenv(config.ENV_API_BASE, server.url)
        yield server


@pytest.fixture(params=["fake", "bkash-sandbox"])
def bkash_api(request: pytest.FixtureRequest,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Creds, Creds, FakeBkash | None]]:
    """bKash's API: the local fake, then bKash's sandbox if its credentials are set."""
    if request.param == "fake":
        with FakeBkash() as server:
            monkeypatch.setenv(config.ENV_API_BASE, server.url)
            yield Creds.of(server.add_merchant("a")), Creds.of(server.add_merchant("b")), server
        return
    names = ("USERNAME", "PASSWORD", "APP_KEY", "APP_SECRET")
    values = [os.environ.get(f"HAAT_TEST_BKASH_{n}", "") for n in names]
    if not all(values):
        pytest.skip("bKash sandbox not configured: set HAAT_TEST_BKASH_USERNAME, "
                    "_PASSWORD, _APP_KEY and _APP_SECRET to run these against it too")
    monkeypatch.delenv(config.ENV_API_BASE, raising=False)
    yield Creds(*values), Creds(*values), None


def _open(make_store, enable_plugin, add_product, slug: str, creds: Creds,
          **settings: object):
    tenant = make_store(slug, currency="BDT")
    enable_plugin(tenant, "test-courier")
    enable_plugin(tenant, "bkash",
                  settings={"username": creds.username, "app_key": creds.app_key,
                            "sandbox": True, **settings},
                  secrets={"password": creds.password, "app_secret": creds.app_secret})
    return tenant, add_product(tenant, "lamp", title="Lamp", price=PRICE, stock=5)


@pytest.fixture
def shops(app, fake, make_store, add_product, install_plugin, enable_plugin):
    install_plugin(shipping_plugin())
    made = {}
    for slug in ("dhaka-wallets", "sylhet-wallets"):
        merchant = fake.add_merchant(slug)
        tenant, product = _open(make_store, enable_plugin, add_product, slug,
                                Creds.of(merchant))
        made[slug] = (tenant, merchant, product)
    return made


def buy(app, slug: str, product_id: int) -> tuple[str, str]:
    """Check out with bKash like a shopper: (the bkashURL, the paymentID)."""
    client = client_for(app, f"{slug}.localhost")
    client.post("/cart/add", data={"product_id": str(product_id)})
    key = idempotency_key(client.get("/checkout").get_data(as_text=True))
    placed = client.post("/checkout", data={**ADDRESS, "shipping_rate": "courier:standard",
                                            "payment_method": "bkash",
                                            "idempotency_key": key, "action": "place"})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    return placed.location, placed.location.rstrip("/").rsplit("/", 1)[1]


def press(bkash_url: str, button: str) -> str:
    """The shopper's browser on bKash's page: press #pay, #fail or #cancel; returns
    the address bKash sends the browser back to."""
    page = requests.get(bkash_url, timeout=5)
    assert "FAKE" in page.text and page.status_code == 200
    href = re.search(rf'id="{button}" href="([^"]+)"', page.text).group(1)
    back = requests.get(urlsplit(bkash_url)._replace(path=href).geturl(),
                        allow_redirects=False, timeout=5)
    assert back.status_code == 302
    return back.headers["Location"]


def come_back(app, slug: str, location: str):
    parts = urlsplit(location)
    return client_for(app, f"{slug}.localhost").get(f"{parts.path}?{parts.query}")


def the_order(app, tenant) -> Order:
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order)).one()
        db.session.expunge(order)
        order.kinds = [e.kind for e in db.session.get(Order, order.id).events]
        return order


def info(app, store_plugins, tenant) -> StoreInfo:
    with app.app_context():
        return store_plugins(tenant).info


def gateway_of(app, store_plugins, tenant) -> PaymentGateway:
    with app.app_context():
        (gateway,) = [g for g in payment_methods(store_plugins(tenant).info)
                      if g.id == "bkash"]
        return gateway


def snapshot(app, store_plugins, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order)).one()
        return order_snapshot(order, store_plugins(tenant).info)


def run_schedule(app, store_plugins, tenant) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        jobs.resolve_pending(store_plugins(tenant).info)


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    start = time.time()
    monkeypatch.setattr(api, "clock", lambda: start + seconds)


# ------------------------------------------------------------------------ paying


def test_a_paid_payment_is_executed_and_the_order_paid_with_the_trx_id(app, shops, fake):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    order = the_order(app, tenant)
    assert (order.payment_state, order.payment_reference) == ("pending", payment_id)
    created = fake.payment(payment_id)
    assert (created["amount"], created["currency"], created["intent"]) == (
        "1570.00", "BDT", "sale")
    assert created["merchantInvoiceNumber"] == f"H{tenant.id}-{order.number}"
    assert created["payerReference"] == ADDRESS["phone"]
    assert created["_callback"].endswith(f"/orders/{order.token}/return")

    back = come_back(app, "dhaka-wallets", press(url, "pay"))
    assert back.status_code == 303
    order = the_order(app, tenant)
    trx = fake.payment(payment_id)["trxID"]
    assert (order.payment_state, order.payment_reference) == ("paid", trx)
    assert order.kinds.count("payment_paid") == 1
    # The return's "status=success" was not believed: Execute Payment was asked.
    assert len(fake.calls("execute")) == 1


def test_failure_and_cancel_returns_fail_the_order(app, shops, fake):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    come_back(app, "dhaka-wallets", press(url, "cancel"))
    assert the_order(app, tenant).payment_state == "failed"
    assert fake.calls("execute") == []
    assert fake.payment(payment_id)["transactionStatus"] == "Initiated"

    other, _merchant_b, product_b = shops["sylhet-wallets"]
    url, _payment_id = buy(app, "sylhet-wallets", product_b)
    come_back(app, "sylhet-wallets", press(url, "fail"))
    assert the_order(app, other).payment_state == "failed"


def test_a_declined_execute_fails_the_order(app, shops, fake):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    fake.answer_next("execute", "2023")  # Insufficient Balance
    come_back(app, "dhaka-wallets", press(url, "pay"))
    order = the_order(app, tenant)
    assert order.payment_state == "failed"
    assert fake.payment(payment_id)["transactionStatus"] == "Failed"


def test_a_forged_success_return_without_paying_changes_nothing(app, shops, fake):
    tenant, _merchant, product = shops["dhaka-wallets"]
    _url, payment_id = buy(app, "dhaka-wallets", product)
    forged = f"/orders/{the_order(app, tenant).token}/return?paymentID={payment_id}" \
             "&status=success&signature=made-up"
    assert come_back(app, "dhaka-wallets", "http://x" + forged).status_code == 303
    order = the_order(app, tenant)
    assert order.payment_state == "pending"
    assert "payment_paid" not in order.kinds
    assert fake.payment(payment_id)["transactionStatus"] == "Initiated"


def test_a_replayed_return_changes_nothing(app, shops, fake, store_plugins):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    pending = snapshot(app, store_plugins, tenant)
    location = press(url, "pay")
    come_back(app, "dhaka-wallets", location)
    come_back(app, "dhaka-wallets", location)
    order = the_order(app, tenant)
    assert order.payment_state == "paid" and order.kinds.count("payment_paid") == 1

    # Two returns racing (both saw the order pending): the second execute is refused by
    # bKash (2117), Query Payment says Completed, and the result has the same event id,
    # so core applies it once.
    gateway = gateway_of(app, store_plugins, tenant)
    with app.app_context(), tenant_scope(tenant.id):
        again = gateway.handle_return(info(app, store_plugins, tenant), pending,
                                      {"paymentID": payment_id, "status": "success"})
    assert (again.state, again.event_id, again.provider_reference) == (
        "paid", f"{payment_id}:completed", order.payment_reference)
    assert len(fake.calls("execute")) == 2


def test_a_return_for_another_stores_payment_changes_nothing(app, shops, fake):
    tenant_a, _ma, product_a = shops["dhaka-wallets"]
    tenant_b, _mb, product_b = shops["sylhet-wallets"]
    url_a, payment_a = buy(app, "dhaka-wallets", product_a)
    buy(app, "sylhet-wallets", product_b)
    press(url_a, "pay")  # A's shopper paid on bKash's page
    token_b = the_order(app, tenant_b).token
    come_back(app, "sylhet-wallets",
              f"http://x/orders/{token_b}/return?paymentID={payment_a}&status=success")
    assert the_order(app, tenant_b).payment_state == "pending"
    assert the_order(app, tenant_a).payment_state == "pending"
    assert fake.calls("execute") == []  # B never executed A's payment


def test_an_amount_or_currency_bkash_reports_differently_is_refused(app, shops, fake):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    fake.tamper(payment_id, amount="15.70")
    come_back(app, "dhaka-wallets", press(url, "pay"))
    order = the_order(app, tenant)
    assert order.payment_state == "pending"
    assert "payment_mismatch" in order.kinds

    other, _m, product_b = shops["sylhet-wallets"]
    url, payment_id = buy(app, "sylhet-wallets", product_b)
    fake.tamper(payment_id, currency="USD")
    come_back(app, "sylhet-wallets", press(url, "pay"))
    assert the_order(app, other).payment_state == "pending"
    assert "payment_mismatch" in the_order(app, other).kinds


def test_an_execute_timeout_leaves_the_order_pending_and_the_schedule_completes_it(
        app, shops, fake, store_plugins, monkeypatch):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    location = press(url, "pay")
    monkeypatch.setattr(api, "TIMEOUT", 0.3)
    fake.hang()
    back = come_back(app, "dhaka-wallets", location)
    assert back.status_code == 303  # never a 500 for the shopper
    assert the_order(app, tenant).payment_state == "pending"
    fake.release()  # bKash did execute it, the answer was lost
    assert fake.payment(payment_id)["transactionStatus"] == "Completed"

    run_schedule(app, store_plugins, tenant)  # too early: left a minute to come back
    assert the_order(app, tenant).payment_state == "pending"
    later(monkeypatch, 120)
    run_schedule(app, store_plugins, tenant)
    order = the_order(app, tenant)
    assert (order.payment_state, order.payment_reference) == (
        "paid", fake.payment(payment_id)["trxID"])
    run_schedule(app, store_plugins, tenant)  # settled: not asked again
    assert len(fake.calls("payment/status")) == 1


def test_the_schedule_executes_a_payment_whose_shopper_closed_the_tab(
        app, shops, fake, store_plugins, monkeypatch):
    tenant, _merchant, product = shops["dhaka-wallets"]
    url, payment_id = buy(app, "dhaka-wallets", product)
    press(url, "pay")  # ... and the browser never came back
    later(monkeypatch, 300)
    run_schedule(app, store_plugins, tenant)
    assert the_order(app, tenant).payment_state == "paid"
    assert fake.payment(payment_id)["transactionStatus"] == "Completed"


def test_the_schedule_gives_up_on_a_payment_never_made(
        app, shops, fake, store_plugins, monkeypatch):
    tenant, _merchant, product = shops["dhaka-wallets"]
    buy(app, "dhaka-wallets", product)
    later(monkeypatch, 600)
    run_schedule(app, store_plugins, tenant)
    assert the_order(app, tenant).payment_state == "pending"  # still within bKash's time
    later(monkeypatch, jobs.GIVE_UP + 60)
    run_schedule(app, store_plugins, tenant)
    assert the_order(app, tenant).payment_state == "failed"


# ------------------------------------------------------------------------ tokens


def test_the_token_is_reused_until_it_expires_then_refreshed_or_granted_again(
        app, shops, fake, monkeypatch):
    _tenant, merchant, product = shops["dhaka-wallets"]
    buy(app, "dhaka-wallets", product)
    buy(app, "dhaka-wallets", product)
    assert len(fake.calls("token/grant")) == 1
    creates = fake.calls("create")
    assert len(creates) == 2 and creates[0].token == creates[1].token
    assert {c.app_key for c in creates} == {merchant.app_key}

    later(monkeypatch, 3600)  # an hour on: refreshed, not granted
    buy(app, "dhaka-wallets", product)
    assert (len(fake.calls("token/grant")), len(fake.calls("token/refresh"))) == (1, 1)
    assert fake.calls("create")[-1].token != creates[0].token

    fake.expire_tokens()  # bKash stops accepting it earlier than said: granted again
    buy(app, "dhaka-wallets", product)
    assert len(fake.calls("token/grant")) == 2
    assert fake.calls("create")[-1].body["amount"] == "1570.00"


def test_the_cached_token_is_encrypted_and_never_shared_between_stores(
        app, shops, fake, store_plugins):
    tenant_a, merchant_a, product_a = shops["dhaka-wallets"]
    _tenant_b, merchant_b, product_b = shops["sylhet-wallets"]
    buy(app, "dhaka-wallets", product_a)
    buy(app, "sylhet-wallets", product_b)
    grants = fake.calls("token/grant")
    assert sorted(g.body["app_key"] for g in grants) == sorted(
        [merchant_a.app_key, merchant_b.app_key])
    (create_a,) = [c for c in fake.calls("create") if c.app_key == merchant_a.app_key]
    (create_b,) = [c for c in fake.calls("create") if c.app_key == merchant_b.app_key]
    assert create_a.token != create_b.token
    with app.app_context():
        kept = store_values(info(app, store_plugins, tenant_a), "bkash").get("token")
    assert create_a.token not in str(kept) and merchant_a.app_secret not in str(kept)


# ----------------------------------------------------------------------- refunds


def _paid(app, shops, fake, slug: str, store_plugins):
    tenant, _merchant, product = shops[slug]
    url, payment_id = buy(app, slug, product)
    come_back(app, slug, press(url, "pay"))
    assert the_order(app, tenant).payment_state == "paid"
    return tenant, payment_id, snapshot(app, store_plugins, tenant)


def test_a_refund_goes_through_bkash(app, shops, fake, store_plugins):
    tenant, payment_id, order = _paid(app, shops, fake, "dhaka-wallets", store_plugins)
    gateway = gateway_of(app, store_plugins, tenant)
    with app.app_context():
        done = gateway.refund(info(app, store_plugins, tenant), order, Money(50000, "BDT"))
    assert done.ok and done.provider_reference.startswith("R")
    (call,) = fake.calls("payment/refund")
    assert call.body == {"paymentID": payment_id, "amount": "500.00",
                         "trxID": order.payment_reference,
                         "sku": f"order-{order.number}",
                         "reason": f"Refund of order #{order.number}"}


def test_a_refund_bkash_refuses_is_not_made(app, shops, fake, store_plugins):
    tenant, _payment_id, order = _paid(app, shops, fake, "dhaka-wallets", store_plugins)
    gateway = gateway_of(app, store_plugins, tenant)
    with app.app_context():
        store = info(app, store_plugins, tenant)
        too_much = gateway.refund(store, order, Money(TOTAL + 100, "BDT"))
        fake.answer_next("payment/refund", "2001")
        bad_key = gateway.refund(store, order, Money(100, "BDT"))
        fake.go_down()
        unreachable = gateway.refund(store, order, Money(100, "BDT"))
        fake.come_back()
        unknown = gateway.refund(store, replace(order, payment_reference="NOPE"),
                                 Money(100, "BDT"))
    assert not too_much.ok and "more than what is left" in too_much.message
    assert not bad_key.ok and "app key" in bad_key.message
    assert not unreachable.ok and "merchant portal" in unreachable.message
    assert not unknown.ok and "no completed bKash payment" in unknown.message


# ---------------------------------------------------------------------- settings


def test_bkash_is_offered_only_with_all_four_credentials_in_taka(
        app, fake, make_store, enable_plugin, store_plugins):
    creds = Creds.of(fake.add_merchant())
    full = make_store("full-creds", currency="BDT")
    enable_plugin(full, "bkash", settings={"username": creds.username,
                                           "app_key": creds.app_key},
                  secrets={"password": creds.password, "app_secret": creds.app_secret})
    missing = make_store("no-secret", currency="BDT")
    enable_plugin(missing, "bkash", settings={"username": creds.username,
                                              "app_key": creds.app_key},
                  secrets={"password": creds.password})
    dollars = make_store("dollar-shop", currency="USD")
    enable_plugin(dollars, "bkash", settings={"username": creds.username,
                                              "app_key": creds.app_key},
                  secrets={"password": creds.password, "app_secret": creds.app_secret})
    with app.app_context():
        offered = [g for g in payment_methods(store_plugins(full).info) if g.id == "bkash"]
        assert [g for g in payment_methods(store_plugins(missing).info)
                if g.id == "bkash"] == []
        assert [g for g in payment_methods(store_plugins(dollars).info)
                if g.id == "bkash"] == []
    (gateway,) = offered
    assert isinstance(gateway, PaymentGateway)
    assert (gateway.id, gateway.method, gateway.brand, gateway.refunds) == (
        "bkash", "mobile_wallet", "bKash", True)
    assert TEXTS["bn"]["label"] == "বিকাশ"


def test_settings_secrets_and_the_sandbox_switch(monkeypatch):
    fields = {f.name: f for f in manifest.settings}
    assert {n for n, f in fields.items() if f.kind == "secret"} == {"password", "app_secret"}
    assert fields["sandbox"].default is True
    assert manifest.countries == ("BD",) and manifest.kind == "payment"
    checked = validate_settings(manifest, {"username": "u", "password": "p",
                                           "app_key": "k", "app_secret": "s",
                                           "sandbox": "0"},
                                currency="BDT", stored_secrets={})
    assert checked.errors == {} and checked.values["sandbox"] is False
    assert checked.secrets == {"password": "p", "app_secret": "s"}
    monkeypatch.delenv(config.ENV_API_BASE, raising=False)
    assert config.BkashConfig(sandbox=True).base_url == "https://tokenized.sandbox.bka.sh"
    assert config.BkashConfig(sandbox=False).base_url == "https://tokenized.pay.bka.sh"
    monkeypatch.setenv(config.ENV_API_BASE, "http://127.0.0.1:9/")
    assert config.BkashConfig(sandbox=False).base_url == "http://127.0.0.1:9"
    assert "secret" not in repr(config.BkashConfig(password="secret", app_secret="secret"))
    assert [s.name for s in manifest.schedules] == ["resolve_pending"]


def test_every_message_is_translated():
    assert_translated("plugins.bkash")
    for locale in ("bn", "hy"):
        assert set(TEXTS[locale]) == set(TEXTS["en"])


# ------------------------------------------------------- against bKash (or the fake)


def test_create_and_query_a_payment(bkash_api, app, make_store, add_product,
                                    install_plugin, enable_plugin, store_plugins):
    creds_a, _creds_b, server = bkash_api
    install_plugin(shipping_plugin())
    tenant, product = _open(make_store, enable_plugin, add_product, "api-shop", creds_a)
    url, payment_id = buy(app, "api-shop", product)
    assert url.startswith(("https://", "http://")) and payment_id
    with app.app_context(), tenant_scope(tenant.id):
        answer = api.Client(store_plugins(tenant).info).query(payment_id)
    assert answer["transactionStatus"] == "Initiated"
    assert answer["amount"] in ("1570.00", "1570")
    if server is not None:
        assert len(server.calls("token/grant")) == 1
