"""The page cache serves one copy to every shopper, but never another shopper's parts,
another store's page, or a page older than the last change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conftest import client_for, make_plugin
from core.catalog.models import Product
from core.db import db
from core.sdk import SlotContent
from core.theming.service import save_theme_values
from tenants import tenant_scope


@pytest.fixture
def shop(make_store, add_product):
    store = make_store("alpha-shop", name="Alpha Shop", currency="USD")
    add_product(store, "mug", title="Blue mug", price=1500, stock=20, collection="kitchen")
    return store


def _count(html: str) -> str:
    return re.search(r"data-cart-count>([^<]*)<", html).group(1)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)


def _add(client, html: str, quantity: str):
    """Post the page's add-to-cart form as a browser does: with its token, or (a page
    drawn for a visitor without a session has none) from the store's own origin."""
    product_id = re.search(r'name="product_id" value="(\d+)"', html).group(1)
    token = _token(html)
    return client.post("/cart/add", data={"csrf_token": token, "product_id": product_id,
                                          "quantity": quantity},
                       headers={} if token else {"Sec-Fetch-Site": "same-origin"})


def test_each_shopper_sees_their_own_cart_token_and_messages(shop, app):
    first, second = (client_for(app, "alpha-shop.localhost") for _ in range(2))
    page = first.get("/products/mug").get_data(as_text=True)
    assert _add(first, page, "2").status_code == 303
    after = first.get("/products/mug").get_data(as_text=True)  # served from the cache
    assert _count(after) == "2"
    assert "Added Blue mug to your cart." in after
    other = second.get("/products/mug").get_data(as_text=True)
    assert _count(other) == "0"
    assert "Added Blue mug" not in other
    assert _token(after) and _token(other) == ""  # the second visitor has no session yet
    assert _add(second, other, "1").status_code == 303  # the filled-in token is valid
    assert "<!--haat:" not in after + other


def test_a_catalogue_change_shows_on_the_next_request(shop, store_client, app):
    client = store_client("alpha-shop")
    assert "Blue mug" in client.get("/products/mug").get_data(as_text=True)
    assert "Blue mug" in client.get("/collections/kitchen").get_data(as_text=True)
    with app.app_context(), tenant_scope(shop.id):
        db.session.scalar(select(Product).where(Product.handle == "mug")).title = "Red mug"
        db.session.commit()
    assert "Red mug" in client.get("/products/mug").get_data(as_text=True)
    assert "Red mug" in client.get("/collections/kitchen").get_data(as_text=True)


def test_theme_settings_and_plugins_change_cached_pages(shop, store_client, app,
                                                       install_plugin, enable_plugin):
    client = store_client("alpha-shop")
    assert "Summer sale" not in client.get("/").get_data(as_text=True)
    with app.app_context(), tenant_scope(shop.id):
        save_theme_values("default", {"hero_title": "Summer sale"})
        db.session.commit()
    assert "Summer sale" in client.get("/").get_data(as_text=True)

    install_plugin(make_plugin("test-note", haat_slot=lambda store, name, page:
                               SlotContent(text="Plugin note") if name == "footer" else None))
    enable_plugin(shop, "test-note")
    assert "Plugin note" in client.get("/").get_data(as_text=True)


def test_cached_pages_never_cross_stores(shop, make_store, add_product, store_client):
    other = make_store("beta-shop", name="Beta Shop")
    add_product(other, "mug", title="Beta mug", collection="kitchen")
    for _ in range(2):
        alpha = store_client("alpha-shop").get("/products/mug").get_data(as_text=True)
        beta = store_client("beta-shop").get("/products/mug").get_data(as_text=True)
        assert "Blue mug" in alpha and "Beta mug" not in alpha
        assert "Beta mug" in beta and "Blue mug" not in beta


def test_the_language_is_part_of_the_key(shop, store_client):
    client = store_client("alpha-shop")
    english = client.get("/products/mug?lang=en").get_data(as_text=True)
    armenian = client.get("/products/mug?lang=hy").get_data(as_text=True)
    assert '<html lang="en"' in english and '<html lang="hy"' in armenian


def _set_open(app, store, is_open: bool) -> None:
    from tenants import Tenant, platform_scope

    with app.app_context(), platform_scope():
        db.session.get(Tenant, store.id).open = is_open
        db.session.commit()  # clears this process's host cache, as the admin's form does


def test_opening_and_closing_a_store_never_serves_a_stale_page(app, make_store, add_product,
                                                               store_client, count_queries):
    from admin_support import sign_in

    store = make_store("new-shop", name="New Shop", open=False)
    add_product(store, "mug", title="Blue mug")
    shopper, owner = store_client("new-shop"), sign_in(store_client, store)
    # While closed: the owner's pages (with the staff bar) are never cached for anyone ...
    for _ in range(2):
        seen = owner.get("/products/mug").get_data(as_text=True)
        assert "Blue mug" in seen and "Your store is not open yet." in seen
        assert shopper.get("/products/mug").status_code == 503
    # ... and after opening, no shopper gets the coming-soon page from the cache.
    _set_open(app, store, True)
    for _ in range(2):
        page = shopper.get("/products/mug")
        assert page.status_code == 200 and "Blue mug" in page.get_data(as_text=True)
        assert "not open yet" not in page.get_data(as_text=True)
        assert "not open yet" not in owner.get("/products/mug").get_data(as_text=True)
    with count_queries() as cached:
        assert "Blue mug" in shopper.get("/products/mug").get_data(as_text=True)
    assert not any("FROM products" in sql for sql in cached)  # served from the cache again
    # Closed again: the cached open page is not served to shoppers.
    _set_open(app, store, False)
    closed = shopper.get("/products/mug")
    assert closed.status_code == 503 and "Blue mug" not in closed.get_data(as_text=True)
