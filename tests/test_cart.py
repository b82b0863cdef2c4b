"""The cart, through the doors shoppers use: ``POST /cart/add``, ``GET /cart``,
``POST /cart/update`` and ``GET /cart.json`` on a store's host, with CSRF on.

Every bad input must change nothing (checked in the database), say why next to the
field and keep what the shopper typed; carts never cross stores or shoppers.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from conftest import client_for, make_plugin
from core.cart.models import Cart
from core.catalog.models import ProductVariant
from core.db import db
from tenants import tenant_scope

CART_COOKIE = "haat_cart"
NOT_AVAILABLE = "Sorry, that product is not available."
OPTION_GONE = "Sorry, that option is not available."
CHOOSE_OPTION = "Choose an option."
BAD_QUANTITY = "Enter a quantity from 1 to 99."
BAD_UPDATE_QUANTITY = "Enter a quantity from 0 to 99."
SOLD_OUT = "Sorry, this is sold out."
LINE_GONE = "That item is no longer in your cart."


# ------------------------------------------------------------------ helpers


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def element(html: str, tag: str | None = None, /, **wanted: str) -> dict[str, str | None]:
    """The attributes of the one element (of ``tag``, if given) whose attributes include
    ``wanted`` (``id_=`` and ``class_=`` for ``id`` and ``class``)."""
    found = [attrs for name, attrs in tags(html) if tag in (None, name)
             and all(attrs.get(k.rstrip("_")) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{len(found)} elements with {wanted}"
    return found[0]


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</', html, re.S)
    assert match, f"no element #{element_id}"
    return match.group(1).strip()


def header_cart(html: str) -> tuple[str, str]:
    count = re.search(r"data-cart-count>([^<]*)<", html)
    total = re.search(r"data-cart-total>([^<]*)<", html)
    assert count and total, "the header has no cart count/total"
    return count.group(1).strip(), total.group(1).strip()


def flashes(html: str) -> list[tuple[str, str]]:
    return [(kind, message.strip()) for kind, message in
            re.findall(r'<p class="flash flash-(success|error)"[^>]*>([^<]*)</p>', html)]


def csrf_token(client) -> str:
    """The CSRF token of the shopper's session, as storefront.js reads it (``/cart.json``);
    ``""`` while they have no session (their posts are then checked by origin)."""
    return client.get("/cart.json").get_json()["csrf_token"]


#: What a browser sends with a post from one of the store's own pages.
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def _post(client, path: str, data: dict[str, str], *, json: bool, token: bool) -> object:
    """Post like a browser on the store's page: with the session's token once it has
    one, else from the page's own origin. ``token=False`` posts neither (a forged form)."""
    headers = {"Accept": "application/json"} if json else {}
    if token:
        value = csrf_token(client)
        if value:
            data = {"csrf_token": value, **data}
        else:
            headers.update(SAME_ORIGIN)
    return client.post(path, data=data, headers=headers)


def add(client, product_id: object, quantity: str | None = "1", variant_id: object = None,
        *, json: bool = False, token: bool = True):
    data = {"product_id": str(product_id)}
    if quantity is not None:
        data["quantity"] = quantity
    if variant_id is not None:
        data["variant_id"] = str(variant_id)
    return _post(client, "/cart/add", data, json=json, token=token)


def update(client, line: object, quantity: str = "", action: str = "update", *,
           json: bool = False, token: bool = True):
    return _post(client, "/cart/update", {"line": str(line), "quantity": quantity,
                                          "action": action}, json=json, token=token)


def cart_cookie(client, slug: str) -> str | None:
    cookie = client.get_cookie(CART_COOKIE, domain=f"{slug}.localhost")
    return cookie.value if cookie else None


def line_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="line" value="(\d+)"', html)]


def carts_in_db(app, tenant) -> list[tuple[str, list[tuple[int, int, int | None, int]]]]:
    """Every cart of ``tenant`` with its lines, read straight from the database."""
    with app.app_context(), tenant_scope(tenant.id):
        carts = db.session.scalars(
            select(Cart).options(selectinload(Cart.lines)).order_by(Cart.id)).all()
        state = [(c.token, sorted((ln.id, ln.product_id, ln.variant_id, ln.quantity)
                                  for ln in c.lines)) for c in carts]
        db.session.remove()
        return state


# ------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _csrf_on(app):
    """The cart forms are tested with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def shops(app, make_store, add_product):
    """Two USD stores; both sell a ``mug`` (different ids). A has more."""
    a = make_store("alpha-shop", name="Alpha Shop")
    b = make_store("beta-shop", name="Beta Shop")
    a_ids = SimpleNamespace(
        mug=add_product(a, "mug", title="Clay mug", price=1000, stock=5, collection="kitchen"),
        bowl=add_product(a, "bowl", title="Rice bowl", price=2500, stock=3,
                         collection="kitchen"),
        shirt=add_product(a, "shirt", title="Cotton shirt", price=1500,
                          variants=[("S", 1500, 2), ("M", 1700, 0), ("L", 1900, 4)]),
        hat=add_product(a, "hat", title="Straw hat", price=800, variants=[("S", 800, 5)]),
        draft=add_product(a, "draft-vase", title="Draft vase", status="draft"),
        sold_out=add_product(a, "sold-out", title="Sold-out lamp", stock=0),
    )
    b_ids = SimpleNamespace(
        mug=add_product(b, "mug", title="Beta mug", price=900, stock=50),
        shirt=add_product(b, "shirt", title="Beta shirt", price=1200,
                          variants=[("S", 1200, 9)]),
    )
    a_ids.shirt_s, a_ids.shirt_m, a_ids.shirt_l = variant_ids(app, a, a_ids.shirt)
    (a_ids.hat_s,) = variant_ids(app, a, a_ids.hat)
    (b_ids.shirt_s,) = variant_ids(app, b, b_ids.shirt)
    return SimpleNamespace(a=a, b=b, a_ids=a_ids, b_ids=b_ids)


def variant_ids(app, tenant, product_id: int) -> list[int]:
    with app.app_context(), tenant_scope(tenant.id):
        found = db.session.scalars(
            select(ProductVariant.id).where(ProductVariant.product_id == product_id)
            .order_by(ProductVariant.position)).all()
        db.session.remove()
        return list(found)


@pytest.fixture
def alpha(store_client):
    return store_client("alpha-shop")


# ------------------------------------------------------------------ adding


def test_adding_without_js_redirects_with_a_host_only_cookie_and_updates_the_header(
        app, shops, alpha):
    response = add(alpha, shops.a_ids.mug, "2")

    assert response.status_code == 303
    # Back to the product, scrolled to its form, where the message is (next to the button).
    assert response.headers["Location"].endswith("/products/mug#add-to-cart")
    set_cookie = next(h for h in response.headers.getlist("Set-Cookie")
                      if h.startswith(f"{CART_COOKIE}="))
    attributes = [part.strip().lower() for part in set_cookie.split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert not any(a.startswith("domain") for a in attributes), set_cookie  # host-only
    token = cart_cookie(alpha, "alpha-shop")
    assert token and len(token) >= 24
    [(stored_token, [line])] = carts_in_db(app, shops.a)
    assert stored_token == token
    assert line[1:] == (shops.a_ids.mug, None, 2)

    page = alpha.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == [("success", "Added Clay mug to your cart.")]
    assert header_cart(page) == ("2", "$20.00")
    # The message is shown once; the header keeps the cart.
    again = alpha.get("/").get_data(as_text=True)
    assert flashes(again) == []
    assert header_cart(again) == ("2", "$20.00")


def _add_form(page: str) -> str:
    """The product page's add-to-cart form, as HTML."""
    match = re.search(r'<form class="add-to-cart".*?</form>', page, re.S)
    assert match, "the page has no add-to-cart form"
    return match.group(0)


@pytest.mark.parametrize("cache", [True, False], ids=["page-cache", "no-page-cache"])
def test_the_added_message_is_next_to_the_button_in_a_live_region(app, shops, alpha, cache):
    """On a phone the top of the page is out of sight: after adding without JavaScript
    the message comes back next to the button (the page scrolls there: #add-to-cart),
    in the region storefront.js fills when it adds in place."""
    app.config["HAAT_PAGE_CACHE_SIZE"] = 2000 if cache else 0
    try:
        alpha.get("/products/mug")  # a cached copy, when the cache is on
        response = add(alpha, shops.a_ids.mug, "1")
        page = alpha.get(response.headers["Location"]).get_data(as_text=True)
    finally:
        app.config["HAAT_PAGE_CACHE_SIZE"] = 2000
    form = _add_form(page)
    assert 'id="add-to-cart"' in form
    region = re.search(r'<div class="cart-feedback"([^>]*)>(.*?)</div>', form, re.S)
    assert region, "no [data-cart-message] region in the form"
    attributes, inside = region.groups()
    assert "data-cart-message" in attributes
    assert 'role="status"' in attributes and 'aria-live="polite"' in attributes
    assert flashes(inside) == [("success", "Added Clay mug to your cart.")]
    assert '<a class="cart-feedback-link" href="/cart">Go to your cart</a>' in inside
    assert form.index("add-button") < form.index("cart-feedback")  # under the button
    # Said once: neither at the top of the page nor in a second live region.
    top = page[page.index('<div class="messages"'):page.index("<main")]
    assert flashes(top) == []
    assert page.count("data-cart-message") == 1
    # The next page has the message no more; the region is there, empty.
    again = _add_form(alpha.get("/products/mug").get_data(as_text=True))
    assert re.search(r'<div class="cart-feedback"[^>]*></div>', again)


def test_other_pages_keep_the_layouts_message_region(app, shops, alpha):
    for path in ("/", "/cart", "/collections/kitchen"):
        page = alpha.get(path).get_data(as_text=True)
        assert page.count("data-cart-message") == 1, path
        top = page[page.index('<div class="messages"'):page.index("<main")]
        assert "data-cart-message" in top, path


def test_adding_an_option_comes_back_to_that_option(app, shops, alpha):
    response = add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_l)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/products/shirt?variant={shops.a_ids.shirt_l}#add-to-cart")
    page = alpha.get(response.headers["Location"]).get_data(as_text=True)
    assert "selected" in element(page, "option", value=str(shops.a_ids.shirt_l))
    assert "$19.00" in re.search(r"data-price-block>(.*?)</p>", page, re.S).group(1)


def test_the_show_button_adds_nothing_and_brings_the_chosen_option(app, shops, alpha):
    """Without JavaScript the picker cannot change the stock shown, so a button next to
    "Add to cart" brings back the page of the option picked."""
    page = alpha.get("/products/shirt").get_data(as_text=True)
    show = element(page, "button", name="show")
    assert show["value"] == "1" and "data-show-option" in show
    form = _add_form(page)
    assert form.index("add-button") < form.index('name="show"')  # Enter still adds
    response = _post(alpha, "/cart/add", {"product_id": str(shops.a_ids.shirt),
                                          "variant_id": str(shops.a_ids.shirt_l),
                                          "quantity": "1", "show": "1"},
                     json=False, token=True)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/products/shirt?variant={shops.a_ids.shirt_l}#add-to-cart")
    assert carts_in_db(app, shops.a) == []
    shown = alpha.get(response.headers["Location"]).get_data(as_text=True)
    assert "selected" in element(shown, "option", value=str(shops.a_ids.shirt_l))
    assert re.search(r'id="product-stock"[^>]*>\s*<span class="stock stock-low">Only 4 left',
                     shown)
    # Another store's product: nothing to show.
    gone = _post(alpha, "/cart/add", {"product_id": str(shops.b_ids.shirt), "show": "1"},
                 json=False, token=True)
    assert gone.status_code == 303 and gone.headers["Location"].endswith("/cart")
    # A product with one option (or none) has no such button.
    assert 'name="show"' not in alpha.get("/products/hat").get_data(as_text=True)
    assert 'name="show"' not in alpha.get("/products/mug").get_data(as_text=True)


def test_adding_the_same_product_again_merges_into_one_line(app, shops, alpha):
    assert add(alpha, shops.a_ids.mug, "2").status_code == 303
    assert add(alpha, shops.a_ids.mug, "1").status_code == 303
    assert add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_s).status_code == 303
    assert add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_l).status_code == 303
    assert add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_l).status_code == 303

    [(token, lines)] = carts_in_db(app, shops.a)
    assert token == cart_cookie(alpha, "alpha-shop")
    assert [(product, variant, qty) for _id, product, variant, qty in lines] == [
        (shops.a_ids.mug, None, 3),
        (shops.a_ids.shirt, shops.a_ids.shirt_s, 1),
        (shops.a_ids.shirt, shops.a_ids.shirt_l, 2),
    ]
    page = alpha.get("/cart").get_data(as_text=True)
    assert len(line_ids(page)) == 3
    assert header_cart(page) == ("6", "$83.00")  # 3 × 10 + 15 + 2 × 19


def test_a_quick_add_form_without_a_quantity_field_adds_one(app, shops, alpha):
    assert add(alpha, shops.a_ids.bowl, quantity=None).status_code == 303
    [(_token, [line])] = carts_in_db(app, shops.a)
    assert line[1:] == (shops.a_ids.bowl, None, 1)
    # An empty field is not a missing one: that is refused (see the bad quantities).
    assert add(alpha, shops.a_ids.bowl, quantity="").status_code == 422
    assert carts_in_db(app, shops.a)[0][1][0][3] == 1


def test_adding_with_json_answers_count_total_and_message(app, shops, alpha):
    response = add(alpha, shops.a_ids.mug, "2", json=True)

    assert response.status_code == 200
    assert response.is_json
    answer = response.get_json()
    # The session the add gave this shopper has a token: storefront.js puts it in the
    # page's forms (drawn without one), and the next post needs it.
    assert answer.pop("csrf_token") == csrf_token(alpha) != ""
    assert answer == {"count": 2, "count_display": "2", "total_display": "$20.00",
                      "message": "Added Clay mug to your cart."}
    token = cart_cookie(alpha, "alpha-shop")
    assert token and carts_in_db(app, shops.a)[0][0] == token

    again = add(alpha, shops.a_ids.bowl, "1", json=True).get_json()
    assert (again["count"], again["total_display"]) == (3, "$45.00")

    summary = alpha.get("/cart.json")
    assert summary.get_json() == {"count": 3, "count_display": "3", "total_display": "$45.00",
                                  "csrf_token": csrf_token(alpha)}
    assert "no-store" in summary.headers["Cache-Control"]

    refused = add(alpha, shops.a_ids.mug, "0", json=True)
    assert refused.status_code == 422
    assert refused.get_json() == {"error": BAD_QUANTITY, "field": "quantity"}
    assert [ln[3] for ln in carts_in_db(app, shops.a)[0][1]] == [2, 1]


def test_a_new_shopper_has_an_empty_cart(shops, alpha):
    assert alpha.get("/cart.json").get_json() == {"count": 0, "count_display": "0",
                                                  "total_display": "$0.00", "csrf_token": ""}
    page = alpha.get("/cart").get_data(as_text=True)
    assert "Your cart is empty." in page
    assert header_cart(page) == ("0", "$0.00")
    assert cart_cookie(alpha, "alpha-shop") is None


# ------------------------------------------------------------------ bad input when adding


BAD_QUANTITIES = {
    "negative": "-1",
    "zero": "0",
    "decimal": "1.5",
    "one-too-many": "100",
    "huge": str(10**30),
    "empty": "",
    "words": "two",
    "spaces-inside": "1 0",
}


@pytest.mark.parametrize("typed", BAD_QUANTITIES.values(), ids=BAD_QUANTITIES.keys())
def test_a_bad_quantity_changes_nothing_and_is_explained_next_to_the_field(
        app, shops, alpha, typed):
    assert add(alpha, shops.a_ids.mug, "1").status_code == 303
    before = (carts_in_db(app, shops.a), carts_in_db(app, shops.b))
    token = cart_cookie(alpha, "alpha-shop")

    response = add(alpha, shops.a_ids.mug, typed)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    quantity = element(page, id_="quantity")
    assert quantity["aria-invalid"] == "true"
    assert quantity["aria-describedby"] == "cart-error"
    assert text_of(page, "cart-error") == BAD_QUANTITY
    if typed:
        assert quantity["value"] == typed  # what the shopper typed is kept
    assert header_cart(page) == ("1", "$10.00")
    assert (carts_in_db(app, shops.a), carts_in_db(app, shops.b)) == before
    assert cart_cookie(alpha, "alpha-shop") == token


def test_a_bad_quantity_on_a_first_visit_creates_no_cart(app, shops, alpha):
    response = add(alpha, shops.a_ids.mug, "-3")
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "cart-error") == BAD_QUANTITY
    assert carts_in_db(app, shops.a) == []
    assert cart_cookie(alpha, "alpha-shop") is None


def _unavailable_products(shops) -> dict[str, str]:
    return {
        "unknown id": "987654",
        "beyond 2**31": str(2**31),
        "beyond 10**30": str(10**30),
        "other store's product": str(shops.b_ids.mug),
        "draft": str(shops.a_ids.draft),
        "not a number": "mug",
        "empty": "",
        "negative": "-1",
    }


def test_a_product_that_is_not_for_sale_here_adds_nothing_to_either_store(app, shops, alpha):
    assert add(alpha, shops.a_ids.mug, "1").status_code == 303
    alpha.get("/cart")  # shows (and so clears) the "added" message
    before = (carts_in_db(app, shops.a), carts_in_db(app, shops.b))

    for case, product_id in _unavailable_products(shops).items():
        response = add(alpha, product_id, "1")
        assert response.status_code == 303, case
        assert response.headers["Location"].endswith("/cart"), case
        page = alpha.get("/cart").get_data(as_text=True)
        assert flashes(page) == [("error", NOT_AVAILABLE)], case
        assert header_cart(page) == ("1", "$10.00"), case

        answer = add(alpha, product_id, "1", json=True)
        assert answer.status_code == 422, case
        assert answer.get_json() == {"error": NOT_AVAILABLE, "field": "product_id"}, case

        assert (carts_in_db(app, shops.a), carts_in_db(app, shops.b)) == before, case


def test_another_stores_product_id_says_not_available_on_a_first_visit(app, shops, alpha):
    response = add(alpha, shops.b_ids.mug, "1")
    assert response.status_code == 303
    assert flashes(alpha.get("/cart").get_data(as_text=True)) == [("error", NOT_AVAILABLE)]
    assert carts_in_db(app, shops.a) == []
    assert carts_in_db(app, shops.b) == []
    assert cart_cookie(alpha, "alpha-shop") is None


def _refused_in_place(response, field_id: str, message: str) -> str:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = element(page, id_=field_id)
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "cart-error"
    assert text_of(page, "cart-error") == message
    return page


def test_variant_mistakes_change_nothing_and_are_explained(app, shops, alpha):
    ids = shops.a_ids
    assert add(alpha, ids.mug, "1").status_code == 303
    before = (carts_in_db(app, shops.a), carts_in_db(app, shops.b))

    # A variant of another product of this store, and of another store's product.
    for foreign in (ids.hat_s, shops.b_ids.shirt_s, 987654):
        page = _refused_in_place(add(alpha, ids.shirt, "2", foreign), "variant", OPTION_GONE)
        assert element(page, id_="quantity")["value"] == "2"
    # No variant (or no usable id) for a product that has variants.
    for missing in (None, "", "small", -1, 2**31, 10**30):
        _refused_in_place(add(alpha, ids.shirt, "1", missing), "variant", CHOOSE_OPTION)
    # A variant for a product without variants: the form has no option field.
    response = add(alpha, ids.mug, "1", ids.shirt_s)
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "cart-error") == OPTION_GONE
    # A sold-out variant.
    page = _refused_in_place(add(alpha, ids.shirt, "1", ids.shirt_m), "quantity", SOLD_OUT)
    sold_out_option = element(page, "option", value=str(ids.shirt_m))
    assert "disabled" in sold_out_option  # the sold-out option is shown disabled

    for answer, field in ((add(alpha, ids.shirt, "1", ids.hat_s, json=True), "variant_id"),
                          (add(alpha, ids.shirt, "1", json=True), "variant_id")):
        assert answer.status_code == 422
        assert answer.get_json()["field"] == field
    assert (carts_in_db(app, shops.a), carts_in_db(app, shops.b)) == before


def test_more_than_the_stock_is_refused_and_says_how_many_are_left(app, shops, alpha):
    page = _refused_in_place(add(alpha, shops.a_ids.mug, "6"), "quantity", "Only 5 left.")
    assert element(page, id_="quantity")["value"] == "6"
    assert carts_in_db(app, shops.a) == []

    assert add(alpha, shops.a_ids.mug, "3").status_code == 303
    before = carts_in_db(app, shops.a)
    page = _refused_in_place(add(alpha, shops.a_ids.mug, "3"), "quantity",
                             "Only 5 left, and 3 are in your cart already.")
    assert element(page, id_="quantity")["value"] == "3"
    assert carts_in_db(app, shops.a) == before
    answer = add(alpha, shops.a_ids.mug, "3", json=True)
    assert answer.status_code == 422
    assert "5" in answer.get_json()["error"] and "3" in answer.get_json()["error"]
    # Exactly what is left still fits.
    assert add(alpha, shops.a_ids.mug, "2").status_code == 303
    assert carts_in_db(app, shops.a)[0][1][0][3] == 5

    # A variant's own stock counts, not the product's.
    _refused_in_place(add(alpha, shops.a_ids.shirt, "3", shops.a_ids.shirt_s), "quantity",
                      "Only 2 left.")


def test_an_out_of_stock_product_has_a_disabled_button_and_cannot_be_added(app, shops, alpha):
    page = alpha.get("/products/sold-out").get_data(as_text=True)
    button = element(page, "button", class_="button add-button")
    assert "disabled" in button
    assert element(page, id_="quantity") is not None

    _refused_in_place(add(alpha, shops.a_ids.sold_out, "1"), "quantity", SOLD_OUT)
    assert carts_in_db(app, shops.a) == []
    in_stock = alpha.get("/products/mug").get_data(as_text=True)
    assert "disabled" not in element(in_stock, "button", class_="button add-button")


def test_a_form_without_a_valid_csrf_token_adds_nothing(app, shops, alpha):
    # A shopper with a session (a cart) must send its token, as before.
    assert add(alpha, shops.a_ids.mug, "1").status_code == 303
    assert csrf_token(alpha)
    before = carts_in_db(app, shops.a)
    response = add(alpha, shops.a_ids.mug, "1", token=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    # ... even from the store's own page (an old form): the origin alone is not enough.
    assert alpha.post("/cart/add", data={"product_id": shops.a_ids.mug, "quantity": "1"},
                      headers=SAME_ORIGIN).status_code == 400
    forged = alpha.post("/cart/add", data={"product_id": shops.a_ids.mug, "quantity": "1",
                                           "csrf_token": "forged"}, headers=SAME_ORIGIN)
    assert forged.status_code == 400
    # A token from another shopper's session is not this shopper's token.
    other = client_for(app, "alpha-shop.localhost")
    assert add(other, shops.a_ids.shirt, "1", shops.a_ids.shirt_s).status_code == 303
    stolen = alpha.post("/cart/add", data={"product_id": shops.a_ids.mug, "quantity": "1",
                                           "csrf_token": csrf_token(other)})
    assert stolen.status_code == 400
    assert update(alpha, 1, "0", token=False).status_code == 400
    assert [cart for cart in carts_in_db(app, shops.a) if cart in before] == before
    # A visitor without a session: a post that does not come from the store's pages.
    stranger = client_for(app, "alpha-shop.localhost")
    assert add(stranger, shops.a_ids.mug, "1", token=False).status_code == 400
    assert cart_cookie(stranger, "alpha-shop") is None


# Characters such as "²" are digits to ``str.isdigit()`` but ``int()`` refuses them.
UNICODE_DIGIT_DOORS = ("add-quantity", "add-product_id", "add-variant_id", "update-line",
                       "update-quantity")


@pytest.mark.parametrize("door", UNICODE_DIGIT_DOORS)
def test_a_superscript_digit_is_bad_input_not_a_server_error(app, shops, alpha, door):
    app.config["HAAT_RERAISE_ERRORS"] = False  # a crash answers 500 instead of raising
    try:
        line = _one_line(alpha, shops.a_ids.mug, "1")
        before = (carts_in_db(app, shops.a), carts_in_db(app, shops.b))
        ids = shops.a_ids
        response = {
            "add-quantity": lambda: add(alpha, ids.mug, "\u00b2"),
            "add-product_id": lambda: add(alpha, "\u00b9", "1"),
            "add-variant_id": lambda: add(alpha, ids.shirt, "1", "\u00b9"),
            "update-line": lambda: update(alpha, "\u00b9", "1"),
            "update-quantity": lambda: update(alpha, line, "\u00b3"),
        }[door]()
    finally:
        app.config["HAAT_RERAISE_ERRORS"] = True
    assert response.status_code in (303, 422), response.status_code
    assert (carts_in_db(app, shops.a), carts_in_db(app, shops.b)) == before


# ------------------------------------------------------------------ update and remove


def _one_line(client, product_id: int, quantity: str = "1") -> int:
    assert add(client, product_id, quantity).status_code == 303
    [line] = line_ids(client.get("/cart").get_data(as_text=True))
    return line


def test_changing_a_quantity_updates_the_line_and_totals(app, shops, alpha):
    line = _one_line(alpha, shops.a_ids.mug)

    response = update(alpha, line, "3")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    page = alpha.get("/cart").get_data(as_text=True)
    assert flashes(page) == [("success", "Your cart is updated.")]
    assert element(page, id_=f"qty-{line}")["value"] == "3"
    assert header_cart(page) == ("3", "$30.00")
    assert carts_in_db(app, shops.a)[0][1] == [(line, shops.a_ids.mug, None, 3)]

    answer = update(alpha, line, "2", json=True)
    assert answer.status_code == 200
    assert answer.get_json() == {"count": 2, "count_display": "2", "total_display": "$20.00",
                                 "message": "Your cart is updated.",
                                 "csrf_token": csrf_token(alpha)}


def test_quantities_in_bengali_digits_are_the_same_quantities(app, shops, alpha):
    # A text box, not type="number": browsers empty a number box typed in ০-৯.
    product_page = alpha.get("/products/mug").get_data(as_text=True)
    assert element(product_page, "input", id_="quantity")["type"] == "text"
    assert add(alpha, shops.a_ids.mug, "২").status_code == 303
    [line] = line_ids(alpha.get("/cart").get_data(as_text=True))
    assert carts_in_db(app, shops.a)[0][1] == [(line, shops.a_ids.mug, None, 2)]
    assert update(alpha, line, "৩").status_code == 303
    page = alpha.get("/cart").get_data(as_text=True)
    assert element(page, id_=f"qty-{line}")["type"] == "text"
    assert carts_in_db(app, shops.a)[0][1] == [(line, shops.a_ids.mug, None, 3)]
    assert update(alpha, line, "০").status_code == 303  # zero removes the line
    assert carts_in_db(app, shops.a)[0][1] == []


def test_zero_and_the_remove_button_remove_the_line(app, shops, alpha):
    mug = _one_line(alpha, shops.a_ids.mug, "2")
    assert add(alpha, shops.a_ids.bowl, "1").status_code == 303
    bowl = next(n for n in line_ids(alpha.get("/cart").get_data(as_text=True)) if n != mug)

    assert update(alpha, mug, "0").status_code == 303
    page = alpha.get("/cart").get_data(as_text=True)
    assert line_ids(page) == [bowl]
    assert header_cart(page) == ("1", "$25.00")

    # The remove button sends the line's quantity field along, whatever it holds.
    assert update(alpha, bowl, "1", action="remove").status_code == 303
    page = alpha.get("/cart").get_data(as_text=True)
    assert flashes(page) == [("success", "Removed from your cart.")]
    assert "Your cart is empty." in page
    assert header_cart(page) == ("0", "$0.00")
    [(_token, lines)] = carts_in_db(app, shops.a)
    assert lines == []


def test_raising_a_quantity_above_the_stock_is_refused_next_to_that_line(app, shops, alpha):
    mug = _one_line(alpha, shops.a_ids.mug, "2")
    assert add(alpha, shops.a_ids.bowl, "1").status_code == 303
    before = carts_in_db(app, shops.a)

    response = update(alpha, mug, "6")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = element(page, id_=f"qty-{mug}")
    assert field["value"] == "6"
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == f"line-error-{mug}"
    assert text_of(page, f"line-error-{mug}") == "Only 5 left."
    other = next(n for n in line_ids(page) if n != mug)
    assert "aria-invalid" not in element(page, id_=f"qty-{other}")
    assert carts_in_db(app, shops.a) == before

    answer = update(alpha, mug, "6", json=True)
    assert (answer.status_code, answer.get_json()) == (422, {"error": "Only 5 left.",
                                                             "field": "quantity"})
    assert carts_in_db(app, shops.a) == before


BAD_UPDATES = {"negative": "-1", "decimal": "1.5", "words": "lots", "too-many": "100",
               "huge": str(10**30), "empty": ""}


@pytest.mark.parametrize("typed", BAD_UPDATES.values(), ids=BAD_UPDATES.keys())
def test_a_bad_new_quantity_changes_nothing(app, shops, alpha, typed):
    line = _one_line(alpha, shops.a_ids.mug, "2")
    before = carts_in_db(app, shops.a)

    response = update(alpha, line, typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = element(page, id_=f"qty-{line}")
    assert field["aria-invalid"] == "true"
    assert field["value"] == typed
    assert text_of(page, f"line-error-{line}") == BAD_UPDATE_QUANTITY
    assert carts_in_db(app, shops.a) == before


def test_another_shoppers_line_cannot_be_changed_or_removed(app, shops, alpha, store_client):
    theirs = _one_line(alpha, shops.a_ids.mug, "2")
    intruder = store_client("alpha-shop")
    mine = _one_line(intruder, shops.a_ids.bowl, "1")
    before = carts_in_db(app, shops.a)

    for action, quantity in (("update", "4"), ("update", "0"), ("remove", "1")):
        response = update(intruder, theirs, quantity, action)
        assert response.status_code == 422, (action, quantity)
        page = response.get_data(as_text=True)
        assert re.search(rf'class="field-error" role="alert">{LINE_GONE}<', page)
        assert line_ids(page) == [mine]
        answer = update(intruder, theirs, quantity, action, json=True)
        assert answer.get_json() == {"error": LINE_GONE, "field": "line"}
    for garbage in ("", "abc", "-1", str(2**31), str(10**30)):
        assert update(intruder, garbage, "1").status_code == 422, garbage
    assert carts_in_db(app, shops.a) == before
    assert line_ids(intruder.get("/cart").get_data(as_text=True)) == [mine]
    assert line_ids(alpha.get("/cart").get_data(as_text=True)) == [theirs]


def test_a_shopper_without_a_cart_is_told_why_a_line_cannot_be_changed(
        app, shops, alpha, store_client):
    theirs = _one_line(alpha, shops.a_ids.mug, "2")
    newcomer = store_client("alpha-shop")  # has no cart yet
    before = carts_in_db(app, shops.a)

    for action, quantity in (("update", "4"), ("remove", "1")):
        response = update(newcomer, theirs, quantity, action)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "Your cart is empty." in page
        assert LINE_GONE in page, "the 422 page of an empty cart does not say what went wrong"
        answer = update(newcomer, theirs, quantity, action, json=True)
        assert answer.get_json() == {"error": LINE_GONE, "field": "line"}
    assert carts_in_db(app, shops.a) == before
    assert cart_cookie(newcomer, "alpha-shop") is None


def test_another_stores_line_cannot_be_changed_or_removed(app, shops, alpha, store_client):
    beta = store_client("beta-shop")
    theirs = _one_line(beta, shops.b_ids.mug, "2")
    _one_line(alpha, shops.a_ids.mug, "1")
    before = (carts_in_db(app, shops.a), carts_in_db(app, shops.b))

    for action, quantity in (("update", "7"), ("update", "0"), ("remove", "1")):
        response = update(alpha, theirs, quantity, action)
        assert response.status_code == 422
        assert LINE_GONE in response.get_data(as_text=True)
    assert (carts_in_db(app, shops.a), carts_in_db(app, shops.b)) == before
    assert header_cart(beta.get("/cart").get_data(as_text=True)) == ("2", "$18.00")


# ------------------------------------------------------------------ isolation


def test_a_cart_token_of_store_a_finds_nothing_on_store_b(app, shops, alpha, store_client):
    line = _one_line(alpha, shops.a_ids.mug, "2")
    token = cart_cookie(alpha, "alpha-shop")
    a_before = carts_in_db(app, shops.a)

    beta = store_client("beta-shop")
    beta.set_cookie(CART_COOKIE, token, domain="beta-shop.localhost")
    page = beta.get("/cart").get_data(as_text=True)
    assert "Your cart is empty." in page
    assert "Clay mug" not in page
    assert header_cart(page) == ("0", "$0.00")
    assert beta.get("/cart.json").get_json()["count"] == 0

    assert add(beta, shops.b_ids.mug, "1").status_code == 303
    # Store A's line id changes nothing on store B.
    assert update(beta, line, "1", "remove").status_code == 422
    assert update(beta, line, "5").status_code == 422
    b_token = cart_cookie(beta, "beta-shop")
    assert b_token and b_token != token
    assert [t for t, _lines in carts_in_db(app, shops.b)] == [b_token]
    assert carts_in_db(app, shops.b)[0][1][0][1:] == (shops.b_ids.mug, None, 1)
    assert carts_in_db(app, shops.a) == a_before
    assert header_cart(alpha.get("/cart").get_data(as_text=True)) == ("2", "$20.00")


def test_the_cart_cookie_is_not_sent_to_another_store(shops, alpha):
    _one_line(alpha, shops.a_ids.mug)
    assert cart_cookie(alpha, "alpha-shop")
    assert cart_cookie(alpha, "beta-shop") is None
    # The same client (same browser) visiting store B: no cart there.
    beta_page = alpha.get("/cart", base_url="http://beta-shop.localhost")
    assert "Your cart is empty." in beta_page.get_data(as_text=True)


# ------------------------------------------------------------------ pages and hook


def test_the_cart_survives_a_language_switch(shops, alpha):
    _one_line(alpha, shops.a_ids.mug, "2")
    home = alpha.get("/?lang=hy")
    assert 'lang="hy"' in home.get_data(as_text=True)

    page = alpha.get("/cart").get_data(as_text=True)
    assert '<html lang="hy"' in page
    assert "Clay mug" in page
    assert len(line_ids(page)) == 1
    assert header_cart(page)[0] == "2"
    assert "20,00" in header_cart(page)[1]  # USD, written the Armenian way
    assert alpha.get_cookie("haat_lang", domain="alpha-shop.localhost").value == "hy"


def _line_texts(page: str) -> list[dict[str, str]]:
    items = re.findall(r'<li class="cart-line[^"]*">(.*?)</li>', page, re.S)

    def pick(css: str, item: str) -> str:
        found = re.search(rf'class="{css}"[^>]*>([^<]*)<', item)
        return found.group(1).strip() if found else ""

    return [{"title": pick("cart-line-title", item), "variant": pick("cart-line-variant", item),
             "price": pick("cart-line-price", item), "total": pick("cart-line-total", item)}
            for item in items]


def test_the_cart_page_shows_titles_prices_line_totals_and_subtotal(shops, alpha):
    assert add(alpha, shops.a_ids.mug, "2").status_code == 303
    assert add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_l).status_code == 303

    page = alpha.get("/cart").get_data(as_text=True)
    assert _line_texts(page) == [
        {"title": "Clay mug", "variant": "", "price": "$10.00", "total": "$20.00"},
        {"title": "Cotton shirt", "variant": "L", "price": "$19.00", "total": "$19.00"},
    ]
    subtotal = re.search(r"data-cart-subtotal>([^<]*)<", page)
    assert subtotal and subtotal.group(1) == "$39.00"
    assert header_cart(page) == ("3", "$39.00")
    assert 'href="/products/mug"' in page and 'href="/products/shirt"' in page


def test_the_cart_updated_hook_fires_after_commit_with_a_snapshot(
        app, shops, alpha, store_client, install_plugin, enable_plugin):
    from core.money import Money

    received = []

    def on_cart(store, cart):
        # Another connection sees the change: the transaction is committed.
        with db.engine.connect() as conn:
            committed = conn.execute(
                text("SELECT COALESCE(SUM(l.quantity), 0) FROM cart_lines l "
                     "JOIN carts c ON c.id = l.cart_id WHERE c.token = :t"),
                {"t": cart.token}).scalar()
        received.append((store.id, cart, committed))

    name = install_plugin(make_plugin("cart-recorder", haat_cart_updated=on_cart))
    enable_plugin(shops.a, name)

    assert add(alpha, shops.a_ids.mug, "2").status_code == 303
    token = cart_cookie(alpha, "alpha-shop")
    [(store_id, cart, committed)] = received
    assert store_id == shops.a.id
    assert cart.token == token
    assert committed == 2
    [line] = cart.lines
    assert (line.product_id, line.title, line.quantity, line.unit_price) == (
        shops.a_ids.mug, "Clay mug", 2, Money(1000, "USD"))
    assert cart.subtotal == Money(2000, "USD")

    # Refused changes fire nothing; another store (plugin off there) fires nothing.
    assert add(alpha, shops.a_ids.mug, "9").status_code == 422
    assert add(store_client("beta-shop"), shops.b_ids.mug, "1").status_code == 303
    assert len(received) == 1

    assert add(alpha, shops.a_ids.shirt, "1", shops.a_ids.shirt_l, json=True).status_code == 200
    cart, committed = received[-1][1:]
    assert [(ln.title, ln.quantity) for ln in cart.lines] == [("Clay mug", 2),
                                                               ("Cotton shirt (L)", 1)]
    assert cart.subtotal == Money(3900, "USD")
    assert committed == 3

    [mug_line, _shirt_line] = line_ids(alpha.get("/cart").get_data(as_text=True))
    assert update(alpha, mug_line, "0").status_code == 303
    cart, committed = received[-1][1:]
    assert [ln.title for ln in cart.lines] == ["Cotton shirt (L)"]
    assert committed == 1
    assert len(received) == 3
