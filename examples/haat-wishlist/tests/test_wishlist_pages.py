"""The wishlist through the storefront, as shoppers use it: the button on product pages,
the header link, the page ``/wishlist`` in the store's theme, and its forms.

Tested the way any plugin author would: with Haat's pytest fixtures (``haat_store``,
``haat_product``, ``haat_enable_plugin``, ``haat_client``, ``haat_admin_client``) and no
``conftest.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from haat_wishlist import items, views
from haat_wishlist.plugin import manifest
from wishlist_support import (
    ADD,
    PAGE,
    PLUGIN,
    REMOVE,
    add_row,
    counting_queries,
    html,
    key_of,
    listed,
    remove,
    rows,
    save,
    store_info,
    token,
)

STYLESHEET = "/wishlist/static/wishlist.css"
NOT_FOUND = "Sorry, we could not find that product in this shop."
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def shop(haat_store, haat_enable_plugin):
    """A store with the wishlist switched on (default settings)."""
    store = haat_store("store-a", currency="BDT")
    haat_enable_plugin(store, PLUGIN)
    return store


def _csrf_values(page: str) -> list[str]:
    return re.findall(r'name="csrf_token" value="([^"]*)"', page)


def _save_form(page: str) -> str:
    found = re.search(r'<form class="wishlist-save".*?</form>', page, re.S)
    assert found, "no Save for later form on the page"
    return found.group(0)


# ----------------------------------------------------------------- installed


def test_discovered_through_its_entry_point(haat_app):
    host = haat_app.extensions["haat_plugins"]
    installed = host.installed[PLUGIN]
    assert installed.distribution == "haat-wishlist"
    assert installed.version == "0.1.0"
    assert installed.manifest is manifest
    assert not [p for p in host.problems if p.entry_point == PLUGIN]


def test_default_settings(shop, haat_enable_plugin):
    settings = haat_enable_plugin(shop, PLUGIN)
    assert settings == {"keep_days": 90, "show_button": True, "show_header_link": True}


@pytest.mark.parametrize("value", ["0", "3651", "1.5", "soon"])
def test_keep_days_must_be_a_whole_number_of_days_from_1_to_3650(shop, haat_enable_plugin,
                                                                   value):
    with pytest.raises(AssertionError, match=r"(?m)^\s+keep_days: "):
        haat_enable_plugin(shop, PLUGIN, settings={"keep_days": value})


# ----------------------------------------------------------------- saving and the page


def test_save_from_the_product_page_and_find_it_with_its_photo(shop, haat_product,
                                                               haat_client):
    kantha = haat_product(shop, "nakshi-kantha", title="Nakshi kantha", price=150000,
                          compare_at=180000, images=2)
    shopper = haat_client(shop)

    product_page = html(shopper.get("/products/nakshi-kantha"))
    form = _save_form(product_page)
    assert f'action="{ADD}"' in form and 'method="post"' in form
    assert f'name="product_id" value="{kantha}"' in form
    assert "Save for later" in form
    assert STYLESHEET in product_page

    saved = save(shopper, kantha)
    assert saved.status_code == 303
    assert saved.headers["Location"] == "/products/nakshi-kantha"  # back where they were
    back = html(shopper.get("/products/nakshi-kantha"))
    assert "Saved “Nakshi kantha” for later. Find it on your wishlist." in back

    page = html(shopper.get(PAGE))
    assert "<h1>Your wishlist</h1>" in page
    assert "1 product saved" in page
    item = re.search(rf'<li class="wishlist-item" data-wishlist-item="{kantha}">.*?</li>',
                     page, re.S).group(0)
    photo = re.search(r'<img src="([^"]+)"', item).group(1)
    assert shopper.get(photo.replace("http://store-a.localhost", "")).status_code == 200
    assert '<a href="/products/nakshi-kantha">Nakshi kantha</a>' in item
    assert "1,500.00" in item and "1,800.00" in item  # the price and the "was" price
    assert "In stock" in item
    assert 'action="/cart/add"' in item and "Add to cart" in item
    assert f'action="{REMOVE}"' in item
    assert "Products stay on your wishlist for 90 days after you save them." in page
    assert '<meta name="robots" content="noindex">' in page
    assert STYLESHEET in page


def test_newest_first_and_saving_again_moves_it_to_the_top(shop, haat_app, haat_product,
                                                           haat_client):
    first, second = (haat_product(shop, handle) for handle in ("tea-cup", "tea-pot"))
    shopper = haat_client(shop)
    save(shopper, first)
    save(shopper, second)
    assert listed(shopper) == [second, first]

    again = save(shopper, first)
    assert again.status_code == 303
    assert "is on your wishlist already" in html(shopper.get("/products/tea-cup"))
    assert listed(shopper) == [first, second]
    assert len(rows(haat_app, shop)) == 2  # still one row per product


def test_remove(shop, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup", title="Tea cup")
    pot = haat_product(shop, "tea-pot", title="Tea pot")
    shopper = haat_client(shop)
    save(shopper, cup)
    save(shopper, pot)

    removed = remove(shopper, cup)
    assert removed.status_code == 303 and removed.headers["Location"] == PAGE
    page = html(shopper.get(PAGE))
    assert "Removed “Tea cup” from your wishlist." in page
    assert listed(shopper) == [pot]

    twice = remove(shopper, cup)  # an old tab, a double click: nothing is wrong
    assert twice.status_code == 303
    assert "That product is not on your wishlist any more." in html(shopper.get(PAGE))

    remove(shopper, pot)
    empty = html(shopper.get(PAGE))
    assert "Your wishlist is empty." in empty
    assert 'href="/collections/all"' in empty
    assert "data-wishlist-item" not in empty


def test_empty_wishlist_without_a_cookie(shop, haat_client):
    shopper = haat_client(shop)
    page = html(shopper.get(PAGE))
    assert "Your wishlist is empty." in page
    assert token(shopper, shop) is None  # looking sets no cookie


def test_add_to_cart_from_the_wishlist(shop, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup", title="Tea cup", price=25000)
    shopper = haat_client(shop)
    save(shopper, cup)
    page = html(shopper.get(PAGE))
    form = re.search(r'<form class="add-to-cart wishlist-cart".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields == {"csrf_token": fields["csrf_token"], "product_id": str(cup),
                      "variant_id": "", "quantity": "1"}

    added = shopper.post("/cart/add", data=fields)
    assert added.status_code == 303
    assert shopper.get("/cart.json").get_json()["count"] == 1
    assert listed(shopper) == [cup]  # still saved: buying is the shopper's next step


def test_products_with_options_sold_out_and_hidden(shop, haat_app, haat_product,
                                                   haat_client):
    tee = haat_product(shop, "tee", title="Cotton tee", option_names=("Size",),
                       variants=[{"options": "M", "price": 50000},
                                 {"options": "XL", "price": 55000}])
    gone = haat_product(shop, "last-lamp", title="Last lamp", stock=0)
    shopper = haat_client(shop)
    save(shopper, tee)
    save(shopper, gone)
    # A product the merchant took off sale after it was saved (a draft now).
    hidden = haat_product(shop, "old-vase", title="Old vase", status="draft")
    add_row(haat_app, shop, key_of(token(shopper, shop)), hidden)

    page = html(shopper.get(PAGE))
    items_html = dict(re.findall(r'data-wishlist-item="(\d+)">(.*?)</li>', page, re.S))
    assert "From BDT500.00" in items_html[str(tee)]  # the cheapest option's price
    assert 'href="/products/tee">Choose options</a>' in items_html[str(tee)]
    assert "/cart/add" not in items_html[str(tee)]
    assert "Sold out" in items_html[str(gone)] and "/cart/add" not in items_html[str(gone)]
    assert "No longer available" in items_html[str(hidden)]
    assert "/products/old-vase" not in items_html[str(hidden)]  # its page is gone
    assert f'name="product_id" value="{hidden}"' in items_html[str(hidden)]  # removable


def test_a_deleted_product_leaves_every_wishlist(shop, haat_app, haat_product, haat_client,
                                                 haat_admin_client):
    cup = haat_product(shop, "tea-cup")
    pot = haat_product(shop, "tea-pot")
    shopper = haat_client(shop)
    save(shopper, cup)
    save(shopper, pot)
    deleted = haat_admin_client(shop).post(f"/admin/products/{cup}/delete")
    assert deleted.status_code == 303
    assert listed(shopper) == [pot]
    assert [product for _shopper, product in rows(haat_app, shop)] == [pot]


def test_the_wishlist_is_full(shop, haat_product, haat_client, monkeypatch):
    monkeypatch.setattr(items, "MAX_ITEMS", 2)
    monkeypatch.setattr(views, "MAX_ITEMS", 2)
    ids = [haat_product(shop, f"cup-{n}") for n in range(3)]
    shopper = haat_client(shop)
    save(shopper, ids[0])
    save(shopper, ids[1])
    full = save(shopper, ids[2])
    assert full.status_code == 303 and full.headers["Location"] == "/products/cup-2"
    assert ("Your wishlist is full: it holds up to 2 products. Remove some to make room."
            in html(shopper.get("/products/cup-2")))
    assert listed(shopper) == [ids[1], ids[0]]
    assert save(shopper, ids[0]).status_code == 303  # saving one already there still works


# ----------------------------------------------------------------- the shopper's cookie


def test_the_cookie_is_the_plugins_own_and_only_its_hash_is_stored(shop, haat_app,
                                                                   haat_product, haat_client):
    cup = haat_product(shop, "tea-cup")
    shopper = haat_client(shop)
    saved = save(shopper, cup)
    cookie = saved.headers["Set-Cookie"]
    assert cookie.startswith("haat_wishlist=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie  # host-only: never sent to another store
    assert "Max-Age=34560000" in cookie  # 400 days
    value = token(shopper, shop)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)
    assert rows(haat_app, shop) == [(key_of(value), cup)]

    assert "haat_wishlist=" in shopper.get(PAGE).headers["Set-Cookie"]  # kept fresh
    assert shopper.get(PAGE).headers["Cache-Control"] == "private, no-store"


def test_a_forged_cookie_is_a_new_shopper(shop, haat_app, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup")
    shopper = haat_client(shop)
    shopper.set_cookie("haat_wishlist", "not-a-token", domain="store-a.localhost")
    assert html(shopper.get(PAGE)).count("data-wishlist-item") == 0
    save(shopper, cup)
    assert token(shopper, shop) != "not-a-token"
    assert listed(shopper) == [cup]


# ----------------------------------------------------------------- who sees what


def test_another_shopper_never_sees_or_changes_the_items(shop, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup", title="Tea cup")
    alice, bob = haat_client(shop), haat_client(shop)
    save(alice, cup)

    assert "Tea cup" not in html(bob.get(PAGE))
    assert listed(bob) == []
    remove(bob, cup)  # Bob's "remove" cannot reach Alice's list
    assert listed(alice) == [cup]


def test_another_store_never_sees_or_changes_the_items(shop, haat_app, haat_store,
                                                       haat_enable_plugin, haat_product,
                                                       haat_client):
    other = haat_store("store-b", currency="BDT")
    haat_enable_plugin(other, PLUGIN)
    cup = haat_product(shop, "tea-cup", title="Tea cup")
    theirs = haat_product(other, "clay-pot", title="Clay pot")
    alice = haat_client(shop)
    save(alice, cup)
    stolen = token(alice, shop)

    # Store B's host with store A's token: the list is empty, A's product is unknown
    # there, and removing it there changes nothing in A.
    intruder = haat_client(other)
    intruder.set_cookie("haat_wishlist", stolen, domain="store-b.localhost")
    assert listed(intruder) == []
    assert NOT_FOUND in html(save(intruder, cup), 422)
    remove(intruder, cup)
    assert listed(alice) == [cup]
    # ... and A's host does not know B's products either.
    assert NOT_FOUND in html(save(alice, theirs), 422)
    assert listed(alice) == [cup]

    # The plugin's own queries, for B, with A's shopper: nothing.
    with haat_app.app_context():
        assert items.saved_items(store_info(other), key_of(stolen)) == []
        assert items.remove(store_info(other), key_of(stolen), cup) is False
        assert items.forget_older_than(store_info(other), 1, now=FAR_FUTURE) == 0
    assert rows(haat_app, shop) == [(key_of(stolen), cup)]
    assert rows(haat_app, other) == []


def test_404_everywhere_on_a_store_without_the_plugin(shop, haat_store, haat_product,
                                                      haat_client):
    other = haat_store("store-b")
    theirs = haat_product(other, "clay-pot")
    client = haat_client(other)
    for response in (client.get(PAGE), save(client, theirs), remove(client, theirs),
                     client.get(STYLESHEET)):
        assert response.status_code == 404
    product_page = html(client.get("/products/clay-pot"))
    assert "wishlist" not in product_page.lower()
    assert "wishlist" not in html(client.get("/")).lower()


# ----------------------------------------------------------------- settings


def test_header_link_on_every_page(shop, haat_product, haat_client):
    haat_product(shop, "tea-cup", collection="kitchen")
    client = haat_client(shop)
    for path in ("/", "/collections/kitchen", "/products/tea-cup", "/cart", PAGE):
        page = html(client.get(path))
        assert '<div class="haat-slot-item wishlist-header-link" data-plugin="wishlist">' \
               f'<a href="{PAGE}">Wishlist</a></div>' in page, path
        assert STYLESHEET in page, path


def test_settings_hide_the_button_and_the_link(shop, haat_enable_plugin, haat_product,
                                               haat_client):
    haat_product(shop, "tea-cup")
    haat_enable_plugin(shop, PLUGIN, settings={"show_button": False,
                                               "show_header_link": False})
    client = haat_client(shop)
    product_page = html(client.get("/products/tea-cup"))
    assert "wishlist-save" not in product_page
    assert "wishlist-header-link" not in product_page
    assert STYLESHEET not in product_page
    assert STYLESHEET in html(client.get(PAGE))  # the page itself keeps its look


def test_only_the_button_or_only_the_link(shop, haat_enable_plugin, haat_product,
                                          haat_client):
    haat_product(shop, "tea-cup")
    haat_enable_plugin(shop, PLUGIN, settings={"show_header_link": False})
    client = haat_client(shop)
    assert "wishlist-save" in html(client.get("/products/tea-cup"))
    assert STYLESHEET not in html(client.get("/"))
    haat_enable_plugin(shop, PLUGIN, settings={"show_button": False})
    page = html(client.get("/products/tea-cup"))
    assert "wishlist-save" not in page and "wishlist-header-link" in page


# ----------------------------------------------------------------- forms and bad input


def test_csrf_tokens_in_every_form(shop, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup")
    shopper = haat_client(shop)
    product_page = html(shopper.get("/products/tea-cup"))
    # A first visit has no session, so the cached page's field is empty: Haat checks
    # such a visitor's post by its origin. Once they have a session, it is the token.
    assert _csrf_values(_save_form(product_page)) == [""]
    save(shopper, cup)
    product_page = html(shopper.get("/products/tea-cup"))
    assert [v for v in _csrf_values(_save_form(product_page)) if len(v) > 20]
    page = html(shopper.get(PAGE))
    forms = re.findall(r'<form .*?</form>', page, re.S)
    assert len(forms) == 2  # add to cart, remove
    for form in forms:
        assert [v for v in _csrf_values(form) if len(v) > 20], form


def test_the_cached_product_page_is_the_same_for_every_shopper(shop, haat_product,
                                                               haat_client):
    """Product pages are cached whole: the button carries no shopper's state, and the
    CSRF token is each shopper's own."""
    cup = haat_product(shop, "tea-cup")
    pot = haat_product(shop, "tea-pot")
    alice, bob = haat_client(shop), haat_client(shop)
    save(alice, cup)
    save(bob, pot)  # a session, so a token, for bob too
    for client in (alice, bob):
        client.get("/products/tea-cup")  # shows (and uses up) the "Saved" message
    pages = [html(client.get("/products/tea-cup")) for client in (alice, bob)]
    tokens = [_csrf_values(_save_form(page))[0] for page in pages]
    assert tokens[0] != tokens[1]
    assert pages[0].replace(tokens[0], "T") == pages[1].replace(tokens[1], "T")


@pytest.mark.parametrize("raw", ["", "abc", "-1", "0", "1.5", "১২", "99999999999",
                                 "12; DROP TABLE wishlist_items"])
def test_bad_product_ids_get_a_clear_message_and_save_nothing(shop, haat_app, haat_product,
                                                              haat_client, raw):
    haat_product(shop, "tea-cup")
    shopper = haat_client(shop)
    page = html(save(shopper, raw), 422)
    assert f'<p class="flash flash-error wishlist-problem" role="alert">{NOT_FOUND}' in page
    assert "<h1>Your wishlist</h1>" in page  # the page, in the theme, with the message
    assert rows(haat_app, shop) == []
    assert NOT_FOUND in html(remove(shopper, raw), 422)


def test_a_missing_or_draft_product_cannot_be_saved(shop, haat_app, haat_product,
                                                    haat_client):
    draft = haat_product(shop, "secret", status="draft")
    shopper = haat_client(shop)
    assert NOT_FOUND in html(save(shopper, draft), 422)
    assert NOT_FOUND in html(save(shopper, 2_000_000_000), 422)
    assert rows(haat_app, shop) == []


def test_never_an_open_redirect(shop, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup")
    shopper = haat_client(shop)
    response = shopper.post(ADD, data={"product_id": str(cup), "next": "https://evil.example/",
                                       "return_to": "//evil.example"},
                            headers={"Referer": "https://evil.example/"})
    assert response.headers["Location"] == "/products/tea-cup"
    response = shopper.post(REMOVE, data={"product_id": str(cup), "next": "//evil.example"})
    assert response.headers["Location"] == PAGE


# ----------------------------------------------------------------- languages and themes


def test_the_page_in_bengali_with_bengali_digits(haat_store, haat_enable_plugin, haat_product,
                                                 haat_client):
    dhaka = haat_store("dhaka-crafts", locale="bn", currency="BDT", bengali_digits=True)
    haat_enable_plugin(dhaka, PLUGIN)
    kantha = haat_product(dhaka, "kantha", title="নকশিকাঁথা", price=125000, images=1)
    shopper = haat_client(dhaka)

    product_page = html(shopper.get("/products/kantha"))
    assert "পরে কেনার জন্য রাখুন" in _save_form(product_page)  # "Save for later"
    assert '<a href="/wishlist">পছন্দের তালিকা</a>' in product_page  # the header link
    save(shopper, kantha)
    assert "“নকশিকাঁথা” পরে কেনার জন্য রাখা হয়েছে।" in html(shopper.get("/products/kantha"))

    page = html(shopper.get(PAGE))
    assert "<h1>আপনার পছন্দের তালিকা</h1>" in page
    assert "১টি পণ্য রাখা আছে" in page  # "1 product saved", in Bengali digits
    assert "১,২৫০" in page and "1,250" not in page
    assert "৯০ দিন" in page  # keep_days, 90
    assert "কার্টে যোগ করুন" in page and "সরিয়ে দিন" in page
    assert 'lang="bn"' in page

    english = html(shopper.get(PAGE + "?lang=en"))
    assert "<h1>Your wishlist</h1>" in english and "1 product saved" in english


def test_the_page_in_armenian(haat_store, haat_enable_plugin, haat_client):
    yerevan = haat_store("yerevan-books", locale="hy", currency="AMD")
    haat_enable_plugin(yerevan, PLUGIN)
    page = html(haat_client(yerevan).get(PAGE))
    assert "Ձեր ցանկությունների ցուցակը" in page
    assert "Ձեր ցանկությունների ցուցակը դատարկ է։" in page


@pytest.mark.parametrize("theme", ["default", "bazaar"])
def test_the_page_and_the_button_in_each_theme(shop, haat_product, haat_client,
                                               haat_admin_client, theme):
    chosen = haat_admin_client(shop).post("/admin/theme/choose", data={"theme": theme})
    assert chosen.status_code == 303
    cup = haat_product(shop, "tea-cup", title="Tea cup", images=1)
    shopper = haat_client(shop)
    product_page = html(shopper.get("/products/tea-cup"))
    assert f'<body class="theme-{theme}' in product_page
    assert "wishlist-save" in product_page
    save(shopper, cup)

    page = html(shopper.get(PAGE))
    assert f'<body class="theme-{theme}' in page
    assert 'class="site-header"' in page and 'class="site-footer"' in page
    assert 'class="cart-link"' in page and 'class="language-switch"' in page
    assert "<h1>Your wishlist</h1>" in page and "Tea cup" in page
    assert STYLESHEET in page


# ----------------------------------------------------------------- cost


def test_the_page_costs_the_same_queries_for_one_item_or_many(shop, haat_product,
                                                              haat_client):
    ids = [haat_product(shop, f"cup-{n}", images=1, collection="cups") for n in range(8)]
    shopper = haat_client(shop)
    save(shopper, ids[0])
    shopper.get(PAGE)  # warm the store's caches
    with counting_queries() as one:
        assert listed(shopper) == [ids[0]]
    for product in ids[1:]:
        save(shopper, product)
    shopper.get(PAGE)
    with counting_queries() as eight:
        assert len(listed(shopper)) == 8
    assert eight() == one()
