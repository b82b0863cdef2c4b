"""A signed-in shopper's address book: filled from their orders, kept on the account
page, and the place checkout starts from. Never shared between shoppers or stores.

Shoppers are driven over HTTP: they order (``admin_support.place``), sign in with the
code from the outbox (``test_accounts.sign_in``), and use the account and checkout pages.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select
from test_accounts import PHONE, sign_in

from admin_support import html, make_gateways, open_shops, place
from checkout_support import ADDRESS, checkout_form
from core.accounts.models import ShopperAddress
from core.db import db
from tenants import tenant_scope

NEW_ADDRESS = {"name": "Rahim Uddin", "phone": "01712345678", "country": "BD",
               "region": "Dhaka", "city": "Uttara", "line1": "House 12, Road 5, Sector 7",
               "line2": "", "postcode": ""}


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


def book(app, tenant) -> list[tuple[str, str, bool]]:
    """The store's saved addresses: (contact, line1, default), oldest first."""
    with app.app_context(), tenant_scope(tenant.id):
        return [(a.contact, a.line1, a.is_default) for a in db.session.scalars(
            select(ShopperAddress).order_by(ShopperAddress.id))]


def address_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-address-id="(\d+)"', page)]


def value_of(page: str, name: str) -> str:
    found = re.search(rf'<input id="checkout-{name}" name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else ""


# ------------------------------------------------------------ filled by itself


def test_signing_in_starts_the_book_with_the_newest_orders_address(app, shops, outbox):
    place(app, shops)  # a phone-only order to ADDRESS (Dhanmondi)
    shopper = sign_in(app, shops["a"], outbox)
    page = html(shopper.client.get("/account"))
    assert len(address_ids(page)) == 1 and 'data-default="1"' in page
    assert book(app, shops["a"]) == [(PHONE, ADDRESS["line1"], True)]


def test_an_order_placed_signed_in_adds_a_new_address_once(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    before = len(book(app, shops["a"]))
    for _ in range(2):  # the same new address twice: saved once
        shopper.client.post("/cart/add", data={"csrf_token": shopper.token,
                                               "product_id": str(shops["ids"]["a"]),
                                               "quantity": "1"})
        form = checkout_form(shopper.client, **{**NEW_ADDRESS, "csrf_token": shopper.token})
        assert shopper.client.post("/checkout", data=form).status_code == 303
    rows = book(app, shops["a"])
    assert len(rows) == before + 1
    assert rows[-1] == (PHONE, NEW_ADDRESS["line1"], False)


# ------------------------------------------------------------ the account page


def test_a_shopper_adds_changes_defaults_and_removes_addresses(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    [first] = address_ids(html(shopper.client.get("/account")))

    added = shopper.post("/account/addresses/new", **NEW_ADDRESS)
    assert added.status_code == 303 and added.location.endswith("/account#addresses")
    page = html(shopper.client.get("/account"))
    assert "House 12, Road 5, Sector 7" in page
    second = max(address_ids(page))
    assert address_ids(page)[0] == first  # the default stays first

    changed = shopper.post(f"/account/addresses/{second}", **{**NEW_ADDRESS, "line2": "Flat 4B"})
    assert changed.status_code == 303
    assert shopper.post(f"/account/addresses/{second}/default").status_code == 303
    page = html(shopper.client.get("/account"))
    assert address_ids(page)[0] == second and "Flat 4B" in page

    assert shopper.post(f"/account/addresses/{second}/delete").status_code == 303
    rows = book(app, shops["a"])
    assert [line1 for _, line1, _ in rows] != [] and all(
        line1 != NEW_ADDRESS["line1"] for _, line1, _ in rows)
    assert rows[0][2] is True  # the default passed to the address left


def test_a_bad_address_gets_errors_next_to_its_fields_and_keeps_what_was_typed(app, shops,
                                                                              outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    typed = {**NEW_ADDRESS, "name": "", "line1": "", "phone": "call me", "country": "ZZ",
             "city": "উত্তরা"}
    response = shopper.post("/account/addresses/new", **typed)
    assert response.status_code == 422
    page = html(response)
    for field in ("name", "line1", "phone", "country"):
        assert f'id="error-{field}"' in page, field
    assert 'value="উত্তরা"' in page and 'value="call me"' in page
    assert len(book(app, shops["a"])) == 1  # only the one from the order


def test_phone_digits_typed_in_bengali_are_kept_in_ascii(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    shopper.post("/account/addresses/new", **{**NEW_ADDRESS, "phone": "০১৮১১-২২৩৩৪৪"})
    with app.app_context(), tenant_scope(shops["a"].id):
        phones = set(db.session.scalars(select(ShopperAddress.phone)))
    assert "01811-223344" in phones


def test_the_book_holds_at_most_twenty_addresses(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    codes = [shopper.post("/account/addresses/new",
                          **{**NEW_ADDRESS, "line1": f"House {n}"}).status_code
             for n in range(20)]
    assert codes == [303] * 19 + [422]
    assert len(book(app, shops["a"])) == 20


# ------------------------------------------------------------ checkout


def test_checkout_starts_from_the_default_and_offers_the_others(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    shopper.post("/account/addresses/new", **NEW_ADDRESS)
    shopper.client.post("/cart/add", data={"csrf_token": shopper.token,
                                           "product_id": str(shops["ids"]["a"]),
                                           "quantity": "1"})
    page = html(shopper.client.get("/checkout"))
    offered = address_ids(page)
    assert len(offered) == 2
    assert value_of(page, "line1") == ADDRESS["line1"]  # the default (from the order)
    with app.app_context(), tenant_scope(shops["a"].id):
        new_id = db.session.scalar(select(ShopperAddress.id).where(
            ShopperAddress.line1 == NEW_ADDRESS["line1"]))
    picked = html(shopper.client.get(f"/checkout?address={new_id}"))
    assert value_of(picked, "line1") == NEW_ADDRESS["line1"]
    assert value_of(picked, "city") == "Uttara"
    assert f'data-address-id="{new_id}" aria-current="true"' in picked


def test_a_returning_shoppers_saved_address_and_contact_are_folded(app, shops, outbox):
    """A returning shopper's checkout is short: the saved address and the contact are a
    line each, their fields folded under "Change" (and still sent with the form)."""
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    shopper.client.post("/cart/add", data={"csrf_token": shopper.token,
                                           "product_id": str(shops["ids"]["a"]),
                                           "quantity": "1"})
    page = html(shopper.client.get("/checkout"))
    folded = re.search(r'<details class="address-fields">\s*<summary class="change-address">'
                       r"Change the address for this order</summary>(.*?)</details>", page, re.S)
    assert folded, "the saved address's fields are not folded"
    assert 'id="checkout-line1"' in folded.group(1) and 'id="checkout-city"' in folded.group(1)
    assert value_of(page, "line1") == ADDRESS["line1"]  # still sent
    assert re.search(r'aria-current="true">[^<]*House 12, Road 5, Dhanmondi', page)
    contact = re.search(r'<p class="on-file">([^<]*)</p>\s*<details class="contact-fields">'
                        r'<summary class="change-contact">Change the phone or email</summary>'
                        r"(.*?)</details>", page, re.S)
    assert contact, "the contact is not folded"
    assert "01712345678" in contact.group(1) and 'id="checkout-phone"' in contact.group(2)

    # Changed, or with a problem: the fields stay open.
    form = checkout_form(shopper.client, **{**NEW_ADDRESS, "csrf_token": shopper.token,
                                            "action": "update"})
    changed = html(shopper.client.post("/checkout", data=form))
    assert 'class="address-fields"' not in changed
    assert value_of(changed, "line1") == NEW_ADDRESS["line1"]
    form = checkout_form(shopper.client, **{**ADDRESS, "csrf_token": shopper.token,
                                            "phone": "12", "email": ""})
    refused = shopper.client.post("/checkout", data=form)
    assert refused.status_code == 422
    assert 'id="error-phone"' in html(refused)
    assert 'class="contact-fields"' not in html(refused)
    assert 'class="address-fields"' in html(refused)  # the address itself is fine


def test_a_visitor_sees_no_saved_addresses_at_checkout(app, shops, outbox):
    place(app, shops)
    from conftest import client_for

    visitor = client_for(app, "dhaka-shop.localhost")
    visitor.post("/cart/add", data={"product_id": str(shops["ids"]["a"]), "quantity": "1"})
    page = html(visitor.get("/checkout?address=1"))
    assert address_ids(page) == [] and value_of(page, "line1") == ""
    assert "<details class=\"address-fields\"" not in page and 'class="on-file"' not in page


# ------------------------------------------------------------ data and erasure


def test_my_data_lists_the_book_and_deleting_the_account_empties_it(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    shopper.post("/account/addresses/new", **NEW_ADDRESS)
    data = json.loads(shopper.client.get("/account/data").get_data(as_text=True))
    assert {a["line1"] for a in data["saved_addresses"]} >= {NEW_ADDRESS["line1"]}
    assert shopper.post("/account/delete", confirm="yes").status_code in (302, 303)
    assert book(app, shops["a"]) == []


# ------------------------------------------------------------ isolation


def test_another_shopper_cannot_see_or_touch_an_address(app, shops, outbox):
    place(app, shops)
    owner = sign_in(app, shops["a"], outbox)
    [address_id] = address_ids(html(owner.client.get("/account")))
    place(app, shops, phone="01999-888777")
    stranger = sign_in(app, shops["a"], outbox, contact="01999888777")
    assert address_id not in address_ids(html(stranger.client.get("/account")))
    assert stranger.client.get(f"/account/addresses/{address_id}").status_code == 404
    for action in ("", "/default", "/delete"):
        response = stranger.post(f"/account/addresses/{address_id}{action}", **NEW_ADDRESS)
        assert response.status_code == 404
    stranger.client.post("/cart/add", data={"csrf_token": stranger.token,
                                            "product_id": str(shops["ids"]["a"]),
                                            "quantity": "1"})
    picked = html(stranger.client.get(f"/checkout?address={address_id}"))
    assert f'data-address-id="{address_id}"' not in picked
    with app.app_context(), tenant_scope(shops["a"].id):
        row = db.session.get(ShopperAddress, address_id)
        assert row.contact == PHONE and row.line1 != NEW_ADDRESS["line1"]


def test_an_id_beyond_any_row_is_simply_not_found(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    huge = "99999999999999999999"
    assert shopper.client.get(f"/account/addresses/{huge}").status_code == 404
    assert shopper.post(f"/account/addresses/{huge}/delete").status_code == 404
    page = html(shopper.client.get(f"/checkout?address={huge}"))
    assert "Internal" not in page


def test_the_same_phone_has_a_separate_book_in_each_store(app, shops, outbox):
    place(app, shops)
    place(app, shops, key="b")
    in_a = sign_in(app, shops["a"], outbox)
    in_a.post("/account/addresses/new", **NEW_ADDRESS)
    in_b = sign_in(app, shops["b"], outbox)
    page_b = html(in_b.client.get("/account"))
    assert NEW_ADDRESS["line1"] not in page_b
    a_ids = set(address_ids(html(in_a.client.get("/account"))))
    assert not a_ids & set(address_ids(page_b))
    for address_id in a_ids:
        assert in_b.client.get(f"/account/addresses/{address_id}").status_code == 404
        assert in_b.post(f"/account/addresses/{address_id}/delete").status_code == 404
    with app.app_context(), tenant_scope(shops["b"].id):
        assert db.session.scalar(select(func.count(ShopperAddress.id))) == 1


def test_the_account_and_checkout_cost_the_same_queries_with_many_addresses(
        app, shops, outbox, count_queries):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    shopper.client.post("/cart/add", data={"csrf_token": shopper.token,
                                           "product_id": str(shops["ids"]["a"]),
                                           "quantity": "1"})

    def cost() -> tuple[int, int]:
        with count_queries() as account:
            assert shopper.client.get("/account").status_code == 200
        with count_queries() as checkout:
            assert shopper.client.get("/checkout").status_code == 200
        return len(account), len(checkout)

    few = cost()
    for n in range(12):
        shopper.post("/account/addresses/new", **{**NEW_ADDRESS, "line1": f"House {n}"})
    assert cost() == few
