"""CSV export and import of products through the admin: a round trip gives back the same
catalogue, bad rows reject the whole file with row-and-column errors, images, progress,
who may use it, and that nothing crosses stores.

Jobs run immediately in tests (``HAAT_JOBS=immediate``), so an import has finished by
the time ``POST /admin/products/import`` redirects to its page.
"""

from __future__ import annotations

import csv
import io
import re
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest
from fakes.http import LocalServer
from PIL import Image
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from admin_support import add_staff, html, sign_in
from core.catalog.images import store_image
from core.catalog.imports import ProductImport
from core.catalog.models import (
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.catalog.variants import sync_from_variants
from core.db import db
from core.demo.images import placeholder_image
from core.storage import get_storage
from tenants import tenant_scope

BOM = b"\xef\xbb\xbf"
HEADER = ("Handle,Title,Body (HTML),Tags,Status,Option1 Name,Option1 Value,Option2 Name,"
          "Option2 Value,Variant SKU,Variant Price,Variant Compare At Price,"
          "Variant Inventory Qty,Variant Grams,Collection")


@pytest.fixture
def shop(make_store):
    return make_store("dhaka-crafts", currency="BDT")


@pytest.fixture
def other(make_store):
    return make_store("other-crafts", currency="BDT")


def fill_catalogue(app, tenant) -> None:
    """A product with two options, three variants, two images and two collections, and a
    draft without options."""
    with app.app_context(), tenant_scope(tenant.id):
        bedding = Collection(handle="bedding", title="Bedding and quilts")
        gifts = Collection(handle="gifts", title="Gifts")
        kantha = Product(
            handle="nakshi-kantha", title="নকশি কাঁথা", price_amount=0, stock=0,
            description="<p>Hand <strong>stitched</strong> in Jessore.</p>",
            tags="handmade, cotton", status="active", option_names="Size,Colour",
            seo_title="Nakshi kantha quilt", seo_description="A quilt from Jessore.",
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ", weight_grams=900)
        for position, (size, colour, sku, price, compare, stock, grams) in enumerate([
                ("Single", "Red", "KAN-S-R", 150_000, 180_000, 4, None),
                ("Single", "Blue", "KAN-S-B", 150_000, None, 0, None),
                ("Double", "Red", "KAN-D-R", 240_050, None, 7, 1400)]):
            kantha.variants.append(ProductVariant(
                option1=size, option2=colour, sku=sku, price_amount=price,
                compare_at_amount=compare, stock=stock, weight_grams=grams, position=position))
        sync_from_variants(kantha)
        for position, label in enumerate(("front", "back")):
            stored = store_image(get_storage(), tenant.id, placeholder_image(label, 320),
                                 stem=f"products/kantha-{label}")
            kantha.images.append(ProductImage(
                storage_key=stored.storage_key, alt=f"Kantha {label}", width=stored.width,
                height=stored.height, widths=",".join(map(str, stored.widths)),
                position=position))
        pot = Product(handle="clay-pot", title="Clay pot, \"large\"", price_amount=99_950,
                      compare_at_amount=120_000, stock=12, sku="POT-1", status="draft",
                      description="Plain text\non two lines & more", weight_grams=600)
        db.session.add_all([bedding, gifts, kantha, pot])
        db.session.add_all([CollectionProduct(collection=bedding, product=kantha, position=0),
                            CollectionProduct(collection=gifts, product=kantha, position=0),
                            CollectionProduct(collection=gifts, product=pot, position=1)])
        db.session.commit()


def catalogue(app, tenant) -> dict:
    """Everything the CSV carries, per handle, without ids."""
    with app.app_context(), tenant_scope(tenant.id):
        products = db.session.scalars(select(Product).order_by(Product.handle).options(
            selectinload(Product.variants), selectinload(Product.images),
            selectinload(Product.memberships).selectinload(CollectionProduct.collection)))
        return {p.handle: {
            "title": p.title, "description": p.description, "tags": p.tags,
            "status": p.status, "price": p.price_amount, "compare_at": p.compare_at_amount,
            "sku": p.sku, "stock": p.stock, "option_names": p.option_names,
            "seo": (p.seo_title, p.seo_description), "video_url": p.video_url,
            "weight": p.weight_grams if not p.variants else None,
            "variants": [(v.option1, v.option2, v.option3, v.sku, v.price_amount,
                          v.compare_at_amount, v.stock,
                          v.weight_grams if v.weight_grams is not None else p.weight_grams)
                         for v in p.variants],
            "images": [(i.storage_key, i.alt, i.width, i.height, i.widths) for i in p.images],
            "collections": sorted(m.collection.handle for m in p.memberships),
        } for p in products}


def same(after: dict, before: dict) -> None:
    """Field by field, for a readable diff."""
    assert sorted(after) == sorted(before)
    for handle, fields in before.items():
        for name, value in fields.items():
            assert (handle, name, after[handle][name]) == (handle, name, value)


def variant_ids(app, tenant) -> list[int]:
    with app.app_context(), tenant_scope(tenant.id):
        return list(db.session.scalars(select(ProductVariant.id).order_by(ProductVariant.id)))


def count(app, tenant, model) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data: bytes, filename: str = "products.csv", **extra):
    return client.post("/admin/products/import",
                       data={"file": (io.BytesIO(data), filename), **extra},
                       content_type="multipart/form-data")


def imported(client, data: bytes) -> tuple[int, str]:
    """Upload ``data``; returns the import's id and its page."""
    response = upload(client, data)
    assert response.status_code == 303, html(response)[:2000]
    match = re.fullmatch(r"/admin/products/imports/(\d+)", response.location)
    assert match, response.location
    page = client.get(response.location)
    assert page.status_code == 200
    return int(match.group(1)), html(page)


def error_rows(page: str) -> list[tuple[int, str, str]]:
    table = page.split('class="list-table import-errors"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td data-label="Row" class="num">(\d+)</td><td data-label="Column">'
                       r"([^<]*)</td><td data-label=\"Problem\">([^<]*)</td>", table)
    return [(int(row), column, message) for row, column, message in cells]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


# ------------------------------------------------------------------- round trip


def test_export_then_import_into_the_emptied_store_gives_the_same_catalogue(
        app, shop, store_client):
    fill_catalogue(app, shop)
    before = catalogue(app, shop)
    client = sign_in(store_client, shop)

    exported = client.get("/admin/products/export")
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    data = exported.get_data()
    assert data.startswith(BOM)  # Excel shows Bengali correctly only with it
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Handle", "Title", "Body (HTML)"]
    assert [r[0] for r in rows[1:]] == ["nakshi-kantha"] * 3 + ["clay-pot"]
    assert "নকশি কাঁথা" in rows[1] and "1500.00" in rows[1] and "2400.50" in rows[3]
    assert rows[1][rows[0].index("Image Src")].startswith(
        "http://dhaka-crafts.localhost/media/products/kantha-front")

    with app.app_context(), tenant_scope(shop.id):
        db.session.execute(delete(Product))
        db.session.commit()
    assert catalogue(app, shop) == {}

    _id, page = imported(client, data)
    assert "Import finished." in page
    assert "2 products added, 0 updated, from 4 rows." in page
    same(catalogue(app, shop), before)


def test_importing_an_export_again_changes_nothing_and_keeps_variant_ids(
        app, shop, store_client):
    fill_catalogue(app, shop)
    before, ids = catalogue(app, shop), variant_ids(app, shop)
    client = sign_in(store_client, shop)
    data = client.get("/admin/products/export").get_data()
    _id, page = imported(client, data)
    assert "0 products added, 2 updated" in page
    same(catalogue(app, shop), before)
    assert variant_ids(app, shop) == ids


def test_an_import_updates_by_handle_and_matches_variants_by_sku(app, shop, store_client):
    fill_catalogue(app, shop)
    ids = variant_ids(app, shop)
    client = sign_in(store_client, shop)
    data = csv_file(
        # Single/Red and Single/Blue swap colours (matched by SKU), Double/Red is dropped,
        # and a new Double/Blue appears.
        "nakshi-kantha,Kantha quilt,<p>New text<script>alert(1)</script></p>,sale,active,"
        "Size,Single,Colour,Blue,KAN-S-R,1600,,3,,bedding",
        "nakshi-kantha,,,,,,Single,,Red,KAN-S-B,1600,,2,,",
        "nakshi-kantha,,,,,,Double,,Blue,KAN-D-B,2500,,1,,",
        "new-shawl,Shawl,,,draft,,,,,SHAWL-1,800,,5,300,winter")
    _id, page = imported(client, data)
    assert "1 products added, 1 updated" in page
    after = catalogue(app, shop)
    kantha = after["nakshi-kantha"]
    assert kantha["title"] == "Kantha quilt"
    assert kantha["description"] == "<p>New text</p>"  # sanitised
    assert kantha["tags"] == "sale"
    assert kantha["collections"] == ["bedding"]
    assert [v[:4] for v in kantha["variants"]] == [
        ("Single", "Blue", "", "KAN-S-R"), ("Single", "Red", "", "KAN-S-B"),
        ("Double", "Blue", "", "KAN-D-B")]
    assert (kantha["price"], kantha["stock"]) == (160_000, 6)  # kept in step with variants
    assert kantha["images"] == catalogue(app, shop)["nakshi-kantha"]["images"]  # no column
    assert variant_ids(app, shop)[:2] == ids[:2]  # the rows matched by SKU kept their ids
    shawl = after["new-shawl"]
    assert (shawl["status"], shawl["sku"], shawl["price"], shawl["stock"], shawl["weight"]) == (
        "draft", "SHAWL-1", 80_000, 5, 300)
    assert shawl["collections"] == ["winter"]
    with app.app_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(Collection.title).where(Collection.handle == "winter")) \
            == "Winter"
    assert "Created the collection winter." in page


def test_a_shopify_file_with_extra_columns_and_default_title_imports(app, shop, store_client):
    client = sign_in(store_client, shop)
    data = (BOM + b"Handle,Title,Vendor,Published,Option1 Name,Option1 Value,Variant Price,"
            b"Variant Inventory Qty,Image Src,Image Alt Text\n"
            b"mug,Mug,Acme,TRUE,Title,Default Title,250,3,,\n")
    _id, page = imported(client, data)
    assert "1 products added" in page
    assert "Vendor" in page and "Published" in page and "it was ignored" in page
    mug = catalogue(app, shop)["mug"]
    assert (mug["price"], mug["stock"], mug["variants"], mug["option_names"]) == (
        25_000, 3, [], "")


def test_bengali_digits_in_a_file_store_what_latin_digits_store(app, shop, store_client):
    """Stock ৪, weight ৭০০ and price ১৮৫০, as a merchant in Dhaka types them."""
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file(
        "kantha-bn,কাঁথা,,,active,,,,,KAN-BN,১৮৫০,\"২,১০০.৫০\",৪,৭০০,",
        "kantha-en,Kantha,,,active,,,,,KAN-EN,1850,\"2,100.50\",4,700,",
        "sari-bn,শাড়ি,,,active,Size,S,,,SARI-BN-S,১৫০০.৭৫,,১২,৪৫০,",
        "sari-bn,,,,,,M,,,SARI-BN-M,১৬০০,,০,,",
        "sari-en,Sari,,,active,Size,S,,,SARI-EN-S,1500.75,,12,450,",
        "sari-en,,,,,,M,,,SARI-EN-M,1600,,0,,"))
    assert "Nothing was imported" not in page
    products = catalogue(app, shop)
    numbers = ("price", "compare_at", "stock", "weight", "variants")

    def values(handle: str) -> tuple:
        return tuple(products[handle][name] if name != "variants" else
                     [v[4:] for v in products[handle][name]] for name in numbers)

    assert values("kantha-bn") == values("kantha-en") == (185_000, 210_050, 4, 700, [])
    assert values("sari-bn") == values("sari-en") == (
        150_075, None, 12, None, [(150_075, None, 12, 450), (160_000, None, 0, 450)])


# --------------------------------------------------------------------- bad rows
# --------------------------------------------------------------------- bad rows


def test_a_file_with_bad_rows_is_rejected_whole_with_row_and_column(
        app, shop, other, store_client, add_product):
    add_product(shop, "existing", title="Existing", price=5000, stock=2, sku="TAKEN-1")
    add_product(other, "elsewhere", sku="OTHER-STORE")  # another store's SKU is no clash
    before = catalogue(app, shop)
    client = sign_in(store_client, shop)
    data = csv_file(
        "good-one,Good,,,active,,,,,GOOD-1,100,,1,,",            # row 2: fine
        "shirt,Shirt,,,active,Size,S,,,SH-S,12.5,,2,,",           # row 3: fine
        "shirt,,,,,,M,,,SH-M,12.505,,-1,,",                       # row 4: price, stock
        "shirt,,,,,,S,,,SH-S,10,,1,,",                            # row 5: options, SKU
        "Bad Handle,X,,,active,,,,,,10,,,,",                      # row 6: handle
        "no-title,,,,archivedx,,,,,,abc,,,,Not A Handle",         # row 7: several
        "existing,Existing,,,active,,,,,OTHER-STORE,60,,1,,",     # row 8: fine
        "thief,Thief,,,active,,,,,TAKEN-1,10,,1,,",               # row 9: SKU of another
        "video,Video,,,active,,,,,,10,,,abc,")                    # row 10: grams
    data = data.replace(b"Collection\n", b"Collection,Video URL\n").replace(
        b"video,Video,,,active,,,,,,10,,,abc,", b"video,Video,,,active,,,,,,10,,,abc,,ftp://x")
    import_id, page = imported(client, data)
    assert "Nothing was imported" in page
    problems = error_rows(page)
    cells = {(row, column) for row, column, _message in problems}
    assert {(4, "Variant Price"), (4, "Variant Inventory Qty"), (5, "Option1 Value"),
            (5, "Variant SKU"), (6, "Handle"), (7, "Title"), (7, "Status"),
            (7, "Variant Price"), (7, "Collection"), (10, "Variant Grams"),
            (10, "Video URL")} <= cells
    assert not any(row in (2, 3, 8) for row, _c, _m in problems)
    assert (4, "Variant Price", "Use at most 2 decimal places.") in problems
    assert (7, "Variant Price", "Enter a price, e.g. 1500 or 99.50.") in problems
    assert [row for row, _c, _m in problems] == sorted(row for row, _c, _m in problems)
    # Nothing at all was written: not even the good rows.
    same(catalogue(app, shop), before)
    assert count(app, shop, Collection) == 0
    with app.app_context(), tenant_scope(shop.id):
        record = db.session.get(ProductImport, import_id)
        assert record.status == "rejected" and record.created_count == 0
    # A SKU another product of the store has is reported once the rest is fine.
    _id, page = imported(client, csv_file("thief,Thief,,,active,,,,,TAKEN-1,10,,1,,"))
    assert error_rows(page) == [
        (2, "Variant SKU", "The product existing already has SKU TAKEN-1; each variant "
                           "needs its own.")]
    same(catalogue(app, shop), before)
    state = client.get(f"/admin/products/imports/{import_id}.json").get_json()
    assert state["status"] == "rejected" and state["error_count"] == len(problems)


def test_one_bad_variant_row_keeps_its_whole_product_out(app, shop, store_client, add_product):
    add_product(shop, "shirt", title="Old shirt", price=1000, stock=1)
    before = catalogue(app, shop)
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file(
        "shirt,New shirt,,,active,Size,S,,,SH-S,10,,2,,",
        "shirt,,,,,,M,,,SH-M,10,,lots,,"))
    assert error_rows(page) == [
        (3, "Variant Inventory Qty", "Enter the number in stock: a whole number, 0 or more.")]
    same(catalogue(app, shop), before)


def test_values_the_database_cannot_hold_are_row_errors(app, shop, store_client):
    # Each of these used to stop the job with "an error on our side" on PostgreSQL (or
    # store what the product form cannot show on SQLite): 32-bit amounts and stock, the
    # 200-character option names column, and "²", which isdigit() but int() refuses.
    client = sign_in(store_client, shop)
    many = [f"many,,,,,,V{n},,,,10,,1,," for n in range(1, 101)]
    _id, page = imported(client, csv_file(
        "big-price,Big,,,active,,,,,,5000000000,,1,,",                     # row 2
        "odd-stock,Odd,,,active,,,,,,10,,²,,",                              # row 3
        "lamp,Lamp,,,active,Size,S,,,,10,,1000000000,,",                    # row 4
        "lamp,,,,,,M,,,,10,,1000000000,,",                                  # row 5
        f"long,Long,,,active,{'x' * 51},S,,,,10,,1,,",                      # row 6
        "many,Many,,,active,Size,V0,,,,10,,1,,", *many))                    # rows 7-107
    assert error_rows(page) == [
        (2, "Variant Price", "Enter an amount up to 10000000.00."),
        (3, "Variant Inventory Qty", "Enter the number in stock: a whole number, 0 or more."),
        (5, "Variant Inventory Qty",
         "The variants of lamp hold more than 1,000,000,000 in stock together."),
        (6, "Option1 Name", "Use at most 50 characters."),
        (107, "Option1 Value", "A product can have at most 100 variants.")]
    assert count(app, shop, Product) == 0


def test_long_error_lists_are_paginated(app, shop, store_client):
    client = sign_in(store_client, shop)
    rows = [f"p-{n},P {n},,,active,,,,,,oops,,,," for n in range(120)]
    _id, page = imported(client, csv_file(*rows))
    assert len(error_rows(page)) == 50
    assert "Showing 1–50 of 120" in page
    last = html(client.get(f"/admin/products/imports/{_id}?page=3"))
    assert [row for row, _c, _m in error_rows(last)] == list(range(102, 122))


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("products.txt", b"Handle,Title,Variant Price\n", "Upload a .csv file."),
    ("products.csv", b"", "The file is empty."),
    ("products.csv", "Handle,Title,Variant Price\nä,Ä,1\n".encode("latin-1"),
     "The file is not UTF-8 text."),
    ("products.csv", b"Handle,Name,Cost\nx,y,1\n",
     "Missing: Title, Variant Price."),
    # UTF-16 without a byte order mark decodes as "UTF-8" full of NULs, which stopped the
    # job on PostgreSQL (it cannot store NUL) instead of saying what is wrong.
    ("products.csv", "Handle,Title,Variant Price\nlamp,Lamp,1\n".encode("utf-16-le"),
     "The file is not UTF-8 text."),
    ("products.csv", b"Handle,Title,Variant Price\nlamp,La\x00mp,1\n",
     "The file is not UTF-8 text."),
])
def test_an_unusable_upload_is_refused_next_to_the_field(
        app, shop, store_client, filename, data, message):
    client = sign_in(store_client, shop)
    response = upload(client, data, filename)
    assert response.status_code == 422
    page = html(response)
    assert 'class="error" id="file-error"' in page and message in page
    assert count(app, shop, ProductImport) == 0
    missing = client.post("/admin/products/import", data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a CSV file to upload." in html(missing)


# ----------------------------------------------------------------------- images


class _Images(BaseHTTPRequestHandler):
    png = b""

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/photo.png":
            body, status, kind = self.png, 200, "image/png"
        elif path == "/not-an-image.png":
            body, status, kind = b"<html>hello</html>", 200, "image/png"
        else:
            body, status, kind = b"gone", 404, "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        """Quiet."""


@pytest.fixture
def image_server(app):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 40, 40)).save(buffer, format="PNG")
    _Images.png = buffer.getvalue()
    server = LocalServer("image-server")
    server.start(_Images)
    app.config["HAAT_IMPORT_ALLOW_PRIVATE_URLS"] = True
    yield server
    app.config.pop("HAAT_IMPORT_ALLOW_PRIVATE_URLS", None)
    server.stop()


IMAGE_HEADER = "Handle,Title,Variant Price,Image Src,Image Position,Image Alt Text"


def test_images_from_other_websites_are_downloaded_and_stored(app, shop, store_client,
                                                              image_server):
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file(
        f"lamp,Lamp,10,{image_server.url}/photo.png,2,Lamp lit",
        f"lamp,,,{image_server.url}/photo.png?again=1,1,Lamp off", header=IMAGE_HEADER))
    assert "1 products added" in page, page
    images = catalogue(app, shop)["lamp"]["images"]
    assert [(alt, width, height) for _key, alt, width, height, _w in images] == [
        ("Lamp off", 400, 300), ("Lamp lit", 400, 300)]
    key = images[0][0]
    assert key.startswith("products/lamp-") and key.endswith(".jpg")
    assert client.get(f"/media/{key}").status_code == 200
    # Exported and imported again, they are recognised as the store's own.
    before = catalogue(app, shop)
    imported(client, client.get("/admin/products/export").get_data())
    same(catalogue(app, shop), before)


def test_images_that_cannot_be_fetched_reject_the_file_and_leave_no_files(
        app, shop, store_client, image_server):
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file(
        f"lamp,Lamp,10,{image_server.url}/photo.png,,",
        f"lamp,,,{image_server.url}/missing.png,,",
        f"lamp,,,{image_server.url}/not-an-image.png,,",
        "lamp,,,/media/products/never-uploaded.jpg,,",
        "lamp,,,javascript:alert(1),,", header=IMAGE_HEADER))
    problems = error_rows(page)
    assert [(row, column) for row, column, _m in problems] == [(5, "Image Src"),
                                                                (6, "Image Src")]
    _id, page = imported(client, csv_file(
        f"lamp,Lamp,10,{image_server.url}/photo.png,,",
        f"lamp,,,{image_server.url}/missing.png,,",
        f"lamp,,,{image_server.url}/not-an-image.png,,", header=IMAGE_HEADER))
    problems = error_rows(page)
    assert [(row, column) for row, column, _m in problems] == [(3, "Image Src"),
                                                                (4, "Image Src")]
    assert "404" in problems[0][2] and "not an image" in problems[1][2]
    assert count(app, shop, Product) == 0
    products_dir = get_storage_root(app, shop) / "products"
    assert not products_dir.exists() or not any(products_dir.iterdir())


def get_storage_root(app, tenant):
    with app.app_context():
        return get_storage().tenant_root(tenant.id)


def test_image_addresses_that_cannot_be_parsed_are_row_errors(app, shop, store_client):
    # Both stopped the job with "an error on our side": urlsplit() raises on an unclosed
    # IPv6 address, and PostgreSQL refused the NUL of "%00" in the lookup of the file.
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file("lamp,Lamp,10,http://[::1/x.png,,",
                                          "lamp,,,/media/products/a%00.jpg,,",
                                          header=IMAGE_HEADER))
    assert error_rows(page) == [
        (2, "Image Src", "Enter the image&#39;s full address, starting with https://."),
        (3, "Image Src", "This image is not in the store any more. Use another image address.")]
    assert count(app, shop, Product) == 0


def test_addresses_inside_our_network_are_refused(app, shop, store_client):
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file("lamp,Lamp,10,http://127.0.0.1:9/x.png,,",
                                          header=IMAGE_HEADER))
    assert error_rows(page) == [(2, "Image Src",
                                 "Images can only be imported from public websites.")]


def test_a_name_that_turns_private_after_the_check_is_refused(
        app, shop, store_client, image_server, monkeypatch):
    # DNS rebinding: the name answers with a public address when checked and with our own
    # network when connected to; the address actually connected to is what counts.
    app.config.pop("HAAT_IMPORT_ALLOW_PRIVATE_URLS")
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host != "images.rebind.example":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        address = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
        return real_getaddrinfo(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = image_server.address[1]
    client = sign_in(store_client, shop)
    _id, page = imported(client, csv_file(
        f"lamp,Lamp,10,http://images.rebind.example:{port}/photo.png,,", header=IMAGE_HEADER))
    assert len(lookups) == 2  # checked, then resolved again to connect
    assert error_rows(page) == [(2, "Image Src",
                                 "Images can only be imported from public websites.")]
    assert count(app, shop, Product) == 0


# --------------------------------------------------------------------- progress


def test_the_page_of_a_running_import_shows_progress_and_reloads_itself(
        app, shop, store_client):
    with app.app_context(), tenant_scope(shop.id):
        record = ProductImport(filename="big.csv", storage_key="imports/x.csv",
                               status="checking", total_rows=5000, processed_rows=1200,
                               started_by="owner@dhaka-crafts.example")
        db.session.add(record)
        db.session.commit()
        import_id = record.id
    client = sign_in(store_client, shop)
    page = html(client.get(f"/admin/products/imports/{import_id}"))
    assert '<progress max="5000" value="1200">' in page
    assert "Checking rows: 1,200 of 5,000" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    state = client.get(f"/admin/products/imports/{import_id}.json").get_json()
    assert state == {"id": import_id, "status": "checking", "finished": False,
                     "total_rows": 5000, "processed_rows": 1200, "created": 0,
                     "updated": 0, "error_count": 0}
    done = html(client.get(f"/admin/products/imports/{imported(client, csv_file())[0]}"))
    assert "http-equiv" not in done


def test_a_5000_row_import_completes(app, shop, store_client):
    rows = [f"item-{p},Item {p},<p>Thing {p}</p>,bulk,active,Size,S{v},,,SKU-{p}-{v},"
            f"{100 + v}.50,,{v},250,bulk"
            for p in range(500) for v in range(10)]
    client = sign_in(store_client, shop)
    started = time.perf_counter()
    import_id, page = imported(client, csv_file(*rows))
    elapsed = time.perf_counter() - started
    assert "500 products added, 0 updated, from 5,000 rows." in page, page[:3000]
    assert count(app, shop, Product) == 500
    assert count(app, shop, ProductVariant) == 5000
    with app.app_context(), tenant_scope(shop.id):
        record = db.session.get(ProductImport, import_id)
        assert (record.status, record.processed_rows, record.total_rows) == ("done", 5000, 5000)
        assert db.session.scalar(select(func.count()).select_from(CollectionProduct)) == 500
    print(f"5000-row import took {elapsed:.1f} s")


# ------------------------------------------------------ who, where, and forgery


def test_staff_may_export_and_import_and_visitors_are_sent_to_sign_in(
        app, shop, store_client):
    add_staff(app, shop, "helper@dhaka-crafts.example")
    staff = sign_in(store_client, shop, "helper@dhaka-crafts.example")
    assert staff.get("/admin/products/export").status_code == 200
    assert staff.get("/admin/products/import").status_code == 200
    _id, page = imported(staff, csv_file("pot,Pot,,,active,,,,,,10,,,,"))
    assert "1 products added" in page and "helper@dhaka-crafts.example" in page
    visitor = store_client("dhaka-crafts")
    for path in ("/admin/products/export", "/admin/products/import",
                 f"/admin/products/imports/{_id}", "/admin/products/import/template.csv"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/admin/login" in response.location
    assert upload(visitor, csv_file("x,X,,,active,,,,,,1,,,,")).status_code == 302
    assert count(app, shop, Product) == 1


def test_the_import_page_lists_recent_imports_with_a_fixed_number_of_queries(
        app, shop, store_client, count_queries):
    client = sign_in(store_client, shop)
    empty = html(client.get("/admin/products/import"))
    assert "No imports yet." in empty and "/admin/products/import/template.csv" in empty
    imported(client, csv_file("pot,Pot,,,active,,,,,,10,,,,"))
    with count_queries() as one:
        assert client.get("/admin/products/import").status_code == 200
    for _ in range(3):
        imported(client, csv_file("pot,Pot,,,active,,,,,,10,,,,"))
    with count_queries() as four:
        page = html(client.get("/admin/products/import"))
    assert len(four) == len(one)
    assert page.count('id="import-') == 4


def test_the_template_is_a_file_the_import_accepts(app, shop, store_client):
    client = sign_in(store_client, shop)
    template = client.get("/admin/products/import/template.csv")
    assert template.status_code == 200 and template.get_data().startswith(BOM)
    _id, page = imported(client, template.get_data())
    assert "2 products added" in page
    assert catalogue(app, shop)["nakshi-kantha"]["option_names"] == "Size"


def test_stores_never_see_each_others_imports_or_products(
        app, shop, other, store_client, add_product):
    add_product(shop, "mine", title="Mine only")
    add_product(other, "theirs", title="Theirs only", sku="THEIRS-1")
    theirs_client = sign_in(store_client, other)
    their_import, _page = imported(theirs_client, csv_file("pot,Their pot,,,active,,,,,,10,,,,"))
    before = catalogue(app, other)
    client = sign_in(store_client, shop)
    assert client.get(f"/admin/products/imports/{their_import}").status_code == 404
    assert client.get(f"/admin/products/imports/{their_import}.json").status_code == 404
    exported = client.get("/admin/products/export").get_data().decode("utf-8-sig")
    assert "Mine only" in exported
    assert "Theirs only" not in exported and "Their pot" not in exported
    assert "Their pot" not in html(client.get("/admin/products/import"))
    # Importing into A a handle that B also has changes only A.
    imported(client, csv_file("theirs,Changed,,,active,,,,,THEIRS-1,10,,,,"))
    assert catalogue(app, other) == before
    assert catalogue(app, shop)["theirs"]["title"] == "Changed"


def test_an_upload_without_the_csrf_token_is_refused(app, shop, store_client):
    client = sign_in(store_client, shop)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = upload(client, csv_file("pot,Pot,,,active,,,,,,10,,,,"))
        assert response.status_code == 400
        assert count(app, shop, ProductImport) == 0
        form = html(client.get("/admin/products/import"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        accepted = upload(client, csv_file("pot,Pot,,,active,,,,,,10,,,,"), csrf_token=token)
        assert accepted.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(app, shop, Product) == 1


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted_and_come_back_intact(
        app, shop, store_client, add_product):
    add_product(shop, "sneaky", title='=HYPERLINK("http://evil.example","Click")',
                price=1000, stock=1)
    client = sign_in(store_client, shop)
    data = client.get("/admin/products/export").get_data()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    title = rows[1][rows[0].index("Title")]
    assert title == '\'=HYPERLINK("http://evil.example","Click")'  # shown as text, not run

    with app.app_context(), tenant_scope(shop.id):
        db.session.execute(delete(Product))
        db.session.commit()
    imported(client, data)
    with app.app_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(Product.title)) == (
            '=HYPERLINK("http://evil.example","Click")')
