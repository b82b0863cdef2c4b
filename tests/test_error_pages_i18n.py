"""The plain error pages speak the visitor's language, on a store's pages, in its admin
and on a host where no store lives."""

from __future__ import annotations

import pytest

from conftest import client_for
from core.db import db
from tenants import TENANT_SUSPENDED
from tenants.provisioning import find_tenant, set_status


@pytest.fixture
def bangla_shop(make_store):
    return make_store("bangla-shop", currency="BDT", locale="bn", bengali_digits=True)


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_an_expired_form_is_explained_in_the_stores_language(app, bangla_shop, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    visitor = client_for(app, "bangla-shop.localhost")
    # A post that carries no token and does not say it came from this store's pages.
    response = visitor.post("/cart/add", data={"product_id": "1", "quantity": "1"})
    assert response.status_code == 400
    page = _html(response)
    assert '<html lang="bn">' in page
    assert "এই ফর্মের মেয়াদ শেষ হয়ে গেছে" in page
    assert "This form has expired" not in page
    assert "হোম পেজে ফিরে যান" in page


def test_a_wrong_method_is_explained_in_the_chosen_language(app, bangla_shop):
    visitor = client_for(app, "bangla-shop.localhost")
    response = visitor.post("/collections/all?lang=hy")
    assert response.status_code == 405
    page = _html(response)
    assert "Այս էջը չի կարելի այդպես օգտագործել" in page
    assert "Method Not Allowed" not in page


def test_a_suspended_store_says_so_in_its_language(app, bangla_shop):
    with app.app_context():
        set_status(find_tenant("bangla-shop"), TENANT_SUSPENDED)
        db.session.commit()
    page = client_for(app, "bangla-shop.localhost").get("/")
    assert page.status_code == 503
    assert "দোকানটি এখন বন্ধ আছে" in _html(page)
    assert "closed for now" not in _html(page)


def test_a_host_without_a_store_answers_in_the_browsers_language(app):
    page = client_for(app, "nobody-here.localhost").get(
        "/", headers={"Accept-Language": "hy,en;q=0.5"})
    assert page.status_code == 404
    html = _html(page)
    assert "Այստեղ խանութ չկա" in html
    assert "<strong>nobody-here.localhost</strong> հասցեում խանութ չկա" in html


def test_the_host_shown_on_the_no_store_page_is_escaped(app):
    page = client_for(app, "nobody-here.localhost").get(
        "/", headers={"Host": "<b>x</b>.localhost"})
    assert "<b>x</b>" not in _html(page)


def test_english_stays_english(app, make_store, monkeypatch):
    make_store("plain-shop")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client_for(app, "plain-shop.localhost").post("/cart/add", data={})
    assert "This form has expired" in _html(response)
    assert '<html lang="en">' in _html(response)


def test_in_the_admin_too(app, bangla_shop, monkeypatch):
    """The admin translates through its own catalogue; the error page's words still come
    through (from the shoppers' catalogue)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client_for(app, "bangla-shop.localhost").post(
        "/admin/login", data={"email": "owner@bangla-shop.example", "password": "x"})
    assert response.status_code == 400
    assert "এই ফর্মের মেয়াদ শেষ হয়ে গেছে" in _html(response)
