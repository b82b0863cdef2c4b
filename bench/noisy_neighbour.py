"""The noisy neighbour: one store's imports and sitemap flood against another store's
pages and order email, quiet and noisy figures in the same run (issue 21).

    .venv/bin/python bench/noisy_neighbour.py [--rows 100000] [--imports 2]
        [--seconds 15] [--concurrency 4] [--flood 4] [--workers W] [--threads T]
        [--job-workers 2] [--bulk-workers 2] [--database-url URL] [--json out.json]

What it does, all in one run:

1. Prepares a database (``haat db upgrade``, ``haat demo``). The quiet store is Dhaka
   Crafts; the noisy one is the Corner Store.
2. Serves the real app as ``make run`` does: gunicorn with the project's
   ``gunicorn.conf.py`` (minus the access log) and ``haat jobs worker`` beside it (the
   transactional queue in one process, the bulk queue in a ``nice`` one), on a SQLite
   job queue, mail to an outbox folder.
3. **Quiet**: measures the quiet store's home page (p95 over ``--seconds`` from
   ``--concurrency`` keep-alive clients), then places an order over HTTP like a shopper
   (product page, cart, checkout, cash on delivery) and times until its confirmation
   email is in the outbox.
4. **Noisy**: the Corner Store starts ``--imports`` product imports of ``--rows`` rows
   each (new products, so every row is written) through the real queue, and ``--flood``
   clients request ``/sitemap.xml?<random>`` without pause. While that runs, the same
   page measurement and the same order, timed the same way.

Printed: the quiet store's p95 quiet and noisy and their ratio (target at most 1.5x),
the seconds until each confirmation email was written (target at most 10 s while
noisy), what the flood got (answers by status: 429 is the store's sitemap budget), and
how far the imports were when the noisy measurement ended (they must still be running
for the figures to mean anything: raise ``--rows`` if they were done).

The default database is a new SQLite file in a temporary folder; ``--database-url``
takes any SQLAlchemy URL (for PostgreSQL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_noisy``: the database is
created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from storefront_speed import (
    BIN,
    ROOT,
    Abort,
    Servers,
    Target,
    free_port,
    prepare_database,
    python_load,
    run_main,
    server_env,
    write_server_files,
)

QUIET, NOISY = "dhaka-crafts", "corner-store"
PRODUCT = "nakshi-kantha-bedcover"  # in Dhaka Crafts (core/demo/catalogues/dhaka_crafts.py)
SHOPPER_EMAIL = "rahim@example.com"  # bench/checkout_buyers.py's ADDRESS
TARGET_RATIO, TARGET_EMAIL_SECONDS = 1.5, 10.0


def noise_csv(rows: int, prefix: str) -> bytes:
    """``rows`` new products (one row each) with handles starting with ``prefix``."""
    lines = ["Handle,Title,Body (HTML),Tags,Variant SKU,Variant Price,Variant Inventory Qty"]
    lines += [f"{prefix}-{n},Noise {prefix} {n},<p>Item {n}.</p>,bulk,{prefix}-SKU-{n},"
              f"{n % 90 + 10}.00,{n % 7}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per import")
    parser.add_argument("--imports", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15, help="each page measurement")
    parser.add_argument("--concurrency", type=int, default=4, help="quiet store's clients")
    parser.add_argument("--flood", type=int, default=4, help="sitemap flood clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads")
    parser.add_argument("--job-workers", type=int, default=2, help="transactional threads")
    parser.add_argument("--bulk-workers", type=int, default=2, help="bulk threads")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", default="", help="also write the figures here")
    return parser.parse_args()


class Setup:
    """The app in this process (to read ids and start imports) beside the servers."""

    def __init__(self, env: dict[str, str]) -> None:
        os.environ.update(env)  # the app reads HAAT_* as the servers do
        from core import create_app

        self.app = create_app()

    def store_id(self, slug: str) -> int:
        from sqlalchemy import select

        from core.db import db
        from tenants import Tenant, platform_scope

        with self.app.app_context(), platform_scope():
            return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))

    def pick(self, port: int) -> Any:
        from checkout_buyers import Pick
        from sqlalchemy import select

        from core.catalog.models import Product
        from core.db import db
        from tenants import tenant_scope

        tenant_id = self.store_id(QUIET)
        with self.app.app_context(), tenant_scope(tenant_id):
            product = db.session.scalar(select(Product).where(Product.handle == PRODUCT))
            product.stock = 1_000_000  # the bench never sells out
            db.session.commit()
            return Pick(QUIET, tenant_id, product.id, PRODUCT, 1, product.price_amount)

    def start_imports(self, count: int, rows: int) -> list[int]:
        from core.catalog.importing import start_import
        from tenants import tenant_scope

        store_id = self.store_id(NOISY)
        ids = []
        for number in range(count):
            data = noise_csv(rows, f"noise{number}-{secrets.token_hex(3)}")
            with self.app.app_context(), tenant_scope(store_id):
                ids.append(start_import(store_id, f"noise-{number}.csv", data, "bench").id)
        return ids

    def import_progress(self, ids: list[int]) -> list[str]:
        from core.catalog.imports import ProductImport
        from core.db import db
        from tenants import tenant_scope

        with self.app.app_context(), tenant_scope(self.store_id(NOISY)):
            found = [db.session.get(ProductImport, i) for i in ids]
            return [f"{r.status} {r.processed_rows}/{r.total_rows}" for r in found if r]


def emails_to(outbox: Path, address: str) -> int:
    count = 0
    for path in outbox.glob("*.eml"):
        with contextlib.suppress(OSError):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            count += address in str(message["To"] or "")
    return count


def order_email_seconds(port: int, pick: Any, rate: str, outbox: Path) -> float:
    """Place one order like a shopper; seconds from the placing answer to its email."""
    from checkout_buyers import Shopper

    before = emails_to(outbox, SHOPPER_EMAIL)
    shopper = Shopper(port, rate)
    try:
        outcome = shopper.buy(pick)
    finally:
        shopper.close()
    if outcome.kind != "placed":
        raise Abort(f"the order was not placed: {outcome.kind} {outcome.detail}")
    placed = time.perf_counter()
    while emails_to(outbox, SHOPPER_EMAIL) <= before:  # the worker writes it
        if time.perf_counter() - placed > 600:
            raise Abort("no confirmation email within 600 s")
        time.sleep(0.05)
    return time.perf_counter() - placed


def flood(port: int, host: str, stop: Any, answers: Any) -> None:
    """Sitemap requests with a random query string each, without pause, until ``stop``;
    puts the answers counted by status on ``answers``. Runs in a process of its own:
    flood threads in the measuring process would take the GIL from the measuring
    clients and inflate the quiet store's latency on the client side."""
    seen: Counter[int] = Counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while not stop.is_set():
        try:
            conn.request("GET", f"/sitemap.xml?{secrets.token_hex(6)}", headers={"Host": host})
            response = conn.getresponse()
            response.read()
            seen[response.status] += 1
        except (OSError, http.client.HTTPException):
            conn.close()
            seen[0] += 1
    conn.close()
    answers.put(dict(seen))


def start_workers(env: dict[str, str], args: argparse.Namespace, workdir: Path,
                  ) -> list[subprocess.Popen[bytes]]:
    """``haat jobs worker`` as docs/operations.md sizes it: the transactional queue in
    one process, the bulk queue in another at a lower CPU priority (``nice``)."""
    haat = str(BIN / "haat")
    commands = [[haat, "jobs", "worker", "--queue", "transactional",
                 "--workers", str(args.job_workers)],
                ["nice", "-n", "10", haat, "jobs", "worker", "--queue", "bulk",
                 "--bulk-workers", str(args.bulk_workers)]]
    procs = []
    for number, command in enumerate(commands):
        log = (workdir / f"worker-{number}.log").open("wb")
        procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,  # noqa: S603
                                      stderr=subprocess.STDOUT, start_new_session=True))
    return procs


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="haat-noisy-"))
    url = args.database_url or f"sqlite:///{workdir / 'haat.db'}"
    port = free_port()
    outbox = workdir / "outbox"
    env = server_env(url, workdir, HAAT_JOBS="sqlite", HAAT_MAIL="outbox",
                     HAAT_OUTBOX_DIR=str(outbox), HAAT_PUBLIC_PORT=str(port),
                     HAAT_IMPORT_MAX_BYTES=str(1 << 30))
    print(f"preparing {url} ...", flush=True)
    prepare_database(url, env)
    write_server_files(workdir)
    setup = Setup(env)
    pick = setup.pick(port)
    quiet_host, noisy_host = f"{QUIET}.localhost:{port}", f"{NOISY}.localhost:{port}"
    servers = Servers(workdir)
    workers = start_workers(env, args, workdir)
    results: dict[str, Any] = {"rows": args.rows, "imports": args.imports}
    try:
        servers.start("haat", "wsgi:app", port, args, env)
        servers.wait_ready("haat", port, "/", quiet_host)
        from checkout_buyers import Shopper

        rates, _methods = Shopper(port, "").discover(pick)
        if not rates:
            raise Abort("the quiet store's checkout offers no shipping rate")
        page = Target("quiet home", port, "/", quiet_host)
        python_load(page, args.concurrency, seconds=2)  # warm the workers and caches

        print("quiet ...", flush=True)
        quiet = python_load(page, args.concurrency, seconds=args.seconds)
        results["quiet_email_s"] = order_email_seconds(port, pick, rates[0], outbox)

        print(f"noisy: {args.imports} imports of {args.rows} rows, sitemap flood x"
              f"{args.flood} ...", flush=True)
        ids = setup.start_imports(args.imports, args.rows)
        context = multiprocessing.get_context("spawn")
        stop, answers = context.Event(), context.Queue()
        flooders = [context.Process(target=flood, args=(port, noisy_host, stop, answers),
                                    daemon=True) for _ in range(args.flood)]
        for process in flooders:
            process.start()
        time.sleep(2)  # let the imports and the flood get going
        noisy = python_load(page, args.concurrency, seconds=args.seconds)
        results["noisy_email_s"] = order_email_seconds(port, pick, rates[0], outbox)
        results["imports_at_end"] = setup.import_progress(ids)
        stop.set()
        seen: Counter[int] = Counter()
        for _process in flooders:
            seen.update(answers.get(timeout=130))
        for process in flooders:
            process.join(timeout=10)
        results["flood_answers"] = dict(seen)
    finally:
        for worker in workers:
            stop_worker(worker)
        servers.close()

    ratio = noisy["p95_ms"] / quiet["p95_ms"]
    results.update(quiet_p95_ms=quiet["p95_ms"], noisy_p95_ms=noisy["p95_ms"],
                   p95_ratio=ratio, quiet_requests=quiet["requests"],
                   noisy_requests=noisy["requests"], noisy_errors=noisy["errors"])
    print(f"\nquiet store ({QUIET}) home page p95: quiet {quiet['p95_ms']:.1f} ms, "
          f"noisy {noisy['p95_ms']:.1f} ms: {ratio:.2f}x (target <= {TARGET_RATIO}x)")
    print(f"its order confirmation email: quiet {results['quiet_email_s']:.2f} s, noisy "
          f"{results['noisy_email_s']:.2f} s (target <= {TARGET_EMAIL_SECONDS:.0f} s)")
    print(f"sitemap flood on {NOISY}, answers by status: {results['flood_answers']}")
    print(f"imports when the noisy measurement ended: {results['imports_at_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ok = ratio <= TARGET_RATIO and results["noisy_email_s"] <= TARGET_EMAIL_SECONDS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    run_main(main, "noisy_neighbour")
