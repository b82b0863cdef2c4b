"""Orders placed per second on PostgreSQL, side by side with the bare SQL of an order.

    .venv/bin/python bench/checkout_speed.py [--seconds 20] [--buyers 8] [--stores 100]
        [--rounds 3] [--workers 2] [--threads 4] [--hot-units 25] [--jobs sqlite]
        [--database-url URL] [--keep] [--json out.json]

What it does, all in one run:

1. Prepares a PostgreSQL database (default
   ``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_checkout``): dropped and
   created again unless ``--keep`` (then reused, stock reset), schema by the real CLI
   (``haat db upgrade``), then ``bench/checkout_prep.py`` inside the app: ``--stores``
   BDT stores ``bench-001``... made with ``tenants.provisioning.create_tenant``, the
   ``shipping`` and ``cash-on-delivery`` plugins switched on with their default settings
   (the BDT starter zones price a Dhaka address at 70 taka), 20 products each, the last
   2 of them scarce (1 unit: some orders are refused), and one hot product per round in
   ``bench-001``.
2. Serves the real app, ``gunicorn wsgi:app``, with the project's ``gunicorn.conf.py``
   minus the access log and worker recycling (as ``bench/storefront_speed.py`` does),
   ``--workers`` x ``--threads`` (default 2 x 4: a request slot for each of 8 buyers).
   Jobs go to a SQLite queue in a temp instance dir (``HAAT_JOBS=sqlite``, the default
   setting) with no worker running: a request only queues the confirmation email, as in
   production where a worker sends it; ``--jobs immediate`` renders and writes each email
   (``HAAT_MAIL=outbox``, into the temp dir) inside the request instead. CSRF is on.
3. Asks the checkout which shipping rate a Dhaka address gets and checks that cash on
   delivery (``cod``) is offered, warms up, then measures, interleaved for ``--rounds``:

   * **bare SQL**: ``--buyers`` threads, each with its own psycopg connection, doing the
     least database work of an order in one transaction: a conditional stock
     ``UPDATE ... WHERE stock >= q RETURNING``, an order row and a line row in scratch
     tables (``bench_ref_*``), commit. The floor no implementation can beat.
   * **Haat**: ``--buyers`` threads, each a shopper with a keep-alive ``http.client``
     connection and a new cookie jar per order: product page (CSRF token), ``POST
     /cart/add``, ``GET /checkout`` (idempotency key), ``POST /checkout`` with
     ``action=place``, a Dhaka address and cash on delivery; a 303 to ``/orders/<token>``
     is an order. Random store and product, quantity 1 or 2, host-routed (``Host:
     bench-NNN.localhost:<port>``). Refusals for stock (422, when adding to the cart or
     when placing) are counted apart from orders.
   * **hot race**: all buyers after one store's last ``--hot-units`` units of one
     product, until each has been told it is sold out.

4. Checks in the database, directly with SQL: starting stock - ordered quantities ==
   stock now and >= 0 for every product (zero oversells), orders == orders the buyers
   were sent to, order numbers per store gap-free from #1001, each hot product sold
   exactly its units, the reference's own stock arithmetic, and no unexpected answers.
   Exits 1 if any check fails.

The client shares the machine's CPUs with gunicorn and PostgreSQL, so absolute numbers
are low on a small machine; the ratio to the bare SQL of the same run is what matters.

Target: at least 8 buyers sustained with zero oversells; Haat's placed orders/s
reported as a ratio of the bare-SQL reference.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from checkout_buyers import Pick, Shopper, Tally, Unexpected, run_buyers, sql_order
from checkout_checks import (
    Check,
    check_errors,
    check_hot,
    check_numbers,
    check_orders,
    check_reference,
    check_stock,
    conninfo,
    create_reference_tables,
    recreate_database,
)
from storefront_speed import (
    Abort,
    Servers,
    free_port,
    gunicorn_settings,
    run_cli,
    run_main,
    server_env,
    with_servers,
    write_server_files,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_checkout"
MIN_BUYERS = 8
QUANTITIES = (1, 1, 1, 2)  # mostly one, sometimes two


# ------------------------------------------------------------------------ preparation


def prepare(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """The database, schema, stores and stock; returns what ``checkout_prep.py`` made."""
    url = args.database_url
    try:
        fresh = recreate_database(url, args.keep)
    except (psycopg.Error, ValueError) as error:
        raise Abort(f"cannot prepare the PostgreSQL database {url}: {error}") from error
    run_cli(["db", "upgrade"], env)
    out = workdir / "prep.json"
    command = [sys.executable, str(BENCH / "checkout_prep.py"), str(out),
               "--stores", str(args.stores), "--hot", str(args.rounds),
               "--hot-units", str(args.hot_units)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                          text=True, check=False)
    if done.returncode:
        raise Abort(f"checkout_prep.py failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    prep = json.loads(out.read_text())
    prep["fresh"] = fresh
    return prep


def picker(prep: dict[str, Any]) -> Callable[[random.Random], Pick]:
    """A function drawing a random store, product and quantity (never a hot product)."""
    choices = [[Pick(s["slug"], s["id"], p["id"], p["handle"], 1, p["price"])
                for p in s["products"] if p["role"] != "hot"] for s in prep["stores"]]

    def pick(rng: random.Random) -> Pick:
        product = rng.choice(rng.choice(choices))
        return Pick(product.slug, product.tenant_id, product.product_id, product.handle,
                    rng.choice(QUANTITIES), product.price)
    return pick


def hot_picks(prep: dict[str, Any]) -> list[Pick]:
    """The hot products, one per race, one unit per order."""
    return [Pick(s["slug"], s["id"], p["id"], p["handle"], 1, p["price"])
            for s in prep["stores"] for p in s["products"] if p["role"] == "hot"]


def discover_checkout(port: int, pick: Pick) -> str:
    """The shipping rate id a Dhaka address gets; checks cash on delivery is offered."""
    shopper = Shopper(port, rate_id="")
    try:
        rates, gateways = shopper.discover(pick)
    except Unexpected as error:
        raise Abort(f"the checkout page does not work: {error}") from error
    finally:
        shopper.close()
    rate = next((r for r in rates if r.startswith("shipping:")), None)
    if rate is None or "cod" not in gateways:
        raise Abort(f"the checkout offers rates {rates} and payment methods {gateways}; "
                    "expected a shipping:... rate for Dhaka and cod")
    return rate


# ------------------------------------------------------------------------ measuring


class Runner:
    """Runs the buyers of each kind and keeps every outcome for the checks."""

    def __init__(self, args: argparse.Namespace, port: int, rate: str,
                 prep: dict[str, Any]) -> None:
        self.args = args
        self.port = port
        self.rate = rate
        self.pick = picker(prep)
        self.haat_all = Tally()  # warm-up, rounds and hot races: every order placed
        self.sql_all = Tally()
        self.seed = args.seed

    def _next_seed(self) -> int:
        self.seed += 1
        return self.seed

    def haat(self, seconds: float) -> Tally:
        """Shoppers over HTTP for ``seconds``."""
        tally = run_buyers(self.args.buyers, partial(Shopper, self.port, self.rate),
                           Shopper.buy, self.pick, Shopper.close, seconds=seconds,
                           seed=self._next_seed())
        self.haat_all.merge(tally)
        return tally

    def sql(self, seconds: float) -> Tally:
        """The bare-SQL reference for ``seconds``."""
        url = conninfo(self.args.database_url)
        tally = run_buyers(self.args.buyers, partial(psycopg.connect, url), sql_order,
                           self.pick, lambda conn: conn.close(), seconds=seconds,
                           seed=self._next_seed())
        self.sql_all.merge(tally)
        return tally

    def hot(self, pick: Pick) -> Tally:
        """Every buyer after ``pick`` until each has been told it is sold out."""
        tally = run_buyers(self.args.buyers, partial(Shopper, self.port, self.rate),
                           Shopper.buy, lambda _rng: pick, Shopper.close,
                           until_sold_out=True, seed=self._next_seed(), limit=180)
        self.haat_all.merge(tally)
        return tally


def round_line(number: int, name: str, tally: Tally) -> str:
    """One progress line: orders/s, refusals, client CPU."""
    result = tally.summary()
    refused = (f"{tally.refused_checkout} refused for stock" if name == "bare SQL" else
               f"refused for stock: {tally.refused_cart} at the cart, "
               f"{tally.refused_checkout} at checkout")
    errors = f", {tally.errors} unexpected" if tally.errors else ""
    return (f"  round {number} {name:<9} {result['placed_per_s']:8.1f} orders/s "
            f"({tally.placed} placed, {refused}{errors}), "
            f"client used {result['client_cpu']:.0%} of a CPU")


def measure(args: argparse.Namespace, workdir: Path, servers: Servers) -> int:
    """Prepare, serve, measure, report and check; the exit status."""
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql")):
        raise Abort("--database-url must be PostgreSQL: the point is many writers at once")
    env = server_env(url, workdir, HAAT_JOBS=args.jobs, HAAT_MAIL="outbox",
                     HAAT_OUTBOX_DIR=str(workdir / "outbox"))
    settings = gunicorn_settings(env)
    write_server_files(workdir)
    database = url.split("@")[-1]
    print(f"database: {database} ({'reused (--keep)' if args.keep else 'dropped and created'})")
    print(f"gunicorn: {args.workers} workers x {args.threads} threads, worker class "
          f"{settings.get('worker_class', 'sync')}, access log off, max_requests 0; "
          f"HAAT_JOBS={args.jobs}, CSRF on")
    print(f"load: {args.buyers} buyers, {args.stores} stores, {args.seconds:g} s x "
          f"{args.rounds} rounds per target, {os.cpu_count()} CPUs shared by client, "
          "gunicorn and PostgreSQL")

    started = time.perf_counter()
    prep = prepare(args, env, workdir)
    products = [p for s in prep["stores"] for p in s["products"]]
    initial = {p["id"]: p["stock"] for p in products}
    normal = {p["id"]: p["stock"] for p in products if p["role"] != "hot"}
    print(f"prepared (haat db upgrade, {len(prep['stores'])} stores, {len(products)} "
          f"products) in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(conninfo(url)) as conn:
        create_reference_tables(conn, normal.items())

    port = free_port()
    servers.start("haat", "wsgi:app", port, args, env)
    servers.wait_ready("haat", port, "/healthz", f"localhost:{port}")
    first = next(p for p in products if p["role"] == "plenty")
    store = prep["stores"][0]
    rate = discover_checkout(port, Pick(store["slug"], store["id"], first["id"],
                                        first["handle"], 1, first["price"]))
    print(f"checkout: shipping rate {rate} for a Dhaka address, payment cod")

    runner = Runner(args, port, rate, prep)
    runner.sql(min(args.warmup, 2))
    warm = runner.haat(args.warmup)
    print(f"warm-up: {warm.placed} orders placed in {warm.seconds:.1f} s")
    rounds: list[dict[str, Tally]] = []
    races: list[dict[str, Any]] = []
    for number, hot in enumerate(hot_picks(prep), start=1):
        sql = runner.sql(args.seconds)
        print(round_line(number, "bare SQL", sql), flush=True)
        haat = runner.haat(args.seconds)
        print(round_line(number, "Haat", haat), flush=True)
        rounds.append({"sql": sql, "haat": haat})
        race = runner.hot(hot)
        races.append({"race": number, "product_id": hot.product_id, "units": args.hot_units,
                      "placed": race.placed, "refused_cart": race.refused_cart,
                      "refused_checkout": race.refused_checkout, "errors": race.errors,
                      "seconds": round(race.seconds, 3)})
        print(f"  round {number} hot race  {args.hot_units} units, {race.placed} placed, "
              f"{race.refused_cart} refused at the cart and {race.refused_checkout} at "
              f"checkout, {args.buyers} buyers told sold out after {race.seconds:.1f} s",
              flush=True)

    summary = report(args, rounds, races)
    print(f"confirmation emails: {emails_seen(args.jobs, workdir)} for "
          f"{len(runner.haat_all.tokens)} orders ("
          + ("queued in the SQLite job queue, no worker ran)" if args.jobs == "sqlite"
             else "written to the outbox inside the requests)"))
    with psycopg.connect(conninfo(url)) as conn:
        checks = [check_stock(conn, initial, prep["baseline_order_id"]),
                  check_orders(conn, prep["baseline_order_id"], runner.haat_all.tokens),
                  check_numbers(conn, [s["id"] for s in prep["stores"]]),
                  check_hot(conn, races, prep["baseline_order_id"]),
                  check_reference(conn, normal, runner.sql_all.placed),
                  check_errors(runner.haat_all.errors + runner.sql_all.errors,
                               runner.haat_all.error_samples + runner.sql_all.error_samples)]
    passed = print_checks(checks)
    sustained = passed and args.buyers >= MIN_BUYERS and all(
        r["haat"].placed > 0 for r in rounds)
    print(f"target: at least {MIN_BUYERS} buyers sustained with zero oversells: "
          f"{'meets' if sustained else 'BELOW'} target ({args.buyers} buyers); Haat = "
          f"{summary['ratio']:.1%} of the bare-SQL orders/s")
    if args.json:
        args.json.write_text(json.dumps(json_safe({
            "database": database, "workers": args.workers, "threads": args.threads,
            "worker_class": settings.get("worker_class", "sync"), "jobs": args.jobs,
            "buyers": args.buyers, "stores": args.stores, "seconds": args.seconds,
            "rounds": [{k: t.summary() for k, t in r.items()} for r in rounds],
            "hot_races": races, "cpus": os.cpu_count(), "shipping_rate": rate,
            **summary, "checks": [c.as_dict() for c in checks],
            "meets_target": sustained}), indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if passed else 1


def report(args: argparse.Namespace, rounds: list[dict[str, Tally]],
           races: list[dict[str, Any]]) -> dict[str, Any]:
    """The table: median orders/s of the rounds; latency over every measured order."""
    rows = {}
    for key in ("sql", "haat"):
        pooled = Tally()
        for r in rounds:
            pooled.merge(r[key])
        pooled.seconds = sum(r[key].seconds for r in rounds)
        result = pooled.summary()
        result["placed_per_s"] = statistics.median(r[key].summary()["placed_per_s"]
                                                   for r in rounds)
        rows[key] = result
    ratio = rows["haat"]["placed_per_s"] / rows["sql"]["placed_per_s"] \
        if rows["sql"]["placed_per_s"] else float("nan")
    print()
    print(f"{'target':<10} {'orders/s':>9} {'refused/s':>10} {'place p50':>10} "
          f"{'place p95':>10} {'order p50':>10} {'order p95':>10} {'vs SQL':>8}")
    for key, name in (("sql", "bare SQL"), ("haat", "Haat")):
        row = rows[key]
        share = row["placed_per_s"] / rows["sql"]["placed_per_s"] \
            if rows["sql"]["placed_per_s"] else float("nan")
        print(f"{name:<10} {row['placed_per_s']:>9.1f} {row['refused_per_s']:>10.2f} "
              f"{row['place_p50_ms']:>8.1f}ms {row['place_p95_ms']:>8.1f}ms "
              f"{row['order_p50_ms']:>8.1f}ms {row['order_p95_ms']:>8.1f}ms {share:>8.1%}")
    print(f"\norders/s: median of {len(rounds)} rounds of {args.seconds:g} s; place = the "
          "POST /checkout (the transaction, for bare SQL); order = the whole visit "
          "(4 requests); latencies over every order of the rounds")
    hot_placed = sum(r["placed"] for r in races)
    print(f"hot races: {hot_placed} orders for {len(races) * args.hot_units} units in "
          f"{len(races)} races")
    return {"ratio": round(ratio, 4), "haat": rows["haat"], "bare_sql": rows["sql"]}


def emails_seen(jobs: str, workdir: Path) -> int:
    """Emails queued (``sqlite``: rows in Huey's task table) or written (``immediate``)."""
    if jobs == "immediate":
        return len(list((workdir / "outbox").glob("*.eml")))
    path = workdir / "instance" / "jobs.db"
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM task").fetchone()[0])


def json_safe(value: Any) -> Any:
    """``value`` with NaN (no latency measured) as ``null``: JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def print_checks(checks: list[Check]) -> bool:
    """Print each verdict; True when all passed."""
    print("\nchecks (read from the database after the run):")
    for check in checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return all(check.ok for check in checks)


# ------------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="PostgreSQL; dropped and created again unless --keep")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database as it is (stores and products already "
                             "there are kept; stock is set back to its starting levels)")
    parser.add_argument("--seconds", type=float, default=20, help="per target per round")
    parser.add_argument("--buyers", type=int, default=MIN_BUYERS, help="concurrent buyers")
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of Haat orders first")
    parser.add_argument("--hot-units", type=int, default=25,
                        help="units of the hot product in each race")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--jobs", choices=("sqlite", "immediate"), default="sqlite",
                        help="HAAT_JOBS: sqlite queues emails for a worker (none runs); "
                             "immediate sends them inside the request (to the outbox)")
    parser.add_argument("--seed", type=int, default=1, help="random picks")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.rounds < 1 or args.buyers < 1 or args.stores < 1 or args.hot_units < 1:
        parser.error("--rounds, --buyers, --stores and --hot-units must be at least 1")
    return args


def main() -> int:
    return with_servers("haat-checkout-bench-", partial(measure, parse_args()))


if __name__ == "__main__":
    run_main(main, "checkout_speed")
