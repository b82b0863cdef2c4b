"""The orders admin: the list with its filters, one order's page, every action from a
right and a wrong state, refunds through a provider and by hand, printable pages,
who may use it, and that nothing crosses stores.

Orders are placed like a shopper places them (``/cart/add`` then ``/checkout`` with
the in-test plugins of ``checkout_support``). The list tests that need dozens of
orders write them directly, which is much faster and changes nothing about the page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from admin_support import (
    add_staff,
    html,
    insert_orders,
    order_numbers,
    pay_by_card,
    place,
    reload,
    sign_in,
    stock_of,
)
from core.db import db
from core.discounts.models import Discount
from core.orders.models import Order, OrderEvent
from tenants import tenant_scope


def test_signed_out_visitors_are_sent_to_sign_in(app, shops, store_client):
    order = place(app, shops)
    visitor = store_client("dhaka-shop")
    for path in ("/admin/orders", f"/admin/orders/{order.id}",
                 f"/admin/orders/{order.id}/invoice"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/admin/login" in response.location
    assert visitor.post(f"/admin/orders/{order.id}/mark-paid").status_code == 302
    assert reload(app, shops["a"], order.id).payment_state == "pending"


def test_an_empty_list_says_what_to_do_next(app, shops, store_client):
    page = html(sign_in(store_client, shops["a"]).get("/admin/orders"))
    assert "No orders yet." in page
    assert "Share your store link: " in page and "http://dhaka-shop.localhost/" in page


def test_the_list_shows_number_date_customer_total_and_states_newest_first(
        app, shops, store_client):
    first = place(app, shops, email="rahim@example.com")
    second = place(app, shops, quantity=2, phone="01812345678")
    client = sign_in(store_client, shops["a"])
    response = client.get("/admin/orders")
    page = html(response)
    assert response.status_code == 200
    assert order_numbers(page) == [second.number, first.number]
    assert "rahim@example.com" in page and "01812345678" in page
    assert "1,570.00" in page and "3,070.00" in page  # totals with shipping
    assert 'data-payment-state="pending"' in page and 'data-fulfilment-state="unfulfilled"' in page
    assert 'href="/admin/orders"' in html(client.get("/admin/"))  # in the top bar


def test_filters_by_status_payment_and_date(app, shops, store_client):
    shipped = insert_orders(app, shops["a"], 2, fulfilment_state="shipped",
                            payment_state="paid")
    insert_orders(app, shops["a"], 3)
    january = insert_orders(app, shops["a"], 1,
                            created_at=datetime(2025, 1, 15, 23, 30, tzinfo=UTC))
    client = sign_in(store_client, shops["a"])

    def numbers(query: str) -> int:
        response = client.get(f"/admin/orders?{query}")
        assert response.status_code == 200
        return len(order_numbers(html(response)))

    assert numbers("") == 6
    assert numbers("status=shipped") == 2
    assert numbers("payment=paid") == 2
    assert numbers("payment=pending&status=shipped") == 0
    # 23:30 UTC on the 15th is 05:30 on the 16th in the store's zone (Asia/Dhaka):
    # the filter's days are the store's days.
    assert numbers("from=2025-01-16&to=2025-01-16") == 1
    assert numbers("from=2025-01-15&to=2025-01-15") == 0
    assert numbers("from=2025-01-17") == 5
    assert numbers("to=2025-01-15") == 0
    page = html(client.get("/admin/orders?status=shipped"))
    assert "Clear filters" in page and '<option value="shipped" selected>' in page
    with app.app_context(), tenant_scope(shops["a"].id):
        assert {db.session.get(Order, i).fulfilment_state for i in shipped} == {"shipped"}
        assert db.session.get(Order, january[0]).fulfilment_state == "unfulfilled"
    empty = html(client.get("/admin/orders?status=returned"))
    assert "No orders match these filters." in empty


def test_order_times_are_in_the_stores_time_zone(app, shops, store_client):
    """An order placed at 23:30 UTC on 15 January is 05:30 on the 16th in Dhaka: the
    list, the order page and its timeline all say so, as the dashboard does."""
    [order_id] = insert_orders(app, shops["a"], 1,
                               created_at=datetime(2025, 1, 15, 23, 30, tzinfo=UTC))
    client = sign_in(store_client, shops["a"])
    listing = html(client.get("/admin/orders"))
    assert "Jan 16, 2025" in listing and "Jan 15, 2025" not in listing
    page = html(client.get(f"/admin/orders/{order_id}"))
    placed = re.search(r"Placed <time[^>]*>([^<]*)</time>", page)
    assert placed, page
    assert placed[1].startswith("Jan 16, 2025, 5:30") and "UTC" not in page


def test_bad_filters_are_explained_next_to_their_field_and_ignored(app, shops, store_client):
    insert_orders(app, shops["a"], 2)
    client = sign_in(store_client, shops["a"])
    page = html(client.get("/admin/orders?from=15/01/2025&status=lost&to=2024-01-01"))
    assert 'id="filter-from-error"' in page and "Enter a date like 2025-03-31." in page
    assert 'id="filter-status-error"' in page
    assert 'value="15/01/2025"' in page
    assert len(order_numbers(page)) == 0  # "to" alone still applies
    later = html(client.get("/admin/orders?from=2025-02-01&to=2025-01-01"))
    assert "The end date is before the start date." in later


def test_search_by_number_email_or_phone(app, shops, store_client):
    rahim = place(app, shops, email="Rahim.Uddin@Example.com")
    karim = place(app, shops, phone="+880 1812-345678", email="")
    insert_orders(app, shops["a"], 3)
    client = sign_in(store_client, shops["a"])

    def found(q: str) -> list[int]:
        return order_numbers(html(client.get("/admin/orders", query_string={"q": q})))

    assert found(f"#{karim.number}") == [karim.number]
    assert found(str(rahim.number)) == [rahim.number]
    assert found("rahim.uddin") == [rahim.number]
    assert found("01812345678") == [karim.number]  # typed the local way
    assert found("1812-345678") == [karim.number]
    assert found("100%_") == []  # LIKE wildcards are matched literally
    assert found("²") == []  # not a digit int() reads: no 500
    # Typed in Bengali digits ("#১০০২" for #1002), the number finds the order.
    assert found("#" + str(karim.number).translate(str.maketrans("0123456789",
                                                                 "০১২৩৪৫৬৭৮৯"))) == [karim.number]
    assert "No orders match these filters." in html(client.get("/admin/orders?q=nobody"))


def test_fifty_orders_a_page(app, shops, store_client):
    insert_orders(app, shops["a"], 55)
    client = sign_in(store_client, shops["a"])
    first = html(client.get("/admin/orders"))
    assert len(order_numbers(first)) == 50
    assert "Showing 1–50 of 55 orders" in first and "Page 1 of 2" in first
    assert 'href="/admin/orders?page=2"' in first
    second = html(client.get("/admin/orders?page=2"))
    assert order_numbers(second) == list(range(1005, 1000, -1))
    assert "Showing 51–55 of 55 orders" in second
    assert order_numbers(html(client.get("/admin/orders?page=99"))) == order_numbers(second)
    assert order_numbers(html(client.get("/admin/orders?page=abc"))) == order_numbers(first)
    filtered = html(client.get("/admin/orders?payment=pending"))
    assert 'href="/admin/orders?page=2&amp;payment=pending"' in filtered


def test_the_list_costs_the_same_queries_for_5_or_30_orders(
        app, shops, store_client, count_queries):
    insert_orders(app, shops["a"], 5)
    client = sign_in(store_client, shops["a"])
    client.get("/admin/orders")  # warm the store and plugin caches
    with count_queries() as few:
        assert len(order_numbers(html(client.get("/admin/orders")))) == 5
    insert_orders(app, shops["a"], 25)
    with count_queries() as many:
        assert len(order_numbers(html(client.get("/admin/orders")))) == 30
    assert len(few) == len(many) <= 6, many


# ----------------------------------------------------------------------- detail


def test_the_order_page_shows_lines_address_totals_payment_shipment_and_timeline(
        app, shops, store_client):
    order = place(app, shops, quantity=2, email="rahim@example.com", note="Ring twice")
    page = html(sign_in(store_client, shops["a"]).get(f"/admin/orders/{order.id}"))
    assert f"Order #{order.number}" in page
    assert "Kantha" in page and "SKU KAN-1" in page and "3,000.00" in page
    assert "House 12, Road 5, Dhanmondi" in page and "Rahim Uddin" in page
    assert "Inside Dhaka" in page and "70.00" in page and "3,070.00" in page
    assert "Pay on delivery" in page and "Ring twice" in page
    assert "Order placed; Pay on delivery." in page and "shopper" in page
    assert 'href="mailto:rahim@example.com"' in page
    assert f'/admin/orders/{order.id}/packing-slip' in page


def test_an_unknown_order_is_404(app, shops, store_client):
    client = sign_in(store_client, shops["a"])
    assert client.get("/admin/orders/999999").status_code == 404
    assert client.get("/admin/orders/99999999999").status_code == 404
    assert client.post("/admin/orders/999999/mark-paid").status_code == 404


def test_only_the_actions_the_states_allow_are_offered(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    fresh = html(client.get(f"/admin/orders/{order.id}"))
    for offered in ("mark-paid", "reject-payment", "fulfil", "ship", "cancel", "note"):
        assert f'/admin/orders/{order.id}/{offered}"' in fresh, offered
    for hidden in ("refund", "deliver", "return"):
        assert f'/admin/orders/{order.id}/{hidden}"' not in fresh, hidden
    client.post(f"/admin/orders/{order.id}/mark-paid")
    client.post(f"/admin/orders/{order.id}/ship", data={"carrier": "Pathao"})
    shipped = html(client.get(f"/admin/orders/{order.id}"))
    for offered in ("refund", "deliver", "return", "note"):
        assert f'/admin/orders/{order.id}/{offered}"' in shipped, offered
    for hidden in ("mark-paid", "reject-payment", "fulfil", "ship", "cancel"):
        assert f'/admin/orders/{order.id}/{hidden}"' not in shipped, hidden


# ---------------------------------------------------------------------- actions


def test_mark_paid_then_a_second_click_is_refused(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    done = client.post(f"/admin/orders/{order.id}/mark-paid")
    assert done.status_code == 303 and done.location.endswith(f"/admin/orders/{order.id}")
    after = reload(app, shops["a"], order.id)
    assert after.payment_state == "paid" and after.paid_at is not None
    assert ("payment_paid", "Marked as paid.", f"owner@{shops['a'].slug}.example") \
        in after.event_log
    assert f"Order #{order.number} is marked as paid." in html(client.get(done.location))
    again = client.post(f"/admin/orders/{order.id}/mark-paid")
    assert again.status_code == 409
    assert "This payment is paid; it cannot be marked as paid now." in html(again)
    assert [k for k, *_ in reload(app, shops["a"], order.id).event_log].count(
        "payment_paid") == 1


def test_a_wallet_payment_can_be_rejected_with_a_reason(app, shops, store_client):
    order = place(app, shops, payment_method="wallet-bkash",
                  **{"payment-wallet-bkash-sender": "01812345678",
                     "payment-wallet-bkash-transaction_id": "8N7A6D5X"})
    client = sign_in(store_client, shops["a"])
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "8N7A6D5X" in page and "01812345678" in page
    too_long = client.post(f"/admin/orders/{order.id}/reject-payment", data={"reason": "x" * 501})
    assert too_long.status_code == 422 and 'id="reject-payment-reason-error"' in html(too_long)
    rejected = client.post(f"/admin/orders/{order.id}/reject-payment",
                           data={"reason": "No such transaction in bKash."})
    assert rejected.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert after.payment_state == "failed"
    assert any(m == "Payment rejected. No such transaction in bKash." for _, m, _ in
               after.event_log)
    # A corrected payment can still be accepted; a paid one cannot be rejected.
    assert client.post(f"/admin/orders/{order.id}/mark-paid").status_code == 303
    refused = client.post(f"/admin/orders/{order.id}/reject-payment")
    assert refused.status_code == 409
    assert reload(app, shops["a"], order.id).payment_state == "paid"


def test_pack_ship_and_deliver(app, shops, store_client):
    order = place(app, shops, email="rahim@example.com")
    client = sign_in(store_client, shops["a"])
    assert client.post(f"/admin/orders/{order.id}/fulfil").status_code == 303
    assert reload(app, shops["a"], order.id).fulfilment_state == "fulfilled"
    assert client.post(f"/admin/orders/{order.id}/fulfil").status_code == 409
    shipped = client.post(f"/admin/orders/{order.id}/ship", data={
        "carrier": "Pathao", "tracking_number": "PX-123",
        "tracking_url": "https://track.example/PX-123"})
    assert shipped.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier, after.tracking_number, after.tracking_url) \
        == ("shipped", "Pathao", "PX-123", "https://track.example/PX-123")
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "Shipped with Pathao, tracking PX-123." in page
    assert 'href="https://track.example/PX-123"' in page
    assert client.post(f"/admin/orders/{order.id}/deliver").status_code == 303
    assert reload(app, shops["a"], order.id).fulfilment_state == "delivered"
    assert client.post(f"/admin/orders/{order.id}/deliver").status_code == 409


def test_shipping_needs_a_courier_and_keeps_what_was_typed(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    missing = client.post(f"/admin/orders/{order.id}/ship",
                          data={"carrier": " ", "tracking_number": "PX-9"})
    page = html(missing)
    assert missing.status_code == 422
    assert 'id="ship-carrier-error"' in page and "Enter the courier&#39;s name." in page
    assert 'value="PX-9"' in page
    bad_link = client.post(f"/admin/orders/{order.id}/ship",
                           data={"carrier": "Pathao", "tracking_url": "javascript:alert(1)"})
    assert bad_link.status_code == 422 and 'id="ship-tracking_url-error"' in html(bad_link)
    assert 'value="Pathao"' in html(bad_link)
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier) == ("unfulfilled", "")


@pytest.mark.parametrize(("field", "limit"), [("carrier", 100), ("tracking_number", 100),
                                              ("tracking_url", 500)])
def test_shipping_fields_over_their_limit_are_refused_never_cut(app, shops, store_client,
                                                               field, limit):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert re.search(rf'<input type="[a-z]+"[^>]* name="{field}" maxlength="{limit}"', page)
    typed = {"carrier": "Pathao", "tracking_number": "PX-1",
             "tracking_url": "https://track.example/PX-1"}
    typed[field] = ("https://track.example/" if field == "tracking_url" else "")
    typed[field] += "x" * (limit + 1 - len(typed[field]))
    refused = client.post(f"/admin/orders/{order.id}/ship", data=typed)
    page = html(refused)
    assert refused.status_code == 422
    assert re.search(rf'id="ship-{field}-error"[^>]*>Use at most {limit} characters\.', page)
    assert f'value="{typed[field]}"' in page
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier, after.tracking_url) == ("unfulfilled", "", "")
    typed[field] = typed[field][:limit]  # exactly at the limit: taken whole
    assert client.post(f"/admin/orders/{order.id}/ship", data=typed).status_code == 303
    assert getattr(reload(app, shops["a"], order.id), field) == typed[field]


def test_a_cancelled_order_cannot_be_shipped(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    client.post(f"/admin/orders/{order.id}/cancel", data={"confirm": "yes"})
    refused = client.post(f"/admin/orders/{order.id}/ship", data={"carrier": "Pathao"})
    assert refused.status_code == 409
    assert "This order is cancelled; it cannot be shipped now." in html(refused)
    after = reload(app, shops["a"], order.id)
    assert (after.fulfilment_state, after.carrier) == ("cancelled", "")


def test_cancelling_needs_a_tick_and_puts_the_stock_and_coupon_back(app, shops, store_client):
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.add(Discount(code="EID10", kind="percentage", value=1000))
        db.session.commit()
    order = place(app, shops, quantity=2, coupon="EID10")
    product = shops["ids"]["a"]
    assert stock_of(app, shops["a"], product) == 3
    client = sign_in(store_client, shops["a"])
    unconfirmed = client.post(f"/admin/orders/{order.id}/cancel",
                              data={"reason": "Shopper asked"})
    page = html(unconfirmed)
    assert unconfirmed.status_code == 422
    assert 'id="cancel-confirm-error"' in page and "Tick the box to confirm." in page
    assert 'value="Shopper asked"' in page
    assert stock_of(app, shops["a"], product) == 3
    assert reload(app, shops["a"], order.id).fulfilment_state == "unfulfilled"
    done = client.post(f"/admin/orders/{order.id}/cancel",
                       data={"reason": "Shopper asked", "confirm": "yes"})
    assert done.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert after.fulfilment_state == "cancelled"
    assert ("cancelled", "Cancelled; items restocked. Shopper asked",
            f"owner@{shops['a'].slug}.example") in after.event_log
    assert stock_of(app, shops["a"], product) == 5
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalar(select(Discount.used_count)) == 0
    again = client.post(f"/admin/orders/{order.id}/cancel", data={"confirm": "yes"})
    assert again.status_code == 409
    assert stock_of(app, shops["a"], product) == 5  # not restocked twice


def test_a_shipped_order_cannot_be_cancelled_but_can_come_back(app, shops, store_client):
    order = place(app, shops, quantity=2)
    product = shops["ids"]["a"]
    client = sign_in(store_client, shops["a"])
    client.post(f"/admin/orders/{order.id}/ship", data={"carrier": "Pathao"})
    refused = client.post(f"/admin/orders/{order.id}/cancel", data={"confirm": "yes"})
    assert refused.status_code == 409
    assert "This order is shipped; it cannot be cancelled now." in html(refused)
    assert stock_of(app, shops["a"], product) == 3
    assert client.post(f"/admin/orders/{order.id}/return").status_code == 303
    assert reload(app, shops["a"], order.id).fulfilment_state == "returned"
    assert stock_of(app, shops["a"], product) == 5
    assert client.post(f"/admin/orders/{order.id}/return").status_code == 409
    assert stock_of(app, shops["a"], product) == 5


def test_notes_go_on_the_timeline(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    empty = client.post(f"/admin/orders/{order.id}/note", data={"note": "   "})
    assert empty.status_code == 422 and "Write the note first." in html(empty)
    long = client.post(f"/admin/orders/{order.id}/note", data={"note": "y" * 2001})
    assert long.status_code == 422 and "y" * 2001 in html(long)
    assert client.post(f"/admin/orders/{order.id}/note",
                       data={"note": "Called: deliver after 5pm"}).status_code == 303
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "Called: deliver after 5pm" in page
    assert ("note", "Called: deliver after 5pm", f"owner@{shops['a'].slug}.example") \
        in reload(app, shops["a"], order.id).event_log


# ---------------------------------------------------------------------- refunds


def test_a_refund_made_by_hand_is_recorded(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    client.post(f"/admin/orders/{order.id}/mark-paid")
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "Record a refund you made by hand" in page and "Refund through" not in page
    assert 'value="1570.00"' in page  # what is left, as the default
    partial = client.post(f"/admin/orders/{order.id}/refund",
                          data={"amount": "500", "confirm": "yes", "refunded_before": "0"})
    assert partial.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("partially_refunded", 50_000)
    assert "Refund of BDT500.00 recorded." in html(client.get(partial.location))
    rest = client.post(f"/admin/orders/{order.id}/refund",
                       data={"amount": "১,০৭০.০০", "confirm": "yes",  # 1,070.00
                             "refunded_before": "50000"})
    assert rest.status_code == 303
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("refunded", order.total)
    assert f'/admin/orders/{order.id}/refund"' not in html(client.get(f"/admin/orders/{order.id}"))


def test_a_refund_through_a_provider_that_supports_refunds(app, shops, store_client, gateways):
    order = pay_by_card(app, shops)
    client = sign_in(store_client, shops["a"])
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "Refund through Card" in page and "Record a refund you made by hand" not in page
    done = client.post(f"/admin/orders/{order.id}/refund",
                       data={"amount": "100.50", "confirm": "yes", "refunded_before": "0"})
    assert done.status_code == 303
    assert [(n, a.amount) for n, a in gateways["card"].refunds_made] == [(order.number, 10_050)]
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("partially_refunded", 10_050)
    assert "BDT100.50 refunded through Card." in html(client.get(done.location))
    assert any(k == "payment_partially_refunded" and "re_42" in m for k, m, _ in after.event_log)


def test_a_refused_provider_refund_shows_its_message_and_changes_nothing(
        app, shops, store_client, gateways):
    order = pay_by_card(app, shops)
    gateways["card"].refuse_with = "The charge is disputed."
    client = sign_in(store_client, shops["a"])
    refused = client.post(f"/admin/orders/{order.id}/refund",
                          data={"amount": "100", "confirm": "yes", "refunded_before": "0"})
    page = html(refused)
    assert refused.status_code == 422
    assert 'id="refund-amount-error"' in page
    assert "The refund was refused: The charge is disputed." in page
    assert 'value="100"' in page
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("paid", 0)
    assert ("refund_failed", "Refund refused: The charge is disputed.",
            f"owner@{shops['a'].slug}.example") in after.event_log


def test_with_its_payment_plugin_off_a_refund_is_recorded_by_hand(
        app, shops, store_client, gateways, enable_plugin):
    order = pay_by_card(app, shops)
    enable_plugin(shops["a"], "test-pay", enabled=False)
    client = sign_in(store_client, shops["a"])
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert "Record a refund you made by hand" in page and "plugin is off" in page
    done = client.post(f"/admin/orders/{order.id}/refund",
                       data={"amount": "1570", "confirm": "yes", "refunded_before": "0"})
    assert done.status_code == 303
    assert gateways["card"].refunds_made == []
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("refunded", 157_000)


@pytest.mark.parametrize(("amount", "message"), [
    ("", "Enter the amount to refund."),
    ("abc", "Enter an amount, e.g. 120 or 99.50."),
    ("12.345", "Use at most 2 decimal places."),
    ("0", "Enter an amount above zero."),
    ("-5", "Enter an amount above zero."),
    ("1570.01", "That is more than is left to refund."),
    ("1e999", "Enter an amount, e.g. 120 or 99.50."),
])
def test_bad_refund_amounts_are_explained_next_to_the_field(
        app, shops, store_client, gateways, amount, message):
    order = pay_by_card(app, shops)
    client = sign_in(store_client, shops["a"])
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"amount": amount, "confirm": "yes", "refunded_before": "0"})
    page = html(response)
    assert response.status_code == 422
    assert f'<p class="error" id="refund-amount-error" role="alert">{message}</p>' in page
    assert f'value="{amount}"' in page
    assert gateways["card"].refunds_made == []
    assert reload(app, shops["a"], order.id).refunded_total == 0


def test_a_refund_needs_a_tick_and_a_fresh_page(app, shops, store_client, gateways):
    order = pay_by_card(app, shops)
    client = sign_in(store_client, shops["a"])
    unticked = client.post(f"/admin/orders/{order.id}/refund",
                           data={"amount": "100", "refunded_before": "0"})
    assert unticked.status_code == 422 and 'id="refund-confirm-error"' in html(unticked)
    client.post(f"/admin/orders/{order.id}/refund",
                data={"amount": "100", "confirm": "yes", "refunded_before": "0"})
    # The same form sent again (a double click, a second tab) refunds nothing more.
    stale = client.post(f"/admin/orders/{order.id}/refund",
                        data={"amount": "100", "confirm": "yes", "refunded_before": "0"})
    assert stale.status_code == 409
    assert "Another refund was recorded since you opened this page." in html(stale)
    assert len(gateways["card"].refunds_made) == 1
    assert reload(app, shops["a"], order.id).refunded_total == 10_000


def test_an_unpaid_order_cannot_be_refunded(app, shops, store_client, gateways):
    order = place(app, shops, payment_method="card")
    client = sign_in(store_client, shops["a"])
    refused = client.post(f"/admin/orders/{order.id}/refund",
                          data={"amount": "100", "confirm": "yes", "refunded_before": "0"})
    assert refused.status_code == 409
    assert "This payment is pending; it cannot be refunded now." in html(refused)
    assert gateways["card"].refunds_made == []
    after = reload(app, shops["a"], order.id)
    assert (after.payment_state, after.refunded_total) == ("pending", 0)


def test_a_provider_that_crashes_is_reported_not_a_500(app, shops, store_client, gateways,
                                                       isolating):
    order = pay_by_card(app, shops)

    def explode(store, order, amount):
        raise ConnectionError("provider down")

    gateways["card"].refund = explode
    client = sign_in(store_client, shops["a"])
    response = client.post(f"/admin/orders/{order.id}/refund",
                           data={"amount": "100", "confirm": "yes", "refunded_before": "0"})
    assert response.status_code == 422
    assert "Card did not answer, so nothing was refunded." in html(response)
    assert reload(app, shops["a"], order.id).refunded_total == 0


# ------------------------------------------------------------------ print pages


def test_the_packing_slip_and_invoice_are_printable(app, shops, store_client):
    order = place(app, shops, quantity=2, email="rahim@example.com", note="Gift wrap")
    client = sign_in(store_client, shops["a"])
    slip = html(client.get(f"/admin/orders/{order.id}/packing-slip"))
    invoice = html(client.get(f"/admin/orders/{order.id}/invoice"))
    for page in (slip, invoice):
        assert 'class="print-doc"' in page and "/static/haat.css" in page
        assert "Dhaka Shop" in page and "House 3, Road 7, Dhanmondi, Dhaka" in page
        assert "hello@dhaka-shop.example" in page and "01700000000" in page
        assert f"Order #{order.number}" in page and "Kantha" in page
        assert "House 12, Road 5, Dhanmondi" in page and "rahim@example.com" in page
        assert 'class="no-print print-nav"' in page
    assert "<h1>Packing slip</h1>" in slip and "Gift wrap" in slip and "KAN-1" in slip
    assert "1,500.00" not in slip  # no prices in the parcel
    assert "<h1>Invoice</h1>" in invoice
    assert "3,000.00" in invoice and "70.00" in invoice and "3,070.00" in invoice
    assert "Pay on delivery" in invoice
    with app.open_resource("static/haat.css") as css:
        assert b"@media print" in css.read()


# ------------------------------------------------------------- roles and stores


def test_staff_manage_orders_too(app, shops, store_client):
    order = place(app, shops)
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    assert staff.get("/admin/orders").status_code == 200
    assert staff.post(f"/admin/orders/{order.id}/mark-paid").status_code == 303
    assert ("payment_paid", "Marked as paid.", "helper@dhaka-shop.example") \
        in reload(app, shops["a"], order.id).event_log


def test_store_a_cannot_see_or_touch_store_b_orders(app, shops, store_client, gateways):
    theirs = place(app, shops, key="b", email="secret-buyer@b.example")
    theirs_paid = place(app, shops, key="b", email="paid-buyer@b.example")
    with app.app_context(), tenant_scope(shops["b"].id):
        db.session.get(Order, theirs_paid.id).payment_state = "paid"
        db.session.commit()
    place(app, shops, key="a", email="own@a.example")
    before = {i: reload(app, shops["b"], i).event_log for i in (theirs.id, theirs_paid.id)}
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    listing = html(staff.get("/admin/orders"))
    assert "own@a.example" in listing and "secret-buyer" not in listing
    searched = html(staff.get("/admin/orders?q=secret-buyer"))
    assert order_numbers(searched) == [] and "secret-buyer@b.example" not in searched
    for path in ("", "/packing-slip", "/invoice"):
        assert staff.get(f"/admin/orders/{theirs.id}{path}").status_code == 404
    forms = {"mark-paid": {}, "reject-payment": {}, "fulfil": {}, "deliver": {},
             "return": {}, "ship": {"carrier": "Pathao"}, "cancel": {"confirm": "yes"},
             "note": {"note": "hello"}}
    for action, data in forms.items():
        assert staff.post(f"/admin/orders/{theirs.id}/{action}", data=data).status_code == 404
    refund = {"amount": "1", "confirm": "yes", "refunded_before": "0"}
    assert staff.post(f"/admin/orders/{theirs_paid.id}/refund", data=refund).status_code == 404
    assert gateways["card"].refunds_made == []
    for order_id in (theirs.id, theirs_paid.id):
        after = reload(app, shops["b"], order_id)
        assert after.fulfilment_state == "unfulfilled" and after.refunded_total == 0
        assert after.event_log == before[order_id]
    assert reload(app, shops["b"], theirs.id).payment_state == "pending"
    assert stock_of(app, shops["b"], shops["ids"]["b"]) == 3


def test_every_action_form_needs_its_csrf_token(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert page.count('name="csrf_token"') >= page.count('method="post"')
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(f"/admin/orders/{order.id}/mark-paid")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
    assert reload(app, shops["a"], order.id).payment_state == "pending"


def test_the_timeline_lists_events_newest_first(app, shops, store_client):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    client.post(f"/admin/orders/{order.id}/mark-paid")
    page = html(client.get(f"/admin/orders/{order.id}"))
    assert page.index("Marked as paid.") < page.index("Order placed;")
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalar(select(OrderEvent.kind).order_by(OrderEvent.id)) == "placed"
