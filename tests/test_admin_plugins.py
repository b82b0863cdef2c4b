"""The store owner's plugins page: switches, settings, secrets, health and who may use it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from types import ModuleType

import pytest
from sqlalchemy import select

from conftest import PASSWORD
from core.clock import format_moment
from core.db import db, utcnow
from core.pluginhost.manager import HookTimings, LoadProblem
from core.pluginhost.models import PluginFailure, PluginState
from core.pluginhost.web import plugins_for_tenant
from core.sdk import (
    BoolField,
    ChoiceField,
    MoneyField,
    NumberField,
    PluginManifest,
    SecretField,
    SlotContent,
    TextField,
    hookimpl,
)
from core.staff.models import StaffUser
from tenants import tenant_scope

NAME = "test-banner"
API_KEY = "sk_live_abcd1234"

MANIFEST = PluginManifest(
    name=NAME,
    title="Test banner",
    description="Puts a message above the store's header.",
    settings=(
        TextField("message", "Message", required=True, help="Shown on every page."),
        MoneyField("free_over", "Free shipping over"),
        NumberField("days", "Delivery days", integer=True, min_value=1),
        ChoiceField("tone", "Tone", choices=(("calm", "Calm"), ("loud", "Loud"))),
        BoolField("sticky", "Keep it at the top"),
        SecretField("api_key", "API key"),
    ),
)

VALID = {"message": "Hello", "free_over": "1500.50", "days": "3", "tone": "loud",
         "sticky": "1", "api_key": ""}


def _banner_slot(store, name, page):
    if name == "header":
        return SlotContent(text=f"BANNER[{store.plugin_settings(NAME)['message']}]")
    return None


def _broken_slot(store, name, page):
    raise RuntimeError("kaput")


def _plugin(manifest, **hooks):
    """A plugin object like an imported module (pluggy needs it hashable: a
    SimpleNamespace is not, and breaks ``subset_hook_caller`` for every store)."""
    module = ModuleType(f"test_plugin_{manifest.name.replace('-', '_')}")
    module.manifest = manifest
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def _install(app, module, **where):
    host = app.extensions["haat_plugins"]
    plugin = host.register(module, **where)
    assert plugin is not None, host.problems[-1:]
    return plugin


def _uninstall(app, name):
    app.extensions["haat_plugins"].unregister(name)


@pytest.fixture
def banner(app):
    module = _plugin(MANIFEST, haat_slot=_banner_slot)
    yield _install(app, module, distribution="haat-test-banner", version="1.2.3")
    _uninstall(app, NAME)


@pytest.fixture
def broken(app):
    manifest = PluginManifest(name="test-broken", title="Broken thing")
    yield _install(app, _plugin(manifest, haat_slot=_broken_slot))
    _uninstall(app, "test-broken")


@pytest.fixture
def search_pair(app):
    names = ("search-one", "search-two")
    for name in names:
        title = name.replace("-", " ").capitalize()
        _install(app, _plugin(PluginManifest(name=name, title=title, kind="search")))
    yield names
    for name in names:
        _uninstall(app, name)


@pytest.fixture
def stores(make_store):
    return make_store("alpha-shop", currency="BDT"), make_store("beta-shop")


def _owner(store_client, slug):
    client = store_client(slug)
    response = client.post("/admin/login",
                           data={"email": f"owner@{slug}.example", "password": PASSWORD})
    assert response.status_code == 303
    return client


def _toggle(client, enabled, name=NAME, **extra):
    return client.post(f"/admin/plugins/{name}/toggle", data={"enabled": enabled, **extra})


def _save(client, name=NAME, **values):
    return client.post(f"/admin/plugins/{name}", data={**VALID, **values})


def _row(app, tenant, name=NAME):
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(PluginState).where(PluginState.plugin == name))
        if row is not None:
            db.session.expunge(row)
        return row


def _failure_count(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        return len(db.session.scalars(select(PluginFailure)).all())


def _field(body, name):
    """The HTML of one settings field (its wrapper up to the next field)."""
    marker = f'id="setting-{name}"'
    for chunk in re.split(r'(?=<div class="field|<fieldset class="field)', body):
        if marker in chunk:
            return chunk
    raise AssertionError(f"no field {name}")


def _header_text(client):
    body = client.get("/").get_data(as_text=True)
    found = re.search(r"BANNER\[([^\]]*)\]", body)
    return found.group(1) if found else None


# ------------------------------------------------------------------- the list


def test_the_list_shows_installed_plugins_off_by_default(app, stores, banner, store_client):
    body = _owner(store_client, "alpha-shop").get("/admin/plugins").get_data(as_text=True)
    assert "Test banner" in body
    assert "Puts a message above the store&#39;s header." in body
    assert "version 1.2.3" in body and "haat-test-banner" in body and NAME in body
    assert '<span class="badge">Off</span>' in body
    assert 'name="enabled" value="1"' in body
    assert f'href="/admin/plugins/{NAME}"' in body
    assert 'name="csrf_token"' in body
    assert "Could not be loaded" not in body


def test_switching_on_shows_the_plugin_on_that_store_only(app, stores, banner, store_client):
    alpha, beta = _owner(store_client, "alpha-shop"), _owner(store_client, "beta-shop")
    assert _save(alpha, message="Hello from Alpha").status_code == 303
    assert _header_text(alpha) is None

    response = _toggle(alpha, "1")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/plugins#plugin-{NAME}"
    page = alpha.get("/admin/plugins").get_data(as_text=True)
    assert "Test banner is on." in page
    assert '<span class="badge badge-on">On</span>' in page
    assert _header_text(alpha) == "Hello from Alpha"
    assert _header_text(beta) is None
    assert _row(app, stores[1]) is None  # beta's state untouched

    assert _toggle(alpha, "0").status_code == 303
    assert "Test banner is off." in alpha.get("/admin/plugins").get_data(as_text=True)
    assert _header_text(alpha) is None


def test_one_stores_owner_does_not_change_another_store(app, stores, banner, store_client):
    alpha_store, beta_store = stores
    beta = _owner(store_client, "beta-shop")
    assert _toggle(beta, "1").status_code == 303
    alpha = _owner(store_client, "alpha-shop")
    assert _toggle(alpha, "1").status_code == 303
    assert _toggle(alpha, "0").status_code == 303
    assert _row(app, alpha_store).enabled is False
    assert _row(app, beta_store).enabled is True
    assert '<span class="badge badge-on">On</span>' in beta.get("/admin/plugins").get_data(
        as_text=True)


def test_switching_on_a_search_plugin_switches_off_the_other(app, stores, search_pair,
                                                             store_client):
    alpha = _owner(store_client, "alpha-shop")
    _toggle(alpha, "1", name="search-one")
    _toggle(alpha, "1", name="search-two")
    body = alpha.get("/admin/plugins").get_data(as_text=True)
    assert "Search one was switched off: only one search plugin can be on." in body
    assert _row(app, stores[0], "search-one").enabled is False
    assert _row(app, stores[0], "search-two").enabled is True


def test_a_toggle_needs_a_known_plugin_and_a_clear_choice(app, stores, banner, store_client):
    alpha = _owner(store_client, "alpha-shop")
    assert _toggle(alpha, "1", name="no-such-plugin").status_code == 404
    assert alpha.get("/admin/plugins/no-such-plugin").status_code == 404
    assert alpha.post("/admin/plugins/no-such-plugin", data=VALID).status_code == 404
    assert _toggle(alpha, "yes").status_code == 400
    assert _row(app, stores[0]) is None


def test_a_toggle_returns_to_a_safe_page_only(app, stores, banner, store_client):
    alpha = _owner(store_client, "alpha-shop")
    response = _toggle(alpha, "1", next=f"/admin/plugins/{NAME}")
    assert response.headers["Location"] == f"/admin/plugins/{NAME}"
    response = _toggle(alpha, "0", next="https://evil.example/")
    assert response.headers["Location"].startswith("/admin/plugins#")


# ---------------------------------------------------------------- the settings


def test_the_settings_form_follows_the_manifest(app, stores, banner, store_client):
    body = _owner(store_client, "alpha-shop").get(f"/admin/plugins/{NAME}").get_data(
        as_text=True)
    message = _field(body, "message")
    assert '<label for="setting-message">Message <span class="required"' in message
    assert 'type="text"' in message and "required" in message
    assert 'aria-describedby="setting-message-help"' in message
    assert "Shown on every page." in message
    money = _field(body, "free_over")
    assert 'inputmode="decimal"' in money and '<span class="affix">BDT</span>' in money
    # A text input: browsers empty a type="number" input typed in Bengali digits.
    assert 'type="text" inputmode="numeric"' in _field(body, "days")
    assert "<select" in _field(body, "tone") and '<option value="loud"' in _field(body, "tone")
    assert 'type="checkbox"' in _field(body, "sticky")
    secret = _field(body, "api_key")
    assert 'type="password" autocomplete="off"' in secret and 'value=""' in secret
    assert "Stored:" not in secret  # nothing stored yet
    # Every typed field carries its limit (a longer value is refused, never cut).
    assert 'maxlength="500"' in secret and 'maxlength="500"' in message
    assert 'name="csrf_token"' in body


def test_invalid_settings_are_refused_field_by_field(app, stores, banner, store_client, caplog):
    alpha = _owner(store_client, "alpha-shop")
    caplog.set_level(logging.DEBUG)
    response = _save(alpha, message="  ", free_over="lots", days="0", tone="shouty",
                     api_key="sk_live_typed9999")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved." in body
    expected = {
        "message": "Message is required.",
        "free_over": "Enter an amount, e.g. 120 or 99.50.",
        "days": "Enter 1 or more.",
        "tone": "Choose one of the options.",
    }
    for name, message in expected.items():
        html = _field(body, name)
        assert f'<p class="error" id="setting-{name}-error">{message}</p>' in html
        assert re.search(rf'aria-describedby="[^"]*setting-{name}-error', html)
        assert 'aria-invalid="true"' in html
    # What was typed is kept, except the secret, which is asked for again.
    assert 'value="lots"' in _field(body, "free_over")
    assert 'value="0"' in _field(body, "days")
    assert 'checked' in _field(body, "sticky")
    assert "sk_live_typed9999" not in body
    assert "Enter this again" in _field(body, "api_key")
    assert _row(app, stores[0]) is None
    assert "sk_live_typed9999" not in caplog.text and "lots" not in caplog.text


def test_a_form_level_message_goes_on_top(app, stores, store_client):
    manifest = PluginManifest(
        name="test-pair", title="Pair",
        settings=(TextField("left", "Left"), TextField("right", "Right")),
        validate_settings=lambda v: {"": "Fill in both or neither."}
        if bool(v["left"]) != bool(v["right"]) else {},
    )
    _install(app, _plugin(manifest))
    try:
        alpha = _owner(store_client, "alpha-shop")
        response = alpha.post("/admin/plugins/test-pair", data={"left": "x", "right": ""})
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert body.index("Fill in both or neither.") < body.index('id="setting-left"')
        assert 'value="x"' in _field(body, "left")
        assert alpha.post("/admin/plugins/test-pair",
                          data={"left": "x", "right": "y"}).status_code == 303
    finally:
        _uninstall(app, "test-pair")


def test_valid_settings_are_saved_per_store(app, stores, banner, store_client):
    alpha, beta = _owner(store_client, "alpha-shop"), _owner(store_client, "beta-shop")
    response = _save(alpha, message="Hello from Alpha")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/plugins/{NAME}"
    assert _save(beta, message="Hello from Beta", free_over="", days="",
                 tone="", sticky="").status_code == 303
    assert _toggle(alpha, "1").status_code == 303
    assert _toggle(beta, "1").status_code == 303

    assert _row(app, stores[0]).settings == {"message": "Hello from Alpha", "free_over": 150050,
                                             "days": 3, "tone": "loud", "sticky": True}
    assert _row(app, stores[1]).settings == {"message": "Hello from Beta", "free_over": None,
                                             "days": None, "tone": None, "sticky": False}
    assert _header_text(alpha) == "Hello from Alpha"
    assert _header_text(beta) == "Hello from Beta"

    body = alpha.get(f"/admin/plugins/{NAME}").get_data(as_text=True)
    assert "Settings saved." in body
    assert 'value="Hello from Alpha"' in _field(body, "message")
    assert 'value="1500.50"' in _field(body, "free_over")
    assert 'value="3"' in _field(body, "days")
    assert '<option value="loud" selected>' in _field(body, "tone")
    assert "checked" in _field(body, "sticky")
    assert "Hello from Beta" not in body


def test_bengali_digits_in_number_and_money_settings_save_the_same_values(
        app, make_store, banner, store_client):
    store = make_store("bangla-shop", currency="BDT", locale="bn", bengali_digits=True)
    owner = _owner(store_client, "bangla-shop")
    assert _save(owner, free_over="১,৫০০.৫০", days="৩").status_code == 303
    saved = _row(app, store).settings
    assert (saved["free_over"], saved["days"]) == (150050, 3)  # as "1500.50" and "3"

    # A refused number says what it takes in the store's digits (the admin is in
    # Bengali for a Bengali store): "১ বা তার বেশি লিখুন।", not "1 ...".
    response = _save(owner, days="০")
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="setting-days-error">([^<]*)</p>',
                      response.get_data(as_text=True))[1]
    assert "১" in error and "1" not in error
    assert 'value="০"' in _field(response.get_data(as_text=True), "days")  # kept as typed


# ------------------------------------------------------------------- secrets


def test_a_secret_is_encrypted_masked_and_kept(app, stores, banner, store_client, caplog):
    caplog.set_level(logging.DEBUG)
    alpha = _owner(store_client, "alpha-shop")
    assert _save(alpha, api_key=API_KEY).status_code == 303

    token = _row(app, stores[0]).secrets
    assert token and API_KEY not in token and "abcd1234" not in token
    box = app.extensions["haat_secret_box"]
    assert box.decrypt(token) == {"api_key": API_KEY}

    body = alpha.get(f"/admin/plugins/{NAME}").get_data(as_text=True)
    assert API_KEY not in body
    secret = _field(body, "api_key")
    assert "Stored: ••••1234 — leave empty to keep" in secret
    assert 'value=""' in secret and "required" not in secret.split("<input", 1)[1].split(">")[0]

    # Saving again with the secret left empty keeps it.
    assert _save(alpha, message="Changed", api_key="").status_code == 303
    assert box.decrypt(_row(app, stores[0]).secrets) == {"api_key": API_KEY}
    _toggle(alpha, "1")
    with app.app_context():
        seen = plugins_for_tenant(stores[0].id).settings(NAME)
    assert seen["api_key"] == API_KEY and seen["message"] == "Changed"
    assert API_KEY not in caplog.text


def test_a_required_secret_must_be_given_once(app, stores, store_client):
    manifest = PluginManifest(name="test-gateway", title="Gateway",
                              settings=(SecretField("key", "Key", required=True),))
    _install(app, _plugin(manifest))
    try:
        alpha = _owner(store_client, "alpha-shop")
        response = alpha.post("/admin/plugins/test-gateway", data={"key": ""})
        assert response.status_code == 422
        assert "Key is required." in _field(response.get_data(as_text=True), "key")
        assert alpha.post("/admin/plugins/test-gateway", data={"key": "k_9876"}).status_code == 303
        assert alpha.post("/admin/plugins/test-gateway", data={"key": ""}).status_code == 303
        box = app.extensions["haat_secret_box"]
        assert box.decrypt(_row(app, stores[0], "test-gateway").secrets) == {"key": "k_9876"}
    finally:
        _uninstall(app, "test-gateway")


# ------------------------------------------------------------------- access


def test_staff_who_are_not_owners_get_403(app, stores, banner, store_client):
    with app.app_context(), tenant_scope(stores[0].id):
        user = StaffUser(email="helper@alpha-shop.example", role="staff")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    staff = store_client("alpha-shop")
    assert staff.post("/admin/login", data={"email": "helper@alpha-shop.example",
                                            "password": PASSWORD}).status_code == 303
    assert staff.get("/admin/plugins").status_code == 403
    assert staff.get(f"/admin/plugins/{NAME}").status_code == 403
    assert _save(staff).status_code == 403
    assert _toggle(staff, "1").status_code == 403
    assert staff.get("/admin/plugins/no-such-plugin").status_code == 403
    assert _row(app, stores[0]) is None
    assert 'href="/admin/plugins"' not in staff.get("/admin/").get_data(as_text=True)
    owner = _owner(store_client, "alpha-shop")
    assert 'href="/admin/plugins"' in owner.get("/admin/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(app, stores, banner, store_client):
    visitor = store_client("alpha-shop")
    for response in (visitor.get("/admin/plugins"), visitor.get(f"/admin/plugins/{NAME}"),
                     _toggle(visitor, "1"), _save(visitor)):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login")
    assert _row(app, stores[0]) is None


def test_a_toggle_without_csrf_token_is_refused(app, stores, banner, store_client):
    alpha = _owner(store_client, "alpha-shop")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _toggle(alpha, "1").status_code == 400
        assert _save(alpha).status_code == 400
        assert _row(app, stores[0]) is None
        page = alpha.get("/admin/plugins").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert _toggle(alpha, "1", csrf_token=token).status_code == 303
        assert _row(app, stores[0]).enabled is True
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# ------------------------------------------------------------------- health


def test_recorded_failures_and_the_breaker_are_shown(app, stores, banner, store_client):
    now = utcnow()
    with app.app_context(), tenant_scope(stores[0].id):
        for n in range(6):
            db.session.add(PluginFailure(plugin=NAME, hook="haat_slot", error=f"boom {n}",
                                         created_at=now - timedelta(minutes=n)))
        db.session.add(PluginFailure(plugin=NAME, hook="haat_badges", error="old boom",
                                     created_at=now - timedelta(days=2)))
        db.session.add(PluginState(plugin=NAME, enabled=True, settings={}, secrets="",
                                   disabled_until=now + timedelta(minutes=10)))
        db.session.commit()
    body = _owner(store_client, "alpha-shop").get("/admin/plugins").get_data(as_text=True)
    assert "6 errors in the last 24 hours" in body
    assert all(f"boom {n}" in body for n in range(5))
    assert "boom 5" not in body and "old boom" not in body  # only the latest five
    # In the store's time zone and the admin's words, like every time in the admin.
    until = format_moment(now + timedelta(minutes=10), "en", timezone=stores[0].timezone)
    assert "switched off until <time" in body
    assert f"{until}</time> after repeated errors" in body
    assert "Switch on again" in body
    # Beta's page knows nothing of alpha's failures.
    beta = _owner(store_client, "beta-shop").get("/admin/plugins").get_data(as_text=True)
    assert "boom" not in beta and "switched off until" not in beta
    assert "errors in the last 24 hours" not in beta


def test_a_raising_plugin_trips_the_breaker_and_shows_up(app, stores, broken, store_client,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_BREAKER_THRESHOLD", 3)
    alpha = _owner(store_client, "alpha-shop")
    assert _toggle(alpha, "1", name="test-broken").status_code == 303
    assert alpha.get("/").status_code == 200  # every slot on the page fails once
    failures = _failure_count(app, stores[0])
    assert failures >= 3
    assert alpha.get("/").status_code == 200
    assert _failure_count(app, stores[0]) == failures  # the breaker is open: not called
    body = alpha.get("/admin/plugins").get_data(as_text=True)
    assert "RuntimeError: kaput" in body and "<code>haat_slot</code>" in body
    assert f"{failures} errors in the last 24 hours" in body
    assert "switched off until" in body
    assert _row(app, stores[0], "test-broken").disabled_until is not None
    # Switching it on again closes the breaker.
    assert _toggle(alpha, "1", name="test-broken").status_code == 303
    assert _row(app, stores[0], "test-broken").disabled_until is None


def test_timings_and_load_problems_are_shown(app, stores, banner, store_client, monkeypatch):
    host = app.extensions["haat_plugins"]
    timings = HookTimings()
    timings.add(f"haat_slot:{NAME}", 0.004)
    timings.add("haat_slot", 0.005)
    timings.add("haat_slot:someone-else", 0.5)
    monkeypatch.setattr(host, "timings", timings)
    monkeypatch.setattr(host, "problems", [
        LoadProblem("half-done", "haat-half-done", "failed to import: ImportError('nope')")])
    body = _owner(store_client, "alpha-shop").get("/admin/plugins").get_data(as_text=True)
    section = body.split(f'id="plugin-{NAME}"', 1)[1].split("</li>", 1)[0]
    assert "Timings" in section and "<code>haat_slot</code>" in section
    assert "4.00 ms" in section and "500.00 ms" not in section
    problems = body.split("Could not be loaded", 1)[1]
    assert "half-done" in problems and "haat-half-done" in problems
    assert "ImportError(&#39;nope&#39;)" in problems


# ------------------------------------------------------------------- check boxes
# One rule for BoolField: not submitted means the default, submitted unticked means False.

FLAGS = PluginManifest(
    name="test-flags",
    title="Test flags",
    settings=(
        BoolField("show_map", "Show a map", default=True),
        BoolField("sticky", "Keep it at the top"),
        NumberField("days", "Delivery days", integer=True, min_value=1),
    ),
)


def _flags_slot(store, name, page):
    if name == "header":
        settings = store.plugin_settings("test-flags")
        return SlotContent(text=f"FLAGS[map={settings['show_map']} sticky={settings['sticky']}]")
    return None


def _flags_text(client):
    found = re.search(r"FLAGS\[([^\]]*)\]", client.get("/").get_data(as_text=True))
    return found.group(1) if found else None


@pytest.fixture
def flags(app):
    yield _install(app, _plugin(FLAGS, haat_slot=_flags_slot))
    _uninstall(app, "test-flags")


def test_each_check_box_sends_a_hidden_zero_before_it(app, stores, flags, store_client):
    body = _owner(store_client, "alpha-shop").get("/admin/plugins/test-flags").get_data(
        as_text=True)
    for name in ("show_map", "sticky"):
        html = _field(body, name)
        hidden = html.index(f'<input type="hidden" name="{name}" value="0">')
        assert hidden < html.index(f'type="checkbox" id="setting-{name}" name="{name}" value="1"')
    # Never saved: each box shows its default.
    assert "checked" in _field(body, "show_map") and "checked" not in _field(body, "sticky")


def test_check_boxes_through_the_admin_form(app, stores, flags, store_client):
    alpha, beta = _owner(store_client, "alpha-shop"), _owner(store_client, "beta-shop")
    for client in (alpha, beta):
        assert _toggle(client, "1", name="test-flags").status_code == 303
    # Beta never saves its settings: the defaults.
    assert _flags_text(beta) == "map=True sticky=False"

    # As a browser sends it: unticked "show_map" only has the hidden "0"; "sticky" is ticked.
    saved = alpha.post("/admin/plugins/test-flags",
                       data={"show_map": ["0"], "sticky": ["0", "1"], "days": ""})
    assert saved.status_code == 303
    assert _row(app, stores[0], "test-flags").settings == {
        "show_map": False, "sticky": True, "days": None}
    assert _flags_text(alpha) == "map=False sticky=True"
    body = alpha.get("/admin/plugins/test-flags").get_data(as_text=True)
    assert "checked" not in _field(body, "show_map") and "checked" in _field(body, "sticky")
    assert _flags_text(beta) == "map=True sticky=False"  # alpha's choice stays alpha's

    # A form without the boxes at all (an older page, a script) gives the defaults.
    assert alpha.post("/admin/plugins/test-flags", data={"days": "2"}).status_code == 303
    assert _row(app, stores[0], "test-flags").settings == {
        "show_map": True, "sticky": False, "days": 2}
    assert _flags_text(alpha) == "map=True sticky=False"


def test_check_boxes_keep_what_was_ticked_when_the_form_is_refused(app, stores, flags,
                                                                   store_client):
    alpha = _owner(store_client, "alpha-shop")
    refused = alpha.post("/admin/plugins/test-flags",
                         data={"show_map": ["0"], "sticky": ["0", "1"], "days": "0"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Enter 1 or more." in _field(body, "days")
    assert "checked" not in _field(body, "show_map")  # unticked although its default is on
    assert "checked" in _field(body, "sticky")
    assert _row(app, stores[0], "test-flags") is None


def test_check_boxes_through_the_test_kit(haat_register_plugin, haat_store, haat_enable_plugin,
                                          haat_client):
    haat_register_plugin(_plugin(FLAGS, haat_slot=_flags_slot))
    shop, other = haat_store("flag-shop"), haat_store("flag-other")

    assert haat_enable_plugin(shop, "test-flags", settings={}) == {
        "show_map": True, "sticky": False, "days": None}
    assert _flags_text(haat_client(shop)) == "map=True sticky=False"

    unticked = haat_enable_plugin(shop, "test-flags", settings={"show_map": "0"})
    assert (unticked["show_map"], unticked["sticky"]) == (False, False)
    assert _flags_text(haat_client(shop)) == "map=False sticky=False"

    ticked = haat_enable_plugin(shop, "test-flags", settings={"show_map": True, "sticky": "1"})
    assert (ticked["show_map"], ticked["sticky"]) == (True, True)
    assert _flags_text(haat_client(shop)) == "map=True sticky=True"

    assert haat_enable_plugin(other, "test-flags", settings={"sticky": False})["show_map"] is True
    assert _flags_text(haat_client(other)) == "map=True sticky=False"
    assert _flags_text(haat_client(shop)) == "map=True sticky=True"
