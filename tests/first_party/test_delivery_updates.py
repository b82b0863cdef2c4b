"""The delivery-updates plugin: a courier's tracking steps (``record_tracking``) reach the
shopper by SMS, or by email when they gave only an email, in the order's language, once
per order and step, only for the steps the merchant chose, and only in stores that
have the plugin on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from admin_support import insert_orders, make_gateways, open_shops, set_store
from conftest import read_outbox, read_sms
from core.db import db
from core.orders.models import Order
from core.pluginhost.web import plugins_for_tenant
from core.sdk import TrackingEvent, record_tracking
from core.testing import assert_translated
from tenants import tenant_scope

T0 = datetime(2026, 12, 5, 9, tzinfo=UTC)


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())
    enable_plugin(shops["a"], "delivery-updates")
    return shops


def shipped(app, tenant, *, phone="01712345678", email="", locale="bn") -> SimpleNamespace:
    """An order the courier "parcels" is carrying, tracking number PX-<number>."""
    [order_id] = insert_orders(app, tenant, 1, phone=phone, email=email, locale=locale,
                               fulfilment_state="shipped", carrier="Parcel Express",
                               carrier_id="parcels")
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalar(select(Order).where(Order.id == order_id))
        order.tracking_number = f"PX-{order.number}"
        order.tracking_url = f"https://parcels.example/t/PX-{order.number}"
        db.session.commit()
        return SimpleNamespace(id=order.id, number=order.number,
                               tracking_number=order.tracking_number)


def report(app, tenant, order, *statuses):
    with app.app_context():
        store = plugins_for_tenant(tenant.id).info
        return record_tracking(store, "parcels", order.tracking_number, [
            TrackingEvent(status, event_id=f"e{i}-{status}",
                          occurred_at=T0 + timedelta(hours=i))
            for i, status in enumerate(statuses)])


def texts_to(outbox, phone: str) -> list[str]:
    return [sms["text"] for sms in read_sms(outbox) if sms["To"].endswith(phone[-10:])]


def test_each_chosen_step_reaches_the_shopper_once_in_their_language(app, shops, outbox):
    order = shipped(app, shops["a"])
    report(app, shops["a"], order, "picked_up", "in_transit", "out_for_delivery")
    report(app, shops["a"], order, "picked_up", "out_for_delivery")  # a replayed report
    texts = texts_to(outbox, "01712345678")
    assert len(texts) == 2  # in transit is not chosen by default
    picked, out = texts
    assert picked.startswith("Dhaka Shop: আপনার অর্ডার #")
    assert "কুরিয়ার সংগ্রহ করেছে" in picked
    assert f"https://parcels.example/t/PX-{order.number}" in picked
    assert "আজ ডেলিভারির জন্য বের হয়েছে" in out


def test_a_new_step_of_the_same_kind_is_not_told_twice(app, shops, outbox):
    order = shipped(app, shops["a"])
    report(app, shops["a"], order, "delivery_failed")
    with app.app_context():
        store = plugins_for_tenant(shops["a"].id).info
        record_tracking(store, "parcels", order.tracking_number, [TrackingEvent(
            "delivery_failed", event_id="second-try", occurred_at=T0 + timedelta(days=1))])
    assert len(texts_to(outbox, "01712345678")) == 1


def test_a_returned_parcel_is_told_without_a_tracking_link(app, shops, outbox):
    order = shipped(app, shops["a"], locale="hy")
    report(app, shops["a"], order, "returning", "returned")
    [text] = texts_to(outbox, "01712345678")
    assert "վերադարձել է խանութ" in text
    assert "parcels.example" not in text


def test_the_merchant_chooses_the_steps(app, shops, outbox, enable_plugin):
    enable_plugin(shops["a"], "delivery-updates", {"steps": ["in_transit"]})
    order = shipped(app, shops["a"], locale="en")
    report(app, shops["a"], order, "picked_up", "in_transit", "out_for_delivery")
    assert texts_to(outbox, "01712345678") == [
        f"Dhaka Shop: your order #{order.number} is on its way. Track: "
        f"https://parcels.example/t/PX-{order.number}"]


def test_a_shopper_with_only_an_email_gets_an_email(app, shops, outbox):
    order = shipped(app, shops["a"], phone="", email="asha@example.com", locale="en")
    report(app, shops["a"], order, "out_for_delivery")
    [mail] = [m for m in read_outbox(outbox) if m["To"] == "asha@example.com"]
    assert mail["Subject"] == f"Dhaka Shop: news of your order #{order.number}"
    assert "out for delivery today" in mail.get_body(("plain",)).get_content()


def test_bengali_digits_follow_the_store(app, shops, outbox):
    set_store(app, shops["a"], bengali_digits=True)
    order = shipped(app, shops["a"])
    report(app, shops["a"], order, "picked_up")
    [text] = texts_to(outbox, "01712345678")
    digits = str(order.number).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert f"অর্ডার #{digits}" in text


def test_a_store_without_the_plugin_sends_nothing(app, shops, outbox):
    order = shipped(app, shops["b"], phone="01799999999")
    report(app, shops["b"], order, "picked_up", "out_for_delivery", "returned")
    assert texts_to(outbox, "01799999999") == []
    # Store A's plugin never writes to store B's shopper, even for the same number.
    mine = shipped(app, shops["a"], phone="01799999999")
    report(app, shops["a"], mine, "picked_up")
    [text] = texts_to(outbox, "01799999999")
    assert text.startswith("Dhaka Shop:")


def test_every_word_for_the_merchant_is_translated():
    assert_translated("plugins.delivery_updates")
