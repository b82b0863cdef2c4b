"""Writing reviews, through HTTP on store hosts: the product's form for signed-in shoppers
and guests, the review-request link, photos, the spam filter, the states a review takes,
and that nothing of one store works on another.

Orders are placed through the real checkout (the in-test courier and pay-on-delivery);
shoppers sign in with the one-time code the SMS outbox receives.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update

from admin_support import html, make_gateways, open_shops
from checkout_support import checkout_form
from conftest import client_for, read_sms
from core.catalog.models import Product
from core.db import db
from core.orders.models import Order
from plugins.reviews import spam
from plugins.reviews.models import (
    ProductRatingStat,
    Review,
    ReviewPhoto,
    ReviewRequest,
    ReviewRevision,
    now,
)
from plugins.reviews.tokens import new_token
from tenants import tenant_scope

PLUGIN = "reviews"
PHONE = "01712345678"
OTHER_PHONE = "01812345678"
GOOD = {"rating": "5", "title": "Lovely stitching",
        "body": "Soft, warm and the colours are as in the photos.", "author_name": "Rahim"}


# ---------------------------------------------------------------------- fixtures


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    """Stores A and B (BDT, the in-test courier and ways to pay), each selling a Kantha;
    A also sells a shawl and a scarf; reviews on in both, published at once."""
    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())
    shops["shawl"] = add_product(shops["a"], "shawl", title="Silk shawl", price=90000)
    shops["scarf"] = add_product(shops["a"], "scarf", title="Cotton scarf", price=40000)
    shops["b_only"] = add_product(shops["b"], "b-only-lamp", title="Lamp of B")
    for key in ("a", "b"):
        configure(enable_plugin, shops[key])
    return shops


def configure(enable_plugin, tenant, **settings) -> None:
    values = {"publishing": "instant", "allow_anonymous": False, "edit_days": 30,
              "send_requests": True, "request_days": 7, "reminder_days": 7,
              "requests_need_consent": False, "blocked_words": ""}
    values.update(settings)
    enable_plugin(tenant, PLUGIN, settings=values)


class Browser:
    """One shopper's browser on one store (cookies, the session's CSRF token)."""

    def __init__(self, app, tenant):
        self.client = client_for(app, f"{tenant.slug}.localhost")
        self.token = ""

    def get(self, path):
        response = self.client.get(path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', html(response))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, **fields):
        payload = {"csrf_token": self.token, **(data or {}), **fields}
        return self.client.post(path, data=payload, content_type="multipart/form-data")


def buy(app, shops, product_id, phone=PHONE, key="a"):
    """Place an order of one product like a shopper; returns the order (detached)."""
    tenant = shops[key]
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/cart/add", data={"product_id": str(product_id),
                                          "quantity": "1"}).status_code == 303
    placed = client.post("/checkout", data=checkout_form(client, phone=phone))
    assert placed.status_code == 303, html(placed)[:400]
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
    return order


def buy_many(app, shops, product_ids, phone=PHONE):
    tenant = shops["a"]
    client = client_for(app, f"{tenant.slug}.localhost")
    for product_id in product_ids:
        client.post("/cart/add", data={"product_id": str(product_id), "quantity": "1"})
    assert client.post("/checkout", data=checkout_form(client, phone=phone)).status_code == 303
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
    return order


def sign_in(app, tenant, outbox, phone=PHONE) -> Browser:
    browser = Browser(app, tenant)
    browser.get("/account/sign-in")
    assert browser.post("/account/sign-in", contact=phone).status_code in (302, 303)
    code = re.search(r"\b(\d{6})\b", read_sms(outbox)[-1]["text"]).group(1)
    assert browser.post("/account/code", code=code).location.endswith("/account")
    return browser


def reviews_of(app, tenant) -> list[Review]:
    with app.app_context(), tenant_scope(tenant.id):
        found = db.session.scalars(select(Review).order_by(Review.id)).all()
        for review in found:
            _ = review.photos
            db.session.expunge(review)
        return list(found)


def set_order_state(app, tenant, order_id, state) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(Order).where(Order.id == order_id)
                           .values(fulfilment_state=state))
        db.session.commit()


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def truncated_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()[:60]


def make_request(app, tenant, order_id, **fields) -> str:
    """A sent review request for an order; returns the link's token."""
    token, digest = new_token()
    values = {"order_id": order_id, "token_hash": digest, "state": "sent",
              "due_at": now(), "expires_at": now() + timedelta(days=60)}
    values.update(fields)
    with app.app_context(), tenant_scope(tenant.id):
        db.session.add(ReviewRequest(**values))
        db.session.commit()
    return token


def request_state(app, tenant) -> str:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(ReviewRequest.state))


# ------------------------------------------------------------ signed-in shoppers


def test_a_verified_buyer_writes_a_review_that_is_published_at_once(app, shops, outbox):
    order = buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    # Ordered but not delivered yet: not a purchase to vouch for.
    assert "Verified buyer" not in html(shopper.get("/reviews/write/kantha"))
    set_order_state(app, shops["a"], order.id, "delivered")

    page = html(shopper.get("/reviews/write/kantha"))
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    assert "<legend>Your rating</legend>" in page and page.count('type="radio"') == 5
    assert 'type="file"' in page and "multiple" in page and 'accept="image/*"' in page
    assert "Verified buyer" in page
    assert 'value="Rahim Uddin"' in page  # the name of the order's address

    sent = shopper.post("/reviews/write/kantha", GOOD)
    assert sent.status_code == 303 and sent.location.endswith("/products/kantha")
    assert "is now on the product page" in html(shopper.get("/products/kantha"))

    [review] = reviews_of(app, shops["a"])
    assert (review.verified, review.order_id, review.customer_id) == (
        True, order.id, order.customer_id)
    assert review.reviewer_key == f"c:{order.customer_id}" and not review.anonymous
    assert review.status == "published" and review.published_at is not None
    assert (review.rating, review.title, review.author_name) == (5, "Lovely stitching", "Rahim")
    with app.app_context(), tenant_scope(shops["a"].id):
        stat = db.session.scalar(select(ProductRatingStat))
        product = db.session.get(Product, shops["ids"]["a"])
        assert (stat.count, stat.total, stat.stars_5) == (1, 5, 1)
        assert (product.rating, product.review_count) == (5, 1)


def test_a_signed_in_shopper_who_did_not_buy_the_product_is_not_verified(app, shops, outbox):
    order = buy(app, shops, shops["ids"]["a"])  # the kantha, not the shawl
    cancelled = buy(app, shops, shops["scarf"])
    set_order_state(app, shops["a"], cancelled.id, "cancelled")
    shopper = sign_in(app, shops["a"], outbox)

    assert "Verified buyer" not in html(shopper.get("/reviews/write/shawl"))
    assert shopper.post("/reviews/write/shawl", GOOD).status_code == 303
    assert "Verified buyer" not in html(shopper.get("/reviews/write/scarf"))
    assert shopper.post("/reviews/write/scarf", GOOD).status_code == 303

    shawl, scarf = reviews_of(app, shops["a"])
    for review in (shawl, scarf):
        assert not review.verified and review.order_id is None
        assert review.customer_id == order.customer_id
        assert review.reviewer_key == f"c:{order.customer_id}"


def test_a_second_visit_edits_the_review_and_keeps_the_history(app, shops, outbox):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    shopper.post("/reviews/write/kantha", GOOD)

    page = html(shopper.get("/reviews/write/kantha"))
    assert 'value="Lovely stitching"' in page and "Save my review" in page
    assert re.search(r'value="5" checked', page)
    changed = {**GOOD, "rating": "3", "body": "The colour faded after washing."}
    assert shopper.post("/reviews/write/kantha", changed).status_code == 303

    [review] = reviews_of(app, shops["a"])
    assert (review.rating, review.body) == (3, "The colour faded after washing.")
    with app.app_context(), tenant_scope(shops["a"].id):
        [revision] = db.session.scalars(select(ReviewRevision)).all()
        assert (revision.review_id, revision.rating, revision.body) == (
            review.id, 5, GOOD["body"])
        assert db.session.scalar(select(ProductRatingStat.total)) == 3


def test_no_edits_after_the_window_and_none_when_the_merchant_allows_none(
        app, shops, outbox, enable_plugin):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    shopper.post("/reviews/write/kantha", GOOD)
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.execute(update(Review).values(editable_until=now() - timedelta(minutes=1)))
        db.session.commit()

    page = html(shopper.get("/reviews/write/kantha"))
    assert "The time to change this review has passed" in page and "<textarea" not in page
    assert GOOD["body"] in page
    refused = shopper.post("/reviews/write/kantha", {**GOOD, "rating": "1"})
    assert refused.status_code == 422 and "can no longer be changed" in html(refused)
    assert reviews_of(app, shops["a"])[0].rating == 5

    configure(enable_plugin, shops["a"], edit_days=0)
    shopper.post("/reviews/write/shawl", GOOD)
    shawl = reviews_of(app, shops["a"])[1]
    assert shawl.editable_until is None
    assert "cannot be changed once sent" in html(shopper.get("/reviews/write/shawl"))


# ------------------------------------------------------------------------ guests


def test_guests_write_anonymous_reviews_only_when_the_merchant_allows_them(
        app, shops, enable_plugin):
    guest = Browser(app, shops["a"])
    page = html(guest.get("/reviews/write/kantha"))
    assert 'href="http://dhaka-shop.localhost/account/sign-in?next=/reviews/write/kantha"' in page
    assert "<textarea" not in page
    assert guest.post("/reviews/write/kantha", GOOD).status_code == 403
    assert reviews_of(app, shops["a"]) == []

    configure(enable_plugin, shops["a"], allow_anonymous=True)
    page = html(guest.get("/reviews/write/kantha"))
    assert "shown as anonymous" in page and "<textarea" in page
    assert guest.post("/reviews/write/kantha", GOOD).status_code == 303
    [review] = reviews_of(app, shops["a"])
    assert review.anonymous and review.reviewer_key is None and not review.verified
    assert review.customer_id is None and review.order_id is None


# ------------------------------------------------------------------------ photos


def test_photos_are_kept_resized_and_can_be_removed_on_an_edit(app, shops, outbox):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    sent = shopper.post("/reviews/write/kantha", {
        **GOOD, "photos": [(io.BytesIO(jpeg()), "kantha.jpg"),
                           (io.BytesIO(jpeg((40, 40))), "close-up.jpg")]})
    assert sent.status_code == 303
    [review] = reviews_of(app, shops["a"])
    assert review.photo_count == 2 and [p.position for p in review.photos] == [0, 1]
    first, second = review.photos
    assert shopper.client.get(f"/media/{first.storage_key}").status_code == 200
    assert client_for(app, "other-shop.localhost").get(
        f"/media/{first.storage_key}").status_code == 404

    page = html(shopper.get("/reviews/write/kantha"))
    assert f'name="remove_photo" value="{first.id}"' in page
    assert shopper.post("/reviews/write/kantha", {**GOOD, "remove_photo": str(first.id)}
                        ).status_code == 303
    [review] = reviews_of(app, shops["a"])
    assert [p.id for p in review.photos] == [second.id] and review.photo_count == 1
    assert shopper.client.get(f"/media/{first.storage_key}").status_code == 404
    assert shopper.client.get(f"/media/{second.storage_key}").status_code == 200


@pytest.mark.parametrize("upload", [
    pytest.param((truncated_png(), "broken.png"), id="truncated-png"),
    pytest.param((b"just some words, not a picture", "notes.txt"), id="text-file"),
])
def test_a_refused_photo_saves_nothing_and_keeps_what_was_typed(app, shops, outbox, upload):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    data, name = upload
    refused = shopper.post("/reviews/write/kantha", {
        **GOOD, "photos": [(io.BytesIO(jpeg()), "good.jpg"), (io.BytesIO(data), name)]})
    page = html(refused)
    assert refused.status_code == 422
    error = re.search(r'<p class="field-error" id="write-photos-error" role="alert">([^<]+)', page)
    assert error and error.group(1).startswith(f"{name}: ")
    field = re.search(r'<input id="write-photos"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "write-photos-error" in field
    assert "Please choose them again" in page
    assert 'value="Lovely stitching"' in page and f">{GOOD['body']}</textarea>" in page
    assert reviews_of(app, shops["a"]) == []
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalar(select(ReviewPhoto.id)) is None


def test_at_most_five_photos(app, shops, outbox):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    refused = shopper.post("/reviews/write/kantha", {
        **GOOD, "photos": [(io.BytesIO(jpeg()), f"{n}.jpg") for n in range(6)]})
    assert refused.status_code == 422 and "Add at most 5 photos." in html(refused)
    assert reviews_of(app, shops["a"]) == []


# --------------------------------------------------------- the request's link


def test_the_request_link_rates_each_product_without_signing_in(app, shops):
    order = buy_many(app, shops, [shops["ids"]["a"], shops["shawl"]])
    token = make_request(app, shops["a"], order.id)
    guest = Browser(app, shops["a"])

    response = guest.get(f"/reviews/r/{token}")
    page = html(response)
    assert response.status_code == 200 and response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert page.count("<form class=\"write-form\"") == 2
    assert f'id="review-{shops["ids"]["a"]}"' in page and f'id="review-{shops["shawl"]}"' in page

    sent = guest.post(f"/reviews/r/{token}", {**GOOD, "product_id": str(shops["shawl"])})
    assert sent.status_code == 303
    assert sent.location.endswith(f"/reviews/r/{token}#review-{shops['ids']['a']}")
    [review] = reviews_of(app, shops["a"])
    assert (review.product_id, review.verified, review.order_id, review.customer_id) == (
        shops["shawl"], True, order.id, order.customer_id)
    assert review.reviewer_key == f"c:{order.customer_id}"
    assert request_state(app, shops["a"]) == "sent"  # one product still to rate

    page = html(guest.get(f"/reviews/r/{token}"))
    assert "is now on the product page" in page and "Your review is on the product page." in page
    assert guest.post(f"/reviews/r/{token}", {**GOOD, "product_id": str(shops["ids"]["a"])}
                      ).status_code == 303
    assert request_state(app, shops["a"]) == "done"
    assert len(reviews_of(app, shops["a"])) == 2

    # The shawl's review is edited, not written twice.
    guest.post(f"/reviews/r/{token}", {**GOOD, "rating": "2", "product_id": str(shops["shawl"])})
    assert sorted(r.rating for r in reviews_of(app, shops["a"])) == [2, 5]


def test_the_reminder_link_opens_the_same_forms(app, shops):
    order = buy(app, shops, shops["ids"]["a"])
    reminder, digest = new_token()
    make_request(app, shops["a"], order.id, reminder_token_hash=digest, state="reminded")
    assert Browser(app, shops["a"]).get(f"/reviews/r/{reminder}").status_code == 200


@pytest.mark.parametrize("fields", [
    pytest.param({"expires_at": now() - timedelta(seconds=1)}, id="expired"),
    pytest.param({"state": "cancelled"}, id="cancelled"),
])
def test_an_expired_or_cancelled_link_is_refused_in_the_theme(app, shops, fields):
    order = buy(app, shops, shops["ids"]["a"])
    token = make_request(app, shops["a"], order.id, **fields)
    guest = Browser(app, shops["a"])
    refused = guest.get(f"/reviews/r/{token}")
    assert refused.status_code == 404 and "no longer valid" in html(refused)
    assert '<header class="site-header">' in html(refused) and "<textarea" not in html(refused)
    posted = guest.post(f"/reviews/r/{token}", {**GOOD, "product_id": str(shops["ids"]["a"])})
    assert posted.status_code == 404 and reviews_of(app, shops["a"]) == []
    assert guest.get("/reviews/r/not-a-token").status_code == 404


def test_a_link_for_an_order_cancelled_since_is_refused(app, shops):
    order = buy(app, shops, shops["ids"]["a"])
    token = make_request(app, shops["a"], order.id)
    set_order_state(app, shops["a"], order.id, "returned")
    assert Browser(app, shops["a"]).get(f"/reviews/r/{token}").status_code == 404


def test_a_link_for_an_order_refunded_since_is_refused(app, shops):
    """The money went back: the shopper is no longer a buyer of it."""
    order = buy(app, shops, shops["ids"]["a"])
    token = make_request(app, shops["a"], order.id)
    assert Browser(app, shops["a"]).get(f"/reviews/r/{token}").status_code == 200
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.execute(update(Order).where(Order.id == order.id)
                           .values(payment_state="refunded"))
        db.session.commit()
    assert Browser(app, shops["a"]).get(f"/reviews/r/{token}").status_code == 404


def test_the_link_page_reads_a_fixed_number_of_queries(app, shops, count_queries):
    one = buy(app, shops, shops["ids"]["a"])
    three = buy_many(app, shops, [shops["ids"]["a"], shops["shawl"], shops["scarf"]],
                     phone=OTHER_PHONE)
    tokens = [make_request(app, shops["a"], one.id), make_request(app, shops["a"], three.id)]
    guest = Browser(app, shops["a"])
    guest.get(f"/reviews/r/{tokens[0]}")  # warm the caches
    counts = []
    for token in tokens:
        with count_queries() as statements:
            assert guest.get(f"/reviews/r/{token}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# ------------------------------------------------------------------ spam filter


def test_the_spam_filter_finds_links_phones_repeats_and_words():
    assert spam.has_link("see https://x.example") and spam.has_link("go to www.deals")
    assert spam.has_link("cheap at kanthadeals.com now") and spam.has_link("BIT.LY/abc")
    assert not spam.has_link("Good quality. Fast delivery.")
    assert spam.has_phone("call +880 1712-345678") and spam.has_phone("০১৭১২৩৪৫৬৭৮")
    assert spam.has_phone("০১৭ ১২৩ ৪৫৬৭৮")
    assert not spam.has_phone("paid 1500 taka for 2 pieces")
    assert not spam.has_phone("ordered on 12-05-2024, came on ১৪-০৫-২০২৪")
    assert spam.has_phone("ordered on 12-05-2024, call 017-1234-5678")
    assert spam.is_repetitive("great!!!!!!!!!!!!") and spam.is_repetitive("buy buy buy buy buy")
    assert not spam.is_repetitive("very very good")
    assert spam.blocked_word("Try our CASINO tonight", spam.built_in_words()) == "casino"
    assert spam.blocked_word("ঘরে বসে  আয় করুন", spam.built_in_words()) == "ঘরে বসে আয়"
    assert spam.blocked_word("Կազինո է", spam.built_in_words()) == "կազինո"
    assert spam.blocked_word("Casinos are fun", ["casino"]) == ""  # whole words only
    assert spam.blocked_word("লটারিতে", ["লটারি"]) == ""
    assert spam.reason_text("word:casino") == 'It contains the blocked word "casino".'
    assert spam.reason_text("phone") == "It contains a phone number."


@pytest.mark.parametrize(("fields", "reason"), [
    pytest.param({"body": "Order more at www.kantha-deals.example today"}, "link", id="link"),
    pytest.param({"body": "আরও জানতে ফোন করুন ০১৭১২৩৪৫৬৭৮"}, "phone", id="bengali-phone"),
    pytest.param({"title": "Ask about the Nakshi Offer"}, "word:nakshi offer", id="merchant-word"),
    pytest.param({"body": "ok " * 10}, "repeated", id="repeated-word"),
    pytest.param({"author_name": "Call 01711 000000"}, "phone", id="phone-as-name"),
])
def test_reviews_the_filter_catches_are_held_with_the_reason(app, shops, outbox, enable_plugin,
                                                             fields, reason):
    configure(enable_plugin, shops["a"], blocked_words="Nakshi   offer\n")
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    sent = shopper.post("/reviews/write/kantha", {**GOOD, **fields})
    assert sent.status_code == 303
    assert "will appear once the shop has checked it" in html(shopper.get("/products/kantha"))
    [review] = reviews_of(app, shops["a"])
    assert (review.status, review.held_reason.casefold()) == ("held", reason)
    assert review.published_at is None
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalar(select(ProductRatingStat)) is None


def test_the_same_text_as_another_recent_review_is_held(app, shops, enable_plugin):
    configure(enable_plugin, shops["a"], allow_anonymous=True)
    guest = Browser(app, shops["a"])
    guest.get("/reviews/write/kantha")
    assert guest.post("/reviews/write/kantha", GOOD).status_code == 303
    assert guest.post("/reviews/write/shawl", GOOD).status_code == 303
    first, second = reviews_of(app, shops["a"])
    assert (first.status, second.status, second.held_reason) == ("published", "held", "repeated")


# ----------------------------------------------------------------------- states


def test_approval_mode_waits_and_an_edit_of_a_published_review_waits_again(
        app, shops, outbox, enable_plugin):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    shopper.post("/reviews/write/kantha", GOOD)
    assert reviews_of(app, shops["a"])[0].status == "published"

    configure(enable_plugin, shops["a"], publishing="approval")
    shopper.post("/reviews/write/kantha", {**GOOD, "rating": "4"})
    assert "will appear once the shop has checked it" in html(shopper.get("/products/kantha"))
    [review] = reviews_of(app, shops["a"])
    assert review.status == "pending"
    with app.app_context(), tenant_scope(shops["a"].id):
        assert db.session.scalar(select(ProductRatingStat)) is None
        product = db.session.get(Product, shops["ids"]["a"])
        assert (product.rating, product.review_count) == (None, 0)

    shopper.post("/reviews/write/shawl", {**GOOD, "body": "Light and it drapes well."})
    assert reviews_of(app, shops["a"])[1].status == "pending"


# ---------------------------------------------------------- errors and escaping


def test_errors_are_shown_next_to_their_fields_and_keep_what_was_typed(app, shops, outbox):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    refused = shopper.post("/reviews/write/kantha", {
        "rating": "9", "title": "t" * 151, "body": "", "author_name": "Rahim"})
    page = html(refused)
    assert refused.status_code == 422
    for field in ("rating", "title", "body"):
        assert f'<p class="field-error" id="write-{field}-error" role="alert">' in page
        assert f'aria-describedby="write-{field}-error"' in page
    assert 'id="write-title" name="title" type="text" value="' + "t" * 151 in page
    assert 'value="Rahim"' in page
    assert reviews_of(app, shops["a"]) == []
    kept = shopper.post("/reviews/write/kantha", {**GOOD, "rating": "4", "body": ""})
    assert re.search(r'value="4" checked', html(kept))


def test_markup_in_the_name_title_and_text_is_inert(app, shops, outbox):
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    attack = {"rating": "", "title": '"><script>alert(1)</script>',
              "body": "<img src=x onerror=alert(2)>", "author_name": "<b onclick=alert(3)>x"}
    page = html(shopper.post("/reviews/write/kantha", attack))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<b onclick" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page

    shopper.post("/reviews/write/kantha", {**attack, "rating": "4"})
    page = html(shopper.get("/reviews/write/kantha"))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;b onclick=alert(3)&gt;x" in page


# -------------------------------------------------------------------- isolation


def test_store_b_tokens_products_and_reviews_never_work_on_store_a(app, shops, outbox):
    order_b = buy(app, shops, shops["ids"]["b"], key="b")
    token_b = make_request(app, shops["b"], order_b.id)
    b_guest = Browser(app, shops["b"])
    b_guest.get(f"/reviews/r/{token_b}")
    b_guest.post(f"/reviews/r/{token_b}", {
        **GOOD, "product_id": str(shops["ids"]["b"]),
        "photos": [(io.BytesIO(jpeg()), "b.jpg")]})
    [review_b] = reviews_of(app, shops["b"])
    photo_b = review_b.photos[0]

    a_guest = Browser(app, shops["a"])
    assert a_guest.get(f"/reviews/r/{token_b}").status_code == 404
    assert a_guest.get("/reviews/write/b-only-lamp").status_code == 404
    assert a_guest.post(f"/reviews/r/{token_b}", {**GOOD, "product_id": str(shops["ids"]["b"])}
                        ).status_code == 404

    # A shopper of store A naming B's product or B's photo in A's form changes nothing of B.
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    shopper.get("/reviews/write/kantha")
    assert shopper.post("/reviews/write/kantha", {
        **GOOD, "remove_photo": str(photo_b.id), "product_id": str(shops["ids"]["b"])}
    ).status_code == 303
    [review_a] = reviews_of(app, shops["a"])
    assert review_a.product_id == shops["ids"]["a"]
    [still_b] = reviews_of(app, shops["b"])
    assert [p.id for p in still_b.photos] == [photo_b.id] and still_b.body == GOOD["body"]
    assert client_for(app, "other-shop.localhost").get(
        f"/media/{photo_b.storage_key}").status_code == 200
    # The same phone is a different shopper on store B: nothing of A's review shows there.
    assert "Save my review" not in html(b_guest.get("/reviews/write/kantha"))


def test_the_pages_answer_only_where_reviews_are_on(app, shops, enable_plugin, add_product):
    add_product(shops["a"], "hidden-draft", status="draft")
    configure(enable_plugin, shops["a"], allow_anonymous=True)
    guest = Browser(app, shops["a"])
    assert guest.get("/reviews/write/hidden-draft").status_code == 404
    assert guest.get("/reviews/write/no-such-thing").status_code == 404
    assert guest.get("/reviews/write/kantha").status_code == 200
    enable_plugin(shops["a"], PLUGIN, enabled=False)
    assert Browser(app, shops["a"]).get("/reviews/write/kantha").status_code == 404


# ---------------------------------------------------------------- rate limits


def test_sending_is_rate_limited(app, shops, enable_plugin):
    configure(enable_plugin, shops["a"], allow_anonymous=True)
    guest = Browser(app, shops["a"])
    guest.get("/reviews/write/kantha")
    answers = [guest.post("/reviews/write/kantha", {"rating": ""}).status_code
               for _ in range(11)]
    assert answers == [422] * 10 + [429]


def test_guessing_request_links_is_rate_limited(app, shops):
    guest = Browser(app, shops["a"])
    answers = [guest.get(f"/reviews/r/guess{n}").status_code for n in range(21)]
    assert answers == [404] * 20 + [429]


# ---------------------------------------------------------------- translations


def test_every_word_of_the_forms_is_translated_into_bengali_and_armenian():
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    from core.pluginhost.translations import KEYWORDS, METHOD_MAP, package_folder

    folder = package_folder("plugins.reviews")
    files = [folder / name for name in ("writing.py", "submission.py", "spam.py", "photos.py")]
    files += sorted((folder / "templates" / "reviews").glob("write_*.html"))
    used = set()
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=dict(KEYWORDS)):
            used.add(message[0] if isinstance(message, tuple) else message)
    assert len(used) > 40 and METHOD_MAP
    for language in ("bn", "hy"):
        with (folder / "translations" / language / "LC_MESSAGES" / "writing.po").open("rb") as f:
            catalogue = read_po(f, locale=language, abort_invalid=True)
        missing = []
        for msgid in sorted(used):
            entry = catalogue.get(msgid)
            strings = entry.string if entry is not None and isinstance(entry.string, tuple) \
                else (entry.string if entry is not None else "",)
            if entry is None or not all(strings) or entry.fuzzy or entry.check(catalogue):
                missing.append(msgid)
        assert missing == [], f"{language}: {missing}"


def test_the_form_speaks_bengali_with_bengali_digits(app, shops, enable_plugin):
    from admin_support import set_store

    set_store(app, shops["a"], locale="bn", bengali_digits=True)
    configure(enable_plugin, shops["a"], allow_anonymous=True)
    guest = Browser(app, shops["a"])
    page = html(guest.get("/reviews/write/kantha"))
    assert "আপনার রেটিং" in page
    refused = html(guest.post("/reviews/write/kantha", {"rating": "", "body": "ভালো"}))
    assert "১ থেকে ৫" in refused


def test_the_form_says_how_much_fits_and_a_larger_one_saves_nothing(
        app, shops, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    buy(app, shops, shops["ids"]["a"])
    shopper = sign_in(app, shops["a"], outbox)
    page = html(shopper.get("/reviews/write/kantha"))
    assert "each at most 8 MB and 2 MB together" in page
    refused = shopper.post("/reviews/write/kantha", {
        **GOOD, "photos": [(io.BytesIO(b"\xff" * (2 * 1024 * 1024 + 10)), "huge.jpg")]})
    assert refused.status_code == 413
    assert reviews_of(app, shops["a"]) == []
