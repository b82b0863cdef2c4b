"""SSLCommerz end to end through Haat's own doors.

A shopper checks out on the store's host, is sent to SSLCommerz's hosted page (the
local fake, ``tests/fakes/sslcommerz_fake.py``), presses a button there, and comes back
by the POST SSLCommerz's page makes to ``/payments/sslcommerz/return/...``; the IPN
arrives at ``POST /payments/sslcommerz/webhook``; the merchant refunds from the order
page. Tests that take ``rails`` also run against SSLCommerz's real sandbox when
``HAAT_TEST_SSLCOMMERZ_STORE_ID`` and ``HAAT_TEST_SSLCOMMERZ_STORE_PASSWD`` are set;
the others drive the fake's buttons and switches and run once.
"""

from __future__ import annotations

import html as html_text
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from fakes.sslcommerz_fake import FakeSslcommerz, Outcome
from sqlalchemy import select

from admin_support import html, sign_in
from checkout_support import ADDRESS, idempotency_key, shipping_plugin
from conftest import client_for
from core.db import db
from core.orders.models import Order
from core.pluginhost.settings import validate_settings
from core.testing import assert_translated
from plugins.sslcommerz import api
from plugins.sslcommerz.gateway import signature_ok
from plugins.sslcommerz.plugin import manifest
from plugins.sslcommerz.texts import TEXTS
from tenants import tenant_scope

PLUGIN = "sslcommerz"
PRICE = 150_000  # ৳1,500.00, plus ৳70 delivery inside Dhaka
TOTAL = PRICE + 7000
SHORT = (0.3, 0.3)


@dataclass
class Rails:
    """Where SSLCommerz is: the fake, or SSLCommerz's sandbox (one store for both)."""

    kind: str
    a: tuple[str, str]
    b: tuple[str, str]
    fake: FakeSslcommerz | None = None


def _fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Rails]:
    with FakeSslcommerz() as fake:
        monkeypatch.setenv(api.ENV_API_BASE, fake.url)
        a, b = fake.add_store("dhaka-cards"), fake.add_store("other-cards")
        yield Rails("fake", (a.store_id, a.store_passwd), (b.store_id, b.store_passwd), fake)


def _sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Rails]:
    store_id = os.environ.get("HAAT_TEST_SSLCOMMERZ_STORE_ID", "")
    password = os.environ.get("HAAT_TEST_SSLCOMMERZ_STORE_PASSWD", "")
    if not (store_id and password):
        pytest.skip("SSLCommerz sandbox not configured: set HAAT_TEST_SSLCOMMERZ_STORE_ID "
                    "and HAAT_TEST_SSLCOMMERZ_STORE_PASSWD to run these tests against it")
    monkeypatch.delenv(api.ENV_API_BASE, raising=False)
    yield Rails("sslcommerz-sandbox", (store_id, password), (store_id, password))


@pytest.fixture(params=["fake", "sslcommerz-sandbox"])
def rails(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rails]:
    """SSLCommerz: the local fake, then the real sandbox if configured."""
    yield from (_fake if request.param == "fake" else _sandbox)(monkeypatch)


@pytest.fixture
def fake_rails(monkeypatch: pytest.MonkeyPatch) -> Iterator[Rails]:
    yield from _fake(monkeypatch)


@pytest.fixture
def fake(fake_rails) -> FakeSslcommerz:
    assert fake_rails.fake is not None
    return fake_rails.fake


def _open(app, make_store, add_product, install_plugin, enable_plugin, rails: Rails):
    install_plugin(shipping_plugin())
    made = {}
    for slug, (store_id, password), locale in (("dhaka-cards", rails.a, "bn"),
                                               ("other-cards", rails.b, "en")):
        tenant = make_store(slug, currency="BDT", locale=locale)
        enable_plugin(tenant, "test-courier")
        enable_plugin(tenant, PLUGIN, settings={"store_id": store_id, "sandbox": True},
                      secrets={"store_passwd": password})
        made[slug] = (tenant, add_product(tenant, "lamp", title="Lamp", price=PRICE, stock=5))
    return made


@pytest.fixture
def shops(app, rails, make_store, add_product, install_plugin, enable_plugin):
    return _open(app, make_store, add_product, install_plugin, enable_plugin, rails)


@pytest.fixture
def fake_shops(app, fake_rails, make_store, add_product, install_plugin, enable_plugin):
    return _open(app, make_store, add_product, install_plugin, enable_plugin, fake_rails)


# ------------------------------------------------------------------------ helpers


@dataclass
class Bought:
    shopper: object
    location: str
    order: Order

    @property
    def key(self) -> str:
        return self.location.rsplit("testcde", 1)[-1]


def buy(app, shops, slug: str = "dhaka-cards") -> Bought:
    tenant, product_id = shops[slug]
    shopper = client_for(app, f"{slug}.localhost")
    shopper.post("/cart/add", data={"product_id": str(product_id)})
    key = idempotency_key(shopper.get("/checkout").get_data(as_text=True))
    placed = shopper.post("/checkout", data={**ADDRESS, "shipping_rate": "courier:standard",
                                             "payment_method": PLUGIN,
                                             "idempotency_key": key, "action": "place"})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    return Bought(shopper, placed.location, the_order(app, tenant))


def the_order(app, tenant) -> Order:
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order)).one()
        db.session.expunge(order)
        events = db.session.get(Order, order.id).events
        order.kinds = [e.kind for e in events]
        order.notes = {e.kind: e.message for e in events}
        return order


def post_ipn(app, slug: str, fields: dict[str, str]) -> int:
    client = client_for(app, f"{slug}.localhost")
    return client.post("/payments/sslcommerz/webhook", data=fields).status_code


def come_back(shopper, outcome: Outcome) -> str:
    """The shopper's browser posts SSLCommerz's form back; returns the order page."""
    back = shopper.post(urlsplit(outcome.return_url).path, data=outcome.form)
    assert back.status_code == 303 and "/return?" in back.location
    checked = shopper.get(back.location)
    assert checked.status_code == 303
    return shopper.get(checked.location).get_data(as_text=True)


# -------------------------------------------------------------- offer and settings


def test_offered_in_the_shoppers_language_only_once_set_up(app_ctx, make_store,
                                                           enable_plugin, store_plugins):
    from core.sdk import payment_methods
    tenant = make_store("bd-shop", currency="BDT", locale="bn")
    enable_plugin(tenant, PLUGIN, settings={"store_id": "testbox", "sandbox": True})
    assert payment_methods(store_plugins(tenant).info) == []
    enable_plugin(tenant, PLUGIN, settings={"store_id": "testbox", "sandbox": True},
                  secrets={"store_passwd": "testbox@ssl"})
    [gateway] = payment_methods(store_plugins(tenant).info)
    assert (gateway.id, gateway.method, gateway.refunds) == (PLUGIN, "card", True)
    assert gateway.label == "কার্ড, বিকাশ, নগদ বা ব্যাংক (SSLCommerz)"


def test_settings_say_what_is_wrong_next_to_each_field():
    def check(form, stored=None):
        return validate_settings(manifest, form, currency="BDT", stored_secrets=stored or {})

    good = {"store_id": "haatshop5f1a", "store_passwd": "haatshop5f1a@ssl", "sandbox": "on"}
    result = check(good)
    assert result.ok and result.secrets == {"store_passwd": "haatshop5f1a@ssl"}
    assert "haatshop5f1a@ssl" not in repr(result)
    assert check({**good, "store_id": "my shop!"}).errors == {
        "store_id": "A store ID is 3 to 64 Latin letters, digits, - or _, exactly as "
                    "SSLCommerz sent it in its email."}
    assert check({**good, "store_passwd": "has space"}).errors == {
        "store_passwd": "A store password has no spaces. Paste it exactly as SSLCommerz "
                        "sent it."}
    kept = check({**good, "store_passwd": ""}, stored={"store_passwd": "old@ssl"})
    assert kept.ok and kept.secrets == {"store_passwd": "old@ssl"}


def test_the_settings_page_shows_errors_next_to_the_field_in_bengali(make_store,
                                                                     enable_plugin,
                                                                     store_client):
    tenant = make_store("bn-cards", locale="bn", currency="BDT")
    enable_plugin(tenant, PLUGIN)
    owner = sign_in(store_client, tenant)
    page = html(owner.get(f"/admin/plugins/{PLUGIN}"))
    assert '<label for="setting-store_id">স্টোর আইডি</label>' in page
    refused = owner.post(f"/admin/plugins/{PLUGIN}", data={"store_id": "bad id!"})
    assert refused.status_code == 422
    assert re.search(r'<p class="error" id="setting-store_id-error">[^<]*স্টোর আইডি',
                     html(refused))


def test_every_word_is_translated():
    assert_translated("plugins.sslcommerz")
    assert set(TEXTS["bn"]) == set(TEXTS["hy"]) == set(TEXTS["en"])
    assert TEXTS["bn"]["waiting"] != TEXTS["en"]["waiting"] != TEXTS["hy"]["waiting"]


# --------------------------------------------------------------------- start


def test_checkout_opens_a_session_with_the_stores_own_credentials(app, rails, shops):
    bought = buy(app, shops)
    order = bought.order
    tenant, _ = shops["dhaka-cards"]
    assert order.payment_state == "pending"
    assert re.fullmatch(rf"H{tenant.id}-{order.id}-.{{8}}", order.payment_reference)
    assert bought.location.startswith("https://" if rails.fake is None else rails.fake.url)
    if rails.fake is None:
        return
    [(_m, _p, sent)] = [r for r in rails.fake.requests if r[1] == api.SESSION_PATH]
    assert (sent["store_id"], sent["store_passwd"]) == rails.a
    assert (sent["total_amount"], sent["currency"], sent["tran_id"]) == (
        "1570.00", "BDT", order.payment_reference)
    assert sent["success_url"] == (f"http://dhaka-cards.localhost/payments/sslcommerz/return/"
                                   f"success/{order.token}")
    assert sent["ipn_url"] == "http://dhaka-cards.localhost/payments/sslcommerz/webhook"
    assert sent["cus_phone"] == "01712345678" and sent["num_of_item"] == "1"


def test_a_refused_session_leaves_the_order_pending_with_a_message(app, fake, fake_shops):
    fake.fail_next_session("Store Credential Error Or Store is De-active")
    bought = buy(app, fake_shops)
    assert "/orders/" in bought.location and "testcde" not in bought.location
    page = bought.shopper.get(urlsplit(bought.location).path).get_data(as_text=True)
    order = bought.order
    assert f'action="/orders/{order.token}/pay"' in page  # the shopper may try again
    assert order.payment_state == "pending"
    assert order.notes["payment_not_started"] == TEXTS["bn"]["start_failed"]
    # The shopper reads the plugin's own words, in Bengali, above the order.
    assert html_text.escape(TEXTS["bn"]["start_failed"], quote=False) in page


def test_a_timeout_at_session_start_is_no_500(app, fake, fake_shops, monkeypatch):
    monkeypatch.setattr(api, "TIMEOUT", SHORT)
    fake.hang()
    try:
        bought = buy(app, fake_shops)
    finally:
        fake.release()
    assert "/orders/" in bought.location
    page = bought.shopper.get(urlsplit(bought.location).path)
    assert page.status_code == 200
    assert f'action="/orders/{bought.order.token}/pay"' in page.get_data(as_text=True)
    assert bought.order.payment_state == "pending"
    assert bought.order.notes["payment_not_started"] == TEXTS["bn"]["start_failed"]


# ------------------------------------------------------------------ paying


def test_paying_is_confirmed_by_the_ipn_once(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    paid = fake.pay(bought.key)
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200  # SSLCommerz retries
    order = the_order(app, tenant)
    assert order.payment_state == "paid" and order.kinds.count("payment_paid") == 1
    assert order.payment_reference == fake.sessions[bought.key].bank_tran_id
    checks = [p for _m, path, p in fake.requests if path == api.VALIDATION_PATH]
    assert [c["val_id"] for c in checks] == [paid.ipn["val_id"]] * 2


def test_the_shoppers_return_confirms_the_payment(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    paid = fake.pay(bought.key)
    page = come_back(bought.shopper, paid)
    assert "পেমেন্ট পাওয়া গেছে। ধন্যবাদ!" in page  # core's "Payment received", in Bengali
    assert the_order(app, tenant).payment_state == "paid"
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200  # the IPN comes after
    assert the_order(app, tenant).kinds.count("payment_paid") == 1


def test_the_return_trusts_nothing_that_is_posted_to_it(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    forged = Outcome("", {}, f"http://dhaka-cards.localhost/payments/sslcommerz/return/"
                             f"success/{bought.order.token}",
                     {"status": "VALID", "val_id": "2612071200ABCDEF", "amount": "1570.00",
                      "tran_id": bought.order.payment_reference})
    page = come_back(bought.shopper, forged)
    assert "পেমেন্ট পাওয়া গেছে" not in page
    assert the_order(app, tenant).payment_state == "pending"
    assert any(p.get("val_id") == "2612071200ABCDEF" for _m, path, p in fake.requests
               if path == api.VALIDATION_PATH)


def test_a_declined_payment_fails_and_can_be_paid_again(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    declined = fake.decline(bought.key)
    assert urlsplit(declined.return_url).path.startswith("/payments/sslcommerz/return/fail/")
    assert "পেমেন্ট সম্পন্ন হয়নি" in come_back(bought.shopper, declined)
    assert post_ipn(app, "dhaka-cards", declined.ipn) == 200
    order = the_order(app, tenant)
    assert order.payment_state == "failed" and order.kinds.count("payment_failed") == 1
    again = bought.shopper.post(f"/orders/{order.token}/pay")
    assert again.status_code == 303 and "testcde" in again.location
    paid = fake.pay(again.location.rsplit("testcde", 1)[-1])
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    assert the_order(app, tenant).payment_state == "paid"


def test_a_cancelled_payment_can_be_paid_again(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    cancelled = fake.cancel(bought.key)
    assert "/return/cancel/" in cancelled.return_url
    come_back(bought.shopper, cancelled)
    order = the_order(app, tenant)
    assert order.payment_state == "failed"
    assert "/pay" in bought.shopper.get(f"/orders/{order.token}").get_data(as_text=True)


# ------------------------------------------------------------- IPN checks


def test_a_forged_ipn_is_refused(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    paid = fake.pay(bought.key)
    wrong_password = fake.ipn(bought.order.payment_reference, store_passwd="guessed@ssl")
    tampered = {**paid.ipn, "amount": "15.00"}
    unsigned = {k: v for k, v in paid.ipn.items() if k != "verify_sign"}
    assert [post_ipn(app, "dhaka-cards", f) for f in (wrong_password, tampered, unsigned)] \
        == [400, 400, 400]
    assert the_order(app, tenant).payment_state == "pending"
    assert not [p for _m, path, p in fake.requests if path == api.VALIDATION_PATH]


def test_an_ipn_the_validation_api_does_not_confirm_changes_nothing(app, rails, shops):
    tenant, _ = shops["dhaka-cards"]
    bought = buy(app, shops)
    # Signed with the store's own password (a leaked one), but never paid.
    forged = {"tran_id": bought.order.payment_reference, "val_id": "2612071200FORGED",
              "amount": "1570.00", "currency": "BDT", "status": "VALID",
              "store_amount": "1530.75", "bank_tran_id": "26120712001", "card_type": "VISA"}
    from fakes.sslcommerz_fake import sign
    assert post_ipn(app, "dhaka-cards", sign(forged, rails.a[1])) == 200
    assert the_order(app, tenant).payment_state == "pending"


def test_an_ipn_for_another_stores_order_changes_nothing(app, fake, fake_rails, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    other, _ = fake_shops["other-cards"]
    bought = buy(app, fake_shops)
    other_bought = buy(app, fake_shops, "other-cards")
    paid = fake.pay(bought.key)
    # At B's address: B's password does not verify A's IPN ...
    assert post_ipn(app, "other-cards", paid.ipn) == 400
    # ... and signed with B's password, A's tran_id names no order of B.
    resigned = fake.ipn(bought.order.payment_reference, store_passwd=fake_rails.b[1])
    assert post_ipn(app, "other-cards", resigned) == 200
    # B's own tran_id with A's payment: B's validation API does not know A's val_id.
    crossed = fake.ipn(bought.order.payment_reference, store_passwd=fake_rails.b[1],
                       tran_id=other_bought.order.payment_reference)
    assert post_ipn(app, "other-cards", crossed) == 200
    assert the_order(app, tenant).payment_state == "pending"
    assert the_order(app, other).payment_state == "pending"
    validations = [p for _m, path, p in fake.requests if path == api.VALIDATION_PATH]
    assert validations and all(p["store_id"] == fake_rails.b[0] for p in validations)


@pytest.mark.parametrize(("field", "value"), [("total_amount", "1500.00"),
                                              ("currency", "USD")])
def test_an_amount_or_currency_that_does_not_match_changes_nothing(app, fake, fake_shops,
                                                                   field, value):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    fake.sessions[bought.key].fields[field] = value  # SSLCommerz charged something else
    paid = fake.pay(bought.key)
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    order = the_order(app, tenant)
    assert order.payment_state == "pending" and "payment_mismatch" in order.kinds


def test_a_risky_payment_is_held(app, fake, fake_shops):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    fake.set_risk(bought.order.payment_reference)
    paid = fake.pay(bought.key)
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    held = the_order(app, tenant)
    assert held.payment_state == "pending"
    assert fake.sessions[bought.key].status == "VALIDATED"  # it was asked, and said risky
    # The merchant is told on the timeline, once, however often the IPN comes.
    assert "ঝুঁকিপূর্ণ" in held.notes["payment_pending"]  # in the Bengali owner's words
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    assert the_order(app, tenant).kinds.count("payment_pending") == 1


def test_a_timeout_at_validation_asks_for_the_ipn_again(app, fake, fake_rails, fake_shops,
                                                        monkeypatch, caplog):
    caplog.set_level("DEBUG")
    monkeypatch.setattr(api, "TIMEOUT", SHORT)
    tenant, _ = fake_shops["dhaka-cards"]
    bought = buy(app, fake_shops)
    paid = fake.pay(bought.key)
    fake.hang()
    try:
        assert post_ipn(app, "dhaka-cards", paid.ipn) == 503
    finally:
        fake.release()
    assert the_order(app, tenant).payment_state == "pending"
    fake.go_down()
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 503
    come_back(bought.shopper, paid)  # the shopper gets the order page, not an error
    assert the_order(app, tenant).payment_state == "pending"
    assert "timed out" in caplog.text and fake_rails.a[1] not in caplog.text
    fake.come_back()
    assert post_ipn(app, "dhaka-cards", paid.ipn) == 200
    assert the_order(app, tenant).payment_state == "paid"


# ------------------------------------------------------------------ refunds


def _paid(app, fake, shops):
    bought = buy(app, shops)
    assert post_ipn(app, "dhaka-cards", fake.pay(bought.key).ipn) == 200
    return bought


def test_a_refund_from_the_admin_goes_through_sslcommerz(app, fake, fake_shops, store_client):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = _paid(app, fake, fake_shops)
    owner = sign_in(store_client, tenant)
    order_id = bought.order.id
    done = owner.post(f"/admin/orders/{order_id}/refund",
                      data={"amount": "500", "confirm": "yes", "refunded_before": "0"})
    assert done.status_code == 303
    order = the_order(app, tenant)
    assert (order.payment_state, order.refunded_total) == ("partially_refunded", 50_000)
    [refund] = fake.sessions[bought.key].refunds
    assert (refund.bank_tran_id, str(refund.amount)) == (
        fake.sessions[bought.key].bank_tran_id, "500.00")
    [(_m, _p, asked)] = [r for r in fake.requests if "refund_amount" in r[2]]
    assert asked["store_id"] == fake.sessions[bought.key].store.store_id


def test_a_refund_sslcommerz_refuses_leaves_the_order_paid(app, fake, fake_shops,
                                                           store_client):
    tenant, _ = fake_shops["dhaka-cards"]
    bought = _paid(app, fake, fake_shops)
    fake.refuse_next_refund("Refund amount exceeds the transaction amount")
    owner = sign_in(store_client, tenant)
    refused = owner.post(f"/admin/orders/{bought.order.id}/refund",
                         data={"amount": "500", "confirm": "yes", "refunded_before": "0"})
    assert refused.status_code == 422
    assert "Refund amount exceeds the transaction amount" in html(refused)
    order = the_order(app, tenant)
    assert (order.payment_state, order.refunded_total) == ("paid", 0)
    assert fake.sessions[bought.key].refunds == []


# ------------------------------------------------------------------ isolation


def test_each_store_uses_only_its_own_credentials(app, fake, fake_rails, fake_shops,
                                                  make_store, enable_plugin, store_plugins):
    buy(app, fake_shops)
    buy(app, fake_shops, "other-cards")
    sessions = [p for _m, path, p in fake.requests if path == api.SESSION_PATH]
    assert [(p["store_id"], p["store_passwd"]) for p in sessions] == [fake_rails.a,
                                                                      fake_rails.b]
    a_tenant, _ = fake_shops["dhaka-cards"]
    b_tenant, _ = fake_shops["other-cards"]
    assert [p["tran_id"].split("-")[0] for p in sessions] == [f"H{a_tenant.id}",
                                                             f"H{b_tenant.id}"]
    assert [p["ipn_url"] for p in sessions] == [
        f"http://{slug}.localhost/payments/sslcommerz/webhook"
        for slug in ("dhaka-cards", "other-cards")]
    with app.app_context():
        bare = make_store("no-credentials", currency="BDT")
        enable_plugin(bare, PLUGIN)
        from core.sdk import payment_methods
        assert payment_methods(store_plugins(bare).info) == []


# ------------------------------------------------------------------ the fake


def test_the_fakes_page_says_it_is_a_fake_and_posts_back(app, fake, fake_shops):
    bought = buy(app, fake_shops)
    page = requests.get(bought.location, timeout=5).text
    assert "FAKE SSLCommerz" in page
    assert all(f'id="{b}"' in page for b in ("pay", "decline", "cancel"))
    pressed = requests.post(f"{bought.location}/pay", timeout=5).text
    assert "/payments/sslcommerz/return/success/" in pressed and 'name="val_id"' in pressed
    session = fake.sessions[bought.key]
    fields = fake.ipn(session.tran_id)
    assert session.status == "VALID" and signature_ok(fields, session.store.store_passwd)
    assert not signature_ok(fields, "other@ssl")
