"""axe-core on the storefront's pages, in every theme: no serious or critical violations.

Pages: home, a collection, a product, the cart with one item, search results (with
an in-memory search plugin switched on for the store), the checkout showing its field
errors, and an order's status page after a cash-on-delivery order. dhaka-crafts (bn, Bengali digits)
is checked at 360 px, yerevan-books (hy) at desktop width. The admin's product editor,
with its script's additions (text toolbar, photos, variant rows), is checked in
dhaka-crafts at 360 px and corner-store at desktop width.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser.conftest import LiveServer, assert_fits_width, expect, theme_params
from core.demo.catalogues import DEMO_STORES
from core.demo.spec import DemoStore

SPECS = {spec.slug: spec for spec in DEMO_STORES}
BLOCKING = ("serious", "critical")
STORES = [pytest.param("dhaka-crafts", "mobile", id="dhaka-crafts-360px"),
          pytest.param("yerevan-books", "desktop", id="yerevan-books-desktop")]
PAGES = ("home", "collection", "product", "cart", "search", "checkout", "order")
#: A delivery address each store ships to (cash on delivery is allowed there).
ADDRESSES = {"dhaka-crafts": {"phone": "01712345678", "name": "রহিম উদ্দিন", "city": "ঢাকা",
                              "line1": "বাড়ি ১২, ধানমন্ডি"},
             "yerevan-books": {"phone": "091 234567", "name": "Արամ Պետրոսյան",
                               "city": "Երևան", "line1": "Աբովյան 1"}}


def _in_stock(spec: DemoStore) -> Any:
    return next(p for p in spec.products if p.stock > 0 and p.collections)


def _search_term(spec: DemoStore) -> str:
    return max(_in_stock(spec).title.split(), key=len)


def _open(page: Any, live: LiveServer, spec: DemoStore, kind: str,
          enable_search: Any) -> None:
    product = _in_stock(spec)
    if kind == "home":
        page.goto(live.url(spec.slug, "/"))
    elif kind == "collection":
        page.goto(live.url(spec.slug, f"/collections/{product.collections[0]}"))
        expect(page.locator(".product-card a.product-link").first).to_be_visible()
    elif kind == "product":
        page.goto(live.url(spec.slug, f"/products/{product.handle}"))
        expect(page.locator("h1.product-title")).to_have_text(product.title)
    elif kind == "cart":
        _add_to_cart(page, live, spec, product)
        page.goto(live.url(spec.slug, "/cart"))
        expect(page.locator(".cart-line")).to_have_count(1)
    elif kind == "checkout":
        _add_to_cart(page, live, spec, product)
        page.goto(live.url(spec.slug, "/checkout"))
        page.locator("button.place-order").click()  # nothing filled in: errors
        expect(page.locator("#error-name")).to_be_visible()
    elif kind == "order":
        plenty = next(p for p in spec.products if p.stock >= 10 and not p.variants)
        _add_to_cart(page, live, spec, plenty)
        page.goto(live.url(spec.slug, "/checkout"))
        for name, value in ADDRESSES[spec.slug].items():
            page.locator(f"#checkout-{name}").fill(value)
        page.locator("#checkout-city").dispatch_event("change")
        expect(page.locator("input[name=shipping_rate]").first).to_be_checked()
        page.locator("input[name=payment_method][value=cod]").check()
        expect(page.locator("input[name=payment_method][value=cod]")).to_be_checked()
        page.locator("button.place-order").click()
        page.wait_for_url(re.compile(r"/orders/[\w-]+$"))
    elif kind == "search":
        enable_search(spec.slug)
        term = _search_term(spec)
        page.goto(live.url(spec.slug, "/"))
        box = page.locator("form.search-form[role=search] input[name=q]")
        expect(box).to_have_count(1)
        page.goto(live.url(spec.slug, f"/search?q={term}"))
        expect(page.locator(f"main a[href$='/products/{product.handle}']").first).to_be_visible()
    else:
        raise ValueError(kind)
    page.wait_for_load_state("load")


def _add_to_cart(page: Any, live: LiveServer, spec: DemoStore, product: Any) -> None:
    page.goto(live.url(spec.slug, f"/products/{product.handle}"))
    page.locator("form.add-to-cart button[type=submit]").click()
    expect(page.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))


def _report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}  [{v.get('helpUrl', '')}]")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " | ".join(node.get("failureSummary", "").splitlines()[1:])
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", PAGES)
@pytest.mark.parametrize("theme", theme_params())
@pytest.mark.parametrize(("slug", "viewport"), STORES)
def test_no_serious_accessibility_violations(slug: str, viewport: str, theme: str, kind: str,
                                             new_page: Any, live_server: LiveServer,
                                             use_theme: Any, enable_search: Any,
                                             shot: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    spec = SPECS[slug]
    use_theme(slug, theme)
    page = new_page(viewport)
    _open(page, live_server, spec, kind, enable_search)
    shot(page, kind)
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = _report(blocking)
    if report:
        print(f"axe on {slug} {kind} ({theme}, {viewport}):\n{report}")
    assert not blocking, f"{len(blocking)} serious/critical axe violation(s):\n{report}"
    assert_fits_width(page)
    page.problems.check()


EDITOR_STORES = [pytest.param("dhaka-crafts", "mobile", id="dhaka-crafts-360px"),
                 pytest.param("corner-store", "desktop", id="corner-store-desktop")]


@pytest.mark.parametrize(("slug", "viewport"), EDITOR_STORES)
def test_the_product_editor_has_no_serious_accessibility_violations(
        slug: str, viewport: str, new_page: Any, live_server: LiveServer, shot: Any,
        tmp_path: Any) -> None:
    """The admin's product editor with everything its script adds: the text toolbar,
    photos chosen (previews, arrow buttons), options and variant rows with photos."""
    import io

    from axe_playwright_python.sync_playwright import Axe
    from PIL import Image

    from core.demo.loader import DEMO_PASSWORD

    page = new_page(viewport)
    page.goto(live_server.url(slug, "/admin/login"))
    page.locator("input[name=email]").fill(SPECS[slug].owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(live_server.url(slug, "/admin/"))
    page.goto(live_server.url(slug, "/admin/products/new"))
    expect(page.locator("trix-toolbar")).to_be_visible()
    files = []
    for name, rgb in (("one", (200, 40, 40)), ("two", (40, 40, 200))):
        buffer = io.BytesIO()
        Image.new("RGB", (400, 400), rgb).save(buffer, "JPEG")
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(buffer.getvalue())
        files.append(str(path))
    page.locator("#f-images").set_input_files(files)
    expect(page.locator("[data-photo-list] > li[data-photo^='s']")).to_have_count(2)
    page.locator("#f-option1_name").fill("Colour")
    page.locator("#f-option1_values").fill("Red, Blue")
    page.locator("#f-option1_values").press("Tab")
    expect(page.locator(".variant-table tbody tr")).to_have_count(2)
    page.locator("#f-variant-1-image").select_option(
        page.locator("[data-photo-list] > li").nth(1).get_attribute("data-photo"))
    shot(page, "product-editor")
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = _report(blocking)
    if report:
        print(f"axe on the product editor ({slug}, {viewport}):\n{report}")
    assert not blocking, f"{len(blocking)} serious/critical axe violation(s):\n{report}"
    assert_fits_width(page)
    page.problems.check()
