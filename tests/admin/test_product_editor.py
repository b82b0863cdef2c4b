"""The product editor without JavaScript (issue 16): a step such as "make every
combination" is a step, not an error, and loses nothing typed or chosen; photos chosen
are kept as staged images until the product is saved; each variant may have its own
photo, which the storefront shows for that variant; a product without options has no
variant table; another store's photos can be neither seen nor attached; the editor's
rich text is sanitised. The page is posted back as a browser would (``form_fields``).
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from admin.product_support import (
    field_error,
    field_value,
    form_fields,
    load_product,
    load_products,
    product_form,
)
from admin_support import html, sign_in
from core.catalog.models import StagedImage
from core.db import db, utcnow
from core.demo.images import placeholder_image
from tenants import tenant_scope


@pytest.fixture
def stores(make_store):
    return {"a": make_store("alpha-shop", name="Alpha Shop", currency="BDT"),
            "b": make_store("beta-shop", name="Beta Shop", currency="BDT")}


def upload(name: str, data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data if data is not None else placeholder_image(name, 400)), name


def media_files(app, tenant) -> set[str]:
    root = Path(app.config["HAAT_MEDIA_DIR"]) / str(tenant.id)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def staged_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="staged-(\d+)-alt"', page)]


def staged_rows(app, tenant) -> list[StagedImage]:
    with app.app_context(), tenant_scope(tenant.id):
        rows = list(db.session.scalars(select(StagedImage).order_by(StagedImage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def variant_table(page: str) -> bool:
    return 'class="list-table variant-table"' in page


def photo_choices(page: str, row: int) -> list[tuple[str, str]]:
    """(value, label) of the photo choice of variant row ``row``."""
    match = re.search(rf'<select id="f-variant-{row}-image".*?</select>', page, re.S)
    assert match, f"no photo choice in row {row}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match[0])


COLOURS = {"option1_name": "Colour", "option1_values": "Red, Blue"}


# --------------------------------------------------- a step is not an error


def test_make_every_combination_keeps_photos_and_typed_values_and_is_no_error(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(title="Silk Scarf", description="Hand-woven.", price="1200",
                       tags="silk, gift"),
        **COLOURS, "action": "combine",
        "images": [upload("red.jpg"), upload("blue.jpg")]})
    assert response.status_code == 200
    page = html(response)
    # A neutral note, no red banner and no alert.
    assert "Nothing was saved. Please correct" not in page
    assert 'role="alert"' not in page
    assert 'class="notice" role="status"' in page and "one row per combination" in page
    # Everything typed is there, and both photos are listed, waiting to be saved.
    for name, value in (("title", "Silk Scarf"), ("description", "Hand-woven."),
                        ("price", "1200"), ("tags", "silk, gift"),
                        ("variant-0-option1", "Red"), ("variant-1-option1", "Blue"),
                        ("variant-0-price", "1200")):
        assert field_value(page, name) == value, name
    first, second = staged_ids(page)
    assert "red.jpg" in page and "blue.jpg" in page and "Not saved yet" in page
    assert [v for v, _label in photo_choices(page, 0)] == ["", f"s{first}", f"s{second}"]
    assert load_products(app, stores["a"]) == []

    # The merchant fills in the rows, gives Blue its photo and saves: the page as it is.
    fields = form_fields(page)
    fields.update({"variant-0-stock": "3", "variant-1-stock": "৪",
                   "variant-1-image": f"s{second}", f"staged-{first}-alt": "Red scarf",
                   "action": "save"})
    saved = owner.post("/admin/products/new", data=fields)
    assert saved.status_code == 303, html(saved)[:3000]
    [product] = load_products(app, stores["a"])
    assert [i.alt for i in product.images] == ["Red scarf", ""]
    red, blue = product.variants
    assert (red.option1, red.stock, red.image_id) == ("Red", 3, None)
    assert (blue.option1, blue.stock, blue.image_id) == ("Blue", 4, product.images[1].id)
    assert staged_rows(app, stores["a"]) == []  # they became the product's images


def test_add_and_remove_rows_keep_photos(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "option1_name": "Size", "action": "add_variant",
        "images": [upload("front.jpg")]}))
    assert variant_table(page) and field_value(page, "variant-0-price") == "1500"
    [kept] = staged_ids(page)
    fields = form_fields(page)
    fields["action"] = "remove_variant:0"
    response = owner.post("/admin/products/new", data=fields)
    assert response.status_code == 200
    page = html(response)
    assert staged_ids(page) == [kept] and not variant_table(page)


def test_a_step_with_its_own_mistake_shows_it_without_the_save_banner(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "option1_name": "Size", "action": "combine",
        "images": [upload("front.jpg")]})
    assert response.status_code == 422
    page = html(response)
    assert "List the values of Size" in field_error(page, "option1_values")
    assert "Nothing was saved. Please correct" not in page
    assert len(staged_ids(page)) == 1


def test_a_staged_photo_can_be_taken_out_before_saving(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "action": "combine", **COLOURS,
        "images": [upload("keep.jpg"), upload("drop.jpg")]}))
    keep, drop = staged_ids(page)
    fields = form_fields(page)
    fields.update({"variant-0-image": f"s{drop}", "action": f"remove_staged:{drop}"})
    page = html(owner.post("/admin/products/new", data=fields))
    assert staged_ids(page) == [keep]
    assert [v for v, _label in photo_choices(page, 0)] == ["", f"s{keep}"]
    assert [r.id for r in staged_rows(app, stores["a"])] == [keep]
    files = media_files(app, stores["a"])
    assert staged_rows(app, stores["a"])[0].storage_key in files
    assert len({f.rsplit("-", 1)[0] for f in files if f.endswith(".webp")}) == 1


def test_photos_chosen_are_placed_where_their_positions_say(app, stores, store_client,
                                                            add_product):
    product_id = add_product(stores["a"], "kantha", image=True)
    owner = sign_in(store_client, stores["a"])
    page = html(owner.post(f"/admin/products/{product_id}", content_type="multipart/form-data",
                           data={**product_form(handle="kantha", price="abc"),
                                 "images": [upload("new.jpg")]}))
    [staged] = staged_ids(page)
    assert field_value(page, f"staged-{staged}-position") == "2"
    [old] = load_product(app, stores["a"], product_id).images
    fields = form_fields(page)
    fields.update({"price": "1500", f"staged-{staged}-position": "১",
                   f"image-{old.id}-position": "২", "action": "save"})
    assert owner.post(f"/admin/products/{product_id}", data=fields).status_code == 303
    images = load_product(app, stores["a"], product_id).images
    assert [i.id for i in images][1] == old.id and images[0].id != old.id


def test_staged_photos_left_for_a_day_are_removed_with_their_files(app, stores,
                                                                   store_client):
    owner = sign_in(store_client, stores["a"])
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data",
                           data={**product_form(price="abc"), "images": [upload("old.jpg")]}))
    [old] = staged_ids(page)
    old_key = staged_rows(app, stores["a"])[0].storage_key
    with app.app_context(), tenant_scope(stores["a"].id):
        db.session.execute(update(StagedImage).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data",
                           data={**product_form(price="abc"), "images": [upload("new.jpg")]}))
    assert [r.id for r in staged_rows(app, stores["a"])] == staged_ids(page) != [old]
    assert old_key not in media_files(app, stores["a"])
    # A form that still lists the removed one says so instead of losing it silently.
    page = html(owner.post("/admin/products/new", data={
        **product_form(), f"staged-{old}-alt": "", f"staged-{old}-position": "1"}))
    assert "no longer kept" in page
    assert load_products(app, stores["a"]) == []


# ---------------------------------------------------------- the script's upload


def test_the_script_stages_each_photo_as_it_is_chosen(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/photos", content_type="multipart/form-data",
                          data={"title": "Silk Scarf", "images": [upload("red.jpg")]})
    assert response.status_code == 200
    [photo] = response.get_json()["photos"]
    assert photo["value"] == f"s{photo['id']}" and photo["name"] == "red.jpg"
    assert photo["thumbnail"].startswith("/media/products/silk-scarf-")
    assert owner.get(photo["thumbnail"]).status_code == 200
    refused = owner.post("/admin/products/photos", content_type="multipart/form-data",
                         data={"images": [upload("notes.txt", b"text")]})
    assert refused.status_code == 422
    assert "notes.txt: This file is not an image" in refused.get_json()["errors"][0]
    assert owner.post("/admin/products/photos").status_code == 400

    # Taken out again in the page: gone with its files.
    key = staged_rows(app, stores["a"])[0].storage_key
    assert owner.post(f"/admin/products/photos/{photo['id']}/delete").status_code == 204
    assert staged_rows(app, stores["a"]) == [] and key not in media_files(app, stores["a"])


# ------------------------------------------------------------ variant photos


def _product_with_colour_photos(app, stores, owner) -> tuple[int, list, list]:
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(title="Silk Scarf", price="1200"), **COLOURS, "action": "combine",
        "images": [upload("main.jpg"), upload("blue.jpg")]}))
    _main, blue = staged_ids(page)
    fields = form_fields(page)
    fields.update({"variant-0-stock": "3", "variant-1-stock": "2",
                   "variant-1-image": f"s{blue}", f"staged-{blue}-alt": "The blue one",
                   "action": "save"})
    response = owner.post("/admin/products/new", data=fields)
    product_id = int(response.location.rsplit("/", 1)[1])
    product = load_product(app, stores["a"], product_id)
    return product_id, product.images, product.variants


def test_a_variant_photo_is_shown_in_the_editor_and_by_the_storefront(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id, images, (red, blue) = _product_with_colour_photos(app, stores, owner)
    assert (red.image_id, blue.image_id) == (None, images[1].id)
    editor = html(owner.get(f"/admin/products/{product_id}"))
    choices = photo_choices(editor, 1)
    assert [v for v, _label in choices] == ["", str(images[0].id), str(images[1].id)]
    assert re.search(rf'<option value="{images[1].id}" selected>Photo 2: The blue one',
                     editor)

    shop = store_client("alpha-shop")
    page = html(shop.get("/products/silk-scarf"))
    # Each option names its photo for storefront.js; the gallery's photos carry their ids.
    assert re.search(rf'<option value="{blue.id}"[^>]*data-image="{images[1].id}"', page)
    assert re.search(rf'<option value="{red.id}"[^>]*data-image=""', page)
    main = re.search(r'<figure class="gallery-main" data-image-id="(\d+)"', page)
    assert main and int(main[1]) == images[0].id
    # The page for ?variant= (a reload, a shared link, no JavaScript) opens on its photo.
    page = html(shop.get(f"/products/silk-scarf?variant={blue.id}"))
    main = re.search(r'<figure class="gallery-main" data-image-id="(\d+)"', page)
    assert main and int(main[1]) == images[1].id
    assert page.count("data-image-id=") == 2  # the other photo is still there
    assert images[1].storage_key[:-4] in page[page.index("gallery-main"):][:1500]


def test_deleting_a_photo_leaves_its_variants_without_one(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id, images, _variants = _product_with_colour_photos(app, stores, owner)
    url = f"/admin/products/{product_id}/images/{images[1].id}/delete"
    assert owner.post(url).status_code == 303
    product = load_product(app, stores["a"], product_id)
    assert [v.image_id for v in product.variants] == [None, None]
    assert html(store_client("alpha-shop").get("/products/silk-scarf")).count(
        "data-image-id=") == 1


def test_a_variant_photo_must_be_one_of_the_products_photos(app, stores, store_client,
                                                            add_product):
    other = add_product(stores["a"], "other", image=True)
    [other_image] = load_product(app, stores["a"], other).images
    owner = sign_in(store_client, stores["a"])
    product_id, _images, _variants = _product_with_colour_photos(app, stores, owner)
    fields = form_fields(html(owner.get(f"/admin/products/{product_id}")))
    fields.update({"variant-0-image": str(other_image.id), "action": "save"})
    response = owner.post(f"/admin/products/{product_id}", data=fields)
    assert response.status_code == 422
    assert "Choose one of this product's photos." in field_error(html(response),
                                                                  "variant-0-image")
    assert load_product(app, stores["a"], product_id).variants[0].image_id is None


# ------------------------------------------------------------- no options


def test_a_product_without_options_has_no_variant_table(app, stores, store_client,
                                                        add_product):
    product_id = add_product(stores["a"], "plain")
    owner = sign_in(store_client, stores["a"])
    for path in ("/admin/products/new", f"/admin/products/{product_id}"):
        page = html(owner.get(path))
        assert not variant_table(page), path
        assert re.search(r'<p data-add-row hidden>', page), path  # no rows without options
        assert 'data-variant-area' in page and "Make every combination" in page
    # Asking for a row without naming an option says what to do; still no table.
    response = owner.post("/admin/products/new", data={**product_form(),
                                                       "action": "add_variant"})
    page = html(response)
    assert "Name the first option" in field_error(page, "option1_name")
    assert not variant_table(page) and "Nothing was saved. Please correct" not in page
    # Once the option has a name, the table and the row button are there.
    page = html(owner.post("/admin/products/new", data={**product_form(), **COLOURS,
                                                        "action": "combine"}))
    assert variant_table(page) and '<p data-add-row>' in page


# ------------------------------------------------------------- isolation


def test_another_stores_photos_cannot_be_seen_or_attached(app, stores, store_client,
                                                          add_product):
    theirs = add_product(stores["b"], "secret", title="Beta Secret", image=True)
    [their_image] = load_product(app, stores["b"], theirs).images
    beta = sign_in(store_client, stores["b"])
    staged = beta.post("/admin/products/photos", content_type="multipart/form-data",
                       data={"images": [upload("beta.jpg")]}).get_json()["photos"][0]
    their_staged_key = staged_rows(app, stores["b"])[0].storage_key

    owner = sign_in(store_client, stores["a"])
    page = html(owner.post("/admin/products/new", data={**product_form(), **COLOURS,
                                                        "action": "combine"}))
    fields = form_fields(page)
    # B's image id as a variant photo, and B's staged photo listed as if chosen here.
    fields.update({"variant-0-image": str(their_image.id), "variant-1-image": staged["value"],
                   f"staged-{staged['id']}-alt": "Mine now",
                   f"staged-{staged['id']}-position": "1", "action": "save"})
    response = owner.post("/admin/products/new", data=fields)
    assert response.status_code == 422
    page = html(response)
    assert "Choose one of this product's photos." in field_error(page, "variant-0-image")
    assert "Choose one of this product's photos." in field_error(page, "variant-1-image")
    for secret in (their_image.storage_key[:-4], their_staged_key[:-4], "beta.jpg"):
        assert secret not in page
    assert load_products(app, stores["a"]) == []
    assert "no longer kept" in page  # what A's form claimed was chosen is not A's
    # The page as it came back, without the variant photos, saves: no image of B's.
    fields = form_fields(page)
    assert not any(name.startswith("staged-") for name in fields)
    fields.update({"variant-0-image": "", "variant-1-image": "", "action": "save"})
    assert owner.post("/admin/products/new", data=fields).status_code == 303
    [mine] = load_products(app, stores["a"])
    assert mine.images == []
    # B's staged photo is untouched, and A cannot take it out either.
    assert [r.id for r in staged_rows(app, stores["b"])] == [staged["id"]]
    assert owner.post(f"/admin/products/photos/{staged['id']}/delete").status_code == 404
    assert their_staged_key in media_files(app, stores["b"])


# ------------------------------------------------- numbers in Bengali digits


def test_bengali_digits_in_the_editors_numbers(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    page = html(owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(price="১৮৫০", stock="৪", weight="৭০০"), "option1_name": "Size",
        "option1_values": "S, M", "action": "combine", "images": [upload("a.jpg")]}))
    # New rows take the price as typed, Bengali digits and all.
    assert field_value(page, "variant-0-price") == "১৮৫০"
    [staged] = staged_ids(page)
    fields = form_fields(page)
    fields.update({"variant-0-stock": "৪", "variant-0-weight": "৭০০",
                   "variant-1-stock": "১২", "variant-1-compare_at": "২০০০",
                   f"staged-{staged}-position": "১", "action": "save"})
    assert owner.post("/admin/products/new", data=fields).status_code == 303
    [product] = load_products(app, stores["a"])
    small, medium = product.variants
    assert (small.price_amount, small.stock, small.weight_grams) == (185_000, 4, 700)
    assert (medium.stock, medium.compare_at_amount) == (12, 200_000)
    assert product.weight_grams == 700 and len(product.images) == 1


def test_saved_amounts_come_back_in_the_stores_digits(app, stores, store_client):
    """A Bengali store with Bengali digits reads its saved prices and stock in them,
    and saving the page again stores the same values."""
    from admin_support import set_store

    set_store(app, stores["a"], locale="bn", bengali_digits=True)
    owner = sign_in(store_client, stores["a"])
    created = owner.post("/admin/products/new", data={
        **product_form(price="১৮৫০", stock="৪"), "option1_name": "Size",
        "option1_values": "S, M", "variant-0-option1": "S", "variant-0-price": "১৮৫০",
        "variant-0-stock": "৩", "variant-1-option1": "M", "variant-1-price": "১৯৫০",
        "variant-1-stock": "৫", "action": "save"})
    assert created.status_code == 303
    [product] = load_products(app, stores["a"])
    page = html(owner.get(f"/admin/products/{product.id}"))
    assert field_value(page, "variant-0-price") == "১৮৫০.০০"
    assert field_value(page, "variant-1-stock") == "৫"
    assert owner.post(f"/admin/products/{product.id}",
                      data={**form_fields(page), "action": "save"}).status_code == 303
    small, medium = load_products(app, stores["a"])[0].variants
    assert (small.price_amount, medium.price_amount, medium.stock) == (185_000, 195_000, 5)


# ------------------------------------------------------------- rich text


def test_what_the_rich_text_editor_writes_is_kept_sensibly_and_scripts_are_not(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    trix = ('<h1>Care</h1><div>Hand-stitched <strong>cotton</strong>, <em>soft</em><br>'
            'Second line</div><div><br></div><div>See <a href="https://example.com/care">'
            'the guide</a>.</div><ul><li>Cold wash</li><li><del>Iron</del></li></ul>'
            '<ol><li>One</li></ol><blockquote>Loved it</blockquote><pre>40 x 60 cm</pre>'
            '<div><script>alert(1)</script><img src=x onerror="alert(2)"></div>')
    response = owner.post("/admin/products/new", data=product_form(description=trix))
    assert response.status_code == 303
    [product] = load_products(app, stores["a"])
    assert product.description == (
        '<h2>Care</h2><p>Hand-stitched <strong>cotton</strong>, <em>soft</em><br>Second '
        'line</p><p>See <a href="https://example.com/care" rel="noopener noreferrer">the '
        'guide</a>.</p><ul><li>Cold wash</li><li><s>Iron</s></li></ul><ol><li>One</li></ol>'
        '<blockquote>Loved it</blockquote><pre>40 x 60 cm</pre>')
    page = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert "<h2>Care</h2>" in page and "alert(" not in page
    # The editor is given the description in its own markup: what it wrote, again.
    editor = html(owner.get(response.location))
    assert 'data-html="&lt;h1&gt;Care&lt;/h1&gt;&lt;div&gt;Hand-stitched' in editor
    owner.post("/admin/products/new", data=product_form(
        title="Plain", description="First paragraph.\n\nSecond one."))
    plain = html(owner.get(f"/admin/products/{load_products(app, stores['a'])[-1].id}"))
    assert ('data-html="&lt;div&gt;First paragraph.&lt;/div&gt;\n&lt;div&gt;Second '
            'one.&lt;/div&gt;"') in plain


def test_each_store_gets_its_own_digits_from_the_same_compiled_page(
        app, stores, store_client, add_product):
    """Jinja would fold ``{{ 1|number }}`` into the cached template with the first
    store's digits; the store-dependent filters are never folded."""
    from admin_support import set_store

    set_store(app, stores["a"], locale="bn", bengali_digits=True)
    for tenant in (stores["a"], stores["b"]):
        add_product(tenant, "kantha", image=True)
    pages = {}
    for key in ("a", "b", "a"):
        owner = sign_in(store_client, stores[key])
        product_id = load_products(app, stores[key])[0].id
        pages[key] = html(owner.get(f"/admin/products/{product_id}"))
        digits = re.search(r'"digits": "([^"]*)"', pages[key])[1]
        assert json.loads(f'"{digits}"') == ("০১২৩৪৫৬৭৮৯" if key == "a" else "0123456789"), key
    assert "১" in re.search(r'data-order-help>([^<]*)<', pages["a"])[1]
    assert "1" in re.search(r'data-order-help>([^<]*)<', pages["b"])[1]


def test_the_cart_shows_the_chosen_variants_photo(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    _product_id, images, (_red, blue) = _product_with_colour_photos(app, stores, owner)
    shopper = store_client("alpha-shop")
    page = html(shopper.get("/products/silk-scarf"))
    token = re.search(r'name="csrf_token" value="([^"]*)"', page)[1]  # "": a first visit
    added = shopper.post("/cart/add", data={"csrf_token": token, "product_id": _product_id,
                                            "variant_id": blue.id, "quantity": "1"})
    assert added.status_code in (302, 303), added.status_code
    cart = html(shopper.get("/cart"))
    assert images[1].storage_key[:-4] in cart and images[0].storage_key[:-4] not in cart
