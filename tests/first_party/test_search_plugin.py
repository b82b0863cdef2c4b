"""The first-party search plugin through the storefront: the embedded engine, indexing
through catalogue events and jobs, the search page, suggestions and reindexing."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from conftest import PASSWORD
from core.catalog.models import STATUS_DRAFT, Product
from core.db import db
from core.testing import assert_translated
from tenants import tenant_scope

CATALOGUE = [
    ("nakshi-kantha", "নকশি কাঁথা", 250000, 5, "textiles"),
    ("jamdani-saree", "জামদানি শাড়ি", 850000, 0, "textiles"),
    ("brass-bowl", "Brass bowl", 120000, 9, "kitchen"),
    ("blue-mug", "Blue <mug>", 45000, 12, "kitchen"),
]


@pytest.fixture
def stores(make_store, add_product, enable_plugin):
    alpha = make_store("alpha-shop", name="Alpha", locale="bn", currency="BDT")
    beta = make_store("beta-shop", name="Beta", currency="BDT")
    for store in (alpha, beta):
        enable_plugin(store, "search")
    for handle, title, price, stock, collection in CATALOGUE:
        add_product(alpha, handle, title=title, price=price, stock=stock, collection=collection,
                    description="Handmade in Bangladesh.")
    add_product(beta, "brass-lamp", title="Brass lamp", price=99000, collection="kitchen")
    return alpha, beta


def _titles(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", t)) for t in
            re.findall(r'<span class="card-title">(.*?)</span>', html)]


def test_search_finds_misspelt_words_in_each_script_and_never_another_store(stores,
                                                                           store_client):
    client = store_client("alpha-shop")
    assert 'role="search"' in client.get("/").get_data(as_text=True)
    assert _titles(client.get("/search?q=নকশী কাথা").get_data(as_text=True)) == ["নকশি কাঁথা"]
    assert _titles(client.get("/search?q=bras").get_data(as_text=True)) == ["Brass bowl"]
    html = client.get("/search?q=brass").get_data(as_text=True)
    assert "Brass lamp" not in html  # beta's
    assert "<mark>Brass</mark> bowl" in html
    beta = store_client("beta-shop").get("/search?q=brass").get_data(as_text=True)
    assert _titles(beta) == ["Brass lamp"]


def test_highlights_are_escaped_and_facets_filter(stores, store_client):
    client = store_client("alpha-shop")
    html = client.get("/search?q=mug").get_data(as_text=True)
    assert "Blue &lt;<mark>mug</mark>&gt;" in html or "Blue <mark>&lt;mug&gt;</mark>" in html
    assert "<mug>" not in html
    everything = client.get("/search?q=handmade&lang=en").get_data(as_text=True)
    assert len(_titles(everything)) == 4
    facets = re.search(r'<aside class="search-filters".*?</aside>', everything, re.S).group(0)
    assert re.search(r"Kitchen <span class=\"facet-count\">\(2\)</span>", facets)
    assert re.search(r"In stock only <span class=\"facet-count\">\(3\)</span>", facets)
    link = re.search(r'<a href="([^"]+collection=kitchen[^"]*)"', facets).group(1)
    narrowed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(_titles(narrowed)) == ["Blue <mug>", "Brass bowl"]
    in_stock = client.get("/search?q=handmade&in_stock=1").get_data(as_text=True)
    assert "জামদানি শাড়ি" not in _titles(in_stock) and len(_titles(in_stock)) == 3
    cheapest_first = _titles(client.get("/search?q=handmade&sort=price-asc").get_data(
        as_text=True))
    assert cheapest_first[0] == "Blue <mug>" and cheapest_first[-1] == "জামদানি শাড়ি"


def test_suggest_answers_json_for_the_store_only(stores, store_client):
    data = store_client("alpha-shop").get("/search/suggest?q=bra").get_json()
    assert [p["title"] for p in data["products"]] == ["Brass bowl"]
    assert data["products"][0]["url"] == "/products/brass-bowl"
    assert "<mark>" in data["products"][0]["highlighted"]
    assert store_client("alpha-shop").get("/search/suggest?q=b").get_json()["products"] == []


def test_catalogue_changes_reach_the_index(stores, store_client, app):
    alpha, _beta = stores
    client = store_client("alpha-shop")
    with app.app_context(), tenant_scope(alpha.id):
        bowl = db.session.scalar(select(Product).where(Product.handle == "brass-bowl"))
        bowl.title = "Copper bowl"
        db.session.commit()
    assert _titles(client.get("/search?q=copper").get_data(as_text=True)) == ["Copper bowl"]
    with app.app_context(), tenant_scope(alpha.id):
        db.session.scalar(select(Product).where(Product.handle == "brass-bowl")).status = (
            STATUS_DRAFT)
        db.session.commit()
    assert _titles(client.get("/search?q=copper").get_data(as_text=True)) == []
    with app.app_context(), tenant_scope(alpha.id):
        db.session.delete(db.session.scalar(select(Product).where(Product.handle == "blue-mug")))
        db.session.commit()
    assert _titles(client.get("/search?q=mug").get_data(as_text=True)) == []


def test_reindex_command_is_idempotent_and_per_store(stores, store_client, app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["search", "reindex"])
    assert first.exit_code == 0, first.output
    assert "alpha-shop: 4 products indexed" in first.output
    assert "beta-shop: 1 products indexed" in first.output
    before = store_client("alpha-shop").get("/search?q=brass").get_data(as_text=True)
    again = runner.invoke(args=["search", "reindex", "--store", "alpha-shop"])
    assert again.exit_code == 0 and "beta-shop" not in again.output
    after = store_client("alpha-shop").get("/search?q=brass").get_data(as_text=True)
    assert _titles(before) == _titles(after) == ["Brass bowl"]
    assert runner.invoke(args=["search", "reindex", "--store", "nope"]).exit_code != 0


def test_a_failing_engine_gives_a_polite_page_and_json(stores, store_client, monkeypatch,
                                                       isolating):
    from plugins.search import plugin

    class Down:
        def query(self, *args, **kwargs):
            raise ConnectionError("search server down")

        suggest = query

    monkeypatch.setattr(plugin, "backend", lambda: Down())
    client = store_client("alpha-shop")
    page = client.get("/search?q=brass&lang=en")
    assert page.status_code == 503
    assert "Search is not available right now" in page.get_data(as_text=True)
    assert client.get("/search/suggest?q=brass").status_code == 503


# ------------------------------------------------------------------ the merchant's language


def test_every_message_is_translated():
    assert_translated("plugins.search")


@pytest.mark.parametrize(("locale", "currency", "title", "description"), [
    ("bn", "BDT", "সার্চ", "প্রতিটি পৃষ্ঠায় একটি সার্চ বক্স"),
    ("hy", "AMD", "Որոնում", "Որոնման դաշտ յուրաքանչյուր էջում"),
])
def test_the_settings_page_is_in_the_owners_language(make_store, store_client, locale,
                                                     currency, title, description):
    # The plugin has no settings: its page shows the title and description only.
    slug = f"{locale}-search"
    make_store(slug, currency=currency, locale=locale)
    owner = store_client(slug)
    assert owner.post("/admin/login", data={"email": f"owner@{slug}.example",
                                            "password": PASSWORD}).status_code == 303
    page = owner.get("/admin/plugins/search").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert f'<p class="lead">{description}' in page
    assert "A search box on every page" not in page
