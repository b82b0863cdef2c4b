"""The plugin host: per-store switches, cross-worker invalidation, isolation, breaker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import client_for, make_plugin
from core import create_app
from core.db import db, utcnow
from core.pluginhost.manager import PluginHost
from core.pluginhost.models import PluginFailure, PluginState
from core.pluginhost.state import aware, set_enabled
from core.sdk import SecretField, SlotContent, TextField
from tenants import tenant_scope


def _header_plugin(name="hello-bar", text=lambda store: f"hello {store.slug}"):
    return make_plugin(name, settings=(TextField("message", "Message"),),
                       haat_slot=lambda store, name, page: SlotContent(text=text(store))
                       if name == "header" else None)


@pytest.fixture
def stores(make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


def _home(app, tenant) -> str:
    return client_for(app, f"{tenant.slug}.localhost").get("/").get_data(as_text=True)


def test_plugins_are_off_until_a_store_switches_them_on(app, stores, install_plugin,
                                                        enable_plugin):
    install_plugin(_header_plugin())
    a, b = stores
    assert "hello alpha-shop" not in _home(app, a)
    enable_plugin(a, "hello-bar")
    assert "hello alpha-shop" in _home(app, a)
    assert "hello beta-shop" not in _home(app, b)
    enable_plugin(a, "hello-bar", enabled=False)
    assert "hello alpha-shop" not in _home(app, a)


def test_two_stores_see_their_own_settings_and_secrets(app, app_ctx, stores, install_plugin,
                                                       enable_plugin, store_plugins):
    install_plugin(make_plugin("keyed", settings=(TextField("message", "Message"),
                                                  SecretField("api_key", "API key"))))
    a, b = stores
    enable_plugin(a, "keyed", {"message": "Eid sale"}, {"api_key": "sk_live_aaaa1111"})
    enable_plugin(b, "keyed", {"message": "Nowruz sale"}, {"api_key": "sk_live_bbbb2222"})
    assert dict(store_plugins(a).info.plugin_settings("keyed")) == {
        "message": "Eid sale", "api_key": "sk_live_aaaa1111"}
    assert store_plugins(b).info.plugin_settings("keyed")["api_key"] == "sk_live_bbbb2222"
    with tenant_scope(a.id):
        row = db.session.scalar(select(PluginState).where(PluginState.plugin == "keyed"))
    assert "sk_live" not in row.secrets and "aaaa1111" not in row.secrets
    assert "api_key" not in row.settings


def test_a_toggle_reaches_every_worker_on_its_next_request(app, stores, install_plugin,
                                                           enable_plugin):
    install_plugin(_header_plugin())
    a, _b = stores
    # A second app instance with its own caches stands in for another gunicorn worker.
    other_worker = create_app({k: app.config[k] for k in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "HAAT_INSTANCE_DIR", "HAAT_MEDIA_DIR",
        "HAAT_PLATFORM_DOMAIN")})
    other_worker.extensions["haat_plugins"].register(_header_plugin())
    assert "hello alpha-shop" not in _home(other_worker, a)  # warms its cache
    enable_plugin(a, "hello-bar")  # through the first worker
    assert "hello alpha-shop" in _home(other_worker, a)
    enable_plugin(a, "hello-bar", enabled=False)
    assert "hello alpha-shop" not in _home(other_worker, a)


def test_stores_with_the_same_enabled_set_share_one_relay(app, app_ctx, stores,
                                                          install_plugin, enable_plugin,
                                                          store_plugins):
    install_plugin(_header_plugin())
    a, b = stores
    assert store_plugins(a).hooks is store_plugins(b).hooks
    enable_plugin(a, "hello-bar")
    assert store_plugins(a).hooks is not store_plugins(b).hooks
    enable_plugin(b, "hello-bar")
    assert store_plugins(a).hooks is store_plugins(b).hooks


def test_exclusive_kinds_allow_one_plugin_per_store(app, app_ctx, stores, install_plugin,
                                                    enable_plugin, store_plugins):
    install_plugin(make_plugin("search-one", kind="search",
                               haat_search_backend=lambda store: "one"))
    install_plugin(make_plugin("search-two", kind="search",
                               haat_search_backend=lambda store: "two"))
    a, _b = stores
    enable_plugin(a, "search-one")
    enable_plugin(a, "search-two")
    assert store_plugins(a).enabled >= {"search-two"}
    assert "search-one" not in store_plugins(a).enabled
    assert store_plugins(a).first("haat_search_backend") == "two"


def test_a_raising_plugin_costs_only_its_part_and_trips_the_breaker(
        app, stores, install_plugin, enable_plugin, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_BREAKER_THRESHOLD", 3)

    def broken(store, name, page):
        raise RuntimeError("template exploded")

    install_plugin(make_plugin("broken-bar", haat_slot=broken))
    install_plugin(_header_plugin())
    a, b = stores
    for plugin in ("broken-bar", "hello-bar"):
        enable_plugin(a, plugin)
        enable_plugin(b, plugin)
    client = client_for(app, "alpha-shop.localhost")
    page = client.get("/")
    assert page.status_code == 200
    assert "hello alpha-shop" in page.get_data(as_text=True)  # the healthy plugin still shows
    with app.app_context(), tenant_scope(a.id):
        failure = db.session.scalar(select(PluginFailure))
        assert (failure.plugin, failure.hook) == ("broken-bar", "haat_slot")
        assert "template exploded" in failure.error
    client.get("/products/none")  # 404 page does not render slots; use real pages
    client.get("/collections/all")
    with app.app_context(), tenant_scope(a.id):
        count = db.session.scalar(select(func.count()).select_from(PluginFailure))
        state = db.session.scalar(select(PluginState).where(PluginState.plugin == "broken-bar"))
        assert count >= 3
        assert state.disabled_until is not None
    # Tripped for A only: A's next page does not call it at all, B is unaffected.
    with app.app_context(), tenant_scope(a.id):
        before = db.session.scalar(select(func.count()).select_from(PluginFailure))
    assert client.get("/").status_code == 200
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(func.count()).select_from(PluginFailure)) == before
    # After the cool-down the plugin is back for A (and fails again).
    later = utcnow() + timedelta(seconds=app.config["HAAT_PLUGIN_BREAKER_COOLDOWN"] + 1)
    for module in ("core.pluginhost.runtime", "core.pluginhost.state"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    # Cached pages keep the plugin's absence until they expire (HAAT_PAGE_CACHE_TTL).
    app.extensions["haat_page_cache"].clear()
    client.get("/")
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(func.count()).select_from(PluginFailure)) > before
        # ...and, still failing, it trips again for a new cool-down.
        state = db.session.scalar(select(PluginState).where(PluginState.plugin == "broken-bar"))
        assert aware(state.disabled_until) > later
    with app.app_context(), tenant_scope(b.id):
        b_state = db.session.scalar(select(PluginState).where(PluginState.plugin == "broken-bar"))
        assert b_state.disabled_until is None


def test_under_testing_a_raising_plugin_fails_loudly(app, stores, install_plugin,
                                                     enable_plugin):
    assert app.config["HAAT_PLUGIN_ISOLATION"] is False

    def broken(store, name, page):
        raise RuntimeError("visible in tests")

    install_plugin(make_plugin("broken-bar", haat_slot=broken))
    enable_plugin(stores[0], "broken-bar")
    with pytest.raises(RuntimeError, match="visible in tests"):
        client_for(app, "alpha-shop.localhost").get("/")


def test_switching_a_plugin_back_on_closes_its_breaker(app, app_ctx, stores, install_plugin,
                                                       store_plugins):
    install_plugin(_header_plugin())
    a, _b = stores
    with tenant_scope(a.id):
        db.session.add(PluginState(plugin="hello-bar", enabled=True,
                                   disabled_until=utcnow() + timedelta(hours=1)))
        db.session.commit()
    assert "hello-bar" not in store_plugins(a).enabled
    set_enabled(a.id, "hello-bar", True)
    db.session.commit()
    assert "hello-bar" in store_plugins(a).enabled


def test_new_stores_start_with_the_default_set(app, install_plugin, make_store, monkeypatch,
                                               store_plugins):
    install_plugin(_header_plugin())
    monkeypatch.setitem(app.config, "HAAT_DEFAULT_PLUGINS", "hello-bar, not-installed")
    fresh = make_store("fresh-shop")
    with app.app_context():
        assert store_plugins(fresh).enabled == frozenset({"hello-bar"})
    assert "hello fresh-shop" in _home(app, fresh)


def test_store_ids_are_never_reused(app, make_store):
    first = make_store("first-shop")
    assert app.test_cli_runner().invoke(
        args=["tenants", "delete", "first-shop", "--yes"]).exit_code == 0
    assert make_store("second-shop").id > first.id


def test_hook_timing_is_recorded_when_switched_on(app, app_ctx, stores, store_plugins):
    host = PluginHost(timing=True)
    host.register(_header_plugin())
    from core.pluginhost.runtime import StorePlugins
    from core.pluginhost.state import load_state

    plugins = StorePlugins(app, host, load_state(stores[0].id), store_plugins(stores[0]).info)
    set_enabled(stores[0].id, "hello-bar", True)
    db.session.commit()
    plugins = StorePlugins(app, host, load_state(stores[0].id), plugins.info)
    plugins.contribute("haat_slot", name="header", page=None)
    plugins.first("haat_search_backend")
    keys = {row[0] for row in host.timings.snapshot()}
    assert {"haat_slot:hello-bar", "haat_search_backend"} <= keys
    assert PluginHost().timings is None


def test_an_unhashable_plugin_object_is_refused_up_front():
    from types import SimpleNamespace

    from core.sdk import PluginManifest

    host = PluginHost()
    assert host.register(SimpleNamespace(manifest=PluginManifest(name="ns", title="NS"))) is None
    assert "hashable" in host.problems[-1].error
    assert host.hooks_for(frozenset()).caller("haat_slot") is not None


def test_rotate_secrets_re_encrypts_with_the_new_key(app, stores, install_plugin,
                                                     enable_plugin, monkeypatch):
    from cryptography.fernet import Fernet

    from core.pluginhost.secrets import SecretBox

    install_plugin(make_plugin("keyed", settings=(SecretField("api_key", "API key"),)))
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.extensions, "haat_secret_box", SecretBox([old_key]))
    enable_plugin(stores[0], "keyed", {}, {"api_key": "sk_live_rotate99"})
    monkeypatch.setitem(app.extensions, "haat_secret_box", SecretBox([new_key, old_key]))
    result = app.test_cli_runner().invoke(args=["plugin", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "1 store plugin" in result.output and "sk_live" not in result.output
    with app.app_context(), tenant_scope(stores[0].id):
        token = db.session.scalar(select(PluginState.secrets))
    assert SecretBox([new_key]).decrypt(token) == {"api_key": "sk_live_rotate99"}


def test_plugin_admin_menu_entries_show_in_the_admin_nav(app, stores, install_plugin,
                                                         enable_plugin):
    from core.sdk import AdminMenuItem

    install_plugin(make_plugin("reports", haat_admin_menu=lambda store: [
        AdminMenuItem("Sales reports", "/admin/apps/reports", owner_only=False)]))
    enable_plugin(stores[0], "reports")
    for tenant, shown in ((stores[0], True), (stores[1], False)):
        client = client_for(app, f"{tenant.slug}.localhost")
        client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                          "password": "correct-horse-battery"})
        page = client.get("/admin/").get_data(as_text=True)
        assert ('<a href="/admin/apps/reports">Sales reports</a>' in page) is shown


def test_a_stores_plugin_failures_never_show_on_another_stores_admin(app, stores,
                                                                     install_plugin):
    install_plugin(_header_plugin())
    a, b = stores
    with app.app_context(), tenant_scope(b.id):
        db.session.add(PluginFailure(plugin="hello-bar", hook="haat_slot",
                                     error="RuntimeError: beta-only failure"))
        db.session.commit()
    pages = {}
    for tenant in (a, b):
        client = client_for(app, f"{tenant.slug}.localhost")
        client.post("/admin/login", data={"email": f"owner@{tenant.slug}.example",
                                          "password": "correct-horse-battery"})
        pages[tenant.slug] = client.get("/admin/plugins").get_data(as_text=True)
    assert "beta-only failure" in pages["beta-shop"]
    assert "beta-only failure" not in pages["alpha-shop"]
