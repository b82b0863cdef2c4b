"""The database side of ``bench/checkout_speed.py``: the bench database, the bare-SQL
reference's scratch tables, and the checks made after the run (plain psycopg).

The checks read the tables directly, not through the app, so a bug in the app's own
queries cannot hide an oversell:

* stock: for every bench product, starting stock minus the quantities on this run's
  order lines equals the stock now, and no stock is below zero;
* orders: the run's orders in the database are exactly the orders the buyers were sent
  to (same count, same ``/orders/<token>`` tokens);
* numbers: each store's order numbers are 1001, 1002, ... without a gap, and its
  counter row agrees;
* hot races: each hot product sold exactly its units, no more, and has none left;
* reference: the same stock arithmetic for the bare-SQL scratch tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
import sqlalchemy as sa

FIRST_ORDER_NUMBER = 1001  # core.orders.models.FIRST_ORDER_NUMBER


@dataclass(frozen=True)
class Check:
    """One verdict, printed as ``ok``/``FAIL`` with what was counted."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def conninfo(url: str, database: str | None = None) -> str:
    """A libpq connection string from a SQLAlchemy URL (``postgresql+psycopg://...``)."""
    parsed = sa.engine.make_url(url)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def database_name(url: str) -> str:
    """The database the URL names."""
    return sa.engine.make_url(url).database or ""


def recreate_database(url: str, keep: bool) -> bool:
    """Drop and create the bench database (only keep it with ``keep``); True if it is
    new. Refuses to drop a database whose name does not say it is a bench's."""
    name = database_name(url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"unexpected database name {name!r}")
    with psycopg.connect(conninfo(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (name,)).fetchone() is not None
        if exists and keep:
            return False
        if exists:
            if "bench" not in name:
                raise ValueError(f"refusing to drop {name!r}: its name does not contain "
                                 "'bench' (use --keep to reuse it as it is)")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def create_reference_tables(conn: psycopg.Connection[Any],
                            stock: Iterable[tuple[int, int]]) -> None:
    """Fresh scratch tables for the bare-SQL orders, stocked like the real products."""
    conn.execute("DROP TABLE IF EXISTS bench_ref_lines, bench_ref_orders, bench_ref_stock")
    conn.execute("CREATE TABLE bench_ref_stock (id integer PRIMARY KEY, "
                 "stock integer NOT NULL CHECK (stock >= 0))")
    conn.execute("CREATE TABLE bench_ref_orders (id bigserial PRIMARY KEY, "
                 "tenant_id integer NOT NULL, token varchar(64) NOT NULL UNIQUE, "
                 "total integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
    conn.execute("CREATE TABLE bench_ref_lines (id bigserial PRIMARY KEY, "
                 "order_id bigint NOT NULL REFERENCES bench_ref_orders (id), "
                 "product_id integer NOT NULL, quantity integer NOT NULL CHECK (quantity > 0), "
                 "unit_price integer NOT NULL)")
    conn.execute("CREATE INDEX ON bench_ref_lines (order_id)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO bench_ref_stock (id, stock) VALUES (%s, %s)", list(stock))
    conn.commit()


def _stock_check(name: str, rows: list[tuple[int, int, int]],
                 initial: dict[int, int]) -> Check:
    wrong = [(pid, now, sold) for pid, now, sold in rows if initial[pid] - sold != now]
    negative = [pid for pid, now, _sold in rows if now < 0]
    sold = sum(s for _p, _n, s in rows)
    if len(rows) != len(initial):
        return Check(name, False, f"{len(initial) - len(rows)} products missing")
    if wrong or negative:
        first = wrong[0] if wrong else None
        return Check(name, False, f"{len(wrong)} products disagree (first: id, now, sold = "
                                  f"{first}), {len(negative)} below zero")
    return Check(name, True, f"{len(rows)} products: starting stock - {sold} units ordered "
                             "== stock now; none below zero")


def check_stock(conn: psycopg.Connection[Any], initial: dict[int, int],
                baseline: int) -> Check:
    """Starting stock - this run's ordered quantities == stock now, for every product."""
    rows = conn.execute(
        "SELECT p.id, p.stock, COALESCE(SUM(l.quantity) FILTER (WHERE l.order_id > %s), 0) "
        "FROM products p LEFT JOIN order_lines l ON l.product_id = p.id "
        "WHERE p.id = ANY(%s) GROUP BY p.id, p.stock",
        (baseline, list(initial))).fetchall()
    return _stock_check("stock (zero oversells)", rows, initial)


def check_orders(conn: psycopg.Connection[Any], baseline: int, tokens: list[str]) -> Check:
    """This run's orders are exactly those the buyers were sent to."""
    found = [t for (t,) in conn.execute("SELECT token FROM orders WHERE id > %s",
                                        (baseline,))]
    same = sorted(found) == sorted(tokens)
    detail = (f"{len(found)} orders in the database, {len(tokens)} placed by the buyers"
              + ("; tokens match" if same else "; tokens DIFFER"))
    return Check("orders == placed", same and len(set(tokens)) == len(tokens), detail)


def check_numbers(conn: psycopg.Connection[Any], tenant_ids: list[int]) -> Check:
    """Each store's order numbers run from 1001 without a gap; its counter agrees."""
    rows = conn.execute(
        "SELECT o.tenant_id, array_agg(o.number ORDER BY o.number), MAX(c.last_number) "
        "FROM orders o LEFT JOIN order_counters c ON c.tenant_id = o.tenant_id "
        "WHERE o.tenant_id = ANY(%s) GROUP BY o.tenant_id", (tenant_ids,)).fetchall()
    bad = [tenant for tenant, numbers, last in rows
           if numbers != list(range(FIRST_ORDER_NUMBER, FIRST_ORDER_NUMBER + len(numbers)))
           or last != FIRST_ORDER_NUMBER + len(numbers) - 1]
    total = sum(len(numbers) for _t, numbers, _l in rows)
    if bad:
        return Check("order numbers gap-free", False, f"{len(bad)} stores with gaps or a "
                                                      f"counter out of step (first: {bad[0]})")
    return Check("order numbers gap-free", True,
                 f"{total} orders in {len(rows)} stores numbered from #{FIRST_ORDER_NUMBER} "
                 "without a gap; counters agree")


def check_hot(conn: psycopg.Connection[Any], races: list[dict[str, Any]],
              baseline: int) -> Check:
    """Each hot product sold exactly its units to the buyers and has none left."""
    bad = []
    for race in races:
        stock, sold = conn.execute(
            "SELECT p.stock, COALESCE(SUM(l.quantity) FILTER (WHERE l.order_id > %s), 0) "
            "FROM products p LEFT JOIN order_lines l ON l.product_id = p.id "
            "WHERE p.id = %s GROUP BY p.stock", (baseline, race["product_id"])).fetchone()
        if not (stock == 0 and sold == race["units"] == race["placed"]):
            bad.append(f"race {race['race']}: {race['units']} units, {race['placed']} "
                       f"placed, {sold} ordered, {stock} left")
    if bad:
        return Check("hot product races", False, "; ".join(bad))
    units = ", ".join(str(r["units"]) for r in races)
    return Check("hot product races", True,
                 f"{len(races)} races: units ({units}) == orders placed == ordered; "
                 "none left, none oversold")


def check_reference(conn: psycopg.Connection[Any], initial: dict[int, int],
                    placed: int) -> Check:
    """The bare-SQL scratch tables add up the same way."""
    rows = conn.execute(
        "SELECT s.id, s.stock, COALESCE(SUM(l.quantity), 0) FROM bench_ref_stock s "
        "LEFT JOIN bench_ref_lines l ON l.product_id = s.id GROUP BY s.id, s.stock").fetchall()
    check = _stock_check("reference (bare SQL)", rows, initial)
    orders = conn.execute("SELECT count(*) FROM bench_ref_orders").fetchone()
    count = orders[0] if orders else 0
    if count != placed:
        return Check(check.name, False, f"{count} orders in the scratch table, {placed} "
                                        "placed")
    return Check(check.name, check.ok, f"{check.detail}; {count} orders == placed")


def check_errors(errors: int, samples: list[str]) -> Check:
    """No buyer got an answer a shopper would call a bug."""
    detail = (f"{errors} unexpected answers; first: {samples[0]}" if errors and samples
              else f"{errors} unexpected answers (5xx, CSRF failures, lost connections)")
    return Check("no unexpected answers", errors == 0, detail)
