"""``haat products export`` and ``haat products import``, run through the real CLI."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from core.catalog.imports import ProductImport
from core.catalog.models import Product, ProductVariant
from core.db import db
from tenants import tenant_scope

HEADER = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=list(args), **kwargs)


@pytest.fixture
def shop(make_store):
    return make_store("tea-house", currency="BDT")


def products(app, tenant) -> dict[str, tuple]:
    with app.app_context(), tenant_scope(tenant.id):
        rows = db.session.scalars(select(Product).order_by(Product.handle)).all()
        return {p.handle: (p.title, p.price_amount, p.stock, p.sku,
                           [(v.option1, v.sku, v.price_amount, v.stock) for v in p.variants])
                for p in rows}


def test_export_writes_the_stores_products_to_stdout_and_to_a_file(
        app, cli, shop, make_store, add_product, tmp_path):
    add_product(shop, "green-tea", title="সবুজ চা", price=45_000, stock=3, sku="TEA-G")
    other = make_store("coffee-house")
    add_product(other, "espresso", title="Espresso")

    result = cli("products", "export", "--store", "tea-house")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0][0] == "Handle" and len(rows) == 2
    assert rows[1][:2] == ["green-tea", "সবুজ চা"] and "450.00" in rows[1]
    assert "Espresso" not in result.output

    target = tmp_path / "out.csv"
    result = cli("products", "export", "--store", "tea-house", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "সবুজ চা" in target.read_bytes().decode("utf-8-sig")

    assert cli("products", "export", "--store", "nowhere").exit_code != 0


def test_import_prints_progress_and_a_second_store_gets_the_same_catalogue(
        app, cli, shop, make_store, add_product, tmp_path):
    add_product(shop, "green-tea", title="সবুজ চা", price=45_000, stock=3, sku="TEA-G")
    add_product(shop, "black-tea", title="Black tea", price=30_000, stock=6,
                variants=[("100 g", 30_000, 4), ("250 g", 65_000, 2)])
    exported = tmp_path / "tea.csv"
    assert cli("products", "export", "--store", "tea-house", str(exported)).exit_code == 0
    copy = make_store("tea-copy", currency="BDT")

    result = cli("products", "import", "--store", "tea-copy", str(exported))
    assert result.exit_code == 0, result.output
    assert "checked 3/3 rows" in result.output
    assert "written 3/3 rows" in result.output
    assert "Done: 2 products added, 0 updated, from 3 rows." in result.output
    assert products(app, copy) == products(app, shop)
    with app.app_context(), tenant_scope(copy.id):
        record = db.session.scalar(select(ProductImport))
        assert (record.status, record.started_by) == ("done", "cli")


def test_progress_is_printed_every_200_rows_of_a_big_file(app, cli, shop, tmp_path):
    rows = [f"item-{p},Item {p},Size,S{v},SKU-{p}-{v},10,1" for p in range(100)
            for v in range(10)]
    source = tmp_path / "big.csv"
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = cli("products", "import", "--store", "tea-house", str(source))
    assert result.exit_code == 0, result.output
    checked = [line for line in result.output.splitlines() if line.startswith("checked")]
    assert checked == [f"checked {n}/1000 rows" for n in (0, 200, 400, 600, 800, 1000)]
    assert "written 1000/1000 rows" in result.output
    with app.app_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(func.count()).select_from(ProductVariant)) == 1000


def test_a_file_in_bengali_digits_imports_the_same_numbers(app, cli, shop, tmp_path):
    source = tmp_path / "bangla.csv"
    source.write_text("\n".join([
        HEADER + ",Variant Grams",
        "tea-bn,চা,,,TEA-BN,১৮৫০,৪,৭০০",
        "tea-en,Tea,,,TEA-EN,1850,4,700",
    ]) + "\n", encoding="utf-8")
    result = cli("products", "import", "--store", "tea-house", str(source))
    assert result.exit_code == 0, result.output
    with app.app_context(), tenant_scope(shop.id):
        saved = {p.handle: (p.price_amount, p.stock, p.weight_grams)
                 for p in db.session.scalars(select(Product))}
    assert saved == {"tea-bn": (185_000, 4, 700), "tea-en": (185_000, 4, 700)}


def test_bad_rows_exit_non_zero_with_the_table_and_import_nothing(
        app, cli, shop, add_product, tmp_path):
    add_product(shop, "green-tea", title="Green tea", price=45_000, stock=3, sku="TEA-G")
    before = products(app, shop)
    source = tmp_path / "bad.csv"
    source.write_text("\n".join([
        HEADER,
        "oolong,Oolong,,,OOL-1,12.00,4",
        "green-tea,Green tea v2,,,TEA-G,1x,-2",
    ]) + "\n", encoding="utf-8")
    result = cli("products", "import", "--store", "tea-house", str(source))
    assert result.exit_code == 1
    assert "Import rejected: nothing was imported." in result.output
    lines = result.output.splitlines()
    assert any(line.split()[:3] == ["3", "Variant", "Price"] for line in lines)
    assert any(line.split()[:4] == ["3", "Variant", "Inventory", "Qty"] for line in lines)
    assert products(app, shop) == before


def test_a_file_missing_columns_is_refused_before_anything_starts(app, cli, shop, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("Name,Price\nTea,1\n", encoding="utf-8")
    result = cli("products", "import", "--store", "tea-house", str(source))
    assert result.exit_code == 1
    assert "Missing: Handle, Title." in result.output
    with app.app_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(func.count()).select_from(ProductImport)) == 0
