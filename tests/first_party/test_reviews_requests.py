"""Review requests of the reviews plugin: asked once, a set number of days after
delivery, in the order's language, by SMS (or email when there is no phone), with at
most one reminder; never after an opt-out, never for cancelled or returned orders.

Orders are written straight to the database and moved through core's order service,
so ``haat_order_delivered`` fires as it does in production. Time is driven by replacing
``plugins.reviews.requests.now``; under ``HAAT_JOBS=immediate`` the delayed job runs at
once (and, being early, sends nothing), so a worker's later run is a direct call of the
job, and the hourly schedule a direct call of its function.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conftest import read_outbox, read_sms
from core.customers.consent import record_consent
from core.customers.models import Customer
from core.db import db
from core.orders import service
from core.orders.models import Order, OrderLine
from core.orders.numbering import next_order_number
from core.pluginhost.translations import untranslated
from plugins.reviews import requests as review_requests
from plugins.reviews.manage_text import _
from plugins.reviews.models import Review, ReviewOptOut, ReviewRequest
from plugins.reviews.tokens import token_hash
from tenants import tenant_scope

PLUGIN = "reviews"
STAFF = "staff@shop.example"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LINK = re.compile(r"/reviews/r/([\w-]+)")
STOP = re.compile(r"/reviews/stop/([\w-]+)")


class Clock:
    """The plugin's idea of now, moved by the test."""

    def __init__(self) -> None:
        self.at = START

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    moving = Clock()
    monkeypatch.setattr(review_requests, "now", lambda: moving.at)
    # The link's page checks the link's age by the same clock.
    monkeypatch.setattr("plugins.reviews.writing.now", lambda: moving.at)
    return moving


@pytest.fixture
def queued(monkeypatch):
    """The delays ``run_after`` was given (the jobs still run, at once, as in tests)."""
    delays: list[timedelta] = []
    real = review_requests.run_after

    def recording(store, delay, func, *args):
        delays.append(delay)
        return real(store, delay, func, *args)

    monkeypatch.setattr(review_requests, "run_after", recording)
    return delays


@pytest.fixture
def shops(make_store, add_product, enable_plugin):
    """Two Bangladeshi stores with reviews on (requests after 7 days, reminder 7 later)."""
    a = make_store("rv-ask-a", currency="BDT", country="BD", name="Dhaka Crafts")
    b = make_store("rv-ask-b", currency="BDT", country="BD", name="Other Shop")
    for tenant in (a, b):
        enable_plugin(tenant, PLUGIN, settings={"request_days": 7, "reminder_days": 7})
    products = [add_product(a, "kantha", title="Kantha quilt"),
                add_product(a, "jamdani", title="Jamdani sari")]
    return a, b, products


def new_order(app, tenant, product_ids, *, phone="01712345678", email="", locale="bn",
              state="shipped", consent: bool | None = None) -> int:
    """An order (and its customer) in ``state``, written as checkout would leave it."""
    with app.app_context(), tenant_scope(tenant.id):
        customer = Customer(key=email or f"tel:{phone}", email=email, phone=phone)
        db.session.add(customer)
        db.session.flush()
        if consent is not None:
            record_consent(customer.id, "marketing", "sms" if phone else "email", consent,
                           "checkout")
        order = Order(number=next_order_number(), token=secrets.token_urlsafe(24),
                      idempotency_key=secrets.token_hex(16), currency="BDT", email=email,
                      phone=phone, locale=locale, payment_method="manual", subtotal=1000,
                      total=1000, fulfilment_state=state, customer_id=customer.id,
                      shipping_address={"country": "BD", "city": "Dhaka"})
        for product_id in product_ids:
            order.lines.append(OrderLine(product_id=product_id, title="Thing", quantity=1,
                                         unit_price=1000, line_total=1000))
        db.session.add(order)
        db.session.commit()
        return order.id


def act(app, tenant, order_id, action) -> None:
    """Run an order service in its own transaction (hooks fire after the commit)."""
    with app.app_context(), tenant_scope(tenant.id):
        action(db.session.get(Order, order_id), STAFF)
        db.session.commit()


def requests_of(app, tenant) -> list[ReviewRequest]:
    with app.app_context(), tenant_scope(tenant.id):
        rows = db.session.scalars(select(ReviewRequest).order_by(ReviewRequest.id)).all()
        db.session.expunge_all()
        return list(rows)


def run_schedule(app, store_plugins, tenant) -> int:
    with app.app_context():
        return review_requests.send_due_requests(store_plugins(tenant).info)


def run_job(app, store_plugins, tenant, request_id) -> str:
    with app.app_context():
        return review_requests.send_due_request(store_plugins(tenant).info, request_id)


def body_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def review_sms(outbox) -> list[dict[str, str]]:
    return [sms for sms in read_sms(outbox) if "/reviews/r/" in sms["text"]]


def test_a_request_is_sent_once_after_delivery_and_the_delay(
        app, shops, clock, queued, outbox, store_plugins, store_client):
    a, _b, products = shops
    order_id = new_order(app, a, products, state="unfulfilled")
    act(app, a, order_id, service.fulfil)
    act(app, a, order_id, lambda order, actor: service.ship(order, actor, "Pathao", "PX-1"))
    assert requests_of(app, a) == []  # nothing before delivery

    act(app, a, order_id, service.mark_delivered)
    (row,) = requests_of(app, a)
    assert queued == [timedelta(days=7)]
    assert row.state == "scheduled" and review_requests.aware(row.due_at) == START + timedelta(
        days=7)
    assert review_requests.aware(row.reminder_due_at) == START + timedelta(days=14)
    assert review_sms(outbox) == []  # the job ran at once (tests) and found it early

    clock.advance(days=6, hours=23)
    assert run_job(app, store_plugins, a, row.id) == "waiting"
    assert run_schedule(app, store_plugins, a) == 0
    assert review_sms(outbox) == []

    clock.advance(hours=1)
    assert run_job(app, store_plugins, a, row.id) == "sent"
    assert run_job(app, store_plugins, a, row.id) == "waiting"  # a retry: the reminder waits
    assert run_schedule(app, store_plugins, a) == 0
    (sms,) = review_sms(outbox)
    assert sms["To"] == "+8801712345678"
    # In the order's language (Bengali), with the store and the order number.
    with app.app_context(), tenant_scope(a.id):
        number = db.session.get(Order, order_id).number
    assert "Dhaka Crafts" in sms["text"] and f"#{number}" in sms["text"]
    assert "রেটিং" in sms["text"]
    # Bengali is UCS-2 (67 characters a part): one short link keeps it at two parts.
    assert int(sms["Parts"]) <= 2
    token = LINK.search(sms["text"]).group(1)
    assert STOP.search(sms["text"]) is None
    (row,) = requests_of(app, a)
    assert row.state == "sent" and row.token_hash == token_hash(token)
    # The link's page offers the way to stop, which opens its page on the store.
    form = store_client(a.slug).get(f"/reviews/r/{token}").get_data(as_text=True)
    assert STOP.search(form).group(1) == token
    page = store_client(a.slug).get(f"/reviews/stop/{token}")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)


def test_the_schedule_sends_a_due_request_that_no_job_sent(
        app, shops, clock, outbox, store_plugins):
    a, _b, products = shops
    act(app, a, new_order(app, a, products, locale="en"), service.mark_delivered)
    clock.advance(days=8)
    assert run_schedule(app, store_plugins, a) == 1
    assert run_schedule(app, store_plugins, a) == 0
    (sms,) = review_sms(outbox)
    assert sms["text"].startswith("Dhaka Crafts: how was order #")
    assert int(sms["Parts"]) <= 2


def test_delivered_twice_makes_one_request(app, shops, clock, store_plugins):
    a, _b, products = shops
    order_id = new_order(app, a, products)
    act(app, a, order_id, service.mark_delivered)
    with app.app_context(), tenant_scope(a.id):
        order = review_requests.get_order(store_plugins(a).info, order_id)
        review_requests.haat_order_delivered(store_plugins(a).info, order)
    assert len(requests_of(app, a)) == 1


def test_email_when_the_order_has_only_an_email(app, shops, clock, outbox, store_plugins):
    a, _b, products = shops
    order_id = new_order(app, a, products, phone="", email="rahim@example.com", locale="hy")
    act(app, a, order_id, service.mark_delivered)
    clock.advance(days=7, minutes=1)
    assert run_schedule(app, store_plugins, a) == 1
    mails = [m for m in read_outbox(outbox) if "/reviews/r/" in body_of(m)]
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == "rahim@example.com"
    assert mail["Subject"] == _.gettext("How was your order %(number)s?", locale="hy",
                                        number=f"#{1001}")
    assert "Ձեր" in mail["Subject"]
    assert STOP.search(body_of(mail)) and LINK.search(body_of(mail))
    assert review_sms(outbox) == []


def test_one_reminder_at_most_with_a_token_of_its_own(app, shops, clock, outbox,
                                                     store_plugins):
    a, _b, products = shops
    act(app, a, new_order(app, a, products, locale="en"), service.mark_delivered)
    clock.advance(days=7, minutes=1)
    assert run_schedule(app, store_plugins, a) == 1
    clock.advance(days=6)
    assert run_schedule(app, store_plugins, a) == 0
    clock.advance(days=1)
    assert run_schedule(app, store_plugins, a) == 1
    clock.advance(days=30)
    assert run_schedule(app, store_plugins, a) == 0
    (row,) = requests_of(app, a)
    assert row.state == "reminded"
    asked, reminded = review_sms(outbox)
    assert "still time" in reminded["text"]
    first, second = (LINK.search(s["text"]).group(1) for s in (asked, reminded))
    assert first != second
    assert (row.token_hash, row.reminder_token_hash) == (token_hash(first), token_hash(second))
    with app.app_context():
        info = store_plugins(a).info
        assert review_requests.request_for_token(info, first).id == row.id
        assert review_requests.request_for_token(info, second).id == row.id


def test_no_reminder_when_everything_was_reviewed(app, shops, clock, outbox, store_plugins):
    a, _b, products = shops
    order_id = new_order(app, a, products, locale="en")
    act(app, a, order_id, service.mark_delivered)
    clock.advance(days=7, minutes=1)
    assert run_schedule(app, store_plugins, a) == 1
    with app.app_context(), tenant_scope(a.id):
        for product_id in products:
            db.session.add(Review(product_id=product_id, order_id=order_id, rating=5,
                                  status="published", reviewer_key=f"o:{product_id}"))
        db.session.commit()
    clock.advance(days=8)
    assert run_schedule(app, store_plugins, a) == 0
    assert len(review_sms(outbox)) == 1
    assert requests_of(app, a)[0].state == "done"


def test_never_after_opting_out(app, shops, clock, outbox, store_plugins, store_client):
    a, _b, products = shops
    act(app, a, new_order(app, a, products, locale="en"), service.mark_delivered)
    # A second order of the same shopper, the phone typed another way.
    later = new_order(app, a, products[:1], phone="+880 1712-345678", locale="en")
    act(app, a, later, service.mark_delivered)
    clock.advance(days=7, minutes=1)
    first = requests_of(app, a)[0]
    assert run_job(app, store_plugins, a, first.id) == "sent"
    token = LINK.search(review_sms(outbox)[0]["text"]).group(1)

    shopper = store_client(a.slug)
    assert shopper.get("/reviews/stop/not-a-token").status_code == 404
    stopped = shopper.post(f"/reviews/stop/{token}")
    assert stopped.status_code == 303
    # Back to the link's page: it still works, to rate the rest of the order.
    assert stopped.headers["Location"].endswith(f"/reviews/r/{token}")
    assert shopper.get(f"/reviews/r/{token}").status_code == 200
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(ReviewOptOut.id)) is not None
    first, second = requests_of(app, a)
    assert (first.state, first.reminder_due_at, second.state) == ("sent", None, "scheduled")

    clock.advance(days=30)
    assert run_schedule(app, store_plugins, a) == 0  # no reminder, no second request
    assert len(review_sms(outbox)) == 1
    assert [r.state for r in requests_of(app, a)] == ["sent", "cancelled"]


def test_never_for_returned_or_cancelled_orders(app, shops, clock, outbox, store_plugins):
    a, _b, products = shops
    returned = new_order(app, a, products, locale="en")
    act(app, a, returned, service.mark_delivered)
    act(app, a, returned, service.mark_returned)
    assert requests_of(app, a)[0].state == "cancelled"
    # Cancelled behind the plugin's back: the send checks the order again.
    cancelled = new_order(app, a, products, phone="01812345678", locale="en")
    act(app, a, cancelled, service.mark_delivered)
    with app.app_context(), tenant_scope(a.id):
        db.session.get(Order, cancelled).fulfilment_state = "cancelled"
        db.session.commit()
    clock.advance(days=20)
    assert run_schedule(app, store_plugins, a) == 0
    assert review_sms(outbox) == []
    assert [r.state for r in requests_of(app, a)] == ["cancelled", "cancelled"]


def test_consent_is_asked_for_when_the_merchant_wants_it(
        app, shops, clock, outbox, store_plugins, enable_plugin):
    a, _b, products = shops
    enable_plugin(a, PLUGIN, settings={"requests_need_consent": True})
    act(app, a, new_order(app, a, products, locale="en"), service.mark_delivered)
    act(app, a, new_order(app, a, products, phone="01812345678", locale="en", consent=True),
        service.mark_delivered)
    clock.advance(days=8)
    assert run_schedule(app, store_plugins, a) == 1
    (sms,) = review_sms(outbox)
    assert sms["To"] == "+8801812345678"


def test_no_requests_when_the_merchant_switched_them_off(app, shops, clock, enable_plugin):
    a, _b, products = shops
    enable_plugin(a, PLUGIN, settings={"send_requests": False})
    act(app, a, new_order(app, a, products), service.mark_delivered)
    assert requests_of(app, a) == []


def test_nothing_is_sent_while_the_plugin_is_off(app, shops, clock, outbox, enable_plugin,
                                                  store_plugins):
    """The delayed job runs whatever the plugin's state; it waits, and the schedule
    sends the request once reviews are on again."""
    a, _b, products = shops
    act(app, a, new_order(app, a, products), service.mark_delivered)
    enable_plugin(a, PLUGIN, enabled=False)
    clock.advance(days=8)
    (row,) = requests_of(app, a)
    assert run_job(app, store_plugins, a, row.id) == "waiting"
    assert review_sms(outbox) == [] and requests_of(app, a)[0].state == "scheduled"
    enable_plugin(a, PLUGIN)
    assert run_schedule(app, store_plugins, a) == 1
    assert len(review_sms(outbox)) == 1


def test_switching_requests_off_stops_those_already_planned(app, shops, clock, outbox,
                                                            enable_plugin, store_plugins):
    a, _b, products = shops
    act(app, a, new_order(app, a, products), service.mark_delivered)
    enable_plugin(a, PLUGIN, settings={"send_requests": False})
    clock.advance(days=8)
    assert run_schedule(app, store_plugins, a) == 0
    assert review_sms(outbox) == []
    assert [r.state for r in requests_of(app, a)] == ["cancelled"]


def test_another_stores_stop_token_does_nothing_here(app, shops, clock, outbox,
                                                    store_plugins, store_client, add_product):
    a, b, products = shops
    b_product = add_product(b, "lamp")
    act(app, b, new_order(app, b, [b_product], locale="en"), service.mark_delivered)
    act(app, a, new_order(app, a, products, locale="en"), service.mark_delivered)
    clock.advance(days=8)
    assert run_schedule(app, store_plugins, b) == 1
    b_token = LINK.search(review_sms(outbox)[0]["text"]).group(1)
    assert store_client(a.slug).get(f"/reviews/stop/{b_token}").status_code == 404
    assert store_client(a.slug).post(f"/reviews/stop/{b_token}").status_code == 404
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(ReviewOptOut.id)) is None
    with app.app_context(), tenant_scope(b.id):
        assert db.session.scalar(select(ReviewOptOut.id)) is None
    assert [r.state for r in requests_of(app, a)] == ["scheduled"]
    # A's schedule never sends B's request, and B's link works only on B.
    assert run_schedule(app, store_plugins, a) == 1
    assert store_client(b.slug).get(f"/reviews/stop/{b_token}").status_code == 200


def test_the_stop_page_is_translated_and_needs_its_form(app, shops, clock, outbox,
                                                       store_plugins, store_client,
                                                       monkeypatch):
    a, _b, products = shops
    act(app, a, new_order(app, a, products), service.mark_delivered)
    clock.advance(days=8)
    run_schedule(app, store_plugins, a)
    token = LINK.search(review_sms(outbox)[0]["text"]).group(1)
    answer = store_client(a.slug).get(f"/reviews/stop/{token}?lang=bn")
    page = answer.get_data(as_text=True)
    assert _.gettext("Stop review requests", locale="bn") in page
    # It carries the token, like the link's page: never kept by a cache or passed on.
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in page
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert store_client(a.slug).post(f"/reviews/stop/{token}").status_code == 400
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(ReviewOptOut.id)) is None


def test_every_request_message_is_translated():
    """Every word of requests and the stop page has Bengali and Armenian (the plugin's
    other catalogues are checked by their own tests)."""
    mine = ("requests.py", "stop_confirm.html", "manage.po")
    missing = [u for u in untranslated("plugins.reviews")
               if u.where.split(":")[0].endswith(mine)]
    assert missing == []
