"""Buying in a real browser: cash on delivery on the Bengali demo store at 360 px, a card
through Stripe (the local fake of its API and hosted page) on the English one, then the
merchant finds both orders in the admin. Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fakes.stripe_fake import FakeStripe

from browser.conftest import LiveServer, assert_fits_width, expect
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD
from core.demo.spec import DemoProduct, DemoStore
from core.i18n import format_money
from core.money import Money

SPECS = {spec.slug: spec for spec in DEMO_STORES}
STATUS_URL = re.compile(r"/orders/[\w-]+$")


def _simple_product(spec: DemoStore) -> DemoProduct:
    """A product with no options and enough stock for one more sale."""
    return next(p for p in spec.products if not p.variants and p.stock >= 3)


def _money(spec: DemoStore, amount: Decimal) -> str:
    return format_money(Money.from_decimal(amount, spec.currency), spec.locale,
                        bengali_digits=spec.bengali_digits)


def _add_to_cart(page: Any, live: LiveServer, slug: str, product: DemoProduct) -> None:
    page.goto(live.url(slug, f"/products/{product.handle}"))
    page.locator("form.add-to-cart button[type=submit]").click()
    expect(page.locator("a.cart-link [data-cart-count]")).not_to_have_text(
        re.compile(r"^\s*[0০]\s*$"))


def _fill_address(page: Any, **fields: str) -> None:
    for name, value in fields.items():
        page.locator(f"#checkout-{name}").fill(value)
        page.locator(f"#checkout-{name}").dispatch_event("change")


@pytest.fixture
def stripe_for_corner_store(live_server: LiveServer,
                            monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    """Stripe switched on for corner-store with keys of an account on the local fake."""
    from core.db import db
    from core.pluginhost.settings import to_json, validate_settings
    from core.pluginhost.state import save_settings

    fake = FakeStripe().start()
    account = fake.add_account("corner-store")
    account.webhook_url = live_server.url("corner-store", "/payments/stripe/webhook")
    monkeypatch.setenv("HAAT_STRIPE_API_BASE", fake.url)
    app = live_server.app
    manifest = app.extensions["haat_plugins"].installed["stripe"].manifest
    form = {"publishable_key": account.publishable_key, "secret_key": account.secret_key,
            "webhook_secret": account.webhook_secret}
    with app.app_context():
        result = validate_settings(manifest, form, currency="USD", stored_secrets={})
        assert not result.errors, result.errors
        save_settings(live_server.store_ids["corner-store"], "stripe",
                      to_json(manifest, result.values),
                      app.extensions["haat_secret_box"].encrypt(result.secrets))
        db.session.commit()
    try:
        yield fake
    finally:
        with app.app_context():
            save_settings(live_server.store_ids["corner-store"], "stripe", {},
                          app.extensions["haat_secret_box"].encrypt({}))
            db.session.commit()
        fake.stop()


def _sign_in_and_open_orders(page: Any, live: LiveServer, spec: DemoStore) -> None:
    page.goto(live.url(spec.slug, "/admin/login"))
    page.locator("input[name=email]").fill(spec.owner_email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()  # "Sign in", in the store's language
    # Signed in, the admin opens: wait for it, or the next address cancels the sign-in.
    page.wait_for_url(re.compile(r"/admin/?$"))
    page.goto(live.url(spec.slug, "/admin/orders"))


def test_cash_on_delivery_on_the_bengali_store(new_page, live_server, shot):
    spec = SPECS["dhaka-crafts"]
    product = _simple_product(spec)
    page = new_page("mobile")
    _add_to_cart(page, live_server, spec.slug, product)
    page.goto(live_server.url(spec.slug, "/checkout"))
    expect(page.locator("h1")).to_have_text("চেকআউট")
    shot(page, "checkout-empty")
    _fill_address(page, phone="01712345678", name="রহিম উদ্দিন", region="ঢাকা",
                  city="ঢাকা", line1="বাড়ি ১২, সড়ক ৫, ধানমন্ডি")
    # The zone named ঢাকার ভেতরে ("inside Dhaka") has the id zone-587ca8.
    inside = page.locator("input[name=shipping_rate][value^='shipping:zone-587ca8/']").first
    expect(inside).to_be_checked()  # the summary was worked out again for Dhaka
    page.locator("input[name=payment_method][value=cod]").check()
    total = Decimal(product.price) + Decimal(70)
    expect(page.locator("[data-checkout-total]")).to_have_text(_money(spec, total))
    assert_fits_width(page)
    shot(page, "checkout-filled")
    page.locator("button.place-order").click()
    page.wait_for_url(STATUS_URL)
    expect(page.locator("[data-payment-state]")).to_have_attribute(
        "data-payment-state", "pending")
    expect(page.locator("main")).to_contain_text(product.title)
    expect(page.locator("main")).to_contain_text(_money(spec, total))
    expect(page.locator(".payment-instructions")).to_contain_text("কুরিয়ার")
    assert_fits_width(page)
    shot(page, "status")
    number = page.locator("h1").inner_text()

    merchant = new_page("desktop")
    _sign_in_and_open_orders(merchant, live_server, spec)
    row = merchant.locator("tr", has_text=number.split()[-1])
    expect(row).to_contain_text("01712345678")
    row.locator("a").first.click()
    expect(merchant.locator("main")).to_contain_text(product.title)
    expect(merchant.locator("main")).to_contain_text("রহিম উদ্দিন")
    shot(merchant, "admin-order")
    page.problems.check()
    merchant.problems.check()


def test_a_card_payment_through_stripe_on_the_english_store(new_page, live_server, shot,
                                                             stripe_for_corner_store):
    spec = SPECS["corner-store"]
    product = _simple_product(spec)
    page = new_page("desktop")
    _add_to_cart(page, live_server, spec.slug, product)
    page.goto(live_server.url(spec.slug, "/checkout"))
    _fill_address(page, email="ada@example.com", phone="503 555 0100", name="Ada Byron",
                  region="OR", city="Portland", line1="12 Alder Street", postcode="97205")
    page.locator("input[name=payment_method][value=stripe]").check()
    shot(page, "checkout")
    page.locator("button.place-order").click()
    page.wait_for_url(re.compile(r"/c/pay/cs_"))
    expect(page.locator("h1")).to_contain_text("Stripe fake")
    shot(page, "fake-stripe-checkout")
    page.locator("button", has_text="Pay").click()
    page.wait_for_url(STATUS_URL)
    expect(page.locator("[data-payment-state]")).to_have_attribute("data-payment-state",
                                                                   "paid")
    expect(page.locator("main")).to_contain_text("Payment received")
    shot(page, "status-paid")
    [account] = stripe_for_corner_store.accounts.values()
    [session] = account.sessions.values()
    assert session["status"] == "complete" and session["customer_email"] == "ada@example.com"
    number = page.locator("h1").inner_text().split()[-1]

    merchant = new_page("desktop")
    _sign_in_and_open_orders(merchant, live_server, spec)
    row = merchant.locator("tr", has_text=number)
    expect(row).to_contain_text("ada@example.com")
    expect(row).to_contain_text(re.compile("paid", re.IGNORECASE))
    shot(merchant, "admin-orders")
    page.problems.check()
    merchant.problems.check()
