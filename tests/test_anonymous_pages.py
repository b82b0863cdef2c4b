"""A cached page costs a visitor without a session nothing: no query, no cookie, no
signature; their first post is checked by its origin; a cart shopper's cached page
costs no query either (the header's totals are kept in their session).

CSRF is on in every test here (the suite's default is off).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conftest import client_for
from core.catalog.models import Product
from core.db import db
from tenants import tenant_scope

PAGES = ("/", "/collections/kitchen", "/products/mug")
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(autouse=True)
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def shops(make_store, add_product):
    alpha = make_store("alpha-shop", currency="USD")
    beta = make_store("beta-shop", currency="USD")
    ids = {"mug": add_product(alpha, "mug", title="Blue mug", price=1500, stock=20,
                              collection="kitchen"),
           "bowl": add_product(alpha, "bowl", title="Bowl", price=2500, stock=20,
                               collection="kitchen"),
           "beta-mug": add_product(beta, "mug", title="Beta mug", price=900, stock=20,
                                   collection="kitchen")}
    return alpha, beta, ids


def visitor(app, slug: str = "alpha-shop"):
    return client_for(app, f"{slug}.localhost")


def html(response) -> str:
    return response.get_data(as_text=True)


def token_in(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)


def header(page: str) -> tuple[str, str]:
    return (re.search(r"data-cart-count>([^<]*)<", page).group(1),
            re.search(r"data-cart-total>([^<]*)<", page).group(1))


def add(client, product_id: int, quantity: str = "1", *, token: str = "",
        headers: dict[str, str] | None = None, json: bool = False):
    data = {"product_id": str(product_id), "quantity": quantity}
    if token:
        data["csrf_token"] = token
    sent = dict(headers or {})
    if json:
        sent["Accept"] = "application/json"
    return client.post("/cart/add", data=data, headers=sent)


def cookies_set(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


# ------------------------------------------------------------------ no session work


def test_a_cached_page_for_a_visitor_without_a_session_costs_nothing(
        app, shops, count_queries):
    for path in PAGES:
        assert visitor(app).get(path).status_code == 200  # fills the page cache
        with count_queries() as statements:
            response = visitor(app).get(path)
        assert response.status_code == 200, path
        assert statements == [], path
        assert cookies_set(response) == [], path
        # The page depends on cookies (the cart in the header): shared caches must know.
        assert "Cookie" in response.headers.get("Vary", ""), path
        assert "<!--haat:" not in html(response), path
    product = html(visitor(app).get("/products/mug"))
    assert token_in(product) == ""  # no session, so no token to put in the form
    assert header(product) == ("0", "$0.00")


def test_no_page_signs_a_token_for_a_visitor_without_a_session(app, shops, monkeypatch):
    import flask_wtf.csrf

    signed = []
    real = flask_wtf.csrf.generate_csrf
    monkeypatch.setattr("core.web.csrf.generate_csrf",
                        lambda *a, **k: signed.append(1) or real(*a, **k))
    client = visitor(app)
    for path in (*PAGES, "/cart", "/cart.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert cookies_set(response) == [], path
    assert signed == []


def test_choosing_a_language_sets_the_language_cookie_only(app, shops):
    response = visitor(app).get("/products/mug?lang=bn")
    assert response.status_code == 200
    assert [c.split("=", 1)[0] for c in cookies_set(response)] == ["haat_lang"]


# ------------------------------------------------------------------ the first post


@pytest.mark.parametrize("headers", [
    SAME_ORIGIN,
    {"Origin": "http://alpha-shop.localhost"},
    {"Referer": "http://alpha-shop.localhost/products/mug"},
], ids=["sec-fetch-site", "origin", "referer"])
def test_the_first_add_from_a_cached_page_works_without_a_token(app, shops, headers):
    _alpha, _beta, ids = shops
    client = visitor(app)
    assert token_in(html(client.get("/products/mug"))) == ""
    response = add(client, ids["mug"], "2", headers=headers)
    assert response.status_code == 303
    names = {c.split("=", 1)[0] for c in cookies_set(response)}
    assert {"haat_cart", "session"} <= names
    page = html(client.get("/products/mug"))
    assert header(page) == ("2", "$30.00")
    assert "Added Blue mug to your cart." in page
    # Now the visitor has a session, and a token that their next post must carry.
    token = token_in(page)
    assert token
    assert add(client, ids["bowl"], headers=headers).status_code == 400
    assert add(client, ids["bowl"], token=token).status_code == 303
    assert header(html(client.get("/products/mug"))) == ("3", "$55.00")


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://beta-shop.localhost"},  # a sibling store
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://alpha-shop.localhost"},
    {"Origin": "null"},  # a sandboxed frame
    {"Origin": "https://alpha-shop.localhost"},  # another scheme is another origin
    {"Referer": "http://beta-shop.localhost/products/mug"},
    {"Referer": "http://alpha-shop.localhost.evil.example/"},
    {},  # nothing says where it comes from
], ids=["origin", "cross-site", "same-site", "fetch-site-wins", "null", "scheme", "referer",
        "lookalike", "none"])
def test_a_post_from_elsewhere_without_a_session_is_refused(app, shops, headers):
    _alpha, _beta, ids = shops
    client = visitor(app)
    response = add(client, ids["mug"], headers=headers)
    assert response.status_code == 400
    assert "This form has expired" in html(response)
    assert client.get_cookie("haat_cart", domain="alpha-shop.localhost") is None
    assert header(html(client.get("/products/mug"))) == ("0", "$0.00")


def test_the_json_add_hands_the_script_the_new_token(app, shops):
    _alpha, _beta, ids = shops
    client = visitor(app)
    answer = add(client, ids["mug"], headers=SAME_ORIGIN, json=True)
    assert answer.status_code == 200
    token = answer.get_json()["csrf_token"]
    assert token and client.get("/cart.json").get_json()["csrf_token"] == token
    # A second add from the same page (storefront.js put the token in its forms).
    again = add(client, ids["bowl"], token=token, headers=SAME_ORIGIN, json=True)
    assert again.status_code == 200 and again.get_json()["count"] == 2
    # Without it, the origin is no longer enough: the visitor has a session now.
    assert add(client, ids["bowl"], headers=SAME_ORIGIN, json=True).status_code == 400


def test_a_visitor_with_a_session_still_needs_the_token_everywhere(app, shops):
    _alpha, _beta, ids = shops
    client = visitor(app)
    assert add(client, ids["mug"], headers=SAME_ORIGIN).status_code == 303
    client.get("/products/mug")
    cart = html(client.get("/cart"))
    line = re.search(r'name="line" value="(\d+)"', cart).group(1)
    refused = client.post("/cart/update", data={"line": line, "quantity": "5"},
                          headers=SAME_ORIGIN)
    assert refused.status_code == 400
    done = client.post("/cart/update", data={"line": line, "quantity": "5",
                                             "csrf_token": token_in(cart)})
    assert done.status_code == 303
    assert header(html(client.get("/products/mug"))) == ("5", "$75.00")


def test_admin_sign_in_still_needs_the_token(app, shops):
    client = visitor(app)
    response = client.post("/admin/login", headers=SAME_ORIGIN,
                           data={"email": "owner@alpha-shop.example", "password": "x"})
    assert response.status_code == 400


# ------------------------------------------------------------------ cart shoppers


def cart_shopper(app, ids):
    client = visitor(app)
    assert add(client, ids["mug"], "2", headers=SAME_ORIGIN).status_code == 303
    client.get("/products/mug")  # takes the message
    return client


def test_a_cart_shoppers_cached_page_costs_no_query_and_sets_no_cookie(
        app, shops, count_queries):
    _alpha, _beta, ids = shops
    client = cart_shopper(app, ids)
    for path in PAGES:
        client.get(path)
        with count_queries() as statements:
            response = client.get(path)
        assert statements == [], path
        assert cookies_set(response) == [], path
        assert header(html(response)) == ("2", "$30.00"), path
        assert token_in(html(response)) if path == "/products/mug" else True


def test_a_price_change_shows_in_the_header_total(app, shops):
    alpha, _beta, ids = shops
    client = cart_shopper(app, ids)
    assert header(html(client.get("/"))) == ("2", "$30.00")
    with app.app_context(), tenant_scope(alpha.id):
        db.session.scalar(select(Product).where(Product.handle == "mug")).price_amount = 2000
        db.session.commit()
    assert header(html(client.get("/"))) == ("2", "$40.00")


def test_a_cart_deleted_behind_the_shoppers_back_leaves_the_header_within_the_hour(
        app, shops, monkeypatch):
    from core.cart.expiry import expire_carts
    from core.storefront import context

    alpha, _beta, ids = shops
    client = cart_shopper(app, ids)
    assert header(html(client.get("/"))) == ("2", "$30.00")
    with app.app_context():
        from datetime import timedelta

        assert expire_carts(timedelta(seconds=-60), store_id=alpha.id) == 1
    later = context.time.time() + context.CART_TOTALS_MAX_AGE + 1
    monkeypatch.setattr(context.time, "time", lambda: later)
    assert header(html(client.get("/"))) == ("0", "$0.00")


def test_a_copied_session_shows_nothing_of_store_a_on_store_b(app, shops):
    _alpha, _beta, ids = shops
    client = cart_shopper(app, ids)
    assert header(html(client.get("/"))) == ("2", "$30.00")
    thief = visitor(app, "beta-shop")
    for name in ("session", "haat_cart"):
        cookie = client.get_cookie(name, domain="alpha-shop.localhost")
        thief.set_cookie(name, cookie.value, domain="beta-shop.localhost")
    page = html(thief.get("/"))
    assert header(page) == ("0", "$0.00")
    assert "Beta" in page or "beta" in page.lower()
    # Nor does store A's token serve on store B.
    assert add(thief, ids["beta-mug"], token=token_in(html(client.get("/products/mug"))),
               ).status_code == 400
