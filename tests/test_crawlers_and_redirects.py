"""robots.txt, the sitemap frame, and old handles that keep working."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from conftest import make_plugin
from core.catalog.models import Collection, Product
from core.db import db
from core.pages.models import Page
from core.sdk import RobotsRule, SitemapEntry
from tenants import tenant_scope

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def shop(make_store, add_product):
    store = make_store("alpha-shop", name="Alpha Shop")
    add_product(store, "mug", title="Mug", collection="kitchen")
    return store


def _rename(app, store, model, old, new):
    with app.app_context(), tenant_scope(store.id):
        db.session.scalar(select(model).where(model.handle == old)).handle = new
        db.session.commit()


def test_a_renamed_product_answers_301_from_every_old_handle(shop, app, store_client):
    client = store_client("alpha-shop")
    _rename(app, shop, Product, "mug", "blue-mug")
    moved = client.get("/products/mug?lang=hy")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/products/blue-mug?lang=hy")
    _rename(app, shop, Product, "blue-mug", "big-blue-mug")
    for old in ("mug", "blue-mug"):  # a chain of renames is one hop
        assert client.get(f"/products/{old}").headers["Location"].endswith(
            "/products/big-blue-mug")
    assert client.get("/products/big-blue-mug").status_code == 200
    # Renaming back makes the old handle live again, with no redirect loop.
    _rename(app, shop, Product, "big-blue-mug", "mug")
    assert client.get("/products/mug").status_code == 200
    assert client.get("/products/blue-mug").headers["Location"].endswith("/products/mug")


def test_collections_and_pages_keep_their_old_links_too(shop, app, store_client):
    with app.app_context(), tenant_scope(shop.id):
        db.session.add(Page(handle="about", title="About"))
        db.session.commit()
    _rename(app, shop, Collection, "kitchen", "kitchenware")
    _rename(app, shop, Page, "about", "our-story")
    client = store_client("alpha-shop")
    assert client.get("/collections/kitchen").headers["Location"].endswith(
        "/collections/kitchenware")
    assert client.get("/pages/about").headers["Location"].endswith("/pages/our-story")
    assert client.get("/pages/never-was").status_code == 404


def test_redirects_belong_to_one_store(shop, make_store, add_product, app, store_client):
    other = make_store("beta-shop")
    add_product(other, "cup")
    _rename(app, shop, Product, "mug", "blue-mug")
    assert store_client("beta-shop").get("/products/mug").status_code == 404


def test_robots_has_core_rules_and_plugin_rules_only_for_its_store(
        shop, make_store, store_client, install_plugin, enable_plugin):
    make_store("beta-shop")
    install_plugin(make_plugin("test-robots", haat_robots_rules=lambda store: [
        RobotsRule(disallow=("/collections/secret",)),
        RobotsRule(user_agent="BadBot", disallow=("/",))]))
    enable_plugin(shop, "test-robots")
    text = store_client("alpha-shop").get("/robots.txt").get_data(as_text=True)
    assert "User-agent: *\nDisallow: /admin\nDisallow: /cart" in text
    assert "Disallow: /collections/secret" in text
    assert "User-agent: BadBot\nDisallow: /" in text
    assert "Sitemap:" not in text  # no plugin provides a sitemap
    other_text = store_client("beta-shop").get("/robots.txt").get_data(as_text=True)
    assert "secret" not in other_text and "BadBot" not in other_text


def test_the_sitemap_splits_into_an_index_over_the_limit(shop, app, store_client,
                                                          install_plugin, enable_plugin,
                                                          monkeypatch):
    client = store_client("alpha-shop")
    assert client.get("/sitemap.xml").status_code == 404  # no plugin, no sitemap
    paths = [f"/products/p{i}" for i in range(7)] + ["//evil.example/x", "/products/p0"]
    install_plugin(make_plugin("test-sitemap", haat_sitemap_entries=lambda store: [
        SitemapEntry(path=p) for p in paths]))
    enable_plugin(shop, "test-sitemap")
    whole = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in whole.findall("s:url/s:loc", NS)]
    assert locs == [f"http://alpha-shop.localhost/products/p{i}" for i in range(7)]
    assert "Sitemap: http://alpha-shop.localhost/sitemap.xml" in client.get(
        "/robots.txt").get_data(as_text=True)

    monkeypatch.setitem(app.config, "HAAT_SITEMAP_LIMIT", 3)
    app.extensions["haat_page_cache"].clear()
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    parts = [e.text for e in index.findall("s:sitemap/s:loc", NS)]
    assert parts == [f"http://alpha-shop.localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for n in (1, 2, 3):
        part = ET.fromstring(client.get(f"/sitemap-{n}.xml").data)
        urls = [e.text for e in part.findall("s:url/s:loc", NS)]
        assert 1 <= len(urls) <= 3
        seen += urls
    assert seen == locs
    assert client.get("/sitemap-4.xml").status_code == 404
