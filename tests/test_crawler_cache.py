"""A query string cannot make a store rebuild its pages, its sitemap or its robots.txt.

Rebuilds are counted through the hooks a rebuild calls (``haat_sitemap_entries``,
``haat_robots_rules``, ``haat_head_tags``), never timed.
"""

from __future__ import annotations

import threading
import uuid
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from conftest import client_for, make_plugin
from core.catalog.models import Product
from core.db import db
from core.sdk import RobotsRule, SitemapEntry, iter_products
from tenants import tenant_scope
from tenants.models import Tenant

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _junk() -> str:
    """A query string a cache-busting crawler might send."""
    token = uuid.uuid4().hex
    return f"{token}&utm_source=ads&utm_campaign={token}&fbclid={token}"


@pytest.fixture
def walks(install_plugin, enable_plugin, make_store, add_product):
    """Two stores with a sitemap plugin that lists their products; returns the list of
    store ids each sitemap walk was for (one item per walk)."""
    seen: list[int] = []

    def entries(store):
        seen.append(store.id)
        return [SitemapEntry(path=f"/products/{p.handle}") for p in iter_products(store)]

    install_plugin(make_plugin("test-walk", haat_sitemap_entries=entries))
    for slug in ("alpha-shop", "beta-shop"):
        store = make_store(slug)
        add_product(store, f"{slug}-mug")
        enable_plugin(store, "test-walk")
    return seen


def _locs(response) -> list[str]:
    assert response.status_code == 200
    return [e.text for e in ET.fromstring(response.data).iter(f"{{{NS['s']}}}loc")]


def _store_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def _add(app, slug: str, handle: str) -> None:
    with app.app_context(), tenant_scope(_store_id(app, slug)):
        db.session.add(Product(handle=handle, title=handle, price_amount=100, stock=1))
        db.session.commit()


def test_a_random_query_string_never_rebuilds_the_sitemap(walks, store_client):
    client = store_client("alpha-shop")
    first = _locs(client.get("/sitemap.xml"))
    assert first == ["http://alpha-shop.localhost/products/alpha-shop-mug"]
    for _ in range(5):
        assert _locs(client.get(f"/sitemap.xml?{_junk()}")) == first
    assert len(walks) == 1


def test_every_worker_and_host_share_one_built_copy(walks, app, store_client):
    store_client("alpha-shop").get("/sitemap.xml")
    app.extensions["haat_page_cache"].clear()  # as a fresh worker would start
    on_a_port = client_for(app, "alpha-shop.localhost:8123")
    assert _locs(on_a_port.get(f"/sitemap.xml?{_junk()}")) == [
        "http://alpha-shop.localhost:8123/products/alpha-shop-mug"]
    assert len(walks) == 1


def test_a_catalogue_change_makes_one_new_sitemap(walks, app, store_client):
    client = store_client("alpha-shop")
    client.get("/sitemap.xml")
    _add(app, "alpha-shop", "new-lamp")
    for _ in range(3):
        assert "http://alpha-shop.localhost/products/new-lamp" in _locs(
            client.get(f"/sitemap.xml?{_junk()}"))
    assert len(walks) == 2


def test_a_sitemap_never_shows_another_stores_urls(walks, app, store_client):
    alpha, beta = store_client("alpha-shop"), store_client("beta-shop")
    assert _locs(alpha.get("/sitemap.xml")) == [
        "http://alpha-shop.localhost/products/alpha-shop-mug"]
    assert _locs(beta.get("/sitemap.xml")) == ["http://beta-shop.localhost/products/beta-shop-mug"]
    _add(app, "beta-shop", "beta-lamp")  # only beta's sitemap is rebuilt
    assert _locs(beta.get(f"/sitemap.xml?{_junk()}")) == [
        "http://beta-shop.localhost/products/beta-shop-mug",
        "http://beta-shop.localhost/products/beta-lamp"]
    after = _locs(alpha.get(f"/sitemap.xml?{_junk()}"))
    assert after == ["http://alpha-shop.localhost/products/alpha-shop-mug"]
    assert walks == [_store_id(app, "alpha-shop")] + [_store_id(app, "beta-shop")] * 2


def test_parts_of_a_large_sitemap_are_built_once(walks, app, store_client, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_SITEMAP_LIMIT", 1)
    for handle in ("lamp", "rug"):
        _add(app, "alpha-shop", handle)
    client = store_client("alpha-shop")
    parts = _locs(client.get("/sitemap.xml"))
    assert parts == [f"http://alpha-shop.localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen = [loc for n in (1, 2, 3) for loc in _locs(client.get(f"/sitemap-{n}.xml?{_junk()}"))]
    assert len(seen) == 3 and all(loc.startswith("http://alpha-shop.localhost/products/")
                                  for loc in seen)
    assert client.get(f"/sitemap-4.xml?{_junk()}").status_code == 404
    assert len(walks) == 1


def test_a_stale_copy_is_served_while_its_rebuild_is_queued(walks, app, store_client):
    from core.storefront import sitemaps

    client = store_client("alpha-shop")
    before = _locs(client.get("/sitemap.xml"))
    _add(app, "alpha-shop", "new-lamp")
    store_id = _store_id(app, "alpha-shop")
    with app.app_context():
        files = sitemaps.sitemap_files()
        assert files.claim_rebuild(store_id)  # as if another request had queued the job
    for _ in range(3):
        assert _locs(client.get(f"/sitemap.xml?{_junk()}")) == before
    assert len(walks) == 1
    with app.app_context():
        files.release_rebuild(store_id)  # the job has run
    assert "http://alpha-shop.localhost/products/new-lamp" in _locs(client.get("/sitemap.xml"))
    assert len(walks) == 2


def test_requests_during_the_first_build_are_asked_to_retry_not_held(
        app, install_plugin, enable_plugin, make_store):
    building, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def entries(store):
        seen.append(store.id)
        building.set()
        assert release.wait(30)
        return [SitemapEntry(path="/")]

    install_plugin(make_plugin("test-slow-walk", haat_sitemap_entries=entries))
    enable_plugin(make_store("alpha-shop"), "test-slow-walk")
    bodies: list[bytes] = []

    def fetch() -> None:
        bodies.append(client_for(app, "alpha-shop.localhost").get(f"/sitemap.xml?{_junk()}").data)

    first = threading.Thread(target=fetch)
    first.start()
    assert building.wait(30)
    # A flood during the build never waits on it (that would hold every worker thread).
    others = [client_for(app, "alpha-shop.localhost").get(f"/sitemap.xml?{_junk()}")
              for _ in range(3)]
    assert [r.status_code for r in others] == [503] * 3
    assert all(r.headers["Retry-After"] == "30" for r in others)
    release.set()
    first.join(30)
    assert len(bodies) == 1 and b"<loc>" in bodies[0]
    again = client_for(app, "alpha-shop.localhost").get("/sitemap.xml")
    assert again.status_code == 200 and again.data == bodies[0]
    assert len(seen) == 1


def test_robots_is_built_once_whatever_the_query(make_store, store_client, install_plugin,
                                                 enable_plugin):
    calls: list[int] = []

    def rules(store):
        calls.append(store.id)
        return [RobotsRule(disallow=("/collections/secret",))]

    install_plugin(make_plugin("test-robots-count", haat_robots_rules=rules))
    enable_plugin(make_store("alpha-shop"), "test-robots-count")
    client = store_client("alpha-shop")
    for query in ("", *(f"?{_junk()}" for _ in range(4))):
        assert "Disallow: /collections/secret" in client.get(f"/robots.txt{query}").get_data(
            as_text=True)
    assert len(calls) == 1


# ------------------------------------------------------------------------ catalogue pages


@pytest.fixture
def renders(install_plugin, enable_plugin, make_store, seed_catalog):
    """A store with 25 products in ``bestsellers`` and a plugin counting page renders
    (path and sorted query of each)."""
    from flask import request

    seen: list[tuple[str, str]] = []

    def head_tags(store, page):
        seen.append((page.path, "&".join(sorted(f"{k}={v}" for k, v in request.args.items()))))
        return []

    install_plugin(make_plugin("test-renders", haat_head_tags=head_tags))
    store = make_store("alpha-shop")
    seed_catalog(store, {f"item-{n:02d}": n for n in range(25)})
    enable_plugin(store, "test-renders")
    return seen


def test_unknown_parameters_never_make_a_new_cached_page(renders, store_client):
    client = store_client("alpha-shop")
    plain = client.get("/collections/bestsellers").get_data(as_text=True)
    for _ in range(3):
        page = client.get(f"/collections/bestsellers?{_junk()}").get_data(as_text=True)
        assert page == plain
    client.get(f"/products/item-03?{_junk()}")
    client.get(f"/products/item-03?{_junk()}")
    client.get(f"/?{_junk()}")
    client.get(f"/?{_junk()}")
    assert renders == [("/collections/bestsellers", ""), ("/products/item-03", ""), ("/", "")]


def test_made_up_ports_in_the_host_never_push_pages_out_of_the_cache(renders, app,
                                                                    store_client, monkeypatch):
    from core.storefront.page_cache import PageCache

    # Room for two pages (for this test only: the session's app keeps its own cache).
    monkeypatch.setitem(app.extensions, "haat_page_cache", PageCache(2, 60))
    client = store_client("alpha-shop")
    plain = client.get("/").get_data(as_text=True)
    for port in (1, 2, 3):  # the store answers on any port; each is rendered, not stored
        odd = client_for(app, f"alpha-shop.localhost:{port}").get(
            "/", environ_overrides={"SERVER_PORT": "80"})  # a server listening on 80
        assert odd.status_code == 200 and "© Alpha Shop" in odd.get_data(as_text=True)
    assert client.get("/").get_data(as_text=True) == plain
    assert renders == [("/", "")] * 4  # the plain host's copy was still in the cache


def test_made_up_ports_never_push_robots_txt_copies_into_the_cache(renders, app,
                                                                    store_client, monkeypatch):
    from core.storefront.page_cache import PageCache

    cache = PageCache(2, 60)
    monkeypatch.setitem(app.extensions, "haat_page_cache", cache)
    assert store_client("alpha-shop").get("/robots.txt").status_code == 200
    for port in (1, 2, 3):
        odd = client_for(app, f"alpha-shop.localhost:{port}").get(
            "/robots.txt", environ_overrides={"SERVER_PORT": "80"})
        assert odd.status_code == 200 and b"Disallow: /admin" in odd.data
    assert len(cache._entries) == 1  # only the real host's copy


def test_known_parameters_in_any_order_share_one_page(renders, store_client):
    client = store_client("alpha-shop")
    page_two = client.get("/collections/bestsellers?page=2&sort=name").get_data(as_text=True)
    for query in ("sort=name&page=2", f"utm_source=x&sort=name&page=2&{_junk()}",
                  "page=02&sort=name"):
        assert client.get(f"/collections/bestsellers?{query}").get_data(as_text=True) == page_two
    assert renders == [("/collections/bestsellers", "page=2&sort=name")]


def test_known_parameters_still_give_different_pages(renders, store_client):
    client = store_client("alpha-shop")
    first = client.get(f"/collections/bestsellers?sort=name&{_junk()}").get_data(as_text=True)
    second = client.get(f"/collections/bestsellers?sort=name&page=2&{_junk()}").get_data(
        as_text=True)
    backwards = client.get("/collections/bestsellers?sort=price-desc").get_data(as_text=True)
    assert "Alpha Shop item-00" in first and "Alpha Shop item-00" not in second
    assert "Alpha Shop item-24" in second  # the 25th product is alone on page 2
    assert first != backwards
    # Junk values of known parameters mean their defaults, not new pages.
    client.get("/collections/bestsellers?sort=nonsense&page=abc&available=maybe")
    client.get("/collections/bestsellers")
    assert [query for _path, query in renders] == [
        "sort=name", "page=2&sort=name", "sort=price-desc", ""]


def test_a_cached_page_never_echoes_the_first_visitors_parameters(renders, store_client):
    first = store_client("alpha-shop").get("/products/item-01?lang=bn&evil=%22%3E%3Cx%3E")
    assert "evil" not in first.get_data(as_text=True)
    later = store_client("alpha-shop").get("/products/item-01?lang=bn").get_data(as_text=True)
    assert "evil" not in later and "lang=hy" in later  # the language switch still works
    assert len(renders) == 1


def test_cached_pages_with_the_same_query_never_cross_stores(renders, make_store, seed_catalog,
                                                             store_client, enable_plugin):
    other = make_store("beta-shop")
    seed_catalog(other, {"item-00": 1})
    enable_plugin(other, "test-renders")
    query = f"sort=name&{_junk()}"
    alpha = store_client("alpha-shop").get(f"/collections/bestsellers?{query}")
    beta = store_client("beta-shop").get(f"/collections/bestsellers?{query}")
    assert "Alpha Shop item-00" in alpha.get_data(as_text=True)
    assert "Beta Shop item-00" in beta.get_data(as_text=True)
    assert "Alpha Shop" not in beta.get_data(as_text=True)


def test_a_stored_page_tells_plugins_only_its_known_parameters(install_plugin, enable_plugin,
                                                               make_store, seed_catalog,
                                                               store_client):
    urls: list[str] = []
    install_plugin(make_plugin("test-page-url",
                               haat_head_tags=lambda store, page: urls.append(page.url) or []))
    store = make_store("alpha-shop")
    seed_catalog(store, {"item-01": 1})
    enable_plugin(store, "test-page-url")
    store_client("alpha-shop").get("/collections/bestsellers?sort=name&evil=INJECTED")
    # A plugin that prints page.url (og:url, share links) would store it for everyone.
    assert urls == ["http://alpha-shop.localhost/collections/bestsellers?sort=name"]
