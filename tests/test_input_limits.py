"""Typed input is never cut at its limit: checkout and the address book.

Over its limit a field gets its error next to it, everything typed stays in the form,
and nothing is saved; exactly at the limit it is taken whole. Each input carries a
``maxlength`` from the same limit (the column that keeps the value).
"""

from __future__ import annotations

import html as markup
import re

import pytest
from sqlalchemy import select
from test_accounts import sign_in

from admin_support import html, make_gateways, open_shops, place
from checkout_support import checkout_form
from conftest import client_for
from core.accounts.models import ShopperAddress
from core.checkout.form import FIELD_LIMITS
from core.customers.models import Customer
from core.db import db
from core.orders.models import Order
from tenants import tenant_scope

#: Note, name and address lines: each over its limit in one submit.
LONG = {"note": "n" * (FIELD_LIMITS["note"] + 1), "name": "R" * (FIELD_LIMITS["name"] + 1),
        "line1": "H" * (FIELD_LIMITS["line1"] + 1), "city": "C" * (FIELD_LIMITS["city"] + 1)}


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


def shopper(app, tenant, product_id):
    client = client_for(app, f"{tenant.slug}.localhost")
    assert client.post("/cart/add", data={"product_id": str(product_id),
                                          "quantity": "1"}).status_code == 303
    return client


def orders(app, tenant) -> list[Order]:
    with app.app_context(), tenant_scope(tenant.id):
        found = list(db.session.scalars(select(Order)))
        for order in found:
            db.session.expunge(order)
        return found


def error_of(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="error-{name}" role="alert">([^<]*)</p>',
                      page)
    return markup.unescape(found.group(1)) if found else ""


def test_an_over_long_note_name_and_address_are_refused_and_kept(app, shops):
    client = shopper(app, shops["a"], shops["ids"]["a"])
    response = client.post("/checkout", data=checkout_form(client, **LONG))
    page = html(response)
    assert response.status_code == 422
    for name, value in LONG.items():
        limit = f"{FIELD_LIMITS[name]:,}"
        assert error_of(page, name) == f"Use at most {limit} characters.", name
        assert value in page, name  # kept whole, to shorten
    assert 'aria-describedby="error-note"' in page
    assert orders(app, shops["a"]) == []


def test_a_too_long_note_is_said_on_update_too(app, shops):
    client = shopper(app, shops["a"], shops["ids"]["a"])
    page = html(client.post("/checkout", data=checkout_form(client, action="update",
                                                            note=LONG["note"])))
    assert error_of(page, "note") == "Use at most 1,000 characters."
    assert '<details class="checkout-step extras" open>' in page


def test_exactly_at_the_limit_is_taken_whole(app, shops):
    client = shopper(app, shops["a"], shops["ids"]["a"])
    # A browser sends a text area's line break as two characters but counts it as one.
    note = "line\r\n" + "n" * (FIELD_LIMITS["note"] - 5)
    exact = {"name": "R" * FIELD_LIMITS["name"], "line1": "H" * FIELD_LIMITS["line1"],
             "line2": "F" * FIELD_LIMITS["line2"], "region": "D" * FIELD_LIMITS["region"],
             "note": note}
    placed = client.post("/checkout", data=checkout_form(client, **exact))
    assert placed.status_code == 303, error_of(html(placed), "note")
    [order] = orders(app, shops["a"])
    assert order.note == note.replace("\r\n", "\n")
    for name in ("name", "line1", "line2", "region"):
        assert order.shipping_address[name] == exact[name]


def test_the_checkout_inputs_carry_their_limits(app, shops):
    client = shopper(app, shops["a"], shops["ids"]["a"])
    page = html(client.get("/checkout"))
    for name in ("email", "phone", "name", "region", "city", "line1", "line2", "postcode",
                 "coupon"):
        tag = re.search(rf'<input id="checkout-{name}"[^>]*>', page).group(0)
        assert f'maxlength="{FIELD_LIMITS[name]}"' in tag, name
    note = re.search(r'<textarea id="checkout-note"[^>]*>', page).group(0)
    assert 'maxlength="1000"' in note


def test_a_wallet_field_is_not_cut_either(app, shops):
    client = shopper(app, shops["a"], shops["ids"]["a"])
    typed = "T" * 600  # over the gateway field's own limit (TextField: 500)
    response = client.post("/checkout", data=checkout_form(
        client, payment_method="wallet-bkash", **{"payment-wallet-bkash-sender": "01712345678",
                                                  "payment-wallet-bkash-transaction_id": typed}))
    page = html(response)
    assert response.status_code == 422
    assert "at most 500 characters" in error_of(page, "payment_fields-transaction_id")
    assert typed in page
    assert orders(app, shops["a"]) == []
    form = html(client.post("/checkout", data=checkout_form(
        client, action="update", payment_method="wallet-bkash")))
    tag = re.search(r'<input id="payment-wallet-bkash-transaction_id"[^>]*>', form).group(0)
    assert 'maxlength="500"' in tag


def test_the_limit_is_written_in_the_stores_digits(app, shops, make_store, add_product,
                                                  enable_plugin):
    store = make_store("bangla-shop", currency="BDT", locale="bn", bengali_digits=True)
    for name in ("test-courier", "test-pay"):
        enable_plugin(store, name)
    client = shopper(app, store, add_product(store, "kantha", title="Kantha", stock=5))
    page = html(client.post("/checkout", data=checkout_form(client, name=LONG["name"])))
    assert "২০০" in error_of(page, "name")
    assert orders(app, store) == []


def test_an_address_book_entry_over_a_limit_is_refused_and_kept(app, shops, outbox):
    place(app, shops)  # a shopper is known by their orders
    person = sign_in(app, shops["a"], outbox)
    page = html(person.client.get("/account/addresses/new"))
    tag = re.search(r'<input id="address-line1"[^>]*>', page).group(0)
    assert f'maxlength="{FIELD_LIMITS["line1"]}"' in tag
    typed = {"name": "Rahim", "phone": "01712345678", "country": "BD", "region": "Dhaka",
             "city": "Uttara", "line1": LONG["line1"], "line2": "", "postcode": ""}
    refused = person.post("/account/addresses/new", **typed)
    assert refused.status_code == 422
    assert error_of(html(refused), "line1") == "Use at most 200 characters."
    assert LONG["line1"] in html(refused)
    with app.app_context(), tenant_scope(shops["a"].id):
        lines = set(db.session.scalars(select(ShopperAddress.line1)))
    assert LONG["line1"] not in lines and LONG["line1"][:200] not in lines


def test_an_account_name_over_its_limit_is_refused_and_kept(app, shops, outbox):
    place(app, shops)
    person = sign_in(app, shops["a"], outbox)
    page = html(person.client.get("/account"))
    assert re.search(r'<input id="account-name"[^>]*maxlength="200"', page)
    refused = person.post("/account/details", name="N" * 201, locale="")
    assert refused.status_code == 422
    assert error_of(html(refused), "name") == "Use at most 200 characters."
    assert "N" * 201 in html(refused)
    with app.app_context(), tenant_scope(shops["a"].id):
        assert not any(len(name) >= 200 for name in db.session.scalars(
            select(Customer.name)))
    assert person.post("/account/details", name="N" * 200, locale="").status_code == 302
    with app.app_context(), tenant_scope(shops["a"].id):
        assert "N" * 200 in set(db.session.scalars(select(Customer.name)))


def test_the_sign_in_and_lookup_contact_carry_their_limit(app, shops):
    client = client_for(app, "dhaka-shop.localhost")
    for path, field in (("/account/sign-in", "account-contact"),
                        ("/orders/lookup", "lookup-contact")):
        assert re.search(rf'<input id="{field}"[^>]*maxlength="254"', html(client.get(path)))
