"""A Bengali merchant sets up delivery and payments in a real browser, on a phone and at
desktop width: the Shipping page, the zone form (rows added in the page, only the inputs
the chosen price needs), cash on delivery ticked by zone, and axe-core on each page.
Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

from typing import Any

import pytest

from browser.conftest import LiveServer, assert_fits_width, expect
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD

SPECS = {spec.slug: spec for spec in DEMO_STORES}
SLUG = "dhaka-crafts"
BLOCKING = ("serious", "critical")


def _sign_in(page: Any, live: LiveServer, slug: str) -> None:
    page.goto(live.url(slug, "/admin/login"))
    page.locator("input[name=email]").fill(SPECS[slug].owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(live.url(slug, "/admin/"))


def _axe(page: Any, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(f"- {v['id']} ({v['impact']}): {v['help']} "
                       f"[{', '.join(n['target'][0] for n in v['nodes'][:3])}]"
                       for v in blocking)
    assert not blocking, f"{what}: {len(blocking)} serious/critical axe violation(s):\n{report}"


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_a_merchant_adds_a_zone_in_the_form_and_ticks_it_for_cash_on_delivery(
        new_page, live_server, shot, viewport):
    page = new_page(viewport)
    _sign_in(page, live_server, SLUG)
    page.get_by_role("link", name="ডেলিভারি", exact=True).first.click()  # Shipping
    expect(page.locator("h1")).to_have_text("ডেলিভারি")
    expect(page.locator(".zone-summary")).to_contain_text("ঢাকার ভেতরে")
    _axe(page, "shipping page")
    shot(page, "shipping")

    page.get_by_role("link", name="জোন ও চার্জ বদলান").click()  # Edit zones and rates
    builder = page.locator("[data-zone-builder]")
    expect(builder.locator("fieldset.zone-card:visible")).to_have_count(3)
    _axe(page, "zone form")
    assert_fits_width(page)
    shot(page, "zones")

    # A new zone for Chattogram, added in the page (the spare row appears).
    builder.get_by_role("button", name="আরেকটি জোন যোগ করুন").click()
    zone = builder.locator("fieldset.zone-card:visible").nth(3)
    zone.get_by_label("জোনের নাম").fill("চট্টগ্রাম")
    zone.locator("input[name$='-place-0']").fill("চট্টগ্রাম")
    option = zone.locator("fieldset.rate-card:visible").first
    option.get_by_label("ক্রেতারা যে নাম দেখেন").fill("চট্টগ্রামে কুরিয়ার")
    # By weight: the bands show and the single amount hides, without a reload.
    option.get_by_label("চার্জ", exact=True).select_option("weight")
    expect(option.locator(".rate-price")).to_be_hidden()
    expect(option.locator(".rate-bands")).to_be_visible()
    option.locator("input[name$='-band-0-upto']").fill("২")
    option.locator("input[name$='-band-0-price']").fill("১১০")
    option.get_by_role("button", name="আরেকটি ধাপ যোগ করুন").click()
    option.locator("input[name$='-band-1-price']").fill("১৬০")
    assert_fits_width(page)
    shot(page, "zone-added")
    page.get_by_role("button", name="সেটিংস সেভ করুন").click()
    expect(page.locator(".flashes")).to_be_visible()
    saved = page.locator("[data-zone-builder] fieldset.zone-card:visible").nth(3)
    expect(saved.locator("legend").first).to_have_text("চট্টগ্রাম")
    expect(saved.locator("input[name$='-rate-0-band-1-price']")).to_have_value("১৬০")

    # Cash on delivery lists the zones by name, the new one too.
    page.goto(live_server.url(SLUG, "/admin/payments"))
    _axe(page, "payments page")
    shot(page, "payments")
    page.goto(live_server.url(SLUG, "/admin/plugins/cash-on-delivery"))
    expect(page.locator("fieldset").filter(has_text="চার্জ শুধু এই ডেলিভারি জোনগুলোতে প্রযোজ্য")
           .get_by_label("চট্টগ্রাম")).not_to_be_checked()
    _axe(page, "cash on delivery settings")

    # Put the demo store back as it was for the other tests: remove the new zone.
    page.goto(live_server.url(SLUG, "/admin/plugins/shipping"))
    added = page.locator("[data-zone-builder] fieldset.zone-card:visible").nth(3)
    added.get_by_label("এই জোনটি মুছে দিন").check()
    page.get_by_role("button", name="সেটিংস সেভ করুন").click()
    expect(page.locator("[data-zone-builder] fieldset.zone-card:visible")).to_have_count(3)
