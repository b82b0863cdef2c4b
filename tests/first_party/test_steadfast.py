"""The Steadfast courier plugin through the doors its users use: the merchant books over
HTTP (``/admin/orders/<id>/book``), Steadfast's webhook posts to the store's host, the
poll and the payout job run as the schedules run them, and the shopper reads the order
page.

Steadfast's API is played by ``tests/fakes/steadfast_fake.py``. Steadfast has no
sandbox: a real account books real parcels. So only the tests that take
``steadfast_api`` and change nothing at Steadfast (the keys are accepted, an unknown
parcel is unknown) also run against the real API, when ``HAAT_TEST_STEADFAST_API_KEY``
and ``HAAT_TEST_STEADFAST_SECRET_KEY`` are set.

Until core offers "Book with <carrier>" for any switched-on carrier, an order is given
Steadfast's rate id in the database before it is booked (:func:`book`), as if the
shopper had chosen a Steadfast option.
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal

import pytest
from fakes.steadfast_fake import Delivery, FakeSteadfast
from sqlalchemy import select

from admin_support import html, make_gateways, open_shops, place, reload, set_store, stock_of
from conftest import PASSWORD, client_for
from core.db import db
from core.orders.cod import cod_report
from core.orders.models import Order, ShipmentEvent
from core.pluginhost.web import plugins_for_tenant
from core.sdk import Address, CartSnapshot, Money, OrderSnapshot, PluginCheckoutError
from core.testing import assert_translated
from plugins.steadfast import api
from plugins.steadfast.carrier import SteadfastCarrier, bd_mobile
from plugins.steadfast.payouts import sync_payouts
from plugins.steadfast.plugin import manifest
from plugins.steadfast.tracking import poll_parcels
from tenants import tenant_scope

PLUGIN = "steadfast"
WEBHOOK = "/apps/steadfast/webhook"
TOTAL = Money(157000, "BDT")  # the ৳1,500 kantha and ৳70 delivery inside Dhaka


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def fake(monkeypatch):
    with FakeSteadfast() as server:
        monkeypatch.setenv(api.ENV_API_BASE, server.api_base)
        yield server


@pytest.fixture(params=["fake", "steadfast-live"])
def steadfast_api(request, monkeypatch):
    """Key pairs for store A and B: the fake's, then (read-only tests) the real API's."""
    if request.param == "fake":
        server = request.getfixturevalue("fake")
        a, b = server.add_account("A", "token-a-0123456789abcdef"), server.add_account(
            "B", "token-b-0123456789abcdef")
        yield server, (a.api_key, a.secret_key), (b.api_key, b.secret_key)
        return
    key = os.environ.get("HAAT_TEST_STEADFAST_API_KEY", "")
    secret = os.environ.get("HAAT_TEST_STEADFAST_SECRET_KEY", "")
    if not (key and secret):
        pytest.skip("Steadfast's real API not configured: set HAAT_TEST_STEADFAST_API_KEY "
                    "and HAAT_TEST_STEADFAST_SECRET_KEY to run the read-only tests there")
    monkeypatch.delenv(api.ENV_API_BASE, raising=False)
    yield None, (key, secret), (key, secret)


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin):
    """Two BDT stores (admin_support) with cash on delivery and Steadfast on (no keys)."""
    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())
    for tenant in (shops["a"], shops["b"]):
        enable_plugin(tenant, "cash-on-delivery")
        enable_plugin(tenant, PLUGIN)
    return shops


def set_keys(enable_plugin, tenant, keys, token=""):
    secrets_ = {"api_key": keys[0], "secret_key": keys[1]}
    if token:
        secrets_["webhook_token"] = token
    enable_plugin(tenant, PLUGIN, secrets=secrets_)


@pytest.fixture
def ready(shops, fake, enable_plugin):
    """Both stores with their own Steadfast accounts and webhook tokens."""
    accounts = {"a": fake.add_account("A", "token-a-0123456789abcdef"),
                "b": fake.add_account("B", "token-b-0123456789abcdef")}
    for key, account in accounts.items():
        set_keys(enable_plugin, shops[key], (account.api_key, account.secret_key),
                 account.webhook_token)
    shops["accounts"] = accounts
    return shops


def owner(app, tenant):
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                              "password": PASSWORD}).status_code == 303
    return client


def info(app, tenant):
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def book(app, tenant, order, client=None):
    """Press "Book with Steadfast" as the store's owner, on an order priced by another
    carrier's rate (Steadfast quotes nothing: it books any order)."""
    return (client or owner(app, tenant)).post(f"/admin/orders/{order.id}/book",
                                               data={"carrier": "steadfast"})


def booked(app, shops, key="a", **form):
    order = place(app, shops, key, payment_method=form.pop("payment_method", "cod"), **form)
    answer = book(app, shops[key], order)
    assert answer.status_code == 303, html(answer)[:3000]
    after = reload(app, shops[key], order.id)
    after.shopper = order.shopper
    return after


def _config(account):
    from plugins.steadfast.config import SteadfastConfig

    return SteadfastConfig(api_key=account.api_key, secret_key=account.secret_key)


def post_webhook(app, tenant, delivery: Delivery):
    return client_for(app, f"{tenant.slug}.localhost").post(
        WEBHOOK, data=delivery.payload, headers=dict(delivery.headers))


def journey(app, tenant, order_id):
    with app.app_context(), tenant_scope(tenant.id):
        return [e.status for e in db.session.scalars(
            select(ShipmentEvent).where(ShipmentEvent.order_id == order_id)
            .order_by(ShipmentEvent.occurred_at, ShipmentEvent.id))]


def poll(app, tenant):
    with app.app_context():
        poll_parcels(info(app, tenant))


def payouts(app, tenant):
    with app.app_context():
        return sync_payouts(info(app, tenant))


def report(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        return cod_report(info(app, tenant))


# ------------------------------------------------------------------ the plugin


def test_every_message_is_translated_and_the_manifest_is_a_bangladeshi_courier():
    assert_translated("plugins.steadfast")
    assert manifest.problems() == []
    assert (manifest.name, manifest.kind, manifest.section, manifest.countries,
            manifest.currencies) == ("steadfast", None, "shipping", ("BD",), ("BDT",))
    assert [(s.name, s.when) for s in manifest.schedules] == [
        ("poll_parcels", "*/30 * * * *"), ("sync_payouts", "hourly")]
    assert all(f.secret for f in manifest.settings)


def test_phone_numbers_become_the_eleven_digits_steadfast_wants():
    assert bd_mobile("01712 345678") == "01712345678"
    assert bd_mobile("+880 1712-345678") == "01712345678"
    assert bd_mobile("12345", "8801912345678") == "01912345678"
    assert bd_mobile("02 9123456", "") == ""


def test_no_carrier_without_both_keys_and_quotes_are_left_to_shipping_zones(
        app, shops, fake, enable_plugin):
    def carriers():
        with app.app_context():
            found = plugins_for_tenant(shops["a"].id).checkout("haat_shipping_carriers")
            return [c for f in found for c in f.value if c.id == PLUGIN]

    assert carriers() == []
    set_keys(enable_plugin, shops["a"], ("k", ""))
    assert carriers() == []
    set_keys(enable_plugin, shops["a"], ("k", "s"))
    (carrier,) = carriers()
    fake.go_down()  # quoting never asks Steadfast, so a courier that is down costs nothing
    address = Address(country="BD", city="Dhaka", line1="House 1")
    assert carrier.quote(info(app, shops["a"]), CartSnapshot("c", (), Money(0, "BDT")),
                         address) == []
    # The shopper still checks out with the store's shipping-zone prices.
    order = place(app, shops, payment_method="cod")
    assert (order.shipping_rate_id, order.total) == ("courier:standard", TOTAL.amount)
    assert fake.requests == []


# ------------------------------------------------------------------ booking


def test_booking_sends_the_order_and_its_cash_and_links_the_parcel(app, ready, fake):
    order = booked(app, ready)
    parcel = fake.parcel(order.tracking_number)
    assert fake.account_of(parcel.consignment_id).name == "A"
    sent = parcel.request
    assert sent["invoice"] == order.token  # the idempotency key of the booking
    assert (sent["recipient_name"], sent["recipient_phone"]) == ("Rahim Uddin",
                                                                  "01712345678")
    assert sent["recipient_address"] == "House 12, Road 5, Dhanmondi, Dhaka"
    assert sent["cod_amount"] == 1570  # the whole total, in taka
    assert sent["note"] == f"Order #{order.number}" and "1 × Kantha" in sent["item_description"]
    link = f"https://steadfast.com.bd/t/{parcel.tracking_code}"
    assert (order.fulfilment_state, order.carrier, order.carrier_id, order.tracking_number,
            order.tracking_url) == ("shipped", "Steadfast", "steadfast",
                                    str(parcel.consignment_id), link)
    page = html(order.shopper.get(f"/orders/{order.token}"))
    assert f'href="{link}"' in page


def test_an_order_paid_online_sends_no_cash_to_collect(app, ready, fake):
    order = place(app, ready, payment_method="card")
    assert order.shopper.get(f"/orders/{order.token}/return?ok=1").status_code == 303
    assert book(app, ready["a"], order).status_code == 303
    shipped = reload(app, ready["a"], order.id)
    assert fake.parcel(shipped.tracking_number).request["cod_amount"] == 0


def test_a_refusal_is_shown_to_the_merchant_and_changes_nothing(app, ready, fake,
                                                                enable_plugin):
    set_keys(enable_plugin, ready["a"], ("wrong", "keys"), "token-a-0123456789abcdef")
    order = place(app, ready, payment_method="cod")
    answer = book(app, ready["a"], order)
    page = html(answer)
    assert answer.status_code in (409, 422) and (
        "Steadfast did not accept the API key and secret key" in page)
    after = reload(app, ready["a"], order.id)
    assert (after.fulfilment_state, after.tracking_number) == ("unfulfilled", "")


def test_steadfast_down_at_booking_leaves_the_order_as_it_was(app, ready, fake,
                                                              monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    fake.go_down()
    order = place(app, ready, payment_method="cod")
    answer = book(app, ready["a"], order)
    assert answer.status_code == 422
    assert "Steadfast did not answer, so nothing was booked." in html(answer)
    after = reload(app, ready["a"], order.id)
    assert (after.fulfilment_state, after.tracking_number, after.payment_state) == (
        "unfulfilled", "", "pending")
    assert "booking_failed" in [kind for kind, *_ in after.event_log]


def test_a_booking_whose_answer_was_lost_finds_the_first_parcel(app, ready, fake,
                                                                monkeypatch):
    """Steadfast is slow: Haat gives up waiting, but Steadfast books the parcel all the
    same. Booking again finds that parcel by the order's token; nothing is booked twice,
    and Steadfast's webhook, which names the consignment, finds the order."""
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    monkeypatch.setattr(api, "TIMEOUT", (2.0, 0.5))
    order = place(app, ready, payment_method="cod")
    fake.hang()
    first = book(app, ready["a"], order)
    fake.release()
    assert first.status_code == 422 and "did not answer" in html(first)
    assert reload(app, ready["a"], order.id).fulfilment_state == "unfulfilled"
    account = ready["accounts"]["a"]
    (parcel,) = account.consignments.values()  # booked at Steadfast all the same

    again = book(app, ready["a"], order)
    assert again.status_code == 303, html(again)[:2000]
    assert len(account.consignments) == 1
    shipped = reload(app, ready["a"], order.id)
    assert (shipped.fulfilment_state, shipped.carrier_id) == ("shipped", "steadfast")
    assert shipped.tracking_number == order.token  # known by its invoice until told more
    answer = post_webhook(app, ready["a"], fake.advance(parcel.consignment_id, "delivered"))
    assert answer.status_code == 200, answer.get_json()
    assert reload(app, ready["a"], order.id).fulfilment_state == "delivered"


# ------------------------------------------------------------------ webhooks


def test_the_webhook_moves_the_order_to_the_door_once_and_records_the_cash(app, ready,
                                                                          fake):
    order = booked(app, ready)
    cid = order.tracking_number
    for delivery in (fake.advance(cid, "pending", message="Picked up from the shop."),
                     fake.track(cid, "Arrived at the Mirpur hub.")):
        answer = post_webhook(app, ready["a"], delivery)
        assert answer.status_code == 200 and answer.get_json() == {
            "status": "success", "message": "Webhook received successfully."}
    assert journey(app, ready["a"], order.id) == ["picked_up", "in_transit"]
    assert reload(app, ready["a"], order.id).fulfilment_state == "shipped"

    delivered = fake.advance(cid, "delivered", message="Delivered to Rahim.")
    assert post_webhook(app, ready["a"], delivered).status_code == 200
    after = reload(app, ready["a"], order.id)
    assert after.fulfilment_state == "delivered"
    page = html(order.shopper.get(f"/orders/{order.token}"))
    assert "Delivered to Rahim." in page and "Arrived at the Mirpur hub." in page

    # Replayed: nothing new, nothing moved.
    assert post_webhook(app, ready["a"], delivered).status_code == 200
    assert journey(app, ready["a"], order.id) == ["picked_up", "in_transit", "delivered"]

    # The cash Steadfast collected is on the books, not yet paid out.
    (account,) = [c for c in report(app, ready["a"]).couriers if c.carrier_id == PLUGIN]
    parcel = fake.parcel(cid)
    assert (account.collected, account.charges, account.paid_out) == (
        157000, int(parcel.delivery_charge * 100), 0)
    assert account.outstanding == 157000 - int(parcel.delivery_charge * 100)


def test_a_webhook_the_api_contradicts_is_not_believed(app, ready, fake):
    order = booked(app, ready)
    cid = order.tracking_number
    claim = fake.advance(cid, "delivered")
    fake.advance(cid, "pending")  # what Steadfast's API says now
    assert post_webhook(app, ready["a"], claim).status_code == 200
    assert journey(app, ready["a"], order.id) == ["picked_up"]
    assert reload(app, ready["a"], order.id).fulfilment_state == "shipped"
    (account,) = [c for c in report(app, ready["a"]).couriers if c.carrier_id == PLUGIN]
    assert account.collected == 0  # no cash recorded from the contradicted claim


def test_a_webhook_without_the_right_token_is_refused(app, ready, fake, enable_plugin):
    order = booked(app, ready)
    delivery = fake.advance(order.tracking_number, "delivered")
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                    {"Authorization": "Basic token-a-0123456789abcdef"}):
        bad = Delivery(delivery.payload, {"Content-Type": "application/json", **headers})
        answer = post_webhook(app, ready["a"], bad)
        assert answer.status_code == 401 and answer.get_json()["status"] == "error"
    # Store B's token is not store A's.
    assert post_webhook(app, ready["a"], delivery.with_token(
        ready["accounts"]["b"].webhook_token)).status_code == 401
    # A store that set no token accepts no webhook at all.
    account = ready["accounts"]["a"]
    set_keys(enable_plugin, ready["a"], (account.api_key, account.secret_key))
    assert post_webhook(app, ready["a"], delivery.with_token("")).status_code == 401
    assert journey(app, ready["a"], order.id) == []
    assert reload(app, ready["a"], order.id).fulfilment_state == "shipped"


def test_a_webhook_for_another_stores_parcel_changes_nothing(app, ready, fake):
    order_a = booked(app, ready, "a")
    booked(app, ready, "b")
    delivery = fake.advance(order_a.tracking_number, "delivered")
    # Posted to store B's host with store B's own token: B has no such parcel.
    answer = post_webhook(app, ready["b"], delivery.with_token(
        ready["accounts"]["b"].webhook_token))
    assert answer.status_code == 404 and answer.get_json() == {
        "status": "error", "message": "Invalid consignment ID."}
    assert reload(app, ready["a"], order_a.id).fulfilment_state == "shipped"
    assert journey(app, ready["a"], order_a.id) == []


def test_each_store_books_and_asks_with_its_own_keys(app, ready, fake):
    order_a, order_b = booked(app, ready, "a"), booked(app, ready, "b")
    assert fake.account_of(order_a.tracking_number).name == "A"
    assert fake.account_of(order_b.tracking_number).name == "B"
    poll(app, ready["b"])
    asked = {(s.path.rsplit("/", 1)[-1], s.account) for s in fake.seen("/status_by_cid")}
    assert asked == {(order_b.tracking_number, "B")}
    assert [s.account for s in fake.seen("/create_order")] == ["A", "B"]


# ------------------------------------------------------------------ the poll


def test_the_poll_follows_a_parcel_back_to_the_shop(app, ready, fake):
    order = booked(app, ready)
    product = ready["ids"]["a"]
    assert stock_of(app, ready["a"], product) == 4
    cid = order.tracking_number
    fake.advance(cid, "pending")
    poll(app, ready["a"])
    fake.advance(cid, "hold")
    poll(app, ready["a"])
    fake.advance(cid, "cancelled_approval_pending")
    poll(app, ready["a"])
    poll(app, ready["a"])  # asked again: nothing new
    assert journey(app, ready["a"], order.id) == ["picked_up", "delivery_failed",
                                                  "returning"]
    assert reload(app, ready["a"], order.id).fulfilment_state == "shipped"
    fake.advance(cid, "cancelled")
    poll(app, ready["a"])
    after = reload(app, ready["a"], order.id)
    assert after.fulfilment_state == "returned"
    assert stock_of(app, ready["a"], product) == 5  # restocked
    poll(app, ready["a"])  # a returned parcel is no longer asked about
    assert [s.path for s in fake.seen("/status_by_cid")].count(
        f"/api/v1/status_by_cid/{cid}") == 5


def test_the_poll_with_steadfast_down_fails_visibly_and_changes_nothing(app, ready, fake):
    order = booked(app, ready)
    fake.advance(order.tracking_number, "delivered")
    fake.go_down()
    with pytest.raises(RuntimeError, match="Steadfast did not answer"):
        poll(app, ready["a"])
    assert reload(app, ready["a"], order.id).fulfilment_state == "shipped"
    fake.come_back()
    poll(app, ready["a"])
    assert reload(app, ready["a"], order.id).fulfilment_state == "delivered"


def test_a_parcel_shipped_by_hand_with_its_tracking_code_is_linked_and_polled(
        app, ready, fake):
    """The merchant booked in Steadfast's panel and typed its tracking code."""
    order = place(app, ready, payment_method="cod")
    with app.app_context():
        consignment = api.SteadfastClient(_config(ready["accounts"]["a"])).create_order({
            "invoice": "panel-1", "recipient_name": "Rahim", "recipient_phone":
            "01712345678", "recipient_address": "Dhanmondi, Dhaka", "cod_amount": 1570})
    code = consignment["tracking_code"]
    with app.app_context(), tenant_scope(ready["a"].id):
        db.session.get(Order, order.id).shipping_rate_id = "steadfast:parcel"
        db.session.commit()
    shipped = owner(app, ready["a"]).post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "Steadfast", "tracking_number": code, "tracking_url": ""})
    assert shipped.status_code == 303
    after = reload(app, ready["a"], order.id)
    assert (after.carrier_id, after.tracking_url) == (
        "steadfast", f"https://steadfast.com.bd/t/{code}")
    fake.advance(consignment["consignment_id"], "delivered")
    poll(app, ready["a"])
    assert reload(app, ready["a"], order.id).fulfilment_state == "delivered"
    assert [s.path for s in fake.seen("/status_by")] == [
        f"/api/v1/status_by_trackingcode/{code}"]


def test_an_order_the_courier_cannot_take_is_refused_before_asking_steadfast(app, ready,
                                                                            fake):
    store = info(app, ready["a"])
    carrier = SteadfastCarrier(store)
    good = OrderSnapshot(
        id=1, number=1001, token="tok-1", total=TOTAL, payment_state="pending",
        fulfilment_state="unfulfilled", payment_method="cod", phone="",
        address=Address(country="BD", region="Dhaka", city="Dhaka", line1="House 1",
                        name="Rahim", phone="01712345678"))
    cases = {
        "mobile number": replace(good, address=replace(good.address, phone="02 9123456")),
        "recipient's name": replace(good, address=replace(good.address, name=" ")),
        "Bangladesh only": replace(good, address=replace(good.address, country="AM")),
        "taka only": replace(good, total=Money(157000, "USD")),
    }
    with app.app_context():
        for words, order in cases.items():
            with pytest.raises(PluginCheckoutError, match=words):
                carrier.create_shipment(store, order)
    assert fake.seen("/create_order") == []


# ------------------------------------------------------------------ cash


def test_payouts_settle_the_cash_and_a_missing_payout_stays_outstanding(app, ready, fake):
    paid, unpaid = booked(app, ready), booked(app, ready)
    for order in (paid, unpaid):
        assert post_webhook(app, ready["a"], fake.advance(order.tracking_number,
                                                          "delivered")).status_code == 200
    payment = fake.pay_out(ready["accounts"]["a"], [paid.tracking_number])
    assert payouts(app, ready["a"]) == 1
    assert payouts(app, ready["a"]) == 0  # the same payout again changes nothing

    (account,) = [c for c in report(app, ready["a"]).couriers if c.carrier_id == PLUGIN]
    charge = int(fake.parcel(paid.tracking_number).delivery_charge * 100)
    assert (account.delivered, account.collected) == (2, 2 * 157000)
    assert account.paid_out == 157000 - charge
    assert account.outstanding == 157000 - charge  # the parcel with no payout yet
    settled = reload(app, ready["a"], paid.id)
    assert settled.payment_state == "paid"  # the cash truly arrived
    assert reload(app, ready["a"], unpaid.id).payment_state == "pending"
    assert str(payment.id) in " ".join(m for _k, m, _a in settled.event_log)

    # A late replay of the delivery webhook does not undo the payout.
    replay = fake.advance(paid.tracking_number, "delivered")
    assert post_webhook(app, ready["a"], replay).status_code == 200
    (account,) = [c for c in report(app, ready["a"]).couriers if c.carrier_id == PLUGIN]
    assert account.paid_out == 157000 - charge


def test_a_partial_delivery_shows_the_cash_short_of_the_total(app, ready, fake):
    order = booked(app, ready)
    delivery = fake.advance(order.tracking_number, "partial_delivered", collected="1000")
    assert post_webhook(app, ready["a"], delivery).status_code == 200
    assert reload(app, ready["a"], order.id).fulfilment_state == "delivered"
    problems = [(p.number, p.kind, p.amount) for p in report(app, ready["a"]).problems]
    assert (order.number, "short", 157000 - 100000) in problems


# ------------------------------------------------------------------ the admin page


def test_the_admin_page_gives_the_webhook_address_and_the_balance(app, ready, fake):
    admin = owner(app, ready["a"])
    page = html(admin.get("/admin/steadfast"))
    assert 'value="http://dhaka-shop.localhost/apps/steadfast/webhook"' in page
    assert "Balance with Steadfast" in page
    fake.go_down()
    page = html(admin.get("/admin/steadfast"))
    assert "Steadfast did not answer: the balance cannot be shown now." in page


# ------------------------------------------------------------------ real API too


def test_the_keys_are_accepted_and_an_unknown_parcel_is_unknown(steadfast_api):
    _server, keys, _other = steadfast_api
    from plugins.steadfast.config import SteadfastConfig

    client = api.SteadfastClient(SteadfastConfig(api_key=keys[0], secret_key=keys[1]))
    assert isinstance(client.balance(), Decimal)
    with pytest.raises(api.SteadfastNotFound):
        client.status_by_invoice("haat-no-such-invoice-000")
    wrong = api.SteadfastClient(SteadfastConfig(api_key="wrong", secret_key="wrong"))
    with pytest.raises(api.SteadfastUnauthorised):
        wrong.balance()


def test_a_tracking_code_typed_by_hand_links_to_steadfast(app, ready):
    carrier = SteadfastCarrier(info(app, ready["a"]))
    with app.app_context():
        assert carrier.tracking_url("15BAEB8A") == "https://steadfast.com.bd/t/15BAEB8A"
        assert carrier.tracking_url("999999") is None  # a consignment it never booked
        assert carrier.tracking_url("<script>") is None


def test_a_bengali_admin_reads_the_refusal_in_bengali(app, ready, enable_plugin):
    set_store(app, ready["a"], locale="bn")
    set_keys(enable_plugin, ready["a"], ("wrong", "keys"), "token-a-0123456789abcdef")
    order = place(app, ready, payment_method="cod")
    page = html(book(app, ready["a"], order))
    assert "প্লাগইনের সেটিংসের API কি আর সিক্রেট কি Steadfast গ্রহণ করেনি।" in page
