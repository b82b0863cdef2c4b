"""Lighthouse scores of a demo store's home, a collection and a product page, or (with
``--admin``) of the merchant's setup pages in the admin.

    .venv/bin/python bench/lighthouse.py [--store dhaka-crafts] [--theme default|bazaar|both]
                                         [--admin] [--desktop] [--json summary.json]
                                         [--reports DIR]

``--admin`` signs in as the demo store's owner (the real sign-in form, CSRF token and
all) and measures the dashboard, the product editor, the Shipping page, the zone form,
the Payments page and the theme editor, sending the session cookie with Lighthouse's
``--extra-headers``.

What it does, end to end, as a merchant's shoppers would meet the store:

1. installs Lighthouse from ``bench/lighthouse/package-lock.json`` (``npm ci``) when
   ``bench/lighthouse/node_modules`` lacks it (needs Node and npm; the test suite and CI
   never do this);
2. builds a temporary SQLite database with the real CLI: ``haat db upgrade`` and
   ``haat demo``;
3. per theme: switches the store's theme, serves the app with gunicorn (``wsgi:app``) on a
   free port, runs Lighthouse against ``http://<store>.localhost:<port>/...`` with Debian's
   Chromium (``CHROME_PATH``, default ``/usr/bin/chromium``), and stops gunicorn;
4. prints the performance, accessibility, best-practices and SEO scores (x100) per page,
   then every audit that scored below 1, by category, so they can be fixed.

Lighthouse's default is a throttled mobile device (Moto G Power, slow 4G); ``--desktop``
uses its desktop preset instead. This is a benchmark, not a test: it never fails on a
low score.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
NODE_DIR = REPO / "bench" / "lighthouse"
LIGHTHOUSE = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
VENV_BIN = REPO / ".venv" / "bin"
if not VENV_BIN.is_dir():
    VENV_BIN = Path(sys.executable).parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best-pr",
         "seo": "seo"}
THEMES = ("default", "bazaar")

sys.path.insert(0, str(REPO))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="dhaka-crafts",
                        help="demo store slug (dhaka-crafts, yerevan-books, corner-store)")
    parser.add_argument("--theme", choices=(*THEMES, "both"), default="default",
                        help="theme to measure; 'both' measures each theme in turn")
    parser.add_argument("--admin", action="store_true",
                        help="measure the admin's setup pages instead of the storefront")
    parser.add_argument("--desktop", action="store_true",
                        help="Lighthouse's desktop preset (default: its mobile emulation)")
    parser.add_argument("--json", metavar="PATH", type=Path,
                        help="also write a summary (scores and failing audits) as JSON")
    parser.add_argument("--reports", metavar="DIR", type=Path,
                        help="keep Lighthouse's full JSON reports in DIR")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
                        help="Chromium binary (default: $CHROME_PATH or /usr/bin/chromium)")
    return parser.parse_args(argv)


# ------------------------------------------------------------------------ set-up


def ensure_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bench/lighthouse.py needs Node.js and npm to install Lighthouse")
    print("Installing Lighthouse (npm ci in bench/lighthouse) …", file=sys.stderr)
    run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR)


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess:
    """``subprocess.run`` of our own fixed commands (``check=True`` unless told)."""
    options.setdefault("check", True)
    return subprocess.run(command, **options)  # noqa: S603 (fixed argv, no shell)


def tail(path: Path, lines: int = 30) -> list[str]:
    """The last lines of a log that are not access-log lines (the server's errors)."""
    if not path.exists():
        return []
    text = path.read_text(errors="replace").splitlines()
    return [line for line in text if '" 200 ' not in line and '" 304 ' not in line][-lines:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def haat_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"sqlite:///{work / 'haat.db'}",
        "HAAT_INSTANCE_DIR": str(work / "instance"),
        "HAAT_MEDIA_DIR": str(work / "media"),
        "HAAT_PLATFORM_DOMAIN": "localhost",
    })
    env.pop("HAAT_ENV", None)  # development settings, as `make run` serves them
    return env


def prepare_database(env: dict[str, str]) -> None:
    haat = str(VENV_BIN / "haat")
    run([haat, "db", "upgrade"], cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    run([haat, "demo", "--quiet"], cwd=REPO, env=env)


SWITCH_THEME = """
import sys
from core import create_app
from core.db import db
from core.theming.service import choose_theme
from tenants import platform_scope, tenant_scope
from tenants.provisioning import find_tenant

slug, theme = sys.argv[1:3]
app = create_app()
with app.app_context():
    with platform_scope():
        tenant = find_tenant(slug)
    if tenant is None:
        sys.exit(f"no store {slug!r} (demo stores: dhaka-crafts, yerevan-books, corner-store)")
    with tenant_scope(tenant.id):
        choose_theme(theme)
    db.session.commit()
"""


def switch_theme(env: dict[str, str], slug: str, theme: str) -> None:
    """Run in a fresh interpreter with the benchmark's environment (its database)."""
    run([sys.executable, "-c", SWITCH_THEME, slug, theme], cwd=REPO, env=env)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """``gunicorn wsgi:app`` on 127.0.0.1:``port`` until the block ends."""
    with log.open("ab") as out:
        command = [str(VENV_BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}"]
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,  # noqa: S603
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": f"localhost:{port}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet: try again until the deadline
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer on port {port}; see {log}")


# ------------------------------------------------------------------------ measuring


def pages(slug: str) -> list[tuple[str, str]]:
    """(name, path) of the home, the first collection and a product in it that is in stock."""
    from core.demo.catalogues import DEMO_STORES

    spec = next((s for s in DEMO_STORES if s.slug == slug), None)
    if spec is None:
        sys.exit(f"--store must be one of {', '.join(s.slug for s in DEMO_STORES)}")
    collection = spec.collections[0].handle
    product = next((p for p in spec.products if collection in p.collections and p.stock > 0),
                   next(p for p in spec.products if p.stock > 0))
    return [("home", "/"), (f"collection {collection}", f"/collections/{collection}"),
            (f"product {product.handle}", f"/products/{product.handle}")]


#: The admin pages a merchant sets a store up on.
ADMIN_PAGES = (("dashboard", "/admin/"), ("product editor", "/admin/products/new"),
               ("shipping", "/admin/shipping"), ("zone form", "/admin/plugins/shipping"),
               ("payments", "/admin/payments"), ("theme editor", "/admin/theme"))


def admin_cookie(host: str, port: int, slug: str) -> str:
    """The session cookie of the demo store's owner, signed in through the form."""
    import re
    from http.cookies import SimpleCookie

    from core.demo.catalogues import DEMO_STORES
    from core.demo.loader import DEMO_PASSWORD

    spec = next(s for s in DEMO_STORES if s.slug == slug)

    def request(method: str, body: str = "", cookie: str = "") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": host, "Cookie": cookie}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, "/admin/login", body=body or None, headers=headers)
        return conn.getresponse()

    def cookies(response: http.client.HTTPResponse) -> str:
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())

    page = request("GET")
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page.read().decode())
    token = re.search(r'value="([^"]+)"', field.group(0)) if field else None
    if token is None:
        sys.exit("the sign-in page has no CSRF token")
    from urllib.parse import urlencode

    signed_in = request("POST", urlencode({"csrf_token": token.group(1),
                                           "email": spec.owner_email,
                                           "password": DEMO_PASSWORD}), cookies(page))
    if signed_in.status != 303:
        sys.exit(f"signing in as {spec.owner_email} answered {signed_in.status}")
    return cookies(signed_in)


def run_lighthouse(url: str, output: Path, chrome: str, desktop: bool,
                   cookie: str = "") -> dict[str, Any]:
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={output}",
               "--chrome-flags=--headless=new --no-sandbox",
               f"--only-categories={','.join(CATEGORIES)}", "--quiet"]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chrome}
    output.unlink(missing_ok=True)
    result = run(command, cwd=NODE_DIR, env=env, capture_output=True, text=True, check=False)
    if output.exists():
        return json.loads(output.read_text())
    # Lighthouse writes no report when it cannot load the page (e.g. the server's 500).
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return {"requestedUrl": url, "categories": {}, "audits": {},
            "runtimeError": {"code": f"exit {result.returncode}",
                             "message": "\n".join(lines[-5:]) or "no report written"}}


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Scores x100 per category, and the audits below 1 in each (id, title, value)."""
    audits = report["audits"]
    scores: dict[str, int | None] = {}
    failing: dict[str, list[dict[str, Any]]] = {}
    for name in CATEGORIES:
        category = report["categories"].get(name)
        if category is None:
            continue
        score = category.get("score")
        scores[name] = None if score is None else round(score * 100)
        found = []
        for ref in category["auditRefs"]:
            audit = audits.get(ref["id"], {})
            if audit.get("score") is None or audit["score"] >= 1:
                continue
            if audit.get("scoreDisplayMode") in ("manual", "notApplicable", "informative"):
                continue
            found.append({"id": ref["id"], "title": audit.get("title", ""),
                          "score": audit["score"], "weight": ref.get("weight", 0),
                          "display_value": audit.get("displayValue", "")})
        found.sort(key=lambda a: (-a["weight"], a["score"], a["id"]))
        failing[name] = found
    errors = report.get("runtimeError") or None
    return {"url": report.get("finalDisplayedUrl") or report.get("requestedUrl"),
            "scores": scores, "failing": failing, "runtime_error": errors,
            "warnings": report.get("runWarnings", [])}


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    ensure_lighthouse()
    if not Path(args.chrome).exists():
        sys.exit(f"Chromium not found at {args.chrome} (apt-get install chromium)")
    themes = THEMES if args.theme == "both" else (args.theme,)
    results = []
    with tempfile.TemporaryDirectory(prefix="haat-lighthouse-") as tmp:
        work = Path(tmp)
        env = haat_env(work)
        print("Preparing the demo database …", file=sys.stderr)
        prepare_database(env)
        reports = args.reports or work / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        for theme in themes:
            if theme != "default":  # a new store starts on the default theme
                switch_theme(env, args.store, theme)
            port = free_port()
            with gunicorn(env, port, work / "gunicorn.log"):
                host = f"{args.store}.localhost:{port}"
                cookie = admin_cookie(host, port, args.store) if args.admin else ""
                for name, path in (ADMIN_PAGES if args.admin else pages(args.store)):
                    url = f"http://{host}{path}"
                    print(f"Lighthouse: {theme} theme, {name} …", file=sys.stderr)
                    output = reports / f"{args.store}-{theme}-{name.replace(' ', '-')}.json"
                    report = run_lighthouse(url, output, args.chrome, args.desktop, cookie)
                    summary = summarise(report)
                    if summary["runtime_error"]:
                        summary["server_log"] = tail(work / "gunicorn.log")
                    results.append({"store": args.store, "theme": theme, "page": name,
                                    "path": path, **summary})
    return results


# ------------------------------------------------------------------------ output


def print_table(results: list[dict[str, Any]], preset: str) -> None:
    print(f"\nLighthouse ({preset}), store {results[0]['store']}\n")
    header = f"{'theme':<9} {'page':<42}" + "".join(f"{SHORT[c]:>9}" for c in CATEGORIES)
    print(header)
    print("-" * len(header))
    for r in results:
        cells = "".join(f"{'-' if r['scores'].get(c) is None else r['scores'][c]:>9}"
                        for c in CATEGORIES)
        print(f"{r['theme']:<9} {r['page']:<42}{cells}")
    for r in results:
        print(f"\n== {r['theme']} theme, {r['page']} ({r['path']})")
        if r["runtime_error"]:
            error = r["runtime_error"]
            print(f"   Lighthouse could not measure it: {error.get('code')}: "
                  f"{error.get('message')}")
            for line in r.get("server_log", [])[-15:]:
                print(f"   | {line}")
        for warning in r["warnings"]:
            print(f"   warning: {warning}")
        for category in CATEGORIES:
            failing = r["failing"].get(category, [])
            if not failing:
                continue
            print(f"  {category}:")
            for audit in failing:
                value = f" ({audit['display_value']})" if audit["display_value"] else ""
                print(f"    {audit['score']:.2f}  {audit['id']}: {audit['title']}{value}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    results = measure(args)
    preset = "desktop" if args.desktop else "mobile, Lighthouse default"
    print_table(results, preset)
    if args.json:
        args.json.write_text(json.dumps({"preset": "desktop" if args.desktop else "mobile",
                                         "results": results}, ensure_ascii=False, indent=2))
        print(f"\nSummary written to {args.json}")
    if any(r["runtime_error"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
