"""Host header -> store: subdomains, custom domains, unknown, suspended, platform."""

from __future__ import annotations

import pytest

from conftest import client_for
from core.db import db
from tenants import TENANT_SUSPENDED, platform_scope
from tenants.provisioning import add_domain, find_tenant, set_status
from tenants.resolution import TenantResolver, normalise_host


@pytest.fixture
def shop(make_store, seed_catalog):
    tenant = make_store("dhaka-crafts", name="Dhaka Crafts")
    seed_catalog(tenant, {"nakshi-kantha": 3})
    return tenant


@pytest.mark.parametrize("host", [
    "dhaka-crafts.localhost",
    "dhaka-crafts.localhost:8000",
    "Dhaka-Crafts.LOCALHOST:8000",
    "dhaka-crafts.localhost.",
])
def test_subdomain_hosts_resolve_to_the_store(app, shop, host):
    page = client_for(app, host).get("/")
    assert page.status_code == 200
    assert "Dhaka Crafts nakshi-kantha" in page.get_data(as_text=True)


def test_custom_domain_resolves_when_verified(app, shop):
    with app.app_context():
        add_domain(find_tenant("dhaka-crafts"), "Shop.Example.COM", verified=True)
        db.session.commit()
    for host in ("shop.example.com", "SHOP.example.com:443"):
        page = client_for(app, host).get("/")
        assert page.status_code == 200, host
        assert "Dhaka Crafts nakshi-kantha" in page.get_data(as_text=True)


def test_unverified_custom_domain_does_not_serve(app, shop):
    with app.app_context():
        add_domain(find_tenant("dhaka-crafts"), "pending.example.com", verified=False)
        db.session.commit()
    assert client_for(app, "pending.example.com").get("/").status_code == 404


@pytest.mark.parametrize("host", ["nobody.localhost", "nobody.localhost:8000",
                                  "example.org", "a.b.localhost", "127.0.0.1:8000"])
def test_unknown_host_gets_a_friendly_404_with_a_link_to_the_platform(app, shop, host):
    page = client_for(app, host).get("/products/nakshi-kantha")
    body = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "No store lives here" in body
    assert 'href="http://localhost' in body
    assert "nakshi" not in body


def test_suspended_store_answers_503_and_recovers(app, shop):
    client = client_for(app, "dhaka-crafts.localhost")
    assert client.get("/").status_code == 200  # warm the resolver cache
    with app.app_context():
        set_status(find_tenant("dhaka-crafts"), TENANT_SUSPENDED)
        db.session.commit()
    page = client.get("/")
    assert page.status_code == 503
    assert "closed for now" in page.get_data(as_text=True)
    assert client.get("/admin/login").status_code == 503
    with app.app_context():
        set_status(find_tenant("dhaka-crafts"), "active")
        db.session.commit()
    assert client.get("/").status_code == 200


def test_renamed_store_is_resolved_afresh(app, shop):
    client = client_for(app, "dhaka-crafts.localhost")
    assert client.get("/").status_code == 200
    with app.app_context(), platform_scope():
        find_tenant("dhaka-crafts").slug = "dhaka-weaves"
        db.session.commit()
    assert client.get("/").status_code == 404
    assert client_for(app, "dhaka-weaves.localhost").get("/").status_code == 200


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LOCALHOST", "www.localhost"])
def test_platform_domain_serves_platform_pages(app, shop, host):
    page = client_for(app, host).get("/")
    assert page.status_code == 200
    assert "Create your store" in page.get_data(as_text=True)
    # Store routes do not exist on the platform host, and platform routes not on stores.
    assert client_for(app, host).get("/products/nakshi-kantha").status_code == 404
    assert client_for(app, host).get("/admin/login").status_code == 404
    assert client_for(app, "dhaka-crafts.localhost").get("/signup").status_code == 404


def test_healthz_answers_on_any_host(app, shop):
    for host in ("localhost", "dhaka-crafts.localhost", "unknown.example"):
        response = client_for(app, host).get("/healthz")
        assert response.status_code == 200
        assert response.json["database"] == "ok"


def test_normalise_host():
    assert normalise_host("Shop.Example.com.:8080") == "shop.example.com"
    assert normalise_host("[::1]:8000") == "[::1]"
    assert normalise_host("LOCALHOST") == "localhost"


def test_resolver_caches_hits_but_not_misses(app, shop, monkeypatch):
    resolver = TenantResolver("localhost", ttl=60)
    lookups = []
    original = resolver._lookup
    monkeypatch.setattr(resolver, "_lookup", lambda name: lookups.append(name) or original(name))
    with app.app_context():
        assert resolver.resolve("dhaka-crafts.localhost:8000").slug == "dhaka-crafts"
        assert resolver.resolve("DHAKA-CRAFTS.localhost").slug == "dhaka-crafts"
        assert resolver.resolve("new-shop.localhost") is None
        assert resolver.resolve("new-shop.localhost") is None
    assert lookups == ["dhaka-crafts.localhost", "new-shop.localhost", "new-shop.localhost"]


def test_a_rolled_back_savepoint_does_not_cancel_cache_invalidation(app, shop):
    client = client_for(app, "dhaka-crafts.localhost")
    assert client.get("/").status_code == 200  # cached
    with app.app_context():
        set_status(find_tenant("dhaka-crafts"), TENANT_SUSPENDED)
        savepoint = db.session.begin_nested()
        savepoint.rollback()
        db.session.commit()
    assert client.get("/").status_code == 503


def test_a_lookup_that_raced_a_change_is_not_cached(app, shop, monkeypatch):
    """A commit that lands while a lookup reads the store: the snapshot the lookup read
    may predate it, so it serves that one request and is not kept."""
    resolver = TenantResolver("localhost")
    real_lookup = resolver._lookup

    def lookup_during_a_commit(name):
        found = real_lookup(name)
        resolver.invalidate()  # what the other request's commit does meanwhile
        return found

    monkeypatch.setattr(resolver, "_lookup", lookup_during_a_commit)
    with app.app_context():
        assert resolver.resolve("dhaka-crafts.localhost") is not None
        assert resolver.peek("dhaka-crafts.localhost") is None  # not kept
        monkeypatch.setattr(resolver, "_lookup", real_lookup)
        found = resolver.resolve("dhaka-crafts.localhost")
        assert resolver.peek("dhaka-crafts.localhost") == found  # an undisturbed lookup is kept
