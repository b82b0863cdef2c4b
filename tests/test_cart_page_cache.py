"""The empty cart page of a visitor who has no cart comes from the page cache, like a
catalogue page: no query, no cookie, replayed before Flask for a visitor without
cookies; its header, messages and CSRF holes are filled per request; a store change
retires it; and a shopper with a cart always gets their own cart, never a cached page.

CSRF is on in every test here (the suite's default is off).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_anonymous_pages import header, visitor

from core.catalog.models import Collection
from core.db import db
from tenants import tenant_scope

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
EMPTY = "Your cart is empty."


@pytest.fixture(autouse=True)
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def shops(make_store, add_product):
    alpha = make_store("alpha-shop", name="Alpha Shop", currency="USD")
    beta = make_store("beta-shop", name="Beta Shop", currency="USD")
    ids = {"mug": add_product(alpha, "mug", title="Blue mug", price=1500, stock=20,
                              collection="kitchen"),
           "beta-mug": add_product(beta, "mug", title="Beta mug", price=900, stock=20,
                                   collection="pantry")}
    return alpha, beta, ids


def html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def with_a_mug(app, ids, quantity: str = "2"):
    client = visitor(app)
    added = client.post("/cart/add", data={"product_id": str(ids["mug"]),
                                           "quantity": quantity}, headers=SAME_ORIGIN)
    assert added.status_code == 303
    client.get("/products/mug")  # takes the "added" message
    return client


def test_the_empty_cart_costs_a_visitor_without_a_cart_no_query_and_no_cookie(
        app, shops, count_queries):
    assert EMPTY in html(visitor(app).get("/cart"))  # fills the page cache
    with count_queries() as statements:
        response = visitor(app).get("/cart")
    page = html(response)
    assert statements == []
    assert response.headers.getlist("Set-Cookie") == []
    assert "Cookie" in response.headers.get("Vary", "")
    assert EMPTY in page and "<!--haat:" not in page
    assert header(page) == ("0", "$0.00")
    assert "Alpha Shop" in page


def test_a_cookieless_visitors_empty_cart_is_replayed_before_flask(app, shops, monkeypatch):
    layer = app.extensions["haat_shared_responses"]
    calls: list[str] = []
    behind = layer.wsgi_app
    monkeypatch.setattr(layer, "wsgi_app",
                        lambda environ, start: calls.append(environ["PATH_INFO"])
                        or behind(environ, start))
    client = app.test_client(use_cookies=False)
    first = client.get("/cart", headers={"Host": "alpha-shop.localhost"})
    again = client.get("/cart", headers={"Host": "alpha-shop.localhost"})
    assert calls == ["/cart"]  # the second never reached Flask
    assert again.get_data() == first.get_data() and EMPTY in html(again)


def test_a_shopper_with_a_cart_gets_their_cart_not_the_cached_empty_one(app, shops):
    _alpha, _beta, ids = shops
    assert EMPTY in html(visitor(app).get("/cart"))  # the empty page is cached now
    shopper = with_a_mug(app, ids)
    page = html(shopper.get("/cart"))
    assert EMPTY not in page and "Blue mug" in page
    assert header(page) == ("2", "$30.00")
    assert re.search(r'name="csrf_token" value="[^"]+"', page)  # their forms carry a token
    # ... and the visitor without a cart still gets the empty one.
    assert EMPTY in html(visitor(app).get("/cart"))


def test_removing_the_last_line_shows_the_message_and_the_empty_cart(app, shops):
    _alpha, _beta, ids = shops
    shopper = with_a_mug(app, ids)
    page = html(shopper.get("/cart"))
    line = re.search(r'name="line" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    removed = shopper.post("/cart/update", data={"line": line, "action": "remove",
                                                 "csrf_token": token})
    assert removed.status_code == 303
    page = html(shopper.get("/cart"))
    assert EMPTY in page and "Removed from your cart." in page
    assert header(page) == ("0", "$0.00")
    assert "Removed from your cart." not in html(shopper.get("/cart"))  # shown once


def test_a_message_for_a_visitor_without_a_cart_fills_the_cached_pages_hole(app, shops):
    assert EMPTY in html(visitor(app).get("/cart"))  # cached without any message
    client = visitor(app)
    refused = client.post("/cart/add", data={"product_id": "999999", "quantity": "1"},
                          headers=SAME_ORIGIN)
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/cart")
    page = html(client.get("/cart"))
    assert "Sorry, that product is not available." in page and EMPTY in page
    assert "Sorry, that product is not available." not in html(client.get("/cart"))
    assert "Sorry, that product is not available." not in html(visitor(app).get("/cart"))


def test_a_cart_that_is_gone_gets_the_empty_cart(app, shops):
    from datetime import timedelta

    from core.cart.expiry import expire_carts

    alpha, _beta, ids = shops
    shopper = with_a_mug(app, ids)
    with app.app_context():
        assert expire_carts(timedelta(seconds=-60), store_id=alpha.id) == 1
    page = html(shopper.get("/cart"))
    assert EMPTY in page and "Blue mug" not in page
    assert header(page) == ("0", "$0.00")


def test_a_store_change_retires_the_cached_empty_cart(app, shops):
    alpha, _beta, _ids = shops
    assert "Kitchen" in html(visitor(app).get("/cart"))  # the navigation's collection
    with app.app_context(), tenant_scope(alpha.id):
        db.session.scalar(select(Collection).where(Collection.handle == "kitchen")
                          ).title = "Cookware"
        db.session.commit()
    page = html(visitor(app).get("/cart"))
    assert "Cookware" in page and "Kitchen" not in page


def test_a_cart_of_store_a_never_shows_on_store_b(app, shops):
    _alpha, _beta, ids = shops
    shopper = with_a_mug(app, ids)
    assert "Blue mug" in html(shopper.get("/cart"))
    assert EMPTY in html(visitor(app, "beta-shop").get("/cart"))  # beta's empty, cached
    # Store A's cookies sent to store B: B has no such cart, so its own empty page.
    thief = visitor(app, "beta-shop")
    for name in ("session", "haat_cart"):
        cookie = shopper.get_cookie(name, domain="alpha-shop.localhost")
        thief.set_cookie(name, cookie.value, domain="beta-shop.localhost")
    for client in (thief, visitor(app, "beta-shop")):
        page = html(client.get("/cart"))
        assert EMPTY in page and "Blue mug" not in page
        assert "Beta Shop" in page and "Alpha Shop" not in page
        assert "Pantry" in page and "Kitchen" not in page
        assert header(page) == ("0", "$0.00")
    # And store A's cached empty cart is A's own.
    page = html(visitor(app).get("/cart"))
    assert "Alpha Shop" in page and "Beta Shop" not in page
