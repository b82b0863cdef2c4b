"""The customers admin: the list (search, sort, pages), one customer's history with
lifetime value, first and last order, editable notes, and store isolation.

Orders are placed like a shopper places them and then paid, refunded or cancelled
through the orders admin, so lifetime values come from real order histories.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from admin_support import add_staff, html, place, sign_in
from conftest import PASSWORD, client_for
from core.customers.models import Customer
from core.db import db
from core.orders.models import Order
from core.orders.numbering import next_order_number
from tenants import tenant_scope


def customer_id(app, tenant, key: str) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(Customer.id).where(Customer.key == key))


def note_of(app, tenant, cid: int) -> str:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.get(Customer, cid).note


def names_listed(page: str) -> list[str]:
    return re.findall(r'/admin/customers/\d+">([^<]+)</a>', page)


def insert_customers(app, tenant, count, orders_each=1, start=0) -> None:
    """``count`` customers, each with ``orders_each`` orders, written directly."""
    with app.app_context(), tenant_scope(tenant.id):
        for index in range(start, start + count):
            customer = Customer(key=f"buyer{index}@example.com",
                                email=f"buyer{index}@example.com", name=f"Buyer {index:03}")
            db.session.add(customer)
            for _ in range(orders_each):
                db.session.add(Order(
                    number=next_order_number(), token=secrets.token_urlsafe(24),
                    idempotency_key=secrets.token_hex(16), currency=tenant.currency,
                    email=customer.email, payment_method="manual", subtotal=1000,
                    total=1000 + index, customer=customer))
        db.session.commit()


def history(app, shops, store_client):
    """Rahim: paid then partly refunded, cancelled, pending. Karim: one order, last."""
    owner = sign_in(store_client, shops["a"])
    rahim = {"email": "rahim@example.com", "name": "Rahim Uddin"}
    paid = place(app, shops, **rahim)  # ৳1,570.00
    owner.post(f"/admin/orders/{paid.id}/mark-paid")
    assert owner.post(f"/admin/orders/{paid.id}/refund", data={
        "amount": "500", "confirm": "yes", "refunded_before": "0"}).status_code == 303
    cancelled = place(app, shops, quantity=3, **rahim)
    assert owner.post(f"/admin/orders/{cancelled.id}/cancel",
                      data={"confirm": "yes"}).status_code == 303
    place(app, shops, quantity=2, **rahim)  # ৳3,070.00, pending
    place(app, shops, email="karim@example.com", name="Karim Hossain",
          phone="+880 1812-345678")  # ৳1,570.00
    return owner


def test_signed_out_visitors_are_sent_to_sign_in(app, shops, store_client):
    place(app, shops, email="rahim@example.com")
    cid = customer_id(app, shops["a"], "rahim@example.com")
    visitor = store_client("dhaka-shop")
    for path in ("/admin/customers", f"/admin/customers/{cid}"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/admin/login" in response.location
    assert visitor.post(f"/admin/customers/{cid}/note", data={"note": "x"}).status_code == 302
    assert note_of(app, shops["a"], cid) == ""


def test_an_empty_list_says_what_to_do_next(app, shops, store_client):
    page = html(sign_in(store_client, shops["a"]).get("/admin/customers"))
    assert "No customers yet." in page and "http://dhaka-shop.localhost/" in page


def test_lifetime_value_is_totals_minus_refunds_without_cancelled_orders(
        app, shops, store_client):
    owner = history(app, shops, store_client)
    listing = html(owner.get("/admin/customers"))
    assert names_listed(listing) == ["Karim Hossain", "Rahim Uddin"]  # last order first
    assert "BDT4,140.00" in listing  # 1,570 - 500 + 3,070; the cancelled order left out
    assert "BDT1,570.00" in listing
    assert "without cancelled orders" in listing
    cid = customer_id(app, shops["a"], "rahim@example.com")
    page = html(owner.get(f"/admin/customers/{cid}"))
    assert 'data-lifetime-value="414000"' in page
    assert "<dt>Orders</dt><dd>3</dd>" in page
    assert "without cancelled orders" in page
    assert len(re.findall(r'href="/admin/orders/\d+">#\d+</a>', page)) == 3
    assert "(−BDT500.00 refunded)" in page and 'data-fulfilment-state="cancelled"' in page


def test_first_and_last_order_dates(app, shops, store_client):
    place(app, shops, email="rahim@example.com")
    place(app, shops, email="rahim@example.com")
    with app.app_context(), tenant_scope(shops["a"].id):
        first, last = db.session.scalars(select(Order).order_by(Order.id)).all()
        first.created_at = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
        last.created_at = datetime(2025, 7, 9, 10, 0, tzinfo=UTC)
        db.session.commit()
    cid = customer_id(app, shops["a"], "rahim@example.com")
    page = html(sign_in(store_client, shops["a"]).get(f"/admin/customers/{cid}"))
    assert re.search(r"<dt>First order</dt><dd class=\"date\">Mar 5, 2024</dd>", page)
    assert re.search(r"<dt>Last order</dt><dd class=\"date\">Jul 9, 2025</dd>", page)


def test_sorting_by_last_order_lifetime_value_or_name(app, shops, store_client):
    owner = history(app, shops, store_client)
    by_value = html(owner.get("/admin/customers?sort=lifetime_value"))
    assert names_listed(by_value) == ["Rahim Uddin", "Karim Hossain"]
    assert '<option value="lifetime_value" selected>' in by_value
    assert names_listed(html(owner.get("/admin/customers?sort=name"))) == [
        "Karim Hossain", "Rahim Uddin"]
    assert names_listed(html(owner.get("/admin/customers?sort=bogus"))) == [
        "Karim Hossain", "Rahim Uddin"]


def test_search_by_name_email_or_phone(app, shops, store_client):
    owner = history(app, shops, store_client)

    def found(q: str) -> list[str]:
        return names_listed(html(owner.get("/admin/customers", query_string={"q": q})))

    assert found("rahim") == ["Rahim Uddin"]
    assert found("KARIM@EXAMPLE") == ["Karim Hossain"]
    assert found("01812345678") == ["Karim Hossain"]
    assert found("_") == []
    assert "No customers match" in html(owner.get("/admin/customers?q=nobody"))


def test_fifty_customers_a_page(app, shops, store_client):
    insert_customers(app, shops["a"], 55)
    owner = sign_in(store_client, shops["a"])
    first = html(owner.get("/admin/customers?sort=name"))
    assert len(names_listed(first)) == 50 and names_listed(first)[0] == "Buyer 000"
    assert "Showing 1–50 of 55 customers" in first
    assert 'href="/admin/customers?page=2&amp;sort=name"' in first
    second = html(owner.get("/admin/customers?sort=name&page=2"))
    assert names_listed(second) == [f"Buyer {i:03}" for i in range(50, 55)]


def test_the_list_costs_the_same_queries_for_5_or_30_customers(
        app, shops, store_client, count_queries):
    insert_customers(app, shops["a"], 5, orders_each=2)
    owner = sign_in(store_client, shops["a"])
    owner.get("/admin/customers")  # warm the store and plugin caches
    with count_queries() as few:
        assert len(names_listed(html(owner.get("/admin/customers")))) == 5
    insert_customers(app, shops["a"], 25, orders_each=3, start=5)
    with count_queries() as many:
        assert len(names_listed(html(owner.get("/admin/customers")))) == 30
    assert len(few) == len(many) <= 6, many


def test_notes_are_saved_and_too_long_is_explained(app, shops, store_client):
    place(app, shops, email="rahim@example.com")
    cid = customer_id(app, shops["a"], "rahim@example.com")
    owner = sign_in(store_client, shops["a"])
    saved = owner.post(f"/admin/customers/{cid}/note",
                       data={"note": "  Wears XL. Prefers calls after 6pm.  "})
    assert saved.status_code == 303
    assert note_of(app, shops["a"], cid) == "Wears XL. Prefers calls after 6pm."
    page = html(owner.get(saved.location))
    assert "Notes saved." in page and "Wears XL. Prefers calls after 6pm." in page
    too_long = "z" * 5001
    refused = owner.post(f"/admin/customers/{cid}/note", data={"note": too_long})
    page = html(refused)
    assert refused.status_code == 422
    assert 'id="note-error"' in page and "Keep notes under 5,000 characters." in page
    assert too_long in page
    assert note_of(app, shops["a"], cid) == "Wears XL. Prefers calls after 6pm."


def test_the_notes_form_needs_its_csrf_token(app, shops, store_client):
    place(app, shops, email="rahim@example.com")
    cid = customer_id(app, shops["a"], "rahim@example.com")
    owner = sign_in(store_client, shops["a"])
    assert 'name="csrf_token"' in html(owner.get(f"/admin/customers/{cid}"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = owner.post(f"/admin/customers/{cid}/note", data={"note": "hi"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and note_of(app, shops["a"], cid) == ""


def test_staff_use_the_customer_pages_too(app, shops, store_client):
    place(app, shops, email="rahim@example.com")
    cid = customer_id(app, shops["a"], "rahim@example.com")
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    assert "Rahim Uddin" in html(staff.get("/admin/customers"))
    assert staff.post(f"/admin/customers/{cid}/note", data={"note": "VIP"}).status_code == 303
    assert note_of(app, shops["a"], cid) == "VIP"


def test_store_a_cannot_see_or_touch_store_b_customers(app, shops, store_client):
    place(app, shops, key="b", email="secret@b.example", name="Secret Buyer")
    theirs = customer_id(app, shops["b"], "secret@b.example")
    with app.app_context(), tenant_scope(shops["b"].id):
        db.session.get(Customer, theirs).note = "B's own note"
        db.session.commit()
    place(app, shops, key="a", email="own@a.example", name="Own Buyer")
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    assert names_listed(html(staff.get("/admin/customers"))) == ["Own Buyer"]
    assert names_listed(html(staff.get("/admin/customers?q=secret"))) == []
    assert staff.get(f"/admin/customers/{theirs}").status_code == 404
    assert staff.post(f"/admin/customers/{theirs}/note",
                      data={"note": "overwritten"}).status_code == 404
    assert note_of(app, shops["b"], theirs) == "B's own note"
    # B's owner still sees their customer.
    other = client_for(app, "other-shop.localhost")
    other.post("/admin/login", data={"email": "owner@other-shop.example",
                                     "password": PASSWORD})
    assert "B&#39;s own note" in html(other.get(f"/admin/customers/{theirs}"))
