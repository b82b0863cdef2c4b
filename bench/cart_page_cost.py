"""CPU and SQL statements of the cart and checkout pages, in-process (no server).

    .venv/bin/python bench/cart_page_cost.py [--requests 300] [--dir DIR] [--profile CASE]
    PYTHONPATH=<checkout> ... measures that checkout's code with this script

Builds (once per ``--dir``) a SQLite database with the demo stores, copies it so every
run starts from the same rows, and serves dhaka-crafts through the Flask test client
with the production configuration (CSRF on, no ``TESTING``, as ``bench/first_visit.py``).
Cases: ``GET /cart`` with no cookie; ``GET /cart`` and ``GET /checkout`` with a cart of
1 line and of 5 lines; and the checkout's "update" post (what ``storefront.js`` sends on
each change) with a Dhaka address, so shipping rates, fees and the coupon ``EID10`` are
worked out. Each case is warmed, then timed ``--repeat`` times over ``--requests``
requests under ``time.process_time``; it prints the best CPU ms per request, the SQL
statements per request and whether any response set a cookie. ``--profile CASE`` prints
cProfile's hottest functions for that case.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Appended, so that PYTHONPATH picks the code measured (A/B: main's against a branch).
sys.path.append(str(Path(__file__).resolve().parents[1]))

HOST = "dhaka-crafts.localhost"
BASE = f"http://{HOST}"
SAME_ORIGIN = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "haat-cart-bench"))
    parser.add_argument("--profile", default="", help="a case name to profile")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--only", default="", help="comma-separated case names")
    return parser.parse_args()


def make_app(root: Path, url: str):
    """The production-like app of ``bench/first_visit.py``, without the shared cache."""
    from bench.first_visit import make_app as first_visit_app

    return first_visit_app(root, url, "off")


def database(root: Path) -> str:
    """A fresh copy of the demo database (built once per ``--dir``, copied per run)."""
    built = root / "demo.db"
    if not built.exists():
        from flask_migrate import upgrade

        from core.db import db
        from core.demo.loader import load_demo

        app = make_app(root, f"sqlite:///{built}")
        with app.app_context():
            upgrade(revision="heads")
            load_demo()
            db.session.commit()
            db.engine.dispose()
    run = root / "run.db"  # overwritten by each run: one run per --dir at a time
    shutil.copy(built, run)
    return f"sqlite:///{run}"


def token_in(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', page)
    return found.group(1) if found else ""


def shopper_with(app, lines: int):
    """A client whose cart holds ``lines`` lines (a variant's first option when needed)."""
    client = app.test_client()
    listing = client.get("/collections/all", base_url=BASE).get_data(as_text=True)
    paths = list(dict.fromkeys(re.findall(r'href="(/products/[^"?#]+)"', listing)))
    added = 0
    for path in paths:
        page = client.get(path, base_url=BASE).get_data(as_text=True)
        product = re.search(r'name="product_id" value="(\d+)"', page)
        if product is None:
            continue
        form = {"product_id": product.group(1), "quantity": "1", "csrf_token": token_in(page)}
        if "data-variant-select" in page or 'name="variant_id"' in page:
            option = re.search(r'<option value="(\d+)"', page)
            if option is None:
                continue
            form["variant_id"] = option.group(1)
        answer = client.post("/cart/add", data=form, base_url=BASE, headers=SAME_ORIGIN)
        if answer.status_code == 303:
            added += 1
            if added == lines:
                client.get("/cart", base_url=BASE)  # takes the message
                return client
    raise SystemExit(f"only {added} lines could be added")


def cases(app) -> dict[str, Callable[[], tuple[int, bool]]]:
    def get(client_of: Callable[[], object], path: str, expect: str = ""):
        def run() -> tuple[int, bool]:
            response = client_of().get(path, base_url=BASE)
            assert response.status_code == 200, (path, response.status_code)
            if expect:
                assert expect in response.get_data(as_text=True), expect
            return response.status_code, "Set-Cookie" in response.headers
        return run

    one, five = shopper_with(app, 1), shopper_with(app, 5)
    checkout_page = five.get("/checkout", base_url=BASE).get_data(as_text=True)
    form = {"csrf_token": token_in(checkout_page), "action": "update", "name": "Rahim",
            "phone": "01711000000", "country": "BD", "region": "Dhaka", "city": "Dhanmondi",
            "line1": "House 1, Road 2", "coupon": "EID10",
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]*)"',
                                         checkout_page).group(1)}

    def update() -> tuple[int, bool]:
        response = five.post("/checkout", data=form, base_url=BASE, headers=SAME_ORIGIN)
        assert response.status_code == 200, response.status_code
        return response.status_code, "Set-Cookie" in response.headers

    return {
        "cart-anonymous": get(app.test_client, "/cart", "cart-empty"),
        "cart-1-line": get(lambda: one, "/cart"),
        "cart-5-lines": get(lambda: five, "/cart"),
        "checkout-1-line": get(lambda: one, "/checkout"),
        "checkout-5-lines": get(lambda: five, "/checkout"),
        "checkout-update-5": update,
    }


def main() -> int:
    args = parse_args()
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HAAT_LOG_LEVEL", "WARNING")
    url = database(root)
    app = make_app(root, url)

    import sqlalchemy as sa

    from core.db import db

    statements = [0]
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *_a: statements.__setitem__(0, statements[0] + 1))
    wanted = set(filter(None, args.only.split(",")))
    for name, run in cases(app).items():
        if wanted and name not in wanted:
            continue
        for _ in range(30):
            run()
        best, cookies = float("inf"), 0
        for _round in range(args.repeat):
            statements[0] = 0
            start = time.process_time()
            for _ in range(args.requests):
                cookies += run()[1]
            best = min(best, (time.process_time() - start) / args.requests)
            count = statements[0] / args.requests
        print(f"{name:18} {best * 1000:6.2f} ms CPU/request  {count:5.2f} statements/request"
              f"  {cookies} responses set a cookie", flush=True)
        if name == args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                run()
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
