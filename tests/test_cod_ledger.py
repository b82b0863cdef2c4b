"""Cash on delivery settled by couriers: ``core.sdk.record_cod_collections`` keeps what a
courier collected, kept and paid out per parcel; the admin's report at
``/admin/orders/cod`` sets it against the orders, per courier, and lists the parcels to
check; a payout that covers an order marks it paid. Risky cash-on-delivery orders (a
phone whose parcels keep coming back, in this store or by a courier's record through
``haat_delivery_record``) are flagged on the order page and in the list. Couriers that
book any order (``books_any_order``) are offered beside the one that quoted the rate.

Orders are written straight to the database in the states a courier would leave them
(``insert_orders``); the merchant reads everything through the admin over HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from admin_support import html, insert_orders, make_gateways, open_shops, place, reload, sign_in
from conftest import make_plugin
from core.db import db, utcnow
from core.orders.models import CodCollection as CollectionRow
from core.orders.models import Order, OrderEvent
from core.pluginhost.web import plugins_for_tenant
from core.sdk import (
    CodCollection,
    DeliveryRecord,
    Money,
    Shipment,
    record_cod_collections,
)
from tenants import tenant_scope

STEADY = "steady"


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


def info(app, tenant):
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def cod_parcels(app, tenant, count, *, state="delivered", carrier_id=STEADY,
                carrier="Steady Courier", total=150_000, days_ago=10, phone="01711111111",
                payment_state="pending"):
    """``count`` cash-on-delivery orders shipped with a courier and left in ``state``;
    delivered ones get their "delivered" timeline entry ``days_ago`` days back."""
    ids = insert_orders(app, tenant, count, payment_method="cod", total=total,
                        subtotal=total, fulfilment_state=state, carrier=carrier,
                        carrier_id=carrier_id, phone=phone, email="",
                        payment_state=payment_state)
    with app.app_context(), tenant_scope(tenant.id):
        for order in db.session.scalars(select(Order).where(Order.id.in_(ids))):
            order.tracking_number = f"SF-{order.number}"
            if state == "delivered":
                db.session.add(OrderEvent(order_id=order.id, kind="delivered",
                                          actor="system", message="Delivered.",
                                          created_at=utcnow() - timedelta(days=days_ago)))
        db.session.commit()
        return [db.session.get(Order, i).tracking_number for i in ids], ids


def collect(app, tenant, collections, carrier_id=STEADY):
    with app.app_context():
        return record_cod_collections(info(app, tenant), carrier_id, collections)


def taka(amount: str) -> Money:
    return Money.from_decimal(amount, "BDT")


def row_cells(page: str, courier: str) -> str:
    start = page.index(f'data-courier="{courier}"')
    return page[start:page.index("</tr>", start)]


# ----------------------------------------------------------------- the ledger


def test_the_report_sets_each_couriers_cash_against_the_orders(app, shops, store_client):
    numbers, _ids = cod_parcels(app, shops["a"], 3)
    cod_parcels(app, shops["a"], 2, state="shipped")
    paid_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    changed = collect(app, shops["a"], [
        CodCollection(numbers[0], taka("1500"), taka("70"), "PAY-1", paid_at),
        CodCollection(numbers[1], taka("1500"), taka("70")),     # collected, not paid out
    ])
    assert changed == 2
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    cells = row_cells(page, STEADY)
    assert "Steady Courier" in cells
    # On the way: two parcels of BDT1,500; delivered: three (BDT4,500 expected).
    assert "2 parcels" in cells and "BDT3,000.00" in cells
    assert "3 parcels" in cells and "BDT4,500.00" in cells
    # Collected BDT3,000, kept BDT140, paid out BDT1,430; outstanding: BDT1,430 collected but not
    # paid out, plus BDT1,500 of the parcel not reported at all.
    for amount in ("BDT3,000.00", "BDT140.00", "BDT1,430.00", "BDT2,930.00"):
        assert amount in cells, amount
    assert "Outstanding from couriers: BDT2,930.00" in page
    # Both unfinished parcels were delivered ten days ago: each is listed to check.
    problems = {kind: page.count(f'data-problem="{kind}"')
                for kind in ("not_reported", "payout_missing", "short")}
    assert problems == {"not_reported": 1, "payout_missing": 1, "short": 0}


def test_a_payout_that_covers_the_order_marks_it_paid_once(app, shops):
    numbers, ids = cod_parcels(app, shops["a"], 1)
    first = [CodCollection(numbers[0], taka("1500"), taka("70"), "PAY-9",
                           datetime(2026, 12, 2, tzinfo=UTC))]
    assert collect(app, shops["a"], first) == 1
    order = reload(app, shops["a"], ids[0])
    assert order.payment_state == "paid"
    assert [kind for kind, *_ in order.event_log].count("cod_payout") == 1
    # The same statement again changes nothing and notes nothing.
    assert collect(app, shops["a"], first) == 0
    again = reload(app, shops["a"], ids[0])
    assert [kind for kind, *_ in again.event_log].count("cod_payout") == 1


def test_a_short_collection_is_flagged_and_leaves_the_order_unpaid(app, shops, store_client):
    numbers, ids = cod_parcels(app, shops["a"], 1)
    collect(app, shops["a"], [CodCollection(numbers[0], taka("1200"), taka("70"), "PAY-2",
                                            datetime(2026, 12, 2, tzinfo=UTC))])
    assert reload(app, shops["a"], ids[0]).payment_state == "pending"
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    assert page.count('data-problem="short"') == 1
    start = page.index('data-problem="short"')
    assert "BDT300.00" in page[start:page.index("</tr>", start)]  # BDT1,500 due, BDT1,200 collected


def test_recent_deliveries_are_not_flagged_yet(app, shops, store_client):
    cod_parcels(app, shops["a"], 1, days_ago=1)
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    assert "data-problem=" not in page
    assert "Outstanding from couriers: BDT1,500.00" in page


def test_reports_are_checked_before_anything_is_written(app, shops):
    numbers, _ids = cod_parcels(app, shops["a"], 1)
    with pytest.raises(ValueError, match="store's currency"):
        collect(app, shops["a"], [CodCollection(numbers[0], Money(1000, "USD"),
                                                Money(0, "USD"))])
    with pytest.raises(TypeError):
        collect(app, shops["a"], [{"tracking_number": numbers[0]}])
    with pytest.raises(ValueError):
        CodCollection(numbers[0], taka("10"), taka("-1"))
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalars(select(CollectionRow)).all() == []


def test_a_store_cannot_record_or_see_another_stores_parcels(app, shops, store_client):
    numbers_a, ids_a = cod_parcels(app, shops["a"], 1)
    # Store B's courier reports A's consignment number: nothing of A changes.
    assert collect(app, shops["b"], [CodCollection(numbers_a[0], taka("1500"), taka("0"),
                                                   "PAY-X")]) == 0
    assert reload(app, shops["a"], ids_a[0]).payment_state == "pending"
    with app.app_context(), tenant_scope(shops["b"].id):
        assert db.session.scalars(select(CollectionRow)).all() == []
    # B's report page shows none of A's cash.
    page_b = html(sign_in(store_client, shops["b"]).get("/admin/orders/cod"))
    assert "No cash-on-delivery parcels have been shipped yet." in page_b
    assert "Steady Courier" not in page_b
    page_a = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    assert "Outstanding from couriers: BDT1,500.00" in page_a


def test_the_report_is_in_the_staff_language_with_the_stores_digits(app, shops,
                                                                    store_client):
    from admin_support import set_store

    cod_parcels(app, shops["a"], 1)
    set_store(app, shops["a"], locale="bn", bengali_digits=True)
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    assert "Cash on delivery" not in page and "Outstanding" not in page
    assert "১,৫০০" in page


def test_the_report_counts_queries_not_orders(app, shops, store_client, count_queries):
    cod_parcels(app, shops["a"], 2)
    admin = sign_in(store_client, shops["a"])
    admin.get("/admin/orders/cod")
    with count_queries() as few:
        admin.get("/admin/orders/cod")
    cod_parcels(app, shops["a"], 30)
    with count_queries() as many:
        admin.get("/admin/orders/cod")
    assert len(many) == len(few)


# ----------------------------------------------------------------- risky orders


def test_a_phone_whose_parcels_came_back_is_flagged(app, shops, store_client):
    cod_parcels(app, shops["a"], 2, state="returned", phone="01799999999")
    cod_parcels(app, shops["a"], 1, state="delivered", phone="01799999999")
    _numbers, [waiting] = cod_parcels(app, shops["a"], 1, state="unfulfilled",
                                      phone="01799999999")
    _numbers, [fine] = cod_parcels(app, shops["a"], 1, state="unfulfilled",
                                   phone="01722222222")
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{waiting}"))
    assert 'data-risky="yes"' in page
    assert "Your store: 1 delivered, 2 refused or returned." in page
    assert 'data-risky="no"' in html(admin.get(f"/admin/orders/{fine}"))
    listing = html(admin.get("/admin/orders"))
    assert listing.count('data-risky="yes"') == 1
    # Another store knows nothing of store A's returns.
    _numbers, [elsewhere] = cod_parcels(app, shops["b"], 1, state="unfulfilled",
                                        phone="01799999999")
    page_b = html(sign_in(store_client, shops["b"]).get(f"/admin/orders/{elsewhere}"))
    assert "Your store: 0 delivered, 0 refused or returned." in page_b
    assert 'data-risky="no"' in page_b


def test_hook_delivery_record(app, shops, store_client, install_plugin, enable_plugin,
                              isolating):
    """A courier's record of a phone flags a shopper new to the store; it is asked only
    by the stores that have the plugin on, and a raising plugin is left out."""
    asked = []

    def record(store, phone):
        asked.append((store.slug, phone))
        return DeliveryRecord("Steady Courier", delivered=4, returned=3,
                              checked_at=datetime(2026, 12, 6, tzinfo=UTC))

    def broken(store, phone):
        raise RuntimeError("the courier's API is down")

    install_plugin(make_plugin("steady-record", haat_delivery_record=record))
    install_plugin(make_plugin("broken-record", haat_delivery_record=broken))
    enable_plugin(shops["a"], "steady-record")
    enable_plugin(shops["a"], "broken-record")
    _numbers, [order_id] = cod_parcels(app, shops["a"], 1, state="unfulfilled",
                                       phone="01733333333")
    page = html(sign_in(store_client, shops["a"]).get(f"/admin/orders/{order_id}"))
    assert 'data-risky="yes"' in page
    assert "Steady Courier: 4 delivered, 3 refused or returned, with all its merchants." in page
    assert asked == [("dhaka-shop", "01733333333")]
    # Store B has neither plugin on: its order with the same phone asks no one.
    _numbers, [other] = cod_parcels(app, shops["b"], 1, state="unfulfilled",
                                    phone="01733333333")
    page_b = html(sign_in(store_client, shops["b"]).get(f"/admin/orders/{other}"))
    assert "with all its merchants" not in page_b and 'data-risky="no"' in page_b
    assert asked == [("dhaka-shop", "01733333333")]


# ----------------------------------------------------------- booking any order


class AnyOrderCourier:
    """A courier that books any order, taking the area from the address."""

    id = "anywhere"
    label = "Anywhere Courier"
    books_any_order = True

    def __init__(self):
        self.booked = []

    def quote(self, store, cart, address):
        return []

    def tracking_url(self, number):
        return f"https://anywhere.example/t/{number}"

    def create_shipment(self, store, order):
        self.booked.append((store.slug, order.number, order.address.city))
        return Shipment(carrier="Anywhere Courier", tracking_number=f"AW-{order.number}")


def test_a_courier_that_books_any_order_is_offered_beside_the_quoting_one(
        app, shops, store_client, install_plugin, enable_plugin):
    courier = AnyOrderCourier()
    install_plugin(make_plugin("anywhere", haat_shipping_carriers=lambda store: [courier]))
    enable_plugin(shops["a"], "anywhere")
    order = place(app, shops)  # priced with the test courier's rate, which books by hand
    admin = sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/orders/{order.id}"))
    assert 'name="carrier" value="anywhere"' in page
    assert "Book with Anywhere Courier" in page
    booked = admin.post(f"/admin/orders/{order.id}/book", data={"carrier": "anywhere"})
    assert booked.status_code == 303, html(booked)[:1500]
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier_id, after.tracking_number,
            after.tracking_url) == ("shipped", "anywhere", f"AW-{order.number}",
                                    f"https://anywhere.example/t/AW-{order.number}")
    assert courier.booked == [("dhaka-shop", order.number, after.shipping_address["city"])]


def test_a_carrier_not_offered_cannot_be_booked_by_name(app, shops, store_client,
                                                        install_plugin, enable_plugin):
    courier = AnyOrderCourier()
    install_plugin(make_plugin("anywhere", haat_shipping_carriers=lambda store: [courier]))
    enable_plugin(shops["b"], "anywhere")  # on in store B only
    order = place(app, shops)
    admin = sign_in(store_client, shops["a"])
    refused = admin.post(f"/admin/orders/{order.id}/book", data={"carrier": "anywhere"})
    assert refused.status_code == 409
    assert courier.booked == []
    assert reload(app, shops["a"], order.id).fulfilment_state != "shipped"


# ------------------------------------------------------------ what a payout means


def test_orders_marked_paid_by_hand_owe_nothing_and_hand_parcels_are_never_chased(
        app, shops, store_client):
    cod_parcels(app, shops["a"], 1, carrier_id="", carrier="Local Boy", payment_state="paid")
    cod_parcels(app, shops["a"], 1, carrier_id="", carrier="Local Boy")
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders/cod"))
    # The unpaid one is owed; nobody can report it, so it is not listed to check.
    assert "Outstanding from couriers: BDT1,500.00" in page
    assert "data-problem=" not in page


def test_a_late_report_never_takes_a_payout_back(app, shops):
    numbers, [order_id] = cod_parcels(app, shops["a"], 1)
    paid = CodCollection(numbers[0], taka("1500"), taka("70"), "PAY-5",
                         datetime(2026, 12, 2, tzinfo=UTC))
    late = CodCollection(numbers[0], taka("1500"), taka("70"))
    assert collect(app, shops["a"], [paid]) == 1
    assert collect(app, shops["a"], [late]) == 0  # nothing changes
    assert collect(app, shops["a"], [paid]) == 0
    with app.app_context(), tenant_scope(shops["a"].id):
        row = db.session.scalars(select(CollectionRow)).one()
        assert row.payout_reference == "PAY-5"
    kinds = [kind for kind, *_ in reload(app, shops["a"], order_id).event_log]
    assert kinds.count("cod_payout") == 1 and kinds.count("payment_paid") == 1


def test_a_corrected_payout_marks_the_order_paid(app, shops):
    numbers, [order_id] = cod_parcels(app, shops["a"], 1)
    when = datetime(2026, 12, 2, tzinfo=UTC)
    collect(app, shops["a"], [CodCollection(numbers[0], taka("1000"), taka("70"), "PAY-6",
                                            when)])
    assert reload(app, shops["a"], order_id).payment_state == "pending"
    collect(app, shops["a"], [CodCollection(numbers[0], taka("1500"), taka("70"), "PAY-6",
                                            when)])
    assert reload(app, shops["a"], order_id).payment_state == "paid"


def test_only_delivered_cash_on_delivery_orders_are_settled_by_a_payout(app, shops):
    back, [returned] = cod_parcels(app, shops["a"], 1, state="returned")
    [prepaid] = insert_orders(app, shops["a"], 1, payment_method="card", total=150_000,
                              subtotal=150_000, fulfilment_state="delivered",
                              carrier="Steady Courier", carrier_id=STEADY)
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.get(Order, prepaid).tracking_number = "SF-prepaid"
        db.session.commit()
    when = datetime(2026, 12, 2, tzinfo=UTC)
    collect(app, shops["a"], [
        CodCollection(back[0], taka("1500"), taka("70"), "PAY-7", when),
        CodCollection("SF-prepaid", taka("0"), taka("70"), "PAY-7", when)])
    came_back = reload(app, shops["a"], returned)
    assert came_back.payment_state == "pending"
    assert "cod_payout" not in [kind for kind, *_ in came_back.event_log]
    assert "cod_payout" not in [kind for kind, *_ in reload(app, shops["a"],
                                                            prepaid).event_log]


def test_phones_match_however_they_were_typed(app, shops, store_client):
    cod_parcels(app, shops["a"], 2, state="returned", phone="+880 1799-999999")
    _numbers, [waiting] = cod_parcels(app, shops["a"], 1, state="unfulfilled",
                                      phone="01799999999")
    admin = sign_in(store_client, shops["a"])
    assert 'data-risky="yes"' in html(admin.get(f"/admin/orders/{waiting}"))
    assert html(admin.get("/admin/orders")).count('data-risky="yes"') == 1
