"""Custom domains: adding (typed names cleaned or refused), the DNS record shown, "Check
DNS" with a fake resolver (no network), routing only once verified, removal with a
confirmation, owners only, CSRF, and store isolation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from admin_support import add_staff, html, sign_in
from conftest import client_for
from core.admin import domain_checks
from core.admin import domains as domains_view
from core.db import db
from tenants import Domain, tenant_scope

PLATFORM_IPS = frozenset({"203.0.113.10"})


def domains_of(app, tenant) -> list[tuple[str, bool]]:
    with app.app_context(), tenant_scope(tenant.id):
        return [(d.hostname, d.verified)
                for d in db.session.scalars(select(Domain).order_by(Domain.id))]


def add_domain(app, tenant, hostname, verified=False) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        domain = Domain(hostname=hostname, verified=verified)
        db.session.add(domain)
        db.session.commit()
        return domain.id


def error_of(page: str) -> str:
    found = re.search(r'<p class="error" id="hostname-error" role="alert">([^<]*)</p>', page)
    return found.group(1) if found else ""


class FakeDns(dict):
    """``dns[host] = {addresses}``; ``dns.txt[name] = {strings}``; unknown names do not
    resolve."""

    def __init__(self) -> None:
        super().__init__()
        self.txt: dict[str, frozenset[str]] = {}

    def prove(self, app, tenant, domain_id: int) -> None:
        """Publish the TXT record that shows ``tenant`` owns the domain."""
        with app.app_context(), tenant_scope(tenant.id):
            domain = db.session.get(Domain, domain_id)
            self.txt[f"_haat-challenge.{domain.hostname}"] = frozenset(
                {f"haat-verify={domain.verification_token}"})


@pytest.fixture
def dns(monkeypatch):
    """A fake resolver (no network)."""
    answers = FakeDns()
    monkeypatch.setattr(domain_checks, "lookup", lambda hostname, timeout=3.0:
                        answers.get(hostname))
    monkeypatch.setattr(domain_checks, "lookup_txt", lambda name, timeout=3.0:
                        answers.txt.get(name))
    return answers


def test_the_page_shows_the_platform_address_and_what_to_do(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get("/admin/settings/domains"))
    assert "dhaka-shop.localhost" in page
    assert "No domains of your own yet." in page
    assert 'name="hostname"' in page and page.count('name="csrf_token"') == 2


@pytest.mark.parametrize(("typed", "stored"), [
    ("shop.example.com", "shop.example.com"),
    ("  https://Shop.Example.COM/ ", "shop.example.com"),
    ("http://www.example.com.", "www.example.com"),
    ("দোকান.বাংলা", "xn--p5b7ah1gxc.xn--54b7fta0cc"),
])
def test_adding_a_domain_cleans_what_was_typed(app, shops, store_client, typed, stored):
    owner = sign_in(store_client, shops["a"])
    added = owner.post("/admin/settings/domains", data={"hostname": typed})
    assert added.status_code == 303
    assert domains_of(app, shops["a"]) == [(stored, False)]
    page = html(owner.get(added.location))
    assert "added. Create the DNS record below" in page and 'data-verified="0"' in page
    listing = html(owner.get("/admin/settings/domains"))
    assert "Waiting for DNS" in listing
    if stored.startswith("xn--"):
        assert "দোকান.বাংলা" in listing and stored in listing


BAD_NAMES = [
    ("", "Enter a domain name"),
    ("shop.example.com/store", "without a path"),
    ("shop.example.com:8080", "Leave out the port"),
    ("ftp://shop.example.com", "Enter only the domain name"),
    ("shop example.com", "no spaces"),
    ("localhost-only", "not a valid domain name"),
    ("-bad-.example.com", "not a valid domain name"),
    ("a" * 64 + ".example.com", "not a valid domain name"),
    ("shop_1.example.com", "not a valid domain name"),
    ("203.0.113.7", "not an IP address"),
    ("localhost", "not a valid domain name"),
    ("other-shop.localhost", "Addresses under localhost are given by the platform"),
    ("deep.dhaka-shop.localhost", "Addresses under localhost are given by the platform"),
]


@pytest.mark.parametrize(("typed", "message"), BAD_NAMES)
def test_bad_names_are_refused_next_to_the_field_and_kept(
        app, shops, store_client, typed, message):
    owner = sign_in(store_client, shops["a"])
    response = owner.post("/admin/settings/domains", data={"hostname": typed})
    page = html(response)
    assert response.status_code == 422
    assert message in error_of(page), page
    assert f'value="{typed}"' in page if typed else 'name="hostname"' in page
    assert domains_of(app, shops["a"]) == []


def test_a_domain_is_one_store_s_only(app, shops, store_client):
    add_domain(app, shops["b"], "shop.example.com", verified=True)
    owner = sign_in(store_client, shops["a"])
    taken = owner.post("/admin/settings/domains", data={"hostname": "Shop.Example.com"})
    page = html(taken)
    assert taken.status_code == 422
    assert "already used by another store" in error_of(page)
    assert "other-shop" not in page and "Other Shop" not in page  # which one stays secret
    assert domains_of(app, shops["a"]) == []
    assert domains_of(app, shops["b"]) == [("shop.example.com", True)]
    # The same name twice in one store says so.
    assert owner.post("/admin/settings/domains", data={"hostname": "www.example.com"}
                      ).status_code == 303
    again = owner.post("/admin/settings/domains", data={"hostname": "www.example.com"})
    assert again.status_code == 422 and "already added" in error_of(html(again))


def test_a_subdomain_needs_a_cname_to_the_store(app, shops, store_client):
    domain_id = add_domain(app, shops["a"], "shop.example.com")
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get(f"/admin/settings/domains/{domain_id}"))
    assert re.search(r"<code>CNAME</code>.*<code>shop\.example\.com</code>.*"
                     r"<code>dhaka-shop\.localhost</code>", page, re.S)
    app.config["HAAT_DNS_CNAME_TARGET"] = "stores.haat.example"
    try:
        page = html(owner.get(f"/admin/settings/domains/{domain_id}"))
    finally:
        app.config["HAAT_DNS_CNAME_TARGET"] = ""
    assert "<code>stores.haat.example</code>" in page


@pytest.mark.parametrize("apex", ["example.com", "example.com.bd"])
def test_an_apex_domain_needs_an_a_record_or_the_operator(app, shops, store_client, apex):
    domain_id = add_domain(app, shops["a"], apex)
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get(f"/admin/settings/domains/{domain_id}"))
    assert "data-no-a-record" in page and "ask the platform operator" in page
    assert f"add www.{apex} instead" in page
    app.config["HAAT_DNS_A_RECORD"] = "203.0.113.10, 203.0.113.11"
    try:
        page = html(owner.get(f"/admin/settings/domains/{domain_id}"))
    finally:
        app.config["HAAT_DNS_A_RECORD"] = ""
    assert "data-no-a-record" not in page
    rows = re.findall(r"<code>(A)</code></td><td[^>]*><code>([^<]+)</code></td>"
                      r"<td[^>]*><code>([^<]+)</code>", page)
    assert rows == [("A", apex, "203.0.113.10"), ("A", apex, "203.0.113.11")]


def test_checking_dns_verifies_a_domain_that_points_here(app, shops, store_client, dns):
    domain_id = add_domain(app, shops["a"], "shop.example.com")
    owner = sign_in(store_client, shops["a"])
    shopper = client_for(app, "shop.example.com")
    assert shopper.get("/").status_code == 404  # not verified: not routed
    dns["dhaka-shop.localhost"] = PLATFORM_IPS
    dns.prove(app, shops["a"], domain_id)

    missing = owner.post(f"/admin/settings/domains/{domain_id}/check")
    assert missing.status_code == 303
    assert "does not resolve yet" in html(owner.get(missing.location))
    dns["shop.example.com"] = frozenset({"198.51.100.1"})
    elsewhere = html(owner.get(owner.post(f"/admin/settings/domains/{domain_id}/check").location))
    assert "points at 198.51.100.1, not at this platform (203.0.113.10)" in elsewhere
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]
    assert shopper.get("/").status_code == 404

    dns["shop.example.com"] = frozenset({"203.0.113.10", "2001:db8::1"})
    page = html(owner.get(owner.post(f"/admin/settings/domains/{domain_id}/check").location))
    assert "points at your store: it is verified" in page and 'data-verified="1"' in page
    assert domains_of(app, shops["a"]) == [("shop.example.com", True)]
    assert "Dhaka Shop" in html(shopper.get("/"))  # routed at once: the host cache was cleared


def test_pointing_here_is_not_enough_without_this_store_s_txt_record(
        app, shops, store_client, dns):
    """Every store's platform host has the same addresses, so a domain that points at
    the platform (say, one another store just removed) proves nothing about who owns it."""
    mine = add_domain(app, shops["a"], "shop.example.com")
    theirs = add_domain(app, shops["b"], "b-shop.example.com")
    dns["shop.example.com"] = dns["dhaka-shop.localhost"] = PLATFORM_IPS
    owner = sign_in(store_client, shops["a"])

    page = html(owner.get(f"/admin/settings/domains/{mine}"))
    with app.app_context(), tenant_scope(shops["a"].id):
        token = db.session.get(Domain, mine).verification_token
    assert len(token) >= 32
    assert "<code>_haat-challenge.shop.example.com</code>" in page
    assert f"<code>haat-verify={token}</code>" in page

    refused = html(owner.get(owner.post(f"/admin/settings/domains/{mine}/check").location))
    assert "The TXT record _haat-challenge.shop.example.com" in refused
    # Store B's token under A's domain does not count either.
    with app.app_context(), tenant_scope(shops["b"].id):
        other = db.session.get(Domain, theirs).verification_token
    dns.txt["_haat-challenge.shop.example.com"] = frozenset({f"haat-verify={other}"})
    owner.post(f"/admin/settings/domains/{mine}/check")
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]

    dns.prove(app, shops["a"], mine)
    owner.post(f"/admin/settings/domains/{mine}/check")
    assert domains_of(app, shops["a"]) == [("shop.example.com", True)]


def test_an_a_record_target_counts_as_the_platform(app, shops, store_client, dns):
    domain_id = add_domain(app, shops["a"], "example.com")
    dns["example.com"] = frozenset({"203.0.113.11"})
    app.config["HAAT_DNS_A_RECORD"] = "203.0.113.10,203.0.113.11"
    dns.prove(app, shops["a"], domain_id)
    try:
        owner = sign_in(store_client, shops["a"])
        owner.post(f"/admin/settings/domains/{domain_id}/check")
    finally:
        app.config["HAAT_DNS_A_RECORD"] = ""
    assert domains_of(app, shops["a"]) == [("example.com", True)]


def test_checking_without_any_network_explains_and_never_crashes(
        app, shops, store_client, dns):
    domain_id = add_domain(app, shops["a"], "shop.example.com")
    dns.prove(app, shops["a"], domain_id)
    owner = sign_in(store_client, shops["a"])  # the fake resolver knows no host at all
    response = owner.post(f"/admin/settings/domains/{domain_id}/check")
    assert response.status_code == 303
    assert "Could not look up the platform" in html(owner.get(response.location))
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]


def test_the_real_resolver_gives_none_for_names_that_cannot_exist(app):
    with app.app_context():
        assert domain_checks.lookup("no-such-host.invalid", timeout=2) is None
        assert domain_checks.lookup_txt("_haat-challenge.no-such-host.invalid",
                                        timeout=2) is None
        assert domain_checks.lookup("127.0.0.1", timeout=2) == frozenset({"127.0.0.1"})


def test_removing_asks_first_and_stops_routing(app, shops, store_client):
    domain_id = add_domain(app, shops["a"], "shop.example.com", verified=True)
    shopper = client_for(app, "shop.example.com")
    assert "Dhaka Shop" in html(shopper.get("/"))
    owner = sign_in(store_client, shops["a"])
    confirm = html(owner.get(f"/admin/settings/domains/{domain_id}/delete"))
    assert "Remove shop.example.com?" in confirm and "stops answering" in confirm
    assert domains_of(app, shops["a"]) != []  # asking removes nothing
    removed = owner.post(f"/admin/settings/domains/{domain_id}/delete")
    assert removed.status_code == 303
    assert "shop.example.com removed." in html(owner.get(removed.location))
    assert domains_of(app, shops["a"]) == []
    assert shopper.get("/").status_code == 404
    assert owner.get(f"/admin/settings/domains/{domain_id}").status_code == 404


def test_only_the_owner_manages_domains(app, shops, store_client):
    domain_id = add_domain(app, shops["a"], "shop.example.com")
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    for path in ("/admin/settings/domains", f"/admin/settings/domains/{domain_id}",
                 f"/admin/settings/domains/{domain_id}/delete"):
        assert staff.get(path).status_code == 403, path
    assert staff.post("/admin/settings/domains", data={"hostname": "x.example.com"}
                      ).status_code == 403
    assert staff.post(f"/admin/settings/domains/{domain_id}/check").status_code == 403
    assert staff.post(f"/admin/settings/domains/{domain_id}/delete").status_code == 403
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]


def test_every_form_needs_its_csrf_token(app, shops, store_client, dns):
    domain_id = add_domain(app, shops["a"], "shop.example.com")
    dns["shop.example.com"] = dns["dhaka-shop.localhost"] = PLATFORM_IPS
    owner = sign_in(store_client, shops["a"])
    for path in (f"/admin/settings/domains/{domain_id}",
                 f"/admin/settings/domains/{domain_id}/delete"):
        page = html(owner.get(path))
        assert page.count('name="csrf_token"') >= page.count('method="post"') > 1, path
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [owner.post("/admin/settings/domains", data={"hostname": "new.example.com"}),
                 owner.post(f"/admin/settings/domains/{domain_id}/check"),
                 owner.post(f"/admin/settings/domains/{domain_id}/delete")]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [p.status_code for p in posts] == [400, 400, 400]
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]


def test_store_a_cannot_see_or_touch_store_b_domains(app, shops, store_client, dns):
    theirs = add_domain(app, shops["b"], "b-shop.example.com")
    add_domain(app, shops["a"], "a-shop.example.com")
    dns["b-shop.example.com"] = dns["dhaka-shop.localhost"] = PLATFORM_IPS
    dns.prove(app, shops["b"], theirs)
    owner = sign_in(store_client, shops["a"])
    listing = html(owner.get("/admin/settings/domains"))
    assert "a-shop.example.com" in listing and "b-shop.example.com" not in listing
    for path in (f"/admin/settings/domains/{theirs}",
                 f"/admin/settings/domains/{theirs}/delete"):
        assert owner.get(path).status_code == 404
    assert owner.post(f"/admin/settings/domains/{theirs}/check").status_code == 404
    assert owner.post(f"/admin/settings/domains/{theirs}/delete").status_code == 404
    assert domains_of(app, shops["b"]) == [("b-shop.example.com", False)]


def test_a_store_has_at_most_twenty_domains(app, shops, store_client):
    for number in range(20):
        add_domain(app, shops["a"], f"shop{number}.example.com")
    owner = sign_in(store_client, shops["a"])
    page = html(owner.get("/admin/settings/domains"))
    assert page.count('data-verified="0"') == 20 and "the most a store can have" in page
    refused = owner.post("/admin/settings/domains", data={"hostname": "more.example.com"})
    assert refused.status_code == 422 and "at most 20 domains" in html(refused)


# -- claims: squatting, the pending window, races -------------------------------------


def backdate(app, tenant, domain_id: int, hours: float) -> None:
    """Make a claim look ``hours`` old."""
    with app.app_context(), tenant_scope(tenant.id):
        domain = db.session.get(Domain, domain_id)
        domain.created_at = datetime.now(UTC) - timedelta(hours=hours)
        db.session.commit()


def own_id(app, tenant, hostname: str) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.scalar(select(Domain.id).where(Domain.hostname == hostname))


def test_a_squatter_cannot_block_the_real_owner(app, shops, store_client, dns):
    squatter = sign_in(store_client, shops["b"])
    assert squatter.post("/admin/settings/domains",
                         data={"hostname": "shop.example.com"}).status_code == 303
    owner = sign_in(store_client, shops["a"])
    added = owner.post("/admin/settings/domains", data={"hostname": "shop.example.com"})
    assert added.status_code == 303  # the squatter's unverified claim is no obstacle
    mine = own_id(app, shops["a"], "shop.example.com")
    dns["shop.example.com"] = dns["dhaka-shop.localhost"] = PLATFORM_IPS
    dns.prove(app, shops["a"], mine)
    owner.post(f"/admin/settings/domains/{mine}/check")
    assert domains_of(app, shops["a"]) == [("shop.example.com", True)]
    assert "Dhaka Shop" in html(client_for(app, "shop.example.com").get("/"))

    # The squatter's page says its claim was released, and it cannot verify or re-add.
    listing = html(squatter.get("/admin/settings/domains"))
    assert 'data-state="taken"' in listing and "another store proved it is theirs" in listing
    theirs = own_id(app, shops["b"], "shop.example.com")
    assert "data-released" in html(squatter.get(f"/admin/settings/domains/{theirs}"))
    dns.prove(app, shops["b"], theirs)
    refused = squatter.post(f"/admin/settings/domains/{theirs}/check")
    assert "your claim was released" in html(squatter.get(refused.location))
    assert domains_of(app, shops["b"]) == [("shop.example.com", False)]
    again = squatter.post("/admin/settings/domains", data={"hostname": "shop.example.com"})
    assert again.status_code == 422 and "already used by another store" in error_of(html(again))
    assert "Dhaka Shop" in html(client_for(app, "shop.example.com").get("/"))


def test_a_claim_lapses_after_the_pending_window_and_adding_it_again_renews_it(
        app, shops, store_client, dns):
    owner = sign_in(store_client, shops["a"])
    owner.post("/admin/settings/domains", data={"hostname": "shop.example.com"})
    mine = own_id(app, shops["a"], "shop.example.com")
    listing = html(owner.get("/admin/settings/domains"))
    assert 'data-state="pending"' in listing and "Kept for you until" in listing
    dns["shop.example.com"] = dns["dhaka-shop.localhost"] = PLATFORM_IPS
    dns.prove(app, shops["a"], mine)

    backdate(app, shops["a"], mine, hours=73)  # the default window is 72 hours
    assert 'data-state="expired"' in html(owner.get("/admin/settings/domains"))
    lapsed = owner.post(f"/admin/settings/domains/{mine}/check")
    assert "This claim expired" in html(owner.get(lapsed.location))
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]

    renewed = owner.post("/admin/settings/domains", data={"hostname": "shop.example.com"})
    assert renewed.status_code == 303
    assert "added again: you have another 72 hours" in html(owner.get(renewed.location))
    assert own_id(app, shops["a"], "shop.example.com") == mine  # same claim, same token
    owner.post(f"/admin/settings/domains/{mine}/check")
    assert domains_of(app, shops["a"]) == [("shop.example.com", True)]


def test_the_pending_window_is_configurable(app, shops, store_client):
    mine = add_domain(app, shops["a"], "shop.example.com")
    backdate(app, shops["a"], mine, hours=2)
    owner = sign_in(store_client, shops["a"])
    assert 'data-state="pending"' in html(owner.get("/admin/settings/domains"))
    app.config["HAAT_DOMAIN_PENDING_HOURS"] = 1
    try:
        assert 'data-state="expired"' in html(owner.get("/admin/settings/domains"))
    finally:
        app.config["HAAT_DOMAIN_PENDING_HOURS"] = 72


def test_two_stores_proving_one_name_at_once_leave_one_verified(
        app, shops, store_client, dns, monkeypatch):
    theirs = add_domain(app, shops["b"], "shop.example.com")
    mine = add_domain(app, shops["a"], "shop.example.com")
    owner = sign_in(store_client, shops["a"])

    def other_store_wins_meanwhile(hostname, slug, token):
        with app.app_context(), tenant_scope(shops["b"].id):
            db.session.get(Domain, theirs).verified = True
            db.session.commit()
        return domain_checks.DnsCheck(True, PLATFORM_IPS, PLATFORM_IPS, "ok")

    monkeypatch.setattr(domains_view, "check_dns", other_store_wins_meanwhile)
    response = owner.post(f"/admin/settings/domains/{mine}/check")
    assert response.status_code == 303
    assert "your claim was released" in html(owner.get(response.location))
    assert domains_of(app, shops["a"]) == [("shop.example.com", False)]
    assert domains_of(app, shops["b"]) == [("shop.example.com", True)]


def test_claims_on_the_same_name_stay_each_store_s_own(app, shops, store_client):
    theirs = add_domain(app, shops["b"], "shop.example.com")
    mine = add_domain(app, shops["a"], "shop.example.com")
    owner = sign_in(store_client, shops["a"])
    assert html(owner.get("/admin/settings/domains")).count("shop.example.com") >= 1
    assert owner.get(f"/admin/settings/domains/{theirs}").status_code == 404
    assert owner.post(f"/admin/settings/domains/{theirs}/delete").status_code == 404
    assert owner.post(f"/admin/settings/domains/{mine}/delete").status_code == 303
    assert domains_of(app, shops["a"]) == []
    assert domains_of(app, shops["b"]) == [("shop.example.com", False)]
    # An unverified claim routes nothing, whoever holds it.
    assert client_for(app, "shop.example.com").get("/").status_code == 404
