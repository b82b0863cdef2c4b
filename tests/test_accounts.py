"""Shopper accounts without passwords, and the order lookup, through the storefront.

A shopper signs in with a 6-digit code sent by SMS (or email) to the phone they ordered
with, in any spelling, and sees every order placed with it, including those placed before
they ever signed in. Wrong, expired and replaced codes fail. Guessing stops at the limit.
Every answer is the same whether or not the shopper exists. Store B never knows store A's
shoppers, codes or orders.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from admin_support import html, make_gateways, open_shops, place
from conftest import client_for, read_sms
from core.accounts.models import ShopperCode
from core.db import db, utcnow
from core.messaging.models import Message
from tenants import tenant_scope

PHONE = "+8801712345678"


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


class Shopper:
    """A browser on one store: its cookies, and the CSRF token of its session (``""``
    on a first visit: no session yet, so the browser's posts are checked by origin)."""

    def __init__(self, app, tenant):
        self.client = client_for(app, f"{tenant.slug}.localhost")
        page = self.client.get("/account/sign-in")
        assert page.status_code == 200
        self.token = re.search(r'name="csrf_token" value="([^"]*)"', html(page)).group(1)

    def post(self, path, **data):
        # As a browser posting one of the store's own pages (its Sec-Fetch-Site).
        return self.client.post(path, data={"csrf_token": self.token, **data},
                                headers={"Sec-Fetch-Site": "same-origin"})

    def ask_code(self, contact):
        return self.post("/account/sign-in", contact=contact)

    def send_code(self, code):
        return self.post("/account/code", code=code)


def last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", read_sms(outbox)[-1]["text"]).group(1)


def sign_in(app, tenant, outbox, contact="01712345678") -> Shopper:
    shopper = Shopper(app, tenant)
    assert shopper.ask_code(contact).location.endswith("/account/code")
    assert shopper.send_code(last_code(outbox)).location.endswith("/account")
    return shopper


def order_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-order-number="(\d+)"', page)]


# -------------------------------------------------------------------- signing in


@pytest.mark.parametrize("spelling", ["01712345678", "+880 1712-345678", "০১৭১২৩৪৫৬৭৮"])
def test_a_phone_only_shopper_signs_in_with_a_code_and_sees_their_orders(app, shops, outbox,
                                                                         spelling):
    earlier = place(app, shops)  # placed long before any account
    later = place(app, shops, phone="+880 1712 345678")
    place(app, shops, phone="01812345678")  # somebody else

    shopper = sign_in(app, shops["a"], outbox, spelling)

    sms = read_sms(outbox)[-1]
    assert sms["To"] == PHONE and "Dhaka Shop" in sms["text"]
    page = html(shopper.client.get("/account"))
    assert order_numbers(page) == [later.number, earlier.number]
    assert f"/orders/{earlier.token}" in page


def test_a_shopper_who_also_gave_an_email_is_found_by_phone(app, shops, outbox):
    order = place(app, shops, email="asha@example.com")
    shopper = sign_in(app, shops["a"], outbox)
    assert order_numbers(html(shopper.client.get("/account"))) == [order.number]


def test_signing_in_by_email_sends_the_code_by_email(app, shops, outbox):
    from conftest import read_outbox

    order = place(app, shops, email="Asha@Example.com")
    shopper = Shopper(app, shops["a"])
    shopper.ask_code("asha@example.com")
    message = read_outbox(outbox)[-1]
    assert message["To"].addresses[0].addr_spec == "asha@example.com"
    code = re.search(r"\b(\d{6})\b", message.get_body(("plain",)).get_content()).group(1)
    assert shopper.send_code(code).location.endswith("/account")
    assert order_numbers(html(shopper.client.get("/account"))) == [order.number]


def test_a_code_typed_in_bengali_digits_works(app, shops, outbox):
    place(app, shops)
    shopper = Shopper(app, shops["a"])
    shopper.ask_code("01712345678")
    bengali = last_code(outbox).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert shopper.send_code(bengali).location.endswith("/account")


def test_signing_out_forgets_the_shopper(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    assert shopper.post("/account/sign-out").status_code == 302
    assert shopper.client.get("/account").location.endswith("/account/sign-in")


def test_the_pages_are_private_and_never_cached(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    response = shopper.client.get("/account")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_code_is_kept_only_as_a_hash_and_masked_in_the_log(app, shops, outbox):
    place(app, shops)
    Shopper(app, shops["a"]).ask_code("01712345678")
    code = last_code(outbox)
    with app.app_context(), tenant_scope(shops["a"].id):
        row = db.session.scalar(select(ShopperCode))
        logged = db.session.scalar(select(Message).where(Message.event == "sign_in_code"))
        assert code not in (row.code_hash + row.salt)
        assert code not in logged.body and "••••••" in logged.body


# ----------------------------------------------------------- what is not revealed


def test_an_unknown_number_gets_the_same_answer_and_no_sms(app, shops, outbox):
    place(app, shops)
    known, unknown = Shopper(app, shops["a"]), Shopper(app, shops["a"])
    sent_before = len(read_sms(outbox))

    first = known.ask_code("01712345678")
    second = unknown.ask_code("01912345678")

    assert (first.status_code, first.location) == (second.status_code, second.location)
    known_page = html(known.client.get("/account/code")).replace("+88017•••••678", "X")
    unknown_page = html(unknown.client.get("/account/code")).replace("+88019•••••678", "X")
    strip = re.compile(r'value="[^"]+"')
    assert strip.sub("", known_page) == strip.sub("", unknown_page)
    assert len(read_sms(outbox)) == sent_before + 1  # only the known shopper's code


def test_trying_codes_answers_the_same_for_a_stranger(app, shops, outbox):
    place(app, shops)
    answers = []
    for contact in ("01712345678", "01912345678"):  # a shopper, and a stranger
        shopper = Shopper(app, shops["a"])
        shopper.ask_code(contact)
        response = shopper.send_code("000000" if contact != "01712345678"
                                     or last_code(outbox) != "000000" else "111111")
        answers.append((response.status_code, re.sub(
            r'value="[^"]+"|\+88\d+•+\d+', "", html(response))))
    assert answers[0] == answers[1]
    assert "You can try 4 more times" in answers[1][1]


def test_a_phone_typed_next_to_someone_elses_email_does_not_open_their_orders(
        app, shops, outbox):
    victim = place(app, shops, email="asha@example.com", phone="01912345678")
    mine = place(app, shops, email="asha@example.com", phone="01812345678")
    shopper = sign_in(app, shops["a"], outbox, "01812345678")
    page = html(shopper.client.get("/account"))
    assert order_numbers(page) == [mine.number]  # the order placed with this phone only
    assert f"/orders/{victim.token}" not in page
    data = shopper.client.get("/account/data").get_json()
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert data["customer_records"] == []  # the email's record is not the phone's
    assert 'action="/account/details"' not in page  # its details are the email's to change
    assert "Sign in with that email" in page


@pytest.mark.parametrize(("typed", "expected"), [
    ("", "Enter your mobile number"), ("12", "Enter your mobile number"),
    ("asha@", "Enter your mobile number"), ("<script>", "Enter your mobile number")])
def test_what_is_not_a_phone_or_email_is_refused_next_to_the_field(app, shops, typed,
                                                                    expected):
    response = Shopper(app, shops["a"]).ask_code(typed)
    page = html(response)
    assert response.status_code == 422
    assert 'id="error-contact"' in page and expected in page
    assert "&lt;script&gt;" in page or typed != "<script>"


# --------------------------------------------------------------- guessing codes


def test_guessing_stops_after_five_wrong_codes(app, shops, outbox):
    place(app, shops)
    shopper = Shopper(app, shops["a"])
    shopper.ask_code("01712345678")
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [html(shopper.send_code(wrong)) for _ in range(5)]

    assert "You can try 4 more times" in answers[0]
    assert "You can try 1 more time." in answers[3]
    assert "Ask for a new code" in answers[4]
    refused = shopper.send_code(code)  # the right code, too late
    assert refused.status_code == 422 and "Ask for a new code" in html(refused)
    assert shopper.client.get("/account").location.endswith("/account/sign-in")


def test_an_expired_code_is_refused(app, shops, outbox):
    place(app, shops)
    shopper = Shopper(app, shops["a"])
    shopper.ask_code("01712345678")
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.execute(update(ShopperCode).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = shopper.send_code(last_code(outbox))
    assert response.status_code == 422 and "expired" in html(response)


def test_only_the_newest_code_works(app, shops, outbox):
    place(app, shops)
    shopper = Shopper(app, shops["a"])
    shopper.ask_code("01712345678")
    first = last_code(outbox)
    shopper.ask_code("01712345678")
    newest = last_code(outbox)
    if first != newest:
        assert shopper.send_code(first).status_code == 422
    assert shopper.send_code(newest).location.endswith("/account")


def test_codes_are_rate_limited_per_number_with_the_same_answer(app, shops, outbox):
    place(app, shops)
    for _ in range(3):
        assert Shopper(app, shops["a"]).ask_code("01712345678").status_code == 302
    limited = Shopper(app, shops["a"]).ask_code("+8801712345678")
    assert limited.status_code == 429
    assert 'id="error-contact"' in html(limited) and "Wait 10 minutes" in html(limited)
    unknown = Shopper(app, shops["a"])
    for _ in range(3):
        unknown.ask_code("01912345678")
    assert unknown.ask_code("01912345678").status_code == 429  # known or not: same
    assert len(read_sms(outbox)) == 1 + 3  # the order confirmation and three codes


def test_with_rate_limiting_switched_off_codes_are_not_counted(app, shops, monkeypatch):
    from core.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", False)  # RATELIMIT_ENABLED=False
    shopper = Shopper(app, shops["a"])
    answers = [shopper.ask_code(f"0171200{n:04d}").status_code for n in range(12)]
    assert answers == [302] * 12


def test_codes_are_rate_limited_per_client(app, shops):
    shopper = Shopper(app, shops["a"])
    answers = [shopper.ask_code(f"0171{n:07d}").status_code for n in range(11)]
    assert answers[:10] == [302] * 10 and answers[10] == 429


# ------------------------------------------------------------------- isolation


def test_a_code_or_a_sign_in_of_store_a_means_nothing_on_store_b(app, shops, outbox):
    place(app, shops, "a")
    order_b = place(app, shops, "b")
    on_a = Shopper(app, shops["a"])
    on_a.ask_code("01712345678")
    code_a = last_code(outbox)

    on_b = Shopper(app, shops["b"])
    on_b.ask_code("01712345678")
    code_b = last_code(outbox)
    if code_a != code_b:
        assert on_b.send_code(code_a).status_code == 422
    assert on_b.send_code(code_b).location.endswith("/account")
    assert order_numbers(html(on_b.client.get("/account"))) == [order_b.number]

    # Store A's session cookie, sent to store B's host, signs nobody in there.
    assert on_a.send_code(code_a).location.endswith("/account")
    cookie = on_a.client.get_cookie("session", domain="dhaka-shop.localhost")
    intruder = client_for(app, "other-shop.localhost")
    intruder.set_cookie("session", cookie.value, domain="other-shop.localhost")
    assert intruder.get("/account").location.endswith("/account/sign-in")


def test_a_shopper_of_store_a_is_unknown_to_store_b(app, shops, outbox):
    place(app, shops, "a")
    sent = len(read_sms(outbox))
    Shopper(app, shops["b"]).ask_code("01712345678")
    assert len(read_sms(outbox)) == sent  # nothing is sent to a stranger of store B


# ---------------------------------------------------------------- order lookup


def test_an_order_is_found_by_number_and_phone_and_its_link_sent_there(app, shops, outbox):
    order = place(app, shops)
    sent = len(read_sms(outbox))
    response = Shopper(app, shops["a"]).post("/orders/lookup", number=f"#{order.number}",
                                             contact="০১৭১২-৩৪৫৬৭৮")
    assert response.status_code == 200
    assert "we have sent its link there" in html(response)
    [sms] = read_sms(outbox)[sent:]
    assert sms["To"] == PHONE and f"/orders/{order.token}" in sms["text"]


def test_a_lookup_that_does_not_match_says_the_same_and_sends_nothing(app, shops, outbox):
    order = place(app, shops)
    order_b = place(app, shops, "b", phone="01912345678")
    sent = len(read_sms(outbox))
    answers = []
    for number, contact in ((order.number, "01712345678"), (order.number, "01912345678"),
                            (order.number + 50, "01712345678"),
                            (order_b.number, "01912345678")):  # store B's order, on A
        response = Shopper(app, shops["a"]).post("/orders/lookup", number=str(number),
                                                 contact=contact)
        assert response.status_code == 200
        answers.append(re.sub(r'value="[^"]+"|#\d+|\+88\d+•+\d+', "", html(response)))
    assert len(set(answers)) == 1
    assert len(read_sms(outbox)) == sent + 1  # only the matching lookup


def test_a_lookup_form_keeps_what_was_typed_and_marks_each_field(app, shops):
    response = Shopper(app, shops["a"]).post("/orders/lookup", number="abc", contact="x")
    page = html(response)
    assert response.status_code == 422
    assert 'id="error-number"' in page and 'id="error-contact"' in page
    assert 'value="abc"' in page and 'value="x"' in page


def test_an_order_number_too_big_for_any_order_is_refused_next_to_the_field(app, shops):
    response = Shopper(app, shops["a"]).post("/orders/lookup", number="99999999999",
                                             contact="01712345678")
    assert response.status_code == 422 and 'id="error-number"' in html(response)
    assert 'value="99999999999"' in html(response)


def test_lookups_are_rate_limited(app, shops):
    shopper = Shopper(app, shops["a"])
    answers = [shopper.post("/orders/lookup", number=str(1000 + n),
                            contact=f"0171{n:07d}").status_code for n in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429


# ------------------------------------------------- details, consent, data, deletion


def test_news_and_offers_need_a_ticked_box_and_are_logged_with_time_and_source(
        app, shops, outbox, store_client):
    from admin_support import sign_in as admin_sign_in

    plain = place(app, shops)
    place(app, shops, phone="01812345678", marketing="y")
    admin = admin_sign_in(store_client, shops["a"])
    page = html(admin.get(f"/admin/customers/{plain.customer_id}"))
    assert 'data-consent="transactional-sms-yes"' in page
    assert "marketing-sms" not in page  # never assumed
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.customers.consent import marketing_allowed
        from core.customers.models import Customer

        opted = db.session.scalar(select(Customer).where(Customer.key == "tel:01812345678"))
        assert marketing_allowed(opted.id, "sms") and not marketing_allowed(plain.customer_id,
                                                                            "sms")


def test_the_shopper_changes_name_language_and_news_in_their_account(app, shops, outbox,
                                                                     store_client):
    from admin_support import sign_in as admin_sign_in

    order = place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    saved = shopper.post("/account/details", name="Rahim", locale="bn", marketing_sms="y")
    assert saved.location.endswith("/account")
    page = html(shopper.client.get("/account"))
    assert 'value="Rahim"' in page and re.search(r'name="marketing_sms"[^>]*checked', page)
    admin = html(admin_sign_in(store_client, shops["a"]).get(
        f"/admin/customers/{order.customer_id}"))
    assert 'data-consent="marketing-sms-yes"' in admin and "in their account" in admin

    shopper.post("/account/details", name="Rahim", locale="bn")  # box unticked: withdrawn
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.customers.consent import marketing_allowed
        from core.customers.models import CustomerConsent

        assert not marketing_allowed(order.customer_id, "sms")
        assert [c.granted for c in db.session.scalars(
            select(CustomerConsent).where(CustomerConsent.purpose == "marketing")
            .order_by(CustomerConsent.id))] == [True, False]
    bad = shopper.post("/account/details", name="Rahim", locale="xx")
    assert bad.status_code == 422 and 'id="error-locale"' in html(bad)


def test_the_unsubscribe_link_stops_news_and_offers_in_one_click(app, shops, outbox):
    order = place(app, shops, marketing="y")
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.customers.consent import unsubscribe_token

        token = unsubscribe_token(shops["a"].id, order.customer_id, "sms")
    shopper = Shopper(app, shops["a"])
    assert shopper.client.get(f"/unsubscribe/{token}").status_code == 200
    done = shopper.post(f"/unsubscribe/{token}")
    assert done.status_code == 200 and "no more news and offers by SMS" in html(done)
    with app.app_context(), tenant_scope(shops["a"].id):
        from core.customers.consent import marketing_allowed

        assert not marketing_allowed(order.customer_id, "sms")
    # Store A's link means nothing on store B, and a forged one nothing anywhere.
    assert Shopper(app, shops["b"]).client.get(f"/unsubscribe/{token}").status_code == 404
    assert shopper.client.get(f"/unsubscribe/{token}x").status_code == 404


def test_download_my_data_has_the_orders_and_messages_of_this_store_only(app, shops, outbox):
    import json

    order = place(app, shops, note="Ring the bell twice")
    place(app, shops, "b")  # the same phone at store B
    shopper = sign_in(app, shops["a"], outbox)
    response = shopper.client.get("/account/data")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert data["orders"][0]["note"] == "Ring the bell twice"
    assert {m["about"] for m in data["messages"]} >= {"order_placed", "sign_in_code"}
    assert all(m["to"] == PHONE for m in data["messages"])


def test_deleting_the_account_keeps_orders_for_the_books_without_the_shopper(
        app, shops, outbox, store_client):
    from admin_support import reload
    from admin_support import sign_in as admin_sign_in

    order = place(app, shops)
    other = place(app, shops, "b")
    shopper = sign_in(app, shops["a"], outbox)
    unconfirmed = shopper.post("/account/delete")
    assert unconfirmed.status_code == 422 and 'id="error-confirm"' in html(unconfirmed)

    assert shopper.post("/account/delete", confirm="yes").status_code == 302

    kept = reload(app, shops["a"], order.id)
    assert (kept.number, kept.total, kept.phone, kept.email) == (order.number, order.total,
                                                                 "", "")
    assert kept.shipping_address == {"country": "BD", "region": "Dhaka", "city": "Dhaka"}
    assert not any("01712345678" in m or PHONE in m for _, m, _ in kept.event_log)
    admin = html(admin_sign_in(store_client, shops["a"]).get(
        f"/admin/customers/{order.customer_id}"))
    assert "Rahim" not in admin and "01712345678" not in admin and PHONE not in admin
    assert shopper.client.get("/account").location.endswith("/account/sign-in")
    # Store B's shopper with the same phone keeps everything.
    assert reload(app, shops["b"], other.id).phone == "01712345678"
    # And signing in again finds nothing to show.
    again = Shopper(app, shops["a"])
    sent = len(read_sms(outbox))
    again.ask_code("01712345678")
    assert len(read_sms(outbox)) == sent


def test_messages_follow_the_language_the_shopper_chose(app, shops, outbox, store_client):
    from admin_support import sign_in as admin_sign_in

    order = place(app, shops)  # ordered in English
    shopper = sign_in(app, shops["a"], outbox)
    shopper.post("/account/details", name="", locale="hy")
    admin = admin_sign_in(store_client, shops["a"])
    assert admin.post(f"/admin/orders/{order.id}/mark-paid").status_code == 303
    assert "պատվեր" in read_sms(outbox)[-1]["text"]


def test_a_signed_in_shoppers_checkout_starts_from_their_last_address(app, shops, outbox):
    place(app, shops, line1="House 9, Road 2, Mirpur-10", city="Dhaka")
    shopper = sign_in(app, shops["a"], outbox)
    shopper.client.post("/cart/add", data={"product_id": str(shops["ids"]["a"]),
                                           "quantity": "1", "csrf_token": shopper.token})
    page = html(shopper.client.get("/checkout"))
    assert 'value="House 9, Road 2, Mirpur-10"' in page
    assert 'value="01712345678"' in page and 'value="Rahim Uddin"' in page
    guest = Shopper(app, shops["a"])  # nobody signed in
    guest.client.post("/cart/add", data={"product_id": str(shops["ids"]["a"]),
                                         "quantity": "1", "csrf_token": guest.token})
    empty = guest.client.get("/checkout")
    assert empty.status_code == 200 and "Mirpur-10" not in html(empty)



def test_a_plugin_route_knows_the_signed_in_shopper(app, shops, outbox, monkeypatch):
    from importlib.metadata import EntryPoint

    from core import create_app
    from core.pluginhost.state import set_enabled
    from core.testing import dispose

    point = EntryPoint(name="sample-pages", value="plugin_samples:blueprint_plugin",
                       group="haat.plugins")
    monkeypatch.setattr("core.pluginhost.manager.entry_points", lambda group: [point])
    worker = create_app({k: app.config[k] for k in (
        "TESTING", "DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "HAAT_INSTANCE_DIR",
        "HAAT_MEDIA_DIR", "HAAT_PLATFORM_DOMAIN", "HAAT_OUTBOX_DIR", "HAAT_JOBS",
        "WTF_CSRF_ENABLED") if k in app.config})
    try:
        with worker.app_context():
            for key in ("a", "b"):
                set_enabled(shops[key].id, "sample-pages", True)
            db.session.commit()
        order = place(app, shops)
        shopper = sign_in(worker, shops["a"], outbox)
        assert shopper.client.get("/apps/sample/who").get_json() == {
            "channel": "sms", "address": PHONE, "customers": [order.customer_id]}
        guest = client_for(worker, "dhaka-shop.localhost")
        assert guest.get("/apps/sample/who").get_json() is None
        on_b = client_for(worker, "other-shop.localhost")
        on_b.set_cookie("session", shopper.client.get_cookie(
            "session", domain="dhaka-shop.localhost").value, domain="other-shop.localhost")
        assert on_b.get("/apps/sample/who").get_json() is None  # A's sign-in: nothing on B
    finally:
        dispose(worker)
