"""The message editor: a store's own wording of each message to shoppers, per event,
channel and language, previewed with a sample order, tested on the owner's own phone or
email, and sent to shoppers in place of the standard text. Broken text gets an error
next to its field and is never saved or sent; a store's wording is never another's.

Everything goes through the doors people use: the owner over HTTP at
``/admin/settings/messages``, shoppers by placing orders, messages read from the outbox.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from admin_support import html, make_gateways, open_shops, place, set_store
from conftest import PASSWORD, client_for, read_outbox, read_sms
from core.db import db
from core.messaging.models import Message, MessageTemplate
from core.staff.models import StaffUser
from tenants import tenant_scope

EDITOR = "/admin/settings/messages"
PLACED_SMS = f"{EDITOR}/order_placed/sms"


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())



def owner(app, tenant, *, language=None, phone=None):
    with app.app_context(), tenant_scope(tenant.id):
        user = db.session.scalar(select(StaffUser).where(StaffUser.role == "owner"))
        if language is not None:
            user.locale = language
        if phone is not None:
            user.phone = phone
        db.session.commit()
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                              "password": PASSWORD}).status_code == 303
    return client


def saved_rows(app, tenant) -> list[tuple[str, str, str, str]]:
    with app.app_context(), tenant_scope(tenant.id):
        return [(row.event, row.channel, row.locale, row.body) for row in
                db.session.scalars(select(MessageTemplate).order_by(MessageTemplate.id))]


def textarea(page: str, name: str = "body") -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no {name} field"
    return found.group(1)


def error_of(page: str, name: str) -> str:
    found = re.search(rf'id="wording-{name}-error"[^>]*>(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def shopper_emails(outbox) -> list:
    return [m for m in read_outbox(outbox)
            if not m["To"].addresses[0].addr_spec.startswith("owner@")]


# ------------------------------------------------------------ the editor


@pytest.mark.parametrize(("language", "word"), [("en", "order"), ("bn", "অর্ডার"),
                                                 ("hy", "պատվեր")])
def test_each_message_starts_as_the_standard_text_in_its_language(app, shops, language,
                                                                   word):
    client = owner(app, shops["a"])
    page = client.get(f"{PLACED_SMS}?language={language}")
    assert page.status_code == 200
    body = html(page)
    standard = textarea(body)
    assert word in standard.lower()
    assert "{{ number }}" in standard and "{{ link }}" in standard
    assert 'data-wording="standard"' in body
    # The preview fills the placeholders from the sample order, in the store's money.
    preview = re.search(r'id="preview-text">(.*?)</div>', body, re.S).group(1)
    assert "#1001" in preview and "{{" not in preview
    parts = re.search(r'id="sms-parts">(.*?)</dd>', body).group(1)
    encoding = re.search(r'id="sms-encoding">(.*?)</dd>', body).group(1)
    assert ("67" in encoding or "70" in encoding) == (language != "en")
    assert int(parts) >= 1


def test_the_overview_lists_every_message_and_marks_the_stores_own_wording(app, shops):
    client = owner(app, shops["a"])
    saved = client.post(PLACED_SMS, data={"language": "bn", "action": "save",
                                          "body": "{{ store }}: অর্ডার {{ number }} পেয়েছি।"})
    assert saved.status_code == 303
    page = html(client.get(EDITOR))
    row = re.search(r'<tr id="order_placed-sms">(.*?)</tr>', page, re.S).group(1)
    assert row.count('data-wording="own"') == 1 and row.count('data-wording="standard"') == 2
    assert 'id="sign_in_code-email"' in page and 'id="order_refunded-sms"' in page


def test_a_saved_sms_reaches_a_phone_only_shopper_in_that_language_only(app, shops, outbox):
    set_store(app, shops["a"], locale="bn", bengali_digits=True)
    client = owner(app, shops["a"])
    wording = "প্রিয় {{ name }}, {{ store }}-এ আপনার অর্ডার {{ number }} পেয়েছি। মোট {{ total }}।"
    response = client.post(PLACED_SMS, data={"language": "bn", "action": "save",
                                             "body": wording})
    assert response.status_code == 303
    assert saved_rows(app, shops["a"]) == [("order_placed", "sms", "bn", wording)]

    order = place(app, shops)
    [sms] = read_sms(outbox)
    assert sms["text"].startswith("প্রিয় ") and f"অর্ডার #{order.number} পেয়েছি" in sms["text"]
    assert "৳" in sms["text"] and re.search("[০-৯]", sms["text"])
    assert "{{" not in sms["text"] and sms["Encoding"] == "UCS-2"

    # The English wording was not changed: an English order gets the standard text.
    set_store(app, shops["a"], locale="en", bengali_digits=False)
    place(app, shops)
    assert read_sms(outbox)[-1]["text"].startswith("Dhaka Shop: we got your order")


def test_a_saved_email_wording_replaces_subject_heading_and_message_only(app, shops,
                                                                         outbox):
    client = owner(app, shops["a"])
    response = client.post(f"{EDITOR}/order_placed/email", data={
        "language": "en", "action": "save", "subject": "Order {{ number }} is ours now",
        "heading": "Hello {{ name }}",
        "body": "We pack it today.\n\nQuestions? <b>Call</b> us.\n{% if awaiting_payment %}"
                "Pay first.{% endif %}"})
    assert response.status_code == 303, html(response)[:2000]
    order = place(app, shops, email="asha@example.com")

    [email] = shopper_emails(outbox)
    assert email["Subject"] == f"Order #{order.number} is ours now"
    text = email.get_body(("plain",)).get_content()
    page = email.get_body(("html",)).get_content()
    assert "Hello Rahim Uddin" in text and "We pack it today." in text
    assert "Thank you for your order" not in text  # the standard heading is gone
    assert "Kantha" in text and f"/orders/{order.token}" in text  # the order still follows
    assert "&lt;b&gt;Call&lt;/b&gt;" in page and "<b>Call</b>" not in page
    assert "We pack it today.</p>" in page


def test_a_message_in_armenian_is_kept_apart_from_the_others(app, shops, outbox):
    set_store(app, shops["a"], locale="hy")
    client = owner(app, shops["a"])
    wording = "{{ store }}. Ձեր պատվերը {{ number }} ստացանք։ {{ link }}"
    assert client.post(PLACED_SMS, data={"language": "hy", "action": "save",
                                         "body": wording}).status_code == 303
    order = place(app, shops)
    assert read_sms(outbox)[-1]["text"] == (
        f"Dhaka Shop. Ձեր պատվերը #{order.number} ստացանք։ "
        f"http://dhaka-shop.localhost/orders/{order.token}")
    page = html(client.get(f"{PLACED_SMS}?language=bn"))
    assert 'data-wording="standard"' in page and "ստացանք" not in page


def test_the_sign_in_code_can_be_reworded_and_still_never_lands_in_the_log(app, shops,
                                                                          outbox):
    client = owner(app, shops["a"])
    assert client.post(f"{EDITOR}/sign_in_code/sms", data={
        "language": "en", "action": "save",
        "body": "Your code for {{ store }}: {{ code }}. Nobody from us asks for it."
    }).status_code == 303
    place(app, shops)  # the phone becomes a customer of the store
    shopper = client_for(app, "dhaka-shop.localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      html(shopper.get("/account/sign-in"))).group(1)
    asked = shopper.post("/account/sign-in", data={"csrf_token": token,
                                                   "contact": "01712345678"})
    assert asked.location.endswith("/account/code")
    sms = read_sms(outbox)[-1]
    code = re.search(r"Dhaka Shop: (\d{6})\. Nobody", sms["text"]).group(1)
    with app.app_context(), tenant_scope(shops["a"].id):
        logged = db.session.scalar(select(Message.body).where(Message.event == "sign_in_code"))
    assert code not in logged and "••••••" in logged


# ------------------------------------------------------------ bad input


@pytest.mark.parametrize(("body", "says"), [
    ("Order {{ numbr }} is here", "has no placeholder {{ numbr }}"),
    ("{% if tracking_url %}Track it", "Line 1"),
    ("Hi {{ store.__class__ }}", "only placeholders"),
    ("{% for x in range(9) %}spam{% endfor %}", "only placeholders"),
    ("{{ 'x' * 999999 }}", "only placeholders"),
    ("Hi {{ name", "Line 1"),
    ("Pay? {{ awaiting_payment }}", "use it as {% if awaiting_payment %}"),
    ("{{ not awaiting_payment }} {{ number }}", "only placeholders"),
    ("{{ awaiting_payment or number }}", "only placeholders"),
    ("{{ number }} ok {#", "only placeholders"),
    ("{% if link %}" * 6 + "deep" + "{% endif %}" * 6, "can stand inside one another"),
    ("{% if " + "not " * 200 + "link %}x{% endif %}", "only placeholders"),
    ("{{ " + "(" * 400 + "link" + ")" * 400 + " }}", "only placeholders"),
    ("   ", "Write the message."),
    ("x" * 1001, "at most 1,000 characters"),
])
def test_a_broken_text_gets_an_error_next_to_its_field_and_nothing_is_saved(app, shops, outbox,
                                                                           body, says):
    client = owner(app, shops["a"])
    for action in ("save", "preview", "test"):
        response = client.post(PLACED_SMS, data={"language": "en", "action": action,
                                                 "body": body})
        assert response.status_code == 422
        page = html(response)
        assert says in error_of(page, "body").replace("&#39;", "'").replace("&lt;", "<")
        assert textarea(page).replace("&#39;", "'") == body  # kept as typed
        assert 'aria-invalid="true"' in page
    assert saved_rows(app, shops["a"]) == []
    assert read_sms(outbox) == []


@pytest.mark.parametrize("body", [
    "{% if link %}" * 200 + "x" + "{% endif %}" * 200,  # Jinja's parser would recurse
    "{% if link %}" * 60 + "x" + "{% endif %}" * 60,  # Python's compiler would refuse
    "{% if " + "not " * 1200 + "link %}x{% endif %}",
])
def test_text_shaped_to_exhaust_the_template_engine_gets_a_field_error(app, shops, body):
    client = owner(app, shops["a"])
    for action in ("preview", "save"):
        response = client.post(f"{EDITOR}/order_paid/email", data={
            "language": "en", "action": action, "subject": "Paid", "body": body})
        assert response.status_code == 422
        assert error_of(html(response), "body")
    assert saved_rows(app, shops["a"]) == []


def test_the_sign_in_code_may_not_ride_in_an_email_subject(app, shops):
    client = owner(app, shops["a"])
    response = client.post(f"{EDITOR}/sign_in_code/email", data={
        "language": "en", "action": "save", "subject": "Code {{ code }}",
        "body": "Your code: {{ code }}"})
    assert response.status_code == 422
    assert "has no placeholder {{ code }}" in error_of(html(response), "subject")


@pytest.mark.parametrize("body", [
    "{{ store }} {% if not code %}{{ code }}{% endif %} welcome",
    "{% if store %}{{ code }}{% endif %} is your code",
])
def test_the_code_must_show_in_every_message_not_only_inside_an_if(app, shops, body):
    client = owner(app, shops["a"])
    response = client.post(f"{EDITOR}/sign_in_code/sms", data={
        "language": "en", "action": "save", "body": body})
    assert response.status_code == 422
    assert "must include {{ code }}, outside any {% if %}" in error_of(html(response), "body")
    assert saved_rows(app, shops["a"]) == []


def test_the_sign_in_code_message_must_carry_the_code(app, shops):
    client = owner(app, shops["a"])
    response = client.post(f"{EDITOR}/sign_in_code/sms", data={
        "language": "en", "action": "save", "body": "Welcome back to {{ store }}!"})
    assert response.status_code == 422
    assert "must include {{ code }}" in error_of(html(response), "body")


def test_an_sms_longer_than_ten_parts_is_refused_with_its_part_count(app, shops):
    client = owner(app, shops["a"])
    body = "আ" * 700  # 700 UCS-2 characters: 11 parts of 67
    response = client.post(PLACED_SMS, data={"language": "bn", "action": "save",
                                             "body": body})
    assert response.status_code == 422
    assert "takes 11 parts; the most is 10" in error_of(html(response), "body")


def test_an_email_subject_must_be_written_and_a_heading_may_be_left_out(app, shops,
                                                                       outbox):
    client = owner(app, shops["a"])
    url = f"{EDITOR}/order_paid/email"
    response = client.post(url, data={"language": "en", "action": "save", "subject": " ",
                                      "heading": "", "body": "Paid: {{ total }}"})
    assert response.status_code == 422
    assert "Write a subject." in error_of(html(response), "subject")
    assert error_of(html(response), "heading") == ""
    assert client.post(url, data={"language": "en", "action": "save", "subject": "Paid",
                                  "heading": "", "body": "Paid: {{ total }}"}
                       ).status_code == 303


def test_errors_are_in_the_owners_admin_language(app, shops):
    client = owner(app, shops["a"], language="bn")
    response = client.post(PLACED_SMS, data={"language": "en", "action": "save",
                                             "body": "{{ numbr }}"})
    assert response.status_code == 422
    message = error_of(html(response), "body")
    assert "{{ numbr }}" in message and re.search("[\u0980-\u09ff]", message)


def test_a_saved_text_that_no_longer_renders_sends_the_standard_text_whole(app, shops,
                                                                          outbox):
    """A row written by an older version (or by hand) that breaks today's rules is
    never sent half-made: the shopper gets the standard text."""
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.add(MessageTemplate(event="order_placed", channel="sms", locale="en",
                                       body="Order {{ number }} {{ price }}"))
        db.session.commit()
    order = place(app, shops)
    [sms] = read_sms(outbox)
    assert sms["text"].startswith("Dhaka Shop: we got your order") and "{{" not in sms["text"]
    assert f"#{order.number}" in sms["text"]


# ------------------------------------------------------ test sends, reset


def test_a_test_sms_goes_to_the_owners_own_phone_and_nothing_is_saved(app, shops, outbox):
    client = owner(app, shops["a"], phone="01811-223344")
    response = client.post(PLACED_SMS, data={"language": "en", "action": "test",
                                             "body": "Test of {{ store }} {{ number }}"})
    assert response.status_code == 200
    assert "+8801811223344" in html(response)
    [sms] = read_sms(outbox)
    assert sms["To"] == "+8801811223344" and sms["text"] == "Test of Dhaka Shop #1001"
    assert textarea(html(response)) == "Test of {{ store }} {{ number }}"
    assert saved_rows(app, shops["a"]) == []
    with app.app_context(), tenant_scope(shops["a"].id):
        logged = db.session.scalar(select(Message).where(Message.event == "test:order_placed"))
        assert logged.status == "sent" and logged.customer_id is None


def test_a_test_sms_needs_the_owners_phone(app, shops, outbox):
    client = owner(app, shops["a"])
    response = client.post(PLACED_SMS, data={"language": "en", "action": "test",
                                             "body": "Test {{ number }}"})
    assert response.status_code == 422
    assert "Your account" in error_of(html(response), "test")
    assert read_sms(outbox) == []


def test_a_test_email_is_the_whole_email_with_the_sample_order(app, shops, outbox):
    client = owner(app, shops["a"])
    response = client.post(f"{EDITOR}/order_shipped/email", data={
        "language": "en", "action": "test", "subject": "On its way: {{ number }}",
        "heading": "", "body": "{{ carrier }} has it.{% if tracking_url %} "
                               "Track: {{ tracking_url }}{% endif %}"})
    assert response.status_code == 200, html(response)[:2000]
    [email] = read_outbox(outbox)
    assert email["To"].addresses[0].addr_spec == "owner@dhaka-shop.example"
    assert email["Subject"] == "On its way: #1001"
    text = email.get_body(("plain",)).get_content()
    assert "Pathao has it. Track: https://tracking.example/PX12345678" in text
    assert email.get_body(("html",)) is not None


def test_test_sends_are_limited_per_person(app, shops, outbox):
    client = owner(app, shops["a"], phone="01811-223344")
    codes = [client.post(PLACED_SMS, data={"language": "en", "action": "test",
                                           "body": "Test {{ number }}"}).status_code
             for _ in range(11)]
    assert codes == [200] * 10 + [422]
    assert len(read_sms(outbox)) == 10


def test_saving_the_standard_text_or_going_back_keeps_no_wording(app, shops):
    client = owner(app, shops["a"])
    standard = textarea(html(client.get(f"{PLACED_SMS}?language=en")))
    standard = standard.replace("&#39;", "'")
    assert client.post(PLACED_SMS, data={"language": "en", "action": "save",
                                         "body": standard}).status_code == 303
    assert saved_rows(app, shops["a"]) == []

    client.post(PLACED_SMS, data={"language": "en", "action": "save", "body": "Mine {{ number }}"})
    assert len(saved_rows(app, shops["a"])) == 1
    response = client.post(PLACED_SMS, data={"language": "en", "action": "reset"})
    assert response.status_code == 303
    assert saved_rows(app, shops["a"]) == []
    assert textarea(html(client.get(f"{PLACED_SMS}?language=en"))).replace("&#39;", "'") \
        == standard


def test_only_the_owner_opens_the_editor(app, shops):
    from admin_support import add_staff

    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    client = client_for(app, "dhaka-shop.localhost")
    assert client.post("/admin/login", data={"email": "helper@dhaka-shop.example",
                                              "password": PASSWORD}).status_code == 303
    assert client.get(PLACED_SMS).status_code == 403
    assert client.post(PLACED_SMS, data={"language": "en", "action": "save",
                                         "body": "x {{ number }}"}).status_code == 403
    assert client_for(app, "dhaka-shop.localhost").get(PLACED_SMS).status_code in (302, 303)
    assert saved_rows(app, shops["a"]) == []


def test_unknown_messages_are_not_found(app, shops):
    client = owner(app, shops["a"])
    assert client.get(f"{EDITOR}/order_exploded/sms").status_code == 404
    assert client.get(f"{EDITOR}/order_placed/fax").status_code == 404


# ------------------------------------------------------------ isolation


def test_store_b_neither_sees_nor_sends_nor_changes_store_a_wording(app, shops, outbox):
    a, b = owner(app, shops["a"]), owner(app, shops["b"])
    assert a.post(PLACED_SMS, data={"language": "en", "action": "save",
                                    "body": "A-ONLY {{ number }}"}).status_code == 303
    page = html(b.get(f"{PLACED_SMS}?language=en"))
    assert "A-ONLY" not in page and 'data-wording="standard"' in page
    # B resetting its own message leaves A's.
    assert b.post(PLACED_SMS, data={"language": "en", "action": "reset"}).status_code == 303
    assert len(saved_rows(app, shops["a"])) == 1

    place(app, shops, key="b")
    assert not read_sms(outbox)[-1]["text"].startswith("A-ONLY")
    place(app, shops, key="a")
    assert read_sms(outbox)[-1]["text"].startswith("A-ONLY #")
    with app.app_context(), tenant_scope(shops["b"].id):
        assert db.session.scalar(select(func.count(MessageTemplate.id))) == 0


# ------------------------------------------------------ parts and cost, language


def test_the_preview_counts_parts_and_prices_them_on_the_stores_gateway(app, shops,
                                                                       install_plugin,
                                                                       enable_plugin):
    from conftest import make_plugin
    from core.sdk import Money, SmsReceipt

    class PricedGateway:
        id, label, sender_id = "priced-sms", "Priced SMS", ""
        cost_per_part = Money(35, "BDT")  # ৳0.35 a part

        def send_sms(self, message):
            return SmsReceipt(provider_id="x")

    install_plugin(make_plugin("priced-sms", haat_sms_gateways=lambda store: [PricedGateway()]))
    enable_plugin(shops["a"], "priced-sms")
    client = owner(app, shops["a"])
    body = "{{ store }} " + "ক" * 100  # Bengali: UCS-2, 111 characters, 2 parts of 67
    page = html(client.post(PLACED_SMS, data={"language": "bn", "action": "preview",
                                              "body": body}))
    assert re.search(r'id="sms-characters">111<', page)
    assert re.search(r'id="sms-parts">2<', page)
    assert "67" in re.search(r'id="sms-encoding">(.*?)</dd>', page).group(1)
    assert "0.70" in re.search(r'id="sms-cost">(.*?)</dd>', page).group(1)
    assert saved_rows(app, shops["a"]) == []  # a preview saves nothing

    plain = html(client.post(PLACED_SMS, data={"language": "en", "action": "preview",
                                               "body": "Order {{ number }} is in"}))
    assert re.search(r'id="sms-parts">1<', plain)
    assert "160" in re.search(r'id="sms-encoding">(.*?)</dd>', plain).group(1)
    assert "0.35" in re.search(r'id="sms-cost">(.*?)</dd>', plain).group(1)


def test_the_editor_is_in_bengali_for_a_bengali_admin_with_bengali_digits(app, shops):
    set_store(app, shops["a"], bengali_digits=True)
    client = owner(app, shops["a"], language="bn")
    page = html(client.get(f"{PLACED_SMS}?language=bn"))
    for english in ("Placeholders you can use", "Preview with a sample order", "SMS parts",
                    "Estimated cost per message", "your store's name", "Send a test to me",
                    "Standard wording", "The whole SMS"):
        assert english not in page, english
    assert "প্রিভিউ" in page and "আপনার স্টোরের নাম" in page
    parts = re.search(r'id="sms-parts">(.*?)</dd>', page).group(1)
    assert re.fullmatch("[০-৯]+", parts)
    overview = html(client.get(EDITOR))
    assert "Your wording" not in overview and "Sent by" not in overview
    refused = html(client.post(PLACED_SMS, data={"language": "bn", "action": "save",
                                                 "body": "ক" * 700}))
    assert "১১" in error_of(refused, "body")


# ------------------------------------------------------------ email specifics


def test_a_heading_that_comes_out_empty_is_left_out_not_the_whole_wording(app, shops, outbox,
                                                                          store_client):
    from admin_support import sign_in

    client = owner(app, shops["a"])
    assert client.post(f"{EDITOR}/order_shipped/email", data={
        "language": "en", "action": "save", "subject": "Shipped {{ number }}",
        "heading": "{% if tracking_number %}Tracking {{ tracking_number }}{% endif %}",
        "body": "It left our shop with {{ carrier }}."}).status_code == 303
    order = place(app, shops, email="asha@example.com")
    staff = sign_in(store_client, shops["a"])
    assert staff.post(f"/admin/orders/{order.id}/ship",
                      data={"carrier": "Pathao"}).status_code == 303
    shipped = [m for m in shopper_emails(outbox) if m["Subject"].startswith("Shipped")]
    [email] = shipped
    text = email.get_body(("plain",)).get_content()
    assert "It left our shop with Pathao." in text and "Tracking" not in text.split("\n")[2]
    assert "<h1" not in email.get_body(("html",)).get_content()


def test_a_saved_email_wording_that_no_longer_renders_sends_the_standard_email(app, shops,
                                                                              outbox):
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.add(MessageTemplate(event="order_placed", channel="email", locale="en",
                                       subject="Order {{ numbr }}", body="Thanks"))
        db.session.commit()
    order = place(app, shops, email="asha@example.com")
    [email] = shopper_emails(outbox)
    assert email["Subject"] == f"Thank you for your order #{order.number}"
    # The owner sees what is wrong with it when they open it.
    page = html(owner(app, shops["a"]).get(f"{EDITOR}/order_placed/email?language=en"))
    assert "has no placeholder {{ numbr }}" in error_of(page, "subject")


def test_an_email_wording_is_used_only_in_its_language(app, shops, outbox):
    client = owner(app, shops["a"])
    assert client.post(f"{EDITOR}/order_placed/email", data={
        "language": "bn", "action": "save", "subject": "অর্ডার {{ number }} পেয়েছি",
        "heading": "", "body": "ধন্যবাদ!"}).status_code == 303
    place(app, shops, email="asha@example.com")  # an English store: the standard email
    set_store(app, shops["a"], locale="bn")
    order = place(app, shops, email="asha@example.com")
    first, second = shopper_emails(outbox)
    assert first["Subject"].startswith("Thank you for your order")
    assert second["Subject"] == f"অর্ডার #{order.number} পেয়েছি"
