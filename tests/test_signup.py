"""Platform sign-up: each field rule, the happy path, and a race for one slug."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from conftest import client_for
from core.db import db
from core.staff.models import StaffUser
from tenants import Tenant, platform_scope

GOOD = {"name": "Dhaka Crafts", "slug": "dhaka-crafts", "email": "rina@example.com",
        "password": "a-long-password", "locale": "bn", "currency": "BDT"}


def _count_stores(app) -> int:
    with app.app_context(), platform_scope():
        return db.session.scalar(select(func.count()).select_from(Tenant))


def test_signup_creates_the_store_and_lands_the_owner_in_its_admin(app, platform_client):
    response = platform_client.post("/signup", data=GOOD)
    assert response.status_code == 303
    target = response.headers["Location"]
    assert target.startswith("http://dhaka-crafts.localhost/admin/welcome?token=")

    store = client_for(app, "dhaka-crafts.localhost")
    landed = store.get(target, follow_redirects=True)
    body = landed.get_data(as_text=True)
    assert landed.request.path == "/admin/"
    assert '<html lang="bn">' in body
    # The welcome, in Bengali: the new store is "coming soon" until its owner opens it.
    assert ("Haat-এ স্বাগতম! এখানে Dhaka Crafts সাজিয়ে নিন: আপনি চালু না করা পর্যন্ত ক্রেতারা "
            "“শিগগিরই আসছে” পাতা দেখবেন।") in body
    account = store.get("/admin/account").get_data(as_text=True)
    assert "rina@example.com" in account and 'data-role="owner"' in account
    with app.app_context(), platform_scope():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "dhaka-crafts"))
        owner = db.session.scalar(select(StaffUser).where(StaffUser.tenant_id == tenant.id))
        assert (tenant.name, tenant.locale, tenant.currency) == ("Dhaka Crafts", "bn", "BDT")
        # The rest follows from the country: Bangladesh's clock, Bengali digits.
        assert (tenant.country, tenant.timezone, tenant.bengali_digits) == (
            "BD", "Asia/Dhaka", True)
        assert tenant.open is False  # shoppers see the coming-soon page for now
        assert owner.role == "owner"
        assert owner.password_hash.startswith("$argon2id$")
        assert "a-long-password" not in owner.password_hash
    # The one-time link cannot be used twice (e.g. from the browser history).
    again = client_for(app, "dhaka-crafts.localhost").get(target)
    assert again.headers["Location"].endswith("/admin/login")


def test_the_signup_link_only_works_on_its_own_store(app, platform_client, make_store):
    make_store("other-shop")
    target = platform_client.post("/signup", data=GOOD).headers["Location"]
    path = target.split("localhost", 1)[1]
    elsewhere = client_for(app, "other-shop.localhost")
    assert elsewhere.get(path).headers["Location"].endswith("/admin/login")
    assert elsewhere.get("/admin/").status_code == 302


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Give your store a name."),
    ("slug", "", "Choose an address."),
    ("slug", "ab", "Use 3 to 40 characters."),
    ("slug", "a" * 41, "Use 3 to 40 characters."),
    ("slug", "dhaka_crafts", "lowercase letters, digits and single hyphens"),
    ("slug", "-dhaka", "lowercase letters, digits and single hyphens"),
    ("slug", "dhaka--crafts", "lowercase letters, digits and single hyphens"),
    ("slug", "ঢাকা", "lowercase letters, digits and single hyphens"),
    ("slug", "admin", "is reserved"),
    ("slug", "www", "is reserved"),
    ("slug", "api", "is reserved"),
    ("slug", "static", "is reserved"),
    ("email", "", "We need your email"),
    ("email", "not-an-email", "does not look like an email"),
    ("password", "", "Choose a password."),
    ("password", "short", "at least 10 characters"),
    ("locale", "fr", "Not a valid choice"),
    ("currency", "XYZ", "Not a valid choice"),
])
def test_each_rule_shows_an_error_next_to_its_field_and_keeps_input(
        app, platform_client, field, value, message):
    data = {**GOOD, field: value}
    response = platform_client.post("/signup", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in body
    error_line = body.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error_line
    # What was typed is kept (but never the password).
    for kept in ("name", "slug", "email"):
        if data[kept] and kept != field:
            assert f'value="{data[kept]}"' in body
    assert GOOD["password"] not in body
    assert _count_stores(app) == 0


def test_uppercase_slug_is_normalised(app, platform_client):
    response = platform_client.post("/signup", data={**GOOD, "slug": "  Dhaka-Crafts "})
    assert response.headers["Location"].startswith("http://dhaka-crafts.localhost/")


def test_taken_slug_is_refused_next_to_the_field(app, platform_client, make_store):
    make_store("dhaka-crafts")
    response = platform_client.post("/signup", data={**GOOD, "email": "other@example.com"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That address is taken" in body.split('id="slug-error"', 1)[1]
    assert 'value="other@example.com"' in body
    assert _count_stores(app) == 1


def test_two_signups_racing_for_one_slug_make_one_store(app):
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def sign_up(email: str) -> None:
        client = client_for(app, "localhost")
        barrier.wait()
        statuses.append(client.post("/signup", data={**GOOD, "email": email}).status_code)

    threads = [threading.Thread(target=sign_up, args=(f"racer{i}@example.com",))
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 422]
    assert _count_stores(app) == 1
    with app.app_context(), platform_scope():
        assert db.session.scalar(select(func.count()).select_from(StaffUser)) == 1


def test_signup_form_is_protected_by_csrf(app, platform_client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = platform_client.post("/signup", data=GOOD)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert _count_stores(app) == 0


@pytest.mark.parametrize(("currency", "locale", "expected"), [
    ("AMD", "hy", ("AM", "Asia/Yerevan", False)),
    ("BDT", "en", ("BD", "Asia/Dhaka", False)),  # Bengali digits only for a Bengali store
    ("USD", "en", ("", "UTC", False)),  # many countries use dollars: no guess
])
def test_a_new_store_takes_its_clock_and_digits_from_its_country(app, platform_client,
                                                                  currency, locale, expected):
    form = {**GOOD, "slug": f"shop-{currency.lower()}", "currency": currency,
            "locale": locale}
    assert platform_client.post("/signup", data=form).status_code == 303
    with app.app_context(), platform_scope():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == form["slug"]))
        assert (tenant.country, tenant.timezone, tenant.bengali_digits) == expected


@pytest.mark.parametrize(("lang", "heading", "error"), [
    ("bn", "আজই আপনার দোকান অনলাইনে খুলুন।", "এই ঠিকানাটি আগেই নেওয়া হয়েছে। অন্য একটি বেছে নিন।"),
    ("hy", "Բացեք Ձեր խանութն առցանց՝ այսօր։",
     "Այդ հասցեն զբաղված է։ Խնդրում ենք ընտրել այլ հասցե։"),
])
def test_the_platform_speaks_bengali_and_armenian(app, platform_client, make_store,
                                                  lang, heading, error):
    """A merchant in Dhaka or Yerevan reads the home page and sign-up in their language,
    chosen with ?lang= (kept in a cookie) or from the browser, errors included."""
    home = platform_client.get(f"/?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in home and heading in home
    assert "<code>your-shop.localhost</code>" in home  # markup inside a translation
    signup = platform_client.get("/signup").get_data(as_text=True)  # the cookie keeps it
    assert f'<html lang="{lang}">' in signup and "Create your store" not in signup
    make_store("taken-shop")
    refused = platform_client.post("/signup", data={**GOOD, "slug": "taken-shop"})
    assert refused.status_code == 422 and error in refused.get_data(as_text=True)


def test_the_platform_follows_the_browser_s_language(app):
    visitor = app.test_client()
    page = visitor.get("/", headers={"Host": "localhost",
                                     "Accept-Language": "hy-AM,hy;q=0.9,en;q=0.5"})
    assert '<html lang="hy">' in page.get_data(as_text=True)
