"""Shipments: booking a parcel with the carrier behind an order's delivery rate, the
tracking link for the shopper (order page, shipped email, ``haat_order_shipped``), and
a carrier's tracking events (``core.sdk.record_tracking``, ``shipments_in_transit``)
moving orders to delivered or returned: once, never backwards, never across stores.

The carrier is an in-test plugin ("parcels") that quotes one rate and books parcels
the way a courier integration would. Orders are placed like a shopper places them
(``admin_support.place``); the merchant works through the admin over HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from flask import Blueprint, jsonify, request
from sqlalchemy import select

from admin_support import (
    html,
    insert_orders,
    make_gateways,
    open_shops,
    place,
    reload,
    sign_in,
    stock_of,
)
from conftest import PASSWORD, client_for, make_plugin, read_outbox
from core import create_app
from core.db import db
from core.orders import tracking
from core.orders.models import Order, OrderEvent, ShipmentEvent
from core.pluginhost.web import plugins_for_tenant
from core.sdk import (
    Money,
    OrderSnapshot,
    PluginCheckoutError,
    Shipment,
    ShippingRate,
    StoreInfo,
    TrackingEvent,
    csrf_exempt,
    current_store,
    hookimpl,
    record_tracking,
    run_later,
    shipments_in_transit,
    store_values,
)
from core.testing import dispose
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

CARRIER = "parcels"
T0 = datetime(2026, 3, 14, 8, 5, tzinfo=UTC)


@dataclass
class Parcels:
    """A courier integration: ``mode`` says how its booking API answers; ``meanwhile``
    (if set) runs while the courier "answers", as another worker would."""

    id: str = CARRIER
    label: str = "Parcel Express"
    mode: str = "book"  # book, hand, fail, refuse, script-link, no-number
    booked: list[int] = field(default_factory=list)
    meanwhile: Callable[[StoreInfo, OrderSnapshot], None] | None = None
    #: Whether the caller's database session had a transaction open, per booking.
    open_transactions: list[bool] = field(default_factory=list)

    def quote(self, store, cart, address):
        return [ShippingRate(id="express", label="Express", carrier=self.id,
                             amount=Money.from_decimal("80", store.currency))]

    def tracking_url(self, tracking_number):
        return f"https://parcels.example/t/{quote(tracking_number, safe='')}"

    def create_shipment(self, store, order):
        self.booked.append(order.number)
        self.open_transactions.append(db.session().in_transaction())
        if self.meanwhile is not None:
            self.meanwhile(store, order)
        if self.mode == "hand":
            return None
        if self.mode == "fail":
            raise ConnectionError("parcels.example timed out")
        if self.mode == "refuse":
            raise PluginCheckoutError("The address is outside our delivery area.")
        if self.mode == "no-number":
            return Shipment(carrier="Parcel Express", tracking_number=" ")
        link = "javascript:alert(1)" if self.mode == "script-link" else None
        return Shipment(carrier="Parcel Express", tracking_number=f"PX-{order.number}",
                        tracking_url=link)


@pytest.fixture
def carrier():
    return Parcels()


@pytest.fixture
def heard():
    return []


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, carrier, heard):
    """Two BDT stores (admin_support) with the parcels carrier and a listener on."""
    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())

    def listen(name):
        def impl(store, order, **extra):
            heard.append((name, store.slug, order.number, order.fulfilment_state,
                          order.carrier_id, order.tracking_number, extra))
        return impl

    install_plugin(make_plugin("parcels", haat_shipping_carriers=lambda store: [carrier]))
    install_plugin(make_plugin(
        "listener",
        haat_order_shipped=lambda store, order, tracking_url: listen("shipped")(
            store, order, tracking_url=tracking_url),
        haat_order_delivered=lambda store, order: listen("delivered")(store, order),
        haat_order_returned=lambda store, order: listen("returned")(store, order),
        haat_shipment_tracked=lambda store, order, event: listen("tracked")(
            store, order, event=event)))
    for tenant in (shops["a"], shops["b"]):
        enable_plugin(tenant, "parcels")
        enable_plugin(tenant, "listener")
    return shops


def info(app, tenant):
    """The store as hooks and jobs receive it (``core.sdk.StoreInfo``)."""
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def owner(app, tenant):
    """A client signed in to ``tenant``'s admin as its owner."""
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                              "password": PASSWORD}).status_code == 303
    return client


def booked_order(app, shops, key="a", **form):
    """An order placed with the parcels rate, then booked by the store's owner."""
    order = place(app, shops, key, shipping_rate=f"{CARRIER}:express", **form)
    response = owner(app, shops[key]).post(f"/admin/orders/{order.id}/book")
    assert response.status_code == 303, html(response)[:2000]
    booked = reload(app, shops[key], order.id)
    booked.shopper = order.shopper
    return booked


def report(app, tenant, number, *events, carrier_id=CARRIER):
    """``record_tracking`` as a carrier's job would call it (hooks fire on leaving)."""
    store = info(app, tenant)
    with app.app_context():
        return record_tracking(store, carrier_id, number, list(events))


def event(status, minutes=0, event_id="", **fields):
    at = fields.pop("at", T0 + timedelta(minutes=minutes))
    return TrackingEvent(status=status, event_id=event_id, occurred_at=at, **fields)


def steps(app, tenant, order_id):
    """The order's tracking events as (status, event id), oldest first. Haat keeps each
    under "<order id>:<event id>" (unique per parcel); this gives the event's own id."""
    with app.app_context(), tenant_scope(tenant.id):
        return [(e.status, e.event_id.removeprefix(f"{order_id}:")) for e in db.session.scalars(
            select(ShipmentEvent).where(ShipmentEvent.order_id == order_id)
            .order_by(ShipmentEvent.occurred_at, ShipmentEvent.id))]


def kinds(order) -> list[str]:
    """The timeline's kinds, without the notes of messages sent to the shopper."""
    return [kind for kind, *_ in order.event_log if not kind.endswith(("_sent", "_failed"))]


# --------------------------------------------------------------------- booking


def test_booking_through_a_carrier_plugin_shows_the_tracking_link_on_the_order_page(
        app, shops, store_client, carrier):
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{order.id}"))
    assert "Book with Parcel Express" in page
    assert f'action="/admin/orders/{order.id}/book"' in page
    assert f'action="/admin/orders/{order.id}/ship"' in page  # the manual form stays

    booked = admin.post(f"/admin/orders/{order.id}/book")
    assert booked.status_code == 303
    assert (f"Order #{order.number} is booked with Parcel Express, tracking number "
            f"PX-{order.number}.") in html(admin.get(booked.location))
    after = reload(app, shops["a"], order.id)
    link = f"https://parcels.example/t/PX-{order.number}"
    assert (after.fulfilment_state, after.carrier, after.carrier_id, after.tracking_number,
            after.tracking_url) == ("shipped", "Parcel Express", CARRIER,
                                    f"PX-{order.number}", link)
    assert carrier.booked == [order.number]
    assert kinds(after)[-2:] == ["booked", "shipped"]

    shopper = order.shopper.get(f"/orders/{order.token}")
    body = html(shopper)
    assert f'href="{link}" rel="noopener noreferrer' in body
    assert "Track your parcel" in body and f"PX-{order.number}" in body
    assert "Parcel Express" in body
    assert shopper.headers["Referrer-Policy"] == "no-referrer"


def test_the_shipped_email_and_hook_carry_the_booked_link(app, shops, outbox, heard):
    order = booked_order(app, shops, email="asha@example.com")
    link = f"https://parcels.example/t/PX-{order.number}"
    [message] = [m for m in read_outbox(outbox) if "on its way" in m["Subject"]]
    text = message.get_body(preferencelist=("plain",)).get_content()
    page = message.get_body(preferencelist=("html",)).get_content()
    assert "Parcel Express" in text and f"PX-{order.number}" in text and link in text
    assert f'href="{link}"' in page
    assert [h for h in heard if h[0] == "shipped"] == [
        ("shipped", "dhaka-shop", order.number, "shipped", CARRIER, f"PX-{order.number}",
         {"tracking_url": link})]


def test_a_carrier_that_books_by_hand_says_so_and_keeps_the_manual_form(
        app, shops, store_client, carrier):
    carrier.mode = "hand"
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    answer = admin.post(f"/admin/orders/{order.id}/book")
    page = html(answer)
    assert answer.status_code == 422
    assert 'id="book-carrier-error"' in page
    assert ("Parcel Express books this parcel by hand: book it with the courier, then "
            "enter the courier and tracking number below.") in page
    assert f'action="/admin/orders/{order.id}/ship"' in page
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier, after.carrier_id) == ("unfulfilled", "", "")
    assert "booked" not in kinds(after)


def test_a_carrier_that_never_books_offers_no_button(app, shops, store_client, carrier):
    carrier.books_shipments = False  # the optional attribute: parcels are booked by hand
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{order.id}"))
    assert "Book with" not in page and f'/admin/orders/{order.id}/book"' not in page
    assert "Haat makes the link from the tracking number" in page
    stale = admin.post(f"/admin/orders/{order.id}/book")
    assert stale.status_code == 409
    assert "cannot be booked through Haat" in html(stale)
    assert carrier.booked == []


def test_an_order_of_another_carrier_or_a_switched_off_one_offers_no_button(
        app, shops, store_client, enable_plugin):
    courier_order = place(app, shops)  # the in-test courier's rate: it books by hand
    parcel_order = place(app, shops, shipping_rate="parcels:express")
    enable_plugin(shops["a"], "parcels", enabled=False)
    admin = sign_in(store_client, shops["a"])
    assert "Book with Parcel Express" not in html(admin.get(f"/admin/orders/{parcel_order.id}"))
    assert "Book with Courier" in html(admin.get(f"/admin/orders/{courier_order.id}"))
    refused = admin.post(f"/admin/orders/{parcel_order.id}/book")
    assert refused.status_code == 409
    assert "cannot be booked through Haat" in html(refused)
    assert reload(app, shops["a"], parcel_order.id).fulfilment_state == "unfulfilled"


def test_booking_twice_books_one_parcel(app, shops, store_client, carrier):
    order = place(app, shops, shipping_rate="parcels:express")
    first, second = sign_in(store_client, shops["a"]), sign_in(store_client, shops["a"])
    first.get(f"/admin/orders/{order.id}")
    second.get(f"/admin/orders/{order.id}")  # both pages offer the button
    assert first.post(f"/admin/orders/{order.id}/book").status_code == 303
    again = second.post(f"/admin/orders/{order.id}/book")
    assert again.status_code == 409
    assert "This order is shipped; it cannot be booked with a courier now." in html(again)
    assert first.post(f"/admin/orders/{order.id}/book").status_code == 409
    assert carrier.booked == [order.number]
    after = reload(app, shops["a"], order.id)
    assert kinds(after).count("shipped") == 1 and kinds(after).count("booked") == 1


def test_a_carrier_error_is_explained_next_to_the_form_and_changes_nothing(
        app, shops, store_client, carrier, monkeypatch, heard, outbox):
    carrier.mode = "fail"
    order = place(app, shops, shipping_rate="parcels:express", email="asha@example.com")
    admin = sign_in(store_client, shops["a"])
    with pytest.raises(ConnectionError):  # under TESTING the plugin's error is raised
        admin.post(f"/admin/orders/{order.id}/book")

    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    sent_before = len(read_outbox(outbox))
    answer = admin.post(f"/admin/orders/{order.id}/book")
    page = html(answer)
    assert answer.status_code == 422 and 'id="book-carrier-error"' in page
    assert ("Parcel Express did not answer, so nothing was booked. Try again in a few "
            "minutes, or enter the tracking number by hand below.") in page
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier, after.carrier_id, after.tracking_number,
            after.tracking_url) == ("unfulfilled", "", "", "", "")
    assert ("booking_failed", "Booking with Parcel Express failed; nothing was booked.",
            "owner@dhaka-shop.example") in after.event_log
    assert "Booking with Parcel Express failed" in html(admin.get(f"/admin/orders/{order.id}"))
    assert [h for h in heard if h[0] == "shipped"] == []
    assert len(read_outbox(outbox)) == sent_before  # no shipped email


def test_a_carrier_refusal_shows_its_reason(app, shops, store_client, carrier):
    carrier.mode = "refuse"
    order = place(app, shops, shipping_rate="parcels:express")
    answer = sign_in(store_client, shops["a"]).post(f"/admin/orders/{order.id}/book")
    assert answer.status_code == 422
    assert ("Parcel Express refused the booking: The address is outside our delivery "
            "area.") in html(answer)
    after = reload(app, shops["a"], order.id)
    assert after.fulfilment_state == "unfulfilled"
    assert ("booking_failed", "Parcel Express refused the booking: The address is outside "
            "our delivery area.", "owner@dhaka-shop.example") in after.event_log


def test_a_shipment_without_a_number_is_a_carrier_error(app, shops, store_client, carrier,
                                                        monkeypatch):
    carrier.mode = "no-number"
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    with pytest.raises(ValueError, match="tracking number"):
        admin.post(f"/admin/orders/{order.id}/book")
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    assert admin.post(f"/admin/orders/{order.id}/book").status_code == 422
    assert reload(app, shops["a"], order.id).fulfilment_state == "unfulfilled"


def test_a_script_link_from_the_carrier_never_reaches_the_shopper(app, shops, carrier):
    carrier.mode = "script-link"
    order = booked_order(app, shops)
    assert order.tracking_url == f"https://parcels.example/t/PX-{order.number}"
    shopper = client_for(app, "dhaka-shop.localhost")
    assert "javascript:" not in html(shopper.get(f"/orders/{order.token}"))


def test_a_script_link_stored_on_an_old_order_is_not_shown(app, shops):
    [order_id] = insert_orders(app, shops["a"], 1, fulfilment_state="shipped",
                               carrier="Pathao", tracking_number="PX-1",
                               tracking_url="javascript:alert(1)")
    with app.app_context(), tenant_scope(shops["a"].id):
        token = db.session.get(Order, order_id).token
    body = html(client_for(app, "dhaka-shop.localhost").get(f"/orders/{token}"))
    assert "PX-1" in body and "javascript:" not in body and "Track your parcel" not in body


# ------------------------------------------------- booking without holding a lock


def bookings_started(app, tenant, order_id, minutes_ago, *, add=False):
    """Date the order's "booking" entries ``minutes_ago`` (or add one, as a worker that
    stopped while the courier answered would leave it)."""
    with app.app_context(), tenant_scope(tenant.id):
        when = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        if add:
            db.session.add(OrderEvent(order_id=order_id, kind="booking", actor="system",
                                      message="Booking with Parcel Express started.",
                                      created_at=when))
        else:
            for entry in db.session.scalars(select(OrderEvent).where(
                    OrderEvent.order_id == order_id, OrderEvent.kind == "booking")):
                entry.created_at = when
        db.session.commit()


def test_the_courier_is_asked_with_no_transaction_open_so_it_may_write_its_data(
        app, shops, carrier):
    def remember(store, order):  # a carrier keeping its own record of the booking
        store_values(store, CARRIER).set(f"booking:{order.token}", {"number": order.number})

    carrier.meanwhile = remember
    order = booked_order(app, shops)
    assert carrier.open_transactions == [False]
    assert order.fulfilment_state == "shipped" and order.carrier_id == CARRIER
    with app.app_context():
        kept = store_values(info(app, shops["a"]), CARRIER).get(f"booking:{order.token}")
    assert kept == {"number": order.number}
    assert kinds(order)[-3:] == ["booking", "booked", "shipped"]


def test_a_second_click_while_the_courier_answers_is_refused(app, shops, carrier):
    order = place(app, shops, shipping_rate="parcels:express")
    first, second = owner(app, shops["a"]), owner(app, shops["a"])
    meanwhile = []

    def click_again(store, snapshot):
        with app.app_context():  # another worker, with its own session
            meanwhile.append(second.post(f"/admin/orders/{order.id}/book"))
            meanwhile.append(second.get(f"/admin/orders/{order.id}"))

    carrier.meanwhile = click_again
    assert first.post(f"/admin/orders/{order.id}/book").status_code == 303
    again, page = meanwhile
    assert again.status_code == 409
    assert ("A booking with Parcel Express is already under way for this order. Reload "
            "the page in a minute to see how it went; after 5 minutes without an answer "
            "you can book again.") in html(again)
    assert "and has no answer yet" in html(page)
    assert f'action="/admin/orders/{order.id}/book"' not in html(page)
    assert f'action="/admin/orders/{order.id}/ship"' in html(page)  # by hand still works
    assert carrier.booked == [order.number]  # the courier was asked once
    after = reload(app, shops["a"], order.id)
    assert after.fulfilment_state == "shipped"
    assert [kind for kind in kinds(after) if kind.startswith("book")] == ["booking", "booked"]


def test_a_booking_with_no_outcome_blocks_booking_for_five_minutes_only(app, shops,
                                                                        carrier):
    order = place(app, shops, shipping_rate="parcels:express")
    bookings_started(app, shops["a"], order.id, 1, add=True)  # its worker stopped
    admin = owner(app, shops["a"])
    refused = admin.post(f"/admin/orders/{order.id}/book")
    assert refused.status_code == 409 and "is already under way" in html(refused)
    assert carrier.booked == []
    bookings_started(app, shops["a"], order.id, 6)
    assert admin.post(f"/admin/orders/{order.id}/book").status_code == 303
    assert carrier.booked == [order.number]
    assert reload(app, shops["a"], order.id).tracking_number == f"PX-{order.number}"


def test_an_order_cancelled_while_the_courier_answers_stays_cancelled(
        app, shops, carrier, heard, outbox):
    order = place(app, shops, shipping_rate="parcels:express", email="asha@example.com")
    product = shops["ids"]["a"]
    in_stock = stock_of(app, shops["a"], product)
    first, second = owner(app, shops["a"]), owner(app, shops["a"])
    meanwhile = []

    def cancel(store, snapshot):
        with app.app_context():
            meanwhile.append(second.post(f"/admin/orders/{order.id}/cancel",
                                         data={"confirm": "yes"}))

    carrier.meanwhile = cancel
    answer = first.post(f"/admin/orders/{order.id}/book")
    assert [r.status_code for r in meanwhile] == [303]
    assert answer.status_code == 409
    assert (f"Parcel Express booked a parcel (tracking number PX-{order.number}), but the "
            "order was cancelled meanwhile. Cancel the parcel with the courier."
            ) in html(answer)
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier, after.carrier_id, after.tracking_number
            ) == ("cancelled", "", "", "")
    assert ("booked_unused", f"Booked with Parcel Express, tracking PX-{order.number}, "
            "but the order was cancelled meanwhile: cancel the parcel with the courier.",
            f"owner@{shops['a'].slug}.example") in after.event_log
    assert stock_of(app, shops["a"], product) == in_stock + 1  # restocked once
    assert [h for h in heard if h[0] == "shipped"] == []
    assert not [m for m in read_outbox(outbox) if "on its way" in m["Subject"]]


def test_a_booking_retried_after_it_was_given_up_ships_the_order_once(app, shops, carrier):
    order = place(app, shops, shipping_rate="parcels:express")
    first, second = owner(app, shops["a"]), owner(app, shops["a"])
    meanwhile = []

    def give_up_and_retry(store, snapshot):
        carrier.meanwhile = None  # the retry's courier answers at once
        bookings_started(app, shops["a"], order.id, 6)
        with app.app_context():
            meanwhile.append(second.post(f"/admin/orders/{order.id}/book"))

    carrier.meanwhile = give_up_and_retry
    late = first.post(f"/admin/orders/{order.id}/book")
    assert [r.status_code for r in meanwhile] == [303]
    # The courier found the first parcel by the order's token: the same number.
    assert late.status_code == 303
    assert carrier.booked == [order.number, order.number]
    after = reload(app, shops["a"], order.id)
    assert kinds(after).count("shipped") == 1
    assert ("booking_late", f"Parcel Express answered with the parcel the order already "
            f"has, tracking PX-{order.number}. (This booking had been given up and a newer "
            "one started.)", f"owner@{shops['a'].slug}.example") in after.event_log


def test_an_unusable_answer_says_to_check_with_the_courier(app, shops, store_client,
                                                           carrier, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    carrier.mode = "no-number"
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    answer = admin.post(f"/admin/orders/{order.id}/book")
    assert answer.status_code == 422
    page = html(answer)
    assert ("The answer of Parcel Express could not be used; check with the courier "
            "before booking again.") in page
    assert "nothing was booked" not in page
    after = reload(app, shops["a"], order.id)
    assert ("booking_failed", "Booking with Parcel Express: the courier's answer could not "
            "be used (no tracking number); check with the courier before booking again.",
            "owner@dhaka-shop.example") in after.event_log
    carrier.mode = "book"  # the failure ended the booking: the merchant may book again
    assert admin.post(f"/admin/orders/{order.id}/book").status_code == 303
    assert carrier.booked == [order.number, order.number]


# ---------------------------------------------------------------- by hand


def test_shipping_by_hand_fills_in_the_carriers_link(app, shops, store_client, heard):
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    shipped = admin.post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "Parcel Express", "tracking_number": "PX 12/3", "tracking_url": ""})
    assert shipped.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert (after.tracking_url, after.carrier_id) == (
        "https://parcels.example/t/PX%2012%2F3", CARRIER)
    body = html(order.shopper.get(f"/orders/{order.token}"))
    assert 'href="https://parcels.example/t/PX%2012%2F3"' in body
    assert heard[-1][0] == "shipped"
    assert heard[-1][-1] == {"tracking_url": "https://parcels.example/t/PX%2012%2F3"}


def test_a_link_the_merchant_typed_wins_and_names_no_carrier(app, shops, store_client):
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    admin.post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "Pathao", "tracking_number": "P-9",
        "tracking_url": "https://pathao.example/t/P-9"})
    after = reload(app, shops["a"], order.id)
    assert (after.carrier, after.tracking_url, after.carrier_id) == (
        "Pathao", "https://pathao.example/t/P-9", "")


def test_without_a_carrier_link_nothing_is_filled_in(app, shops, store_client):
    order = place(app, shops)  # the in-test courier has no tracking page
    admin = sign_in(store_client, shops["a"])
    admin.post(f"/admin/orders/{order.id}/ship", data={"carrier": "Pathao",
                                                        "tracking_number": "P-1"})
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.tracking_url, after.carrier_id) == (
        "shipped", "", "")


ZONES = """\
Bangladesh: BD
  Steadfast: 130
  track: https://steadfast.example/t/{number}
  Pathao: 120
  track: https://pathao.example/track?c={number}
"""


def test_the_shipping_plugins_track_lines_link_each_option(app, shops, store_client,
                                                           enable_plugin):
    enable_plugin(shops["a"], "shipping", settings={"zones": ZONES})
    order = place(app, shops, shipping_rate="shipping:bangladesh/pathao")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{order.id}"))
    assert "Book with" not in page  # track: pages only link; parcels are booked by hand
    assert "Haat makes the link from the tracking number" in page
    admin.post(f"/admin/orders/{order.id}/ship", data={"carrier": "Pathao",
                                                        "tracking_number": "DH 77"})
    after = reload(app, shops["a"], order.id)
    assert (after.tracking_url, after.carrier_id) == (
        "https://pathao.example/track?c=DH%2077", "shipping")
    body = html(order.shopper.get(f"/orders/{order.token}"))
    assert 'href="https://pathao.example/track?c=DH%2077"' in body


def test_the_manual_form_suggests_the_courier_and_another_courier_gets_no_link(
        app, shops, store_client, enable_plugin):
    enable_plugin(shops["a"], "shipping", settings={"zones": ZONES})
    quoted_pathao = place(app, shops, shipping_rate="shipping:bangladesh/pathao")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{quoted_pathao.id}"))
    assert re.search(r'<input type="text" name="carrier"[^>]* value="Pathao"', page)
    assert "Haat makes the link from the tracking number for a parcel sent with Pathao" in page
    # Quoted with Pathao, sent with RedX: RedX's number gets no Pathao link nor carrier.
    admin.post(f"/admin/orders/{quoted_pathao.id}/ship", data={
        "carrier": "RedX", "tracking_number": "RX-5"})
    after = reload(app, shops["a"], quoted_pathao.id)
    assert (after.fulfilment_state, after.carrier, after.tracking_number, after.tracking_url,
            after.carrier_id) == ("shipped", "RedX", "RX-5", "", "")
    # The suggested name, however it is capitalised or spaced, gets the link.
    kept = place(app, shops, shipping_rate="shipping:bangladesh/pathao")
    admin.post(f"/admin/orders/{kept.id}/ship", data={"carrier": "  pATHAO ",
                                                       "tracking_number": "P-1"})
    after = reload(app, shops["a"], kept.id)
    assert (after.carrier, after.tracking_url, after.carrier_id) == (
        "pATHAO", "https://pathao.example/track?c=P-1", "shipping")
    # A carrier plugin without courier names suggests its label.
    parcel = place(app, shops, shipping_rate="parcels:express")
    page = html(admin.get(f"/admin/orders/{parcel.id}"))
    assert re.search(r'<input type="text" name="carrier"[^>]* value="Parcel Express"', page)
    admin.post(f"/admin/orders/{parcel.id}/ship", data={"carrier": "Pathao",
                                                         "tracking_number": "P-2"})
    after = reload(app, shops["a"], parcel.id)
    assert (after.carrier, after.tracking_url, after.carrier_id) == ("Pathao", "", "")


def test_the_admin_page_links_a_tracking_page_once_and_only_a_safe_one(
        app, shops, store_client):
    [old] = insert_orders(app, shops["a"], 1, fulfilment_state="shipped", carrier="Pathao",
                          tracking_number="PX-1", tracking_url="javascript:alert(1)")
    [bare] = insert_orders(app, shops["a"], 1, fulfilment_state="shipped", carrier="Pathao",
                           tracking_url="javascript:alert(2)")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{old}"))
    assert "PX-1" in page and "javascript:" not in page
    assert "javascript:" not in html(admin.get(f"/admin/orders/{bare}"))
    order = booked_order(app, shops)
    page = html(admin.get(f"/admin/orders/{order.id}"))
    assert page.count(f'href="https://parcels.example/t/{order.tracking_number}"') == 1


def test_a_bengali_admin_reads_the_refusals_of_the_order_services_in_bengali(
        app, shops, store_client):
    with app.app_context(), platform_scope():
        db.session.get(Tenant, shops["a"].id).locale = "bn"
        db.session.commit()
    invalidate_all()
    order = place(app, shops, shipping_rate="parcels:express")
    admin = sign_in(store_client, shops["a"])
    unnamed = admin.post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "  ", "tracking_number": "P-1"})
    assert unnamed.status_code == 422
    assert "কুরিয়ারের নাম লিখুন।" in html(unnamed)
    long_link = admin.post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "Pathao", "tracking_url": "https://pathao.example/" + "t" * 500})
    assert long_link.status_code == 422
    # "Use at most 500 characters.", next to the field (in the digits the store writes).
    assert "সর্বোচ্চ 500টি অক্ষর ব্যবহার করুন।" in html(long_link)
    assert "Enter the courier's name." not in html(unnamed)
    assert reload(app, shops["a"], order.id).fulfilment_state == "unfulfilled"


# -------------------------------------------------------------- tracking events


def test_record_tracking_moves_a_shipped_order_to_delivered_once(app, shops, heard):
    order = booked_order(app, shops)
    number = order.tracking_number
    journey = [event("picked_up", 0, "e1", location="Mirpur hub"),
               event("out_for_delivery", 60, "e2", description="Rider: Karim"),
               event("delivered", 120, "e3")]
    heard.clear()
    snapshot = report(app, shops["a"], number, *reversed(journey))  # any order
    assert snapshot is not None
    assert (snapshot.fulfilment_state, snapshot.carrier_id, snapshot.tracking_number) == (
        "delivered", CARRIER, number)
    assert steps(app, shops["a"], order.id) == [
        ("picked_up", "e1"), ("out_for_delivery", "e2"), ("delivered", "e3")]
    after = reload(app, shops["a"], order.id)
    assert after.fulfilment_state == "delivered"
    assert kinds(after).count("tracking") == 3 and kinds(after).count("delivered") == 1
    assert ("tracking", "Carrier reported: out for delivery (Rider: Karim), "
            "2026-03-14 09:05 UTC.", "plugin:parcels") in after.event_log
    # Each new event once, then the move; every hook sees the order as it ended up.
    assert [(h[0], h[3], h[-1]["event"].event_id if "event" in h[-1] else None)
            for h in heard] == [("tracked", "delivered", "e1"), ("tracked", "delivered", "e2"),
                                ("tracked", "delivered", "e3"), ("delivered", "delivered", None)]

    heard.clear()  # the same report again (a webhook delivered twice): nothing happens
    again = report(app, shops["a"], number, *journey)
    assert again is not None and again.fulfilment_state == "delivered"
    assert heard == []
    assert len(steps(app, shops["a"], order.id)) == 3
    assert kinds(reload(app, shops["a"], order.id)) == kinds(after)


def test_late_and_out_of_order_events_never_move_an_order_backwards(app, shops, heard):
    order = booked_order(app, shops, quantity=2)
    number = order.tracking_number
    product = shops["ids"]["a"]
    stock = lambda: stock_of(app, shops["a"], product)  # noqa: E731
    report(app, shops["a"], number, event("delivered", 120, "d"))
    # A return reported late, but that happened before the delivery: recorded only.
    late = report(app, shops["a"], number, event("returned", 30, "r-old"),
                  event("in_transit", 60, "t-late"))
    assert late.fulfilment_state == "delivered"
    assert stock() == 3  # not restocked
    assert [s for s, _ in steps(app, shops["a"], order.id)] == [
        "returned", "in_transit", "delivered"]
    # A return after the delivery moves it on, restocking once.
    heard.clear()
    returned = report(app, shops["a"], number, event("returning", 1440, "back"),
                      event("returned", 2880, "r"))
    assert returned.fulfilment_state == "returned"
    assert stock() == 5
    assert [h[0] for h in heard] == ["tracked", "tracked", "returned"]
    # A delivery reported after the return changes nothing.
    heard.clear()
    assert report(app, shops["a"], number, event("delivered", 3000, "d2")
                  ).fulfilment_state == "returned"
    assert report(app, shops["a"], number, event("returned", 3100, "r2")
                  ).fulfilment_state == "returned"
    assert stock() == 5
    assert [h[0] for h in heard] == ["tracked", "tracked"]


def test_events_without_ids_are_recognised_when_reported_again(app, shops):
    order = booked_order(app, shops)
    timed = TrackingEvent(status="in_transit", occurred_at=T0, location="Dhaka hub")
    untimed = TrackingEvent(status="out_for_delivery", description="With the rider")
    for _ in range(2):
        report(app, shops["a"], order.tracking_number, timed, untimed)
    recorded = steps(app, shops["a"], order.id)
    assert [s for s, _ in recorded] == ["in_transit", "out_for_delivery"]
    assert all(event_id.startswith("haat:") for _, event_id in recorded)
    # The same instant written in another time zone is the same event.
    dhaka = T0.astimezone(ZoneInfo("Asia/Dhaka"))
    report(app, shops["a"], order.tracking_number,
           TrackingEvent(status="in_transit", occurred_at=dhaka, location="Dhaka hub"))
    assert len(steps(app, shops["a"], order.id)) == 2


def test_bad_reports_change_nothing(app, shops):
    order = booked_order(app, shops)
    naive = TrackingEvent(status="delivered", occurred_at=datetime(2026, 3, 14, 9, 0))
    with pytest.raises(ValueError, match="time zone"):
        report(app, shops["a"], order.tracking_number, event("picked_up", 0, "ok"), naive)
    with pytest.raises(TypeError):
        report(app, shops["a"], order.tracking_number, {"status": "delivered"})
    with pytest.raises(ValueError):
        TrackingEvent(status="lost")
    assert steps(app, shops["a"], order.id) == []
    assert reload(app, shops["a"], order.id).fulfilment_state == "shipped"
    assert report(app, shops["a"], "NO-SUCH-PARCEL", event("delivered")) is None
    assert report(app, shops["a"], order.tracking_number, event("delivered"),
                  carrier_id="other-carrier") is None
    with pytest.raises(TypeError, match="StoreInfo"), app.app_context():
        record_tracking(shops["a"], CARRIER, order.tracking_number, [])



def test_each_parcel_keeps_its_own_events_numbered_per_parcel(app, shops, heard):
    first, second = booked_order(app, shops), booked_order(app, shops)
    heard.clear()
    for order in (first, second):  # the courier numbers each parcel's events 1, 2, ...
        report(app, shops["a"], order.tracking_number, event("picked_up", 0, "1"),
               event("delivered", 60, "2"))
    for order in (first, second):
        assert steps(app, shops["a"], order.id) == [("picked_up", "1"), ("delivered", "2")]
        assert reload(app, shops["a"], order.id).fulfilment_state == "delivered"
    tracked = [(h[2], h[-1]["event"].event_id) for h in heard if h[0] == "tracked"]
    assert tracked == [(first.number, "1"), (first.number, "2"), (second.number, "1"),
                       (second.number, "2")]


def test_an_event_recorded_meanwhile_by_another_report_counts_as_recorded(
        app, shops, heard, monkeypatch):
    order = booked_order(app, shops)
    report(app, shops["a"], order.tracking_number, event("picked_up", 0, "p1"))
    # A concurrent report of the same event commits between this one's reading and its
    # writing: simulated by not seeing the recorded event on the first attempt.
    seen, calls = tracking._known, []

    def late_to_see(*args):
        calls.append(args)
        return set() if len(calls) <= 2 else seen(*args)

    monkeypatch.setattr(tracking, "_known", late_to_see)
    heard.clear()
    again = report(app, shops["a"], order.tracking_number, event("picked_up", 0, "p1"))
    assert again is not None and again.fulfilment_state == "shipped"
    assert len(calls) == 3  # the write failed on the unique key; read again, nothing new
    assert steps(app, shops["a"], order.id) == [("picked_up", "p1")]
    assert heard == []


def test_a_replayed_or_empty_report_writes_nothing_and_leaves_no_transaction_open(
        app, shops):
    order = booked_order(app, shops)
    number = order.tracking_number
    report(app, shops["a"], number, event("picked_up", 0, "p"), event("in_transit", 5, "t"))
    before = reload(app, shops["a"], order.id)
    store = info(app, shops["a"])
    with app.app_context():
        connections = db.engine.pool.checkedout()
        replayed = record_tracking(store, CARRIER, number,
                                   [event("in_transit", 5, "t"), event("picked_up", 0, "p")])
        assert replayed.fulfilment_state == "shipped"
        assert not db.session().in_transaction()
        assert record_tracking(store, CARRIER, number, []).tracking_number == number
        assert not db.session().in_transaction()
        assert record_tracking(store, CARRIER, "NO-SUCH-PARCEL", [event("delivered")]) is None
        assert not db.session().in_transaction()
        assert db.engine.pool.checkedout() == connections
    after = reload(app, shops["a"], order.id)
    assert after.updated_at == before.updated_at
    assert kinds(after) == kinds(before)


def test_store_a_cannot_find_or_change_store_b_orders_by_tracking_number(app, shops, heard):
    a_order = booked_order(app, shops, "a")
    b_order = booked_order(app, shops, "b")
    assert a_order.tracking_number == b_order.tracking_number == "PX-1001"  # both #1001
    heard.clear()
    delivered = report(app, shops["a"], "PX-1001", event("delivered", 10, "same-id"))
    assert delivered.id == a_order.id
    assert reload(app, shops["b"], b_order.id).fulfilment_state == "shipped"
    assert steps(app, shops["b"], b_order.id) == []
    assert {h[1] for h in heard} == {"dhaka-shop"}
    # The same event id in store B is B's own event, applied to B's order only.
    assert report(app, shops["b"], "PX-1001", event("returned", 10, "same-id")
                  ).id == b_order.id
    assert reload(app, shops["a"], a_order.id).fulfilment_state == "delivered"
    assert reload(app, shops["b"], b_order.id).fulfilment_state == "returned"
    # A parcel only store B has is not found through store A.
    booked_order(app, shops, "b")
    assert report(app, shops["a"], "PX-1002", event("delivered")) is None
    store_a, store_b = info(app, shops["a"]), info(app, shops["b"])
    with app.app_context():
        assert shipments_in_transit(store_a, CARRIER) == []
        in_b = shipments_in_transit(store_b, CARRIER)
    assert [(o.number, o.tracking_number) for o in in_b] == [(1002, "PX-1002")]


def test_shipments_in_transit_costs_the_same_queries_for_1_or_6_parcels(
        app, shops, count_queries):
    store = info(app, shops["a"])

    def orders(count):
        return insert_orders(app, shops["a"], count, fulfilment_state="shipped",
                             carrier="Parcel Express", carrier_id=CARRIER,
                             tracking_number="PX")

    orders(1)
    insert_orders(app, shops["a"], 1, fulfilment_state="delivered", carrier_id=CARRIER,
                  tracking_number="PX-D")
    insert_orders(app, shops["a"], 1, fulfilment_state="shipped", carrier_id="other",
                  tracking_number="OT-1")
    with app.app_context(), count_queries() as few:
        assert len(shipments_in_transit(store, CARRIER)) == 1
    orders(5)
    with app.app_context(), count_queries() as many:
        found = shipments_in_transit(store, CARRIER)
    assert len(found) == 6 and all(o.fulfilment_state == "shipped" for o in found)
    assert all(o.lines and o.carrier_id == CARRIER for o in found)
    assert len(few) == len(many) == 2, many


def poll_parcels(store):
    """A scheduled poll, as a carrier plugin writes it: every parcel in transit is
    reported delivered (a real one asks the courier's API)."""
    for order in shipments_in_transit(store, CARRIER):
        record_tracking(store, CARRIER, order.tracking_number,
                        [TrackingEvent(status="delivered", event_id=f"poll-{order.number}",
                                       occurred_at=T0)])


def test_a_scheduled_poll_reports_through_a_job(app, shops, heard):
    first, second = booked_order(app, shops), booked_order(app, shops)
    heard.clear()
    with app.app_context():
        run_later(info(app, shops["a"]), poll_parcels)  # immediate in tests
    for order in (first, second):
        assert reload(app, shops["a"], order.id).fulfilment_state == "delivered"
    assert sorted(h[2] for h in heard if h[0] == "delivered") == [first.number,
                                                                  second.number]


# A plugin's webhook route: the courier's server sends no CSRF token, so the route is
# exempted with core.sdk.csrf_exempt.
webhooks = Blueprint("parcels_webhooks", __name__, url_prefix="/apps/parcels")


@webhooks.post("/webhook")
@csrf_exempt
def parcels_webhook():
    data = request.get_json(force=True)
    order = record_tracking(current_store(), CARRIER, data["tracking"], [TrackingEvent(
        status=data["status"], event_id=data["id"],
        occurred_at=datetime.fromisoformat(data["at"]))])
    if order is None:
        return jsonify(error="unknown parcel"), 404
    return jsonify(state=order.fulfilment_state)


@hookimpl
def _webhook_blueprints():
    return [webhooks]


def _webhook_plugin():
    from types import ModuleType

    from core.sdk import PluginManifest

    module = ModuleType("parcels_webhook_plugin")
    module.manifest = PluginManifest(name="parcels-webhook", title="Parcels webhook")
    module.haat_blueprints = _webhook_blueprints
    return module


webhook_plugin = _webhook_plugin()


def test_a_webhook_route_reports_tracking(app, shops, monkeypatch):
    order = booked_order(app, shops)
    point = EntryPoint(name="parcels-webhook", value="test_shipments:webhook_plugin",
                       group="haat.plugins")
    monkeypatch.setattr("core.pluginhost.manager.entry_points", lambda group: [point])
    worker = create_app({**{k: app.config[k] for k in (
        "TESTING", "DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "HAAT_INSTANCE_DIR",
        "HAAT_MEDIA_DIR", "HAAT_PLATFORM_DOMAIN", "HAAT_JOBS") if k in app.config},
        "WTF_CSRF_ENABLED": True})
    try:
        _webhook_checks(app, worker, shops, order)
    finally:
        dispose(worker)


def _webhook_checks(app, worker, shops, order):
    from core.pluginhost.state import set_enabled

    with worker.app_context():
        set_enabled(shops["a"].id, "parcels-webhook", True)
        db.session.commit()
    courier = client_for(worker, "dhaka-shop.localhost")
    assert courier.post("/cart/add", data={}).status_code == 400  # CSRF is on here
    body = {"tracking": order.tracking_number, "status": "delivered", "id": "wh-1",
            "at": "2026-03-14T10:00:00+06:00"}
    answer = courier.post("/apps/parcels/webhook", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"state": "delivered"}
    assert courier.post("/apps/parcels/webhook", json=body).get_json() == {
        "state": "delivered"}  # delivered twice: applied once
    assert steps(app, shops["a"], order.id) == [("delivered", "wh-1")]
    # Store B's host does not find store A's parcel.
    other = client_for(worker, "other-shop.localhost")
    with worker.app_context():
        set_enabled(shops["b"].id, "parcels-webhook", True)
        db.session.commit()
    assert other.post("/apps/parcels/webhook", json={**body, "id": "wh-2"}).status_code == 404
    assert steps(app, shops["a"], order.id) == [("delivered", "wh-1")]


# ---------------------------------------------------------------------- hooks


def test_hook_order_delivered(app, shops, store_client, heard):
    by_carrier = booked_order(app, shops)
    by_hand = place(app, shops)
    admin = sign_in(store_client, shops["a"])
    admin.post(f"/admin/orders/{by_hand.id}/ship", data={"carrier": "Pathao"})
    heard.clear()
    report(app, shops["a"], by_carrier.tracking_number, event("delivered", 5, "d"))
    assert admin.post(f"/admin/orders/{by_hand.id}/deliver").status_code == 303
    delivered = [(h[1], h[2], h[3]) for h in heard if h[0] == "delivered"]
    assert delivered == [("dhaka-shop", by_carrier.number, "delivered"),
                         ("dhaka-shop", by_hand.number, "delivered")]


def test_hook_order_returned(app, shops, store_client, heard):
    by_carrier = booked_order(app, shops)
    by_hand = booked_order(app, shops)
    heard.clear()
    report(app, shops["a"], by_carrier.tracking_number, event("returned", 5, "r"))
    admin = sign_in(store_client, shops["a"])
    assert admin.post(f"/admin/orders/{by_hand.id}/return").status_code == 303
    returned = [(h[1], h[2], h[3]) for h in heard if h[0] == "returned"]
    assert returned == [("dhaka-shop", by_carrier.number, "returned"),
                        ("dhaka-shop", by_hand.number, "returned")]
    assert stock_of(app, shops["a"], shops["ids"]["a"]) == 5  # both back on the shelf


def test_hook_shipment_tracked(app, shops, heard):
    order = booked_order(app, shops)
    heard.clear()
    report(app, shops["a"], order.tracking_number,
           event("out_for_delivery", 0, "o1", description="  Rider:   Karim ",
                 location="Mirpur"),
           TrackingEvent(status="delivery_failed", description="Nobody home"))
    tracked = [h for h in heard if h[0] == "tracked"]
    assert len(tracked) == 2
    first = tracked[0][-1]["event"]
    assert isinstance(first, TrackingEvent)
    assert (first.status, first.event_id, first.occurred_at, first.description,
            first.location) == ("out_for_delivery", "o1", T0, "Rider: Karim", "Mirpur")
    second = tracked[1][-1]["event"]
    assert second.event_id.startswith("haat:") and second.occurred_at.tzinfo is not None
    assert {(h[1], h[2], h[4], h[5]) for h in tracked} == {
        ("dhaka-shop", order.number, CARRIER, order.tracking_number)}
    heard.clear()
    report(app, shops["a"], order.tracking_number, event("out_for_delivery", 0, "o1"))
    assert heard == []  # a replay fires nothing


# ------------------------------------------------------------------- the journey


def test_the_admin_page_shows_the_shipment_and_its_journey(app, shops, store_client):
    order = booked_order(app, shops)
    report(app, shops["a"], order.tracking_number,
           event("picked_up", 0, "p", location="Mirpur hub"),
           event("out_for_delivery", 90, "o", description="Rider: Karim"))
    page = html(sign_in(store_client, shops["a"]).get(f"/admin/orders/{order.id}"))
    assert "Parcel Express" in page and order.tracking_number in page
    assert f'href="https://parcels.example/t/{order.tracking_number}"' in page
    assert 'data-tracking-status="picked_up"' in page and "Picked up" in page
    assert "Out for delivery" in page and "Rider: Karim" in page and "Mirpur hub" in page
    assert "2026-03-14" in page or "Mar 14, 2026" in page
    assert page.index('data-tracking-status="out_for_delivery"') < page.index(
        'data-tracking-status="picked_up"')  # newest first, like the timeline


def test_the_shoppers_order_page_shows_the_journey_in_their_language(app, shops):
    with app.app_context(), platform_scope():
        tenant = db.session.get(Tenant, shops["a"].id)
        tenant.bengali_digits, tenant.timezone = True, "Asia/Dhaka"
        db.session.commit()
    invalidate_all()
    order = booked_order(app, shops)
    report(app, shops["a"], order.tracking_number,
           event("picked_up", 0, "p", location="Mirpur hub"),
           event("delivered", 120, "d", description="Handed to Asha"))
    shopper = client_for(app, "dhaka-shop.localhost")
    english = html(shopper.get(f"/orders/{order.token}?lang=en"))
    assert "Picked up by the courier" in english and "Mirpur hub" in english
    assert "Delivered" in english and "Handed to Asha" in english
    assert "Mar 14, 2026, 2:05" in english  # 08:05 UTC is 14:05 in Dhaka
    assert english.index("Picked up by the courier") < english.index("Handed to Asha")
    bengali = html(shopper.get(f"/orders/{order.token}?lang=bn"))
    assert "কুরিয়ার পার্সেলটি সংগ্রহ করেছে" in bengali
    assert "১৪" in bengali and "২০২৬" in bengali and "২:০৫" in bengali
    armenian = html(shopper.get(f"/orders/{order.token}?lang=hy"))
    assert "Առաքիչը վերցրել է ծանրոցը" in armenian and "14:05" in armenian
    assert 'datetime="2026-03-14T08:05:00+00:00"' in armenian
