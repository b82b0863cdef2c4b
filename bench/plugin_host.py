"""Per-request cost of the plugin host, measured side by side in one run.

    .venv/bin/python bench/plugin_host.py [--requests 2000] [--stores 1000]

Scenarios, all rendering the same product page through the Flask test client (no
network, so the numbers isolate the app):

* ``0 plugins``: the reference; the host still reads the store's plugin version.
* ``5 plugins`` / ``20 plugins``: trivial plugins (each answers every slot, head tags
  and badges) enabled for the store.
* ``1000 stores``: as many stores, each with a distinct enabled subset of the 20
  plugins, requested round robin (one relay per distinct set, cold caches first).

Set ``DATABASE_URL`` to run against PostgreSQL instead of a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from core import create_app
from core.catalog.models import Product
from core.db import db
from core.pluginhost.models import PluginState
from core.sdk import Badge, MetaTag, PluginManifest, SlotContent, hookimpl
from tenants import Tenant, platform_scope

PLUGINS = 20


def trivial_plugin(index: int) -> ModuleType:
    """A plugin that answers every slot, head tags and badges with a little data."""
    module = ModuleType(f"bench_plugin_{index}")
    module.manifest = PluginManifest(name=f"bench-{index}", title=f"Bench {index}")
    module.haat_slot = hookimpl(lambda store, name, page: SlotContent(text=f"p{index}")
                                if name == "footer" else None)
    module.haat_head_tags = hookimpl(lambda store, page: [MetaTag(name=f"b{index}",
                                                                  content="x")])
    module.haat_trust_badges = hookimpl(lambda store, placement, page: [
        Badge(key=f"b{index}", label="ok")])
    return module


def build(stores: int) -> tuple:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"DATABASE_URL": url, "HAAT_INSTANCE_DIR": tempfile.mkdtemp(),
                      "HAAT_PLATFORM_DOMAIN": "localhost"})
    host = app.extensions["haat_plugins"]
    for index in range(PLUGINS):
        host.register(trivial_plugin(index))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        if url.startswith("postgresql"):
            downgrade(revision="base")
        upgrade()
        with platform_scope():
            rows = [{"slug": f"bench-{i:04d}", "name": f"Bench store {i}", "status": "active",
                     "locale": "en", "currency": "USD", "bengali_digits": False,
                     "contact_email": "", "contact_phone": "", "address": "",
                     "plugins_version": 0} for i in range(stores + 3)]
            db.session.execute(insert(Tenant), rows)
            ids = db.session.scalars(db.select(Tenant.id).order_by(Tenant.id)).all()
            db.session.execute(insert(Product), [
                {"tenant_id": tid, "handle": "kantha", "title": "Nakshi kantha",
                 "description": "Hand stitched.\n\nCotton.", "price_amount": 250000,
                 "stock": 7, "status": "active", "tags": ""} for tid in ids])
            states = []
            for position, tid in enumerate(ids):
                if position < 3:
                    enabled = range((0, 5, 20)[position])
                else:  # a distinct subset per store: the bits of its number
                    enabled = [b for b in range(PLUGINS) if (position + 1) >> b & 1]
                states += [{"tenant_id": tid, "plugin": f"bench-{b}", "enabled": True,
                            "settings": {}, "secrets": ""} for b in enabled]
            db.session.execute(insert(PluginState), states)
            db.session.commit()
    return app, ids


def run(app, slugs: list[str], requests: int, offset: int = 0) -> float:
    """Requests per second for ``requests`` product pages cycling through ``slugs``."""
    client = app.test_client()
    started = time.perf_counter()
    for i in range(offset, offset + requests):
        slug = slugs[i % len(slugs)]
        response = client.get("/products/kantha", base_url=f"http://{slug}.localhost")
        assert response.status_code == 200, response.status_code
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per scenario")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stores", type=int, default=1000)
    args = parser.parse_args()
    app, _ids = build(args.stores)
    many = [f"bench-{i:04d}" for i in range(3, args.stores + 3)]
    scenarios = {"0 plugins": ["bench-0000"], "5 plugins": ["bench-0001"],
                 "20 plugins": ["bench-0002"],
                 f"{args.stores} stores, distinct sets": many}
    # First pass over every store: relays and state caches are built here (cold).
    cold = run(app, many, len(many))
    for slugs in scenarios.values():
        run(app, slugs, 200)  # warm-up
    per_round = args.requests // args.rounds
    rates: dict[str, list[float]] = {name: [] for name in scenarios}
    for round_number in range(args.rounds):  # interleaved, so drift hits all alike
        for name, slugs in scenarios.items():
            rates[name].append(run(app, slugs, per_round, offset=round_number * per_round))
    base = statistics.median(rates["0 plugins"])
    print(f"{'scenario':<34} {'req/s (median of rounds)':>25} {'vs 0 plugins':>13}")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:<34} {rate:>25.0f} {rate / base:>12.2f}x")
    print(f"{'first visit to each of ' + str(args.stores) + ' stores':<34} {cold:>25.0f} "
          f"{cold / base:>12.2f}x")
    relays = len(app.extensions["haat_plugins"]._relays)
    print(f"distinct relays built: {relays}; database: "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")


if __name__ == "__main__":
    main()
