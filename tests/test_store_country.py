"""The store's country: chosen under Settings -> Store details, guessed at sign-up from a
currency only one country uses, given to ``haat tenants create --country``, and used by
the checkout as the shopper's preselected country."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from admin_support import html, sign_in
from core.db import db
from core.platform.signup import sign_up
from tenants import Tenant, platform_scope
from tenants.provisioning import ProvisioningError

DETAILS = {"name": "Dhaka Shop", "contact_email": "", "contact_phone": "", "address": "",
           "currency": "BDT", "locale": "en", "timezone": "Asia/Dhaka"}


def country_of(app, slug: str) -> str:
    with app.app_context(), platform_scope():
        return db.session.scalar(select(Tenant.country).where(Tenant.slug == slug))


def selected_country(page: str, select_id: str) -> str:
    block = page[page.index(f'<select id="{select_id}"'):]
    block = block[:block.index("</select>")]
    found = re.search(r'<option value="([A-Z]*)"[^>]* selected[^>]*>', block)
    return found.group(1) if found else ""


# ------------------------------------------------------------------ settings


def test_the_details_form_offers_the_likely_countries_first(app, make_store, store_client):
    store = make_store("dhaka-shop", currency="BDT")
    page = html(sign_in(store_client, store).get("/admin/settings/store"))
    assert selected_country(page, "country") == "BD"
    suggested = page[page.index('<optgroup label="Suggested">'):]
    suggested = suggested[:suggested.index("</optgroup>")]
    assert re.findall(r'<option value="([A-Z]+)"', suggested) == ["BD", "AM"]
    assert '<option value="FR">France</option>' in page
    assert page.count('<option value="BD"') == 1  # not offered twice
    assert 'autocomplete="country"' in page


def test_country_names_are_in_the_admin_language(app, make_store, store_client):
    store = make_store("bangla-shop", locale="bn", currency="BDT")
    owner = sign_in(store_client, store)
    page = html(owner.get("/admin/settings/store"))
    assert '<option value="BD" selected>বাংলাদেশ</option>' in page
    assert '<option value="AM">আর্মেনিয়া</option>' in page
    assert "<dd>বাংলাদেশ</dd>" in html(owner.get("/admin/settings"))


def test_saving_a_country_reaches_the_checkout(
        app, make_store, store_client, add_product):
    store = make_store("dhaka-shop", currency="BDT")
    product = add_product(store, "kantha")
    owner = sign_in(store_client, store)
    saved = owner.post("/admin/settings/store", data={**DETAILS, "country": "am"})
    assert saved.status_code == 303
    assert country_of(app, "dhaka-shop") == "AM"
    assert "<dd>Armenia</dd>" in html(owner.get("/admin/settings"))

    shopper = store_client("dhaka-shop")
    shopper.post("/cart/add", data={"product_id": str(product), "quantity": "1"})
    checkout = html(shopper.get("/checkout"))
    assert selected_country(checkout, "checkout-country") == "AM"
    first = re.search(r'<option value="([A-Z]{2})"', checkout[checkout.index(
        '<select id="checkout-country"'):]).group(1)
    assert first == "AM"  # the store's own country leads the list

    assert owner.post("/admin/settings/store", data={**DETAILS, "country": ""}
                      ).status_code == 303
    assert country_of(app, "dhaka-shop") == ""
    assert "<dd>Not set</dd>" in html(owner.get("/admin/settings"))
    # Not set: the checkout guesses from the currency (taka: Bangladesh).
    assert selected_country(html(shopper.get("/checkout")), "checkout-country") == "BD"


@pytest.mark.parametrize("typed", ["XX", "Narnia", "EU", "B"])
def test_an_unknown_country_is_refused_next_to_the_field(
        app, make_store, store_client, typed):
    store = make_store("dhaka-shop", currency="BDT")
    owner = sign_in(store_client, store)
    refused = owner.post("/admin/settings/store",
                         data={**DETAILS, "name": "Typed Name", "country": typed})
    assert refused.status_code == 422
    page = html(refused)
    assert '<p class="error" id="country-error" role="alert">Choose a country from the ' \
           "list.</p>" in page
    assert 'aria-describedby="country-help country-error" aria-invalid="true"' in page
    assert 'value="Typed Name"' in page and "Nothing was saved." in page
    assert country_of(app, "dhaka-shop") == "BD"


def test_one_store_s_country_never_touches_another(app, make_store, store_client):
    a = make_store("dhaka-shop", currency="BDT")
    make_store("yerevan-shop", currency="AMD")
    owner = sign_in(store_client, a)
    assert owner.post("/admin/settings/store", data={**DETAILS, "country": "US"}
                      ).status_code == 303
    assert (country_of(app, "dhaka-shop"), country_of(app, "yerevan-shop")) == ("US", "AM")


# ------------------------------------------------------------------ sign-up


@pytest.mark.parametrize(("currency", "country"),
                         [("BDT", "BD"), ("AMD", "AM"), ("USD", ""), ("EUR", "")])
def test_sign_up_takes_the_country_of_a_one_country_currency(
        app, platform_client, currency, country):
    form = {"name": "New Shop", "slug": "new-shop", "email": "rina@example.com",
            "password": "a-long-password", "locale": "en", "currency": currency}
    assert platform_client.post("/signup", data=form).status_code == 303
    assert country_of(app, "new-shop") == country


def test_sign_up_keeps_a_given_country_and_refuses_an_unknown_one(app, make_store):
    make_store("corner-shop", currency="USD", country="us")
    assert country_of(app, "corner-shop") == "US"
    with app.app_context():
        with pytest.raises(ProvisioningError) as refused:
            sign_up(name="Nowhere", slug="nowhere-shop", email="a@example.com",
                    password="a-long-password", country="ZZ")
        assert refused.value.field == "country"
    assert country_of(app, "nowhere-shop") is None  # nothing was created


# ------------------------------------------------------------------ the CLI


def test_tenants_create_takes_a_country(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["tenants", "create", "tea-house", "--name", "Tea House",
                                  "--owner-email", "mina@tea.example", "--owner-password",
                                  "a-long-password", "--currency", "usd", "--country", "am"])
    assert created.exit_code == 0, created.output
    assert "country AM" in created.output
    guessed = runner.invoke(args=["tenants", "create", "taka-house", "--name", "Taka House",
                                  "--owner-email", "rina@taka.example", "--owner-password",
                                  "a-long-password", "--currency", "BDT"])
    assert guessed.exit_code == 0, guessed.output
    assert (country_of(app, "tea-house"), country_of(app, "taka-house")) == ("AM", "BD")

    refused = runner.invoke(args=["tenants", "create", "nowhere", "--name", "Nowhere",
                                  "--owner-email", "x@nowhere.example", "--owner-password",
                                  "a-long-password", "--country", "Narnia"])
    assert refused.exit_code != 0 and "country" in refused.output
    assert country_of(app, "nowhere") is None

    listed = runner.invoke(args=["tenants", "list"]).output
    rows = {line.split()[1]: line for line in listed.splitlines() if line.strip()}
    assert " USD AM " in rows["tea-house"] and " BDT BD " in rows["taka-house"]
