"""Staff sessions belong to one store host; sign-in is rate limited and CSRF protected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from conftest import PASSWORD, client_for
from core import create_app
from core.admin.auth import REMEMBER_COOKIE


@pytest.fixture
def stores(make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


def _sign_in(client, slug: str, password: str = PASSWORD, **extra):
    return client.post("/admin/login",
                       data={"email": f"owner@{slug}.example", "password": password, **extra})


def test_sign_in_and_out(app, stores):
    client = client_for(app, "alpha-shop.localhost")
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    response = _sign_in(client, "alpha-shop")
    assert response.status_code == 303
    assert "owner@alpha-shop.example" in client.get("/admin/account").get_data(as_text=True)
    client.post("/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_wrong_password_keeps_the_email_and_says_why(app, stores):
    client = client_for(app, "alpha-shop.localhost")
    response = _sign_in(client, "alpha-shop", password="wrong-password")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="owner@alpha-shop.example"' in body
    assert "do not match an account here" in body
    assert "wrong-password" not in body


def test_an_owner_of_one_store_cannot_sign_in_to_another(app, stores):
    client = client_for(app, "beta-shop.localhost")
    assert _sign_in(client, "alpha-shop").status_code == 422


def test_a_session_from_store_a_is_not_valid_on_store_b(app, stores):
    browser = client_for(app, "alpha-shop.localhost")
    _sign_in(browser, "alpha-shop")
    assert browser.get("/admin/").status_code == 200
    # One browser visiting the other store: the host-only cookie is not sent there.
    cookie = browser.get_cookie("session", domain="alpha-shop.localhost")
    assert cookie is not None and cookie.origin_only  # no Domain attribute: host-only
    response = browser.get("/admin/", base_url="http://beta-shop.localhost")
    assert response.headers["Location"].startswith("/admin/login")
    # Even a cookie copied across by hand does not open beta's admin.
    beta = client_for(app, "beta-shop.localhost")
    beta.set_cookie("session", cookie.value, domain="beta-shop.localhost")
    response = beta.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_remember_me_sets_a_persistent_cookie_only_when_asked(app, stores):
    plain = client_for(app, "alpha-shop.localhost")
    _sign_in(plain, "alpha-shop")
    assert plain.get_cookie(REMEMBER_COOKIE, domain="alpha-shop.localhost") is None
    remembered = client_for(app, "alpha-shop.localhost")
    _sign_in(remembered, "alpha-shop", remember="y")
    assert remembered.get_cookie(REMEMBER_COOKIE, domain="alpha-shop.localhost") is not None


def test_sign_in_is_rate_limited_per_store_and_address(app, stores):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    try:
        client = client_for(app, "alpha-shop.localhost")
        codes = [_sign_in(client, "alpha-shop", password="bad-guess").status_code
                 for _ in range(4)]
        assert codes == [422, 422, 422, 429]
        # The right password is refused too while limited; another store is unaffected.
        assert _sign_in(client, "alpha-shop").status_code == 429
        assert _sign_in(client_for(app, "beta-shop.localhost"), "beta-shop").status_code == 303
    finally:
        app.config["RATELIMIT_LOGIN"] = "10 per minute"


def test_sign_in_requires_a_csrf_token(app, stores):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = client_for(app, "alpha-shop.localhost")
        assert _sign_in(client, "alpha-shop").status_code == 400
        page = client.get("/admin/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        assert _sign_in(client, "alpha-shop", csrf_token=token).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_trusted_proxies_setting_installs_proxy_fix(tmp_path):
    plain = create_app({"TESTING": True, "HAAT_INSTANCE_DIR": str(tmp_path)})
    assert not isinstance(plain.wsgi_app, ProxyFix)
    proxied = create_app({"TESTING": True, "HAAT_INSTANCE_DIR": str(tmp_path),
                          "HAAT_TRUSTED_PROXIES": 1})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    assert (proxied.wsgi_app.x_for, proxied.wsgi_app.x_proto) == (1, 1)


def test_rate_limit_counts_real_clients_behind_a_trusted_proxy(app, stores, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1))
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    client = client_for(app, "alpha-shop.localhost")

    def attempt(address: str) -> int:
        return client.post("/admin/login", headers={"X-Forwarded-For": address},
                           data={"email": "owner@alpha-shop.example",
                                 "password": "bad-guess"}).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [422, 422, 429]
    assert attempt("198.51.100.9") == 422  # another shopper behind the same proxy


def _restart(browser, host: str = "alpha-shop.localhost") -> None:
    """What closing the browser does: the session cookie goes, the remember cookie stays."""
    browser.delete_cookie("session", domain=host)


def test_remember_me_cookie_is_host_only_http_only_same_site_and_lasts_30_days(app, stores):
    browser = client_for(app, "alpha-shop.localhost")
    _sign_in(browser, "alpha-shop", remember="y")
    cookie = browser.get_cookie(REMEMBER_COOKIE, domain="alpha-shop.localhost")
    assert cookie.origin_only and cookie.http_only and cookie.same_site == "Lax"
    lasts = cookie.expires - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < lasts <= timedelta(days=30)
    _restart(browser)
    assert browser.get("/admin/").status_code == 200  # still signed in after a restart
    # The cookie copied to another store's host signs nobody in there.
    beta = client_for(app, "beta-shop.localhost")
    beta.set_cookie(REMEMBER_COOKIE, cookie.value, domain="beta-shop.localhost")
    assert beta.get("/admin/").status_code == 302


def test_a_password_change_ends_remembered_sessions(app, stores):
    remembered = client_for(app, "alpha-shop.localhost")
    _sign_in(remembered, "alpha-shop", remember="y")
    elsewhere = client_for(app, "alpha-shop.localhost")
    _sign_in(elsewhere, "alpha-shop")
    changed = elsewhere.post("/admin/account/password", data={
        "current": PASSWORD, "password": "a-long-new-password",
        "confirm": "a-long-new-password"})
    assert changed.status_code == 303
    _restart(remembered)
    response = remembered.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_a_remembered_browser_keeps_remembering_after_its_own_password_change(app, stores):
    browser = client_for(app, "alpha-shop.localhost")
    _sign_in(browser, "alpha-shop", remember="y")
    browser.post("/admin/account/password", data={
        "current": PASSWORD, "password": "a-long-new-password",
        "confirm": "a-long-new-password"})
    _restart(browser)
    assert browser.get("/admin/").status_code == 200


def test_removing_a_staff_member_ends_their_remembered_session(app, stores):
    from sqlalchemy import select

    from core.db import db
    from core.staff.models import StaffUser
    from tenants import tenant_scope

    alpha, _beta = stores
    with app.app_context(), tenant_scope(alpha.id):
        user = StaffUser(email="packer@alpha-shop.example", role="staff")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    packer = client_for(app, "alpha-shop.localhost")
    packer.post("/admin/login", data={"email": "packer@alpha-shop.example",
                                      "password": PASSWORD, "remember": "y"})
    with app.app_context(), tenant_scope(alpha.id):
        db.session.delete(db.session.scalar(
            select(StaffUser).where(StaffUser.email == "packer@alpha-shop.example")))
        db.session.commit()
    _restart(packer)
    assert packer.get("/admin/").status_code == 302
