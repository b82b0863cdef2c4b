"""Storefront pages cost a fixed number of SQL statements, whatever the catalogue's size.

Each page is requested once to warm the caches (host resolution, plugin state), then
counted with 10 products in the collection and again with 200 (some with images). The
counts must be identical, and stay under a ceiling so that a new N+1 is caught even
when it grows with something other than the catalogue.
"""

from __future__ import annotations

import re

import pytest

from core.db import db
from core.theming.service import save_theme_values
from tenants import tenant_scope

COLLECTION = "kitchen"
#: Statements measured for a shopper with a 3-line cart (SQLite and PostgreSQL alike):
#: (page rendered with an empty page cache, page served from the page cache). The
#: header cart costs nothing: its totals are kept in the shopper's session (one
#: aggregate query only when they are missing or stale; the cart page loads the lines
#: once, in two statements (the cart joined to its lines, products and variants; the
#: images), and the header reuses them); the rest
#: is the theme, the plugin version, the navigation, the footer pages and the page's own
#: listing (count, rows, images). These are ceilings: a new N+1 breaks them.
BUDGET = {
    f"/collections/{COLLECTION}": (7, 0),
    f"/collections/{COLLECTION}?sort=price-asc&available=1": (7, 0),
    "/collections/all": (7, 0),
    "/": (8, 0),  # featured collection and newest products: two listings, no counts
    # product (its images and memberships joined), variants, related (images joined)
    "/products/item-003": (7, 0),
    "/cart": (6, 6),  # a cart with lines is never cached: it is all personal
}
PAGES = tuple(BUDGET)
#: Statements of the cart and the checkout page for a cart of any size (SQLite and
#: PostgreSQL): the cart in two, then what every uncached page reads (theme, plugin
#: version, navigation, footer pages).
LINES_BUDGET = {"/cart": 6, "/checkout": 6}


def _grow(tenant, add_product, start: int, stop: int) -> None:
    """Products ``item-<n>`` in the collection; every seventh has an image and every
    fifth has variants."""
    for n in range(start, stop):
        variants = [("S", 1000 + n, 3), ("M", 1100 + n, 0)] if n % 5 == 0 else None
        add_product(tenant, f"item-{n:03d}", price=1000 + n, stock=n % 4,
                    collection=COLLECTION, position=n, image=(n % 7 == 0),
                    variants=variants)


@pytest.fixture
def shop(app, make_store, add_product, store_client):
    tenant = make_store("alpha-shop", name="Alpha Shop")
    _grow(tenant, add_product, 0, 10)
    with app.app_context(), tenant_scope(tenant.id):
        save_theme_values("default", {"featured_collection": COLLECTION,
                                      "home_product_count": 8})
        db.session.commit()
    # Another store with products of its own, so no page can lean on an empty table.
    other = make_store("beta-shop", name="Beta Shop")
    for n in range(5):
        add_product(other, f"item-{n:03d}", collection=COLLECTION, image=(n == 0))
    shopper = store_client("alpha-shop")
    # Three lines: a variant, a product with an image, a plain product.
    for handle, variant in (("item-000", "S"), ("item-007", None), ("item-003", None)):
        page = shopper.get(f"/products/{handle}").get_data(as_text=True)
        data = {"product_id": _hidden(page, "product_id"), "quantity": "1"}
        if variant:
            data["variant_id"] = _option(page, variant)
        assert shopper.post("/cart/add", data=data).status_code == 303
    return tenant, shopper


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _option(page: str, label: str) -> str:
    match = re.search(rf'<option value="(\d+)"[^>]*>{label}<', page)
    assert match
    return match.group(1)


def _count(client, count_queries, path: str, before=lambda: None) -> int:
    """Statements of one request for ``path``: the fewer of two tries, so that a host
    cache entry expiring (every few seconds) between them cannot add a lookup."""
    counts = []
    for _try in range(2):
        before()
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(len(statements))
    return min(counts)


def _measure(app, client, count_queries, pages=PAGES) -> dict[str, tuple[int, int]]:
    """Statements of each page: rendered (page cache empty, other caches warm) and
    served from the page cache."""
    page_cache = app.extensions["haat_page_cache"]
    counts = {}
    for path in pages:
        assert client.get(path).status_code == 200, path  # warm up
        rendered = _count(client, count_queries, path, before=page_cache.clear)
        cached = _count(client, count_queries, path)
        counts[path] = (rendered, cached)
    return counts


def _body(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_storefront_pages_cost_the_same_for_10_and_200_products(
        app, shop, add_product, count_queries):
    tenant, shopper = shop
    small = _measure(app, shopper, count_queries)
    assert _body(shopper, "/cart").count('name="line"') == 3
    assert "You may also like" in _body(shopper, "/products/item-003")

    _grow(tenant, add_product, 10, 200)
    large = _measure(app, shopper, count_queries)

    # The pages really show the bigger catalogue: full pages, images and related items.
    listing = _body(shopper, f"/collections/{COLLECTION}")
    assert listing.count('class="product-card"') == 24
    assert "/media/" in listing and 'srcset="' in listing
    assert _body(shopper, "/collections/all?page=2").count('class="product-card"') == 24
    assert _body(shopper, "/").count('class="product-card"') >= 16  # featured + newest
    assert _body(shopper, "/products/item-003").count('class="product-card"') == 4
    assert _body(shopper, "/cart").count('name="line"') == 3

    assert large == small
    over = {path: (n, BUDGET[path]) for path, n in large.items()
            if n[0] > BUDGET[path][0] or n[1] > BUDGET[path][1]}
    assert not over, f"over budget (measured, budget): {over}"
    # A deeper page of the big catalogue costs what the first one does.
    deeper = _measure(app, shopper, count_queries, ["/collections/all?page=5"])
    assert deeper["/collections/all?page=5"] == large["/collections/all"]


def test_a_cached_page_costs_nothing_for_a_shopper_without_a_cart(
        app, shop, store_client, count_queries):
    visitor = store_client("alpha-shop")
    for path in PAGES[:-1]:
        assert visitor.get(path).status_code == 200  # fills the page cache
        assert _count(visitor, count_queries, path) == 0, path
        assert "data-cart-count>0<" in visitor.get(path).get_data(as_text=True), path


def test_the_cart_page_costs_the_same_for_3_and_6_lines(app, shop, add_product, count_queries):
    _tenant, shopper = shop
    before = _measure(app, shopper, count_queries, ["/cart"])["/cart"]
    for handle in ("item-001", "item-002", "item-005"):
        page = _body(shopper, f"/products/{handle}")
        data = {"product_id": _hidden(page, "product_id"), "quantity": "1"}
        if "data-variant-select" in page:
            data["variant_id"] = _option(page, "S")
        assert shopper.post("/cart/add", data=data).status_code == 303
    assert _body(shopper, "/cart").count('name="line"') == 6
    assert _measure(app, shopper, count_queries, ["/cart"])["/cart"] == before


@pytest.mark.parametrize("path", ["/cart", "/checkout"])
def test_the_cart_and_checkout_cost_the_same_for_1_and_5_lines(
        app, make_store, add_product, store_client, count_queries, path):
    """The cart loads in two statements (cart with lines, products and variants; then
    images) whatever its lines are: plain, with options, with photos."""
    tenant = make_store("lines-shop", name="Lines Shop")
    for n in range(5):
        add_product(tenant, f"line-{n}", price=1000 + n, stock=5, image=n in (1, 3),
                    variants=[("S", 2000 + n, 5), ("M", 2100 + n, 5)] if n in (0, 3)
                    else None)
    shopper = store_client("lines-shop")

    def add(handle: str) -> None:
        page = _body(shopper, f"/products/{handle}")
        data = {"product_id": _hidden(page, "product_id"), "quantity": "2"}
        if "data-variant-select" in page:
            data["variant_id"] = _option(page, "M")
        assert shopper.post("/cart/add", data=data).status_code == 303

    add("line-0")
    shopper.get(path)  # takes the message; warms the caches
    one = _count(shopper, count_queries, path)
    for n in range(1, 5):
        add(f"line-{n}")
    shopper.get(path)
    five = _count(shopper, count_queries, path)
    page = _body(shopper, path)
    shown = page.count('name="line"') if path == "/cart" else page.count(" × ")
    assert shown == 5
    assert five == one
    assert one <= LINES_BUDGET[path], f"{path}: {one} statements"
