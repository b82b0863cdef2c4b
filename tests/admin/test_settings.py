"""The settings overview and the store details form: every rule on the typed values,
the currency-change guard, owners only, CSRF, and the storefront showing the new
details (name, SEO organisation data, default language, Bengali digits) at once."""

from __future__ import annotations

import json
import re

import pytest

from admin_support import add_staff, html, sign_in
from core.db import db
from core.discounts.models import Discount
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

VALID = {"name": "Dhaka Shop", "contact_email": "hello@dhaka-shop.example",
         "contact_phone": "+880 1711 000000", "address": "House 3, Road 7\nDhanmondi, Dhaka",
         "currency": "BDT", "locale": "en", "timezone": "Asia/Dhaka"}


def tenant_row(app, tenant) -> Tenant:
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, tenant.id)
        db.session.expunge(row)
        return row


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', page)
    return found.group(1) if found else ""


def organisation(page: str) -> dict:
    """The storefront's schema.org ``OnlineStore`` (the SEO plugin's organisation data)."""
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        data = json.loads(block)
        if data.get("@type") == "OnlineStore":
            return data
    raise AssertionError("no OnlineStore JSON-LD on the page")


def test_the_overview_links_to_every_section_that_exists(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get("/admin/settings"))
    assert 'href="/admin/settings/store"' in page
    assert 'href="/admin/settings/domains"' in page and 'href="/admin/pages"' in page
    assert 'href="/admin/theme"' in page and 'href="/admin/plugins"' in page
    assert ('href="/admin/staff"' in page) == ("admin_staff.index" in app.view_functions)
    assert "<dd>Asia/Dhaka</dd>" in page and "<dd>BDT</dd>" in page  # the details summary


def test_the_form_shows_the_current_details(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get("/admin/settings/store"))
    assert 'value="Dhaka Shop"' in page and 'value="hello@dhaka-shop.example"' in page
    assert "House 3, Road 7, Dhanmondi, Dhaka</textarea>" in page
    assert '<option selected value="BDT">BDT — Bangladeshi Taka</option>' in page
    assert '<option value="bn">বাংলা</option>' in page
    assert '<option value="Asia/Dhaka">' in page  # the time-zone datalist
    assert page.count('name="csrf_token"') == page.count('method="post"') == 2  # + sign out


def test_saving_changes_the_store_and_the_storefront_at_once(
        app, shops, store_client, enable_plugin):
    enable_plugin(shops["a"], "seo")
    enable_plugin(shops["a"], "trust-badges", settings={
        "show_product": ["contact"], "returns_days": 0, "returns_page": "returns",
        "map_link": False, "returns_wording": "returns"})
    shopper = store_client("dhaka-shop")
    before = html(shopper.get("/"))  # cached now
    assert "Dhaka Shop" in before and "Nakshi House" not in before
    assert "Our address: House 3, Road 7, Dhanmondi, Dhaka" in html(
        shopper.get("/products/kantha"))
    owner = sign_in(store_client, shops["a"])
    saved = owner.post("/admin/settings/store", data={
        **VALID, "name": "  Nakshi House ", "contact_email": "Shop@Nakshi.example",
        "contact_phone": "০১৭১১ ০০০০০০", "address": "12 Lake Road\r\nGulshan, Dhaka  ",
        "timezone": "asia/dhaka"})
    assert saved.status_code == 303 and saved.location.endswith("/admin/settings/store")
    row = tenant_row(app, shops["a"])
    assert (row.name, row.contact_email, row.contact_phone, row.address, row.timezone) == (
        "Nakshi House", "Shop@Nakshi.example", "01711 000000", "12 Lake Road\nGulshan, Dhaka",
        "Asia/Dhaka")
    assert "Store details saved." in html(owner.get("/admin/settings/store"))
    after = html(shopper.get("/"))
    assert "Nakshi House" in after and "<title>Dhaka Shop" not in after
    store = organisation(after)
    assert store["name"] == "Nakshi House"
    assert store["address"] == {"@type": "PostalAddress",
                                "streetAddress": "12 Lake Road\nGulshan, Dhaka"}
    assert (store["telephone"], store["email"]) == ("01711 000000", "Shop@Nakshi.example")
    badges = html(shopper.get("/products/kantha"))
    assert "Our address: 12 Lake Road, Gulshan, Dhaka" in badges
    assert 'href="tel:01711000000"' in badges and "House 3" not in badges


def test_default_language_and_bengali_digits_reach_the_storefront(app, shops, store_client):
    shopper = store_client("dhaka-shop")
    english = html(shopper.get("/products/kantha"))
    assert '<html lang="en"' in english and "1,500.00" in english
    owner = sign_in(store_client, shops["a"])
    assert owner.post("/admin/settings/store", data={
        **VALID, "locale": "bn", "bengali_digits": "y"}).status_code == 303
    bengali = html(store_client("dhaka-shop").get("/products/kantha"))
    assert '<html lang="bn"' in bengali and "১,৫০০.০০৳" in bengali
    assert owner.post("/admin/settings/store", data={**VALID, "locale": "bn"}
                      ).status_code == 303
    latin = html(store_client("dhaka-shop").get("/products/kantha"))
    assert "1,500.00৳" in latin and "১,৫০০" not in latin


BAD_INPUT = [
    ({"name": "   "}, "name", "Enter a name for your store."),
    ({"name": "x" * 121}, "name", "Use at most 120 characters."),
    ({"contact_email": "not-an-email"}, "contact_email", "Enter an email address like"),
    ({"contact_phone": "call me maybe"}, "contact_phone", "Enter a phone number like"),
    ({"contact_phone": "12"}, "contact_phone", "Enter a phone number like"),
    ({"address": "x" * 501}, "address", "Use at most 500 characters."),
    ({"currency": "XYZ"}, "currency", "Choose a currency from the list."),
    ({"currency": "DEM"}, "currency", "Choose a currency from the list."),  # long gone
    ({"locale": "fr"}, "locale", "Choose one of the languages."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list"),
    ({"timezone": ""}, "timezone", "Choose a time zone from the list"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_explained_next_to_its_field_and_kept(
        app, shops, store_client, changes, field, message):
    owner = sign_in(store_client, shops["a"])
    typed = {**VALID, "name": "Typed Name", **changes}
    response = owner.post("/admin/settings/store", data=typed)
    page = html(response)
    assert response.status_code == 422
    assert error_of(page, field).startswith(message), page
    assert "Nothing was saved." in page
    if field not in ("currency", "locale", "address"):
        assert f'value="{typed[field].strip()}"' in page
    if field != "name":
        assert 'value="Typed Name"' in page  # the other fields keep what was typed too
    row = tenant_row(app, shops["a"])
    # As the store started: a taka store's zone is Bangladesh's.
    assert (row.name, row.currency, row.locale, row.timezone) == ("Dhaka Shop", "BDT", "en",
                                                                 "Asia/Dhaka")


def test_a_store_without_prices_changes_currency_freely(app, make_store, store_client):
    empty = make_store("new-shop", currency="BDT")
    owner = sign_in(store_client, empty)
    assert owner.post("/admin/settings/store", data={**VALID, "currency": "JPY"}
                      ).status_code == 303
    assert tenant_row(app, empty).currency == "JPY"


def test_changing_currency_of_a_store_with_prices_needs_the_tick(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    unticked = owner.post("/admin/settings/store", data={**VALID, "currency": "USD"})
    assert unticked.status_code == 422
    assert error_of(html(unticked), "confirm_currency").startswith("Tick this to change")
    assert tenant_row(app, shops["a"]).currency == "BDT"
    ticked = owner.post("/admin/settings/store",
                        data={**VALID, "currency": "USD", "confirm_currency": "y"})
    assert ticked.status_code == 303
    assert tenant_row(app, shops["a"]).currency == "USD"
    # Prices keep their numbers: 1,500.00 BDT is now $1,500.00.
    assert "$1,500.00" in html(store_client("dhaka-shop").get("/products/kantha"))


def test_currencies_with_other_decimals_are_refused_even_when_ticked(
        app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    refused = owner.post("/admin/settings/store",
                         data={**VALID, "currency": "JPY", "confirm_currency": "y"})
    assert refused.status_code == 422
    assert "JPY has 0, so every price would change by a factor of 100." in error_of(
        html(refused), "currency")
    assert tenant_row(app, shops["a"]).currency == "BDT"


def test_a_discount_amount_alone_counts_as_prices(app, make_store, store_client):
    shop = make_store("coupon-shop", currency="BDT")
    with app.app_context(), tenant_scope(shop.id):
        db.session.add(Discount(code="TAKA50", kind="fixed", value=5000))
        db.session.commit()
    owner = sign_in(store_client, shop)
    assert owner.post("/admin/settings/store", data={**VALID, "currency": "JPY"}
                      ).status_code == 422
    assert tenant_row(app, shop).currency == "BDT"


def test_only_the_owner_may_open_settings(app, shops, store_client):
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    assert 'href="/admin/settings"' not in html(staff.get("/admin/"))
    for path in ("/admin/settings", "/admin/settings/store"):
        assert staff.get(path).status_code == 403
    assert staff.post("/admin/settings/store", data={**VALID, "name": "Hijacked"}
                      ).status_code == 403
    visitor = store_client("dhaka-shop")
    assert "/admin/login" in visitor.get("/admin/settings/store").location
    assert visitor.post("/admin/settings/store", data=VALID).status_code == 302
    assert tenant_row(app, shops["a"]).name == "Dhaka Shop"


def test_saving_needs_the_csrf_token(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = owner.post("/admin/settings/store", data={**VALID, "name": "Forged"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
    assert tenant_row(app, shops["a"]).name == "Dhaka Shop"


def test_one_store_s_settings_never_touch_another(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    assert owner.post("/admin/settings/store", data={**VALID, "name": "Renamed A"}
                      ).status_code == 303
    other = tenant_row(app, shops["b"])
    assert (other.name, other.address, other.currency) == ("Other Shop", "", "BDT")
    assert "Other Shop" in html(store_client("other-shop").get("/"))


# ----------------------------------------------------------------- store status


def status_error(page: str, field: str) -> str:
    return error_of(page, field)


def test_the_overview_shows_whether_the_store_is_open(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get("/admin/settings"))
    assert 'href="/admin/settings/status"' in page
    assert re.search(r'id="store-status".*?badge-on">Open<', page, re.S)
    with app.app_context(), platform_scope():
        db.session.get(Tenant, shops["a"].id).open = False
        db.session.commit()
    invalidate_all()
    page = html(owner.get("/admin/settings"))
    assert re.search(r'id="store-status".*?badge-warn">Coming soon<', page, re.S)


def test_the_owner_opens_the_store_and_puts_it_back_to_coming_soon(
        app, make_store, add_product, store_client):
    store = make_store("new-shop", open=False)
    add_product(store, "mug", title="Blue mug")
    owner = sign_in(store_client, store)
    shopper = store_client("new-shop")
    page = html(owner.get("/admin/settings/status"))
    assert 'data-store-open="no"' in page and "Open your store" in page
    assert shopper.get("/").status_code == 503

    opened = owner.post("/admin/settings/status/open", data={"open": "1"},
                        follow_redirects=True)
    assert "Your store is open: shoppers can browse and buy." in html(opened)
    assert 'data-store-open="yes"' in html(opened)
    assert tenant_row(app, store).open is True
    assert "Blue mug" in html(shopper.get("/"))

    # A form without its choice changes nothing.
    assert owner.post("/admin/settings/status/open", data={}).status_code == 400
    assert owner.post("/admin/settings/status/open", data={"open": "yes"}).status_code == 400
    assert tenant_row(app, store).open is True
    closed = owner.post("/admin/settings/status/open", data={"open": "0"},
                        follow_redirects=True)
    assert "shoppers see the coming-soon page" in html(closed)
    assert tenant_row(app, store).open is False
    assert shopper.get("/").status_code == 503


def test_the_password_and_message_are_saved_and_the_password_only_hashed(
        app, make_store, store_client):
    store = make_store("new-shop", open=False)
    owner = sign_in(store_client, store)
    assert "No password" in html(owner.get("/admin/settings/status"))
    saved = owner.post("/admin/settings/status", data={
        "password": "  tea-for-two ", "message": "We open on Friday.  \r\nCome and see!"})
    assert saved.status_code == 303
    row = tenant_row(app, store)
    assert row.storefront_password.startswith("$argon2id$")
    assert "tea-for-two" not in row.storefront_password
    assert row.coming_soon_message == "We open on Friday.\nCome and see!"
    page = html(owner.get("/admin/settings/status"))
    assert "Password set" in page and "tea-for-two" not in page
    assert "We open on Friday.\nCome and see!</textarea>" in page
    shopper = store_client("new-shop")
    assert "We open on Friday." in html(shopper.get("/"))
    assert shopper.post("/password", data={"password": "tea-for-two"}).status_code == 303

    # An empty password box keeps the password; the message may change alone.
    owner.post("/admin/settings/status", data={"password": "", "message": ""})
    assert tenant_row(app, store).storefront_password == row.storefront_password
    assert tenant_row(app, store).coming_soon_message == ""
    # Removing it: only staff get in again.
    owner.post("/admin/settings/status", data={"remove_password": "y", "message": ""})
    assert tenant_row(app, store).storefront_password == ""
    assert 'name="password"' not in html(store_client("new-shop").get("/"))


def test_bad_input_on_the_status_form_is_explained_next_to_its_field_and_kept(
        app, make_store, store_client):
    store = make_store("new-shop", open=False)
    owner = sign_in(store_client, store)
    short = owner.post("/admin/settings/status", data={"password": "abc",
                                                       "message": "Opening soon!"})
    page = html(short)
    assert short.status_code == 422
    assert status_error(page, "password") == "Use 6 to 100 characters."
    assert 'value="abc"' in page and "Opening soon!</textarea>" in page
    assert "Nothing was saved" in page
    long = owner.post("/admin/settings/status", data={"password": "", "message": "x" * 501})
    assert long.status_code == 422
    assert status_error(html(long), "message") == "Use at most 500 characters."
    row = tenant_row(app, store)
    assert (row.storefront_password, row.coming_soon_message) == ("", "")

    owner.post("/admin/settings/status", data={"password": "tea-for-two"})
    both = owner.post("/admin/settings/status", data={"password": "another-one",
                                                      "remove_password": "y"})
    assert both.status_code == 422
    assert "untick" in status_error(html(both), "password")
    assert 'value="another-one"' in html(both) and "checked" in html(both)
    assert store_client("new-shop").post("/password", data={"password": "tea-for-two"}
                                         ).status_code == 303


def test_only_the_owner_may_change_the_store_status(app, make_store, store_client):
    store = make_store("new-shop", open=False)
    add_staff(app, store, "helper@new-shop.example")
    staff = sign_in(store_client, store, "helper@new-shop.example")
    assert staff.get("/admin/settings/status").status_code == 403
    assert staff.post("/admin/settings/status/open", data={"open": "1"}).status_code == 403
    assert staff.post("/admin/settings/status", data={"password": "letmein1"}
                      ).status_code == 403
    visitor = store_client("new-shop")
    assert "/admin/login" in visitor.post("/admin/settings/status/open",
                                          data={"open": "1"}).location
    row = tenant_row(app, store)
    assert (row.open, row.storefront_password) == (False, "")


def test_the_status_forms_need_the_csrf_token(app, make_store, store_client):
    store = make_store("new-shop", open=False)
    owner = sign_in(store_client, store)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = html(owner.get("/admin/settings/status"))
        opened = owner.post("/admin/settings/status/open", data={"open": "1"})
        saved = owner.post("/admin/settings/status", data={"password": "letmein1"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    # Every form on the page carries the token (sign out included).
    assert page.count('name="csrf_token"') == page.count('method="post"') == 3
    assert opened.status_code == saved.status_code == 400
    row = tenant_row(app, store)
    assert (row.open, row.storefront_password) == (False, "")
