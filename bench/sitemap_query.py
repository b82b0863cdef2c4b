"""A sitemap part asked for with a random query string, against the cached one, in one run.

    .venv/bin/python bench/sitemap_query.py [--products 20000] [--requests 20]
        [--limit 10000] [--database-url URL]

One store gets ``--products`` generated products and the SEO plugin (whose
``haat_sitemap_entries`` walks the catalogue), with ``HAAT_SITEMAP_LIMIT=--limit`` so
that the sitemap is an index of parts. Timed through the app's test client, in this
order:

* a rebuild: what every ``/sitemap-1.xml?<random>`` request cost before the fix (the
  page cache keyed on the query string, so each one walked the whole catalogue); timed
  by building the store's sitemap ``--rebuilds`` times;
* ``--requests`` requests to ``/sitemap-1.xml`` (the first one builds the copy; it is
  left out);
* ``--requests`` requests to ``/sitemap-1.xml?<random>`` (a new random query each);
* the same pair for ``/collections/all`` (a catalogue page in the page cache).

Printed: p50/p95 per kind, the random-to-cached ratio (about 1 now) and the
rebuild-to-cached ratio (what a random query string cost before).

The default database is a new SQLite file; ``--database-url`` takes any SQLAlchemy URL
(for PostgreSQL, ``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_sitemap``:
the database is created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from core.catalog.models import Product
from core.db import db
from core.testing import build_test_app, ensure_postgres_database
from tenants import tenant_scope

PASSWORD = "bench-owner-password"  # noqa: S105 (a throwaway store)
HOST = "bench.localhost"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run: Callable[[], object], times: int) -> list[float]:
    """Milliseconds of each of ``times`` runs."""
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def seed(products: int) -> int:
    """A store with ``products`` active products and the SEO plugin; returns its id."""
    from flask import current_app

    from core.platform.signup import sign_up
    from core.pluginhost.state import set_enabled

    tenant = sign_up(slug="bench", name="Bench", email="owner@bench.example",
                     password=PASSWORD, locale="en", currency="USD", open=True).tenant
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with tenant_scope(tenant.id):
        for first in range(1, products + 1, 2000):
            db.session.execute(sa.insert(Product.__table__), [{
                "tenant_id": tenant.id, "handle": f"p-{n}", "title": f"Product {n}",
                "description": "", "sku": f"SKU-{n:06d}", "price_amount": 100 * n,
                "stock": 5, "status": "active", "tags": "", "option_names": "",
                "video_url": "", "created_at": start + timedelta(minutes=n),
                "updated_at": start + timedelta(minutes=n)}
                for n in range(first, min(first + 2000, products + 1))])
        host = current_app.extensions["haat_plugins"]
        set_enabled(tenant.id, "seo", True, host.exclusive_peers("seo"))
        db.session.commit()
    return tenant.id


def report(label: str, values: list[float]) -> str:
    return f"{label:<34}{percentile(values, 0.5):>10.1f}{percentile(values, 0.95):>10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per kind")
    parser.add_argument("--rebuilds", type=int, default=3,
                        help="sitemap builds timed (each walks the whole catalogue)")
    parser.add_argument("--limit", type=int, default=10_000,
                        help="HAAT_SITEMAP_LIMIT: URLs per sitemap part")
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="haat-sitemap-bench-"))
    url = args.database_url or f"sqlite:///{root / 'bench.db'}"
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    app = build_test_app(root, url, HAAT_SITEMAP_LIMIT=args.limit)
    with app.app_context():
        started = time.perf_counter()
        store_id = seed(args.products)
        print(f"database: {db.engine.dialect.name}; {args.products:,} products seeded in "
              f"{time.perf_counter() - started:.1f} s; {args.limit:,} URLs per part")

    from core.storefront import sitemaps

    client = app.test_client()

    def get(path: str) -> Callable[[], object]:
        def run() -> None:
            response = client.get(path, base_url=f"http://{HOST}")
            assert response.status_code == 200, (path, response.status_code)

        return run

    def random_query(path: str) -> Callable[[], object]:
        return lambda: get(f"{path}?{uuid.uuid4().hex}=1&utm_source={uuid.uuid4().hex}")()

    def rebuild() -> None:
        with app.app_context(), tenant_scope(store_id):
            sitemaps.build(store_id)

    rebuilds = timed(rebuild, args.rebuilds)
    timed(get("/sitemap-1.xml"), 1)  # serves the copy built above
    rows = {"rebuild (before: every random query)": rebuilds,
            "/sitemap-1.xml": timed(get("/sitemap-1.xml"), args.requests),
            "/sitemap-1.xml?<random>": timed(random_query("/sitemap-1.xml"), args.requests)}
    timed(get("/collections/all"), 1)
    rows["/collections/all"] = timed(get("/collections/all"), args.requests)
    rows["/collections/all?<random>"] = timed(random_query("/collections/all"), args.requests)

    print(f"\n{'':<34}{'p50 ms':>10}{'p95 ms':>10}")
    for label, values in rows.items():
        print(report(label, values))
    cached = percentile(rows["/sitemap-1.xml"], 0.5)
    print(f"\nsitemap, random query / cached (p50): "
          f"{percentile(rows['/sitemap-1.xml?<random>'], 0.5) / cached:.2f}x "
          f"(before: about {percentile(rebuilds, 0.5) / cached:,.0f}x, a rebuild each)")
    page = percentile(rows["/collections/all"], 0.5)
    print(f"collection page, random query / cached (p50): "
          f"{percentile(rows['/collections/all?<random>'], 0.5) / page:.2f}x")


if __name__ == "__main__":
    main()
