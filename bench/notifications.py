"""Courier and gateway notifications handled per second, side by side with bare Flask.

    .venv/bin/python bench/notifications.py [--count 1000] [--rounds 3]
        [--database-url URL]

Each round makes a fresh Bengali store with the **pathao** plugin on (its webhook
secret set) and ``--count`` cash-on-delivery orders shipped with Pathao, consignment
``PX<n>``, written straight through the ORM, untimed. Then it times, through each app's
WSGI stack with Flask's test client (no sockets), one notification per order:

* **Haat, new step**: ``POST /apps/pathao/webhook`` on the store's host with Pathao's
  ``order.picked`` event for each parcel and its secret in ``X-PATHAO-Signature``: host
  resolution and the store's plugins, the secret compared in constant time, the JSON
  read, ``record_tracking`` (the unseen event checked, the order locked, the tracking
  event and a timeline entry written, commit) and ``haat_shipment_tracked`` fired after
  the commit (the store has no listener on).
* **Haat, replay**: the same notifications again. Each is recognised as seen, without a
  lock or a write.
* **bare Flask**: a 20-line Flask app on its own SQLite file (or the same PostgreSQL
  server) with one table of ``--count`` parcels: the same constant-time secret check,
  the JSON read, and one ``UPDATE parcels SET status = ... WHERE consignment = ...``
  committed. No tenancy, no event log, no idempotency: the floor of "check and update".

Printed: notifications per second (median of ``--rounds``), and Haat / bare (1.000 = as
fast). The default database is a new SQLite file; ``--database-url`` takes any
SQLAlchemy URL (``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_notify``; the
database is created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, update

SECRET = "bench-webhook-secret"  # noqa: S105 (a benchmark's own store)
HEADER = "X-PATHAO-Signature"
PRICE = 150_000


def new_store(slug: str) -> int:
    from core.platform.signup import sign_up

    return sign_up(slug=slug, name="নকশি ঘর", email=f"owner@{slug}.example",
                   password="bench-password-1", locale="bn", currency="BDT",  # noqa: S106
                   country="BD").tenant.id


def switch_on_pathao(app: Flask, store_id: int) -> None:
    from core.db import db
    from core.pluginhost.settings import to_json
    from core.pluginhost.state import save_settings, set_enabled

    host = app.extensions["haat_plugins"]
    set_enabled(store_id, "pathao", True, host.exclusive_peers("pathao"))
    save_settings(store_id, "pathao", to_json(host.installed["pathao"].manifest,
                                              {"store_id": "1", "sandbox": True}),
                  app.extensions["haat_secret_box"].encrypt(
                      {"client_id": "c", "client_secret": "s", "username": "u@x.example",
                       "password": "p", "webhook_secret": SECRET}))
    db.session.commit()


def shipped_orders(store_id: int, count: int) -> list[str]:
    """``count`` cash-on-delivery orders shipped with Pathao; their consignment ids."""
    from core.db import db
    from core.orders.models import Order, OrderLine
    from core.orders.numbering import next_order_number
    from tenants import tenant_scope

    numbers = []
    with tenant_scope(store_id):
        for i in range(count):
            number = f"PX{i:07d}"
            order = Order(number=next_order_number(), token=secrets.token_urlsafe(24),
                          idempotency_key=secrets.token_hex(16), currency="BDT",
                          phone="+8801712345678", locale="bn", payment_method="cod",
                          payment_label="ক্যাশ অন ডেলিভারি", subtotal=PRICE, total=PRICE,
                          fulfilment_state="shipped", carrier="Pathao", carrier_id="pathao",
                          tracking_number=number)
            order.lines.append(OrderLine(title="নকশি কাঁথা", quantity=1, unit_price=PRICE,
                                         line_total=PRICE))
            db.session.add(order)
            numbers.append(number)
        db.session.commit()
    db.session.remove()
    return numbers


def body_for(number: str) -> bytes:
    return json.dumps({"event": "order.picked", "consignment_id": number,
                       "merchant_order_id": "", "updated_at": "2026-12-07 10:15:00",
                       "timestamp": "2026-12-07T04:15:00+00:00",
                       "store_id": 1}).encode()


def post_all(client: Any, host: str, bodies: list[bytes], expected: int) -> float:
    headers = {HEADER: SECRET, "Content-Type": "application/json", "Host": host}
    started = time.perf_counter()
    for body in bodies:
        answer = client.post("/apps/pathao/webhook" if host else "/webhook", data=body,
                             headers=headers)
        if answer.status_code != expected:
            raise SystemExit(f"unexpected answer {answer.status_code}: "
                             f"{answer.get_data(as_text=True)[:300]}")
    return time.perf_counter() - started


def bare_app(url: str, numbers: list[str]) -> Flask:
    """The reference: the same check and one update, nothing else."""
    engine = create_engine(url)
    meta = MetaData()
    parcels = Table("bare_parcels", meta, Column("id", Integer, primary_key=True),
                    Column("consignment", String(40), unique=True),
                    Column("status", String(24)))
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as connection:
        connection.execute(parcels.insert(), [{"consignment": n, "status": "shipped"}
                                              for n in numbers])
    app = Flask("bare")

    @app.post("/webhook")
    def webhook() -> Response:
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), SECRET.encode()):
            return Response("unauthorized", status=401)
        payload = json.loads(request.get_data())
        with engine.begin() as connection:
            changed = connection.execute(
                update(parcels).where(parcels.c.consignment == payload["consignment_id"])
                .values(status="picked_up")).rowcount
        return Response("accepted" if changed else "unknown", status=202 if changed else 404)

    return app


def one_round(app: Flask, number: int, count: int, url: str) -> dict[str, float]:
    slug = f"notify-{number}-{secrets.token_hex(3)}"
    store_id = new_store(slug)
    switch_on_pathao(app, store_id)
    numbers = shipped_orders(store_id, count)
    bodies = [body_for(n) for n in numbers]
    client = app.test_client()
    host = f"{slug}.localhost"
    fresh = post_all(client, host, bodies, 202)
    replay = post_all(client, host, bodies, 202)
    bare = post_all(bare_app(url, numbers).test_client(), "", bodies, 202)
    check_recorded(store_id, count)
    return {"Haat, new step": count / fresh, "Haat, replay": count / replay,
            "bare Flask": count / bare}


def check_recorded(store_id: int, count: int) -> None:
    from sqlalchemy import func, select

    from core.db import db
    from core.orders.models import ShipmentEvent
    from tenants import tenant_scope

    with tenant_scope(store_id):
        kept = db.session.scalar(select(func.count(ShipmentEvent.id)))
    db.session.remove()
    if kept != count:
        raise SystemExit(f"expected {count} tracking events, found {kept}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    args = parser.parse_args()

    from core.db import db
    from core.testing import build_test_app, dispose, ensure_postgres_database

    workdir = Path(tempfile.mkdtemp(prefix="haat-notify-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    bare_url = args.database_url or f"sqlite:///{workdir / 'bare.db'}"
    if url.startswith(("postgres://", "postgresql")):
        ensure_postgres_database(url)
    app = build_test_app(workdir, url, HAAT_DEFAULT_PLUGINS="", HAAT_JOBS="immediate",
                         TESTING=False)
    logging.getLogger().setLevel(logging.WARNING)
    results: dict[str, list[float]] = {}
    try:
        with app.app_context():
            print(f"database: {db.engine.dialect.name}; {args.count:,} notifications "
                  f"per round, {args.rounds} rounds")
            for number in range(1, args.rounds + 1):
                rates = one_round(app, number, args.count, bare_url)
                for name, rate in rates.items():
                    results.setdefault(name, []).append(rate)
                print(f"round {number}: " + ", ".join(f"{name} {rate:,.0f}/s"
                                                      for name, rate in rates.items()))
    finally:
        dispose(app)
    bare = statistics.median(results["bare Flask"])
    print(f"\n{'path':<16} {'per second':>11} {'/ bare':>8}")
    for name, rates in results.items():
        rate = statistics.median(rates)
        print(f"{name:<16} {rate:>11,.0f} {rate / bare:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
