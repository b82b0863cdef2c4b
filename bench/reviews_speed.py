"""A product page with 10,000 reviews against the same page with none, and the review
list's latency, served by gunicorn in the same run.

    .venv/bin/python bench/reviews_speed.py [--reviews 10000] [--seconds 10]
        [--concurrency 8] [--workers 2] [--rounds 3] [--samples 300]
        [--database-url URL] [--json out.json]

What it does, all in one run:

1. Prepares a database in this process: core's and the plugins' migrations, the demo
   stores (the reviews plugin is on in each, publishing at once), and in Dhaka Crafts
   (Bengali, Bengali digits) three products that differ only in their handle:
   ``bench-reviewed`` with ``--reviews`` published reviews (Bengali text, every rating,
   one in ten with a photo, spread over two years), ``bench-few`` with 12 reviews (one
   in three with a photo: the same section, as full, on the page) and
   ``bench-unreviewed`` with none. Summaries are counted once, as the plugin does after
   a change.
2. Serves the real app with gunicorn and the project's ``gunicorn.conf.py`` twice: as
   it runs (the page cache on) and with the page cache off (``HAAT_PAGE_CACHE_SIZE=0``),
   where every request renders its page.
3. Measures, interleaved round after round (the order alternating each round), the
   product page of:

   * ``many``: 10,000 reviews, page cache on; ``none``: no review, page cache on. The
     target, at most 1.1x: a product with 10,000 reviews costs what one without costs,
     because the aggregates are precomputed and the page is cached whole.
   * ``many-render``, ``few-render``, ``none-render``: the same pages rendered on every
     request. many/few shows what 10,000 reviews cost over 12 on the same section
     (target at most 1.1x: nothing is counted per request); many/none is the price
     of drawing the section itself (more HTML: 5 reviews, 8 photos, the bars, JSON-LD).

   The cost of a page is the server's CPU time per request (user + system time of the
   gunicorn master and workers, from ``/proc``), as in ``bench/plugin_page.py``.
4. Then the review list ``/reviews/product/bench-reviewed`` in its sorts and filters
   (newest, highest, lowest, with photos, 3 stars, and page 400 of newest), each
   requested ``--samples`` times one after another (no other load), and reports the
   latency percentiles seen by the client. Target: p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from plugin_page import cpu_measurer
from storefront_speed import (
    ROOT,
    Servers,
    Target,
    add_load_arguments,
    check,
    describe_load,
    ensure_database,
    fetch,
    free_port,
    gunicorn_settings,
    load_generator,
    median_of,
    run_main,
    run_rounds,
    server_env,
    warm_up,
    with_servers,
    write_results,
    write_server_files,
)

STORE = "dhaka-crafts"
REVIEWED = "bench-reviewed"
FEW = "bench-few"
UNREVIEWED = "bench-unreviewed"
FEW_REVIEWS = 12
PAGE_TARGET = 1.10
LIST_P95_MS = 30.0
LISTS = (("newest", ""), ("highest", "?sort=highest"), ("lowest", "?sort=lowest"),
         ("photos", "?sort=photos"), ("3 stars", "?stars=3"), ("page 400", "?page=400"))
WSGI = """\
from core import create_app

app = create_app()
"""
WSGI_NO_CACHE = """\
from core import create_app

app = create_app({"HAAT_PAGE_CACHE_SIZE": 0})
"""
DESCRIPTION = ("<p>হাতে সেলাই করা নকশি কাঁথা, নরম সুতির কাপড়ে। প্রতিটি কাঁথা আলাদা, "
               "রং আর নকশা একটু একটু ভিন্ন।</p>")
TEXTS = ("খুব সুন্দর কাঁথা, রং ছবির মতোই। সময়মতো হাতে পেয়েছি।",
         "কাপড় নরম, সেলাই মজবুত। দাম একটু বেশি মনে হয়েছে।",
         "উপহার হিসেবে দিয়েছিলাম, সবাই পছন্দ করেছে। আবার কিনব।",
         "প্যাকেটিং ভালো ছিল, তবে ডেলিভারিতে দুই দিন দেরি হয়েছে।")
NAMES = ("আয়েশা", "রাহিম", "সুমাইয়া", "তানভীর", "নুসরাত", "ফারহান")


def prepare(url: str, reviews: int) -> None:
    """Schema, demo stores, the two products and the reviews of one of them."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from core import create_app
    from core.catalog.models import Product
    from core.db import db
    from core.demo.images import placeholder_image
    from core.demo.loader import load_demo
    from core.pluginhost.settings import to_json
    from core.pluginhost.state import save_settings
    from core.pluginhost.web import plugins_for_tenant
    from core.sdk import save_image, store_session
    from plugins.reviews import aggregates
    from plugins.reviews.models import Review, ReviewPhoto
    from tenants import platform_scope, tenant_scope
    from tenants.provisioning import find_tenant

    ensure_database(url)
    app = create_app({"DATABASE_URL": url, "HAAT_PAGE_CACHE_SIZE": 0})
    with app.app_context():
        upgrade(revision="heads")
        load_demo()
        with platform_scope():
            store_id = find_tenant(STORE).id
        host = app.extensions["haat_plugins"]
        save_settings(store_id, "reviews", to_json(host.installed["reviews"].manifest,
                                                   {"publishing": "instant"}),
                      app.extensions["haat_secret_box"].encrypt({}))
        with tenant_scope(store_id):
            ids = {}
            for handle in (REVIEWED, FEW, UNREVIEWED):
                product = db.session.scalar(select(Product).where(Product.handle == handle))
                if product is None:
                    product = Product(handle=handle, title="নকশি কাঁথা, নীল", price_amount=250000,
                                      stock=20, description=DESCRIPTION)
                    db.session.add(product)
                    db.session.flush()
                ids[handle] = product.id
            db.session.commit()
        info = plugins_for_tenant(store_id).info
        with store_session(info) as session:
            if session.scalar(select(Review.id).where(
                    Review.product_id == ids[REVIEWED]).limit(1)) is not None:
                db.engine.dispose()
                return
        photo = save_image(info, "reviews", placeholder_image("review", 960))
        rng = random.Random(17)
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for handle, count, photo_every in ((REVIEWED, reviews, 10), (FEW, FEW_REVIEWS, 3)):
            rows = []
            for number in range(count):
                when = start + timedelta(minutes=number * 100)
                rows.append({
                    "product_id": ids[handle], "customer_id": None, "order_id": None,
                    "reviewer_key": f"c:{100000 + number}",
                    "rating": rng.choices((1, 2, 3, 4, 5), weights=(4, 5, 12, 30, 49))[0],
                    "title": "ভালো কাঁথা", "body": rng.choice(TEXTS),
                    "author_name": rng.choice(NAMES), "locale": "bn", "status": "published",
                    "held_reason": "", "verified": number % 3 != 0, "anonymous": False,
                    "featured": False, "photo_count": 1 if number % photo_every == 0 else 0,
                    "reply": "", "created_at": when, "updated_at": when, "published_at": when})
            with store_session(info) as session:
                session.execute(insert(Review), rows)
            with store_session(info) as session:
                with_photos = session.execute(select(Review.id, Review.created_at).where(
                    Review.product_id == ids[handle], Review.photo_count > 0)).all()
                session.execute(insert(ReviewPhoto), [
                    {"review_id": review_id, "product_id": ids[handle], "position": 0,
                     "storage_key": photo.key, "width": photo.width, "height": photo.height,
                     "widths": ",".join(map(str, photo.widths)), "created_at": when}
                    for review_id, when in with_photos])
        aggregates.refresh(info, [ids[REVIEWED], ids[FEW]])
        if db.engine.dialect.name == "postgresql":
            # autovacuum would gather the new rows' statistics within a minute; without
            # them the planner takes 10,000 rows for 1 and joins in nested loops.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()


def sequential_latency(target: Target, samples: int) -> dict[str, float]:
    """``samples`` GETs one after another; latency percentiles in milliseconds."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        status, _type, _body = fetch(target.port, target.path, target.host)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{target.path} answered {status}")
    times.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(len(times) * 0.95) - 1],
            "max_ms": times[-1]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--reviews", type=int, default=10_000, help="reviews of one product")
    parser.add_argument("--samples", type=int, default=300, help="requests per list variant")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    wrk = load_generator(args.load)
    return with_servers("haat-reviews-bench-", partial(measure, args, wrk))


def measure(args: argparse.Namespace, wrk: str | None, workdir: Path,
            servers: Servers) -> int:
    url = args.database_url or f"sqlite:///{workdir / 'haat.db'}"
    env = server_env(url, workdir)  # the page cache as configured: on
    settings = gunicorn_settings(env)
    write_server_files(workdir)
    (workdir / "reviews_wsgi.py").write_text(WSGI)
    (workdir / "reviews_nocache_wsgi.py").write_text(WSGI_NO_CACHE)
    database = url.split("@")[-1]
    print(f"database: {database}")
    print(f"gunicorn: {args.workers} workers x {args.threads} threads, worker class "
          f"{settings.get('worker_class', 'sync')}, access log off; one server with the "
          "page cache, one without")
    print(describe_load(args, wrk, "server"))
    started = time.perf_counter()
    saved = dict(os.environ)
    os.environ.update({**env, "HAAT_PAGE_CACHE_SIZE": "0"})
    try:
        prepare(url, args.reviews)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    print(f"prepared (migrations, demo, {args.reviews} reviews) in "
          f"{time.perf_counter() - started:.1f} s")

    cached, rendered = free_port(), free_port()
    servers.start("cached", "reviews_wsgi:app", cached, args, env, chdir=workdir)
    servers.start("rendered", "reviews_nocache_wsgi:app", rendered, args,
                  {**env, "HAAT_PAGE_CACHE_SIZE": "0"}, chdir=workdir)
    masters = {}
    for name, port in (("cached", cached), ("rendered", rendered)):
        servers.wait_ready(name, port, "/healthz", f"localhost:{port}")
        masters[port] = next(p.pid for n, p, _log in servers.procs if n == name)
    host = f"{STORE}.localhost"
    targets = [Target("many", cached, f"/products/{REVIEWED}", f"{host}:{cached}"),
               Target("none", cached, f"/products/{UNREVIEWED}", f"{host}:{cached}"),
               Target("many-render", rendered, f"/products/{REVIEWED}", f"{host}:{rendered}"),
               Target("few-render", rendered, f"/products/{FEW}", f"{host}:{rendered}"),
               Target("none-render", rendered, f"/products/{UNREVIEWED}",
                      f"{host}:{rendered}")]
    for target in targets:
        check(target)
    warm_up(targets, args)

    run_rounds(targets, args.rounds,
               cpu_measurer(args, wrk, workdir, lambda target: masters[target.port]),
               alternate=True)
    lists = []
    for name, query in LISTS:
        target = Target(name, rendered, f"/reviews/product/{REVIEWED}{query}",
                        f"{host}:{rendered}")
        check(target)
        sequential_latency(target, 20)  # warm
        lists.append((target, sequential_latency(target, args.samples)))
    summary = report(targets, lists)
    write_results(args, database, wrk, targets, reviews=args.reviews, **summary)
    return 0


def report(targets: list[Target], lists: list[tuple[Target, dict[str, float]]]) -> dict[str, Any]:
    by_cpu = all("cpu_ms" in r for t in targets for r in t.rounds)
    key = "cpu_ms" if by_cpu else "rps"
    by_name = {t.name: t for t in targets}

    def cost(name: str) -> float:
        target = by_name[name]
        return median_of(target, "cpu_ms") if by_cpu else 1 / median_of(target, "rps")

    print()
    print(f"{'page':<12} {'bytes':>7} {'req/s':>7} {'p95 ms':>7} {key:>8}")
    for target in targets:
        print(f"{target.name:<12} {target.size:>7} {median_of(target, 'rps'):>7.0f} "
              f"{median_of(target, 'p95_ms'):>7.1f} {median_of(target, key):>8.2f}")
    ratios = {"many/none": cost("many") / cost("none"),
              "many-render/few-render": cost("many-render") / cost("few-render"),
              "many-render/none-render": cost("many-render") / cost("none-render")}
    print()
    for name, ratio in ratios.items():
        target = "" if name.endswith("/none-render") else \
            f" (target <= {PAGE_TARGET:.2f}: {'meets' if ratio <= PAGE_TARGET else 'ABOVE'})"
        print(f"{name:<25} {ratio:.3f}{target}")
    print(f"\n{'review list':<11} {'bytes':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    worst = 0.0
    for target, latency in lists:
        worst = max(worst, latency["p95_ms"])
        print(f"{target.name:<11} {target.size:>7} {latency['p50_ms']:>7.1f} "
              f"{latency['p95_ms']:>7.1f} {latency['max_ms']:>7.1f}")
    list_verdict = "meets" if worst < LIST_P95_MS else "ABOVE"
    print(f"\nworst review-list p95 = {worst:.1f} ms (target < {LIST_P95_MS:.0f} ms: "
          f"{list_verdict})")
    meets = (ratios["many/none"] <= PAGE_TARGET
             and ratios["many-render/few-render"] <= PAGE_TARGET and list_verdict == "meets")
    return {"ratios": {k: round(v, 3) for k, v in ratios.items()},
            "cost": "server_cpu_ms" if by_cpu else "1/rps",
            "list_latency": {t.name: latency for t, latency in lists}, "meets_targets": meets}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run_main(main, "reviews_speed")
