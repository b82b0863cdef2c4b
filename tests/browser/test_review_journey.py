"""A review from a real order, in a real browser, on the Bengali demo store.

A phone-only shopper orders two products with cash on delivery (360 px). The owner
marks the order shipped and delivered in the admin. When the request's day comes (the
test moves the request's due time back a week, then runs the plugin's hourly
schedule), the review-request SMS lands in the outbox. The shopper follows its link
with no sign-in, rates both products, one with a photo, and the owner approves them in
the admin's reviews page; the product page then shows the stars, the review and the
photo. Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from browser.conftest import LiveServer, assert_fits_width, expect
from browser.test_checkout_journey import SPECS, STATUS_URL, _add_to_cart, _sign_in_and_open_orders
from browser.test_shopper_account import ASCII_DIGITS, _texts_to

SLUG = "dhaka-crafts"
PHONE_TYPED = "০১৮১৬-৭৭৭৪৪৪"  # unique to this test among the browser tests' orders
PHONE = "+8801816777444"
LINK = re.compile(r"https?://\S+/reviews/r/[\w-]+")


def _two_products():
    """Two simple products with plenty of stock (other browser tests share the server)."""
    simple = sorted((p for p in SPECS[SLUG].products if not p.variants
                     and p.handle != "gift-card"), key=lambda p: p.stock, reverse=True)
    return simple[0], simple[1]


def _order_two(page, live: LiveServer) -> str:
    for product in _two_products():
        _add_to_cart(page, live, SLUG, product)
    page.goto(live.url(SLUG, "/checkout"))
    for name, value in (("phone", PHONE_TYPED), ("name", "রুমানা ইসলাম"), ("region", "ঢাকা"),
                        ("city", "ঢাকা"), ("line1", "বাড়ি ১২, সড়ক ৪, মিরপুর-১০")):
        page.locator(f"#checkout-{name}").fill(value)
    page.locator("input[name=payment_method][value=cod]").check()
    page.locator("button.place-order").click()
    page.wait_for_url(STATUS_URL)
    return re.search(r"\d+", page.locator("h1").inner_text().translate(ASCII_DIGITS)).group(0)


def _deliver(admin, live: LiveServer, number: str) -> None:
    """Open the order in the admin, mark it shipped with a courier, then delivered."""
    _sign_in_and_open_orders(admin, live, SPECS[SLUG])
    admin.goto(live.url(SLUG, f"/admin/orders/{_order_id(live, number)}"))
    ship = admin.locator("form[action$='/ship']")
    ship.locator("input[name=carrier]").fill("Pathao")
    ship.locator("input[name=tracking_number]").fill("PT-2026-7")
    ship.locator("button[type=submit]").click()
    admin.locator("form[action$='/deliver'] button[type=submit]").click()
    expect(admin.locator("form[action$='/deliver']")).to_have_count(0)


def _order_id(live: LiveServer, number: str) -> int:
    from sqlalchemy import select

    from core.db import db
    from core.orders.models import Order
    from tenants import tenant_scope

    with live.app.app_context(), tenant_scope(live.store_ids[SLUG]):
        return db.session.scalar(select(Order.id).where(Order.number == int(number)))


def _a_week_passes(live: LiveServer, order_id: int) -> None:
    """The request was due seven days after delivery: bring that moment to now, then run
    the plugin's schedules as a worker does each minute."""
    from sqlalchemy import update

    from core.pluginhost.schedules import run_due
    from core.pluginhost.web import plugins_for_tenant
    from core.sdk import store_session
    from plugins.reviews import models

    with live.app.app_context():
        store = plugins_for_tenant(live.store_ids[SLUG]).info
        with store_session(store) as session:
            moved = session.execute(
                update(models.ReviewRequest).where(models.ReviewRequest.order_id == order_id)
                .values(due_at=models.now() - timedelta(minutes=1))).rowcount
        assert moved == 1, "delivery made no review request"
    # The first tick sets up the store's schedule timetable; an hour later it is due.
    run_due(live.app, models.now())
    ran = run_due(live.app, models.now() + timedelta(hours=2))
    assert any(run.plugin == "reviews" for run in ran), ran


def _photo() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (900, 700), (190, 60, 50)).save(buffer, "JPEG")
    return {"name": "kantha.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_a_delivered_order_is_reviewed_from_its_sms_link(new_page, live_server, shot):
    first, second = _two_products()
    shopper = new_page("mobile")
    number = _order_two(shopper, live_server)
    order_id = _order_id(live_server, number)

    admin = new_page("desktop")
    _deliver(admin, live_server, number)
    _a_week_passes(live_server, order_id)

    # The review request arrives by SMS, in Bengali, with one link.
    texts = [t for t in _texts_to(live_server, PHONE) if "/reviews/r/" in t]
    assert len(texts) == 1, _texts_to(live_server, PHONE)
    assert "রেটিং" in texts[0]
    # Written in a job, the link names the store's public address; this server listens
    # on a port of its own.
    link = LINK.search(texts[0]).group(0)
    link = live_server.url(SLUG, link.split("/", 3)[3])

    # No sign-in: the link opens one form per product of the order.
    shopper.goto(link)
    forms = shopper.locator("form.write-form")
    expect(forms).to_have_count(2)
    # Sizes in the store's (Bengali) digits.
    expect(shopper.locator("[id$='-photos-hint']").first).to_contain_text("৮ MB")
    assert_fits_width(shopper)
    shot(shopper, "request-page-360")
    one = shopper.locator("li.write-request-item", has_text=first.title)
    one.locator("label[for$='-rating-5']").click()
    one.locator("input[name=title]").fill("অসাধারণ কাজ")
    one.locator("textarea[name=body]").fill("সেলাই খুব সুন্দর, রং ছবির মতোই। আবার কিনব।")
    one.locator("input[name=photos]").set_input_files(_photo())
    one.locator("button[type=submit]").click()
    expect(shopper.locator(".flash-success")).to_contain_text("ধন্যবাদ")
    two = shopper.locator("li.write-request-item", has_text=second.title)
    two.locator("label[for$='-rating-4']").click()
    two.locator("textarea[name=body]").fill("ভালো জিনিস, দাম একটু বেশি।")
    two.locator("button[type=submit]").click()
    shot(shopper, "request-page-after-360")

    # Nothing shows before the owner approves.
    shopper.goto(live_server.url(SLUG, f"/products/{first.handle}"))
    expect(shopper.locator("#reviews")).not_to_contain_text("অসাধারণ কাজ")

    admin.goto(live_server.url(SLUG, "/admin/reviews"))
    shot(admin, "admin-waiting-desktop")
    for _ in range(2):
        admin.locator("form:has(input[name=action][value=publish]) button").first.click()
        expect(admin.locator(".flashes")).to_be_visible()
    expect(admin.locator("input[value=publish]")).to_have_count(0)

    # The product page shows the stars, the review, its photo and "verified buyer".
    shopper.goto(live_server.url(SLUG, f"/products/{first.handle}"))
    section = shopper.locator("#reviews")
    expect(section).to_contain_text("অসাধারণ কাজ")
    expect(section.locator("img").first).to_be_visible()
    stars = shopper.locator("a[href='#reviews']").first
    expect(stars).to_contain_text("৫")
    assert_fits_width(shopper)
    shot(shopper, "product-with-review-360")
    desktop = new_page("desktop")
    desktop.goto(live_server.url(SLUG, f"/products/{second.handle}"))
    expect(desktop.locator("#reviews")).to_contain_text("ভালো জিনিস")
    shot(desktop, "product-with-review-desktop")
    desktop.goto(live_server.url(SLUG, f"/reviews/product/{first.handle}"))
    shot(desktop, "review-list-desktop")

    # The owner puts the photo review on the customer wall, from a phone.
    owner = new_page("mobile")
    _sign_in_and_open_orders(owner, live_server, SPECS[SLUG])
    owner.goto(live_server.url(SLUG, "/admin/reviews?tab=published"))
    assert_fits_width(owner)
    shot(owner, "admin-published-360")
    owner.locator(".reviews-admin-item", has_text="অসাধারণ কাজ").locator("a", has_text=re.compile(
        "উত্তর")).click()
    owner.locator("#reply-text").fill("ধন্যবাদ! আবার আসবেন।")
    with owner.expect_navigation():
        owner.locator("form[action*='/reply'] button[type=submit]").first.click()
    with owner.expect_navigation():
        owner.locator("form[action*='/feature'] button").click()
    expect(owner.locator("form[action*='/feature'] input[name=featured]")).to_have_value("0")
    assert_fits_width(owner)
    shot(owner, "admin-review-360")
    shopper.goto(live_server.url(SLUG, "/reviews"))
    expect(shopper.locator("main")).to_contain_text("অসাধারণ কাজ")
    expect(shopper.locator("main")).to_contain_text("ধন্যবাদ! আবার আসবেন।")
    # The footer's trust badge states the store's real rating, in its digits.
    expect(shopper.locator("footer")).to_contain_text("রেটিং: ৫-এর মধ্যে ৪.৫")
    assert_fits_width(shopper)
    shot(shopper, "customer-wall-360")
