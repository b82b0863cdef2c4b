"""The Pathao courier plugin: quotes at checkout, booking from the order page, tracking
by webhook and poll, and Pathao's cash-on-delivery money in Haat's ledger.

Pathao's API is played by a local fake (``tests/fakes/pathao_fake.py``). Tests taking
``pathao_api`` also run against Pathao's sandbox when ``HAAT_TEST_PATHAO_CLIENT_ID``,
``HAAT_TEST_PATHAO_CLIENT_SECRET``, ``HAAT_TEST_PATHAO_USERNAME`` and
``HAAT_TEST_PATHAO_PASSWORD`` are set (Pathao publishes sandbox credentials in its
developer documentation); the others drive the fake's controls (moving parcels,
sending webhooks, going slow or down) and run once. Orders are placed like a shopper
places them; the merchant books over HTTP and Pathao's webhooks arrive over HTTP on the
store's host.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from fakes.pathao_fake import Account, FakePathao, Webhook
from sqlalchemy import select

from admin_support import html, reload, stock_of
from checkout_support import checkout_form
from conftest import PASSWORD, client_for
from core.db import db
from core.orders.cod import cod_report
from core.orders.models import Order, ShipmentEvent
from core.pluginhost.web import plugins_for_tenant
from core.sdk import Address, CartLine, Money, OrderSnapshot, PluginCheckoutError, StoreInfo
from core.testing import assert_translated
from plugins.pathao import api
from plugins.pathao import carrier as carrier_module
from plugins.pathao.carrier import PathaoCarrier
from plugins.pathao.config import ENV_API_BASE, PathaoConfig
from plugins.pathao.events import poll_parcels
from plugins.pathao.locations import find_destination
from plugins.pathao.plugin import manifest
from plugins.pathao.webhook import INTEGRATION_HEADER, INTEGRATION_SECRET
from shipping_support import sample_cart
from tenants import Tenant, tenant_scope

PLUGIN = "pathao"
PRICE = 150_000  # ৳1,500.00
HOOK = "/apps/pathao/webhook"
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Creds:
    client_id: str
    client_secret: str
    username: str
    password: str
    store_id: str
    webhook_secret: str

    @classmethod
    def of(cls, account: Account) -> Creds:
        return cls(account.client_id, account.client_secret, account.username,
                   account.password, str(account.store_ids[0]), account.webhook_secret)


@dataclass
class PathaoApi:
    """Where Pathao's API is: the fake (two merchants) or the sandbox (one for both)."""

    kind: str
    a: Creds
    b: Creds
    fake: FakePathao | None = None


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    api.forget_everything()
    yield
    api.forget_everything()


def _fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[PathaoApi]:
    with FakePathao() as fake:
        monkeypatch.setenv(ENV_API_BASE, fake.url)
        yield PathaoApi("fake", Creds.of(fake.add_account("dhaka")),
                        Creds.of(fake.add_account("other")), fake)


def _sandbox_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[PathaoApi]:
    names = ("CLIENT_ID", "CLIENT_SECRET", "USERNAME", "PASSWORD")
    values = [os.environ.get(f"HAAT_TEST_PATHAO_{name}", "") for name in names]
    if not all(values):
        pytest.skip("Pathao sandbox not configured: set HAAT_TEST_PATHAO_CLIENT_ID, "
                    "_CLIENT_SECRET, _USERNAME and _PASSWORD to run against it too")
    monkeypatch.delenv(ENV_API_BASE, raising=False)
    store_id = os.environ.get("HAAT_TEST_PATHAO_STORE_ID", "")
    if not store_id:
        probe = Creds(*values, store_id="0", webhook_secret="")
        config = PathaoConfig(store=0, sandbox=True, client_id=probe.client_id,
                              client_secret=probe.client_secret, username=probe.username,
                              password=probe.password)
        store_id = str(api.PathaoClient(config).stores()[0]["store_id"])
    creds = Creds(*values, store_id=store_id, webhook_secret="sandbox-webhook-secret")
    yield PathaoApi("sandbox", creds, creds)


@pytest.fixture(params=["fake", "sandbox"])
def pathao_api(request: pytest.FixtureRequest,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[PathaoApi]:
    """Pathao's API: the local fake, then Pathao's sandbox if configured."""
    if request.param == "fake":
        yield from _fake_api(monkeypatch)
    else:
        yield from _sandbox_api(monkeypatch)


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[PathaoApi]:
    yield from _fake_api(monkeypatch)


@dataclass
class Shop:
    tenant: Tenant
    creds: Creds
    product_id: int

    @property
    def host(self) -> str:
        return f"{self.tenant.slug}.localhost"


@pytest.fixture
def open_shop(app, make_store, add_product, enable_plugin) -> Callable[..., Shop]:
    def make(slug: str, creds: Creds, *, locale: str = "bn") -> Shop:
        tenant = make_store(slug, locale=locale, currency="BDT")
        enable_plugin(tenant, PLUGIN,
                      settings={"sandbox": True, "client_id": creds.client_id,
                                "username": creds.username, "store_id": creds.store_id},
                      secrets={"client_secret": creds.client_secret,
                               "password": creds.password,
                               "webhook_secret": creds.webhook_secret})
        enable_plugin(tenant, "cash-on-delivery")
        product = add_product(tenant, "kantha", title="Kantha", price=PRICE, stock=5,
                              weight_grams=700)
        return Shop(tenant, creds, product)

    return make


@pytest.fixture
def shops(fake_api, open_shop) -> tuple[Shop, Shop]:
    return (open_shop("dhaka-shop", fake_api.a),
            open_shop("other-shop", fake_api.b, locale="en"))


def info(app, shop: Shop) -> StoreInfo:
    with app.app_context():
        return plugins_for_tenant(shop.tenant.id).info


def place(app, shop: Shop, **form: str) -> Order:
    """Place an order like a shopper (Dhanmondi, Dhaka; cash on delivery)."""
    client = client_for(app, shop.host)
    assert client.post("/cart/add", data={"product_id": str(shop.product_id),
                                          "quantity": "1"}).status_code == 303
    fields = {"shipping_rate": "pathao:normal", "payment_method": "cod", **form}
    placed = client.post("/checkout", data=checkout_form(client, **fields))
    assert placed.status_code == 303, html(placed)[:3000]
    with app.app_context(), tenant_scope(shop.tenant.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
    order.shopper = client
    return order


def owner(app, shop: Shop):
    client = client_for(app, shop.host)
    assert client.post("/admin/login", data={"email": f"owner@{shop.tenant.slug}.example",
                                              "password": PASSWORD}).status_code == 303
    return client


def book(app, shop: Shop, order: Order):
    answer = owner(app, shop).post(f"/admin/orders/{order.id}/book")
    assert answer.status_code == 303, html(answer)[:2000]
    booked = reload(app, shop.tenant, order.id)
    booked.shopper = order.shopper
    return booked


def cash(app, shop: Shop, now: datetime | None = None):
    """The admin's cash on delivery report of the store."""
    with app.app_context(), tenant_scope(shop.tenant.id):
        return cod_report(info(app, shop), now=now)


def deliver(app, shop: Shop, webhook: Webhook):
    """Pathao's server posting ``webhook`` to the store's host."""
    return client_for(app, shop.host).post(HOOK, data=webhook.body, headers=webhook.headers)


def steps(app, shop: Shop, order_id: int) -> list[str]:
    with app.app_context(), tenant_scope(shop.tenant.id):
        return [e.status for e in db.session.scalars(
            select(ShipmentEvent).where(ShipmentEvent.order_id == order_id)
            .order_by(ShipmentEvent.occurred_at, ShipmentEvent.id))]


def snapshot(shop: Shop, *, token: str = "tok-1", city: str = "Dhaka",
             line1: str = "House 12, Road 5, Dhanmondi", region: str = "Dhaka",
             payment_method: str = "cod", payment_state: str = "pending",
             rate: str = "pathao:normal", phone: str = "01712345678") -> OrderSnapshot:
    """An order as core hands it to ``create_shipment``."""
    total = Money(156_000, "BDT")
    return OrderSnapshot(
        id=1, number=1001, token=token, total=total, payment_state=payment_state,
        fulfilment_state="unfulfilled", phone=phone, payment_method=payment_method,
        shipping_rate_id=rate,
        lines=(CartLine(product_id=1, title="Kantha", quantity=2,
                        unit_price=Money(78_000, "BDT"), weight_grams=700),),
        address=Address(country="BD", region=region, city=city, line1=line1,
                        name="Rahim Uddin", phone=phone))


def carrier_for(shop: Shop, app) -> PathaoCarrier:
    return PathaoCarrier(PathaoConfig.of(info(app, shop)))


def bookings(fake: FakePathao) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/orders")]


# ---------------------------------------------------------------------- the plugin


def test_the_plugin_is_a_bangladeshi_shipping_courier_in_three_languages():
    assert manifest.name == "pathao" and manifest.countries == ("BD",)
    assert manifest.kind is None  # never excludes the shipping-zones plugin
    assert manifest.admin_section == "shipping"
    secrets = {f.name for f in manifest.settings if f.secret}
    assert secrets == {"client_secret", "password", "webhook_secret"}
    assert_translated("plugins.pathao")


# ---------------------------------------------------------------------- quotes


def test_checkout_offers_pathaos_price_for_the_address(app, pathao_api, open_shop):
    shop = open_shop("dhaka-shop", pathao_api.a)
    client = client_for(app, shop.host)
    client.post("/cart/add", data={"product_id": str(shop.product_id), "quantity": "1"})
    page = html(client.get("/checkout"))
    assert 'value="pathao:normal"' not in page  # no address yet
    form = checkout_form(client, shipping_rate="pathao:normal", payment_method="cod",
                         action="refresh")
    refreshed = html(client.post("/checkout", data=form))
    assert 'value="pathao:normal"' in refreshed
    assert "পাঠাও হোম ডেলিভারি" in refreshed  # the Bengali shop's words
    if pathao_api.fake is not None:
        assert "৬০" in refreshed or "60" in refreshed
        prices = [r for r in pathao_api.fake.requests if r.path.endswith("/price-plan")]
        assert prices[-1].payload["recipient_city"] == 1
        assert prices[-1].payload["recipient_zone"] == 68  # Dhanmondi
        assert prices[-1].payload["item_weight"] == 1.0  # 700 g -> 1 kg
        client.post("/checkout", data=form)
        assert len([r for r in pathao_api.fake.requests
                    if r.path.endswith("/price-plan")]) == len(prices)  # cached


def test_mirpur_10_finds_dhaka_and_the_mirpur_10_zone(app, fake_api, open_shop):
    shop = open_shop("dhaka-shop", fake_api.a)
    client = api.PathaoClient(PathaoConfig.of(info(app, shop)))
    with app.app_context():
        found = find_destination(client, Address(country="BD", region="Dhaka",
                                                 city="Mirpur-10, Dhaka-1216"))
        bengali = find_destination(client, Address(country="BD", region="ঢাকা",
                                                   city="মিরপুর"))
        nowhere = find_destination(client, Address(country="BD", city="Atlantis"))
    assert (found.city_name, found.zone_name) == ("Dhaka", "Mirpur 10")
    assert (bengali.city_id, bengali.zone_name) == (1, "Mirpur")
    assert nowhere is None


def test_pathao_down_or_slow_at_checkout_offers_no_pathao_option_quickly(
        app, fake_api, open_shop, monkeypatch):
    shop = open_shop("dhaka-shop", fake_api.a)
    monkeypatch.setattr(carrier_module, "QUOTE_TIMEOUT", 0.3)
    carrier = carrier_for(shop, app)
    address = Address(country="BD", region="Dhaka", city="Dhaka", line1="Dhanmondi")
    fake_api.fake.go_down()
    with app.app_context():
        assert carrier.quote(info(app, shop), sample_cart(), address) == []
    fake_api.fake.come_back()
    fake_api.fake.hang()
    try:
        with app.app_context():
            assert carrier.quote(info(app, shop), sample_cart(), address) == []
    finally:
        fake_api.fake.release()
    with app.app_context():
        [rate] = carrier.quote(info(app, shop), sample_cart(), address)
    assert rate.amount == Money.from_decimal("60", "BDT")


# ---------------------------------------------------------------------- booking


def test_booking_a_cash_on_delivery_order_sends_the_token_and_the_cash(
        app, pathao_api, open_shop):
    shop = open_shop("dhaka-shop", pathao_api.a)
    order = place(app, shop)
    booked = book(app, shop, order)
    assert booked.fulfilment_state == "shipped" and booked.carrier_id == "pathao"
    number = booked.tracking_number
    assert number and booked.carrier == "Pathao"
    link = (f"https://merchant.pathao.com/tracking?consignment_id={number}"
            f"&phone=01712345678")
    assert booked.tracking_url == link
    body = html(order.shopper.get(f"/orders/{order.token}"))
    assert f'href="{link.replace("&", "&amp;")}"' in body
    if pathao_api.fake is not None:
        [request] = bookings(pathao_api.fake)
        sent = request.payload
        assert sent["merchant_order_id"] == order.token
        assert sent["amount_to_collect"] == 1560  # ৳1,500 + ৳60 delivery, whole taka
        assert (sent["recipient_city"], sent["recipient_zone"],
                sent["recipient_area"]) == (1, 68, 5001)
        assert sent["recipient_phone"] == "01712345678"
        assert sent["store_id"] == int(shop.creds.store_id)
        assert request.client_id == shop.creds.client_id


def test_another_carriers_prepaid_order_is_booked_collecting_nothing(app, fake_api,
                                                                      open_shop):
    shop = open_shop("dhaka-shop", fake_api.a)
    order = snapshot(shop, city="Mirpur-10, Dhaka-1216", line1="House 3, Road 2",
                     payment_method="sslcommerz", payment_state="paid",
                     rate="shipping:inside-dhaka")
    with app.app_context():
        shipment = carrier_for(shop, app).create_shipment(info(app, shop), order)
    [request] = bookings(fake_api.fake)
    assert request.payload["amount_to_collect"] == 0
    assert (request.payload["recipient_zone"], request.payload["item_quantity"],
            request.payload["item_weight"]) == (299, 2, 1.5)
    assert shipment.tracking_number == fake_api.fake.parcels(fake_api.fake.accounts[0])[
        0].consignment_id


def test_booking_again_finds_the_first_parcel_even_when_its_answer_was_lost(
        app, fake_api, open_shop):
    shop = open_shop("dhaka-shop", fake_api.a)
    store = info(app, shop)
    carrier = carrier_for(shop, app)
    with app.app_context():
        first = carrier.create_shipment(store, snapshot(shop, token="tok-a"))
        again = carrier.create_shipment(store, snapshot(shop, token="tok-a"))
    assert again == first and len(bookings(fake_api.fake)) == 1

    fake_api.fake.drop_next()  # Pathao books it, the answer never arrives
    with app.app_context(), pytest.raises(api.PathaoUnavailable):
        carrier.create_shipment(store, snapshot(shop, token="tok-b"))
    [_, lost] = fake_api.fake.parcels(fake_api.fake.accounts[0])
    with app.app_context(), pytest.raises(PluginCheckoutError) as refused:
        carrier.create_shipment(store, snapshot(shop, token="tok-b"))
    assert "tok-b" in refused.value.shopper_message
    assert len(bookings(fake_api.fake)) == 2  # not asked again
    # Pathao's order.created names the parcel: the next booking is that parcel.
    created = fake_api.fake.move(lost.consignment_id, "order.created")
    assert deliver(app, shop, created).status_code == 202
    with app.app_context():
        found = carrier.create_shipment(store, snapshot(shop, token="tok-b"))
    assert found.tracking_number == lost.consignment_id
    assert len(bookings(fake_api.fake)) == 2


def test_pathao_down_at_booking_tells_the_merchant_and_leaves_the_order(
        app, fake_api, open_shop, isolating):
    shop = open_shop("dhaka-shop", fake_api.a)
    order = place(app, shop)
    fake_api.fake.go_down()
    answer = owner(app, shop).post(f"/admin/orders/{order.id}/book")
    assert answer.status_code == 422
    # The Bengali store's owner reads core's message in Bengali.
    assert ("Pathao সাড়া দেয়নি, তাই কিছুই বুক হয়নি। কয়েক মিনিট পরে আবার চেষ্টা করুন, "
            "অথবা নিচে নিজে ট্র্যাকিং নম্বর লিখুন।") in " ".join(html(answer).split())
    after = reload(app, shop.tenant, order.id)
    assert (after.fulfilment_state, after.tracking_number or "") == ("unfulfilled", "")
    assert any(kind == "booking_failed" for kind, *_ in after.event_log)
    fake_api.fake.come_back()  # refused connections booked nothing: book at once
    assert book(app, shop, order).fulfilment_state == "shipped"
    assert len(fake_api.fake.parcels(fake_api.fake.accounts[0])) == 1


def test_pathao_refusing_or_an_unknown_area_is_a_clear_refusal(app, fake_api, open_shop,
                                                                enable_plugin):
    shop = open_shop("dhaka-shop", fake_api.a)
    with app.app_context(), pytest.raises(PluginCheckoutError) as nowhere:
        carrier_for(shop, app).create_shipment(info(app, shop), snapshot(
            shop, city="Atlantis", region="", line1="House 1, Road 1"))
    assert "Atlantis" in nowhere.value.shopper_message
    enable_plugin(shop.tenant, PLUGIN, settings={
        "sandbox": True, "client_id": shop.creds.client_id, "username": shop.creds.username,
        "store_id": "999"}, secrets={"client_secret": shop.creds.client_secret,
                                     "password": shop.creds.password})
    with app.app_context(), pytest.raises(PluginCheckoutError) as refused:
        carrier_for(shop, app).create_shipment(info(app, shop), snapshot(shop))
    assert "Pathao refused the parcel" in refused.value.shopper_message
    assert "store_id" in refused.value.shopper_message
    assert fake_api.fake.parcels(fake_api.fake.accounts[0]) == []


# ---------------------------------------------------------------------- tracking


def test_webhooks_move_the_parcel_to_delivered_and_record_the_cash(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    number = order.tracking_number
    fake = fake_api.fake
    for minutes, event in enumerate(("order.picked", "order.in-transit",
                                     "order.assigned-for-delivery", "order.delivered")):
        answer = deliver(app, shop, fake.move(number, event,
                                              at=T0 + timedelta(minutes=minutes)))
        assert answer.status_code == 202, answer.get_data(as_text=True)
        assert answer.headers[INTEGRATION_HEADER] == INTEGRATION_SECRET
    assert steps(app, shop, order.id) == ["picked_up", "in_transit", "out_for_delivery",
                                          "delivered"]
    assert reload(app, shop.tenant, order.id).fulfilment_state == "delivered"
    page = html(order.shopper.get(f"/orders/{order.token}"))
    journey = page[page.index('class="order-timeline tracking-journey"'):]
    assert [s for s in ("picked_up", "in_transit", "out_for_delivery", "delivered")
            if f'data-tracking-status="{s}"' in journey] == [
        "picked_up", "in_transit", "out_for_delivery", "delivered"]

    later = datetime.now(UTC) + timedelta(days=8)
    report = cash(app, shop, later)
    [pathao] = report.couriers
    assert (pathao.collected, pathao.charges, pathao.paid_out) == (156_000, 7_600, 0)
    assert [p.kind for p in report.problems] == ["payout_missing"]

    paid = fake.move(number, "order.paid", invoice_id="INV20261207")
    assert deliver(app, shop, paid).status_code == 202
    report = cash(app, shop, later)
    assert report.couriers[0].paid_out == 156_000 - 7_600 and report.problems == []
    assert reload(app, shop.tenant, order.id).payment_state == "paid"


def test_cash_collected_short_of_the_order_total_is_flagged(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    short = fake_api.fake.move(order.tracking_number, "order.delivered", at=T0,
                               collected_amount=1000)
    assert deliver(app, shop, short).status_code == 202
    report = cash(app, shop, datetime.now(UTC) + timedelta(days=1))
    assert report.couriers[0].collected == 100_000
    assert [(p.kind, p.amount) for p in report.problems] == [("short", 56_000)]
    assert reload(app, shop.tenant, order.id).payment_state == "pending"


def test_a_shop_selling_in_another_currency_gets_no_pathao_quote_or_booking(
        app, fake_api, make_store, enable_plugin):
    tenant = make_store("usd-shop", currency="USD")
    creds = fake_api.a
    enable_plugin(tenant, PLUGIN, settings={
        "client_id": creds.client_id, "username": creds.username, "store_id": creds.store_id},
        secrets={"client_secret": creds.client_secret, "password": creds.password})
    with app.app_context():
        store = plugins_for_tenant(tenant.id).info
        carrier = PathaoCarrier(PathaoConfig.of(store))
        assert carrier.quote(store, sample_cart(currency="USD"), Address(
            country="BD", region="Dhaka", city="Dhanmondi")) == []
        order = replace(snapshot(None), total=Money(156_000, "USD"))
        with pytest.raises(PluginCheckoutError, match="taka only"):
            carrier.create_shipment(store, order)
    assert bookings(fake_api.fake) == []


def test_a_returned_parcel_returns_the_order_and_its_stock(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    assert stock_of(app, shop.tenant, shop.product_id) == 4
    fake = fake_api.fake
    for minutes, event in enumerate(("order.picked", "order.delivery-failed",
                                     "order.returned")):
        assert deliver(app, shop, fake.move(order.tracking_number, event, at=T0 + timedelta(
            minutes=minutes))).status_code == 202
    assert steps(app, shop, order.id) == ["picked_up", "delivery_failed", "returned"]
    assert reload(app, shop.tenant, order.id).fulfilment_state == "returned"
    assert stock_of(app, shop.tenant, shop.product_id) == 5
    report = cash(app, shop)
    assert (report.couriers, report.problems) == ([], [])  # nothing owed for a return


def test_a_replayed_webhook_changes_nothing(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    delivered = fake_api.fake.move(order.tracking_number, "order.delivered", at=T0)
    assert deliver(app, shop, delivered).status_code == 202
    before = reload(app, shop.tenant, order.id)
    assert deliver(app, shop, delivered).status_code == 202
    after = reload(app, shop.tenant, order.id)
    assert steps(app, shop, order.id) == ["delivered"]
    assert after.event_log == before.event_log and after.updated_at == before.updated_at


def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    fake = fake_api.fake
    forged = fake.move(order.tracking_number, "order.delivered", secret="guess")
    assert deliver(app, shop, forged).status_code == 401
    bare = Webhook(forged.body, {"Content-Type": "application/json"})
    assert deliver(app, shop, bare).status_code == 401
    assert steps(app, shop, order.id) == []
    assert reload(app, shop.tenant, order.id).fulfilment_state == "shipped"
    account = fake.accounts[0]
    check = deliver(app, shop, fake.integration_check(account))
    assert check.status_code == 202 and check.headers[INTEGRATION_HEADER] == INTEGRATION_SECRET
    assert deliver(app, shop, fake.integration_check(account, secret="x")).status_code == 401


def test_another_stores_webhook_cannot_move_this_stores_parcel(app, shops, fake_api):
    shop, other = shops
    order = book(app, shop, place(app, shop))
    fake = fake_api.fake
    # Store B's own secret, store A's consignment, sent to store B.
    with_b = fake.move(order.tracking_number, "order.delivered",
                       secret=other.creds.webhook_secret)
    assert deliver(app, other, with_b).status_code == 404
    # Store A's secret is not store B's.
    assert deliver(app, other, fake.move(order.tracking_number,
                                         "order.delivered")).status_code == 401
    paid = fake.move(order.tracking_number, "order.paid",
                     secret=other.creds.webhook_secret, collected_amount=1560)
    assert deliver(app, other, paid).status_code == 202  # nothing of B's: nothing done
    assert steps(app, shop, order.id) == []
    assert reload(app, shop.tenant, order.id).fulfilment_state == "shipped"
    assert cash(app, other).couriers == []
    assert all(c.collected == 0 for c in cash(app, shop).couriers)


def test_the_hourly_poll_records_what_the_webhook_missed(app, shops, fake_api):
    shop, _ = shops
    order = book(app, shop, place(app, shop))
    fake_api.fake.move(order.tracking_number, "order.delivered", at=T0)  # never sent
    with app.app_context():
        poll_parcels(info(app, shop))
        poll_parcels(info(app, shop))  # again: nothing new
    assert steps(app, shop, order.id) == ["delivered"]
    assert reload(app, shop.tenant, order.id).fulfilment_state == "delivered"
    # The same step arriving by webhook afterwards is the same event.
    late = fake_api.fake.move(order.tracking_number, "order.delivered", at=T0)
    assert deliver(app, shop, late).status_code == 202
    assert steps(app, shop, order.id) == ["delivered"]


# ---------------------------------------------------------------------- isolation


def test_each_store_uses_only_its_own_pathao_account(app, shops, fake_api):
    shop, other = shops
    book(app, shop, place(app, shop))
    book(app, other, place(app, other))
    fake = fake_api.fake
    a, b = fake.accounts
    assert len(fake.parcels(a)) == 1 and len(fake.parcels(b)) == 1
    tokens = [r for r in fake.requests if r.path.endswith("/issue-token")]
    assert {r.client_id for r in tokens} == {a.client_id, b.client_id}
    for request in bookings(fake):
        account = a if request.client_id == a.client_id else b
        assert request.payload["store_id"] == account.store_ids[0]


def test_an_expired_token_is_renewed_without_the_merchant_noticing(app, fake_api,
                                                                    open_shop):
    shop = open_shop("dhaka-shop", fake_api.a)
    carrier = carrier_for(shop, app)
    with app.app_context():
        carrier.create_shipment(info(app, shop), snapshot(shop, token="t1"))
        fake_api.fake.expire_tokens()
        carrier.create_shipment(info(app, shop), snapshot(shop, token="t2"))
    assert len(fake_api.fake.parcels(fake_api.fake.accounts[0])) == 2
    assert [r.status for r in fake_api.fake.requests if r.status == 401]
