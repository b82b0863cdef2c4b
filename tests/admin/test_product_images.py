"""Product images in the admin: uploading one or several, refusing files that are not
usable images or too large, alt text, reordering, deleting (with the files), the friendly
page for an upload above the request limit, and store isolation."""

from __future__ import annotations

import re

import pytest

from admin.product_support import (
    field_value,
    load_product,
    load_products,
    media_files,
    product_form,
    upload,
    upload_errors,
)
from admin_support import html, sign_in


@pytest.fixture
def stores(make_store):
    return {"a": make_store("alpha-shop", name="Alpha Shop", currency="BDT"),
            "b": make_store("beta-shop", name="Beta Shop", currency="BDT")}



def test_images_are_uploaded_with_the_product(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "images": [upload("front.jpg"), upload("back.png")]})
    assert response.status_code == 303, html(response)[:2000]
    [product] = load_products(app, stores["a"])
    assert [i.position for i in product.images] == [0, 1]
    files = media_files(app, stores["a"])
    for image in product.images:
        assert image.storage_key.startswith("products/blue-kantha-")
        assert image.storage_key in files and image.width == 400
        assert all(f"{image.storage_key[:-4]}-{w}.webp" in files for w in image.width_list)
    page = html(owner.get(response.location))
    assert page.count('class="image-item"') == 2
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in page and "multiple" in page
    shop = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert product.images[0].storage_key[:-4] in shop


def test_a_file_that_is_not_an_image_is_refused_next_to_the_upload_field(
        app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(title="Keep Me"),
        "images": [upload("good.jpg"), upload("notes.txt", b"just some text")]})
    assert response.status_code == 422
    page = html(response)
    assert "notes.txt: This file is not an image Haat can use" in upload_errors(page)
    assert field_value(page, "title") == "Keep Me"
    assert load_products(app, stores["a"]) == []
    # The good one is kept, waiting for the product to be saved (see test_product_editor).
    [staged] = re.findall(r'name="(staged-\d+)-alt"', page)
    assert "good.jpg" in page and field_value(page, f"{staged}-position") == "1"
    assert any(f.startswith("products/keep-me-") for f in media_files(app, stores["a"]))


def test_an_image_above_the_size_limit_is_refused(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    big = b"\x89PNG\r\n\x1a\n" + bytes(10 * 1024 * 1024 + 1)
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "images": [upload("huge.png", big)]})
    assert response.status_code == 422
    assert "huge.png: The image is larger than 10 MB." in upload_errors(html(response))
    assert load_products(app, stores["a"]) == []


def test_an_upload_above_the_request_limit_gets_a_friendly_page(app, stores, store_client,
                                                                 add_product):
    product_id = add_product(stores["a"], "kantha", title="Kantha")
    owner = sign_in(store_client, stores["a"])
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    try:
        response = owner.post(f"/admin/products/{product_id}",
                              content_type="multipart/form-data",
                              data={**product_form(title="Changed", handle="kantha"),
                                    "images": [upload("big.jpg", bytes(60_000))]})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    page = html(response)
    assert "That was too much to upload at once" in page and "Traceback" not in page
    assert f'href="/admin/products/{product_id}"' in page
    assert load_product(app, stores["a"], product_id).title == "Kantha"


def test_other_fields_wrong_keeps_the_image_for_the_next_save(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(price="abc"), "images": [upload("front.jpg")]})
    assert response.status_code == 422
    page = html(response)
    assert upload_errors(page) == ""  # nothing to choose again
    [staged_id] = re.findall(r'name="staged-(\d+)-alt"', page)
    kept = media_files(app, stores["a"])
    assert kept
    saved = owner.post("/admin/products/new", data={
        **product_form(), f"staged-{staged_id}-alt": "Front", f"staged-{staged_id}-position": "1"})
    assert saved.status_code == 303
    [product] = load_products(app, stores["a"])
    [image] = product.images
    assert image.alt == "Front" and image.storage_key in kept
    assert media_files(app, stores["a"]) == kept  # the same files, not a copy


def test_alt_text_and_order_are_saved(app, stores, store_client):
    owner = sign_in(store_client, stores["a"])
    product_id = int(owner.post("/admin/products/new", content_type="multipart/form-data",
                                data={**product_form(), "images": [upload("a.jpg"),
                                                                   upload("b.jpg"),
                                                                   upload("c.jpg")]},
                                ).location.rsplit("/", 1)[1])
    first, second, third = load_product(app, stores["a"], product_id).images
    response = owner.post(f"/admin/products/{product_id}", data={
        **product_form(handle="blue-kantha"),
        f"image-{first.id}-alt": "Folded", f"image-{first.id}-position": "3",
        f"image-{second.id}-alt": "", f"image-{second.id}-position": "2",
        f"image-{third.id}-alt": "  Spread   on a bed ", f"image-{third.id}-position": "1"})
    assert response.status_code == 303
    images = load_product(app, stores["a"], product_id).images
    assert [(i.id, i.alt, i.position) for i in images] == [
        (third.id, "Spread on a bed", 0), (second.id, "", 1), (first.id, "Folded", 2)]
    shop = html(store_client("alpha-shop").get("/products/blue-kantha"))
    assert shop.index("Spread on a bed") < shop.index("Folded")

    # Positions typed in Bengali digits order the images the same way.
    assert owner.post(f"/admin/products/{product_id}", data={
        **product_form(handle="blue-kantha"), f"image-{first.id}-position": "১",
        f"image-{second.id}-position": "৩", f"image-{third.id}-position": "২"},
    ).status_code == 303
    assert [(i.id, i.position) for i in load_product(app, stores["a"], product_id).images] == [
        (first.id, 0), (third.id, 1), (second.id, 2)]

    bad = owner.post(f"/admin/products/{product_id}", data={
        **product_form(handle="blue-kantha"), f"image-{first.id}-position": "first",
        f"image-{second.id}-alt": "x" * 301})
    assert bad.status_code == 422
    page = html(bad)
    assert "Enter a whole number" in page and "at most 300 characters" in page
    assert field_value(page, f"image-{first.id}-position") == "first"


def test_deleting_an_image_asks_first_and_removes_its_files(app, stores, store_client,
                                                            add_product):
    product_id = add_product(stores["a"], "kantha", image=True)
    owner = sign_in(store_client, stores["a"])
    owner.post(f"/admin/products/{product_id}", content_type="multipart/form-data", data={
        **product_form(handle="kantha"), "images": [upload("second.jpg")]})
    first, second = load_product(app, stores["a"], product_id).images
    url = f"/admin/products/{product_id}/images/{first.id}/delete"
    confirm = html(owner.get(url))
    assert "Delete this image" in confirm and 'name="csrf_token"' in confirm
    assert f'href="{url}"' in html(owner.get(f"/admin/products/{product_id}"))
    before = media_files(app, stores["a"])
    assert first.storage_key in before
    response = owner.post(url)
    assert response.status_code == 303
    [left] = load_product(app, stores["a"], product_id).images
    assert (left.id, left.position) == (second.id, 0)
    after = media_files(app, stores["a"])
    # The original and its renditions (e.g. products/kantha-320.webp); the second
    # upload's own stem may be products/kantha-<digits>, so match the widths exactly.
    stem, widths = first.storage_key[:-4], "|".join(first.widths.split(","))
    own_files = re.compile(rf"{re.escape(stem)}(-({widths})\.(webp|jpg)|\.jpg)")
    assert not any(own_files.fullmatch(f) for f in after)
    assert any(own_files.fullmatch(f) for f in before)
    assert second.storage_key in after
    assert owner.get(url).status_code == 404


def test_deleting_a_product_removes_its_image_files(app, stores, store_client, add_product):
    product_id = add_product(stores["a"], "kantha", image=True)
    keep_id = add_product(stores["a"], "keep", image=True)
    owner = sign_in(store_client, stores["a"])
    assert "products/kantha.jpg" in media_files(app, stores["a"])
    assert owner.post(f"/admin/products/{product_id}/delete").status_code == 303
    files = media_files(app, stores["a"])
    assert not any(re.fullmatch(r"products/kantha(-\d+\.\w+|\.jpg)", f) for f in files)
    assert load_product(app, stores["a"], keep_id).images[0].storage_key in files


def test_image_urls_of_another_store_are_not_found(app, stores, store_client, add_product):
    theirs = add_product(stores["b"], "secret", title="Beta Secret", image=True)
    [their_image] = load_product(app, stores["b"], theirs).images
    mine = add_product(stores["a"], "mine", image=True)
    owner = sign_in(store_client, stores["a"])
    for url in (f"/admin/products/{mine}/images/{their_image.id}/delete",
                f"/admin/products/{theirs}/images/{their_image.id}/delete"):
        assert owner.get(url).status_code == 404, url
        assert owner.post(url).status_code == 404, url
    # Alt text and position posted for B's image id on A's product are ignored.
    assert owner.post(f"/admin/products/{mine}", data={
        **product_form(handle="mine"), f"image-{their_image.id}-alt": "Hacked",
        f"image-{their_image.id}-position": "9"}).status_code == 303
    [still] = load_product(app, stores["b"], theirs).images
    assert (still.alt, still.position) == (their_image.alt, 0)
    assert their_image.storage_key in media_files(app, stores["b"])


def test_a_file_another_product_still_shows_is_kept(app, stores, store_client, add_product):
    """A CSV import may point two products at one stored file (an exported own-media
    URL): deleting one product must not take the other's picture away."""
    from core.catalog.models import ProductImage
    from core.db import db
    from tenants import tenant_scope

    product_id = add_product(stores["a"], "kantha", image=True)
    twin_id = add_product(stores["a"], "kantha-twin")
    shared = load_product(app, stores["a"], product_id).images[0]
    with app.app_context(), tenant_scope(stores["a"].id):
        db.session.add(ProductImage(product_id=twin_id, storage_key=shared.storage_key,
                                    width=shared.width, height=shared.height,
                                    widths=shared.widths))
        db.session.commit()
    owner = sign_in(store_client, stores["a"])
    assert owner.post(f"/admin/products/{product_id}/delete").status_code == 303
    assert shared.storage_key in media_files(app, stores["a"])
    image_url = f"/media/{shared.storage_key}"
    assert store_client(stores["a"].slug).get(image_url).status_code == 200
