"""Coupon guessing at checkout (issue 21): limited per cart and per client address,
and an unknown code reads exactly like a real one that cannot be used."""

from __future__ import annotations

import re
from datetime import timedelta

from test_checkout import PRICE, add_discount, gateways, shops  # noqa: F401 (fixtures)

from checkout_support import checkout_form
from conftest import client_for
from core.db import utcnow

TOO_MANY = "You have tried several codes just now."


def _cart(app, slug, product_id, address="198.51.100.7"):
    client = client_for(app, f"{slug}.localhost")
    client.environ_base["REMOTE_ADDR"] = address
    assert client.post("/cart/add", data={"product_id": str(product_id),
                                          "quantity": "1"}).status_code == 303
    return client, checkout_form(client, action="update")


def _coupon_error(client, form, code) -> str:
    """The message next to the coupon field after applying ``code`` ("" if none)."""
    page = client.post("/checkout", data={**form, "coupon": code}).get_data(as_text=True)
    found = re.search(r'id="error-coupon" role="alert">([^<]*)<', page)
    return found.group(1) if found else ""


def test_unknown_and_ineligible_codes_get_the_same_message(app, shops):  # noqa: F811
    now = utcnow()
    add_discount(app, shops["a"], code="OLD", kind="fixed", value=1000,
                 ends_at=now - timedelta(days=1))
    add_discount(app, shops["a"], code="SOON", kind="fixed", value=1000,
                 starts_at=now + timedelta(days=3))
    add_discount(app, shops["a"], code="BIG", kind="fixed", value=1000,
                 min_subtotal=PRICE * 10)
    add_discount(app, shops["a"], code="GONE", kind="fixed", value=1000, usage_limit=0)
    add_discount(app, shops["a"], code="OFF", kind="fixed", value=1000, active=False)
    client, form = _cart(app, "dhaka-shop", shops["ids"]["a"])
    messages = {code: _coupon_error(client, form, code).replace(code, "<code>")
                for code in ("NOPE", "OLD", "SOON", "BIG", "GONE", "OFF")}
    assert len(set(messages.values())) == 1, messages
    assert "cannot be used on this order" in messages["NOPE"]


def test_a_cart_may_try_ten_codes_an_hour(app, shops):  # noqa: F811
    add_discount(app, shops["a"], code="EID10", kind="percentage", value=1000)
    client, form = _cart(app, "dhaka-shop", shops["ids"]["a"])
    for n in range(10):
        assert "cannot be used" in _coupon_error(client, form, f"GUESS{n}")
    # The eleventh code is not even looked at: a real one does not apply either.
    assert TOO_MANY in _coupon_error(client, form, "EID10")
    page = client.post("/checkout", data={**form, "coupon": "EID10"}).get_data(as_text=True)
    assert "Discount (EID10)" not in page
    # Another cart (another shopper behind the same address) still may.
    other, other_form = _cart(app, "dhaka-shop", shops["ids"]["a"], address="203.0.113.5")
    assert _coupon_error(other, other_form, "EID10") == ""


def test_the_page_refreshing_with_the_same_code_counts_once(app, shops):  # noqa: F811
    add_discount(app, shops["a"], code="EID10", kind="percentage", value=1000)
    client, form = _cart(app, "dhaka-shop", shops["ids"]["a"])
    for _ in range(15):  # storefront.js sends the form on every change
        assert "cannot be used" in _coupon_error(client, form, "TYPO")
    assert _coupon_error(client, form, "EID10") == ""


def test_a_client_may_try_twenty_codes_an_hour_across_carts(app, shops):  # noqa: F811
    carts = [_cart(app, "dhaka-shop", shops["ids"]["a"]) for _ in range(3)]
    tried = 0
    for client, form in carts:
        for _ in range(7):
            if tried < 20:
                assert "cannot be used" in _coupon_error(client, form, f"G{tried}")
            else:
                assert TOO_MANY in _coupon_error(client, form, f"G{tried}")
            tried += 1


def test_one_store_s_guessing_leaves_another_store_s_limit_alone(app, shops):  # noqa: F811
    add_discount(app, shops["b"], code="BDAY", kind="fixed", value=1000)
    carts = [_cart(app, "dhaka-shop", shops["ids"]["a"]) for _ in range(3)]
    for n in range(21):
        client, form = carts[n // 7]
        _coupon_error(client, form, f"G{n}")
    assert TOO_MANY in _coupon_error(*carts[2], "G99")
    client, form = _cart(app, "other-shop", shops["ids"]["b"])  # same address
    assert _coupon_error(client, form, "BDAY") == ""


def test_a_code_that_applied_explains_why_it_stopped(app, shops):  # noqa: F811
    """Fairness: the shopper whose code applied learns the exact reason when it stops
    applying (they know it is real); a stranger typing it gets the common message."""
    add_discount(app, shops["a"], code="TWO", kind="fixed", value=1000,
                 min_subtotal=PRICE * 2)
    client = client_for(app, "dhaka-shop.localhost")
    client.post("/cart/add", data={"product_id": str(shops["ids"]["a"]), "quantity": "2"})
    form = checkout_form(client, action="update")
    assert _coupon_error(client, form, "TWO") == ""
    cart_page = client.get("/cart").get_data(as_text=True)
    line = re.search(r'name="line" value="(\d+)"', cart_page)
    assert line, "the cart lists its line"
    client.post("/cart/update", data={"line": line.group(1), "quantity": "1", "action": "update"})
    assert "Spend at least" in _coupon_error(client, form, "TWO")
    stranger, stranger_form = _cart(app, "dhaka-shop", shops["ids"]["a"])
    assert "cannot be used on this order" in _coupon_error(stranger, stranger_form, "TWO")

