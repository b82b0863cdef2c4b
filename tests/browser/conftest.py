"""Browser tests: a live Haat server with the demo stores, driven by Playwright + Chromium.

* ``live_server`` (session): its own app on its own temporary SQLite database (browser
  behaviour does not depend on the database, so this is SQLite even when
  ``TEST_DATABASE_URL`` is set), the demo stores loaded, served by Werkzeug in a daemon
  thread. ``live_server.url("dhaka-crafts", "/cart")`` ->
  ``http://dhaka-crafts.localhost:<port>/cart`` (Chromium resolves ``*.localhost`` itself).
* ``browser`` (session): Debian's Chromium (``/usr/bin/chromium``, or ``HAAT_CHROMIUM``),
  headless. Missing Chromium or Playwright skips locally and fails in CI
  (``HAAT_REQUIRE_SYSTEM_DEPS=1``). ``playwright install`` is never needed.
* ``new_page(viewport="mobile"|"desktop", javascript=True)``: a page in a fresh context
  (own cookies, so its own cart); ``mobile_page`` (360x740) and ``desktop_page``.
* ``use_theme(slug, name)``: switch a demo store's theme; back to ``default`` afterwards.
* ``enable_search(slug)``: an in-memory search plugin switched on for that store (off
  afterwards), so the header shows the search form and ``/search`` shows results.
* ``shot(page, name)``: a full-page screenshot in ``test-artifacts/<test>/`` (or
  ``$HAAT_TEST_ARTIFACTS/<test>/``). When a test fails, every page it opened is saved
  there too (``failed-<n>.png``).

CSRF protection is on in the live server: the browser submits the real forms.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from conftest import require_component
from core.testing import build_test_app, dispose

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips (or fails in CI) before this is used
    expect = None

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HAAT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("HAAT_TEST_ARTIFACTS") or REPO / "test-artifacts")

MOBILE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
THEMES = ("default", "bazaar")
TIMEOUT_MS = 10_000

_BENGALI_TO_ASCII = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


# ------------------------------------------------------------------------ live server


@dataclass
class LiveServer:
    """The running server: its app, port and the demo stores' ids by slug."""

    app: Flask
    port: int
    store_ids: dict[str, int] = field(default_factory=dict)

    def url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.localhost:{self.port}/{path.lstrip('/')}"

    def host(self, slug: str) -> str:
        return f"{slug}.localhost:{self.port}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from core.demo.loader import load_demo
    from tenants import platform_scope
    from tenants.provisioning import find_tenant

    root = tmp_path_factory.mktemp("haat-browser")
    # CSRF stays on: the browser submits the real forms, tokens included. Every browser
    # test signs the demo owners in from 127.0.0.1, more than the production limit of
    # sign-ins a minute when they run fast; the limit itself is tested elsewhere.
    # The sign-up challenge is on too (its honeypot and token go through a real browser),
    # without its minimum age: a test fills the form faster than a person.
    app = build_test_app(root, f"sqlite:///{root / 'browser.db'}",
                         HAAT_DEFAULT_PLUGINS="", WTF_CSRF_ENABLED=True,
                         RATELIMIT_LOGIN="600 per minute", HAAT_SIGNUP_CHALLENGE=True,
                         HAAT_SIGNUP_MIN_SECONDS=0)
    ids = {}
    with app.app_context():
        for result in load_demo():
            with platform_scope():
                ids[result.slug] = find_tenant(result.slug).id
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="haat-live-server",
                              daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, port=server.server_port, store_ids=ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        dispose(app)


# ------------------------------------------------------------------------ themes


def theme_params() -> list[Any]:
    """``THEMES`` as pytest params: every shipped theme is checked."""
    return [pytest.param(name, id=name) for name in THEMES]


def _choose_theme(live: LiveServer, slug: str, name: str) -> None:
    from core.db import db
    from core.theming.service import choose_theme
    from tenants import tenant_scope

    with live.app.app_context():
        with tenant_scope(live.store_ids[slug]):
            choose_theme(name)
        db.session.commit()


@pytest.fixture
def use_theme(live_server: LiveServer) -> Iterator[Callable[[str, str], None]]:
    """``use_theme("dhaka-crafts", "bazaar")``; every touched store returns to default."""
    touched: set[str] = set()

    def switch(slug: str, name: str) -> None:
        touched.add(slug)
        _choose_theme(live_server, slug, name)

    yield switch
    for slug in touched:
        _choose_theme(live_server, slug, "default")


# ------------------------------------------------------------------------ search plugin


class _MemorySearch:
    """A search backend over the store's products, read once from the database."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.products: dict[int, list[tuple[int, str, str]]] = {}

    def _catalogue(self, store: Any) -> list[tuple[int, str, str]]:
        if store.id not in self.products:
            from sqlalchemy import select

            from core.catalog.models import Product
            from core.db import db
            from tenants import tenant_scope

            with self.live.app.app_context(), tenant_scope(store.id):
                rows = db.session.execute(select(Product.id, Product.handle, Product.title)
                                          .order_by(Product.id)).all()
            self.products[store.id] = [tuple(row) for row in rows]
        return self.products[store.id]

    def _hits(self, store: Any, text: str) -> list[Any]:
        from core.sdk import SearchHit

        needle = text.casefold().strip()
        return [SearchHit(product_id=pid, handle=handle, title=title)
                for pid, handle, title in self._catalogue(store)
                if needle and needle in title.casefold()]

    def index(self, store: Any, products: Any) -> None:
        self.products.pop(store.id, None)

    def remove(self, store: Any, product_ids: Any) -> None:
        self.products.pop(store.id, None)

    def query(self, store: Any, query: Any) -> Any:
        from core.sdk import SearchResults

        hits = self._hits(store, query.text)
        start = (max(query.page, 1) - 1) * query.per_page
        return SearchResults(hits=tuple(hits[start:start + query.per_page]), total=len(hits))

    def suggest(self, store: Any, text: str, limit: int = 8) -> list[Any]:
        return self._hits(store, text)[:limit]


SEARCH_PLUGIN = "browser-test-search"


@pytest.fixture(scope="session")
def _search_plugin(live_server: LiveServer) -> Iterator[str]:
    from conftest import make_plugin

    backend = _MemorySearch(live_server)
    host = live_server.app.extensions["haat_plugins"]
    installed = host.register(make_plugin(SEARCH_PLUGIN, kind="search",
                                          haat_search_backend=lambda store: backend))
    assert installed is not None, host.problems[-1]
    yield installed.name
    host.unregister(installed.name)


@pytest.fixture
def enable_search(live_server: LiveServer, _search_plugin: str) -> Iterator[Callable[[str], None]]:
    """``enable_search("dhaka-crafts")``: an in-memory search plugin on for that store."""
    from core.db import db
    from core.pluginhost.state import set_enabled

    host = live_server.app.extensions["haat_plugins"]
    enabled: list[int] = []

    def switch(store_id: int, on: bool) -> None:
        with live_server.app.app_context():
            set_enabled(store_id, _search_plugin, on, host.exclusive_peers(_search_plugin))
            db.session.commit()

    def enable(slug: str) -> None:
        store_id = live_server.store_ids[slug]
        switch(store_id, True)
        enabled.append(store_id)

    yield enable
    for store_id in enabled:
        switch(store_id, False)


# ------------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_component(False, "the playwright package is missing (pip install -e '.[test]')")
    require_component(Path(CHROMIUM).exists(),
                      f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class PageProblems:
    """What went wrong in a page that the test did not see directly."""

    js_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def note_response(self, response: Any) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def check(self) -> None:
        __tracebackhide__ = True
        assert not self.server_errors, f"server errors: {self.server_errors}"
        assert not self.js_errors, f"JavaScript errors: {self.js_errors}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Keep each phase's report on the item, so fixtures can see that a test failed."""
    report = yield
    setattr(item, f"_haat_report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer,
             request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``new_page("mobile"|"desktop", javascript=True)`` -> a Playwright page.

    Each page has its own browser context (cookies, so its own session and cart).
    ``page.problems`` collects uncaught JavaScript errors and 5xx responses; tests call
    ``page.problems.check()``.
    """
    contexts = []

    def make(viewport: str = "mobile", *, javascript: bool = True) -> Any:
        options: dict[str, Any] = {"java_script_enabled": javascript}
        if viewport == "mobile":
            options.update(viewport=MOBILE, is_mobile=True, has_touch=True)
        elif viewport == "desktop":
            options.update(viewport=DESKTOP)
        else:
            raise ValueError(f"viewport must be 'mobile' or 'desktop', not {viewport!r}")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on("pageerror", lambda error: problems.js_errors.append(str(error)))
        page.on("response", problems.note_response)
        page.problems = problems
        return page

    yield make
    report = getattr(request.node, "_haat_report_call", None)
    for number, context in enumerate(contexts, start=1):
        if report is not None and report.failed:
            folder = ARTIFACTS / _folder_name(request.node.nodeid)
            folder.mkdir(parents=True, exist_ok=True)
            for page in context.pages:
                with contextlib.suppress(Exception):  # a crashed page: keep the real error
                    page.screenshot(path=str(folder / f"failed-{number}.png"), full_page=True)
        context.close()


@pytest.fixture
def mobile_page(new_page: Callable[..., Any]) -> Any:
    return new_page("mobile")


@pytest.fixture
def desktop_page(new_page: Callable[..., Any]) -> Any:
    return new_page("desktop")


# ------------------------------------------------------------------------ screenshots


def _folder_name(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:150]


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``shot(page, "cart")`` -> ``test-artifacts/<test>/NN-cart.png`` (full page)."""
    folder = ARTIFACTS / _folder_name(request.node.nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    counter = iter(range(1, 1000))

    def take(page: Any, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# ------------------------------------------------------------------------ helpers


def ascii_digits(text: str) -> str:
    """Bengali digits ০-৯ -> 0-9 (other characters unchanged)."""
    return text.translate(_BENGALI_TO_ASCII)


def read_int(text: str) -> int:
    """The whole number shown in ``text``, in Latin or Bengali digits."""
    digits = re.sub(r"\D", "", ascii_digits(text))
    assert digits, f"no number in {text!r}"
    return int(digits)


def read_money(text: str, locale: str) -> Decimal:
    """The amount shown in a formatted price (``"১,২৫০.০০৳"``, ``"1 250,00 ֏"``)."""
    from babel.numbers import parse_decimal

    number = re.sub(r"[^\d.,]", "", ascii_digits(text))  # drops symbols and spaces
    return parse_decimal(number, locale=locale, strict=False)


def assert_fits_width(page: Any) -> None:
    """The page does not scroll sideways (e.g. at 360 px); names what sticks out if it does."""
    __tracebackhide__ = True
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return null;
        const wide = [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .filter(e => {  // skip what sits inside a sideways-scrolling box
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== "visible") return false;
                }
                return true;
            })
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
        return {width, scrollWidth: document.documentElement.scrollWidth, wide};
    }""")
    assert overflow is None, f"the page scrolls sideways at {page.viewport_size}: {overflow}"

