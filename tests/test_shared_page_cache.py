"""The page cache's shared level: what one worker renders serves the node's other workers.

Two apps built on the same database and instance dir stand for two gunicorn workers:
each has its own per-process page cache, and both use ``<instance dir>/pages.db``.
Renders are counted by the SQL they send (a page served from a cache reads no product).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from conftest import client_for, statements_of
from core.db import db
from core.storefront import shared_pages
from core.storefront.page_cache import PageCache
from core.storefront.shared_pages import SQLitePages


@pytest.fixture(autouse=True)
def _fresh_caches(app: Flask, other_worker: Flask) -> Iterator[None]:
    app.extensions["haat_page_cache"].clear()  # the shared file too
    other_worker.extensions["haat_page_cache"]._entries.clear()
    yield
    app.extensions["haat_page_cache"].clear()


def without_tokens(html: str) -> str:
    """A page less its per-visitor CSRF tokens (filled in on every request)."""
    return re.sub(r'name="csrf_token"\s+value="[^"]*"', 'name="csrf_token"', html)


def rendered(statements: list[str]) -> bool:
    """Whether a request rendered its product page (it read the products table)."""
    return any("FROM products" in sql for sql in statements)


@pytest.fixture
def shop(make_store, add_product) -> Callable[[str, str], object]:
    def make(slug: str, title: str, price: int = 1000) -> object:
        store = make_store(slug, name=slug.replace("-", " ").title())
        add_product(store, "mug", title=title, price=price)
        return store

    return make


def _page(app: Flask, slug: str, path: str = "/products/mug") -> tuple[int, str, list[str]]:
    with statements_of(app) as sent:
        response = client_for(app, f"{slug}.localhost").get(path)
    return response.status_code, response.get_data(as_text=True), sent


def test_a_page_one_worker_rendered_is_served_by_another_without_rendering(
        app, other_worker, shop):
    shop("tea-house", "Blue clay mug")
    status, first, sent = _page(app, "tea-house")
    assert status == 200 and "Blue clay mug" in first and rendered(sent)

    status, served, sent = _page(other_worker, "tea-house")
    assert status == 200 and "Blue clay mug" in served
    assert not rendered(sent)
    # Only the host lookup (the other worker has never seen this store) reaches the
    # database; no product, collection, theme or plugin query.
    assert all("tenants" in sql for sql in sent), sent
    assert without_tokens(served) == without_tokens(first)
    # Now in the other worker's own cache: not even the shared file is read again.
    other_worker.extensions["haat_page_cache"].shared.clear()
    status, again, sent = _page(other_worker, "tea-house")
    assert without_tokens(again) == without_tokens(first) and not rendered(sent)


def test_a_change_made_through_one_worker_is_seen_by_the_other_at_once(
        app, other_worker, shop):
    from core.catalog.models import Product
    from tenants import tenant_scope

    store = shop("tea-house", "Blue clay mug", price=1000)
    assert "10.00" in _page(app, "tea-house")[1]
    assert "10.00" in _page(other_worker, "tea-house")[1]

    with app.app_context(), tenant_scope(store.id):  # what the product editor saves
        db.session.scalar(sa.select(Product).where(Product.handle == "mug")).price_amount = 1250
        db.session.commit()  # bumps the store's content_version

    # Both apps live in this process, so the commit cleared both host caches. A worker in
    # another process keeps its StoreRef (with the old content_version) for at most
    # HAAT_TENANT_CACHE_TTL seconds, then asks for the new key: the same bound as
    # without the shared level, which never serves a page of an older version.
    status, page, sent = _page(other_worker, "tea-house")
    assert status == 200 and "12.50" in page and "10.00" not in page and rendered(sent)
    status, page, sent = _page(app, "tea-house")
    assert "12.50" in page and not rendered(sent)  # the other worker's render, shared


def test_the_same_path_on_two_stores_never_shares_a_page(app, other_worker, shop):
    shop("tea-house", "Tea house mug")
    shop("rival-shop", "Rival mug")
    assert "Tea house mug" in _page(app, "tea-house")[1]

    status, page, sent = _page(other_worker, "rival-shop")
    assert status == 200 and "Rival mug" in page and "Tea house mug" not in page
    assert rendered(sent)
    status, page, _sent = _page(app, "rival-shop")
    assert "Rival mug" in page and "Tea house mug" not in page
    status, page, _sent = _page(other_worker, "tea-house")
    assert "Tea house mug" in page and "Rival mug" not in page


def test_an_expired_shared_page_is_rendered_again(app, other_worker, shop):
    shop("tea-house", "Blue clay mug")
    _page(app, "tea-house")
    path = Path(app.config["HAAT_INSTANCE_DIR"]) / "pages.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE pages SET expires = 0")
        conn.execute("UPDATE responses SET expires = 0")  # the finished response too
    status, page, sent = _page(other_worker, "tea-house")
    assert status == 200 and "Blue clay mug" in page and rendered(sent)


def test_a_corrupt_file_means_rendering_never_an_error(app, shop, tmp_path, monkeypatch):
    shop("tea-house", "Blue clay mug")
    broken = tmp_path / "pages.db"
    broken.write_bytes(b"this is not a database" * 100)
    cache = PageCache(10, 60, shared=SQLitePages(broken, 10))
    monkeypatch.setitem(app.extensions, "haat_page_cache", cache)
    for _ in range(2):
        cache._entries.clear()
        app.extensions["haat_shared_responses"].clear()  # finished responses: not here
        status, page, sent = _page(app, "tea-house")
        assert status == 200 and "Blue clay mug" in page and rendered(sent)


def test_an_unreadable_entry_means_rendering(app, other_worker, shop):
    shop("tea-house", "Blue clay mug")
    _page(app, "tea-house")
    with sqlite3.connect(Path(app.config["HAAT_INSTANCE_DIR"]) / "pages.db") as conn:
        conn.execute("UPDATE pages SET body = x'00ff00ff'")
        conn.execute("UPDATE responses SET body = x'00ff00ff'")
    status, page, sent = _page(other_worker, "tea-house")
    assert status == 200 and "Blue clay mug" in page and rendered(sent)


def test_a_locked_file_means_rendering_never_an_error(app, other_worker, shop):
    shop("tea-house", "Blue clay mug")
    locker = sqlite3.connect(Path(app.config["HAAT_INSTANCE_DIR"]) / "pages.db",
                             isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        status, page, sent = _page(app, "tea-house")  # its copy cannot be shared
        assert status == 200 and "Blue clay mug" in page and rendered(sent)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    status, page, sent = _page(other_worker, "tea-house")
    assert status == 200 and "Blue clay mug" in page and rendered(sent)


def test_the_shared_file_keeps_at_most_its_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(shared_pages, "TRIM_EVERY", 10)
    pages = SQLitePages(tmp_path / "pages.db", max_entries=25)
    for n in range(100):
        pages.set(f"key-{n}", f"<p>page {n}</p>", ttl=60 + n)
    assert len(pages) <= 25
    assert pages.get("key-99") == ("<p>page 99</p>", pytest.approx(159, abs=5))
    assert pages.get("key-0") is None  # the oldest went first


def test_off_keeps_pages_in_each_worker_only(tmp_path):
    from core import create_app

    lone = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                       "HAAT_INSTANCE_DIR": str(tmp_path), "HAAT_SHARED_PAGE_CACHE": "off"})
    assert lone.extensions["haat_page_cache"].shared is None
    assert not (tmp_path / "pages.db").exists()


def _checkout(tmp_path: Path, code: str) -> Flask:
    """An app whose checkout (``core/`` beside its root) holds one module of ``code``."""
    (tmp_path / "core").mkdir(parents=True, exist_ok=True)
    (tmp_path / "core" / "views.py").write_text(code)
    return Flask("core", root_path=str(tmp_path / "core"))


def test_the_deployment_stamp_follows_the_code_not_its_folder(tmp_path):
    one = shared_pages.deployment_stamp(_checkout(tmp_path / "a", "TITLE = 'Shop'\n"))
    same_code_elsewhere = shared_pages.deployment_stamp(
        _checkout(tmp_path / "b", "TITLE = 'Shop'\n"))
    changed = shared_pages.deployment_stamp(_checkout(tmp_path / "c", "TITLE = 'Store'\n"))
    assert one == same_code_elsewhere  # two nodes of one release share pages
    assert changed != one  # a release that changed only Python code does not
