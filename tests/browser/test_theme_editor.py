"""The theme editor in a real browser, as a Bengali merchant on a 360 px phone and an
Armenian merchant at a desk: change the accent colour, see it in the preview before
publishing while shoppers still see the old one, publish, and shoppers see it. Also
without JavaScript ("Preview" opens a tab), and axe-core on the editor itself.

Each test puts the store's theme settings back as they were. Screenshots land in
``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from browser.conftest import LiveServer, assert_fits_width, expect
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD

SPECS = {spec.slug: spec for spec in DEMO_STORES}
BLOCKING = ("serious", "critical")
ACCENT_JS = "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"


# ------------------------------------------------------------------------ helpers


@pytest.fixture
def keep_theme(live_server: LiveServer) -> Iterator[Callable[[str], None]]:
    """``keep_theme(slug)``: that store's theme settings (published and drafts) and
    choice of theme are put back after the test."""
    from sqlalchemy import select

    from core.db import db
    from core.theming.models import ThemeSettings
    from tenants import Tenant, platform_scope, tenant_scope

    kept: dict[str, Any] = {}

    def keep(slug: str) -> None:
        store_id = live_server.store_ids[slug]
        with live_server.app.app_context(), tenant_scope(store_id):
            rows = db.session.scalars(select(ThemeSettings)).all()
            kept[slug] = {r.theme: (dict(r.values or {}), r.draft) for r in rows}
        with live_server.app.app_context(), platform_scope():
            kept[slug + ":theme"] = db.session.get(Tenant, store_id).theme

    yield keep
    for slug in [key for key in kept if ":" not in key]:
        store_id = live_server.store_ids[slug]
        with live_server.app.app_context(), tenant_scope(store_id):
            for row in db.session.scalars(select(ThemeSettings)).all():
                if row.theme in kept[slug]:
                    row.values, row.draft = kept[slug][row.theme]
                else:
                    db.session.delete(row)
            db.session.commit()
        with live_server.app.app_context(), platform_scope():
            db.session.get(Tenant, store_id).theme = kept[slug + ":theme"]
            db.session.commit()


def _sign_in(page: Any, live: LiveServer, slug: str) -> None:
    page.goto(live.url(slug, "/admin/login"))
    page.locator("input[name=email]").fill(SPECS[slug].owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(live.url(slug, "/admin/"))


def _screens(shot: Any, page: Any, name: str) -> None:
    """The full page (``shot``) and, beside it, the screen as the merchant sees it (the
    preview and the buttons stay on screen, which a full-page picture cannot show)."""
    path = shot(page, name)
    page.screenshot(path=str(path.with_name(f"{path.stem}-screen.png")))


def _accent(page_or_frame: Any) -> str:
    return str(page_or_frame.evaluate(f"() => {ACCENT_JS}"))


def _preview_frame(page: Any) -> Any:
    handle = page.locator("iframe[data-preview-frame]").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def _wait_for_accent(frame: Any, colour: str) -> None:
    frame.wait_for_function(f"() => {ACCENT_JS} === {colour!r}")


def _axe(page: Any) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    lines = []
    for v in blocking:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {' '.join(map(str, n['target']))}" for n in v["nodes"]]
    return "\n".join(lines)


CASES = [pytest.param("dhaka-crafts", "mobile", "#1e6b2f", "picker", id="bn-360px-picker"),
         pytest.param("yerevan-books", "desktop", "#8a1c7c", "text", id="hy-desktop-text")]


# ------------------------------------------------------------------------ tests


@pytest.mark.parametrize(("slug", "viewport", "colour", "how"), CASES)
def test_the_preview_shows_the_new_accent_before_shoppers_see_it(
        slug: str, viewport: str, colour: str, how: str, new_page: Any,
        live_server: LiveServer, keep_theme: Any, shot: Any) -> None:
    keep_theme(slug)
    shopper = new_page(viewport)
    shopper.goto(live_server.url(slug, "/"))
    before = _accent(shopper)
    assert before and before != colour

    merchant = new_page(viewport)
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/theme"))
    expect(merchant.locator("html")).to_have_attribute("lang", SPECS[slug].locale)
    frame = _preview_frame(merchant)
    _wait_for_accent(frame, before)
    # The swatch is a real colour box showing the colour, paired with its hex text.
    picker = merchant.locator("#setting-accent-picker")
    text = merchant.locator("#setting-accent")
    expect(picker).to_have_value(before)
    expect(text).to_have_value(before)
    box = picker.bounding_box()
    assert box and box["height"] >= 30 and box["width"] >= 30, box
    assert_fits_width(merchant)
    _screens(shot, merchant, "editor")

    if how == "picker":
        picker.fill(colour)
        expect(text).to_have_value(colour)
    else:
        text.fill(colour)
        expect(picker).to_have_value(colour)
    _wait_for_accent(_preview_frame(merchant), colour)
    expect(merchant.locator("[data-preview-status]")).not_to_be_empty()
    expect(merchant.locator("[data-discard]")).to_be_visible()
    _screens(shot, merchant, "preview-with-draft")

    # Shoppers still see the published colour, with or without asking for a preview.
    shopper.goto(live_server.url(slug, "/"))
    assert _accent(shopper) == before
    shopper.goto(live_server.url(slug, "/?theme_preview=1"))
    assert _accent(shopper) == before

    # A product page, and the other width.
    merchant.locator("#preview-page").select_option(index=2)
    merchant.wait_for_load_state("load")
    frame = _preview_frame(merchant)
    frame.wait_for_url(re.compile(r"/products/[^?]+\?theme_preview=1$"))
    _wait_for_accent(frame, colour)
    other = "desktop" if viewport == "mobile" else "phone"
    merchant.locator(f"input[name=preview_width][value={other}]").check()
    width = merchant.locator("iframe[data-preview-frame]").evaluate("f => f.style.width")
    assert width == ("1280px" if other == "desktop" else "360px")
    assert_fits_width(merchant)
    _screens(shot, merchant, f"preview-product-{other}")

    merchant.locator("button[name=action][value=publish]").click()
    merchant.wait_for_url(live_server.url(slug, "/admin/theme"))
    expect(merchant.locator(".flashes")).to_be_visible()
    expect(merchant.locator("[data-discard]")).to_be_hidden()
    _screens(shot, merchant, "published")
    shopper.goto(live_server.url(slug, "/"))
    assert _accent(shopper) == colour
    shot(shopper, "shopper-after-publish")
    merchant.problems.check()
    shopper.problems.check()


def test_without_javascript_preview_opens_a_tab_and_nothing_goes_live(
        new_page: Any, live_server: LiveServer, keep_theme: Any, shot: Any) -> None:
    slug, colour = "dhaka-crafts", "#7a2e0e"
    keep_theme(slug)
    merchant = new_page("mobile", javascript=False)
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/theme"))
    before = merchant.locator("#setting-accent").input_value()
    # Without JavaScript the colour box still works: it is posted beside the text.
    merchant.locator("#setting-accent-picker").fill(colour)
    _screens(shot, merchant, "editor-no-js")
    with merchant.context.expect_page() as opened:
        merchant.locator("button[name=action][value=preview]").click()
    preview = opened.value
    preview.wait_for_load_state("load")
    assert preview.url.endswith("/?theme_preview=1")
    expect(preview.locator(".theme-preview-banner")).to_be_visible()
    assert re.search(rf"--accent:{colour}", preview.content())
    shot(preview, "preview-tab-no-js")

    shopper = new_page("mobile", javascript=False)
    shopper.goto(live_server.url(slug, "/"))
    assert f"--accent:{colour}" not in shopper.content()
    assert f"--accent:{before}" in shopper.content()

    merchant.reload()
    expect(merchant.locator("#setting-accent")).to_have_value(colour)  # the draft
    merchant.locator("button[data-discard]").click()
    expect(merchant.locator("#setting-accent")).to_have_value(before)
    _screens(shot, merchant, "discarded-no-js")
    merchant.problems.check()


@pytest.mark.parametrize(("slug", "viewport"), [("dhaka-crafts", "mobile"),
                                                ("yerevan-books", "desktop")])
def test_the_theme_editor_has_no_serious_accessibility_violations(
        slug: str, viewport: str, new_page: Any, live_server: LiveServer, keep_theme: Any,
        shot: Any) -> None:
    keep_theme(slug)
    merchant = new_page(viewport)
    _sign_in(merchant, live_server, slug)
    merchant.goto(live_server.url(slug, "/admin/theme"))
    _preview_frame(merchant).wait_for_load_state("load")
    report = _axe(merchant)
    assert not report, f"axe on the theme editor:\n{report}"
    # With an error shown next to a field, too.
    merchant.locator("#setting-accent").fill("#12zz")
    merchant.locator("#setting-accent").blur()
    expect(merchant.locator("#setting-accent-error")).to_be_visible()
    _screens(shot, merchant, "error-next-to-field")
    report = _axe(merchant)
    assert not report, f"axe on the theme editor with an error:\n{report}"
    merchant.problems.check()


def test_only_the_store_itself_may_frame_its_pages(new_page: Any,
                                                   live_server: LiveServer) -> None:
    """The editor's frame shows the storefront (same origin); another site (here another
    store's host, a different origin) gets nothing in a frame of the admin."""
    page = new_page("desktop")
    page.goto(live_server.url("corner-store", "/"))
    page.evaluate("""url => new Promise(done => {
        const frame = document.createElement("iframe");
        frame.id = "foreign";
        frame.onload = () => done();
        frame.src = url;
        document.body.appendChild(frame);
        setTimeout(done, 5000);
    })""", live_server.url("dhaka-crafts", "/admin/login"))
    foreign = page.locator("#foreign").element_handle().content_frame()
    assert foreign is not None
    # Chromium refuses to show it: the frame holds its error page, not the sign-in form.
    assert foreign.url.startswith("chrome-error:"), foreign.url
    same = page.evaluate("""url => new Promise(done => {
        const frame = document.createElement("iframe");
        frame.onload = () => done(!!frame.contentDocument.querySelector("input[name=email]"));
        frame.src = url;
        document.body.appendChild(frame);
    })""", live_server.url("corner-store", "/admin/login"))
    assert same is True
