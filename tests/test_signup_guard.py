"""Sign-up's guard against mass store creation: a challenge (honeypot and a signed,
one-time form token) and a limit per client address. See core/platform/challenge.py."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from conftest import client_for
from core.db import db
from core.platform.challenge import issue_token
from tenants import Tenant, platform_scope

GOOD = {"name": "Dhaka Crafts", "slug": "dhaka-crafts", "email": "rina@example.com",
        "password": "a-long-password", "locale": "bn", "currency": "BDT"}
RETRY = "Please check your details and select “Create store” again."


def _stores(app) -> list[str]:
    with app.app_context(), platform_scope():
        return list(db.session.scalars(select(Tenant.slug).order_by(Tenant.slug)))


def _shown_token(client) -> str:
    page = client.get("/signup").get_data(as_text=True)
    return re.search(r'name="form_started" value="([^"]+)"', page).group(1)


def _aged_token(app, seconds: float) -> str:
    """A token as if the form had been shown ``seconds`` ago."""
    with app.test_request_context():
        return issue_token(now=time.time() - seconds)


@pytest.fixture
def challenge_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "HAAT_SIGNUP_CHALLENGE", True)


def _refused(app, response, status: int = 422, message: str = RETRY) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in body.split('id="signup-problem"', 1)[1].split("</p>", 1)[0]
    assert 'value="Dhaka Crafts"' in body and 'value="rina@example.com"' in body  # kept
    assert GOOD["password"] not in body
    assert _stores(app) == []


def test_the_form_shows_the_token_and_a_hidden_honeypot(app, platform_client):
    body = platform_client.get("/signup").get_data(as_text=True)
    trap = body.split('<div class="trap" aria-hidden="true">', 1)[1].split("</div>", 1)[0]
    assert 'name="leave_blank"' in trap and 'tabindex="-1"' in trap
    assert "Leave this field empty." in trap
    assert re.search(r'name="form_started" value="[^"]+"', body)


def test_a_form_sent_at_once_is_refused_and_can_be_sent_again(app, platform_client,
                                                              challenge_on):
    token = _shown_token(platform_client)
    _refused(app, platform_client.post("/signup", data={**GOOD, "form_started": token}))
    # A person who fills the form in takes longer than HAAT_SIGNUP_MIN_SECONDS.
    response = platform_client.post("/signup",
                                    data={**GOOD, "form_started": _aged_token(app, 10)})
    assert response.status_code == 303
    assert _stores(app) == ["dhaka-crafts"]


@pytest.mark.parametrize("change", [
    {"leave_blank": "http://spam.example"},           # the honeypot filled in
    {"form_started": ""},                         # no token
    {"form_started": "eyJuIjoiYSIsInQiOjB9.forged"},  # not signed by us
])
def test_robot_like_sign_ups_are_refused(app, platform_client, challenge_on, change):
    data = {**GOOD, "form_started": _aged_token(app, 10), **change}
    _refused(app, platform_client.post("/signup", data=data))


def test_a_form_older_than_a_day_is_refused(app, platform_client, challenge_on):
    data = {**GOOD, "form_started": _aged_token(app, 2 * 24 * 3600)}
    _refused(app, platform_client.post("/signup", data=data))


def test_one_token_creates_one_store(app, platform_client, challenge_on):
    token = _aged_token(app, 10)
    assert platform_client.post("/signup", data={**GOOD, "form_started": token}
                                ).status_code == 303
    again = {**GOOD, "slug": "second-shop", "email": "x@example.com", "form_started": token}
    response = platform_client.post("/signup", data=again)
    assert response.status_code == 422 and RETRY in response.get_data(as_text=True)
    assert _stores(app) == ["dhaka-crafts"]


def test_sign_ups_are_limited_per_client_address(app):
    """RATELIMIT_SIGNUP (3 an hour): the fourth store from one address is refused;
    another address still signs up."""
    one = client_for(app, "localhost")
    one.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for n in range(3):
        data = {**GOOD, "slug": f"shop-{n}", "email": f"o{n}@example.com"}
        assert one.post("/signup", data=data).status_code == 303
    before = _stores(app)
    response = one.post("/signup", data=GOOD)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Several stores were just created from your network" in body
    assert 'value="dhaka-crafts"' in body  # what was typed is kept
    assert _stores(app) == before
    other = client_for(app, "localhost")
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert other.post("/signup", data=GOOD).status_code == 303
    assert "dhaka-crafts" in _stores(app)


def test_a_refused_form_does_not_count_against_the_limit(app):
    """Typing mistakes are free: only stores about to be created count."""
    client = client_for(app, "localhost")
    for _ in range(5):
        assert client.post("/signup", data={**GOOD, "password": "short"}).status_code == 422
    assert client.post("/signup", data=GOOD).status_code == 303


def test_an_ipv6_client_is_counted_by_its_network_not_each_address(app):
    """A phone or home network holds a whole /64 and can take a fresh address for each
    request: the addresses of one /64 share the limit; another network does not."""
    for n in range(4):
        client = client_for(app, "localhost")
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:5:7::{n + 1:x}"  # one /64
        data = {**GOOD, "slug": f"shop-{n}", "email": f"o{n}@example.com"}
        assert client.post("/signup", data=data).status_code == (303 if n < 3 else 429)
    elsewhere = client_for(app, "localhost")
    elsewhere.environ_base["REMOTE_ADDR"] = "2001:db8:5:8::1"  # the next /64
    assert elsewhere.post("/signup", data=GOOD).status_code == 303


def test_addresses_as_limit_keys():
    from core.web.client_address import limit_key_address

    assert limit_key_address("198.51.100.7") == "198.51.100.7"
    assert limit_key_address("2001:db8:5:7:a:b:c:d") == "2001:db8:5:7::/64"
    assert limit_key_address("::ffff:198.51.100.7") == "198.51.100.7"
    assert limit_key_address("not an address") == "not an address"
