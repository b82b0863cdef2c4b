"""Shopper sessions end when they should: sign-out, "sign out everywhere", erasing the
account, and 30 days after sign-in. Each browser is a test client; a thief is another
client holding a copy of a browser's session cookie (made before the sign-out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from test_accounts import Shopper, sign_in

from admin_support import html, make_gateways, open_shops, place
from conftest import client_for, moving_clock
from core.clock import aware
from core.db import db
from tenants import tenant_scope

HOST = "dhaka-shop.localhost"
OTHER_HOST = "other-shop.localhost"


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                      make_gateways())


@pytest.fixture
def clock(monkeypatch):
    """Moves the sessions' clock on (``clock.advance(minutes=...)``) without sleeping."""
    return moving_clock(monkeypatch, "core.accounts.sessions.utcnow")


def _copy(app, client, host: str = HOST, to_host: str | None = None):
    """A thief's client holding a copy of ``client``'s session cookie on ``host``,
    sent to ``to_host`` (the same host unless given)."""
    to_host = to_host or host
    thief = client_for(app, to_host)
    thief.set_cookie("session", client.get_cookie("session", domain=host).value,
                     domain=to_host)
    return thief


def _signed_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/sign-in")
    return False


def _saved(client):
    """``client``'s Flask session on its own host, to read or change."""
    return client.session_transaction(base_url=f"http://{client.host}")


def _rows(app, store, **where) -> list:
    """The store's shopper session rows on the server, oldest first."""
    from core.accounts.models import ShopperSession  # (the table is new)

    with app.app_context(), tenant_scope(store.id):
        rows = db.session.scalars(select(ShopperSession).filter_by(**where)
                                  .order_by(ShopperSession.id)).all()
        db.session.expunge_all()
        return rows


# -- sign-out ----------------------------------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, shops, outbox):
    place(app, shops)
    shopper = sign_in(app, shops["a"], outbox)
    thief = _copy(app, shopper.client)
    assert _signed_in(thief)  # the copy works while the session lasts

    assert shopper.post("/account/sign-out").status_code == 302
    assert not _signed_in(shopper.client)
    assert not _signed_in(thief)
    assert _rows(app, shops["a"]) == []  # ended on the server, not merely forgotten


def test_signing_out_leaves_the_other_devices_of_the_shopper_signed_in(app, shops, outbox):
    place(app, shops)
    laptop = sign_in(app, shops["a"], outbox)
    phone = sign_in(app, shops["a"], outbox)
    assert len(_rows(app, shops["a"])) == 2  # one per signed-in browser

    laptop.post("/account/sign-out")
    assert not _signed_in(laptop.client)
    assert _signed_in(phone.client)


def test_the_secret_is_kept_only_as_a_hash(app, shops, outbox):
    place(app, shops)
    browser = sign_in(app, shops["a"], outbox).client
    with _saved(browser) as saved:
        identity = saved["haat_shopper"]
    (row,) = _rows(app, shops["a"])
    secret = identity.rsplit(":", 1)[1]
    assert secret not in row.token_hash and len(row.token_hash) == 64
    assert (row.channel, row.contact) == ("sms", "+8801712345678")


# -- sign out everywhere -----------------------------------------------------------------


def test_sign_out_everywhere_ends_every_session_of_the_shopper(app, shops, outbox):
    place(app, shops)
    place(app, shops, phone="01812345678")
    laptop = sign_in(app, shops["a"], outbox)
    stolen = _copy(app, laptop.client)
    phone = sign_in(app, shops["a"], outbox)
    someone_else = sign_in(app, shops["a"], outbox, "01812345678")
    page = html(phone.client.get("/account"))
    assert "/account/sign-out-everywhere" in page and "Sign out on every device" in page

    response = phone.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and response.location.endswith("/")
    assert "You are signed out on every device." in html(phone.client.get("/"))
    assert not _signed_in(phone.client)
    assert not _signed_in(laptop.client)
    assert not _signed_in(stolen)
    assert _rows(app, shops["a"], contact="+8801712345678") == []
    # Another shopper of the store is not touched.
    assert _signed_in(someone_else.client)
    # Signing in again works.
    assert _signed_in(sign_in(app, shops["a"], outbox).client)


def test_sign_out_everywhere_needs_a_signed_in_shopper_and_a_csrf_token(app, shops, outbox,
                                                                         monkeypatch):
    place(app, shops)
    browser = sign_in(app, shops["a"], outbox)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert browser.client.post("/account/sign-out-everywhere").status_code == 400
    assert _signed_in(browser.client)
    visitor = Shopper(app, shops["a"])
    response = visitor.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and response.location.endswith("/account/sign-in")
    assert len(_rows(app, shops["a"])) == 1


# -- isolation ---------------------------------------------------------------------------


def test_a_session_of_store_a_means_nothing_on_store_b(app, shops, outbox):
    place(app, shops, "a")
    place(app, shops, "b")
    on_a = sign_in(app, shops["a"], outbox)
    on_b = sign_in(app, shops["b"], outbox)

    # A's cookie on B's host signs nobody in there.
    assert not _signed_in(_copy(app, on_a.client, to_host=OTHER_HOST))
    # Nor does a cookie of B's that names A's session and secret (ids are global).
    with _saved(on_a.client) as saved:
        _tenant, session_id, secret = saved["haat_shopper"].split(":", 2)
    forged = client_for(app, OTHER_HOST)
    with _saved(forged) as saved:
        saved["haat_shopper"] = f"{shops['b'].id}:{session_id}:{secret}"
    assert not _signed_in(forged)

    # The same phone signing out everywhere on B leaves its session on A alone.
    assert on_b.post("/account/sign-out-everywhere").status_code == 302
    assert not _signed_in(on_b.client)
    assert _signed_in(on_a.client)
    assert len(_rows(app, shops["a"])) == 1 and _rows(app, shops["b"]) == []


def test_a_cookie_from_before_sessions_were_kept_on_the_server_names_nobody(app, shops,
                                                                            outbox):
    place(app, shops)
    old = client_for(app, HOST)
    with _saved(old) as saved:  # what sign-in used to keep in the cookie
        saved["haat_shopper"] = {"store": shops["a"].id, "channel": "sms",
                                 "address": "+8801712345678",
                                 "until": (datetime.now(UTC) + timedelta(days=9)).isoformat()}
    assert not _signed_in(old)


# -- erasure, expiry, last seen ---------------------------------------------------------


def test_deleting_the_account_ends_its_sessions_on_every_device(app, shops, outbox):
    place(app, shops)
    place(app, shops, phone="01812345678")
    laptop = sign_in(app, shops["a"], outbox)
    phone = sign_in(app, shops["a"], outbox)
    stolen = _copy(app, phone.client)
    someone_else = sign_in(app, shops["a"], outbox, "01812345678")

    assert laptop.post("/account/delete", confirm="yes").status_code == 302
    assert not _signed_in(laptop.client)
    assert not _signed_in(phone.client)
    assert not _signed_in(stolen)
    assert _rows(app, shops["a"], contact="+8801712345678") == []
    assert _signed_in(someone_else.client)


def test_a_session_ends_30_days_after_sign_in_and_is_purged_at_the_next(app, shops, outbox,
                                                                        clock):
    place(app, shops)
    place(app, shops, phone="01812345678")
    browser = sign_in(app, shops["a"], outbox)
    clock.advance(days=29, hours=23)
    assert _signed_in(browser.client)
    clock.advance(hours=2)
    assert not _signed_in(browser.client)
    assert len(_rows(app, shops["a"])) == 1  # ended, not yet deleted

    sign_in(app, shops["a"], outbox, "01812345678")  # anyone's sign-in purges it
    assert [row.contact for row in _rows(app, shops["a"])] == ["+8801812345678"]


def test_last_seen_is_written_at_most_once_a_minute(app, shops, outbox, clock):
    place(app, shops)
    browser = sign_in(app, shops["a"], outbox)
    (row,) = _rows(app, shops["a"])
    clock.advance(seconds=30)
    assert _signed_in(browser.client)
    assert _rows(app, shops["a"])[0].last_seen_at == row.last_seen_at  # too soon to write
    clock.advance(seconds=40)
    assert _signed_in(browser.client)
    assert aware(_rows(app, shops["a"])[0].last_seen_at) == clock.now


def test_anonymous_visitors_ask_nothing_of_the_sessions_table(app, shops, outbox):
    from sqlalchemy import event

    place(app, shops)
    visitor = client_for(app, HOST)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert visitor.get("/account").status_code == 302
        visitor.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "shopper_sessions" in s]
