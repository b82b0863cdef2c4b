"""The admin's language: the admin catalogue only (never the shoppers' words), in the
language each staff member picks, else the store's."""

from __future__ import annotations

import pytest

from admin_support import add_staff, html, insert_orders, sign_in, use_admin_catalogue

BENGALI_ADMIN = {"Dashboard": "ড্যাশবোর্ড", "No orders yet.": "এখনো কোনো অর্ডার নেই।"}


@pytest.fixture
def bengali_admin(app, tmp_path, monkeypatch):
    """An admin catalogue with a Bengali translation of two strings only."""
    use_admin_catalogue(app, monkeypatch, tmp_path, "bn", BENGALI_ADMIN)


@pytest.fixture
def bengali_store(make_store):
    return make_store("bangla-shop", locale="bn", currency="BDT")


def test_a_bengali_store_admin_uses_the_admin_catalogue_and_never_the_shoppers(
        app, bengali_admin, bengali_store, store_client):
    client = sign_in(store_client, bengali_store)
    empty = html(client.get("/admin/orders"))
    assert '<html lang="bn">' in empty
    assert ">ড্যাশবোর্ড</a>" in empty and "এখনো কোনো অর্ডার নেই।" in empty
    insert_orders(app, bengali_store, 1)
    page = html(client.get("/admin/orders"))
    # "Total" has a Bengali translation for shoppers, none in the admin catalogue.
    assert "মোট" not in page and ">Total</th>" in page


def test_each_staff_member_picks_their_own_admin_language(
        app, bengali_admin, bengali_store, store_client):
    owner = sign_in(store_client, bengali_store)
    add_staff(app, bengali_store, "packer@bangla-shop.example")
    packer = sign_in(store_client, bengali_store, "packer@bangla-shop.example")

    account = html(owner.get("/admin/account"))
    assert '<option value="en" lang="en">English</option>' in account
    assert '<option value="bn" lang="bn">বাংলা</option>' in account
    assert '<option value="hy"' not in account  # no Armenian admin catalogue
    chosen = owner.post("/admin/account/language", data={"locale": "en"})
    assert chosen.status_code == 303

    page = html(owner.get("/admin/orders"))
    assert '<html lang="en">' in page and ">Dashboard</a>" in page
    assert ">ড্যাশবোর্ড</a>" in html(packer.get("/admin/orders"))  # only the owner chose

    owner.post("/admin/account/language", data={"locale": ""})
    assert ">ড্যাশবোর্ড</a>" in html(owner.get("/admin/orders"))  # the store's again


def test_a_language_without_an_admin_catalogue_is_refused(
        bengali_admin, bengali_store, store_client):
    client = sign_in(store_client, bengali_store)
    refused = client.post("/admin/account/language", data={"locale": "hy"},
                          follow_redirects=True)
    assert "Choose one of the languages listed." in html(refused)
    assert ">ড্যাশবোর্ড</a>" in html(client.get("/admin/orders"))


def test_an_armenian_store_gets_the_armenian_admin(make_store, store_client):
    armenian = make_store("yerevan-shop", locale="hy", currency="AMD")
    page = html(sign_in(store_client, armenian).get("/admin/orders"))
    assert '<html lang="hy">' in page and ">Վահանակ</a>" in page
    assert "Պատվերներ դեռ չկան։" in page and ">Dashboard</a>" not in page
    account = html(sign_in(store_client, armenian).get("/admin/account"))
    assert '<option value="hy" lang="hy">Հայերեն</option>' in account


def test_choosing_a_language_needs_the_csrf_token(app, bengali_store, store_client):
    client = sign_in(store_client, bengali_store)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/admin/account/language", data={"locale": "en"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
