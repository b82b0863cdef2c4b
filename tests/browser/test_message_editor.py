"""The owner of the Bengali demo store rewords the order confirmation SMS in a real
browser (at desktop width, then on a 360 px phone), previews it with its part count,
saves it, and a phone-only shopper's next order brings the new text. Screenshots land
in ``test-artifacts/<test>/``.
"""

from __future__ import annotations

from browser.conftest import assert_fits_width, expect
from browser.test_merchant_journey import _sign_in
from browser.test_shopper_account import ASCII_DIGITS, _texts_to, order_by_phone

EDITOR = "/admin/settings/messages/order_placed/sms?language=bn"
PHONE_TYPED = "০১৯১১-৪৪৪২২২"  # 01911-444222: unique to this test among the demo orders
PHONE = "+8801911444222"
WORDING = "{{ name }}, {{ store }}-এ আপনার অর্ডার {{ number }} পেয়েছি। মোট {{ total }}। {{ link }}"


def test_the_owner_rewords_the_confirmation_sms_and_the_next_shopper_gets_it(
        new_page, live_server, shot):
    slug = "dhaka-crafts"
    owner = new_page("desktop")
    _sign_in(owner, live_server, slug)
    owner.goto(live_server.url(slug, "/admin/settings"))
    owner.locator("a[href='/admin/settings/messages']").click()
    owner.locator("#order_placed-sms a[lang], #order_placed-sms a").first.wait_for()
    owner.goto(live_server.url(slug, EDITOR))
    try:
        owner.locator("#wording-body").fill(WORDING)
        owner.locator("button[name=action][value=preview]").click()
        preview = owner.locator("#preview-text").inner_text()
        assert "সুমি" not in preview and "#1001" in preview.translate(ASCII_DIGITS)
        parts = owner.locator("#sms-parts").inner_text().translate(ASCII_DIGITS)
        assert int(parts) >= 2  # Bengali is UCS-2: 67 characters a part
        shot(owner, "preview-desktop")
        owner.locator("button[name=action][value=save]").click()
        expect(owner.locator("#wording-state")).to_have_attribute("data-wording", "own")

        phone = new_page("mobile")
        phone.goto(owner.url)
        phone.context.add_cookies(owner.context.cookies())
        phone.goto(owner.url)
        assert_fits_width(phone)
        shot(phone, "editor-360")

        number = order_by_phone(new_page("mobile"), live_server, slug, PHONE_TYPED)
        [sms] = _texts_to(live_server, PHONE)
        assert sms.startswith("সুমি আক্তার, ")
        assert f"অর্ডার #{number} পেয়েছি" in sms.translate(ASCII_DIGITS)
    finally:  # the other browser tests expect the standard text
        owner.goto(live_server.url(slug, EDITOR))
        reset = owner.locator("button[name=action][value=reset]")
        if reset.count():
            reset.click()
            expect(owner.locator("#wording-state")).to_have_attribute("data-wording",
                                                                      "standard")
