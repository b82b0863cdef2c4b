"""Every slot in ``core.sdk.SLOT_NAMES`` is rendered, in every installed theme, on the
page a shopper would expect it, and the ``PageContext`` carries that page's kind and
object. Every theme's layout offers the blocks that plugin pages fill.

A "probe" plugin answers every slot with a marker and records the page it was asked
for; a shopper then walks the store: home, a collection, a product, the cart, the
checkout, the order's status page, a merchant's page and the sample plugin's board.
"""

from __future__ import annotations

import re

import pytest

from checkout_support import Manual, checkout_form, payment_plugin, shipping_plugin
from conftest import make_plugin
from core.db import db
from core.pages.models import Page
from core.sdk import SLOT_NAMES, SlotContent
from core.sdk.web import LAYOUT_BLOCKS
from core.theming.loader import theme_template
from core.theming.registry import available_themes
from core.theming.service import choose_theme
from tenants import tenant_scope

THEMES = sorted(available_themes())

MARK = re.compile(r'data-plugin="slot-probe">\[slot ([a-z_]+)\]<')
#: (slot name, page kind) -> the PageContext of each time the slot was asked for.
PAGES: dict[tuple[str, str], list] = {}


def slot_probe() -> object:
    def slot(store, name, page):
        PAGES.setdefault((name, page.kind), []).append(page)
        return SlotContent(text=f"[slot {name}]")

    return make_plugin("slot-probe", haat_slot=slot)


@pytest.fixture
def shop(app, make_store, add_product, install_plugin, enable_plugin):
    PAGES.clear()
    for plugin in (slot_probe(), shipping_plugin(), payment_plugin(Manual())):
        install_plugin(plugin)
    tenant = make_store("slot-shop", name="Slot Shop", currency="BDT")
    for name in ("slot-probe", "test-courier", "test-pay", "sample-board"):
        enable_plugin(tenant, name)
    add_product(tenant, "kantha", title="Kantha", price=150_000, collection="quilts",
                image=True)
    with app.app_context(), tenant_scope(tenant.id):
        db.session.add(Page(handle="about", title="About us", body="<p>Hello</p>",
                            published=True))
        db.session.commit()
    return tenant


def _theme(app, tenant, name: str) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        choose_theme(name)
        db.session.commit()


def _slots(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return MARK.findall(response.get_data(as_text=True))


def test_every_themes_layout_offers_the_documented_blocks(app):
    assert {"default", "bazaar"} <= set(THEMES)
    for theme in THEMES:
        layout = app.jinja_env.get_template(theme_template(theme, "storefront/layout.html"))
        assert set(LAYOUT_BLOCKS) <= set(layout.blocks), (theme, layout.blocks.keys())


@pytest.mark.parametrize("theme", THEMES)
def test_every_slot_is_rendered_with_its_pages_object(app, shop, store_client, theme):
    _theme(app, shop, theme)
    app.extensions["haat_page_cache"].clear()
    shopper = store_client("slot-shop")
    rendered: dict[str, set[str]] = {}

    def visit(path: str, response=None) -> None:
        rendered[path] = set(_slots(response or shopper.get(path)))

    for path in ("/", "/collections/quilts", "/products/kantha", "/pages/about", "/board"):
        visit(path)
    product_page = shopper.get("/products/kantha").get_data(as_text=True)
    product_id = re.search(r'name="product_id" value="(\d+)"', product_page).group(1)
    assert shopper.post("/cart/add", data={"product_id": product_id,
                                           "quantity": "2"}).status_code == 303
    visit("/cart")
    visit("/checkout")
    placed = shopper.post("/checkout", data=checkout_form(shopper))
    assert placed.status_code == 303
    order_path = placed.location.removeprefix("http://slot-shop.localhost")
    visit(order_path)

    everywhere = {"head", "header", "footer"}
    expected = {
        "/": {"home_after_hero"},
        "/collections/quilts": {"collection_before_products"},
        "/products/kantha": {"product_after_title", "product_after_price",
                             "product_after_description"},
        "/pages/about": set(),
        "/board": set(),
        "/cart": {"cart_summary"},
        "/checkout": {"checkout_before_payment", "checkout_after_summary"},
        order_path: {"order_status"},
    }
    for path, names in expected.items():
        assert rendered[path] == everywhere | names, path
    assert set().union(*rendered.values()) == set(SLOT_NAMES)

    # What each page told the plugins about itself.
    [product] = {page.product.handle for page in PAGES[("product_after_title", "product")]}
    assert product == "kantha"
    [collection] = PAGES[("collection_before_products", "collection")][-1:]
    assert collection.collection.handle == "quilts" and collection.product is None
    [cart] = PAGES[("cart_summary", "cart")][-1:]
    assert [(line.title, line.quantity) for line in cart.cart.lines] == [("Kantha", 2)]
    assert cart.cart.subtotal.amount == 300_000
    for name in ("checkout_before_payment", "checkout_after_summary"):
        [checkout] = PAGES[(name, "checkout")][-1:]
        assert checkout.cart.subtotal.amount == 300_000 and checkout.order is None
        assert checkout.canonical_url == ""  # not a page for search engines
    [order] = PAGES[("order_status", "order")][-1:]
    assert order.order.token == order_path.rsplit("/", 1)[-1]
    assert order.order.total.amount == 300_000 + 7_000  # with delivery inside Dhaka
    assert [line.title for line in order.order.lines] == ["Kantha"]
    assert order.cart is None and order.product is None
    [home] = PAGES[("home_after_hero", "home")][-1:]
    assert home.cart is None and home.order is None
    [board] = PAGES[("header", "plugin")][-1:]
    assert board.plugin == "sample-board"


def test_slots_on_private_pages_do_not_cost_queries_per_line(app, shop, store_client,
                                                            add_product, count_queries):
    """The cart's and order's snapshots come from rows the page loads anyway."""
    shopper = store_client("slot-shop")

    def add(handle: str) -> None:
        product_id = add_product(shop, handle, price=1000, image=True)
        assert shopper.post("/cart/add", data={"product_id": str(product_id)}).status_code \
            == 303

    def cost(path: str) -> int:
        assert shopper.get(path).status_code == 200
        with count_queries() as statements:
            assert shopper.get(path).status_code == 200
        return len(statements)

    add("one")
    few = (cost("/cart"), cost("/checkout"))
    for n in range(5):
        add(f"more-{n}")
    assert (cost("/cart"), cost("/checkout")) == few
    assert PAGES[("cart_summary", "cart")][-1].cart.lines[-1].title.endswith("more-4")
