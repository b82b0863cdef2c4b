"""A store that is not open yet: shoppers get its "coming soon" page on every address
(503, noindex, in their language) until the owner opens it; the password lets one
browser in, and is rate limited; staff see the store with a bar; what servers call
(webhooks, /healthz), /admin and files keep working; and nothing crosses stores."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from admin_support import add_staff, sign_in
from checkout_support import Card, Manual, checkout_form, payment_plugin, shipping_plugin
from conftest import PLATFORM, client_for
from core.cart.models import Cart
from core.db import db
from core.orders.models import Order
from core.store_status import set_storefront_password
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

SHOP_PASSWORD = "tea-for-two"
SIGNUP = {"name": "Dhaka Crafts", "slug": "dhaka-crafts", "email": "rina@example.com",
          "password": "a-long-password", "locale": "bn", "currency": "BDT"}


def set_status(app, tenant, *, open: bool | None = None, password: str | None = None,
               message: str | None = None) -> None:
    """Change the store's status as its Store status page would."""
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, tenant.id)
        if open is not None:
            row.open = open
        if password is not None:
            set_storefront_password(row, password)
        if message is not None:
            row.coming_soon_message = message
        db.session.commit()
    invalidate_all()


def product_id(app, store, handle: str) -> str:
    from core.catalog.models import Product

    with app.app_context(), tenant_scope(store.id):
        return str(db.session.scalar(select(Product.id).where(Product.handle == handle)))


def is_coming_soon(response) -> bool:
    return response.status_code == 503 and 'class="coming-soon"' in response.get_data(
        as_text=True)


def enter(client, password: str, next_path: str = "/"):
    return client.post("/password", data={"password": password, "next": next_path})


def error_of(page: str) -> str:
    found = re.search(r'<p class="field-error" id="error-password" role="alert">([^<]*)</p>',
                      page)
    return found.group(1) if found else ""


@pytest.fixture
def closed(make_store, add_product, app):
    """An English store that is coming soon, with a product and a password."""
    store = make_store("tea-house", name="Tea House", open=False)
    add_product(store, "green-tea", title="Green tea", collection="teas")
    set_status(app, store, password=SHOP_PASSWORD, message="We open on 1 Boishakh.\nSee you!")
    return store


# --------------------------------------------------------------------- shoppers


def test_a_store_from_the_sign_up_page_is_coming_soon_to_shoppers(app, platform_client,
                                                                   add_product):
    assert platform_client.post("/signup", data=SIGNUP).status_code == 303
    with app.app_context(), platform_scope():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "dhaka-crafts"))
        db.session.expunge(tenant)
    assert tenant.open is False
    add_product(tenant, "kantha", title="Nakshi kantha", collection="quilts")
    shopper = client_for(app, "dhaka-crafts.localhost")
    for path in ("/", "/products/kantha", "/collections/quilts", "/collections/all", "/cart",
                 "/checkout", "/search?q=kantha", "/account", "/pages/about", "/no-such-page",
                 "/sitemap.xml", "/cart.json"):
        response = shopper.get(path)
        page = response.get_data(as_text=True)
        assert is_coming_soon(response), path
        assert "Nakshi kantha" not in page and "Quilts" not in page, path
        assert response.headers["Retry-After"] == "86400"
        assert response.headers["X-Robots-Tag"] == "noindex"
        assert "no-store" in response.headers["Cache-Control"]
        assert '<meta name="robots" content="noindex">' in page
    page = shopper.get("/products/kantha").get_data(as_text=True)
    assert '<html lang="bn"' in page and "Dhaka Crafts" in page
    # No password yet: nothing to type, only the way in for the owner.
    assert 'name="password"' not in page and 'href="/admin/login"' in page


def test_shoppers_cannot_fill_a_cart_or_check_out_while_closed(app, closed, install_plugin,
                                                               enable_plugin):
    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(Manual()))
    enable_plugin(closed, "test-courier")
    enable_plugin(closed, "test-pay")
    shopper = client_for(app, "tea-house.localhost")
    assert is_coming_soon(shopper.post("/cart/add", data={
        "product_id": product_id(app, closed, "green-tea"), "quantity": "1"}))
    placed = shopper.post("/checkout", data={"name": "Rahim", "phone": "01712345678",
                                             "country": "BD", "city": "Dhaka",
                                             "line1": "Road 5", "action": "place",
                                             "payment_method": "manual",
                                             "shipping_rate": "courier:standard"})
    assert is_coming_soon(placed)
    with app.app_context(), tenant_scope(closed.id):
        assert db.session.scalar(select(func.count(Order.id))) == 0
        assert db.session.scalar(select(func.count(Cart.id))) == 0


def test_the_page_shows_the_message_and_contact_details(app, closed, store_client):
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, closed.id)
        row.contact_phone, row.contact_email = "+880 1711 000000", "hello@tea.example"
        db.session.commit()
    invalidate_all()
    page = store_client("tea-house").get("/").get_data(as_text=True)
    assert "We open on 1 Boishakh.\nSee you!" in page
    assert 'href="tel:+8801711000000"' in page and "hello@tea.example" in page
    assert 'name="password"' in page and 'name="next" value="/"' in page
    assert "Green tea" not in page


def test_the_right_password_lets_that_browser_in_where_it_was_going(app, closed,
                                                                    store_client):
    shopper = store_client("tea-house")
    page = shopper.get("/products/green-tea?variant=1").get_data(as_text=True)
    assert 'name="next" value="/products/green-tea?variant=1"' in page

    wrong = enter(shopper, "coffee", "/products/green-tea")
    assert wrong.status_code == 422
    assert error_of(wrong.get_data(as_text=True)) == ("That is not the password. Please "
                                                      "check it and try again.")
    assert 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert enter(shopper, "x" * 100_000).status_code == 422  # refused unhashed
    empty = enter(shopper, "  ", "/products/green-tea")
    assert empty.status_code == 422 and error_of(empty.get_data(as_text=True)) == (
        "Enter the password.")

    right = enter(shopper, f" {SHOP_PASSWORD} ", "/products/green-tea")
    assert right.status_code == 303 and right.headers["Location"] == "/products/green-tea"
    product = shopper.get("/products/green-tea")
    assert product.status_code == 200 and "Green tea" in product.get_data(as_text=True)
    # What a shopper with the password sees is for them alone.
    assert product.headers["X-Robots-Tag"] == "noindex"
    assert "no-store" in product.headers["Cache-Control"]
    assert "Your store is not open yet" not in product.get_data(as_text=True)
    # Another browser still gets the coming-soon page.
    assert is_coming_soon(store_client("tea-house").get("/products/green-tea"))


def test_the_next_address_never_leaves_the_store(app, closed, store_client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "cart"):
        answer = enter(store_client("tea-house"), SHOP_PASSWORD, target)
        assert answer.headers["Location"] == "/", target


def test_a_shopper_let_in_can_check_out(app, closed, store_client, install_plugin,
                                        enable_plugin):
    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(Manual(), Card()))
    enable_plugin(closed, "test-courier")
    enable_plugin(closed, "test-pay")
    shopper = store_client("tea-house")
    enter(shopper, SHOP_PASSWORD)
    assert shopper.post("/cart/add", data={"product_id": product_id(app, closed, "green-tea"),
                                           "quantity": "1"}).status_code == 303
    placed = shopper.post("/checkout", data=checkout_form(shopper))
    assert placed.status_code == 303, placed.get_data(as_text=True)[:400]
    with app.app_context(), tenant_scope(closed.id):
        assert db.session.scalar(select(func.count(Order.id))) == 1


def test_a_new_password_or_none_shuts_out_browsers_let_in_with_the_old_one(
        app, closed, store_client):
    shopper = store_client("tea-house")
    enter(shopper, SHOP_PASSWORD)
    assert shopper.get("/").status_code == 200
    set_status(app, closed, password="new-secret-2")
    assert is_coming_soon(shopper.get("/"))
    assert enter(shopper, SHOP_PASSWORD).status_code == 422
    assert enter(shopper, "new-secret-2").status_code == 303
    assert shopper.get("/").status_code == 200
    set_status(app, closed, password="")
    page = shopper.get("/")
    assert is_coming_soon(page) and 'name="password"' not in page.get_data(as_text=True)
    assert enter(shopper, "new-secret-2").status_code == 422


def test_password_tries_are_limited_per_store_and_address(app, closed, make_store,
                                                          store_client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STOREFRONT_PASSWORD", "3 per minute")
    other = make_store("book-nook", open=False)
    set_status(app, other, password="book-secret")
    shopper = store_client("tea-house")
    for _ in range(3):
        assert enter(shopper, "guess").status_code == 422
    limited = enter(shopper, SHOP_PASSWORD)  # even the right one, once the tries are spent
    page = limited.get_data(as_text=True)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    assert error_of(page) == "Too many tries. Please wait a few minutes and try again."
    assert 'name="password"' in page
    assert is_coming_soon(shopper.get("/"))
    # Another browser from the same address is limited too; another store is not.
    assert enter(store_client("tea-house"), SHOP_PASSWORD).status_code == 429
    assert enter(store_client("book-nook"), "book-secret").status_code == 303


# ------------------------------------------------------------------------ staff


def test_staff_see_the_store_with_a_bar_that_it_is_not_open(app, closed, store_client):
    owner = sign_in(store_client, closed)
    home = owner.get("/")
    page = home.get_data(as_text=True)
    assert home.status_code == 200 and "Green tea" in page
    assert "Your store is not open yet." in page
    assert 'href="/admin/settings/status"' in page  # the owner may open it from there
    assert home.headers["X-Robots-Tag"] == "noindex"
    assert "no-store" in home.headers["Cache-Control"]
    assert owner.get("/products/green-tea").status_code == 200
    assert owner.get("/collections/teas").status_code == 200

    add_staff(app, closed, "helper@tea-house.example")
    helper = sign_in(store_client, closed, "helper@tea-house.example")
    page = helper.get("/").get_data(as_text=True)
    assert "Your store is not open yet." in page
    assert 'href="/admin/settings/status"' not in page  # only the owner opens it
    # Signed out again, the same browser gets the coming-soon page.
    helper.post("/admin/logout")
    assert is_coming_soon(helper.get("/"))


def test_an_open_store_shows_no_bar_to_its_staff(app, make_store, add_product, store_client):
    store = make_store("open-shop")
    add_product(store, "mug", title="Blue mug")
    page = sign_in(store_client, store).get("/").get_data(as_text=True)
    assert "Blue mug" in page and "not open yet" not in page


# --------------------------------------------------- what keeps working while closed


def test_admin_health_files_and_server_calls_keep_working(app, closed, store_client,
                                                         install_plugin, enable_plugin):
    card = Card()
    install_plugin(payment_plugin(card))
    enable_plugin(closed, "test-pay")
    enable_plugin(closed, "sample-board")
    anyone = store_client("tea-house")
    assert anyone.get("/healthz").status_code == 200
    assert anyone.get("/admin/login").status_code == 200
    assert anyone.get("/admin/").status_code == 302  # to sign in, as always
    assert anyone.get("/favicon.ico").status_code == 301
    assert anyone.get(anyone.get("/favicon.ico").headers["Location"]).status_code == 200
    assert anyone.get("/static/haat.css").status_code == 200
    # A payment provider's webhook reaches the gateway (which checks its signature).
    assert anyone.post("/payments/card/webhook", data=b"x",
                       headers={"X-Test-Secret": "wrong"}).status_code == 400
    # A plugin's route for other servers (core.sdk.csrf_exempt) answers ...
    ping = anyone.post("/board/ping")
    assert ping.status_code == 200 and ping.get_json() == {"store": "tea-house", "ok": True}
    # ... but its page for shoppers is behind the coming-soon page.
    assert is_coming_soon(anyone.get("/board"))


def test_an_order_placed_earlier_keeps_its_page(app, make_store, add_product, store_client,
                                                install_plugin, enable_plugin):
    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(Manual()))
    store = make_store("tea-house")
    tea = add_product(store, "green-tea", title="Green tea")
    enable_plugin(store, "test-courier")
    enable_plugin(store, "test-pay")
    shopper = store_client("tea-house")
    shopper.post("/cart/add", data={"product_id": str(tea), "quantity": "1"})
    placed = shopper.post("/checkout", data=checkout_form(shopper))
    order_page = placed.headers["Location"]
    set_status(app, store, open=False)
    assert is_coming_soon(shopper.get("/"))
    assert shopper.get(order_page).status_code == 200


def test_robots_txt_names_no_sitemap_while_closed(app, make_store, store_client,
                                                  enable_plugin):
    store = make_store("tea-house")
    enable_plugin(store, "seo")
    client = store_client("tea-house")
    assert "Sitemap: http://tea-house.localhost/sitemap.xml" in client.get(
        "/robots.txt").get_data(as_text=True)
    assert client.get("/sitemap.xml").status_code == 200
    set_status(app, store, open=False)
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Sitemap:" not in robots.get_data(as_text=True)
    assert "Disallow: /\n" not in robots.get_data(as_text=True)  # crawlers must read noindex
    assert is_coming_soon(client.get("/sitemap.xml"))


# -------------------------------------------------------------------- languages


def test_the_page_speaks_bengali_and_armenian(app, make_store, store_client):
    store = make_store("dhaka-crafts", name="Dhaka Crafts", locale="bn", currency="BDT",
                       open=False)
    set_status(app, store, password=SHOP_PASSWORD)
    shopper = store_client("dhaka-crafts")
    bengali = shopper.get("/").get_data(as_text=True)
    assert '<html lang="bn"' in bengali
    assert "শিগগিরই আসছে" in bengali and "পাসওয়ার্ড" in bengali
    assert "Coming soon" not in bengali and "Password" not in bengali
    wrong = enter(shopper, "nope").get_data(as_text=True)
    assert error_of(wrong) == "এটি পাসওয়ার্ড নয়। দেখে নিয়ে আবার চেষ্টা করুন।"

    armenian = shopper.get("/?lang=hy").get_data(as_text=True)
    assert '<html lang="hy"' in armenian
    assert "Շուտով" in armenian and "Գաղտնաբառ" in armenian
    assert "Coming soon" not in armenian
    # The choice is remembered: the next page is in Armenian too.
    assert '<html lang="hy"' in shopper.get("/products/x").get_data(as_text=True)
    english = shopper.get("/?lang=en").get_data(as_text=True)
    assert "Coming soon" in english and "Password" in english


# ---------------------------------------------------------------------- isolation


def test_store_a_password_does_not_open_store_b(app, closed, make_store, store_client):
    other = make_store("book-nook", open=False)
    set_status(app, other, password="book-secret")
    shopper = store_client("tea-house")
    enter(shopper, SHOP_PASSWORD)
    assert shopper.get("/").status_code == 200
    elsewhere = store_client("book-nook")
    assert enter(elsewhere, SHOP_PASSWORD).status_code == 422
    assert is_coming_soon(elsewhere.get("/"))
    # Store A's session cookie, copied by hand to store B's host, is worth nothing there.
    cookie = shopper.get_cookie("session", domain="tea-house.localhost")
    elsewhere.set_cookie("session", cookie.value, domain="book-nook.localhost")
    assert is_coming_soon(elsewhere.get("/"))


def test_store_a_staff_cannot_open_or_close_store_b(app, closed, make_store, store_client):
    other = make_store("book-nook", open=False)
    owner_a = sign_in(store_client, closed)
    cookie = owner_a.get_cookie("session", domain="tea-house.localhost")
    intruder = store_client("book-nook")
    intruder.set_cookie("session", cookie.value, domain="book-nook.localhost")
    answer = intruder.post("/admin/settings/status/open", data={"open": "1"})
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]
    assert is_coming_soon(intruder.get("/"))  # and no staff bar either
    with app.app_context(), platform_scope():
        assert db.session.get(Tenant, other.id).open is False
    # The platform's own host has no store and no coming-soon page.
    assert client_for(app, PLATFORM).get("/password").status_code == 404
