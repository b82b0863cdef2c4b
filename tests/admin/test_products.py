"""The products admin: the list (search, filters, sorting, pages), creating, editing and
deleting products with variants, every check on the typed values, who may use it, store
isolation and CSRF. What is saved here is what the storefront shows."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select

from admin.product_support import (
    field_error,
    field_value,
    listed_titles,
    load_product,
    load_products,
    product_form,
    variant_fields,
)
from admin_support import add_staff, html, set_store, sign_in
from core.catalog.models import Collection
from core.db import db
from core.orders.models import Order, OrderLine
from core.orders.numbering import next_order_number
from tenants import tenant_scope


@pytest.fixture
def stores(make_store):
    return {"a": make_store("alpha-shop", name="Alpha Shop", currency="BDT"),
            "b": make_store("beta-shop", name="Beta Shop", currency="BDT")}


def add_collection(app, tenant, handle, title) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        collection = Collection(handle=handle, title=title)
        db.session.add(collection)
        db.session.commit()
        return collection.id


def created_id(response) -> int:
    assert response.status_code == 303, re.findall(r'id="(f-[^"]*-error)"', html(response))
    match = re.fullmatch(r"/admin/products/(\d+)", response.location)
    assert match, response.location
    return int(match[1])


SIZES_AND_COLOURS = {"option1_name": "Size", "option2_name": "Colour", **variant_fields([
    {"option1": "S", "option2": "Red", "sku": "KAN-S-R", "price": "1400", "stock": "3"},
    {"option1": "M", "option2": "Red", "sku": "KAN-M-R", "price": "1500", "stock": "2",
     "compare_at": "1800", "weight": "450"},
])}


# ------------------------------------------------------------------- access


def test_signed_out_visitors_are_sent_to_sign_in(app, stores, store_client, add_product):
    product_id = add_product(stores["a"], "kantha")
    visitor = store_client("alpha-shop")
    for path in ("/admin/products", "/admin/products/new", f"/admin/products/{product_id}",
                 f"/admin/products/{product_id}/delete"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/admin/login" in response.location, path
    assert visitor.post("/admin/products/new", data=product_form()).status_code == 302
    assert visitor.post(f"/admin/products/{product_id}/delete").status_code == 302
    assert [p.handle for p in load_products(app, stores["a"])] == ["kantha"]


def test_staff_manage_products(app, stores, store_client):
    add_staff(app, stores["a"], "helper@alpha-shop.example")
    staff = sign_in(store_client, stores["a"], "helper@alpha-shop.example")
    product_id = created_id(staff.post("/admin/products/new", data=product_form()))
    edited = staff.post(f"/admin/products/{product_id}",
                        data=product_form(title="Blue Kantha XL", handle="blue-kantha"))
    assert edited.status_code == 303
    assert load_product(app, stores["a"], product_id).title == "Blue Kantha XL"
    assert "Blue Kantha XL" in html(staff.get("/admin/products"))
    assert staff.post(f"/admin/products/{product_id}/delete").status_code == 303
    assert load_products(app, stores["a"]) == []


# -------------------------------------------------------------------- create


def test_an_empty_list_says_what_to_do_next(stores, store_client):
    page = html(sign_in(store_client, stores["a"]).get("/admin/products"))
    assert "No products yet — add your first product." in page
    assert 'href="/admin/products/new"' in page


def test_creating_a_product_makes_its_handle_and_shows_it_in_the_store(
        app, stores, store_client):
    collection_id = add_collection(app, stores["a"], "quilts", "Quilts")
    owner = sign_in(store_client, stores["a"])
    assert 'name="csrf_token"' in html(owner.get("/admin/products/new"))
    response = owner.post("/admin/products/new", data={
        **product_form(title="Nakshi Kantha", compare_at="1,800.00", sku="KAN-1",
                       tags=" gift, Cotton ,gift,, cotton ", collections=str(collection_id),
                       description='<p>Soft <strong>cotton</strong></p>'
                                   '<script>alert(1)</script><p onclick="x()">Warm</p>',
                       video_url="https://youtu.be/dQw4w9WgXcQ")})
    product_id = created_id(response)
    product = load_product(app, stores["a"], product_id)
    assert (product.handle, product.title, product.sku) == ("nakshi-kantha", "Nakshi Kantha",
                                                            "KAN-1")
    assert (product.price_amount, product.compare_at_amount) == (150_000, 180_000)
    assert (product.stock, product.weight_grams, product.status) == (5, 400, "active")
    assert product.tags == "gift, Cotton"
    assert "<script>" not in product.description and "onclick" not in product.description
    assert "<strong>cotton</strong>" in product.description
    assert [m.collection_id for m in product.memberships] == [collection_id]
    assert product.video_url == "https://youtu.be/dQw4w9WgXcQ"
    assert "Product Nakshi Kantha created." in html(owner.get(response.location))

    shop = store_client("alpha-shop").get("/products/nakshi-kantha")
    assert shop.status_code == 200
    assert "Nakshi Kantha" in html(shop) and "alert(1)" not in html(shop)
    assert "Nakshi Kantha" in html(store_client("alpha-shop").get("/collections/quilts"))


def stored_values(product) -> tuple:
    return (product.price_amount, product.compare_at_amount, product.stock,
            product.weight_grams,
            [(v.option1, v.price_amount, v.compare_at_amount, v.stock, v.weight_grams)
             for v in product.variants])


def test_bengali_digits_in_every_number_store_what_latin_digits_store(
        app, stores, store_client):
    """A merchant in Dhaka types ১৮৫০ for the price, ৪ for the stock, ৭০০ for the weight."""
    owner = sign_in(store_client, stores["a"])
    simple = {"price": ("১৮৫০", "1850"), "compare_at": ("২,১০০.৫০", "2,100.50"),
              "stock": ("৪", "4"), "weight": ("৭০০", "700")}
    bengali = created_id(owner.post("/admin/products/new", data=product_form(
        title="কাঁথা", **{name: typed for name, (typed, _latin) in simple.items()})))
    latin = created_id(owner.post("/admin/products/new", data=product_form(
        title="Kantha", **{name: typed for name, (_bn, typed) in simple.items()})))
    assert stored_values(load_product(app, stores["a"], bengali)) == stored_values(
        load_product(app, stores["a"], latin)) == (185_000, 210_050, 4, 700, [])

    rows = {"price": ("১,৪০০.৭৫", "1,400.75"), "compare_at": ("১৮০০", "1800"),
            "stock": ("১২", "12"), "weight": ("৪৫০", "450")}
    with_variants = [created_id(owner.post("/admin/products/new", data={
        **product_form(title=title, price="", stock="", weight=weight),
        "option1_name": "Size", **variant_fields([
            {"option1": "S", **{name: pair[index] for name, pair in rows.items()}},
            {"option1": "M", "price": price, "stock": stock}])}))
        for index, (title, weight, price, stock) in enumerate([
            ("শাড়ি", "৯০০", "১৫০০", "০"), ("Sari", "900", "1500", "0")])]
    saved = [stored_values(load_product(app, stores["a"], i)) for i in with_variants]
    assert saved[0] == saved[1] == (140_075, 180_000, 12, 900, [
        ("S", 140_075, 180_000, 12, 450), ("M", 150_000, None, 0, None)])

    # Digits that are not decimal digits are still refused ("²" looks like one).
    refused = owner.post("/admin/products/new", data=product_form(stock="২²"))
    assert refused.status_code == 422
    assert "Enter a whole number" in field_error(html(refused), "stock")


def test_a_draft_is_not_in_the_store_until_it_is_active(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new",
                                       data=product_form(status="draft")))
    shopper = store_client("alpha-shop")
    assert shopper.get("/products/blue-kantha").status_code == 404
    assert owner.post(f"/admin/products/{product_id}",
                      data=product_form(handle="blue-kantha")).status_code == 303
    assert store_client("alpha-shop").get("/products/blue-kantha").status_code == 200


def test_plain_text_descriptions_keep_their_paragraphs(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    created_id(owner.post("/admin/products/new", data=product_form(
        description="Tom & Jerry's quilt.\n\nWashable at 30°.")))
    page = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert "<p>Tom &amp; Jerry&#x27;s quilt.</p>" in page or \
        "<p>Tom &amp; Jerry&#39;s quilt.</p>" in page
    assert "<p>Washable at 30°.</p>" in page


# ------------------------------------------------------------------- handles


def test_a_taken_handle_is_a_field_error_and_an_empty_one_is_made_unique(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    created_id(owner.post("/admin/products/new", data=product_form()))
    refused = owner.post("/admin/products/new", data=product_form(
        handle="blue-kantha", title="Another Kantha", price="990"))
    assert refused.status_code == 422
    page = html(refused)
    assert "Another product uses the handle blue-kantha." in field_error(page, "handle")
    assert (field_value(page, "title"), field_value(page, "price")) == ("Another Kantha", "990")
    assert len(load_products(app, stores["a"])) == 1

    bad = owner.post("/admin/products/new", data=product_form(handle="Blue Kantha!"))
    assert bad.status_code == 422 and "lower-case letters" in field_error(html(bad), "handle")

    second = created_id(owner.post("/admin/products/new", data=product_form()))
    assert load_product(app, stores["a"], second).handle == "blue-kantha-2"


def test_the_same_handle_in_another_store_is_fine(app, stores, store_client):
    created_id(sign_in(store_client, stores["b"]).post("/admin/products/new",
                                                       data=product_form()))
    created_id(sign_in(store_client, stores["a"]).post(
        "/admin/products/new", data=product_form(handle="blue-kantha")))


def test_changing_the_handle_keeps_the_old_address_working(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new", data=product_form()))
    assert owner.post(f"/admin/products/{product_id}",
                      data=product_form(handle="indigo-kantha")).status_code == 303
    moved = store_client("alpha-shop").get("/products/blue-kantha")
    assert moved.status_code == 301
    assert moved.location.endswith("/products/indigo-kantha")
    assert store_client("alpha-shop").get("/products/indigo-kantha").status_code == 200


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("title", "", "Enter a title."),
    ("price", "abc", "Enter an amount"),
    ("price", "-5", "Enter an amount of 0 or more."),
    ("price", "12.345", "decimal place"),
    ("price", "99999999999", "Enter an amount up to"),
    ("compare_at", "1500", "must be higher than the price"),
    ("stock", "-3", "Enter a whole number of 0 or more"),
    ("stock", "many", "Enter a whole number of 0 or more"),
    ("weight", "1.5", "Enter a whole number of 0 or more"),
    ("video_url", "https://www.dailymotion.com/video/x8abc", "YouTube or Vimeo"),
    ("video_url", "https://www.youtube.com/channel/UC123", "does not point to a video"),
    ("seo_title", "x" * 201, "at most 200 characters"),
    ("seo_description", "y" * 321, "at most 320 characters"),
    ("status", "published", "Choose draft or active."),
    ("sku", "S" * 65, "at most 64 characters"),
])
def test_bad_input_is_refused_next_to_its_field_and_everything_is_kept(
        app, stores, store_client, field, typed, message):
    owner = sign_in(store_client, stores["a"])
    data = {**product_form(title="Keep Me", tags="gift, eid", sku="KEEP-1"), field: typed}
    response = owner.post("/admin/products/new", data=data)
    assert response.status_code == 422
    page = html(response)
    assert message in field_error(page, field), page[:3000]
    assert "Nothing was saved" in page
    for name in ("title", "tags", "sku", "weight", "description", "price"):
        if name != "status":
            assert field_value(page, name) == data[name], name
    assert load_products(app, stores["a"]) == []


def test_editing_with_bad_input_changes_nothing(app, stores, store_client, add_product):
    product_id = add_product(stores["a"], "kantha", title="Kantha", price=150_000, stock=4)
    owner = sign_in(store_client, stores["a"])
    response = owner.post(f"/admin/products/{product_id}",
                          data=product_form(title="Renamed", price="abc", handle="kantha"))
    assert response.status_code == 422
    assert field_value(html(response), "title") == "Renamed"
    product = load_product(app, stores["a"], product_id)
    assert (product.title, product.price_amount, product.stock) == ("Kantha", 150_000, 4)


def test_a_sku_is_unique_in_the_store_including_variants(app, stores, store_client,
                                                        add_product):
    add_product(stores["a"], "shawl", sku="SHAWL-1")
    owner = sign_in(store_client, stores["a"])
    created_id(owner.post("/admin/products/new", data={**product_form(title="Kantha"),
                                                       **SIZES_AND_COLOURS}))
    taken = owner.post("/admin/products/new", data=product_form(sku="SHAWL-1"))
    assert taken.status_code == 422
    assert "Another product already uses the SKU SHAWL-1." in field_error(html(taken), "sku")
    variant_taken = owner.post("/admin/products/new", data=product_form(sku="KAN-M-R"))
    assert "KAN-M-R" in field_error(html(variant_taken), "sku")
    in_rows = owner.post("/admin/products/new", data={
        **product_form(title="Scarf", sku="SC-1"), "option1_name": "Size",
        **variant_fields([{"option1": "S", "sku": "SC-1", "price": "10"},
                          {"option1": "M", "sku": "SHAWL-1", "price": "10"}])})
    page = html(in_rows)
    assert in_rows.status_code == 422
    assert "already used above" in field_error(page, "variant-0-sku")
    assert "SHAWL-1" in field_error(page, "variant-1-sku")
    assert len(load_products(app, stores["a"])) == 2
    # Another store's SKUs do not count.
    created_id(sign_in(store_client, stores["b"]).post(
        "/admin/products/new", data=product_form(sku="SHAWL-1")))


# ------------------------------------------------------------------ variants


def test_a_product_with_variants_takes_price_and_stock_from_them(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new", data={
        **product_form(price="", stock=""), **SIZES_AND_COLOURS}))
    product = load_product(app, stores["a"], product_id)
    assert product.option_names == "Size,Colour"
    assert [(v.option1, v.option2, v.sku, v.price_amount, v.stock, v.weight_grams)
            for v in product.variants] == [("S", "Red", "KAN-S-R", 140_000, 3, None),
                                           ("M", "Red", "KAN-M-R", 150_000, 2, 450)]
    assert product.variants[1].compare_at_amount == 180_000
    assert (product.price_amount, product.stock) == (140_000, 5)
    page = html(owner.get(f"/admin/products/{product_id}"))
    assert field_value(page, "variant-1-sku") == "KAN-M-R"
    assert field_value(page, "option2_values") == "Red"
    shop = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert "S / Red" in shop and "M / Red" in shop


def test_every_variant_row_is_checked_and_kept(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    rows = [{"option1": "S", "option2": "Red", "price": "abc", "stock": "2"},
            {"option1": "S", "option2": "red", "price": "10", "stock": "-1"},
            {"option1": "", "option2": "Blue", "price": "10", "compare_at": "5",
             "weight": "x"}]
    response = owner.post("/admin/products/new", data={
        **product_form(), "option1_name": "Size", "option2_name": "Colour",
        **variant_fields(rows)})
    assert response.status_code == 422
    page = html(response)
    assert "Enter an amount" in field_error(page, "variant-0-price")
    assert "Row 1 already has this combination." in field_error(page, "variant-1-option1")
    assert "Enter a whole number" in field_error(page, "variant-1-stock")
    assert "Enter the Size." in field_error(page, "variant-2-option1")
    assert "must be higher" in field_error(page, "variant-2-compare_at")
    assert "Enter a whole number" in field_error(page, "variant-2-weight")
    assert field_value(page, "variant-0-price") == "abc"
    assert field_value(page, "variant-1-option2") == "red"
    assert field_value(page, "variant-2-weight") == "x"
    assert load_products(app, stores["a"]) == []


def test_variant_rows_need_a_named_option(app, stores, store_client):
    response = sign_in(store_client, stores["a"]).post("/admin/products/new", data={
        **product_form(), "option2_name": "Colour",
        **variant_fields([{"option1": "S", "price": "10"}])})
    assert response.status_code == 422
    assert "Name the first option" in field_error(html(response), "option1_name")
    assert "Fill in the options in order" in field_error(html(response), "option2_name")


def test_variant_stock_that_adds_up_beyond_a_billion_is_a_field_error(
        app, stores, store_client):
    # The product row stores the variants' total in a 32-bit column: PostgreSQL refused
    # 3,000,000,000 with a 500.
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", data={
        **product_form(), "option1_name": "Size", **variant_fields([
            {"option1": size, "price": "10", "stock": "1000000000"} for size in "SML"])})
    assert response.status_code == 422
    assert "more than 1,000,000,000 in stock together" in html(response)
    assert field_value(html(response), "variant-2-stock") == "1000000000"
    assert load_products(app, stores["a"]) == []


def test_make_every_combination_keeps_rows_that_exist(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", data={
        **product_form(price="1200"), "action": "combine",
        "option1_name": "Size", "option1_values": "S, M, L, m",
        "option2_name": "Colour", "option2_values": "Red, Blue",
        **variant_fields([{"option1": "M", "option2": "Blue", "sku": "KEEP-MB",
                           "price": "999", "stock": "7"},
                          {"option1": "XL", "option2": "Green", "price": "1"}])})
    assert response.status_code == 200
    page = html(response)
    combos = [(field_value(page, f"variant-{n}-option1"), field_value(page, f"variant-{n}-option2"))
              for n in range(7)]
    assert combos[:6] == [("S", "Red"), ("S", "Blue"), ("M", "Red"), ("M", "Blue"),
                          ("L", "Red"), ("L", "Blue")]
    assert combos[6] == (None, None)
    assert (field_value(page, "variant-3-sku"), field_value(page, "variant-3-price"),
            field_value(page, "variant-3-stock")) == ("KEEP-MB", "999", "7")
    assert field_value(page, "variant-0-price") == "1200"
    assert "(6 rows)" in page and "1 row with another combination was taken out." in page
    assert field_value(page, "title") == "Blue Kantha"
    assert load_products(app, stores["a"]) == []  # nothing saved by the helper


def test_make_every_combination_explains_what_is_missing(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    empty = owner.post("/admin/products/new", data={
        **product_form(), "action": "combine", "option1_name": "Size"})
    assert empty.status_code == 422
    assert "List the values of Size" in field_error(html(empty), "option1_values")
    too_many = owner.post("/admin/products/new", data={
        **product_form(), "action": "combine",
        "option1_name": "A", "option1_values": ",".join(str(i) for i in range(11)),
        "option2_name": "B", "option2_values": ",".join(str(i) for i in range(10))})
    assert too_many.status_code == 422
    assert "110 combinations" in html(too_many)


def test_rows_are_added_and_removed_without_saving(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    base = {**product_form(price="700"), "option1_name": "Size",
            **variant_fields([{"option1": "S", "price": "1"}, {"option1": "M", "price": "2"}])}
    added = html(owner.post("/admin/products/new", data={**base, "action": "add_variant"}))
    assert field_value(added, "variant-2-price") == "700"
    removed = html(owner.post("/admin/products/new",
                              data={**base, "action": "remove_variant:0"}))
    assert field_value(removed, "variant-0-option1") == "M"
    assert field_value(removed, "variant-1-option1") is None
    assert load_products(app, stores["a"]) == []


def test_editing_variants_keeps_their_ids_and_may_swap_combinations(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new", data={
        **product_form(), **SIZES_AND_COLOURS}))
    small, medium = load_product(app, stores["a"], product_id).variants
    response = owner.post(f"/admin/products/{product_id}", data={
        **product_form(handle="blue-kantha"), "option1_name": "Size", "option2_name": "Colour",
        **variant_fields([
            {"id": str(small.id), "option1": "M", "option2": "Red", "price": "1400",
             "stock": "3", "sku": "KAN-S-R"},
            {"id": str(medium.id), "option1": "S", "option2": "Red", "price": "1500",
             "stock": "2", "sku": "KAN-M-R"},
            {"option1": "L", "option2": "Red", "price": "1300", "stock": "1"}])})
    assert response.status_code == 303, html(response)[:3000]
    variants = load_product(app, stores["a"], product_id).variants
    assert [(v.id, v.option1) for v in variants[:2]] == [(small.id, "M"), (medium.id, "S")]
    assert variants[2].option1 == "L"
    assert load_product(app, stores["a"], product_id).price_amount == 130_000


def test_removing_variants_of_a_sold_product_keeps_its_orders(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new", data={
        **product_form(), **SIZES_AND_COLOURS}))
    small, _medium = load_product(app, stores["a"], product_id).variants
    with app.app_context(), tenant_scope(stores["a"].id):
        order = Order(number=next_order_number(), token=secrets.token_urlsafe(24),
                      idempotency_key=secrets.token_hex(16), currency="BDT",
                      email="buyer@example.com", phone="", payment_method="manual",
                      payment_label="Pay on delivery", subtotal=140_000, total=140_000)
        order.lines.append(OrderLine(product_id=product_id, variant_id=small.id,
                                     title="Blue Kantha", variant_title="S / Red",
                                     sku="KAN-S-R", quantity=1, unit_price=140_000,
                                     line_total=140_000))
        db.session.add(order)
        db.session.commit()
        order_id = order.id
    # Drop every variant: back to a simple product.
    assert owner.post(f"/admin/products/{product_id}",
                      data=product_form(handle="blue-kantha")).status_code == 303
    assert load_product(app, stores["a"], product_id).variants == []
    with app.app_context(), tenant_scope(stores["a"].id):
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.variant_id, line.product_id) == (None, product_id)
        assert (line.title, line.variant_title, line.sku) == ("Blue Kantha", "S / Red",
                                                              "KAN-S-R")
    detail = owner.get(f"/admin/orders/{order_id}")
    assert detail.status_code == 200 and "S / Red" in html(detail)
    # Deleting the product keeps the order too.
    assert owner.post(f"/admin/products/{product_id}/delete").status_code == 303
    detail = owner.get(f"/admin/orders/{order_id}")
    assert detail.status_code == 200 and "Blue Kantha" in html(detail)


# -------------------------------------------------------------------- delete


def test_deleting_asks_first(app, stores, store_client, add_product):
    product_id = add_product(stores["a"], "kantha", title="Kantha")
    owner = sign_in(store_client, stores["a"])
    confirm = html(owner.get(f"/admin/products/{product_id}/delete"))
    assert "Delete the product Kantha?" in confirm and 'name="csrf_token"' in confirm
    assert len(load_products(app, stores["a"])) == 1
    response = owner.post(f"/admin/products/{product_id}/delete")
    assert response.status_code == 303 and response.location == "/admin/products"
    assert "Product Kantha deleted." in html(owner.get("/admin/products"))
    assert load_products(app, stores["a"]) == []
    assert store_client("alpha-shop").get("/products/kantha").status_code == 404


# ----------------------------------------------------------------- isolation


def test_store_a_cannot_see_or_change_store_b_products(app, stores, store_client, add_product):
    theirs = add_product(stores["b"], "secret", title="Beta Secret", price=999, image=True,
                         variants=[("S", 999, 1)])
    [their_image] = load_product(app, stores["b"], theirs).images
    add_product(stores["a"], "mine", title="Alpha Mine")
    add_staff(app, stores["a"], "helper@alpha-shop.example")
    staff = sign_in(store_client, stores["a"], "helper@alpha-shop.example")
    assert listed_titles(html(staff.get("/admin/products"))) == ["Alpha Mine"]
    assert "Beta" not in html(staff.get("/admin/products?q=Secret"))
    image_url = f"/admin/products/{theirs}/images/{their_image.id}/delete"
    for path in (f"/admin/products/{theirs}", f"/admin/products/{theirs}/delete", image_url):
        response = staff.get(path)
        assert response.status_code == 404, path
        assert "Beta" not in html(response)
    for path in (f"/admin/products/{theirs}", f"/admin/products/{theirs}/delete", image_url):
        assert staff.post(path, data=product_form(title="Hijacked")).status_code == 404, path
    product = load_product(app, stores["b"], theirs)
    assert (product.title, product.price_amount, len(product.images), len(product.variants)) \
        == ("Beta Secret", 999, 1, 1)


def test_variant_ids_of_another_store_become_new_rows(app, stores, store_client, add_product):
    theirs = add_product(stores["b"], "secret", variants=[("S", 999, 1)])
    [their_variant] = load_product(app, stores["b"], theirs).variants
    owner = sign_in(store_client, stores["a"])
    product_id = created_id(owner.post("/admin/products/new", data={
        **product_form(), "option1_name": "Size",
        **variant_fields([{"id": str(their_variant.id), "option1": "XL", "price": "5"}])}))
    [mine] = load_product(app, stores["a"], product_id).variants
    assert mine.id != their_variant.id
    [still] = load_product(app, stores["b"], theirs).variants
    assert (still.option1, still.price_amount) == ("S", 999)


def test_collections_of_another_store_are_ignored(app, stores, store_client):
    theirs = add_collection(app, stores["b"], "b-only", "Beta only")
    product_id = created_id(sign_in(store_client, stores["a"]).post(
        "/admin/products/new", data=product_form(collections=str(theirs))))
    assert load_product(app, stores["a"], product_id).memberships == []


# ---------------------------------------------------------------------- CSRF


def test_every_form_needs_its_csrf_token(app, stores, store_client, add_product):
    product_id = add_product(stores["a"], "kantha", title="Kantha", image=True)
    [image] = load_product(app, stores["a"], product_id).images
    owner = sign_in(store_client, stores["a"])
    for path in ("/admin/products/new", f"/admin/products/{product_id}",
                 f"/admin/products/{product_id}/delete",
                 f"/admin/products/{product_id}/images/{image.id}/delete"):
        page = html(owner.get(path))
        assert page.count('name="csrf_token"') >= page.count('method="post"') > 0, path
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [owner.post("/admin/products/new", data=product_form(title="New")),
                 owner.post(f"/admin/products/{product_id}",
                            data=product_form(title="Changed", handle="kantha")),
                 owner.post(f"/admin/products/{product_id}/images/{image.id}/delete"),
                 owner.post(f"/admin/products/{product_id}/delete")]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [p.status_code for p in posts] == [400, 400, 400, 400]
    [product] = load_products(app, stores["a"])
    assert (product.title, len(product.images)) == ("Kantha", 1)


# ---------------------------------------------------------------------- list


def test_the_list_shows_price_stock_status_and_thumbnail(app, stores, store_client,
                                                         add_product):
    add_product(stores["a"], "kantha", title="Kantha", price=150_000, stock=3, image=True)
    add_product(stores["a"], "shawl", title="Shawl", price=90_000, stock=0, status="draft",
                sku="SH-1")
    add_product(stores["a"], "tee", title="Tee", variants=[("S", 50_000, 2), ("M", 60_000, 9)],
                price=50_000, stock=11)
    page = html(sign_in(store_client, stores["a"]).get("/admin/products"))
    assert "1,500.00" in page and "900.00" in page
    assert 'data-stock="low"' in page and 'data-stock="out"' in page
    assert 'data-status="draft"' in page and 'data-status="active"' in page
    assert re.search(r'<img src="/media/products/kantha-\d+\.jpg"', page)
    assert "SKU SH-1" in page and "2 variants" in page and "from" in page
    assert "3 products" in page


def test_a_bengali_digits_store_sees_its_counts_in_bengali_digits(app, stores, store_client,
                                                                 add_product):
    """"৩টি পণ্য" next to "25" on one screen: every count follows the store's digits."""
    set_store(app, stores["a"], locale="bn", bengali_digits=True)
    add_product(stores["a"], "kantha", title="Kantha", price=150_000, stock=25)
    add_product(stores["a"], "shawl", title="Shawl", price=90_000, stock=4)
    add_product(stores["a"], "tee", title="Tee", variants=[("S", 50_000, 2), ("M", 60_000, 9)],
                price=50_000, stock=11)
    owner = sign_in(store_client, stores["a"])
    page = html(owner.get("/admin/products"))
    assert sorted(re.findall(r'data-stock="in">([^<]*)<', page)) == ["১১", "২৫"]
    low = re.search(r'data-stock="low">([^<]*)<', page)[1]
    assert "৪" in low and not re.search(r"[0-9]", low)
    count = re.search(r'<p class="list-count">([^<]*)</p>', page)[1]
    assert "৩" in count and not re.search(r"[0-9]", count)
    variants = re.search(r'<span class="muted">([^<]*২[^<]*)</span>', page)
    assert variants, "the variant count"
    assert not re.search(r"[0-9]", variants[1])
    # The product form: the option and row numbers, the SEO help's counts.
    form = html(owner.get("/admin/products/new"))
    seo_help = re.search(r'id="f-seo_title-help">([^<]*)<', form)[1]
    assert "৭০" in seo_help and "২০০" in seo_help and not re.search(r"[0-9]", seo_help)


def test_search_filters_and_sorting(app, stores, store_client, add_product):
    add_collection(app, stores["a"], "quilts", "Quilts")
    quilts = add_collection(app, stores["a"], "quilts-2", "More quilts")
    add_product(stores["a"], "kantha", title="Nakshi Kantha", price=150_000, stock=3,
                collection="quilts-2", tags="gift, eid")
    add_product(stores["a"], "shawl", title="Pashmina Shawl", price=90_000, stock=0,
                status="draft", sku="SHAWL-9")
    add_product(stores["a"], "tee", title="apple Tee", price=50_000, stock=40,
                variants=[("S", 50_000, 40)])
    with app.app_context(), tenant_scope(stores["a"].id):
        from core.catalog.models import ProductVariant
        db.session.scalar(select(ProductVariant)).sku = "TEE-VAR-S"
        db.session.commit()
    owner = sign_in(store_client, stores["a"])

    def titles(query: str) -> list[str]:
        response = owner.get(f"/admin/products?{query}")
        assert response.status_code == 200
        return listed_titles(html(response))

    assert titles("q=kantha") == ["Nakshi Kantha"]
    assert titles("q=shawl-9") == ["Pashmina Shawl"]
    assert titles("q=var-s") == ["apple Tee"]
    assert titles("q=eid") == ["Nakshi Kantha"]
    assert titles("q=100%25") == []
    assert titles("status=draft") == ["Pashmina Shawl"]
    assert set(titles("status=active")) == {"Nakshi Kantha", "apple Tee"}
    assert titles(f"collection={quilts}") == ["Nakshi Kantha"]
    assert titles("stock=out") == ["Pashmina Shawl"]
    assert titles("stock=low") == ["Nakshi Kantha"]
    assert set(titles("stock=in")) == {"Nakshi Kantha", "apple Tee"}
    assert titles("sort=title") == ["apple Tee", "Nakshi Kantha", "Pashmina Shawl"]
    assert titles("sort=price_low") == ["apple Tee", "Pashmina Shawl", "Nakshi Kantha"]
    assert titles("sort=price_high") == ["Nakshi Kantha", "Pashmina Shawl", "apple Tee"]
    assert titles("sort=stock_low") == ["Pashmina Shawl", "Nakshi Kantha", "apple Tee"]
    assert titles("sort=stock_high") == ["apple Tee", "Nakshi Kantha", "Pashmina Shawl"]
    assert titles("sort=newest") == ["apple Tee", "Pashmina Shawl", "Nakshi Kantha"]
    empty = html(owner.get("/admin/products?q=nothing-like-this"))
    assert "No products match these filters." in empty
    bad = owner.get("/admin/products?status=gone&stock=lots&sort=best&collection=999999")
    assert bad.status_code == 200
    page = html(bad)
    for message in ("Choose one of the listed statuses.",
                    "Choose one of the listed stock levels.",
                    "Choose one of the listed sort orders.",
                    "Choose one of the listed collections."):
        assert message in page
    assert len(listed_titles(page)) == 3


def test_the_list_has_pages_that_keep_the_filters(app, stores, store_client):
    with app.app_context(), tenant_scope(stores["a"].id):
        from core.catalog.models import Product
        for number in range(55):
            db.session.add(Product(handle=f"item-{number:02d}", title=f"Item {number:02d}",
                                   price_amount=100 + number, stock=10))
        db.session.commit()
    owner = sign_in(store_client, stores["a"])
    first = html(owner.get("/admin/products?sort=title&status=active"))
    assert listed_titles(first)[:2] == ["Item 00", "Item 01"] and len(listed_titles(first)) == 50
    assert "Showing 1–50 of 55 products" in first
    assert 'href="/admin/products?page=2&amp;' in first and "sort=title" in first
    second = html(owner.get("/admin/products?sort=title&status=active&page=2"))
    assert listed_titles(second) == [f"Item {n}" for n in range(50, 55)]
    assert listed_titles(html(owner.get("/admin/products?sort=title&page=999"))) == \
        listed_titles(second)
    # "²".isdigit() is true but int() refuses it: such a page number is page 1, not a 500.
    assert listed_titles(html(owner.get("/admin/products?sort=title&page=%C2%B2"))) == \
        listed_titles(first)


def test_the_list_runs_the_same_queries_for_5_or_30_products(app, stores, store_client,
                                                             add_product, count_queries):
    collection_args = {"collection": "quilts"}

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            add_product(stores["a"], f"p-{number}", image=number % 2 == 0,
                        variants=[("S", 100, 1), ("M", 200, 2)] if number % 3 == 0 else None,
                        **collection_args)

    add(5, 0)
    owner = sign_in(store_client, stores["a"])
    owner.get("/admin/products")  # warm the store and plugin caches
    with count_queries() as few:
        assert len(listed_titles(html(owner.get("/admin/products")))) == 5
    add(25, 5)
    owner.get("/admin/products")  # the store cache may have expired meanwhile
    with count_queries() as many:
        assert len(listed_titles(html(owner.get("/admin/products")))) == 30
    assert len(few) == len(many) <= 9, many


def test_the_edit_page_runs_a_fixed_number_of_queries(app, stores, store_client, add_product,
                                                      count_queries):
    few_id = add_product(stores["a"], "few", variants=[("S", 100, 1)], image=True)
    many_id = add_product(stores["a"], "many", image=True,
                          variants=[(str(n), 100, 1) for n in range(20)])
    owner = sign_in(store_client, stores["a"])
    owner.get(f"/admin/products/{few_id}")
    with count_queries() as few:
        assert owner.get(f"/admin/products/{few_id}").status_code == 200
    with count_queries() as many:
        assert owner.get(f"/admin/products/{many_id}").status_code == 200
    assert len(few) == len(many), many


# ----------------------------------------------------------------------- SEO


def test_the_seo_title_and_description_are_used_by_the_store(app, stores, store_client,
                                                             enable_plugin):
    owner = sign_in(store_client, stores["a"])
    created_id(owner.post("/admin/products/new", data=product_form(
        seo_title="Handmade Kantha Quilts from Jessore",
        seo_description="Soft cotton quilts stitched by hand.")))
    page = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert re.search(r"<title>Handmade Kantha Quilts from Jessore[^<]*</title>", page)
    assert '<meta name="description" content="Soft cotton quilts stitched by hand.">' in page
    enable_plugin(stores["a"], "seo")
    page = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert "<title>Handmade Kantha Quilts from Jessore</title>" in page
    assert '<meta name="description" content="Soft cotton quilts stitched by hand.">' in page
    assert "<h1 class=\"product-title\">Blue Kantha</h1>" in page


def test_without_seo_fields_the_title_and_description_are_used(app, stores, store_client,
                                                               enable_plugin):
    enable_plugin(stores["a"], "seo")
    created_id(sign_in(store_client, stores["a"]).post("/admin/products/new",
                                                       data=product_form()))
    page = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert "<title>Blue Kantha | Alpha Shop</title>" in page
    assert '<meta name="description" content="Hand-stitched in Jessore.">' in page


def test_a_product_can_have_a_hundred_variants_of_three_options(app, stores, store_client):
    # No empty values: Werkzeug 3.1's multipart parser can lose an empty field that
    # ends exactly at a 64 KiB chunk border (pallets/werkzeug#3285), which made this flaky.
    rows = [{"option1": size, "option2": colour, "option3": cloth, "sku": f"V-{n}",
             "price": "100", "compare_at": "120", "stock": "1", "weight": "250"}
            for n, (size, colour, cloth) in enumerate(
                (s, c, m) for s in "ABCDE" for c in "FGHIJ" for m in "KLMN")]
    data = {**product_form(tags="a, b", video_url="https://vimeo.com/76979871",
                           seo_title="T", seo_description="D", compare_at="2000",
                           sku="V", handle="many"),
            "option1_name": "Size", "option2_name": "Colour", "option3_name": "Cloth",
            "option1_values": "A, B, C, D, E", "option2_values": "F, G, H, I, J",
            "option3_values": "K, L, M, N", **variant_fields(rows)}
    owner = sign_in(store_client, stores["a"])
    # As a browser sends it: multipart, where the number of parts is limited.
    product_id = created_id(owner.post("/admin/products/new", data=data,
                                       content_type="multipart/form-data"))
    assert len(load_product(app, stores["a"], product_id).variants) == 100
    page = html(owner.get(f"/admin/products/{product_id}"))
    assert field_value(page, "variant-99-sku") == "V-99"
    one_more = owner.post("/admin/products/new", data={
        **data, **variant_fields([*rows, {"option1": "Z", "option2": "Z", "option3": "Z",
                                          "price": "1"}]),
        **{f"variant-{n}-sku": "" for n in range(101)}})
    assert one_more.status_code == 422
    assert "at most 100 variants" in html(one_more)
