"""Local rails in a real browser, on the Bengali demo store (dhaka-crafts).

A shopper on a phone (360 px) pays through SSLCommerz: the local fake's hosted page
(which says it is a fake), then back to the store's confirmation, paid. The owner books
the parcel with Steadfast from the order page (desktop), the fake courier reports the
delivery by webhook, and the order page shows it delivered, for the owner and the
shopper. Both fakes are local servers that imitate the providers' documented HTTP APIs
(tests/fakes); screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from fakes.sslcommerz_fake import FakeSslcommerz
from fakes.steadfast_fake import FakeSteadfast
from sqlalchemy import select

from browser.conftest import LiveServer, assert_fits_width, expect
from browser.test_checkout_journey import (
    SPECS,
    STATUS_URL,
    _add_to_cart,
    _fill_address,
    _sign_in_and_open_orders,
    _simple_product,
)

SLUG = "dhaka-crafts"


def _switch(live: LiveServer, name: str, settings: dict | None = None,
            secrets: dict | None = None, *, enabled: bool = True) -> None:
    from core.db import db
    from core.pluginhost.settings import to_json
    from core.pluginhost.state import save_settings, set_enabled
    from tenants.resolution import invalidate_all

    app = live.app
    host = app.extensions["haat_plugins"]
    store_id = live.store_ids[SLUG]
    with app.app_context():
        set_enabled(store_id, name, enabled, host.exclusive_peers(name))
        if enabled:
            save_settings(store_id, name, to_json(host.installed[name].manifest, settings or {}),
                          app.extensions["haat_secret_box"].encrypt(secrets or {}))
        db.session.commit()
    invalidate_all()


@pytest.fixture
def rails(live_server: LiveServer,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeSslcommerz, FakeSteadfast]]:
    """SSLCommerz and Steadfast switched on for the Bengali demo store, each talking to
    its local fake; off again afterwards (other browser tests share the server)."""
    gateway, courier = FakeSslcommerz(), FakeSteadfast()
    gateway.start()
    courier.start()
    gateway.send_ipns = True
    monkeypatch.setenv("HAAT_SSLCOMMERZ_API_BASE", gateway.url)
    monkeypatch.setenv("HAAT_STEADFAST_API_BASE", courier.api_base)
    at_gateway = gateway.add_store(SLUG)
    at_courier = courier.add_account(SLUG)
    _switch(live_server, "sslcommerz", {"store_id": at_gateway.store_id, "sandbox": True},
            {"store_passwd": at_gateway.store_passwd})
    _switch(live_server, "steadfast", {}, {"api_key": at_courier.api_key,
                                            "secret_key": at_courier.secret_key,
                                            "webhook_token": at_courier.webhook_token})
    try:
        yield gateway, courier
    finally:
        _switch(live_server, "sslcommerz", enabled=False)
        _switch(live_server, "steadfast", enabled=False)
        gateway.stop()
        courier.stop()


def _order(live: LiveServer, token: str):
    from core.db import db
    from core.orders.models import Order
    from tenants import tenant_scope

    with live.app.app_context(), tenant_scope(live.store_ids[SLUG]):
        order = db.session.scalar(select(Order).where(Order.token == token))
        db.session.expunge(order)
        return order


def test_pay_by_sslcommerz_then_book_and_deliver_with_steadfast(
        new_page, live_server, shot, rails):
    gateway, courier = rails
    spec = SPECS[SLUG]
    product = _simple_product(spec)

    shopper = new_page("mobile")
    _add_to_cart(shopper, live_server, SLUG, product)
    shopper.goto(live_server.url(SLUG, "/checkout"))
    _fill_address(shopper, phone="০১৭১৫-৪৪৪৩৩৩", name="নাসরিন আক্তার", region="ঢাকা",
                  city="ঢাকা", line1="বাড়ি ৭, সড়ক ২, মিরপুর-১০, ঢাকা-১২১৬")
    choice = shopper.locator("input[name=payment_method][value=sslcommerz]")
    expect(choice).to_have_count(1)
    choice.check()
    assert_fits_width(shopper)
    shot(shopper, "checkout-sslcommerz")
    shopper.locator("button.place-order").click()

    # The fake's hosted page, which says what it is.
    shopper.wait_for_url(re.compile(re.escape(gateway.url)))
    expect(shopper.locator("body")).to_contain_text("FAKE")
    shot(shopper, "fake-sslcommerz-page")
    shopper.locator("#pay").click()
    shopper.wait_for_url(STATUS_URL)
    expect(shopper.locator("[data-payment-state]")).to_have_attribute(
        "data-payment-state", "paid")
    assert_fits_width(shopper)
    shot(shopper, "paid")
    token = shopper.url.rsplit("/", 1)[1]
    order = _order(live_server, token)
    assert (order.payment_method, order.payment_state) == ("sslcommerz", "paid")

    # The owner books the parcel with Steadfast from the order's page.
    owner = new_page("desktop")
    _sign_in_and_open_orders(owner, live_server, spec)
    owner.goto(live_server.url(SLUG, f"/admin/orders/{order.id}"))
    book = owner.locator("button[name=carrier][value=steadfast]")
    expect(book).to_have_count(1)
    shot(owner, "order-before-booking")
    book.click()
    booked = _order(live_server, token)
    assert (booked.fulfilment_state, booked.carrier_id) == ("shipped", "steadfast")
    parcel = courier.parcel(booked.tracking_number)
    assert parcel.cod_amount == 0  # paid online: nothing to collect at the door
    expect(owner.locator("main")).to_contain_text(booked.tracking_number)

    # The courier reports the delivery by webhook; the order moves on.
    delivery = courier.advance(parcel.consignment_id, "delivered")
    # To the server's address with the store's host name: Python need not resolve
    # *.localhost on every machine (Chromium does it itself).
    answer = requests.post(f"http://127.0.0.1:{live_server.port}/apps/steadfast/webhook",
                           data=delivery.payload, timeout=10,
                           headers={**dict(delivery.headers), "Host": live_server.host(SLUG)})
    assert answer.status_code == 200, answer.text
    assert _order(live_server, token).fulfilment_state == "delivered"
    owner.reload()
    expect(owner.locator("[data-fulfilment-state]").first).to_have_attribute(
        "data-fulfilment-state", "delivered")
    shot(owner, "order-delivered")

    shopper.reload()
    expect(shopper.locator("main")).to_contain_text(booked.tracking_number)
    expect(shopper.locator("[data-fulfilment-state], .state").first).to_be_visible()
    assert_fits_width(shopper)
    shot(shopper, "delivered")
    shopper.problems.check()
    owner.problems.check()
