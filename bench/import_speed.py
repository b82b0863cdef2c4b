"""A 5,000-row product CSV import, side by side with bare SQL inserting the same rows.

    .venv/bin/python bench/import_speed.py [--products 500] [--variants 10] [--rounds 3]
        [--database-url URL]

One run, on one database:

* **Haat**: the whole import as the job runs it (``core.catalog.importing``: store the
  file, check every row, look up SKUs, create the collection, write products and
  variants in batches of 200 with progress commits, catalogue events and page-cache
  versioning on every flush), into a fresh store each round, like
  ``haat products import``.
* **bare SQL**: the floor: read the same CSV with the ``csv`` module, then SQLAlchemy
  Core ``executemany`` of the products, one ``SELECT`` of their ids, and
  ``executemany`` of the variants, in one transaction, into another fresh store.

The file has ``--products`` products with ``--variants`` variants each (default 500 x
10 = 5,000 rows; ``--variants 1`` gives 5,000 products without options). Printed: the
median seconds of each, rows per second, and the ratio Haat / bare SQL.

The default database is a new SQLite file; ``--database-url`` takes any SQLAlchemy URL
(for PostgreSQL, ``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_import``: the
database is created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from pathlib import Path

from storefront_speed import run_main

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway store in a throwaway database
HEADER = ("Handle,Title,Body (HTML),Tags,Status,Option1 Name,Option1 Value,Variant SKU,"
          "Variant Price,Variant Compare At Price,Variant Inventory Qty,Variant Grams,Collection")


def make_csv(products: int, variants: int) -> bytes:
    """``products`` x ``variants`` rows; Bengali titles, HTML descriptions, one collection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.split(","))
    for p in range(products):
        for v in range(variants):
            first = v == 0
            writer.writerow([
                f"item-{p}", f"নকশি কাঁথা {p}" if first else "",
                f"<p>Hand stitched, number {p}.</p>" if first else "",
                "handmade" if first else "", "active" if first else "",
                "Size" if first and variants > 1 else "", f"S{v}" if variants > 1 else "",
                f"SKU-{p}-{v}", f"{100 + v}.50", "", str(v + 1), "250",
                "bulk" if first else ""])
    return buffer.getvalue().encode()


def new_store(slug: str) -> int:
    from core.platform.signup import sign_up

    return sign_up(slug=slug, name=slug.title(), email=f"owner@{slug}.example",
                   password=PASSWORD, currency="BDT").tenant.id


def haat_import(store_id: int, data: bytes) -> tuple[float, str]:
    from core.catalog.importing import create_import, run_import
    from core.catalog.imports import ProductImport
    from core.db import db
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    store = plugins_for_tenant(store_id).info
    with tenant_scope(store_id):
        started = time.perf_counter()
        record = create_import("bench.csv", data, "bench")
        run_import(store, record.id)
        elapsed = time.perf_counter() - started
        status = db.session.get(ProductImport, record.id).status
    return elapsed, status


def bare_sql(store_id: int, data: bytes) -> float:
    """The least work that puts the same rows into the same tables."""
    import sqlalchemy as sa

    from core.catalog.models import Product, ProductVariant
    from core.db import db, utcnow
    from core.money import Money

    started = time.perf_counter()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    products: dict[str, dict] = {}
    variants: list[tuple[str, dict]] = []
    now = utcnow()
    for row in reader:
        handle = row["Handle"]
        price = Money.from_decimal(row["Variant Price"], "BDT").amount
        if handle not in products:
            products[handle] = {
                "tenant_id": store_id, "handle": handle, "title": row["Title"],
                "description": row["Body (HTML)"], "sku": None, "price_amount": price,
                "stock": 0, "status": row["Status"], "tags": row["Tags"], "weight_grams": 250,
                "option_names": row["Option1 Name"], "video_url": "", "seo_title": "",
                "seo_description": "", "created_at": now, "updated_at": now}
        products[handle]["stock"] += int(row["Variant Inventory Qty"])
        variants.append((handle, {"tenant_id": store_id, "option1": row["Option1 Value"],
                                  "option2": "", "option3": "", "sku": row["Variant SKU"],
                                  "price_amount": price,
                                  "stock": int(row["Variant Inventory Qty"]),
                                  "position": len(variants)}))
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Product.__table__), list(products.values()))
        ids = dict(connection.execute(
            sa.select(Product.__table__.c.handle, Product.__table__.c.id)
            .where(Product.__table__.c.tenant_id == store_id)).all())
        connection.execute(sa.insert(ProductVariant.__table__),
                           [{**values, "product_id": ids[handle]} for handle, values in variants])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--variants", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    args = parser.parse_args()

    from core.db import db
    from core.testing import build_test_app, ensure_postgres_database

    root = Path(tempfile.mkdtemp(prefix="haat-import-bench-"))
    url = args.database_url or f"sqlite:///{root / 'bench.db'}"
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    app = build_test_app(root, url, HAAT_DEFAULT_PLUGINS="")
    data = make_csv(args.products, args.variants)
    rows = args.products * args.variants
    haat: list[float] = []
    bare: list[float] = []
    with app.app_context():
        print(f"database: {db.engine.dialect.name} {db.engine.dialect.server_version_info}; "
              f"{rows:,} rows ({args.products} products x {args.variants} variants), "
              f"{len(data) / 1024:.0f} KB")
        for number in range(args.rounds):
            elapsed, status = haat_import(new_store(f"haat-{number}"), data)
            if status != "done":
                print(f"round {number + 1}: the import ended {status}")
                return 1
            haat.append(elapsed)
            db.session.remove()
            bare.append(bare_sql(new_store(f"bare-{number}"), data))
            print(f"round {number + 1}: Haat {haat[-1]:.2f} s, bare SQL {bare[-1]:.2f} s")
    h, b = statistics.median(haat), statistics.median(bare)
    print()
    print(f"{'':<10}{'median s':>10}{'rows/s':>10}")
    print(f"{'Haat':<10}{h:>10.2f}{rows / h:>10,.0f}")
    print(f"{'bare SQL':<10}{b:>10.2f}{rows / b:>10,.0f}")
    print(f"Haat / bare SQL: {h / b:.1f}x")
    return 0


if __name__ == "__main__":
    run_main(main, "import_speed")
