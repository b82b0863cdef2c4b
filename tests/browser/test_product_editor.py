"""The product editor in a real browser (issue 16): a Bengali merchant on a 360 px phone
adds colours (rows appear in the page, no reload), chooses photos (previews at once),
orders them by dragging and with the arrow buttons, gives a colour its photo, writes
the description with the toolbar and saves; a shopper choosing that colour sees its
photo. Leaving with unsaved changes asks first; saving does not. Screenshots land in
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
COLOURS = {"red": (190, 30, 45), "blue": (30, 60, 170), "green": (20, 130, 60)}


def _photos(folder: Path) -> dict[str, Path]:
    """One real JPEG per colour, as a phone would upload it."""
    paths = {}
    for name, rgb in COLOURS.items():
        buffer = io.BytesIO()
        Image.new("RGB", (800, 800), rgb).save(buffer, "JPEG", quality=90)
        paths[name] = folder / f"{name}.jpg"
        paths[name].write_bytes(buffer.getvalue())
    return paths


def _sign_in(page: Any, live: LiveServer, slug: str) -> None:
    page.goto(live.url(slug, "/admin/login"))
    page.locator("input[name=email]").fill(SPECS[slug].owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(live.url(slug, "/admin/"))


def _photo_order(page: Any) -> list[str]:
    return page.locator("[data-photo-list] > li").evaluate_all(
        "items => items.map(i => i.getAttribute('data-photo-name')"
        " || i.getAttribute('data-photo'))")


def test_a_merchant_gives_each_colour_its_photo_on_a_phone(new_page, live_server, shot,
                                                           tmp_path):
    slug = "dhaka-crafts"
    title = f"Nakshi scarf {secrets.token_hex(3)}"
    photos = _photos(tmp_path)
    merchant = new_page("mobile")
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/products/new"))
    expect(merchant.locator("html")).to_have_attribute("lang", "bn")
    # No options yet: no variant table, no "add a row".
    expect(merchant.locator(".variant-table")).to_have_count(0)
    expect(merchant.locator("[data-add-row]")).to_be_hidden()
    shot(merchant, "new-product-empty-360")

    merchant.locator("#f-title").fill(title)
    merchant.locator("#f-price").fill("১৮৫০")
    # The description has a toolbar (Trix, served by Haat); the field it fills is hidden.
    editor = merchant.locator("trix-editor")
    expect(editor).to_be_visible()
    expect(merchant.locator("#f-description")).to_be_hidden()
    editor.click()
    merchant.keyboard.type("Hand-woven in Tangail. ")
    merchant.locator("trix-toolbar [data-trix-attribute=bold]").click()
    merchant.keyboard.type("Dry clean only.")
    expect(merchant.locator("#f-description")).to_have_value(
        re.compile(r"Hand-woven in Tangail\.(&nbsp;| )<strong>Dry clean only\.</strong>"))

    # Colours: the rows appear in the page as soon as the values are written.
    merchant.evaluate("window.__sameDocument = true")
    merchant.locator("#f-option1_name").fill("রং")
    merchant.locator("#f-option1_values").fill("লাল, নীল")
    merchant.locator("#f-option1_values").press("Tab")
    expect(merchant.locator("#f-variant-1-option1")).to_have_value("নীল")
    expect(merchant.locator("#f-variant-0-price")).to_have_value("১৮৫০")
    expect(merchant.locator("[data-add-row]")).to_be_visible()
    # A third colour through the button, then taken out again: still the same page.
    merchant.locator("#f-option1_values").fill("লাল, নীল, সবুজ")
    merchant.locator("[data-combine]").click()
    expect(merchant.locator(".variant-table tbody tr")).to_have_count(3)
    merchant.locator("#variant-row-2 button[name=action]").click()
    expect(merchant.locator(".variant-table tbody tr")).to_have_count(2)
    assert merchant.evaluate("window.__sameDocument === true"), "the page was reloaded"
    merchant.locator("#f-variant-0-stock").fill("৩")
    merchant.locator("#f-variant-1-stock").fill("৪")

    # Photos: previews at once, sent to the server in the background.
    merchant.locator("#f-images").set_input_files(
        [str(photos[n]) for n in ("red", "blue", "green")])
    items = merchant.locator("[data-photo-list] > li")
    expect(items).to_have_count(3)
    expect(items.locator("img").first).to_have_attribute("src", re.compile(r"^(blob:|/media/)"))
    expect(merchant.locator("[data-photo-list] > li[data-photo^='s']")).to_have_count(3)
    assert _photo_order(merchant) == ["red.jpg", "blue.jpg", "green.jpg"]
    expect(items.first.locator("[data-main-badge]")).to_be_visible()
    shot(merchant, "photos-chosen-360")

    # Reorder with the keyboard-reachable buttons: green one up.
    items.nth(2).locator("[data-move='-1']").click()
    assert _photo_order(merchant) == ["red.jpg", "green.jpg", "blue.jpg"]
    expect(merchant.locator("[data-photo-status]")).to_contain_text("৩")
    # ... and by dragging: blue (last) onto the top, the page scrolling along on a phone.
    items.nth(2).scroll_into_view_if_needed()
    handle = items.nth(2).locator("[data-drag-handle]").bounding_box()
    merchant.mouse.move(handle["x"] + 20, handle["y"] + 20)
    merchant.mouse.down()
    merchant.mouse.move(handle["x"] + 20, 30, steps=6)
    merchant.mouse.move(handle["x"] + 20, 8, steps=3)
    # Held at the top edge until the first photo has come into view and been passed.
    merchant.wait_for_function("() => window.scrollY < 5")
    first = items.nth(0).locator("[data-drag-handle]").bounding_box()
    merchant.mouse.move(first["x"] + 20, max(first["y"] + 10, 60), steps=4)
    merchant.mouse.up()
    assert _photo_order(merchant) == ["blue.jpg", "red.jpg", "green.jpg"]
    positions = merchant.locator("[data-photo-position]").evaluate_all(
        "inputs => inputs.map(i => i.value)")
    assert positions == ["1", "2", "3"]
    expect(items.first.locator("[data-main-badge]")).to_be_visible()
    expect(items.nth(1).locator("[data-main-badge]")).to_be_hidden()

    # Blue gets the blue photo (now the first), red the red one (second).
    blue_value = items.nth(0).get_attribute("data-photo")
    red_value = items.nth(1).get_attribute("data-photo")
    merchant.locator("#f-variant-1-image").select_option(blue_value)
    merchant.locator("#f-variant-0-image").select_option(red_value)
    expect(merchant.locator("#variant-row-1 .variant-thumb")).to_be_visible()
    assert_fits_width(merchant)
    shot(merchant, "variants-with-photos-360")

    merchant.locator(".form-actions button[value=save]").click()
    merchant.wait_for_url(EDIT_URL)  # no "leave the page?" question on saving
    expect(merchant.locator(".flashes")).to_contain_text(title)
    saved = merchant.locator("[data-photo-list] > li")
    expect(saved).to_have_count(3)
    blue_id = saved.nth(0).get_attribute("data-photo")
    expect(merchant.locator("#f-variant-1-image")).to_have_value(blue_id)
    expect(merchant.locator("trix-editor strong")).to_have_text("Dry clean only.")
    shot(merchant, "saved-360")

    # Leaving with a change not saved asks first.
    questions: list[str] = []
    merchant.on("dialog", lambda dialog: (questions.append(dialog.type), dialog.accept()))
    merchant.locator("#f-title").fill(title + " (new)")
    merchant.close(run_before_unload=True)
    merchant.wait_for_event("close")
    assert questions == ["beforeunload"]

    # The shopper picks blue and sees the blue photo.
    shopper = new_page("mobile")
    shopper.goto(live_server.url(slug, "/collections/all?sort=newest"))
    shopper.get_by_role("link", name=title).first.click()
    expect(shopper.locator("h1")).to_have_text(title)
    main = shopper.locator(".gallery figure.gallery-main")
    expect(main).not_to_have_attribute("data-image-id", blue_id)
    expect(shopper.locator(".description strong")).to_have_text("Dry clean only.")
    blue_variant = shopper.locator("select[name=variant_id] option", has_text="নীল")
    shopper.locator("select[name=variant_id]").select_option(blue_variant.get_attribute("value"))
    expect(main.first).to_have_attribute("data-image-id", blue_id)
    expect(shopper.locator(".gallery figure")).to_have_count(3)
    assert_fits_width(shopper)
    shot(shopper, "storefront-blue-360")
    # A reload keeps it (?variant=), drawn by the server.
    shopper.reload()
    expect(shopper.locator(".gallery figure.gallery-main")).to_have_attribute("data-image-id",
                                                                            blue_id)
    shopper.problems.check()


def test_the_editor_on_a_desktop(new_page, live_server, shot, tmp_path, use_theme):
    slug = "corner-store"
    title = f"Desk lamp {secrets.token_hex(3)}"
    photos = _photos(tmp_path)
    merchant = new_page("desktop")
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/products/new"))
    merchant.locator("#f-title").fill(title)
    merchant.locator("#f-price").fill("45")
    merchant.locator("#f-option1_name").fill("Colour")
    merchant.locator("#f-option1_values").fill("Red")
    merchant.get_by_role("button", name="Make every combination").click()
    expect(merchant.locator(".variant-table tbody tr")).to_have_count(1)
    # Enter in an option field makes the rows; it does not save the product.
    merchant.locator("#f-option1_values").fill("Red, Green")
    merchant.locator("#f-option1_values").press("Enter")
    expect(merchant.locator(".variant-table tbody tr")).to_have_count(2)
    expect(merchant).to_have_url(live_server.url(slug, "/admin/products/new"))
    merchant.locator("#f-images").set_input_files([str(photos["red"]), str(photos["green"])])
    expect(merchant.locator("[data-photo-list] > li[data-photo^='s']")).to_have_count(2)
    merchant.get_by_role("button", name="Move Photo 2 earlier").click()
    assert _photo_order(merchant) == ["green.jpg", "red.jpg"]
    expect(merchant.get_by_role("button", name="Move Photo 1 earlier")).to_be_disabled()
    merchant.locator("#f-variant-1-image").select_option(
        merchant.locator("[data-photo-list] > li").first.get_attribute("data-photo"))
    merchant.locator("#f-variant-0-image").select_option(
        merchant.locator("[data-photo-list] > li").nth(1).get_attribute("data-photo"))
    merchant.locator("#f-variant-0-stock").fill("2")
    merchant.locator("#f-variant-1-stock").fill("3")
    shot(merchant, "editor-desktop")
    # A mistake comes back with the photos kept and the order as it was.
    merchant.locator("#f-price").fill("")
    merchant.locator("#f-variant-0-price").fill("abc")
    merchant.get_by_role("button", name="Create product").click()
    expect(merchant.locator(".form-errors")).to_be_visible()
    assert _photo_order(merchant) == ["green.jpg", "red.jpg"]
    expect(merchant.locator("#f-variant-1-image")).to_have_value(
        merchant.locator("[data-photo-list] > li").first.get_attribute("data-photo"))
    shot(merchant, "mistake-desktop")
    merchant.locator("#f-variant-0-price").fill("45")
    merchant.get_by_role("button", name="Create product").click()
    merchant.wait_for_url(EDIT_URL)
    expect(merchant.locator("[data-photo-list] > li")).to_have_count(2)
    green_id = merchant.locator("[data-photo-list] > li").first.get_attribute("data-photo")
    red_id = merchant.locator("[data-photo-list] > li").nth(1).get_attribute("data-photo")
    merchant.problems.check()

    # In either theme, choosing Green shows the green photo.
    for theme in ("default", "bazaar"):
        use_theme(slug, theme)
        shopper = new_page("desktop")
        shopper.goto(live_server.url(slug, "/collections/all?sort=newest"))
        shopper.get_by_role("link", name=title).first.click()
        main = shopper.locator(".gallery figure.gallery-main")
        expect(main).to_have_attribute("data-image-id", red_id)  # Red, chosen first
        green = shopper.locator("select[name=variant_id] option", has_text="Green")
        shopper.locator("select[name=variant_id]").select_option(green.get_attribute("value"))
        expect(main).to_have_attribute("data-image-id", green_id)
        shot(shopper, f"storefront-green-{theme}")
        shopper.problems.check()


def test_without_javascript_the_editor_still_works(new_page, live_server, shot, tmp_path):
    slug = "corner-store"
    photos = _photos(tmp_path)
    merchant = new_page("mobile", javascript=False)
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/products/new"))
    expect(merchant.locator("#f-description")).to_be_visible()  # the plain field
    merchant.locator("#f-title").fill(f"Tote bag {secrets.token_hex(3)}")
    merchant.locator("#f-description").fill("Sturdy.\n\nCotton.")
    merchant.locator("#f-price").fill("12")
    merchant.locator("#f-option1_name").fill("Colour")
    merchant.locator("#f-option1_values").fill("Red, Green")
    merchant.locator("#f-images").set_input_files([str(photos["red"]), str(photos["green"])])
    merchant.get_by_role("button", name="Make every combination").click()
    # A step, not an error: a note, the rows, and both photos still there.
    expect(merchant.locator(".notice")).to_contain_text("one row per combination")
    expect(merchant.locator(".form-errors")).to_have_count(0)
    expect(merchant.locator("[data-photo-list] > li")).to_have_count(2)
    expect(merchant.locator("#f-description")).to_have_value("Sturdy.\n\nCotton.")
    shot(merchant, "combined-without-javascript-360")
    green = merchant.locator("[data-photo-list] > li").nth(1).get_attribute("data-photo")
    merchant.locator("#f-variant-1-image").select_option(green)
    merchant.get_by_role("button", name="Create product").click()
    merchant.wait_for_url(EDIT_URL)
    expect(merchant.locator("[data-photo-list] > li")).to_have_count(2)
    expect(merchant.locator("#f-variant-1-image")).not_to_have_value("")
    assert_fits_width(merchant)
    shot(merchant, "saved-without-javascript-360")
