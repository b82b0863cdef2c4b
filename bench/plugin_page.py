"""A plugin's page in the store's theme against core storefront pages of the same size,
served by gunicorn in the same run.

    .venv/bin/python bench/plugin_page.py [--seconds 10] [--concurrency 8] [--workers 2]
        [--threads T] [--rounds 3] [--notes 12] [--database-url URL] [--json out.json]

What it does, all in one run:

1. Prepares a database in this process: the migrations of core and of the test suite's
   sample plugin "sample-board" (``tests/sample_plugin``, registered through
   ``HAAT_EXTRA_PLUGINS`` as the suite does), the demo stores (as ``haat demo``), the
   plugin switched on for Dhaka Crafts (Bengali, Bengali digits, the Bazaar theme) with
   eight of its products on the board and ``--notes`` notes, a collection of the same
   eight products (``/collections/bench-board``) and a merchant's page
   (``/pages/bench-notes``).
2. Serves the real app with gunicorn and the project's ``gunicorn.conf.py`` (as
   ``bench/storefront_speed.py`` does, minus the access log), with the sample plugin
   registered and the page cache off (``HAAT_PAGE_CACHE_SIZE=0``): every request renders
   its page, the core pages as well as the plugin's (which is never cached anyway).
3. Pads the collection's description and the merchant page's text until each page is
   the size of the board page (within a paragraph), then measures requests/s
   interleaved, round after round (the order alternates each round), for:

   * ``plugin``: ``/board``, rendered with ``core.sdk.render_page`` in the theme's layout:
     the notes from the plugin's own table (``store_session``), its eight products
     through ``core.sdk.get_products``, its own catalogue, a CSRF field;
   * ``collection``: the core listing of the same eight products (the reference: the
     same products on a page of the same size, so what differs is the plugin platform);
   * ``page``: the merchant's page, the cheapest core page (one query), for scale.

The cost of a page is the server's CPU time per request: user + system time of the
gunicorn master and workers (read from ``/proc`` before and after each measurement),
divided by the requests answered. Unlike requests/s, it hardly moves when other programs
load the machine (a PostgreSQL server's own CPU is not in it). The ratios printed are
the board's cost over each core page's (and, for comparison, the same from requests/s).
Without ``/proc`` (not Linux) the cost is 1 / requests/s. Target: the board costs at
most 1.2x the collection page.
Load comes from ``wrk`` when it is on the PATH, else from the built-in Python client
(each connection keeps its cookies like a browser), shared with ``storefront_speed.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from storefront_speed import (
    ROOT,
    Servers,
    Target,
    add_load_arguments,
    check,
    describe_load,
    ensure_database,
    free_port,
    gunicorn_settings,
    load_generator,
    median_of,
    run_load,
    run_main,
    run_rounds,
    server_env,
    warm_up,
    with_servers,
    write_results,
    write_server_files,
)

STORE = "dhaka-crafts"
PLUGIN = "sample-board"
PLUGIN_MODULE = "sample_plugin.plugin"
PAGE = "bench-notes"
COLLECTION = "bench-board"
TARGET_RATIO = 1.20
PRODUCTS = 8

WSGI = f"""\
from core import create_app

app = create_app({{"HAAT_EXTRA_PLUGINS": ({PLUGIN_MODULE!r},), "HAAT_PAGE_CACHE_SIZE": 0}})
"""
NOTE = ("শনিবার থেকে বৃহস্পতিবার সকাল দশটা থেকে রাত আটটা পর্যন্ত দোকান খোলা। ঈদের আগে "
        "নতুন নকশি কাঁথা আর জামদানি আসছে; আগে থেকে জানালে আমরা আপনার জন্য রেখে দেব।")


# ------------------------------------------------------------------------- preparation


def prepare(url: str, notes: int) -> None:
    """Schema, demo stores, the plugin on with notes and products, the core pages."""
    from flask_migrate import upgrade
    from sample_plugin.models import Note
    from sqlalchemy import select

    from core import create_app
    from core.catalog.models import STATUS_ACTIVE, Collection, CollectionProduct, Product
    from core.db import db
    from core.demo.loader import load_demo
    from core.pages.models import Page
    from core.pluginhost.settings import to_json
    from core.pluginhost.state import save_settings, set_enabled
    from core.pluginhost.web import plugins_for_tenant
    from core.sdk import store_session
    from tenants import platform_scope, tenant_scope
    from tenants.provisioning import find_tenant

    ensure_database(url)
    app = create_app({"DATABASE_URL": url, "HAAT_EXTRA_PLUGINS": (PLUGIN_MODULE,),
                      "HAAT_PAGE_CACHE_SIZE": 0})
    with app.app_context():
        upgrade(revision="heads")
        load_demo()
        with platform_scope():
            store_id = find_tenant(STORE).id
        host = app.extensions["haat_plugins"]
        with tenant_scope(store_id):
            products = db.session.scalars(
                select(Product).where(Product.status == STATUS_ACTIVE)
                .order_by(Product.id).limit(PRODUCTS)).all()
            ids = [product.id for product in products]
            # The core listing of the very products the board shows.
            if db.session.scalar(select(Collection.id).where(
                    Collection.handle == COLLECTION)) is None:
                collection = Collection(handle=COLLECTION, title="বোর্ডের পণ্য")
                db.session.add(collection)
                for position, product in enumerate(products):
                    db.session.add(CollectionProduct(collection=collection, product=product,
                                                     position=position))
            if db.session.scalar(select(Page.id).where(Page.handle == PAGE)) is None:
                db.session.add(Page(handle=PAGE, title="দোকানের খবর", body="",
                                    published=True))
            db.session.commit()
        set_enabled(store_id, PLUGIN, True, host.exclusive_peers(PLUGIN))
        manifest = host.installed[PLUGIN].manifest
        save_settings(store_id, PLUGIN, to_json(manifest, {
            "featured_products": ", ".join(map(str, ids)), "archive_after_days": 365}),
            app.extensions["haat_secret_box"].encrypt({}))
        db.session.commit()
        info = plugins_for_tenant(store_id).info
        with store_session(info) as session:
            if session.scalar(select(Note.id).limit(1)) is None:
                for number in range(notes):
                    session.add(Note(title=f"নোটিশ {number + 1}", body=NOTE,
                                     pinned=number < 2))
        db.engine.dispose()


def set_padding(url: str, page_paragraphs: int, collection_paragraphs: int) -> None:
    """Give the merchant page and the collection this many paragraphs of text (the page
    cache is off, so the server shows them at once)."""
    import sqlalchemy as sa

    from core.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    paragraph = f"<p>{NOTE}</p>"
    with engine.begin() as conn:
        store_id = conn.execute(sa.text("SELECT id FROM tenants WHERE slug = :slug"),
                                {"slug": STORE}).scalar_one()
        for table, column, handle, count in (("pages", "body", PAGE, page_paragraphs),
                                             ("collections", "description", COLLECTION,
                                              collection_paragraphs)):
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :text "  # noqa: S608 - constants
                                 "WHERE tenant_id = :store AND handle = :handle"),
                         {"text": paragraph * count, "store": store_id, "handle": handle})
    engine.dispose()


def fit_sizes(url: str, targets: list[Target]) -> None:
    """Pad the core pages until each is about the size of the plugin page."""
    board, *core_pages = targets
    check(board)
    step = len(f"<p>{NOTE}</p>".encode())
    counts = {target.name: 0 for target in core_pages}
    for _attempt in range(4):  # converges in two or three steps
        set_padding(url, counts["page"], counts["collection"])
        for target in core_pages:
            check(target)
            counts[target.name] = max(0, counts[target.name]
                                      + round((board.size - target.size) / step))
    set_padding(url, counts["page"], counts["collection"])
    for target in targets:
        check(target)


# ------------------------------------------------------------------------- server CPU

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def server_cpu(master: int) -> float | None:
    """CPU seconds used so far by gunicorn's master ``master`` and its workers (and
    any reaped worker), or ``None`` without ``/proc``."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    total = 0.0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # After the command name: state, ppid, ... utime (11), stime, cutime, cstime.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(entry.name) == master:
            total += sum(int(value) for value in fields[11:15]) / TICKS
        elif int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def cpu_measurer(args: argparse.Namespace, wrk: str | None, workdir: Path,
                 master_of: Callable[[Target], int]
                 ) -> Callable[[Target], tuple[dict[str, float], str]]:
    """``measure_one`` for ``run_rounds``: one load of ``target``, with the server CPU it
    cost per request (``cpu_ms``) from the gunicorn master ``master_of(target)``."""
    def measure_one(target: Target) -> tuple[dict[str, float], str]:
        master = master_of(target)
        before = server_cpu(master)
        result = run_load(target, args, wrk, workdir)
        after = server_cpu(master)
        if before is not None and after is not None and result["requests"]:
            result["cpu_ms"] = (after - before) / result["requests"] * 1000
        return result, (f", {result['cpu_ms']:.2f} ms server CPU each"
                        if "cpu_ms" in result else "")
    return measure_one


# ------------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--notes", type=int, default=12, help="notes on the board")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    wrk = load_generator(args.load)
    sys.path.insert(0, str(ROOT / "tests"))  # the sample plugin's package
    return with_servers("haat-plugin-page-bench-", partial(measure, args, wrk))


def measure(args: argparse.Namespace, wrk: str | None, workdir: Path,
            servers: Servers) -> int:
    url = args.database_url or f"sqlite:///{workdir / 'haat.db'}"
    env = server_env(url, workdir, ROOT / "tests", HAAT_PAGE_CACHE_SIZE="0")
    settings = gunicorn_settings(env)
    write_server_files(workdir)
    (workdir / "plugin_page_wsgi.py").write_text(WSGI)
    database = url.split("@")[-1]
    print(f"database: {database}")
    print(f"gunicorn: {args.workers} workers x {args.threads} threads, worker class "
          f"{settings.get('worker_class', 'sync')}, access log off, page cache off")
    print(describe_load(args, wrk, "server"))

    started = time.perf_counter()
    saved = dict(os.environ)
    os.environ.update(env)  # the app reads HAAT_* from the environment as gunicorn's does
    try:
        prepare(url, args.notes)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    print(f"prepared (migrations, demo, {PLUGIN} with {args.notes} notes and "
          f"{PRODUCTS} products, the collection and the page) in "
          f"{time.perf_counter() - started:.1f} s")

    port = free_port()
    host = f"{STORE}.localhost:{port}"
    servers.start("haat", "plugin_page_wsgi:app", port, args, env, chdir=workdir)
    servers.wait_ready("haat", port, "/healthz", f"localhost:{port}")
    targets = [Target("plugin", port, "/board", host),
               Target("collection", port, f"/collections/{COLLECTION}", host),
               Target("page", port, f"/pages/{PAGE}", host)]
    fit_sizes(url, targets)
    warm_up(targets, args)

    master = servers.procs[0][1].pid
    run_rounds(targets, args.rounds, cpu_measurer(args, wrk, workdir, lambda _t: master),
               alternate=True)
    summary = report(targets)
    write_results(args, database, wrk, targets, notes=args.notes, target_ratio=TARGET_RATIO,
                  **summary)
    return 0


def report(targets: list[Target]) -> dict[str, Any]:
    by_cpu = all("cpu_ms" in r for t in targets for r in t.rounds)
    plugin = targets[0]
    print()
    print(f"{'page':<11} {'path':<28} {'bytes':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'CPU ms':>7} {'plugin cost vs it':>18}")
    ratios: dict[str, float] = {}
    rps_ratios: dict[str, float] = {}
    for target in targets:
        rps_ratio = median_of(target, "rps") / median_of(plugin, "rps")
        ratio = (median_of(plugin, "cpu_ms") / median_of(target, "cpu_ms")) if by_cpu else rps_ratio
        if target is not plugin:
            ratios[f"plugin/{target.name}"] = round(ratio, 3)
            rps_ratios[f"plugin/{target.name}"] = round(rps_ratio, 3)
        cpu = f"{median_of(target, 'cpu_ms'):.2f}" if by_cpu else "-"
        shown = "" if target is plugin else f"{ratio:.2f}x (req/s {rps_ratio:.2f}x)"
        print(f"{target.name:<11} {target.path[:28]:<28} {target.size:>6} "
              f"{median_of(target, 'rps'):>6.0f} {median_of(target, 'p50_ms'):>7.1f} "
              f"{median_of(target, 'p95_ms'):>7.1f} {cpu:>7} {shown:>18}")
    measure = ("server CPU per request, median of rounds" if by_cpu
               else "1 / req/s, median of rounds")
    verdict = "meets" if ratios["plugin/collection"] <= TARGET_RATIO else "ABOVE"
    print(f"\nplugin page cost / collection page cost = {ratios['plugin/collection']:.2f} "
          f"(/ merchant page = {ratios['plugin/page']:.2f}); cost = {measure}")
    print(f"target plugin/collection <= {TARGET_RATIO:.2f}: {verdict} target")
    return {"cost": "server_cpu_ms" if by_cpu else "1/rps", "ratios": ratios,
            "rps_ratios": rps_ratios, "meets_target": verdict == "meets"}


if __name__ == "__main__":
    run_main(main, "plugin_page")
