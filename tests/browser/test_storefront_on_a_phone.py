"""What a merchant's test on a 360 x 740 phone found, checked in a real browser by where
things land on the screen (``bounding_box()``):

* "Add to cart" says what it did next to the button, on the screen, in a live region,
  with JavaScript and without;
* the stock shown follows the option chosen (with JavaScript on change; without, the
  page of the chosen option);
* a product's title, price and photo start on the first screen, in every theme;
* a checkout field's error goes once the shopper has put the field right;
* a returning shopper with a saved address has a checkout that fits three screens.

Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser.conftest import (
    MOBILE,
    THEMES,
    LiveServer,
    assert_fits_width,
    expect,
    theme_params,
)
from browser.test_checkout_journey import SPECS
from browser.test_shopper_account import _texts_to, order_by_phone, plentiful_product

SCREEN = MOBILE["height"]
#: Bengali digits as typed, and the number the store keeps: unique to this file's tests.
RETURNING_PHONE_TYPED = "০১৮১৫-৫৫৭৪৪৪"
RETURNING_PHONE = "+8801815557444"


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box


def _on_screen(page: Any, locator: Any) -> dict[str, float]:
    """``locator``'s box; it must lie wholly inside the viewport as it is scrolled now."""
    box = _box(locator)
    height = page.viewport_size["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
        f"{locator} is at y={box['y']:.0f}..{box['y'] + box['height']:.0f}, "
        f"off the {height} px screen")
    return box


def _in_live_region(locator: Any) -> bool:
    return locator.evaluate("e => !!e.closest('[aria-live=polite], [aria-live=assertive],"
                            " [role=status], [role=alert]')")


# ------------------------------------------------------------------------ 1. added


@pytest.mark.parametrize("theme", theme_params())
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_adding_to_cart_says_so_next_to_the_button(javascript: bool, theme: str, new_page: Any,
                                                   live_server: LiveServer, use_theme: Any,
                                                   shot: Any) -> None:
    product = plentiful_product("dhaka-crafts")
    use_theme("dhaka-crafts", theme)
    page = new_page("mobile", javascript=javascript)
    page.goto(live_server.url("dhaka-crafts", f"/products/{product.handle}"))
    form = page.locator("form.add-to-cart")
    button = form.locator("button.add-button")
    button.scroll_into_view_if_needed()
    button.click()
    if not javascript:
        # Back on the product, scrolled to its form.
        page.wait_for_url(re.compile(rf"/products/{product.handle}#add-to-cart$"))
    message = form.locator("[data-cart-message] .flash")
    expect(message).to_have_text(re.compile(product.title))
    expect(page.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))
    assert _in_live_region(message)
    # Where the shopper is looking: on the screen, just under the button.
    button_box, message_box = _on_screen(page, button), _on_screen(page, message)
    gap = message_box["y"] - (button_box["y"] + button_box["height"])
    assert 0 <= gap <= 40, f"the message is {gap:.0f} px from the button"
    link = form.locator("[data-cart-message] a.cart-feedback-link")
    expect(link).to_have_attribute("href", "/cart")
    _on_screen(page, link)
    # Said once: not again at the top of the page.
    expect(page.locator(".messages .flash", has_text=product.title)).to_have_count(0)
    assert_fits_width(page)
    shot(page, "added")
    page.problems.check()


# ------------------------------------------------------------------------ 2. stock


@pytest.fixture(scope="module")
def shirt(live_server: LiveServer) -> Iterator[dict[str, Any]]:
    """A product of corner-store in three sizes: S (3 left), M (12), L (sold out); in no
    collection, and gone afterwards."""
    from core.catalog.models import Product, ProductVariant
    from core.db import db
    from tenants import tenant_scope

    sizes = (("S", 2400, 3), ("M", 2600, 12), ("L", 2600, 0))
    with live_server.app.app_context(), tenant_scope(live_server.store_ids["corner-store"]):
        product = Product(handle="phone-test-shirt", title="Phone test shirt", price_amount=2400,
                          stock=sum(stock for _size, _price, stock in sizes),
                          option_names="Size")
        for position, (size, price, stock) in enumerate(sizes):
            product.variants.append(ProductVariant(option1=size, price_amount=price,
                                                   stock=stock, position=position))
        db.session.add(product)
        db.session.commit()
        ids = {size: variant.id for size, variant in
               zip([s for s, _p, _n in sizes], product.variants, strict=True)}
        product_id = product.id
        db.session.remove()
    yield {"handle": "phone-test-shirt", "ids": ids}
    with live_server.app.app_context(), tenant_scope(live_server.store_ids["corner-store"]):
        db.session.delete(db.session.get(Product, product_id))
        db.session.commit()
        db.session.remove()


def _stock(page: Any) -> Any:
    return page.locator("#product-stock[data-stock]")


def test_the_stock_shown_follows_the_option_chosen(shirt: dict[str, Any], mobile_page: Any,
                                                   live_server: LiveServer, shot: Any) -> None:
    page = mobile_page
    page.goto(live_server.url("corner-store", f"/products/{shirt['handle']}"))
    select = page.locator("select#variant")
    expect(select).to_have_value(str(shirt["ids"]["S"]))
    expect(_stock(page)).to_have_text("Only 3 left")
    expect(page.locator("[data-price-block] [data-price]")).to_have_text("$24.00")
    expect(page.locator("[data-show-option]")).to_be_hidden()  # JavaScript does its work
    select.scroll_into_view_if_needed()
    # The stock sits by the picker: both on the screen together.
    stock_box, select_box = _on_screen(page, _stock(page)), _on_screen(page, select)
    assert select_box["y"] - (stock_box["y"] + stock_box["height"]) < 80

    select.select_option(str(shirt["ids"]["M"]))
    expect(_stock(page)).to_have_text("In stock")
    expect(_stock(page).locator(".stock")).to_have_class(re.compile(r"\bstock-in\b"))
    expect(page.locator("[data-price-block] [data-price]")).to_have_text("$26.00")
    expect(page.locator("#quantity")).to_have_attribute("data-max", "12")
    assert _in_live_region(_stock(page))
    # A reload (or a shared link) shows the same option.
    expect(page).to_have_url(re.compile(rf"\?variant={shirt['ids']['M']}$"))
    page.reload()
    expect(select).to_have_value(str(shirt["ids"]["M"]))
    expect(_stock(page)).to_have_text("In stock")
    shot(page, "option-m")
    page.problems.check()


def test_without_javascript_the_page_of_the_chosen_option_shows_its_stock(
        shirt: dict[str, Any], new_page: Any, live_server: LiveServer, shot: Any) -> None:
    page = new_page("mobile", javascript=False)
    page.goto(live_server.url("corner-store", f"/products/{shirt['handle']}"))
    expect(_stock(page)).to_have_text("Only 3 left")
    page.locator("select#variant").select_option(str(shirt["ids"]["M"]))
    show = page.locator("button[data-show-option]")
    show.click()
    page.wait_for_url(re.compile(rf"\?variant={shirt['ids']['M']}#add-to-cart$"))
    expect(page.locator("select#variant")).to_have_value(str(shirt["ids"]["M"]))
    expect(_stock(page)).to_have_text("In stock")
    expect(page.locator("[data-price-block] [data-price]")).to_have_text("$26.00")
    # Scrolled to the form, with the stock and the picker on the screen.
    _on_screen(page, _stock(page))
    _on_screen(page, page.locator("select#variant"))
    assert_fits_width(page)
    shot(page, "option-m-no-js")
    page.problems.check()


# ------------------------------------------------------------------------ 3. first screen


@pytest.mark.parametrize("theme", theme_params())
def test_the_product_starts_on_the_first_screen(theme: str, mobile_page: Any,
                                                live_server: LiveServer, use_theme: Any,
                                                shot: Any) -> None:
    spec = SPECS["dhaka-crafts"]
    product = next(p for p in spec.products if p.stock > 0 and p.collections)
    use_theme(spec.slug, theme)
    page = mobile_page
    page.goto(live_server.url(spec.slug, f"/products/{product.handle}"))
    title = page.locator("h1.product-title")
    expect(title).to_have_text(product.title)
    photo = page.locator(".gallery-main img")
    expect(photo).to_be_visible()
    for what, locator in (("title", title), ("price", page.locator("[data-price-block]")),
                          ("photo", photo)):
        box = _box(locator)
        assert box["y"] < SCREEN, f"the {what} starts at y={box['y']:.0f}, below the screen"
    # More than a sliver of the photo: at least a third of it is on the first screen.
    box = _box(photo)
    assert SCREEN - box["y"] >= box["height"] / 3, f"only the top of the photo shows: {box}"
    assert _box(title)["y"] < _box(photo)["y"], "the title is under the photo"
    assert_fits_width(page)
    shot(page, f"product-{theme}")
    page.problems.check()


# ------------------------------------------------------------------------ 4. errors


def test_a_corrected_checkout_field_loses_its_error(mobile_page: Any, live_server: LiveServer,
                                                    shot: Any) -> None:
    page = mobile_page
    slug = "dhaka-crafts"
    page.goto(live_server.url(slug, f"/products/{plentiful_product(slug).handle}"))
    page.locator("form.add-to-cart button.add-button").click()
    expect(page.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))
    page.goto(live_server.url(slug, "/checkout"))
    page.locator("button.place-order").click()  # nothing filled in: errors
    name = page.locator("#checkout-name")
    expect(page.locator("#error-name")).to_be_visible()
    expect(name).to_have_attribute("aria-invalid", "true")
    country_before = _box(page.locator("#checkout-country"))["y"]
    error_height = _box(page.locator("#error-name"))["height"]
    shot(page, "errors")

    name.fill("রহিম উদ্দিন")
    expect(page.locator("#error-name")).to_have_count(0)
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field", has=name)).not_to_have_class(re.compile(r"\bhas-error\b"))
    # The error's room is given back: the next field moves up by about its height.
    moved = country_before - _box(page.locator("#checkout-country"))["y"]
    assert moved >= error_height * 0.8, (moved, error_height)

    # Half a fix keeps the error: an email without its domain does not answer
    # "a phone or an email".
    email = page.locator("#checkout-email")
    email.fill("rahim@")
    expect(page.locator("#error-phone")).to_be_visible()
    email.fill("rahim@example.com")
    expect(page.locator("#error-phone")).to_have_count(0)
    expect(page.locator("#checkout-phone")).not_to_have_attribute("aria-invalid", "true")
    # A field left alone keeps its error.
    expect(page.locator("#error-line1")).to_be_visible()
    page.locator("#checkout-line1").fill("বাড়ি ১২, ধানমন্ডি")
    expect(page.locator("#error-line1")).to_have_count(0)
    assert_fits_width(page)
    shot(page, "corrected")
    page.problems.check()


# ------------------------------------------------------------------------ 6. returning


def _sign_in_by_phone(page: Any, live: LiveServer, slug: str) -> None:
    page.goto(live.url(slug, "/account"))
    page.locator("#account-contact").fill(RETURNING_PHONE_TYPED)
    page.locator("main button[type=submit]").click()
    expect(page.locator("#account-code")).to_be_visible()
    code = re.search(r"\d{6}", _texts_to(live, RETURNING_PHONE)[-1]).group(0)
    page.locator("#account-code").fill(code)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".address-book li")).to_have_count(1)


def test_a_returning_shoppers_checkout_fits_three_screens(new_page: Any,
                                                          live_server: LiveServer,
                                                          use_theme: Any, shot: Any) -> None:
    slug = "dhaka-crafts"
    page = new_page("mobile")
    order_by_phone(page, live_server, slug, RETURNING_PHONE_TYPED)  # the first order
    _sign_in_by_phone(page, live_server, slug)
    page.goto(live_server.url(slug, f"/products/{plentiful_product(slug).handle}"))
    page.locator("form.add-to-cart button.add-button").click()
    expect(page.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))

    for theme in THEMES:
        use_theme(slug, theme)
        page.goto(live_server.url(slug, "/checkout"))
        expect(page.locator("body")).to_have_class(re.compile(rf"\btheme-{theme}\b"))
        # The saved address is one line; its fields are folded away, but still sent.
        saved = page.locator(".saved-addresses a[aria-current=true]")
        expect(saved).to_be_visible()
        expect(saved).to_contain_text("বাড়ি ৭, সড়ক ২, মিরপুর")
        fields = page.locator("details.address-fields")
        expect(fields).not_to_have_attribute("open", "")
        expect(page.locator("#checkout-line1")).to_be_hidden()
        expect(page.locator("#checkout-line1")).to_have_value("বাড়ি ৭, সড়ক ২, মিরপুর")
        # So is the phone of the last order.
        expect(page.locator(".contact-pair .on-file")).to_contain_text("1815")
        expect(page.locator("#checkout-phone")).to_be_hidden()
        expect(page.locator("#checkout-phone")).to_have_value(re.compile(r"1815"))
        # Delivery to the saved address is worked out already; the shopper picks how to pay.
        expect(page.locator("input[name=shipping_rate]").first).to_be_checked()
        page.locator("input[name=payment_method][value=cod]").check()
        expect(page.locator("input[name=payment_method][value=cod]")).to_be_checked()
        place = page.locator("button.place-order")
        expect(place).to_be_enabled()
        # Everything down to "Place order" fits three screens.
        box = _box(place)
        bottom = box["y"] + page.evaluate("window.scrollY") + box["height"]
        assert bottom <= 3 * SCREEN, (
            f"{theme}: 'Place order' ends at {bottom:.0f} px, past three screens")
        assert_fits_width(page)
        shot(page, f"checkout-returning-{theme}")

    # "Change" opens the fields: a disclosure (<summary>), which screen readers know.
    change = page.locator("summary.change-address")
    # (The store is Bengali: "Change the address for this order".)
    expect(change).to_have_accessible_name("এই অর্ডারের ঠিকানা বদলান")
    change.click()
    expect(fields).to_have_attribute("open", "")
    expect(page.locator("#checkout-line1")).to_be_visible()
    expect(page.locator("#checkout-name")).to_be_in_viewport()  # right under "Change"
    shot(page, "checkout-returning-change")

    page.locator("button.place-order").click()
    page.wait_for_url(re.compile(r"/orders/[\w-]+$"))
    page.problems.check()
