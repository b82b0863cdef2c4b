"""CPU time of a cached product page, for a visitor without a session and for a
shopper with a cart, through the Flask test client (no server, no network).

    .venv/bin/python bench/cached_page_cost.py [--requests 2000] [--database-url URL]

Builds the demo stores in a fresh SQLite database (or ``--database-url``) with CSRF on as
in production, warms the page cache, then times ``--requests`` GETs of one product page
under ``time.process_time`` for: an anonymous visitor (a fresh cookie jar every time, as
a crawler or a first visit), and a shopper with one line in their cart. It prints the
microseconds per request, the SQL statements per request and whether a cookie was set.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true",
                        help="print where each measured loop spends its time (cProfile)")
    args = parser.parse_args()

    from core.db import db
    from core.demo.loader import load_demo
    from core.testing import build_test_app

    root = Path(tempfile.mkdtemp(prefix="haat-bench-"))
    url = args.database_url or f"sqlite:///{root / 'bench.db'}"
    app = build_test_app(root, url, WTF_CSRF_ENABLED=True, TESTING=False)
    with app.app_context():
        load_demo()
    host = "corner-store.localhost"
    first = app.test_client()
    listing = first.get("/collections/all", base_url=f"http://{host}").get_data(as_text=True)
    paths = list(dict.fromkeys(re.findall(r'href="(/products/[^"?#]+)"', listing)))
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *a: statements.append(a[2]))

    def anonymous() -> tuple[int, bool]:
        response = app.test_client().get(path, base_url=f"http://{host}")
        assert response.status_code == 200
        return response.status_code, "Set-Cookie" in response.headers

    shopper = app.test_client()
    for path in paths:  # the first product that takes a plain add (no options, in stock)
        page = shopper.get(path, base_url=f"http://{host}").get_data(as_text=True)
        if "data-variant-select" in page or 'name="product_id"' not in page:
            continue
        form = {"product_id": re.search(r'name="product_id" value="(\d+)"', page).group(1),
                "quantity": "1"}
        token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
        if token:
            form["csrf_token"] = token
        added = shopper.post("/cart/add", data=form, base_url=f"http://{host}",
                             headers={"Origin": f"http://{host}",
                                      "Sec-Fetch-Site": "same-origin"})
        if added.status_code == 303:
            break
    else:
        raise SystemExit("no product could be added to a cart")
    shopper.get(path, base_url=f"http://{host}")  # takes the flash message

    def with_cart() -> tuple[int, bool]:
        response = shopper.get(path, base_url=f"http://{host}")
        assert response.status_code == 200
        assert "data-cart-count>1<" in response.get_data(as_text=True)
        return response.status_code, "Set-Cookie" in response.headers

    for name, request in (("anonymous", anonymous), ("with a cart", with_cart)):
        for _ in range(50):
            request()
        statements.clear()
        cookies = 0
        profile = cProfile.Profile() if args.profile else None
        start = time.process_time()
        if profile:
            profile.enable()
        for _ in range(args.requests):
            cookies += request()[1]
        if profile:
            profile.disable()
        spent = time.process_time() - start
        if profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        print(f"{name:12} {spent / args.requests * 1e6:8.0f} us/request  "
              f"{len(statements) / args.requests:.2f} statements/request  "
              f"{cookies} of {args.requests} responses set a cookie")


if __name__ == "__main__":
    main()
