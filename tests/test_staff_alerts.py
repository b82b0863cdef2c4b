"""Alerts to the store's people: a new order, a failed payment, low stock.

Each person chooses on their account page which alerts they get, by email or by SMS to
their own number. Until they choose, the owner gets all of them by email and staff get
none. Alerts are written in the person's admin language, go out once, and never reach
another store's people.
"""

from __future__ import annotations

import re

import pytest

from admin_support import add_staff, html, make_gateways, open_shops, place, reload, sign_in
from conftest import read_outbox, read_sms
from core.db import db
from core.messaging.alerts import LOW_STOCK_LEVEL
from core.staff.models import StaffUser
from tenants import tenant_scope


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


def emails_to(outbox, address):
    return [m for m in read_outbox(outbox) if m["To"].addresses[0].addr_spec == address]


def form_of(page: str) -> dict[str, str]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return {"csrf_token": token}


def choose(client, **fields):
    page = html(client.get("/admin/account"))
    return client.post("/admin/account/alerts", data={**form_of(page), **fields})


def test_the_owner_hears_of_a_new_order_by_email_and_staff_do_not(app, shops, store_client,
                                                                  outbox):
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    order = place(app, shops)

    [alert] = emails_to(outbox, "owner@dhaka-shop.example")
    assert f"#{order.number}" in alert["Subject"]
    text = alert.get_body(("plain",)).get_content()
    assert f"http://dhaka-shop.localhost/admin/orders/{order.id}" in text
    assert emails_to(outbox, "helper@dhaka-shop.example") == []
    # The merchant's own alert is not a step of the shopper's order.
    kinds = [kind for kind, *_ in reload(app, shops["a"], order.id).event_log]
    assert not any(kind.startswith("email") for kind in kinds)


def test_staff_choose_sms_in_their_own_language(app, shops, store_client, outbox):
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    with app.app_context(), tenant_scope(shops["a"].id):
        from sqlalchemy import select

        helper = db.session.scalar(select(StaffUser).where(
            StaffUser.email == "helper@dhaka-shop.example"))
        helper.locale = "bn"
        db.session.commit()
    client = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    response = choose(client, **{"new_order.sms": "y", "phone": "০১৯১১-২২২৩৩৩"})
    assert response.status_code == 303

    order = place(app, shops)

    to_helper = [s for s in read_sms(outbox) if s["To"] == "+8801911222333"]
    assert len(to_helper) == 1
    assert f"#{order.number}" in to_helper[0]["text"]
    assert "অর্ডার" in to_helper[0]["text"]  # Bengali, the helper's admin language
    assert emails_to(outbox, "helper@dhaka-shop.example") == []


def test_a_failed_payment_alerts_the_owner(app, shops, store_client, outbox):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    assert client.post(f"/admin/orders/{order.id}/reject-payment").status_code == 303
    subjects = [m["Subject"] for m in emails_to(outbox, "owner@dhaka-shop.example")]
    assert any("Payment failed" in s and f"#{order.number}" in s for s in subjects)


def test_low_stock_alerts_once_when_an_order_crosses_the_level(app, shops, store_client,
                                                               outbox, add_product):
    product = add_product(shops["a"], "lamp", title="Clay lamp", price=50000,
                          stock=LOW_STOCK_LEVEL + 1)
    shops["ids"]["a"] = product

    def low_stock_alerts():
        return [m for m in emails_to(outbox, "owner@dhaka-shop.example")
                if "Low stock" in m["Subject"]]

    place(app, shops)  # 6 -> 5: crosses
    [alert] = low_stock_alerts()
    assert "Clay lamp" in alert["Subject"]
    assert f"/admin/products/{product}" in alert.get_body(("plain",)).get_content()
    place(app, shops)  # 5 -> 4: already low
    assert len(low_stock_alerts()) == 1


def test_sms_alerts_need_a_mobile_number_next_to_the_field(app, shops, store_client):
    client = sign_in(store_client, shops["a"])
    missing = choose(client, **{"new_order.sms": "y", "low_stock.email": "y"})
    page = html(missing)
    assert missing.status_code == 422
    assert 'id="alert-phone-error"' in page and "mobile number" in page
    assert re.search(r'name="new_order.sms"[^>]*checked', page)  # kept as ticked
    wrong = choose(client, **{"new_order.sms": "y", "phone": "12"})
    assert wrong.status_code == 422 and 'value="12"' in html(wrong)
    with app.app_context(), tenant_scope(shops["a"].id):
        owner = db.session.scalar(db.select(StaffUser).where(StaffUser.role == "owner"))
        assert owner.alerts is None and owner.phone == ""


def test_an_over_long_alert_number_is_refused_and_kept_whole(app, shops, store_client):
    client = sign_in(store_client, shops["a"])
    assert re.search(r'<input id="alert-phone"[^>]*maxlength="32"',
                     html(client.get("/admin/account")))
    typed = "0171 " * 14  # 70 characters, over the column's 32
    refused = choose(client, **{"new_order.sms": "y", "phone": typed})
    page = html(refused)
    assert refused.status_code == 422 and "at most 32 characters" in page
    assert f'value="{typed.strip()}"' in page  # what was typed, not a cut copy


def test_switching_every_alert_off_sends_none(app, shops, store_client, outbox):
    client = sign_in(store_client, shops["a"])
    assert choose(client, phone="").status_code == 303
    place(app, shops)
    assert emails_to(outbox, "owner@dhaka-shop.example") == []


def test_another_stores_orders_never_alert_this_stores_people(app, shops, outbox):
    place(app, shops, "b")
    assert emails_to(outbox, "owner@dhaka-shop.example") == []
    assert len(emails_to(outbox, "owner@other-shop.example")) == 1
