"""A store that is not open yet, in a real browser: the coming-soon page at 360 px and on
a desktop, in both themes and in Bengali and Armenian (no serious axe violations, no
sideways scrolling), a wrong and then the right password, and the owner's dashboard
with its getting-started list. Screenshots land in ``test-artifacts/<test>/``.

Each test closes a demo store and opens it again afterwards, so the other browser tests
find the demo stores as ``haat demo`` leaves them: open.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from browser.conftest import LiveServer, assert_fits_width, expect, theme_params
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD

SPECS = {spec.slug: spec for spec in DEMO_STORES}
SHOP_PASSWORD = "eid-preview"
MESSAGES = {"dhaka-crafts": "ঈদের আগে খুলছি! নতুন নকশি কাঁথা আর জামদানি আসছে।",
            "yerevan-books": "Բացվում ենք գարնանը։ Նոր գրքեր ամեն շաբաթ։"}
#: The page's heading and the password's error, in each store's language.
HEADING = {"dhaka-crafts": "শিগগিরই আসছে", "yerevan-books": "Շուտով կբացվենք"}
WRONG = {"dhaka-crafts": "এটি পাসওয়ার্ড নয়।", "yerevan-books": "Գաղտնաբառը սխալ է։"}


def _set_status(live: LiveServer, slug: str, *, open: bool, password: str = "",
                message: str = "") -> None:
    from core.db import db
    from core.store_status import set_storefront_password
    from tenants import Tenant, platform_scope

    with live.app.app_context(), platform_scope():
        row = db.session.get(Tenant, live.store_ids[slug])
        row.open = open
        set_storefront_password(row, password)
        row.coming_soon_message = message
        db.session.commit()


@pytest.fixture
def close_store(live_server: LiveServer) -> Iterator[Callable[[str], None]]:
    """``close_store(slug)``: coming soon with a password and a message; open afterwards."""
    closed: list[str] = []

    def close(slug: str) -> None:
        closed.append(slug)
        _set_status(live_server, slug, open=False, password=SHOP_PASSWORD,
                    message=MESSAGES[slug])

    yield close
    for slug in closed:
        _set_status(live_server, slug, open=True)


def _axe(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = [v for v in Axe().run(page).response["violations"]
                  if v.get("impact") in ("serious", "critical")]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.parametrize("theme", theme_params())
@pytest.mark.parametrize(("slug", "viewport"), [
    pytest.param("dhaka-crafts", "mobile", id="dhaka-crafts-360px"),
    pytest.param("dhaka-crafts", "desktop", id="dhaka-crafts-desktop"),
    pytest.param("yerevan-books", "mobile", id="yerevan-books-360px"),
])
def test_shoppers_see_the_coming_soon_page_and_the_password_lets_them_in(
        slug: str, viewport: str, theme: str, new_page: Any, live_server: LiveServer,
        close_store: Any, use_theme: Any, shot: Any) -> None:
    spec = SPECS[slug]
    product = next(p for p in spec.products if p.stock > 0)
    use_theme(slug, theme)
    close_store(slug)
    page = new_page(viewport)
    answer = page.goto(live_server.url(slug, f"/products/{product.handle}"))
    assert answer.status == 503 and answer.headers["retry-after"] == "86400"
    expect(page.locator("h1")).to_have_text(HEADING[slug])
    expect(page.locator(".coming-soon-message")).to_have_text(MESSAGES[slug])
    expect(page.locator(".coming-soon-brand")).to_contain_text(spec.name)
    assert product.title not in page.content()
    shot(page, "coming-soon")
    assert_fits_width(page)
    _axe(page)

    page.locator("#coming-soon-password").fill("not-it")
    page.locator(".coming-soon-form button[type=submit]").click()
    expect(page.locator("#error-password")).to_contain_text(WRONG[slug])
    expect(page.locator("#coming-soon-password")).to_be_focused()
    shot(page, "wrong-password")
    assert_fits_width(page)
    _axe(page)

    page.locator("#coming-soon-password").fill(SHOP_PASSWORD)
    page.locator(".coming-soon-form button[type=submit]").click()
    expect(page).to_have_url(live_server.url(slug, f"/products/{product.handle}"))
    expect(page.locator("h1.product-title")).to_have_text(product.title)
    shot(page, "let-in")
    page.goto(live_server.url(slug, "/"))  # the whole store, not only that page
    expect(page.locator(".store-status-bar")).to_have_count(0)


@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_the_owner_sees_the_getting_started_list_and_opens_the_store(
        viewport: str, new_page: Any, live_server: LiveServer, close_store: Any,
        shot: Any) -> None:
    slug = "dhaka-crafts"
    close_store(slug)
    owner = new_page(viewport)
    owner.goto(live_server.url(slug, "/admin/login"))
    owner.locator("input[name=email]").fill(SPECS[slug].owner_email)
    owner.locator("input[name=password]").fill(DEMO_PASSWORD)
    owner.locator("main button[type=submit]").click()
    expect(owner).to_have_url(live_server.url(slug, "/admin/"))
    steps = owner.locator(".setup-step")
    expect(steps).to_have_count(6)
    # The demo store has products, delivery and payments; no domain, and it is not open.
    # (Its theme step depends on the theme other browser tests left it with.)
    state = {step.get_attribute("data-step"): step.get_attribute("data-done")
             for step in steps.all()}
    assert [state[key] for key in ("products", "shipping", "payments", "domain", "open")] == [
        "yes", "yes", "yes", "no", "no"]
    shot(owner, "dashboard")
    assert_fits_width(owner)
    _axe(owner)

    # The storefront, as the owner sees it before the opening.
    owner.goto(live_server.url(slug, "/"))
    expect(owner.locator(".store-status-bar")).to_be_visible()
    shot(owner, "storefront-with-bar")
    assert_fits_width(owner)

    owner.goto(live_server.url(slug, "/admin/"))
    owner.locator('[data-step="open"] a').click()
    expect(owner).to_have_url(live_server.url(slug, "/admin/settings/status"))
    shot(owner, "store-status")
    assert_fits_width(owner)
    _axe(owner)
    owner.locator("form[action$='/status/open'] button").click()
    expect(owner.locator(".store-status")).to_have_attribute("data-store-open", "yes")

    shopper = new_page(viewport)
    answer = shopper.goto(live_server.url(slug, "/"))
    assert answer.status == 200
    expect(shopper.locator(".coming-soon")).to_have_count(0)
    expect(shopper.locator("a.cart-link")).to_be_visible()
    shopper.problems.check()
    assert re.search(r"/admin/settings/status$", owner.url)
