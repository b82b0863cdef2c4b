"""Stores and stock for ``bench/checkout_speed.py``, made inside the app (run as a script).

    .venv/bin/python bench/checkout_prep.py OUT.json [--stores 100] [--products 20]
        [--scarce 2] [--hot 3] [--hot-units 25]

Runs with the same environment as the served app (``DATABASE_URL`` and the rest), after
``haat db upgrade``. Creates the stores ``bench-001`` ... through the provisioning
function (BDT, English), switches on the ``shipping`` and ``cash-on-delivery`` plugins
with their default settings (the BDT starter zones price Dhaka addresses), and
bulk-inserts the products. Stores and products that already exist (``--keep``) are
reused. Every bench product's stock is then set to its starting level, so each run
starts from the same stock.

Per store: ``--products`` products, of which the last ``--scarce`` have only
:data:`SCARCE_STOCK` units (they sell out during a run, so some orders are refused);
the rest have :data:`PLENTY_STOCK`. Store ``bench-001`` also gets ``--hot`` "hot"
products of ``--hot-units`` units each, one per hot race, that the random buyers never
pick. OUT.json lists the stores, products and starting stock, and the highest order id
before the run (the orders of this run are the ones after it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update

from core import create_app
from core.catalog.models import STATUS_ACTIVE, Product
from core.db import db
from core.orders.models import Order
from core.pluginhost.state import set_enabled
from tenants import platform_scope, tenant_scope
from tenants.provisioning import create_tenant, find_tenant

PLUGINS = ("shipping", "cash-on-delivery")
PLENTY_STOCK = 1000
SCARCE_STOCK = 1
HOT_STORE = 1  # bench-001


def store_slug(number: int) -> str:
    """``bench-001``, ``bench-002``, ..."""
    return f"bench-{number:03d}"


def product_rows(number: int, products: int, scarce: int, hot: int,
                 hot_units: int) -> list[dict[str, Any]]:
    """The wanted products of store ``number``: handle, title, price, stock, role."""
    rows = []
    for index in range(1, products + 1):
        role = "scarce" if index > products - scarce else "plenty"
        rows.append({"handle": f"item-{index:02d}", "title": f"Bench item {number}-{index}",
                     "sku": f"B{number:03d}-{index:02d}",
                     # 150.00 to 1,100.00 taka: varied totals, whole minor units
                     "price_amount": 15_000 + 5_000 * ((number * 7 + index) % 20),
                     "stock": SCARCE_STOCK if role == "scarce" else PLENTY_STOCK,
                     "role": role})
    if number == HOT_STORE:
        for race in range(1, hot + 1):
            rows.append({"handle": f"hot-{race}", "title": f"Last lamps, race {race}",
                         "sku": f"HOT-{race:02d}", "price_amount": 90_000,
                         "stock": hot_units, "role": "hot"})
    return rows


def prepare_store(number: int, wanted: list[dict[str, Any]]) -> dict[str, Any]:
    """Create (or find) one store, its plugins and products; set its stock levels."""
    slug = store_slug(number)
    tenant = find_tenant(slug) or create_tenant(
        slug=slug, name=f"Bench store {number}", locale="en", currency="BDT")
    for plugin in PLUGINS:
        set_enabled(tenant.id, plugin, True)
    with tenant_scope(tenant.id):
        have = dict(db.session.execute(select(Product.handle, Product.id)).tuples().all())
        missing = [{k: v for k, v in row.items() if k != "role"} | {
            "tenant_id": tenant.id, "status": STATUS_ACTIVE, "weight_grams": 500,
            "description": "A product for the checkout benchmark."}
            for row in wanted if row["handle"] not in have]
        if missing:
            db.session.execute(insert(Product), missing)
            have = dict(db.session.execute(select(Product.handle, Product.id)).tuples().all())
        for row in wanted:
            db.session.execute(update(Product).where(Product.id == have[row["handle"]])
                               .values(stock=row["stock"])
                               .execution_options(synchronize_session=False))
    return {"slug": slug, "id": tenant.id, "products": [
        {"id": have[row["handle"]], "handle": row["handle"], "stock": row["stock"],
         "price": row["price_amount"], "role": row["role"]} for row in wanted]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--scarce", type=int, default=2)
    parser.add_argument("--hot", type=int, default=3, help="hot products (one per race)")
    parser.add_argument("--hot-units", type=int, default=25)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        installed = app.extensions["haat_plugins"].installed
        absent = [name for name in PLUGINS if name not in installed]
        if absent:
            sys.exit(f"checkout_prep: plugins not installed: {', '.join(absent)}")
        stores = []
        for number in range(1, args.stores + 1):
            wanted = product_rows(number, args.products, args.scarce, args.hot,
                                  args.hot_units)
            stores.append(prepare_store(number, wanted))
            if number % 25 == 0:
                db.session.commit()
        db.session.commit()
        with platform_scope():
            baseline = db.session.scalar(select(func.coalesce(func.max(Order.id), 0)))
    args.out.write_text(json.dumps({"baseline_order_id": baseline, "stores": stores}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
