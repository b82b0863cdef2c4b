"""A shopper's walk through a demo store in a real browser, at 360 px and at desktop width.

home -> a collection (nav link) -> a product (product card) -> add to cart -> cart ->
switch to English. Screenshots of every step land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser.conftest import LiveServer, assert_fits_width, expect, read_int, read_money
from core.demo.catalogues import DEMO_STORES
from core.demo.spec import DemoProduct, DemoStore
from core.i18n import format_money
from core.money import Money

QUANTITY = 2
SPECS = {spec.slug: spec for spec in DEMO_STORES}

CART_COUNT = "a.cart-link [data-cart-count]"
CART_TOTAL = "a.cart-link [data-cart-total]"


# ------------------------------------------------------------------------ helpers


def _in_stock(spec: DemoStore, handle: str) -> DemoProduct | None:
    product = next((p for p in spec.products if p.handle == handle), None)
    return product if product is not None and product.stock >= QUANTITY else None


def _handle(href: str | None, kind: str) -> str | None:
    match = re.search(rf"/{kind}/([^/?#]+)", urlsplit(href or "").path)
    return match.group(1) if match else None


def _text(page: Any, selector: str) -> str:
    return " ".join(page.locator(selector).first.inner_text().split())


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _cart_count(page: Any) -> int:
    return read_int(page.locator(CART_COUNT).inner_text())


def _display(spec: DemoStore, amount: Decimal) -> str:
    """``amount`` as the store shows money (its locale, its digits)."""
    return format_money(Money.from_decimal(amount, spec.currency), spec.locale,
                        bengali_digits=spec.bengali_digits)


def _check_chrome(page: Any, spec: DemoStore, lang: str) -> None:
    """What every storefront page has (the DOM contract)."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("header.site-header a.store-name")).to_have_text(spec.name)
    expect(page.locator("nav.site-nav a[href*='/collections/']").first).to_be_attached()
    expect(page.locator(CART_COUNT)).to_have_count(1)
    expect(page.locator(CART_TOTAL)).to_have_count(1)
    expect(page.locator("footer.site-footer")).to_have_count(1)
    switch = page.locator("nav.language-switch")
    for code in ("en", "bn", "hy"):
        expect(switch.locator(f"a[data-locale='{code}']")).to_have_count(1)
    expect(switch.locator(f"a[data-locale='{lang}']")).to_have_attribute("aria-current", "true")
    expect(switch.locator("a[aria-current='true']")).to_have_count(1)


def _fitting(shot: Any) -> Any:
    """``shot`` that first checks the page does not scroll sideways."""

    def take(page: Any, name: str) -> Any:
        shot(page, name)
        assert_fits_width(page)

    return take


def _open_menu_if_hidden(page: Any, link: Any) -> None:
    """At 360 px the collection links may sit behind a menu button or <details>."""
    if link.is_visible():
        return
    toggle = page.locator("header.site-header details:not([open]) > summary, "
                          "header.site-header [aria-expanded='false']").first
    if toggle.count():
        toggle.click()


def _pick_collection_link(page: Any, spec: DemoStore) -> tuple[Any, str]:
    """The first nav link to a collection that holds a product we can buy twice."""
    links = page.locator("nav.site-nav a[href*='/collections/']")
    for i in range(links.count()):
        handle = _handle(links.nth(i).get_attribute("href"), "collections")
        if any(handle in p.collections and _in_stock(spec, p.handle) for p in spec.products):
            return links.nth(i), handle
    raise AssertionError(f"no nav link of {spec.slug} leads to a collection with stock")


def _pick_product_card(page: Any, spec: DemoStore) -> tuple[Any, DemoProduct]:
    cards = page.locator(".product-card a.product-link")
    assert cards.count() > 0, "the collection page shows no .product-card a.product-link"
    for i in range(cards.count()):
        product = _in_stock(spec, _handle(cards.nth(i).get_attribute("href"), "products") or "")
        if product is not None:
            return cards.nth(i), product
    raise AssertionError(f"no product card links to a product with stock >= {QUANTITY}")


# ------------------------------------------------------------------------ the journey


def walk(page: Any, live: LiveServer, spec: DemoStore, shot: Any, *, javascript: bool) -> None:
    shot = _fitting(shot)
    # Home.
    page.goto(live.url(spec.slug))
    _check_chrome(page, spec, spec.locale)
    assert _cart_count(page) == 0, "a new shopper's cart count is not 0"
    expect(page.locator("form.search-form")).to_have_count(0)  # no search plugin is on
    shot(page, "home")

    # A collection, through the site navigation.
    link, collection = _pick_collection_link(page, spec)
    _open_menu_if_hidden(page, link)
    link.click()
    expect(page).to_have_url(re.compile(rf"/collections/{collection}(\?|$)"))
    _check_chrome(page, spec, spec.locale)
    shot(page, f"collection-{collection}")

    # A product, through its card.
    card, product = _pick_product_card(page, spec)
    card.click()
    expect(page).to_have_url(re.compile(rf"/products/{product.handle}(\?|$)"))
    _check_chrome(page, spec, spec.locale)
    title = _text(page, "h1.product-title")
    assert title == product.title
    price_text = _text(page, "[data-price]")
    price = read_money(price_text, spec.locale)
    assert price == Decimal(product.price), f"[data-price] shows {price_text!r}"
    assert _same_text(price_text, _display(spec, price)), (
        f"[data-price] {price_text!r} is not formatted like {_display(spec, price)!r}")
    form = page.locator("form.add-to-cart")
    expect(form.locator("button[type=submit]")).to_be_enabled()
    shot(page, "product")

    # Add to cart.
    form.locator("input[name=quantity]").fill(str(QUANTITY))
    expected_total = price * QUANTITY
    if javascript:
        page.evaluate("window.__haatSamePage = true")
        form.locator("button[type=submit]").click()
        expect(page.locator(CART_COUNT)).to_have_text(
            re.compile(rf"^\s*({QUANTITY}|{_display_digits(spec, QUANTITY)})\s*$"))
        assert page.evaluate("window.__haatSamePage === true"), (
            "adding with JavaScript reloaded the page instead of updating the header in place")
        message = page.locator("[data-cart-message]")
        expect(message).to_be_visible()
        expect(message).not_to_have_text(re.compile(r"^\s*$"))
        assert message.evaluate("e => !!e.closest('[aria-live=polite], [aria-live=assertive],"
                                " [role=status], [role=alert]')"), (
            "[data-cart-message] is not inside a live region, so screen readers miss it")
    else:
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            form.locator("button[type=submit]").click()
        assert posted.value.status in (302, 303), (
            f"adding without JavaScript answered {posted.value.status}, not a redirect")
        page.wait_for_load_state()
        # Back on the product, scrolled to its form (#add-to-cart), where the message is.
        expect(page).to_have_url(re.compile(rf"/products/{product.handle}(\?|#|$)"))
        expect(page.locator(".flash[role=status]").first).not_to_have_text(re.compile(r"^\s*$"))
    assert _cart_count(page) == QUANTITY
    header_total = _text(page, CART_TOTAL)
    assert read_money(header_total, spec.locale) == expected_total, (
        f"[data-cart-total] shows {header_total!r} after adding {QUANTITY} × {price_text}")
    shot(page, "added")

    # The cart, through the header link.
    page.locator("a.cart-link").click()
    expect(page).to_have_url(re.compile(r"/cart(\?|$)"))
    _check_chrome(page, spec, spec.locale)
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(1)
    expect(lines.locator(".cart-line-title")).to_have_text(title)
    expect(lines.locator("input[name=quantity]")).to_have_value(
        re.compile(rf"^({QUANTITY}|{_display_digits(spec, QUANTITY)})$"))
    buttons = lines.locator("button, input[type=submit]").count()
    assert buttons >= 2, f"a .cart-line has {buttons} button(s), not update + remove"
    subtotal_text = _text(page, "[data-cart-subtotal]")
    assert _same_text(subtotal_text, _display(spec, expected_total)), (
        f"[data-cart-subtotal] {subtotal_text!r} != {QUANTITY} × {price_text} "
        f"= {_display(spec, expected_total)!r}")
    expect(page.locator("a.checkout-link")).to_be_visible()
    shot(page, "cart")

    # Switch to English: the language changes, the cart stays.
    page.locator("nav.language-switch a[data-locale='en']").click()
    page.wait_for_load_state()
    _check_chrome(page, spec, "en")
    expect(page).to_have_url(re.compile(r"/cart(\?|$)"))
    expect(page.locator(".cart-line .cart-line-title")).to_have_text(title)
    assert _cart_count(page) == QUANTITY
    shot(page, "cart-en")

    page.problems.check()


def _display_digits(spec: DemoStore, number: int) -> str:
    from core.i18n import to_bengali_digits

    return to_bengali_digits(str(number)) if spec.bengali_digits else str(number)


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
@pytest.mark.parametrize("slug", ["dhaka-crafts", "yerevan-books"])
def test_shopper_journey(slug: str, viewport: str, new_page: Any, live_server: LiveServer,
                         shot: Any) -> None:
    walk(new_page(viewport), live_server, SPECS[slug], shot, javascript=True)


def test_shopper_journey_without_javascript(new_page: Any, live_server: LiveServer,
                                            shot: Any) -> None:
    walk(new_page("mobile", javascript=False), live_server, SPECS["dhaka-crafts"], shot,
         javascript=False)


@pytest.mark.parametrize("slug", ["dhaka-crafts", "yerevan-books"])
def test_out_of_stock_cannot_be_added(slug: str, mobile_page: Any, live_server: LiveServer,
                                      shot: Any) -> None:
    spec = SPECS[slug]
    sold_out = next(p for p in spec.products if p.stock == 0)
    mobile_page.goto(live_server.url(slug, f"/products/{sold_out.handle}"))
    expect(mobile_page.locator("h1.product-title")).to_have_text(sold_out.title)
    expect(mobile_page.locator("form.add-to-cart button[type=submit]")).to_be_disabled()
    shot(mobile_page, "sold-out")
    mobile_page.problems.check()
