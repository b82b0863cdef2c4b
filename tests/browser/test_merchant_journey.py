"""A merchant in a real browser: sign in, create a product with two colours and a photo,
and find it on the storefront; then do the same on a phone. Screenshots land in
``test-artifacts/<test>/``.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import Any

from PIL import Image

from browser.conftest import LiveServer, assert_fits_width, expect
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD

SPECS = {spec.slug: spec for spec in DEMO_STORES}
EDIT_URL = re.compile(r"/admin/products/\d+$")


def _photo(folder: Path) -> Path:
    """A real JPEG, as a phone would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (180, 40, 60)).save(buffer, "JPEG", quality=90)
    path = folder / "scarf.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def _sign_in(page: Any, live: LiveServer, slug: str) -> None:
    page.goto(live.url(slug, "/admin/login"))
    page.locator("input[name=email]").fill(SPECS[slug].owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()  # "Sign in", in the store's language
    expect(page).to_have_url(live.url(slug, "/admin/"))


def test_a_merchant_creates_a_product_with_variants_and_a_photo_and_shoppers_see_it(
        new_page, live_server, shot, tmp_path):
    slug = "corner-store"
    title = f"Silk scarf {secrets.token_hex(3)}"
    merchant = new_page("desktop")
    _sign_in(merchant, live_server, slug)
    shot(merchant, "dashboard")

    merchant.get_by_role("link", name="Products", exact=True).first.click()
    merchant.get_by_role("link", name="Add product").first.click()
    merchant.wait_for_load_state("networkidle")  # the editor's scripts are all in
    merchant.locator("#f-title").fill(title)
    # The description has a toolbar (Trix): typed like any text box. (One line: under a
    # busy CI machine an Enter typed straight after text was seen split around the next
    # letter, "D<br>ry", by the editor's deferred handling of the key.)
    merchant.locator("trix-editor").click()
    merchant.keyboard.type("Hand-woven. Dry clean only.")
    # The editor hands what was typed to the form's field; only then go on to the next.
    expect(merchant.locator("#f-description")).to_have_value(
        re.compile("Hand-woven. Dry clean only."))
    merchant.locator("#f-price").fill("45")
    merchant.locator("#f-status").select_option("active")
    merchant.locator("#f-option1_name").fill("Colour")
    merchant.locator("#f-option1_values").fill("Red, Blue")
    expect(merchant.locator("#f-option1_name")).to_have_value("Colour")
    merchant.get_by_role("button", name="Make every combination").click()
    # One row per colour, made in the page, and everything typed kept.
    expect(merchant.locator("#f-title")).to_have_value(title)
    expect(merchant.locator("#f-variant-1-option1")).to_have_value("Blue")
    merchant.locator("#f-variant-0-price").fill("45")
    merchant.locator("#f-variant-0-stock").fill("3")
    merchant.locator("#f-variant-1-price").fill("49.50")
    merchant.locator("#f-variant-1-stock").fill("0")
    merchant.locator("#f-images").set_input_files(str(_photo(tmp_path)))
    shot(merchant, "new-product-filled")
    merchant.get_by_role("button", name="Create product").click()
    merchant.wait_for_url(EDIT_URL)
    expect(merchant.locator(".flashes")).to_contain_text(title)
    expect(merchant.locator("img[src*='/media/products/']").first).to_be_visible()
    merchant.locator("input[name$='-alt']").first.fill("A red silk scarf, folded")
    merchant.get_by_role("button", name="Save product").click()
    shot(merchant, "product-saved")

    shopper = new_page("mobile")
    shopper.goto(live_server.url(slug, "/collections/all?sort=newest"))
    shopper.get_by_role("link", name=title).first.click()
    expect(shopper.locator("h1")).to_have_text(title)
    expect(shopper.locator("main")).to_contain_text("$45.00")
    expect(shopper.locator("main")).to_contain_text("Dry clean only.")
    expect(shopper.locator("img[alt='A red silk scarf, folded']").first).to_be_visible()
    options = shopper.locator("select[name=variant_id] option, input[name=variant_id]")
    expect(options).to_have_count(2)
    assert_fits_width(shopper)
    shot(shopper, "storefront-product")

    merchant.goto(live_server.url(slug, "/admin/products"))
    merchant.locator("input[name=q]").fill(title)
    merchant.locator("input[name=q]").press("Enter")
    expect(merchant.locator("main tbody tr")).to_have_count(1)
    shot(merchant, "product-list")
    merchant.problems.check()
    shopper.problems.check()


def test_the_admin_works_on_a_phone(new_page, live_server, shot):
    slug = "dhaka-crafts"
    merchant = new_page("mobile")
    _sign_in(merchant, live_server, slug)
    # A Bengali store's admin speaks Bengali (the admin's own catalogue).
    expect(merchant.locator("html")).to_have_attribute("lang", "bn")
    expect(merchant.get_by_role("link", name="ড্যাশবোর্ড")).to_be_visible()
    assert_fits_width(merchant)
    shot(merchant, "dashboard-360")
    for path, name in (("/admin/products", "products"), ("/admin/products/new", "new-product"),
                       ("/admin/orders", "orders"), ("/admin/collections", "collections"),
                       ("/admin/settings", "settings"), ("/admin/staff", "staff")):
        merchant.goto(live_server.url(slug, path))
        expect(merchant.locator("h1")).to_be_visible()
        assert_fits_width(merchant)
        shot(merchant, f"{name}-360")
    merchant.problems.check()
