"""The staff page (owners only): inviting by email, accepting, re-sending, cancelling,
changing roles and removing people, with the store always keeping an owner.

Owner-only access and other stores' ids in these URLs are covered for every admin
page by ``test_access.py``; this file tests what the page does.
"""

from __future__ import annotations

import itsdangerous.timed
import pytest
from sqlalchemy import select

from admin.test_access import link_in
from admin_support import add_staff, html, sign_in
from conftest import PASSWORD, client_for, read_outbox
from core.db import db
from core.staff.models import StaffUser
from tenants import tenant_scope

NEW_PASSWORD = "a-long-new-password"


@pytest.fixture
def shops(make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


def member(app, tenant, address) -> StaffUser | None:
    with app.app_context(), tenant_scope(tenant.id):
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == address))
        if user is not None:
            db.session.expunge(user)
        return user


def invite(owner, address="asha@example.com", role="staff"):
    return owner.post("/admin/staff/invite", data={"email": address, "role": role})


def choose_password(client, link, password=NEW_PASSWORD):
    return client.post(link, data={"password": password, "confirm": password})


def log_in(app, slug, address, password=NEW_PASSWORD):
    client = client_for(app, f"{slug}.localhost")
    return client, client.post("/admin/login", data={"email": address, "password": password})


# ------------------------------------------------------------------------ list


def test_the_list_shows_everyone_with_their_role_and_last_sign_in(app, shops, store_client,
                                                                  outbox, monkeypatch):
    a, _b = shops
    owner = sign_in(store_client, a)
    page = html(owner.get("/admin/staff"))
    assert "Only you so far." in page  # the empty state says what to do
    add_staff(app, a, "packer@alpha-shop.example")
    invite(owner, "asha@example.com")
    page = html(owner.get("/admin/staff"))
    assert "Only you so far." not in page
    rows = page.split("<tbody>", 1)[1]
    assert rows.index("owner@alpha-shop.example") < rows.index("packer@alpha-shop.example") \
        < rows.index("asha@example.com")
    assert "Invitation sent" in rows.split("asha@example.com", 1)[1]
    assert "Never" in rows.split("packer@alpha-shop.example", 1)[1]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = html(owner.get("/admin/staff"))
    assert page.count('name="csrf_token"') >= page.count('method="post"') >= 6


def test_the_list_is_paginated_and_costs_the_same_queries_at_any_size(
        app, shops, store_client, count_queries):
    a, _b = shops
    owner = sign_in(store_client, a)

    def add(count, start):
        with app.app_context(), tenant_scope(a.id):
            db.session.add_all(StaffUser(email=f"person{n:03}@example.com", role="staff",
                                         password_hash="x") for n in range(start, start + count))
            db.session.commit()

    add(3, 0)
    owner.get("/admin/staff")  # warm the per-store caches
    with count_queries() as small:
        assert owner.get("/admin/staff").status_code == 200
    add(57, 3)  # 61 people in all
    with count_queries() as large:
        first = html(owner.get("/admin/staff"))
    assert len(large) == len(small)
    assert first.count('<tr id="staff-') == 50
    assert "Showing 1–50 of 61 people" in first
    second = html(owner.get("/admin/staff?page=2"))
    assert second.count('<tr id="staff-') == 11
    assert "person059@example.com" in second


# --------------------------------------------------------------------- invites


def test_an_invitation_is_emailed_accepted_and_signs_the_person_in(
        app, shops, store_client, outbox):
    a, _b = shops
    owner = sign_in(store_client, a)
    response = invite(owner, " Asha@Example.com ")
    assert response.status_code == 303
    assert "Invitation sent to asha@example.com" in html(owner.get("/admin/staff"))
    [message] = read_outbox(outbox)
    assert message["To"] == "asha@example.com"
    assert message["Subject"] == "You are invited to run Alpha Shop"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "owner@alpha-shop.example invited you to help run Alpha Shop" in text
    link = link_in(message, "alpha-shop.localhost", "invite")
    assert link in message.get_body(preferencelist=("html",)).get_content()
    assert member(app, a, "asha@example.com").invited_at is not None

    browser = client_for(app, "alpha-shop.localhost")
    page = browser.get(link)
    assert page.status_code == 200
    assert "asha@example.com" in html(page) and "Accept your invitation" in html(page)
    short = choose_password(browser, link, "short")
    assert short.status_code == 422 and "Use at least 10 characters." in html(short)
    done = choose_password(browser, link)
    assert done.status_code == 303 and done.headers["Location"] == "/admin/"
    account = html(browser.get("/admin/account"))
    assert "asha@example.com" in account and 'data-role="staff"' in account
    assert browser.get("/admin/staff").status_code == 403  # staff, as invited
    assert member(app, a, "asha@example.com").invited_at is None
    assert "Invitation sent" not in html(owner.get("/admin/staff"))
    # The link is spent; the chosen password works.
    assert client_for(app, "alpha-shop.localhost").get(link).status_code == 404
    assert log_in(app, "alpha-shop", "asha@example.com")[1].status_code == 303


def test_an_invited_owner_becomes_an_owner(app, shops, store_client, outbox):
    a, _b = shops
    invite(sign_in(store_client, a), "partner@example.com", role="owner")
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "invite")
    browser = client_for(app, "alpha-shop.localhost")
    choose_password(browser, link)
    assert browser.get("/admin/staff").status_code == 200


def test_an_open_invitation_cannot_sign_in_with_any_password(app, shops, store_client, outbox):
    a, _b = shops
    invite(sign_in(store_client, a), "asha@example.com")
    # Even a password that matches the stored hash does not open a pending account.
    with app.app_context(), tenant_scope(a.id):
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == "asha@example.com"))
        user.set_password(PASSWORD)
        db.session.commit()
    for password in (PASSWORD, "", "asha@example.com"):
        _client, response = log_in(app, "alpha-shop", "asha@example.com", password)
        assert response.status_code == 422
    # Nor does "forgot your password" send a reset link for it.
    client_for(app, "alpha-shop.localhost").post("/admin/forgot",
                                                 data={"email": "asha@example.com"})
    assert [m["Subject"] for m in read_outbox(outbox)] == ["You are invited to run Alpha Shop"]


@pytest.mark.parametrize("address", ["owner@alpha-shop.example", " OWNER@alpha-shop.example"])
def test_inviting_someone_who_has_an_account_is_refused_next_to_the_field(
        app, shops, store_client, outbox, address):
    a, _b = shops
    owner = sign_in(store_client, a)
    response = invite(owner, address)
    assert response.status_code == 422
    page = html(response)
    assert "owner@alpha-shop.example already has an account here" in page
    assert f'value="{address.strip()}"' in page
    invite(owner, "asha@example.com")
    again = invite(owner, "asha@example.com", role="owner")
    assert again.status_code == 422 and "or an open invitation" in html(again)
    assert len(read_outbox(outbox)) == 1


@pytest.mark.parametrize(("data", "field_error"), [
    ({"email": "", "role": "staff"}, "Enter the email address of the person to invite."),
    ({"email": "not-an-email", "role": "staff"}, "That does not look like an email address."),
    ({"email": "asha@example.com", "role": "admin"}, "Choose one of the roles."),
])
def test_a_bad_invitation_is_explained(app, shops, store_client, outbox, data, field_error):
    a, _b = shops
    response = sign_in(store_client, a).post("/admin/staff/invite", data=data)
    assert response.status_code == 422
    assert field_error in html(response)
    assert read_outbox(outbox) == []
    assert member(app, a, "asha@example.com") is None


def test_resending_an_invitation_retires_the_earlier_link(app, shops, store_client, outbox):
    a, _b = shops
    owner = sign_in(store_client, a)
    invite(owner)
    user_id = member(app, a, "asha@example.com").id
    assert owner.post(f"/admin/staff/{user_id}/resend").status_code == 303
    first, second = (link_in(m, "alpha-shop.localhost", "invite") for m in read_outbox(outbox))
    browser = client_for(app, "alpha-shop.localhost")
    assert browser.get(first).status_code == 404
    assert choose_password(browser, first).status_code == 404
    assert choose_password(browser, second).status_code == 303
    # Once accepted there is nothing to re-send.
    owner.post(f"/admin/staff/{user_id}/resend")
    assert len(read_outbox(outbox)) == 2


def test_cancelling_an_invitation_asks_first_and_kills_the_link(app, shops, store_client,
                                                                 outbox):
    a, _b = shops
    owner = sign_in(store_client, a)
    invite(owner)
    user_id = member(app, a, "asha@example.com").id
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "invite")
    confirm = owner.get(f"/admin/staff/{user_id}/remove")
    assert "Cancel the invitation to asha@example.com?" in html(confirm)
    assert member(app, a, "asha@example.com") is not None
    done = owner.post(f"/admin/staff/{user_id}/remove")
    assert done.status_code == 303
    assert "Invitation to asha@example.com cancelled." in html(owner.get("/admin/staff"))
    assert member(app, a, "asha@example.com") is None
    assert client_for(app, "alpha-shop.localhost").get(link).status_code == 404


def test_an_invitation_expires_after_seven_days(app, shops, store_client, outbox, monkeypatch):
    a, _b = shops
    invite(sign_in(store_client, a))
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "invite")
    now = itsdangerous.timed.TimestampSigner.get_timestamp
    browser = client_for(app, "alpha-shop.localhost")
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: now(self) + 6 * 86400)
    assert browser.get(link).status_code == 200
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: now(self) + 7 * 86400 + 60)
    assert browser.get(link).status_code == 404
    assert choose_password(browser, link).status_code == 404
    assert member(app, a, "asha@example.com").invited_at is not None


def test_an_invitation_link_only_works_on_its_own_store(app, shops, store_client, outbox):
    a, b = shops
    invite(sign_in(store_client, a))
    add_staff(app, b, "asha@example.com")  # same email, same row id range: still refused
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "invite")
    beta = client_for(app, "beta-shop.localhost")
    assert beta.get(link).status_code == 404
    assert choose_password(beta, link).status_code == 404
    assert beta.get("/admin/").status_code == 302
    # Nor is an invitation token accepted as a reset link.
    alpha = client_for(app, "alpha-shop.localhost")
    assert alpha.get(link.replace("/invite/", "/reset/")).status_code == 404


# ------------------------------------------------------------------------ roles


def test_roles_change_but_the_store_keeps_an_owner(app, shops, store_client):
    a, _b = shops
    owner = sign_in(store_client, a)
    owner_id = member(app, a, "owner@alpha-shop.example").id
    # The only owner cannot step down.
    refused = owner.post(f"/admin/staff/{owner_id}/role", data={"role": "staff"})
    assert refused.status_code == 303
    assert "the store&#39;s only owner" in html(owner.get("/admin/staff"))
    assert member(app, a, "owner@alpha-shop.example").role == "owner"
    # With a second owner they can; they lose the staff page at once.
    add_staff(app, a, "partner@alpha-shop.example")
    partner_id = member(app, a, "partner@alpha-shop.example").id
    owner.post(f"/admin/staff/{partner_id}/role", data={"role": "owner"})
    assert member(app, a, "partner@alpha-shop.example").role == "owner"
    stepped_down = owner.post(f"/admin/staff/{owner_id}/role", data={"role": "staff"})
    assert stepped_down.headers["Location"] == "/admin/"
    assert owner.get("/admin/staff").status_code == 403
    partner = sign_in(store_client, a, "partner@alpha-shop.example")
    partner.post(f"/admin/staff/{partner_id}/role", data={"role": "staff"})
    assert member(app, a, "partner@alpha-shop.example").role == "owner"
    assert partner.post(f"/admin/staff/{owner_id}/role", data={"role": "nonsense"}).status_code \
        == 400


def test_removing_someone_asks_first_and_ends_their_sessions(app, shops, store_client):
    a, _b = shops
    owner = sign_in(store_client, a)
    add_staff(app, a, "packer@alpha-shop.example")
    packer = sign_in(store_client, a, "packer@alpha-shop.example")
    packer_id = member(app, a, "packer@alpha-shop.example").id
    confirm = owner.get(f"/admin/staff/{packer_id}/remove")
    assert "Remove packer@alpha-shop.example?" in html(confirm)
    assert packer.get("/admin/orders").status_code == 200
    assert owner.post(f"/admin/staff/{packer_id}/remove").status_code == 303
    assert member(app, a, "packer@alpha-shop.example") is None
    assert packer.get("/admin/orders").status_code == 302  # signed out at once


def test_nobody_removes_their_own_account(app, shops, store_client):
    a, _b = shops
    owner = sign_in(store_client, a)
    owner_id = member(app, a, "owner@alpha-shop.example").id
    for method in ("get", "post"):
        response = getattr(owner, method)(f"/admin/staff/{owner_id}/remove")
        assert response.status_code == 303
    assert "You cannot remove your own account." in html(owner.get("/admin/staff"))
    assert member(app, a, "owner@alpha-shop.example") is not None
    assert f'/admin/staff/{owner_id}/remove"' not in html(owner.get("/admin/staff"))


def test_store_b_staff_cannot_be_changed_from_store_a(app, shops, store_client):
    a, b = shops
    add_staff(app, b, "packer@beta-shop.example")
    b_id = member(app, b, "packer@beta-shop.example").id
    owner = sign_in(store_client, a)
    assert owner.post(f"/admin/staff/{b_id}/role", data={"role": "owner"}).status_code == 404
    assert owner.post(f"/admin/staff/{b_id}/remove").status_code == 404
    assert owner.post(f"/admin/staff/{b_id}/resend").status_code == 404
    assert member(app, b, "packer@beta-shop.example").role == "staff"
    assert "packer@beta-shop.example" not in html(owner.get("/admin/staff"))
