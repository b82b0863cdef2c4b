"""Issue 16's journey, end to end in a real browser at 360 px: a Bengali-speaking merchant
signs up, sets delivery with the zone form, switches on cash on delivery, changes the
theme's colour and checks it in the preview before publishing, adds a product whose
colours have their own photos, and opens the store. A shopper then picks a colour, sees
its photo, and checks out with an address written ``Mirpur-10, Dhaka-1216``, which pays
the inside-Dhaka rate. Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from typing import Any

from PIL import Image

from browser.conftest import LiveServer, assert_fits_width, expect

PASSWORD = "নকশি-ঘর-2026-password"
COLOURS = {"লাল": (190, 30, 45), "নীল": (30, 60, 170)}
ACCENT = "#1e6b2f"
ACCENT_JS = "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"


def _photos(folder: Path) -> list[Path]:
    """One real JPEG per colour, as a phone camera would give them."""
    paths = []
    for index, rgb in enumerate(COLOURS.values()):
        buffer = io.BytesIO()
        Image.new("RGB", (900, 900), rgb).save(buffer, "JPEG", quality=90)
        path = folder / f"colour-{index}.jpg"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


def _platform(live: LiveServer, path: str) -> str:
    return f"http://localhost:{live.port}{path}"


def _switch_on(page: Any, plugin: str) -> None:
    """Press "চালু করুন" (Switch on) on a plugin's card of a Payments or Shipping page."""
    card = page.locator(f"#plugin-{plugin}")
    card.locator("form button[type=submit]").first.click()
    expect(page.locator(f"#plugin-{plugin} .badge-on")).to_be_visible()


def test_a_bengali_merchant_sets_up_alone_on_a_phone_and_a_shopper_buys(
        new_page, live_server, shot, tmp_path):
    slug = f"nakshi-{secrets.token_hex(3)}"
    title = "নকশি ওড়না"
    merchant = new_page("mobile")

    # 1. Sign up, in Bengali.
    merchant.goto(_platform(live_server, "/signup?lang=bn"))
    expect(merchant.locator("html")).to_have_attribute("lang", "bn")
    merchant.locator("#name").fill("নকশি ঘর")
    merchant.locator("#slug").fill(slug)
    merchant.locator("#email").fill(f"owner@{slug}.example")
    merchant.locator("#password").fill(PASSWORD)
    merchant.locator("#locale").select_option("bn")
    merchant.locator("#currency").select_option("BDT")
    shot(merchant, "01-sign-up")
    merchant.locator("main button[type=submit]").click()
    merchant.wait_for_url(re.compile(rf"^http://{slug}\.localhost:\d+/admin/"))
    expect(merchant.locator("html")).to_have_attribute("lang", "bn")
    assert_fits_width(merchant)
    shot(merchant, "02-dashboard")

    # 2. Delivery: the Shipping page, then the zones as a form.
    merchant.goto(live_server.url(slug, "/admin/shipping"))
    expect(merchant.locator("h1")).to_have_text("ডেলিভারি")
    _switch_on(merchant, "shipping")
    merchant.get_by_role("link", name="জোন ও চার্জ বদলান").click()
    inside = merchant.locator("[data-zone-builder] fieldset.zone-card").first
    expect(inside.get_by_label("জোনের নাম")).to_have_value("ঢাকার ভেতরে")
    expect(inside.locator("input[name$='-place-0']")).to_have_value("ঢাকা মহানগর")
    inside.locator("input[name='zones-0-rate-0-price']").fill("৬০")
    assert_fits_width(merchant)
    shot(merchant, "03-zones")
    merchant.get_by_role("button", name="সেটিংস সেভ করুন").click()
    expect(merchant.locator(".flashes")).to_be_visible()
    expect(merchant.locator("input[name='zones-0-rate-0-price']")).to_have_value("৬০")

    # 3. Payments: cash on delivery, with a fee outside Dhaka only.
    merchant.goto(live_server.url(slug, "/admin/payments"))
    expect(merchant.locator("h1")).to_have_text("পেমেন্ট")
    _switch_on(merchant, "cash-on-delivery")
    shot(merchant, "04-payments")

    # 4. The theme: a new colour, seen in the preview before shoppers see it.
    merchant.goto(live_server.url(slug, "/admin/theme"))
    merchant.locator("#setting-accent-picker").fill(ACCENT)
    frame = merchant.locator("iframe[data-preview-frame]").element_handle().content_frame()
    frame.wait_for_function(f"() => {ACCENT_JS} === {ACCENT!r}")
    shot(merchant, "05-theme-preview")
    merchant.locator("button[name=action][value=publish]").click()
    expect(merchant.locator(".flashes")).to_be_visible()

    # 5. A product whose colours have their own photos.
    merchant.goto(live_server.url(slug, "/admin/products/new"))
    merchant.locator("#f-title").fill(title)
    merchant.locator("#f-price").fill("১৮৫০")
    merchant.locator("#f-status").select_option("active")
    merchant.locator("#f-option1_name").fill("রং")
    merchant.locator("#f-option1_values").fill(", ".join(COLOURS))
    merchant.locator("#f-option1_values").press("Tab")
    expect(merchant.locator("#f-variant-1-option1")).to_have_value("নীল")
    merchant.locator("#f-variant-0-stock").fill("৫")
    merchant.locator("#f-variant-1-stock").fill("৫")
    merchant.locator("#f-images").set_input_files([str(p) for p in _photos(tmp_path)])
    photos = merchant.locator("[data-photo-list] > li")
    expect(merchant.locator("[data-photo-list] > li[data-photo^='s']")).to_have_count(2)
    merchant.locator("#f-variant-0-image").select_option(photos.nth(0).get_attribute("data-photo"))
    merchant.locator("#f-variant-1-image").select_option(photos.nth(1).get_attribute("data-photo"))
    assert_fits_width(merchant)
    shot(merchant, "06-product")
    merchant.locator(".form-actions button[value=save]").click()
    merchant.wait_for_url(re.compile(r"/admin/products/\d+$"))
    blue_photo = merchant.locator("[data-photo-list] > li").nth(1).get_attribute("data-photo")

    # 6. Open the store: until now shoppers saw "coming soon".
    shopper = new_page("mobile")
    shopper.goto(live_server.url(slug, "/"))
    expect(shopper.locator("main.coming-soon")).to_be_visible()
    merchant.goto(live_server.url(slug, "/admin/settings/status"))
    merchant.get_by_role("button", name="আপনার দোকান চালু করুন").click()
    expect(merchant.locator(".flashes")).to_be_visible()
    shot(merchant, "07-opened")

    # 7. The shopper picks blue, sees its photo, and checks out from Mirpur.
    shopper.goto(live_server.url(slug, "/"))
    expect(shopper.locator("html")).to_have_attribute("lang", "bn")
    assert shopper.evaluate(f"() => {ACCENT_JS}") == ACCENT
    shopper.get_by_role("link", name=title).first.click()
    expect(shopper.locator("h1")).to_have_text(title)
    blue = shopper.locator("select[name=variant_id] option", has_text="নীল")
    shopper.locator("select[name=variant_id]").select_option(blue.get_attribute("value"))
    expect(shopper.locator(".gallery figure.gallery-main").first).to_have_attribute(
        "data-image-id", blue_photo)
    assert_fits_width(shopper)
    shot(shopper, "08-shopper-blue")
    shopper.locator("form.add-to-cart button.add-button").click()
    expect(shopper.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))
    shopper.goto(live_server.url(slug, "/checkout"))
    for name, value in (("phone", "01712345678"), ("name", "রহিম উদ্দিন"),
                        ("line1", "বাড়ি ১২, রোড ৩"), ("city", "Mirpur-10, Dhaka-1216")):
        shopper.locator(f"#checkout-{name}").fill(value)
        shopper.locator(f"#checkout-{name}").dispatch_event("change")
    rate = shopper.locator("input[name=shipping_rate]:checked")
    expect(rate).to_have_count(1)
    expect(shopper.locator("label", has=rate)).to_contain_text("৬০")
    shopper.locator("input[name=payment_method][value=cod]").check()
    # The summary is worked out again for the address: ৳১,৮৫০ and ৳৬০ delivery.
    expect(shopper.locator("[data-checkout-total]")).to_contain_text("১,৯১০")
    assert_fits_width(shopper)
    shot(shopper, "09-checkout")
    # "Place order" tapped straight after retyping the city, as on a phone: the city's
    # change and the tap come together, and the order is still placed (same total).
    shopper.locator("#checkout-city").fill("Mirpur 10, Dhaka 1216")
    shopper.locator("button.place-order").click()
    shopper.wait_for_url(re.compile(r"/orders/"))
    expect(shopper.locator("main")).to_contain_text("৬০")
    shot(shopper, "10-order")
