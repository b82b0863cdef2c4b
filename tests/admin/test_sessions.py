"""Admin sessions end when they should: sign-out, "sign out everywhere", the idle timeout,
and a "keep me signed in" cookie that works once. Each browser is a test client; a thief
is another client holding a copy of a browser's cookies (made before the sign-out)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, client_for, moving_clock
from core.db import db
from tenants import tenant_scope

ALPHA = "alpha-shop.localhost"
BETA = "beta-shop.localhost"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Mobile Safari/537.36")
IDLE_MESSAGE = "You were signed out after a while without activity."


@pytest.fixture
def stores(make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


@pytest.fixture
def clock(monkeypatch):
    """Moves the sessions' clock on (``clock.advance(minutes=...)``) without sleeping."""
    return moving_clock(monkeypatch, "core.staff.sessions.utcnow")


def _browser(app, host: str = ALPHA, *, remember: bool = False, agent: str = FIREFOX,
             slug: str = "alpha-shop"):
    client = client_for(app, host)
    data = {"email": f"owner@{slug}.example", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/admin/login", data=data, headers={"User-Agent": agent})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def _cookies(client, host: str = ALPHA) -> dict[str, str]:
    return {key: cookie.value for (domain, _path, key), cookie in client._cookies.items()
            if domain == host}


def _remember_value(client, host: str = ALPHA) -> str:
    """The "keep me signed in" cookie, whatever its name: the one beside the session."""
    (value,) = [v for k, v in _cookies(client, host).items() if k != "session"]
    return value


def _copy(app, client, host: str = ALPHA, *, only: str | None = None):
    """A thief's client holding copies of ``client``'s cookies on ``host``
    (``only="session"`` or ``only="remember"``)."""
    thief = client_for(app, host)
    for key, value in _cookies(client, host).items():
        if only is None or (only == "session") == (key == "session"):
            thief.set_cookie(key, value, domain=host)
    return thief


def _restart(client, host: str = ALPHA) -> None:
    """Closing the browser: the session cookie goes, the remember cookie stays."""
    client.delete_cookie("session", domain=host)


def _signed_in(client) -> bool:
    response = client.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    return False


def _rows(app, store) -> int:
    """The store's session rows on the server."""
    from core.staff.models import StaffSession  # (the table is new: keep the module importable)

    with app.app_context(), tenant_scope(store.id):
        return db.session.scalar(select(func.count()).select_from(StaffSession))


# -- sign-out ----------------------------------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, stores):
    browser = _browser(app)
    thief = _copy(app, browser)
    assert _signed_in(thief)  # the copy works while the session lasts
    assert browser.post("/admin/logout").status_code == 303
    assert not _signed_in(browser)
    assert not _signed_in(thief)


def test_a_remember_cookie_copied_before_sign_out_is_refused_after_it(app, stores):
    browser = _browser(app, remember=True)
    thief = _copy(app, browser, only="remember")
    browser.post("/admin/logout")
    assert not _signed_in(thief)
    # Nor does the pair of them, the way they were before the sign-out.
    assert not _signed_in(_copy(app, browser))


def test_signing_out_leaves_the_other_sessions_of_the_account_alone(app, stores):
    laptop, phone = _browser(app), _browser(app, agent=PHONE)
    laptop.post("/admin/logout")
    assert _signed_in(phone) and not _signed_in(laptop)


# -- sign out everywhere -------------------------------------------------------------------


def test_sign_out_everywhere_ends_every_session_and_remember_cookie(app, stores):
    remembered = _browser(app, remember=True)
    stolen = _copy(app, remembered, only="remember")
    phone = _browser(app, agent=PHONE)
    page = phone.get("/admin/account").get_data(as_text=True)
    assert page.count("data-session>") == 2
    assert "Firefox / Windows" in page and "Chrome / Android" in page
    assert "kept signed in" in page and "this browser" in page

    response = phone.post("/admin/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert not _signed_in(phone)
    assert not _signed_in(remembered)
    _restart(remembered)
    assert not _signed_in(remembered)
    assert not _signed_in(stolen)
    alpha, _beta = stores
    assert _rows(app, alpha) == 0  # ended on the server, not merely forgotten by browsers
    # Signing in again works, and lists only the new session.
    again = _browser(app)
    assert again.get("/admin/account").get_data(as_text=True).count("data-session>") == 1


def test_a_password_change_ends_the_other_sessions_on_the_server(app, stores):
    alpha, _beta = stores
    here, other = _browser(app, remember=True), _browser(app, remember=True)
    changed = here.post("/admin/account/password", data={
        "current": PASSWORD, "password": "a-long-new-password",
        "confirm": "a-long-new-password"})
    assert changed.status_code == 303
    assert _rows(app, alpha) == 1
    assert not _signed_in(other)
    _restart(here)
    assert _signed_in(here)  # this browser stays signed in, and remembered


# -- idle timeout ------------------------------------------------------------------------


def test_an_idle_session_ends_and_sign_in_returns_to_the_page_asked_for(app, stores, clock):
    browser = _browser(app)
    clock.advance(minutes=100)
    assert _signed_in(browser)  # used within the timeout: the clock starts again
    clock.advance(minutes=100)
    assert _signed_in(browser)
    clock.advance(minutes=121)
    response = browser.get("/admin/products?page=2")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/admin/login?next=" + quote("/admin/products?page=2", safe="")
    page = browser.get(location).get_data(as_text=True)
    assert IDLE_MESSAGE in page
    again = browser.post(location, data={"email": "owner@alpha-shop.example",
                                         "password": PASSWORD})
    assert again.status_code == 303 and again.headers["Location"] == "/admin/products?page=2"
    assert _signed_in(browser)


def test_the_idle_timeout_is_configurable(app, stores, clock, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_ADMIN_IDLE_MINUTES", 5)
    browser = _browser(app)
    clock.advance(minutes=4)
    assert _signed_in(browser)
    clock.advance(minutes=6)
    assert not _signed_in(browser)


def test_keep_me_signed_in_outlasts_the_idle_timeout(app, stores, clock):
    browser = _browser(app, remember=True)
    clock.advance(hours=5)
    assert _signed_in(browser)
    clock.advance(days=31)  # but not its 30 days
    assert not _signed_in(browser)


# -- remember-me rotation ---------------------------------------------------------------


def test_a_remember_cookie_works_once(app, stores):
    browser = _browser(app, remember=True)
    used = _remember_value(browser)
    thief = _copy(app, browser, only="remember")  # copied before it is used
    _restart(browser)
    assert _signed_in(browser)
    assert _remember_value(browser) != used  # a new one replaces it
    _restart(browser)
    assert _signed_in(browser)  # and the new one works
    # The copy was used already: refused, and the session it belonged to ends too,
    # since one of the two holders is not who they say.
    assert not _signed_in(thief)
    _restart(browser)
    assert not _signed_in(browser)


def test_a_second_tab_racing_the_rotation_does_not_end_the_session(app, stores, clock):
    browser = _browser(app, remember=True)
    other_tab = _copy(app, browser, only="remember")  # sent at the same moment
    _restart(browser)
    assert _signed_in(browser)  # restores, and rotates the cookie
    assert not _signed_in(other_tab)  # the one just replaced: refused quietly...
    _restart(browser)
    assert _signed_in(browser)  # ...and the session goes on
    late_copy = _copy(app, browser, only="remember")
    _restart(browser)
    assert _signed_in(browser)
    clock.advance(minutes=2)  # a replaced cookie seen long after is a copy
    assert not _signed_in(late_copy)
    _restart(browser)
    assert not _signed_in(browser)  # so the session ended


# -- isolation ----------------------------------------------------------------------------


def test_a_session_of_store_a_opens_nothing_on_store_b(app, stores):
    alpha, beta = stores
    browser = _browser(app, remember=True)
    serializer = app.session_interface.get_signing_serializer(app)
    identity = serializer.loads(_cookies(browser)["session"])["_user_id"]
    tenant, _user, _key, session_id, secret = identity.split(":")
    assert int(tenant) == alpha.id
    beta_owner = _browser(app, BETA, slug="beta-shop")
    with app.app_context(), tenant_scope(beta.id):
        from core.staff.models import StaffUser

        owner = db.session.scalar(select(StaffUser))
        forged = f"{beta.id}:{owner.id}:{owner.session_key}:{session_id}:{secret}"
    # Alpha's session id and secret, under beta's own store, owner and key:
    intruder = client_for(app, BETA)
    intruder.set_cookie("session", serializer.dumps({"_user_id": forged, "_fresh": True}),
                        domain=BETA)
    assert not _signed_in(intruder)
    # Alpha's cookies as they are, on beta's host:
    for key, value in _cookies(browser).items():
        intruder.set_cookie(key, value, domain=BETA)
    assert not _signed_in(intruder)
    # Those attempts did not end alpha's session, nor show it on beta's account page.
    _restart(browser)
    assert _signed_in(browser)
    beta_page = beta_owner.get("/admin/account").get_data(as_text=True)
    assert beta_page.count("data-session>") == 1
    assert (_rows(app, alpha), _rows(app, beta)) == (1, 1)
