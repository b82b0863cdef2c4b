"""Messages to shoppers: email when they gave one, SMS when they gave only a phone,
in their language, sent once however often a job runs, and logged on the customer's
record in the admin. Never across stores.

Orders are placed like a shopper places them (``admin_support.place``, a phone-only
shopper by default) and changed by the merchant over HTTP. SMS go to the outbox
folder (core's development gateway) or through an in-test gateway plugin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from admin_support import html, make_gateways, open_shops, place, reload, set_store
from conftest import PASSWORD, client_for, make_plugin, read_outbox, read_sms
from core.db import db
from core.messaging import service
from core.messaging.models import FAILED, QUEUED, SENDING, SENT, Message
from core.messaging.phones import to_e164
from core.messaging.sms import sms_size
from core.pluginhost.web import plugins_for_tenant
from core.sdk import Money, SmsMessage, SmsNotSent, SmsReceipt
from tenants import Tenant, platform_scope, tenant_scope

SHOPPER_PHONE = "+8801712345678"  # ADDRESS's 01712345678, as gateways take it


@dataclass
class Gateway:
    """An SMS gateway account: ``answers`` is what each call does in turn ("ok",
    "later" = SmsNotSent(retry=True), "never" = SmsNotSent(retry=False), "crash")."""

    id: str = "test-sms"
    label: str = "Test SMS"
    sender_id: str = "DhakaShop"
    cost_per_part: Money = field(default_factory=lambda: Money(35, "BDT"))  # ৳0.35
    answers: list[str] = field(default_factory=list)
    sent: list[SmsMessage] = field(default_factory=list)
    calls: int = 0

    def send_sms(self, message: SmsMessage) -> SmsReceipt:
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "later":
            raise SmsNotSent("Gateway busy (HTTP 503)", retry=True)
        if answer == "never":
            raise SmsNotSent("Number is on the do-not-disturb list", retry=False)
        if answer == "crash":
            raise RuntimeError("the plugin has a bug")
        self.sent.append(message)
        return SmsReceipt(provider_id=f"gw-{len(self.sent)}")


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


@pytest.fixture
def gateway(app, shops, install_plugin, enable_plugin):
    """The in-test gateway, switched on for store A only."""
    found = Gateway()
    install_plugin(make_plugin("test-sms", haat_sms_gateways=lambda store: [found]))
    enable_plugin(shops["a"], "test-sms")
    return found


def messages(app, tenant, **where) -> list[Message]:
    """The store's messages to shoppers (not the alerts to its own people)."""
    with app.app_context(), tenant_scope(tenant.id):
        query = select(Message).where(Message.event.not_like("alert_%")).order_by(Message.id)
        for name, value in where.items():
            query = query.where(getattr(Message, name) == value)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def shopper_emails(outbox) -> list:
    """The emails in the outbox, without the alerts to the store's owner."""
    return [m for m in read_outbox(outbox)
            if not m["To"].addresses[0].addr_spec.startswith("owner@")]



def owner(app, tenant):
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                              "password": PASSWORD}).status_code == 303
    return client


def deliver(app, tenant, key) -> None:
    """Run the delivery job for ``key`` as a worker would (again)."""
    with app.app_context(), tenant_scope(tenant.id):
        service.deliver_message(plugins_for_tenant(tenant.id).info, key)


# ------------------------------------------------------------ who gets what


def test_a_phone_only_shopper_gets_each_order_step_by_sms(app, shops, outbox):
    order = place(app, shops)
    client = owner(app, shops["a"])
    for action, data in (("mark-paid", {}), ("ship", {"carrier": "Pathao",
                                                      "tracking_number": "PX-77"})):
        response = client.post(f"/admin/orders/{order.id}/{action}", data=data)
        assert response.status_code == 303, html(response)[:1000]

    sms = read_sms(outbox)
    assert [s["To"] for s in sms] == [SHOPPER_PHONE] * 3
    placed, paid, shipped = (s["text"] for s in sms)
    assert f"#{order.number}" in placed and "1,570.00" in placed
    assert f"http://dhaka-shop.localhost/orders/{order.token}" in placed
    assert "payment" in paid.lower()
    assert "Pathao" in shipped and "PX-77" in shipped
    assert shopper_emails(outbox) == []  # no email address, no email
    rows = messages(app, shops["a"])
    assert [(m.event, m.channel, m.status) for m in rows] == [
        ("order_placed", "sms", SENT), ("order_paid", "sms", SENT),
        ("order_shipped", "sms", SENT)]
    assert all(m.customer_id == order.customer_id and m.body for m in rows)
    kinds = [kind for kind, *_ in reload(app, shops["a"], order.id).event_log]
    assert kinds.count("sms_sent") == 3


def test_a_shopper_with_an_email_gets_email_and_sms_only_when_the_store_asks(app, shops,
                                                                              outbox):
    place(app, shops, email="asha@example.com")
    assert len(shopper_emails(outbox)) == 1 and read_sms(outbox) == []

    set_store(app, shops["a"], sms_with_email=True)
    place(app, shops, email="asha@example.com")
    assert len(shopper_emails(outbox)) == 2
    assert [s["To"] for s in read_sms(outbox)] == [SHOPPER_PHONE]


def test_the_store_setting_is_saved_from_the_details_form(app, shops):
    client = owner(app, shops["a"])
    page = client.get("/admin/settings/store")
    assert 'name="sms_with_email"' in html(page)
    form = {name: value for name, value in re.findall(
        r'<input[^>]+name="([^"]+)"[^>]+value="([^"]*)"', html(page))
        if name not in ("sms_with_email", "bengali_digits", "confirm_currency")}
    form.update(country="BD", currency="BDT", locale="en", sms_with_email="y",
                address="House 3, Road 7, Dhanmondi, Dhaka")
    response = client.post("/admin/settings/store", data=form)
    assert response.status_code == 303, html(response)[:3000]
    with app.app_context(), platform_scope():
        assert db.session.get(Tenant, shops["a"].id).sms_with_email is True


def test_an_sms_goes_in_the_shoppers_language_and_digits(app, shops, outbox):
    set_store(app, shops["a"], locale="bn", bengali_digits=True)
    order = place(app, shops)

    [sms] = read_sms(outbox)
    assert sms["Encoding"] == "UCS-2"
    assert "অর্ডার" in sms["text"]  # "order" in Bengali
    assert "৳" in sms["text"] and re.search("[০-৯]", sms["text"])
    assert f"/orders/{order.token}" in sms["text"]


@pytest.mark.parametrize(("locale", "word"), [("en", "order"), ("bn", "অর্ডার"),
                                               ("hy", "պատվեր")])
def test_every_order_sms_is_translated(app, shops, locale, word):
    """Each event's SMS, in each language, names the order in that language."""
    order = place(app, shops)
    store = None
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.orders.models import Order

        store = plugins_for_tenant(shops["a"].id).info
        row = db.session.get(Order, order.id)
        row.locale, row.carrier, row.tracking_url = locale, "Pathao", "https://t.example/1"
        texts = {event: service.render_order_sms(store, row, event, refund_amount="৳10.00")
                 for event in service.ORDER_EVENTS}
        db.session.rollback()
    for event, text in texts.items():
        assert word in text.lower(), (event, text)
        assert f"#{order.number}" in text and store.name in text


# -------------------------------------------------------------- sent once


def test_a_job_run_again_never_sends_twice(app, shops, gateway):
    order = place(app, shops)
    [row] = messages(app, shops["a"])
    assert (row.status, row.provider, row.provider_ref) == (SENT, "test-sms", "gw-1")

    deliver(app, shops["a"], row.key)  # a retried or duplicated job
    deliver(app, shops["a"], row.key)

    assert len(gateway.sent) == 1
    [sms] = gateway.sent
    assert sms.to == SHOPPER_PHONE and sms.sender_id == "DhakaShop"
    assert sms.reference == f"haat-{shops['a'].id}-{row.id}"
    assert f"#{order.number}" in sms.text and not sms.unicode and sms.parts == 1


def test_a_message_handed_over_before_a_crash_is_not_sent_again(app, shops, gateway):
    """A worker that died after the gateway took the message leaves it "sending";
    the job's retry finds it claimed and sends nothing."""
    place(app, shops)
    [row] = messages(app, shops["a"])
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.get(Message, row.id).status = SENDING
        db.session.commit()

    deliver(app, shops["a"], row.key)

    assert len(gateway.sent) == 1
    assert messages(app, shops["a"])[0].status == SENDING


def test_a_busy_gateway_is_tried_again_and_the_message_goes_once(app, shops, gateway):
    gateway.answers = ["later", "later", "ok"]
    place(app, shops)

    [row] = messages(app, shops["a"])
    assert (row.status, row.attempts, row.error) == (SENT, 3, "")
    assert gateway.calls == 3 and len(gateway.sent) == 1


def test_a_gateway_that_stays_busy_gives_up_after_the_last_attempt(app, shops, gateway):
    gateway.answers = ["later"] * 10
    place(app, shops)

    [row] = messages(app, shops["a"])
    assert (row.status, row.attempts) == (FAILED, service.MAX_ATTEMPTS)
    assert row.error == "Gateway busy (HTTP 503)"
    assert gateway.calls == service.MAX_ATTEMPTS


def test_a_refusal_is_not_retried_and_the_merchant_sees_why(app, shops, gateway):
    gateway.answers = ["never"]
    order = place(app, shops)

    [row] = messages(app, shops["a"])
    assert (row.status, row.attempts, gateway.calls) == (FAILED, 1, 1)
    page = html(owner(app, shops["a"]).get(f"/admin/customers/{order.customer_id}"))
    assert "Number is on the do-not-disturb list" in page
    assert 'data-message-status="failed"' in page
    assert re.search(r"data-sms-cost>about BDT0\.35<", page)  # 1 part at ৳0.35
    kinds = [kind for kind, *_ in reload(app, shops["a"], order.id).event_log]
    assert "sms_failed" in kinds


def test_under_testing_a_gateway_that_raises_fails_the_test(app, shops, gateway):
    gateway.answers = ["crash"]
    with pytest.raises(RuntimeError, match="the plugin has a bug"):
        place(app, shops)


def test_a_rolled_back_change_queues_nothing(app, shops, gateway):
    order = place(app, shops)
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.orders import service as orders
        from core.orders.models import Order

        orders.mark_paid(db.session.get(Order, order.id), "owner")
        db.session.rollback()
    assert [m.event for m in messages(app, shops["a"])] == ["order_placed"]
    assert len(gateway.sent) == 1


# ----------------------------------------------------------- bad numbers


def test_a_number_that_cannot_get_sms_is_logged_not_sent(app, shops, outbox):
    order = place(app, shops)
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.orders.models import Order

        db.session.get(Order, order.id).phone = "12345"  # as an old order may have
        db.session.commit()
    assert owner(app, shops["a"]).post(f"/admin/orders/{order.id}/mark-paid").status_code == 303
    row = messages(app, shops["a"])[-1]
    assert (row.status, row.error) == (FAILED, service.NOT_A_MOBILE)
    assert len(read_sms(outbox)) == 1  # the confirmation, before the number changed
    page = html(owner(app, shops["a"]).get(f"/admin/customers/{order.customer_id}"))
    assert "not a mobile number that can receive SMS" in page


def test_without_a_gateway_in_production_mode_sms_are_logged_not_sent(app, shops, outbox,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_SMS", "gateways")
    order = place(app, shops)
    [row] = messages(app, shops["a"])
    assert (row.status, row.error) == (FAILED, service.NO_GATEWAY)
    assert read_sms(outbox) == []
    page = html(owner(app, shops["a"]).get(f"/admin/customers/{order.customer_id}"))
    assert "No SMS gateway is switched on" in page


@pytest.mark.parametrize("spelling", ["+880 1712-345678", "01712345678", "০১৭১২৩৪৫৬৭৮",
                                      "8801712345678", "(017) 1234 5678"])
def test_every_spelling_of_a_bangladeshi_number_is_one_number(spelling):
    assert to_e164(spelling, "BD") == SHOPPER_PHONE


@pytest.mark.parametrize("junk", ["", "12", "call me", "0171234567890123", "+1 555"])
def test_what_is_not_a_phone_number_is_none(junk):
    assert to_e164(junk, "BD") is None


def test_sms_parts_follow_gsm_and_ucs2_limits():
    assert sms_size("a" * 160) == sms_size("a" * 160)
    assert (sms_size("a" * 160).parts, sms_size("a" * 161).parts) == (1, 2)
    assert (sms_size("a" * 306).parts, sms_size("a" * 307).parts) == (2, 3)
    assert sms_size("{" * 80).parts == 1 and sms_size("{" * 81).parts == 2  # 2 septets each
    bengali = "অ"
    assert sms_size(bengali * 70).unicode
    assert (sms_size(bengali * 70).parts, sms_size(bengali * 71).parts) == (1, 2)
    assert (sms_size(bengali * 134).parts, sms_size(bengali * 135).parts) == (2, 3)
    assert sms_size("Ձեր պատվերը").unicode


# -------------------------------------------------------------- isolation


def test_store_a_cannot_read_or_send_store_b_messages(app, shops, gateway, outbox):
    order_a = place(app, shops, "a")
    order_b = place(app, shops, "b")
    [row_b] = messages(app, shops["b"])
    assert messages(app, shops["a"], id=row_b.id) == []

    # Store B has no gateway plugin on: its SMS went to the outbox, never to A's gateway.
    assert [s.reference for s in gateway.sent] == [f"haat-{shops['a'].id}-"
                                                   f"{messages(app, shops['a'])[0].id}"]
    assert len(read_sms(outbox)) == 1

    # A job of store A naming store B's message finds nothing and sends nothing.
    with app.app_context(), tenant_scope(shops["b"].id):
        db.session.get(Message, row_b.id).status = QUEUED
        db.session.commit()
    deliver(app, shops["a"], row_b.key)
    assert len(gateway.sent) == 1 and len(read_sms(outbox)) == 1
    assert messages(app, shops["b"])[0].status == QUEUED

    # Store A's admin shows its own customer's messages, and no page of B's customer.
    client = owner(app, shops["a"])
    page = html(client.get(f"/admin/customers/{order_a.customer_id}"))
    assert page.count("data-message-status=") == 1
    assert client.get(f"/admin/customers/{order_b.customer_id}").status_code == 404


def test_the_customer_page_lists_messages_with_a_fixed_number_of_queries(app, shops,
                                                                         count_queries):
    order = place(app, shops)
    client = owner(app, shops["a"])
    client.get(f"/admin/customers/{order.customer_id}")
    with count_queries() as few:
        client.get(f"/admin/customers/{order.customer_id}")
    for action in ("mark-paid", "fulfil"):
        client.post(f"/admin/orders/{order.id}/{action}")
    place(app, shops)
    client.get(f"/admin/customers/{order.customer_id}")
    with count_queries() as more:
        page = html(client.get(f"/admin/customers/{order.customer_id}"))
    assert page.count("data-message-status=") >= 3
    assert len(more) == len(few)


# ------------------------------------------------------------- sending again


def test_staff_send_an_order_sms_again_to_the_same_number(app, shops, outbox):
    from admin_support import add_staff

    order = place(app, shops)
    [first] = messages(app, shops["a"])
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = client_for(app, "dhaka-shop.localhost")
    assert staff.post("/admin/login", data={"email": "helper@dhaka-shop.example",
                                             "password": PASSWORD}).status_code == 303
    page = html(staff.get(f"/admin/customers/{order.customer_id}"))
    assert f'data-resend="{first.id}"' in page

    response = staff.post(f"/admin/customers/{order.customer_id}/messages/{first.id}/resend")
    assert response.status_code == 303 and response.location.endswith("#messages")
    sms = read_sms(outbox)
    assert len(sms) == 2 and sms[0]["To"] == sms[1]["To"] == SHOPPER_PHONE
    assert sms[0]["text"] == sms[1]["text"]
    rows = messages(app, shops["a"])
    assert [(m.event, m.status) for m in rows] == [("order_placed", SENT)] * 2
    assert rows[1].key.startswith(f"resend:{first.id}:")
    kinds = [kind for kind, *_ in reload(app, shops["a"], order.id).event_log]
    assert kinds.count("sms_sent") == 2


def test_a_code_is_never_sent_again_and_resends_are_limited(app, shops, outbox):
    order = place(app, shops)
    with app.app_context(), tenant_scope(shops["a"].id):
        code = Message(key="code:1:sms", event="sign_in_code", channel="sms",
                       recipient=SHOPPER_PHONE, customer_id=order.customer_id,
                       status=SENT, body="•••••• is your code")
        db.session.add(code)
        db.session.commit()
        code_id = code.id
    client = owner(app, shops["a"])
    page = html(client.get(f"/admin/customers/{order.customer_id}"))
    assert f'data-resend="{code_id}"' not in page
    url = f"/admin/customers/{order.customer_id}/messages/{code_id}/resend"
    assert client.post(url).status_code == 404

    [placed] = messages(app, shops["a"], event="order_placed")
    url = f"/admin/customers/{order.customer_id}/messages/{placed.id}/resend"
    for _ in range(20):
        assert client.post(url).status_code == 303
    refused = client.post(url, follow_redirects=True)
    assert "many messages again" in html(refused)
    assert len(read_sms(outbox)) == 21  # the order's own SMS and 20 resends


def test_store_b_cannot_resend_store_a_messages(app, shops, outbox):
    order_a = place(app, shops, "a")
    order_b = place(app, shops, "b")
    [row_a] = messages(app, shops["a"])
    client_b = owner(app, shops["b"])
    for customer_id in (order_a.customer_id, order_b.customer_id):
        response = client_b.post(f"/admin/customers/{customer_id}/messages/{row_a.id}/resend")
        assert response.status_code == 404
    assert len(read_sms(outbox)) == 2
    assert len(messages(app, shops["a"])) == 1



def test_only_order_messages_to_an_address_still_there_can_be_sent_again(app, shops,
                                                                         outbox):
    order = place(app, shops)
    with app.app_context(), tenant_scope(shops["a"].id):
        rows = {
            "plugin": Message(key="plugin:offers:1", event="plugin:offers", channel="sms",
                              recipient=SHOPPER_PHONE, customer_id=order.customer_id,
                              status=SENT, body="10% off"),
            "queued": Message(key="order:x:order_paid:sms", event="order_paid",
                              channel="sms", recipient=SHOPPER_PHONE, order_id=order.id,
                              customer_id=order.customer_id, status=QUEUED),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids = {name: row.id for name, row in rows.items()}
    client = owner(app, shops["a"])
    page = html(client.get(f"/admin/customers/{order.customer_id}"))
    for message_id in ids.values():
        assert f'data-resend="{message_id}"' not in page
        url = f"/admin/customers/{order.customer_id}/messages/{message_id}/resend"
        assert client.post(url).status_code == 404

    # The shopper deletes their account: the log keeps no address, so nothing to resend.
    [placed] = messages(app, shops["a"], event="order_placed")
    from test_accounts import sign_in as shopper_sign_in

    shopper = shopper_sign_in(app, shops["a"], outbox)
    assert shopper.post("/account/delete", confirm="yes").status_code in (302, 303)
    url = f"/admin/customers/{order.customer_id}/messages/{placed.id}/resend"
    assert client.post(url).status_code == 404
    assert f'data-resend="{placed.id}"' not in html(
        client.get(f"/admin/customers/{order.customer_id}"))
