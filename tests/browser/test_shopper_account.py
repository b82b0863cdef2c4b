"""A phone-only shopper in a real browser, on the Bengali demo store at 360 px.

They order with cash on delivery, giving only a phone number typed in Bengali digits.
The order confirmation arrives as an SMS (the outbox folder's ``.sms`` file), and the
store's owner gets the new-order alert (an ``.eml`` file). Then the shopper signs in
with a code sent to that phone and finds the order in their account.
Screenshots land in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from browser.conftest import LiveServer, assert_fits_width, expect
from browser.test_checkout_journey import (
    SPECS,
    STATUS_URL,
    _add_to_cart,
    _sign_in_and_open_orders,
)

PHONE_TYPED = "০১৮১৫-৫৫৫৩৩৩"  # 01815-555333: unique to this test among the demo orders
PHONE = "+8801815555333"
ASCII_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def _outbox(live: LiveServer) -> Path:
    config = live.app.config
    return Path(config.get("HAAT_OUTBOX_DIR") or Path(config["HAAT_INSTANCE_DIR"]) / "outbox")


def _texts_to(live: LiveServer, number: str) -> list[str]:
    """The SMS sent to ``number``, oldest first."""
    found = []
    for path in sorted(_outbox(live).glob("*.sms")):
        head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
        if f"To: {number}" in head.splitlines():
            found.append(text.strip())
    return found


def _emails_to(live: LiveServer, address: str) -> list:
    """The ``.eml`` files of the outbox sent to ``address``."""
    import email
    import email.policy

    found = []
    for path in sorted(_outbox(live).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if any(a.addr_spec == address for a in message["To"].addresses):
            found.append(message)
    return found


def plentiful_product(slug: str):
    """The demo store's simple product with the most stock (not the gift card): the
    browser tests share one server, and orders here must not use up the stock that
    other tests' products need."""
    return max((p for p in SPECS[slug].products if not p.variants and p.handle != "gift-card"),
               key=lambda p: p.stock)


def order_by_phone(page, live: LiveServer, slug: str, phone_typed: str) -> str:
    """Order one plentiful product on ``slug`` with cash on delivery, giving only a phone
    (typed as given) and a Dhaka address in Bengali; returns the order number."""
    _add_to_cart(page, live, slug, plentiful_product(slug))
    page.goto(live.url(slug, "/checkout"))
    for name, value in (("phone", phone_typed), ("name", "সুমি আক্তার"), ("region", "ঢাকা"),
                        ("city", "ঢাকা"), ("line1", "বাড়ি ৭, সড়ক ২, মিরপুর")):
        page.locator(f"#checkout-{name}").fill(value)
    page.locator("input[name=payment_method][value=cod]").check()
    page.locator("button.place-order").click()
    page.wait_for_url(STATUS_URL)
    return re.search(r"\d+", page.locator("h1").inner_text().translate(
        ASCII_DIGITS)).group(0)


def test_a_phone_only_shopper_gets_an_sms_signs_in_and_finds_the_order(new_page, live_server,
                                                                       shot):
    spec = SPECS["dhaka-crafts"]
    page = new_page("mobile")
    number = order_by_phone(page, live_server, spec.slug, PHONE_TYPED)

    [confirmation] = _texts_to(live_server, PHONE)
    assert "অর্ডার" in confirmation
    assert f"#{number}" in confirmation.translate(ASCII_DIGITS)
    # The merchant hears of it too: the owner's new-order alert, by email by default.
    alerts = [m for m in _emails_to(live_server, spec.owner_email)
              if f"#{number}" in str(m["Subject"]).translate(ASCII_DIGITS)]
    assert len(alerts) == 1
    # The way back to the order once the tab is closed (the store's own address, which
    # knows nothing of the test server's port).
    assert page.url.split(":")[-1].split("/", 1)[1] in confirmation

    page.locator("a.account-link").click()
    expect(page.locator("h1")).to_have_text("সাইন ইন")
    assert_fits_width(page)
    shot(page, "sign-in")
    page.locator("#account-contact").fill("+880 1815 555333")
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("আপনার কোড লিখুন")
    code = re.search(r"\d{6}", _texts_to(live_server, PHONE)[-1]).group(0)
    page.locator("#account-code").fill("000000" if code != "000000" else "111111")
    page.locator("main button[type=submit]").click()
    expect(page.locator("#error-code")).to_contain_text("কোডটি ঠিক নয়")
    shot(page, "wrong-code")
    page.locator("#account-code").fill(code)
    page.locator("main button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("আপনার অর্ডার")
    order = page.locator(f"[data-order-number='{number}']")
    expect(order).to_be_visible()
    assert_fits_width(page)
    shot(page, "account")
    order.locator("a").click()
    page.wait_for_url(STATUS_URL)
    expect(page.locator("main")).to_contain_text(plentiful_product(spec.slug).title)
    page.problems.check()

    # The order's address is in the address book; a second one is added, and checkout
    # offers both, starting from the default.
    page.goto(live_server.url(spec.slug, "/account"))
    expect(page.locator(".address-book li")).to_have_count(1)
    page.locator("#addresses a.button").click()
    for name, value in (("name", "সুমি আক্তার"), ("city", "উত্তরা"),
                        ("line1", "বাড়ি ১২, সড়ক ৫, সেক্টর ৭")):
        page.locator(f"#address-{name}").fill(value)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".address-book li")).to_have_count(2)
    assert_fits_width(page)
    shot(page, "address-book")
    _add_to_cart(page, live_server, spec.slug, plentiful_product(spec.slug))
    page.goto(live_server.url(spec.slug, "/checkout"))
    offered = page.locator(".saved-addresses a[data-address-id]")
    expect(offered).to_have_count(2)
    expect(page.locator("#checkout-line1")).to_have_value("বাড়ি ৭, সড়ক ২, মিরপুর")
    page.locator(".saved-addresses a[data-address-id]", has_text="উত্তরা").click()
    expect(page.locator("#checkout-line1")).to_have_value("বাড়ি ১২, সড়ক ৫, সেক্টর ৭")
    assert_fits_width(page)
    shot(page, "checkout-saved-addresses")
    page.problems.check()

    wide = new_page("desktop")
    wide.goto(live_server.url(spec.slug, "/orders/lookup"))
    shot(wide, "order-lookup-desktop")
    wide.problems.check()

    # The merchant sees what the shopper was sent, on the customer's page.
    merchant = new_page("desktop")
    _sign_in_and_open_orders(merchant, live_server, spec)
    merchant.goto(live_server.url(spec.slug, "/admin/customers?q=01815555333"))
    merchant.locator("main table a").first.click()
    log = merchant.locator(".messages-log")
    expect(log.locator("[data-message-status='sent']")).to_have_count(2)  # order + code
    shot(merchant, "admin-customer-messages")
    merchant.problems.check()
