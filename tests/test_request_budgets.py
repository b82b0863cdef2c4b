"""Per-store budgets for expensive requests (issue 21): a flood against one store gets a
friendly 429 with ``Retry-After`` there, while another store's same request passes.

The budgets are set small here (``HAAT_BUDGET_*``); the defaults are far above a busy
store's use (docs/operations.md).
"""

from __future__ import annotations

import io
import shutil

import pytest
from admin.product_support import field_value, product_form

from admin_support import html, sign_in
from conftest import make_plugin
from core.demo.images import placeholder_image
from core.sdk import SearchHit, SearchResults, SitemapEntry
from core.storefront.sitemaps import sitemap_files


@pytest.fixture
def stores(make_store):
    return {"a": make_store("flooded-shop", name="Flooded Shop", locale="bn", currency="BDT"),
            "b": make_store("calm-shop", name="Calm Shop")}


@pytest.fixture
def budget(app, monkeypatch):
    def set_budget(kind: str, limit: str) -> None:
        monkeypatch.setitem(app.config, f"HAAT_BUDGET_{kind.upper()}", limit)
    return set_budget


def assert_busy(response, *, text: str = "") -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    if text:
        assert text in html(response)


class _Backend:
    def query(self, store, query):
        return SearchResults(hits=(SearchHit(product_id=0, handle="", title=""),), total=1)

    def suggest(self, store, text, limit=8):
        return ()

    def index(self, store, products): ...

    def remove(self, store, product_ids): ...

    def clear(self, store): ...


def test_a_search_flood_is_refused_in_that_store_only(stores, store_client, budget,
                                                      install_plugin, enable_plugin):
    install_plugin(make_plugin("budget-search", kind="search",
                               haat_search_backend=lambda store: _Backend()))
    for store in stores.values():
        enable_plugin(store, "budget-search")
    budget("search", "3 per minute")
    flooded, calm = store_client("flooded-shop"), store_client("calm-shop")
    assert [flooded.get(f"/search?q=tea{n}").status_code for n in range(3)] == [200] * 3
    refused = flooded.get("/search?q=tea4")
    assert_busy(refused, text="১ মিনিট পরে আবার চেষ্টা করুন")  # "in 1 minute", Bengali digits
    assert '<html lang="bn">' in html(refused)  # in the shopper's language
    assert flooded.get("/search/suggest?q=tea").status_code == 429  # the same budget
    assert calm.get("/search?q=tea").status_code == 200
    assert calm.get("/search/suggest?q=tea").status_code == 200
    # Empty searches cost nothing, and stay free.
    assert flooded.get("/search").status_code == 200


def test_one_client_cannot_use_up_a_stores_search_budget(stores, store_client, budget,
                                                         install_plugin, enable_plugin):
    install_plugin(make_plugin("budget-search", kind="search",
                               haat_search_backend=lambda store: _Backend()))
    enable_plugin(stores["a"], "budget-search")
    budget("search", "5 per minute")
    budget("search_client", "2 per minute")
    shop = store_client("flooded-shop")

    def search(client_address: str, n: int):
        return shop.get(f"/search?q=tea{n}", environ_overrides={"REMOTE_ADDR": client_address})

    assert [search("203.0.113.7", n).status_code for n in range(2)] == [200, 200]
    assert_busy(search("203.0.113.7", 3))  # this client's share is used up...
    assert_busy(search("203.0.113.7", 4))
    # ...and its refused tries did not spend the store's budget: other shoppers search on.
    assert [search(f"198.51.100.{n}", n).status_code for n in range(3)] == [200] * 3


def test_sitemap_builds_are_budgeted_per_store(app, stores, store_client, budget,
                                               install_plugin, enable_plugin):
    install_plugin(make_plugin("budget-sitemap", haat_sitemap_entries=lambda store: [
        SitemapEntry(path=f"/products/p{n}") for n in range(5)]))
    for store in stores.values():
        enable_plugin(store, "budget-sitemap")
    budget("sitemap", "2 per minute")
    with app.app_context():
        sitemap_dir = sitemap_files().root / str(stores["a"].id)
    flooded, calm = store_client("flooded-shop"), store_client("calm-shop")
    assert flooded.get("/sitemap.xml?x=0").status_code == 200
    # A copy already built costs nothing: it is served whatever the budget.
    assert flooded.get("/sitemap.xml?x=0").status_code == 200
    answers = []
    for n in (1, 2):
        # Only a store with no built copy builds inside a request (a new store, or one
        # whose copies an operator removed); each such build is counted.
        shutil.rmtree(sitemap_dir)
        answers.append(flooded.get(f"/sitemap.xml?x={n}"))
    assert answers[0].status_code == 200
    assert_busy(answers[1])
    assert calm.get("/sitemap.xml").status_code == 200


def test_product_exports_are_budgeted_per_store(stores, store_client, budget):
    budget("export", "2 per 10 minutes")
    flooded, calm = sign_in(store_client, stores["a"]), sign_in(store_client, stores["b"])
    assert [flooded.get("/admin/products/export").status_code for _ in range(2)] == [200, 200]
    assert_busy(flooded.get("/admin/products/export"),
                text="অনেকবার পণ্য এক্সপোর্ট করেছে")  # "exported products many times"
    assert calm.get("/admin/products/export").status_code == 200


def _csv() -> io.BytesIO:
    return io.BytesIO(b"Handle,Title,Variant Price\nkettle,Kettle,12.00\n")


def test_imports_are_budgeted_per_store_with_the_form_kept(stores, store_client, budget):
    budget("import", "1 per 10 minutes")
    flooded, calm = sign_in(store_client, stores["a"]), sign_in(store_client, stores["b"])

    def start(client):
        return client.post("/admin/products/import", content_type="multipart/form-data",
                           data={"file": (_csv(), "kettles.csv")})

    assert start(flooded).status_code == 303
    refused = start(flooded)
    assert_busy(refused, text="পরে আবার চেষ্টা করুন")  # "try again in ..."
    assert 'name="file"' in html(refused)  # the upload form, with the message beside it
    assert start(calm).status_code == 303


def test_photo_processing_is_budgeted_per_store_and_keeps_what_was_typed(
        stores, store_client, budget):
    budget("images", "1 per 10 minutes")
    flooded, calm = sign_in(store_client, stores["a"]), sign_in(store_client, stores["b"])

    def save(client, title):
        return client.post("/admin/products/new", content_type="multipart/form-data", data={
            **product_form(title=title, price="120"),
            "images": [(io.BytesIO(placeholder_image(title, 200)), "photo.jpg")]})

    assert save(flooded, "First Kettle").status_code == 303
    refused = save(flooded, "Second Kettle")
    assert_busy(refused)
    page = html(refused)
    assert field_value(page, "title") == "Second Kettle"  # nothing typed is lost
    assert "পরে আবার চেষ্টা করুন" in page  # "try again in ...", beside the field
    assert save(calm, "Calm Kettle").status_code == 303
    # The editor's uploader (JSON) is refused the same way.
    staged = flooded.post("/admin/products/photos", content_type="multipart/form-data",
                          data={"images": [(io.BytesIO(placeholder_image("x", 200)), "x.jpg")]})
    assert staged.status_code == 429 and staged.json["errors"]


def test_a_storage_that_does_not_answer_refuses_politely_not_with_a_500(
        app, stores, store_client, install_plugin, enable_plugin, monkeypatch):
    import sqlite3

    from core.extensions import limiter

    install_plugin(make_plugin("budget-search", kind="search",
                               haat_search_backend=lambda store: _Backend()))
    enable_plugin(stores["b"], "budget-search")

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    storage = limiter.limiter.storage
    for name in ("get_moving_window", "acquire_entry", "incr", "get"):
        monkeypatch.setattr(storage, name, locked, raising=False)
    refused = store_client("calm-shop").get("/search?q=tea")
    assert_busy(refused, text="Please try again in 1 minute")
