"""``haat demo``: three real stores with catalogues and images, safe to run twice.

Each test runs the demo itself (tables are emptied before every test), so this module
keeps to three such tests.
"""

from __future__ import annotations

import re

from PIL import Image
from sqlalchemy import func, select

from core.catalog.models import STATUS_ACTIVE, Product, ProductImage
from core.db import db
from core.demo.catalogues import DEMO_STORES
from core.demo.loader import DEMO_PASSWORD
from core.storage import LocalStorage
from tenants import Tenant, platform_scope, tenant_scope

EXPECTED = {
    "dhaka-crafts": ("bn", "BDT", "BD"),
    "yerevan-books": ("hy", "AMD", "AM"),
    "corner-store": ("en", "USD", "US"),
}
BENGALI_PRICE = re.compile(r"^(?:[০-৯][০-৯,]*(?:\.[০-৯]+)?\s*৳|৳\s*[০-৯][০-৯,]*(?:\.[০-৯]+)?)$")


def _demo(app, *args: str):
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result


def _counts(app) -> tuple[int, int, int]:
    with app.app_context(), platform_scope():
        return (db.session.scalar(select(func.count()).select_from(Tenant)),
                db.session.scalar(select(func.count()).select_from(Product)),
                db.session.scalar(select(func.count()).select_from(ProductImage)))


def test_demo_builds_three_stores_with_catalogues_and_real_images(app):
    result = _demo(app, "--quiet")
    assert result.output == ""

    storage = LocalStorage(app.config["HAAT_MEDIA_DIR"])
    with app.app_context():
        with platform_scope():
            tenants = db.session.scalars(select(Tenant)).all()
            stores = {t.slug: (t.id, t.locale, t.currency, t.country) for t in tenants}
        assert {slug: rest for slug, (_id, *rest) in stores.items()} == {
            slug: list(values) for slug, values in EXPECTED.items()}

        for slug, (tenant_id, *_rest) in stores.items():
            with tenant_scope(tenant_id):
                products = db.session.scalars(select(Product)).all()
                assert len(products) >= 30, slug
                assert all(p.status == STATUS_ACTIVE for p in products), slug
                stocks = [p.stock for p in products]
                assert 0 in stocks, f"{slug} has no sold-out product"
                assert any(1 <= s <= 5 for s in stocks), f"{slug} has no low-stock product"
                for product in products:
                    assert len(product.images) == 1, (slug, product.handle)
                    path = storage.path(tenant_id, product.images[0].storage_key)
                    assert path.is_file(), path
                    # Inside this store's own folder, never another's.
                    assert storage.tenant_root(tenant_id) in path.parents
                    with Image.open(path) as image:
                        assert image.format == "JPEG", path
                        image.verify()


def test_running_demo_again_creates_nothing_new(app):
    _demo(app, "--quiet")
    before = _counts(app)
    assert before[0] == 3
    assert before[1] == before[2] == sum(len(s.products) for s in DEMO_STORES)

    again = _demo(app)
    assert _counts(app) == before
    lines = {line.split()[0]: line for line in again.output.splitlines()
             if line.strip() and line.split()[0] in EXPECTED}
    assert set(lines) == set(EXPECTED)
    assert all("already there" in line for line in lines.values()), again.output
    assert "Creating" not in again.output


def test_demo_owner_signs_in_and_the_bengali_store_shows_only_its_own_products(
        app, store_client):
    _demo(app, "--quiet")
    specs = {s.slug: s for s in DEMO_STORES}

    admin = store_client("dhaka-crafts")
    login = admin.post("/admin/login", data={"email": specs["dhaka-crafts"].owner_email,
                                             "password": DEMO_PASSWORD})
    assert login.status_code == 303
    home = admin.get("/admin/")
    assert home.status_code == 200
    account = admin.get("/admin/account").get_data(as_text=True)
    assert specs["dhaka-crafts"].owner_email in account
    settings = admin.get("/admin/settings/store").get_data(as_text=True)
    assert 'value="Asia/Dhaka"' in settings  # the dashboard's days are Dhaka's days

    page = store_client("dhaka-crafts").get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    own_titles = {p.title for p in specs["dhaka-crafts"].products}
    assert any(title in html for title in own_titles)

    prices = re.findall(r"<span class=\"price\" data-price>([^<]*)</span>", html)
    assert prices, "no prices on the home page"
    for price in prices:
        assert BENGALI_PRICE.match(price.strip()), price
        assert not re.search(r"[0-9]", price), price

    others = {p.title for slug in ("yerevan-books", "corner-store")
              for p in specs[slug].products} - own_titles
    leaked = sorted(title for title in others if title in html)
    assert leaked == []
