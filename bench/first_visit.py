"""CPU of a first visit: a product page of a store no part of this worker has seen yet.

    .venv/bin/python bench/first_visit.py [--stores 3000] [--visits 1000] [--dir DIR]
        [--profile out.prof] [--top 40] [--database-url URL]

It builds (once per ``--dir``) a database with the three demo stores and ``--stores``
copies of them, made fast by copying the demo stores' rows with SQLAlchemy core (every
store-owned table, ids shifted, foreign keys followed; no custom domains). Then one
in-process app (the production configuration: CSRF on, no ``TESTING``) asks for the
product page of a different store on each request, through the test client, with no
cookies: nearly every request misses the host cache, the page cache and every
per-store cache. It prints CPU milliseconds per request (``time.process_time``), the
SQL statements per request, and with ``--profile`` the hottest functions (cProfile).

``--shared`` names a shared page cache (``HAAT_SHARED_PAGE_CACHE``); ``--second-app``
then visits each store with a second app (another "worker") after the first filled the
shared cache, which measures a shared-cache hit.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PRODUCTS = {"dhaka-crafts": None, "yerevan-books": None, "corner-store": None}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=3000, help="copies of the demo stores")
    parser.add_argument("--visits", type=int, default=1000, help="first visits to measure")
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "haat-first-visit"),
                        help="database and instance")
    parser.add_argument("--database-url", default="", help="default: SQLite in --dir")
    parser.add_argument("--profile", default="", help="write cProfile stats here")
    parser.add_argument("--top", type=int, default=40, help="functions to print")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--shared", default="off", help="HAAT_SHARED_PAGE_CACHE")
    parser.add_argument("--second-app", action="store_true",
                        help="measure a second app served from the shared cache")
    return parser.parse_args()


def make_app(root: Path, url: str, shared: str):
    from core import create_app

    return create_app({
        "DATABASE_URL": url,
        "HAAT_INSTANCE_DIR": str(root / "instance"),
        "HAAT_MEDIA_DIR": str(root / "media"),
        "HAAT_PLATFORM_DOMAIN": "localhost",
        "HAAT_JOBS": "immediate",
        "HAAT_SHARED_PAGE_CACHE": shared,
        "RATELIMIT_ENABLED": False,
    })


def prepare(app, stores: int) -> list[tuple[str, str]]:
    """The (host, product path) of every store, building the database when needed."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from core.catalog.models import Product
    from core.db import db
    from tenants import Tenant, platform_scope

    with app.app_context():
        upgrade(revision="heads")
        with platform_scope():
            have = db.session.scalar(select(func.count()).select_from(Tenant))
        if not have:
            from core.demo.loader import load_demo

            load_demo()
            db.session.commit()
        with platform_scope():
            have = db.session.scalar(select(func.count()).select_from(Tenant))
        if have < stores + 3:
            clone_stores(stores + 3 - have, have)
        with platform_scope():
            rows = db.session.execute(
                select(Tenant.slug, func.min(Product.handle))
                .join(Product, Product.tenant_id == Tenant.id).group_by(Tenant.slug)).all()
    return [(f"{slug}.localhost", f"/products/{handle}") for slug, handle in rows]


def clone_stores(count: int, existing: int) -> None:
    """Copy the demo stores' rows ``count`` times (cycling through them)."""
    from sqlalchemy import func, insert, select

    from core.db import db
    from tenants import Domain, Tenant, platform_scope
    from tenants.provisioning import tenant_owned_tables

    started = time.perf_counter()
    with platform_scope():
        connection = db.session.connection()
        tenants = Tenant.__table__
        templates = connection.execute(select(tenants).order_by(tenants.c.id).limit(3)).all()
        # Parents before children, so each table's foreign keys point at copied rows.
        tables = [t for t in reversed(tenant_owned_tables()) if t.name != Domain.__tablename__]
        rows = {t.name: {tpl.id: connection.execute(select(t).where(t.c.tenant_id == tpl.id))
                         .mappings().all() for tpl in templates} for t in tables}
        shift = 1 + max((connection.execute(select(func.max(t.c.id))).scalar() or 0)
                        for t in tables if "id" in t.c)
        next_tenant = 1 + connection.execute(select(func.max(tenants.c.id))).scalar()
        for n in range(count):
            template = templates[n % 3]
            number = existing + n
            new_id = next_tenant + n
            offset = shift * (number + 1)
            connection.execute(insert(tenants).values({
                **template._mapping, "id": new_id, "slug": f"{template.slug}-{number}",
                "name": f"{template.name} {number}"}))
            for table in tables:
                copied = []
                for row in rows[table.name][template.id]:
                    row = dict(row)
                    row["tenant_id"] = new_id
                    for column in table.c:
                        if column.name == "tenant_id" or row.get(column.name) is None:
                            continue
                        shifted = column.name == "id" and column.primary_key and \
                            isinstance(row[column.name], int)
                        shifted = shifted or any(
                            fk.column.table.name != "tenants" and fk.column.name == "id"
                            for fk in column.foreign_keys)
                        if shifted:
                            row[column.name] += offset
                    copied.append(row)
                if copied:
                    connection.execute(insert(table), copied)
            if n % 500 == 499:
                db.session.commit()
                print(f"  {n + 1} stores copied", file=sys.stderr)
                connection = db.session.connection()
        db.session.commit()
    print(f"copied {count} stores in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def visit(app, targets: list[tuple[str, str]], profile: cProfile.Profile | None,
          ) -> tuple[float, float, int]:
    """CPU ms and wall ms per request, and statements per request."""
    from sqlalchemy import event

    from core.db import db

    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    for host, path in targets:
        client._cookies.clear()  # a first visit: no session, no CSRF token
        response = client.get(path, base_url=f"http://{host}")
        if response.status_code != 200:
            raise SystemExit(f"{host}{path}: {response.status_code}")
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    event.remove(engine, "before_cursor_execute", count)
    n = len(targets)
    return cpu * 1000 / n, wall * 1000 / n, statements[0] / n


def main() -> int:
    args = parse_args()
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{root / 'haat.db'}"
    os.environ.setdefault("HAAT_LOG_LEVEL", "WARNING")
    app = make_app(root, url, args.shared)
    targets = prepare(app, args.stores)
    targets = [t for t in targets if t[0].split(".")[0] not in PRODUCTS]
    warm, measured = targets[:20], targets[20:20 + args.visits]
    visit(app, warm, None)  # first request of the process: template compiles, imports
    profile = cProfile.Profile() if args.profile else None
    cpu, wall, queries = visit(app, measured, profile)
    print(f"first visits: {len(measured)} stores, {cpu:.2f} ms CPU, {wall:.2f} ms wall, "
          f"{queries:.1f} statements per request")
    again_cpu, again_wall, again_q = visit(app, measured, None)
    print(f"second visits (same worker): {again_cpu:.2f} ms CPU, {again_wall:.2f} ms wall, "
          f"{again_q:.1f} statements per request")
    if args.second_app:
        other = make_app(root, url, args.shared)
        visit(other, warm, None)
        cpu2, wall2, q2 = visit(other, measured, None)
        print(f"another worker, same stores: {cpu2:.2f} ms CPU, {wall2:.2f} ms wall, "
              f"{q2:.1f} statements per request")
    if profile:
        profile.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
