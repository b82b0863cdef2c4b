"""Cached search pages and suggestions (issue 20): served without the database or the
search budget, right at once after a catalogue change, one entry per real question,
never shared between stores, and bounded apart from the catalogue pages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from core.catalog.models import Product
from core.db import db
from core.storefront.page_cache import PageCache
from tenants import tenant_scope


@pytest.fixture
def stores(make_store, add_product, enable_plugin):
    alpha = make_store("alpha-shop", name="Alpha", currency="BDT")
    beta = make_store("beta-shop", name="Beta", currency="BDT")
    for store in (alpha, beta):
        enable_plugin(store, "search")
    add_product(alpha, "brass-bowl", title="Brass bowl", price=120000, collection="kitchen",
                image=True)
    add_product(alpha, "brass-bell", title="Brass bell", price=45000, stock=0)
    add_product(beta, "brass-lamp", title="Brass lamp", price=99000, collection="kitchen")
    return alpha, beta


@pytest.fixture
def search_cache(app):
    """An empty search cache (as a fresh worker has), put back afterwards."""
    kept = app.extensions["haat_search_cache"]
    app.extensions["haat_search_cache"] = PageCache(50, 60)
    yield app.extensions["haat_search_cache"]
    app.extensions["haat_search_cache"] = kept


def _titles(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", t)) for t in
            re.findall(r'<span class="card-title">(.*?)</span>', html)]


def _entries(cache: PageCache) -> int:
    return len(cache._entries)


def test_a_repeated_search_costs_no_query_and_gives_the_same_page(stores, store_client,
                                                                 search_cache, count_queries):
    client = store_client("alpha-shop")
    first = client.get("/search?q=brass")
    assert first.status_code == 200
    assert sorted(_titles(first.get_data(as_text=True))) == ["Brass bell", "Brass bowl"]
    with count_queries() as statements:
        again = client.get("/search?q=brass")
    assert statements == []
    assert again.get_data() == first.get_data()
    # Suggestions too.
    suggested = client.get("/search/suggest?q=bras").get_json()
    with count_queries() as statements:
        assert client.get("/search/suggest?q=bras").get_json() == suggested
    assert statements == []
    assert {p["title"] for p in suggested["products"]} == {"Brass bell", "Brass bowl"}


def test_catalogue_changes_show_at_once(app, stores, store_client, search_cache, add_product):
    alpha, _beta = stores
    client = store_client("alpha-shop")
    assert "1,200" in client.get("/search?q=bowl").get_data(as_text=True)
    assert [p["title"] for p in client.get("/search/suggest?q=bowl").get_json()["products"]] \
        == ["Brass bowl"]
    with app.app_context(), tenant_scope(alpha.id):
        bowl = db.session.scalar(select(Product).where(Product.handle == "brass-bowl"))
        bowl.title, bowl.price_amount = "Brass bowl, large", 130000
        db.session.commit()
    html = client.get("/search?q=bowl").get_data(as_text=True)
    assert _titles(html) == ["Brass bowl, large"] and "1,300" in html
    assert [p["title"] for p in client.get("/search/suggest?q=bowl").get_json()["products"]] \
        == ["Brass bowl, large"]
    add_product(alpha, "steel-bowl", title="Steel bowl")
    assert sorted(_titles(client.get("/search?q=bowl").get_data(as_text=True))) == [
        "Brass bowl, large", "Steel bowl"]


def test_each_real_question_is_its_own_entry_and_junk_makes_none(stores, store_client,
                                                                 search_cache):
    client = store_client("alpha-shop")
    everything = client.get("/search?q=brass").get_data(as_text=True)
    assert _entries(search_cache) == 1
    # Spellings of the same question, and parameters the page does not read, share it.
    for same in ("/search?q=+brass++", "/search?q=brass&utm_source=x&fbclid=1",
                 "/search?q=brass&page=1&sort=relevance&sort=junk&in_stock=0",
                 "/search?q=brass&price=12-34&x=" + "y" * 50):
        assert client.get(same).get_data(as_text=True) == everything, same
    assert _entries(search_cache) == 1
    # Different questions are different entries, with different answers.
    in_stock = client.get("/search?q=brass&in_stock=1").get_data(as_text=True)
    assert _titles(in_stock) == ["Brass bowl"]
    cheapest = client.get("/search?q=brass&sort=price-asc").get_data(as_text=True)
    assert _titles(cheapest) == ["Brass bell", "Brass bowl"]
    collection = client.get("/search?q=brass&collection=kitchen").get_data(as_text=True)
    assert _titles(collection) == ["Brass bowl"]
    assert client.get("/search?q=brass&page=2").status_code == 200
    bengali = client.get("/search?q=brass&lang=bn").get_data(as_text=True)
    assert '<html lang="bn"' in bengali and '<html lang="bn"' not in everything
    assert client.get("/search?q=bowl").status_code == 200
    assert _entries(search_cache) == 7


def test_a_cached_search_does_not_spend_the_budget(app, stores, store_client, search_cache,
                                                   monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_BUDGET_SEARCH", "2 per minute")
    client = store_client("alpha-shop")
    for _ in range(5):  # one search, four cached copies
        assert client.get("/search?q=brass").status_code == 200
    assert client.get("/search/suggest?q=bras").status_code == 200
    assert client.get("/search/suggest?q=bras").status_code == 200
    assert client.get("/search?q=bell").status_code == 429  # a new question spends it


def test_one_store_never_gets_anothers_cached_results(stores, store_client, search_cache):
    alpha, beta = store_client("alpha-shop"), store_client("beta-shop")
    assert sorted(_titles(alpha.get("/search?q=brass").get_data(as_text=True))) == [
        "Brass bell", "Brass bowl"]
    assert alpha.get("/search/suggest?q=brass").get_json()["products"]
    beta_page = beta.get("/search?q=brass").get_data(as_text=True)
    assert _titles(beta_page) == ["Brass lamp"] and "Brass bowl" not in beta_page
    assert [p["title"] for p in beta.get("/search/suggest?q=brass").get_json()["products"]] \
        == ["Brass lamp"]
    assert sorted(_titles(alpha.get("/search?q=brass").get_data(as_text=True))) == [
        "Brass bell", "Brass bowl"]


def test_search_entries_are_bounded_apart_from_catalogue_pages(app, stores, store_client):
    pages, searches = app.extensions["haat_page_cache"], app.extensions["haat_search_cache"]
    app.extensions["haat_page_cache"] = PageCache(10, 60)
    app.extensions["haat_search_cache"] = PageCache(3, 60)
    try:
        client = store_client("alpha-shop")
        assert client.get("/products/brass-bowl").status_code == 200
        for n in range(10):
            assert client.get(f"/search?q=brass{n}").status_code == 200
        assert _entries(app.extensions["haat_search_cache"]) == 3
        assert _entries(app.extensions["haat_page_cache"]) == 1  # the product page stays
    finally:
        app.extensions["haat_page_cache"], app.extensions["haat_search_cache"] = pages, searches


def test_search_cache_can_be_switched_off(app, stores, store_client, search_cache,
                                          monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_SEARCH_CACHE_SIZE", 0)
    client = store_client("alpha-shop")
    for _ in range(2):
        assert client.get("/search?q=brass").status_code == 200
        assert client.get("/search/suggest?q=brass").status_code == 200
    assert _entries(search_cache) == 0
