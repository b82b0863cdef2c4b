"""Expensive media work off the request (issue 21): pixel limits read from an upload's
header before anything is decoded, cut PNGs refused, product photos resized by a job
(pages show a placeholder until it ran, and a store's job never touches another store's
media), and the product CSV export streamed in batches.

Jobs run immediately in tests; the tests that need to see the moment before a job ran
record what the save queues (``queued``) and run it afterwards themselves.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from admin.product_support import (
    field_value,
    load_products,
    media_files,
    product_form,
    upload,
    upload_errors,
)
from admin_support import html, sign_in
from core.catalog import csv_io
from core.catalog.image_jobs import mark_photos_ready, process_photos
from core.catalog.models import StagedImage
from core.db import db
from tenants import tenant_scope

PLACEHOLDER = "/static/image-processing.svg"


def upload_photo(name: str, data: bytes | None = None) -> tuple[io.BytesIO, str]:
    return upload(name, data, size=700)


@pytest.fixture
def stores(make_store):
    return {"a": make_store("alpha-shop", name="Alpha Shop", currency="BDT"),
            "b": make_store("beta-shop", name="Beta Shop", currency="BDT")}



def png_header_only(width: int, height: int) -> bytes:
    """A valid-looking PNG that claims ``width`` x ``height`` and holds almost nothing."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def staged_rows(app, tenant) -> list[StagedImage]:
    with app.app_context(), tenant_scope(tenant.id):
        return list(db.session.scalars(select(StagedImage)))


class Queue(list):
    """Jobs recorded instead of run; :meth:`run` runs them as a worker would."""

    def __init__(self, app, real) -> None:
        super().__init__()
        self.app, self.real = app, real

    def run(self, func=None, store_id=None, *args) -> None:
        """Run every recorded job, or just ``func(store_id, *args)`` as given."""
        with self.app.app_context():
            if func is not None:
                self.real(func, store_id, *args)
                return
            for recorded_func, recorded_store, recorded_args in list(self):
                self.real(recorded_func, recorded_store, *recorded_args)
            self.clear()


@pytest.fixture
def queued(app, monkeypatch: pytest.MonkeyPatch) -> Queue:
    """Record the jobs requests queue instead of running them at once."""
    jobs = app.extensions["haat_jobs"]
    queue = Queue(app, jobs.enqueue)
    monkeypatch.setattr(jobs, "enqueue",
                        lambda func, store_id, *args, **kw: queue.append((func, store_id, args)))
    return queue


# ------------------------------------------------------------- limits and damage


def test_too_many_pixels_are_refused_from_the_header_next_to_the_field(
        app, stores, store_client, monkeypatch, decodes):
    monkeypatch.setitem(app.config, "HAAT_MAX_IMAGE_PIXELS", 1_000_000)
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(title="Keep Me"),
        "images": [upload_photo("wide.png", png_header_only(1500, 1000))]})
    assert response.status_code == 422
    page = html(response)
    assert ("wide.png: The image has too many pixels (at most 1 megapixels)."
            in upload_errors(page))
    assert field_value(page, "title") == "Keep Me"
    assert decodes == []  # refused from the header: not one pixel was decoded
    assert load_products(app, stores["a"]) == [] and staged_rows(app, stores["a"]) == []
    assert media_files(app, stores["a"]) == set()


def test_a_truncated_png_is_refused_and_nothing_is_kept(app, stores, store_client):
    buffer = io.BytesIO()
    Image.effect_noise((300, 200), 64).convert("RGB").save(buffer, "PNG")
    cut = buffer.getvalue()[:-4]  # the end chunk's checksum is missing
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(title="Keep Me", price="12.50"), "images": [upload_photo("cut.png", cut)]})
    assert response.status_code == 422
    page = html(response)
    assert "cut.png: The image file is damaged or incomplete." in upload_errors(page)
    assert field_value(page, "title") == "Keep Me" and field_value(page, "price") == "12.50"
    assert load_products(app, stores["a"]) == [] and staged_rows(app, stores["a"]) == []
    assert media_files(app, stores["a"]) == set()


# ----------------------------------------------------------- resizing in a job


def test_a_save_queues_the_resizing_and_pages_show_a_placeholder_until_it_ran(
        app, stores, store_client, queued):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "images": [upload_photo("front.jpg"), upload_photo("back.png")]})
    assert response.status_code == 303
    [product] = load_products(app, stores["a"])
    keys = [image.storage_key for image in product.images]
    assert all(image.processing for image in product.images)
    # One job processes the save's photos; the save adds the cheap check that marks
    # them ready. One job per save, not per photo, so a backlog stays short.
    assert sorted((func.__name__, store_id, args) for func, store_id, args in queued) == sorted(
        [(process_photos.__name__, stores["a"].id, (keys,)),
         (mark_photos_ready.__name__, stores["a"].id, (keys,))])

    # Only the uploads are kept, privately: no original or rendition was made inline.
    files = media_files(app, stores["a"])
    assert files == {f"private/{key}.upload" for key in keys}
    shop = store_client("alpha-shop")
    page = html(shop.get("/products/blue-kantha"))
    assert PLACEHOLDER in page and 'width="700"' in page
    assert not any(f'srcset="/media/{key[:-4]}' in page for key in keys)
    assert shop.get(f"/media/private/{keys[0]}.upload").status_code == 404
    editor = html(owner.get(response.location))
    assert PLACEHOLDER in editor
    assert editor.count("Preparing the photo…") == 2  # the merchant is told why it is grey

    queued.run()
    [product] = load_products(app, stores["a"])
    assert not any(image.processing for image in product.images)
    assert [image.widths for image in product.images] == ["160,320,480,640"] * 2
    files = media_files(app, stores["a"])
    assert not any(f.startswith("private/") for f in files)
    for key in keys:
        assert key in files and f"{key[:-4]}-640.webp" in files
    page = html(shop.get("/products/blue-kantha"))
    assert PLACEHOLDER not in page
    assert f'/media/{keys[0][:-4]}-160.webp 160w' in page  # responsive srcset is back
    assert "Preparing the photo…" not in html(owner.get(response.location))


def test_a_photo_chosen_in_the_editor_is_resized_by_the_job_as_well(
        app, stores, store_client, queued):
    owner = sign_in(store_client, stores["a"])
    response = owner.post("/admin/products/photos", content_type="multipart/form-data",
                          data={"title": "Silk scarf", "images": [upload_photo("red.jpg")]})
    assert response.status_code == 200
    [photo] = response.get_json()["photos"]
    assert photo["thumbnail"] == PLACEHOLDER
    [(_func, _store, ([key],))] = queued
    queued.run()
    [row] = staged_rows(app, stores["a"])
    assert (row.storage_key, row.processing) == (key, False)
    assert key in media_files(app, stores["a"])


def test_a_stores_photo_job_never_touches_another_stores_media(
        app, stores, store_client, queued):
    for name in ("a", "b"):
        owner = sign_in(store_client, stores[name])
        assert owner.post("/admin/products/new", content_type="multipart/form-data", data={
            **product_form(), "images": [upload_photo(f"{name}.jpg")]}).status_code == 303
    [(a_id, ([a_key],)), (b_id, ([b_key],))] = [
        (store_id, args) for func, store_id, args in queued if func is process_photos]
    assert (a_id, b_id) == (stores["a"].id, stores["b"].id)
    b_files = media_files(app, stores["b"])

    # Store A's job is given store B's photo: it finds nothing of B's to read or mark.
    queued.run(process_photos, stores["a"].id, [b_key])
    assert media_files(app, stores["b"]) == b_files == {f"private/{b_key}.upload"}
    assert media_files(app, stores["a"]) == {f"private/{a_key}.upload"}
    [b_product] = load_products(app, stores["b"])
    assert b_product.images[0].processing

    queued.run(process_photos, stores["b"].id, [b_key])
    [b_product] = load_products(app, stores["b"])
    [a_product] = load_products(app, stores["a"])
    assert not b_product.images[0].processing and a_product.images[0].processing
    assert b_key in media_files(app, stores["b"])
    assert media_files(app, stores["a"]) == {f"private/{a_key}.upload"}


# ------------------------------------------------------------- streamed export


def _export(owner, count_queries) -> tuple[list[str], list[str], bytes]:
    """Queries until the view answered, queries while the body was read, and the body."""
    with count_queries() as answering:
        response = owner.get("/admin/products/export", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    with count_queries() as reading:
        body = b"".join(response.response)
    response.close()
    return answering, reading, body


def _product_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if re.search(r"\bFROM products\b", s)]


def test_the_product_export_streams_in_batches_with_a_fixed_number_of_queries(
        app, stores, store_client, add_product, count_queries, monkeypatch):
    monkeypatch.setattr(csv_io, "EXPORT_BATCH_SIZE", 10, raising=False)
    for n in range(5):
        add_product(stores["a"], f"few-{n}", variants=[("S", 1000, 1), ("M", 1200, 2)])
    add_product(stores["b"], "theirs", title="Beta Secret")
    owner = sign_in(store_client, stores["a"])
    answering, few, body = _export(owner, count_queries)
    assert _product_reads(answering) == []  # the view answers before reading the catalogue
    assert body.count(b"\r\nfew-") == 10 and b"Beta Secret" not in body

    for n in range(30):
        add_product(stores["a"], f"many-{n}", variants=[("S", 1000, 1), ("M", 1200, 2)])
    answering, many, body = _export(owner, count_queries)
    assert _product_reads(answering) == []
    assert len(body.decode("utf-8-sig").strip().split("\r\n")) == 1 + 35 * 2
    assert b"Beta Secret" not in body
    # 30 more products are three more batches of ten, each a fixed handful of queries
    # (products, variants, images, collections), never one per product.
    assert len(_product_reads(many)) - len(_product_reads(few)) == 3
    assert len(many) - len(few) <= 3 * 5


def test_a_large_png_is_not_decoded_in_the_request(app, stores, store_client, queued,
                                                    decodes):
    owner = sign_in(store_client, stores["a"])
    big = io.BytesIO()
    Image.new("RGBA", (3000, 2000), (200, 30, 30, 128)).save(big, "PNG")
    response = owner.post("/admin/products/new", content_type="multipart/form-data", data={
        **product_form(), "images": [upload_photo("big.png", big.getvalue())]})
    assert response.status_code == 303
    assert decodes == []  # checked by its chunks' CRCs; the pixels are the job's work
    queued.run()
    [product] = load_products(app, stores["a"])
    [image] = product.images
    assert (image.width, image.height, image.processing) == (3000, 2000, False)
    assert image.storage_key.endswith(".png")  # its transparency is kept
