"""Finished responses for visitors without cookies are replayed before Flask runs
(:mod:`core.storefront.shared_responses`), and only while they are still right."""

from __future__ import annotations

import re

import pytest

from conftest import statements_of
from core.db import db
from core.theming.service import save_theme_values
from tenants import tenant_scope

PRODUCT = "/products/river-shawl"


@pytest.fixture
def flask_calls(app, monkeypatch) -> list[str]:
    """The paths the layer handed on to the app behind it (each ran Flask)."""
    layer = app.extensions["haat_shared_responses"]
    calls: list[str] = []
    behind = layer.wsgi_app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"]
                                             if environ.get("QUERY_STRING") else ""))
        return behind(environ, start_response)

    monkeypatch.setattr(layer, "wsgi_app", counting)
    return calls


@pytest.fixture
def shops(make_store, add_product):
    alpha = make_store("alpha-shop", name="Alpha Shop")
    beta = make_store("beta-shop", name="Beta Shop")
    add_product(alpha, "river-shawl", title="Alpha river shawl", price=2500,
                collection="shawls")
    add_product(beta, "river-shawl", title="Beta river shawl", price=9900,
                collection="shawls")
    return alpha, beta


def _get(app, host: str, path: str, **headers: str):
    client = app.test_client(use_cookies=False)
    return client.get(path, headers={"Host": host, **headers})


def test_a_cookieless_visitor_is_served_without_running_flask(app, shops, flask_calls,
                                                              count_queries):
    first = _get(app, "alpha-shop.localhost", PRODUCT)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers  # nothing personal: it may be shared
    with count_queries() as statements:
        again = _get(app, "alpha-shop.localhost", PRODUCT)

    assert flask_calls == [PRODUCT]  # the second request never reached Flask
    assert statements == []
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert dict(again.headers) == dict(first.headers)
    assert "Alpha river shawl" in again.get_data(as_text=True)


def test_each_store_gets_its_own_response_for_the_same_path(app, shops, flask_calls):
    for _round in range(2):
        alpha = _get(app, "alpha-shop.localhost", PRODUCT).get_data(as_text=True)
        beta = _get(app, "beta-shop.localhost", PRODUCT).get_data(as_text=True)
        assert "Alpha river shawl" in alpha and "Beta river shawl" not in alpha
        assert "Beta river shawl" in beta and "Alpha river shawl" not in beta
    assert flask_calls == [PRODUCT, PRODUCT]  # one render per store, then replays


def test_a_change_to_the_store_retires_its_responses_at_once(app, shops, flask_calls):
    alpha, _beta = shops
    assert "Alpha river shawl" in _get(app, "alpha-shop.localhost", PRODUCT).get_data(
        as_text=True)
    from core.catalog.models import Product
    with app.app_context(), tenant_scope(alpha.id):
        product = db.session.scalar(db.select(Product).filter_by(handle="river-shawl"))
        product.title = "Alpha monsoon shawl"
        db.session.commit()

    page = _get(app, "alpha-shop.localhost", PRODUCT).get_data(as_text=True)
    assert "Alpha monsoon shawl" in page
    assert flask_calls == [PRODUCT, PRODUCT]


def test_theme_changes_and_closing_the_store_are_seen(app, shops, flask_calls):
    alpha, _beta = shops
    _get(app, "alpha-shop.localhost", "/")
    with app.app_context(), tenant_scope(alpha.id):
        save_theme_values("default", {"hero_title": "Eid sale this week"})
        db.session.commit()
    assert "Eid sale this week" in _get(app, "alpha-shop.localhost", "/").get_data(
        as_text=True)

    from tenants import Tenant, platform_scope
    with app.app_context(), platform_scope():
        db.session.get(Tenant, alpha.id).open = False
        db.session.commit()
    closed = _get(app, "alpha-shop.localhost", "/")
    assert "Eid sale this week" not in closed.get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Cookie": "haat_cart=whatever"},
    {"Authorization": "Basic eDp5"},
    {"If-None-Match": '"abc"'},
    {"Range": "bytes=0-10"},
])
def test_personal_or_partial_requests_always_reach_flask(app, shops, flask_calls, headers):
    _get(app, "alpha-shop.localhost", PRODUCT)
    _get(app, "alpha-shop.localhost", PRODUCT, **headers)
    assert flask_calls == [PRODUCT, PRODUCT]


def test_a_visitor_with_a_cart_sees_their_own_cart(app, shops, store_client):
    _get(app, "alpha-shop.localhost", PRODUCT)  # kept for visitors without cookies
    shopper = store_client("alpha-shop")
    page = shopper.get(PRODUCT).get_data(as_text=True)
    product_id = re.search(r'name="product_id" value="(\d+)"', page).group(1)
    assert shopper.post("/cart/add", data={"product_id": product_id, "quantity": "2"},
                        headers={"Origin": "http://alpha-shop.localhost"}).status_code == 303

    page = shopper.get(PRODUCT).get_data(as_text=True)
    assert "data-cart-count>2<" in page
    anonymous = _get(app, "alpha-shop.localhost", PRODUCT).get_data(as_text=True)
    assert "data-cart-count>0<" in anonymous


def test_urls_with_parameters_the_page_does_not_read_are_never_kept(app, shops, flask_calls):
    layer = app.extensions["haat_shared_responses"]
    for n in range(5):
        response = _get(app, "alpha-shop.localhost", f"{PRODUCT}?utm_source=ad{n}")
        assert response.status_code == 200
    assert len(layer) == 0
    assert len(flask_calls) == 5
    # The parameters a page reads, in any order, are kept like the bare URL.
    for _round in range(2):
        _get(app, "alpha-shop.localhost", "/collections/shawls?sort=price-asc&available=1")
    assert len(layer) == 1 and len(flask_calls) == 6


def test_each_encoding_is_kept_apart(app, shops):
    plain = _get(app, "alpha-shop.localhost", PRODUCT)
    gzipped = _get(app, "alpha-shop.localhost", PRODUCT, **{"Accept-Encoding": "gzip"})
    again_plain = _get(app, "alpha-shop.localhost", PRODUCT)
    again_gzipped = _get(app, "alpha-shop.localhost", PRODUCT, **{"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in plain.headers
    assert "Content-Encoding" not in again_plain.headers
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert again_gzipped.headers["Content-Encoding"] == "gzip"
    assert again_gzipped.get_data() == gzipped.get_data()
    assert "Alpha river shawl" in again_plain.get_data(as_text=True)


def test_a_made_up_port_is_served_but_not_kept(app, shops, flask_calls):
    layer = app.extensions["haat_shared_responses"]
    for port in (1, 2):
        assert _get(app, f"alpha-shop.localhost:{port}", PRODUCT).status_code == 200
    assert len(layer) == 0 and len(flask_calls) == 2


# --------------------------------------------------------- across the node's workers
# ``other_worker`` is a second app on the same database and instance dir: another
# gunicorn worker, with its own host cache and responses, sharing the node's file.


def _flask_calls_of(worker, monkeypatch) -> list[str]:
    layer = worker.extensions["haat_shared_responses"]
    calls: list[str] = []
    behind = layer.wsgi_app
    monkeypatch.setattr(layer, "wsgi_app", lambda environ, start: calls.append(
        environ["PATH_INFO"]) or behind(environ, start))
    return calls


@pytest.fixture
def other(other_worker, monkeypatch):
    """The other worker, starting with nothing of its own kept: its finished responses,
    pages and host cache are empty (as in a worker that never served these stores)."""
    other_worker.extensions["haat_shared_responses"]._entries.clear()
    other_worker.extensions["haat_page_cache"]._entries.clear()
    other_worker.extensions["haat_resolver"].invalidate()
    return other_worker


def test_a_response_one_worker_made_is_replayed_by_another_without_flask(
        app, other, shops, monkeypatch):
    first = _get(app, "alpha-shop.localhost", PRODUCT)
    calls = _flask_calls_of(other, monkeypatch)
    with statements_of(other) as sent:
        again = _get(other, "alpha-shop.localhost", PRODUCT)

    assert calls == []  # the other worker never ran Flask for it
    assert len(sent) == 1 and "FROM tenants" in sent[0]  # only: is the store unchanged?
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert "Alpha river shawl" in again.get_data(as_text=True)
    with statements_of(other) as sent:  # now kept in that worker, with its host snapshot
        _get(other, "alpha-shop.localhost", PRODUCT)
    assert sent == [] and calls == []


def test_each_worker_replays_each_store_only_its_own_response(app, other, shops, monkeypatch):
    _get(app, "alpha-shop.localhost", PRODUCT)
    _get(app, "beta-shop.localhost", PRODUCT)
    calls = _flask_calls_of(other, monkeypatch)
    alpha = _get(other, "alpha-shop.localhost", PRODUCT).get_data(as_text=True)
    beta = _get(other, "beta-shop.localhost", PRODUCT).get_data(as_text=True)
    assert "Alpha river shawl" in alpha and "Beta river shawl" not in alpha
    assert "Beta river shawl" in beta and "Alpha river shawl" not in beta
    assert calls == []


def test_a_change_made_through_one_worker_retires_the_others_copy_at_once(
        app, other, shops, monkeypatch):
    alpha, _beta = shops
    _get(app, "alpha-shop.localhost", PRODUCT)
    from core.catalog.models import Product
    with app.app_context(), tenant_scope(alpha.id):
        product = db.session.scalar(db.select(Product).filter_by(handle="river-shawl"))
        product.title = "Alpha monsoon shawl"
        db.session.commit()

    calls = _flask_calls_of(other, monkeypatch)
    page = _get(other, "alpha-shop.localhost", PRODUCT).get_data(as_text=True)
    assert "Alpha monsoon shawl" in page and "Alpha river shawl" not in page
    assert calls == [PRODUCT]  # the store's versions moved on: rendered afresh


def test_a_suspended_store_is_not_served_from_another_workers_copy(app, other, shops):
    alpha, _beta = shops
    assert _get(app, "alpha-shop.localhost", PRODUCT).status_code == 200
    from tenants import Tenant, platform_scope
    with app.app_context(), platform_scope():
        db.session.get(Tenant, alpha.id).status = "suspended"
        db.session.commit()
    answer = _get(other, "alpha-shop.localhost", PRODUCT)
    assert answer.status_code != 200
    assert "Alpha river shawl" not in answer.get_data(as_text=True)


def test_a_shared_copy_is_kept_only_for_the_time_it_has_left(app, other, shops, monkeypatch):
    _get(app, "alpha-shop.localhost", PRODUCT)
    node = other.extensions["haat_shared_responses"].node
    reads: list[str] = []
    real_get = node.get

    def nearly_expired(key):
        reads.append(key)
        found = real_get(key)
        return (found[0], 0.0) if found is not None else None

    monkeypatch.setattr(node, "get", nearly_expired)
    for _ in range(2):
        assert "Alpha river shawl" in _get(other, "alpha-shop.localhost", PRODUCT).get_data(
            as_text=True)
    assert len(reads) == 2  # with no time left, the worker did not keep its own copy


def test_a_corrupt_shared_response_means_rendering(app, other, shops, monkeypatch):
    _get(app, "alpha-shop.localhost", PRODUCT)
    import sqlite3
    from pathlib import Path
    with sqlite3.connect(Path(app.config["HAAT_INSTANCE_DIR"]) / "pages.db") as conn:
        conn.execute("UPDATE responses SET body = x'00ff00ff'")
    calls = _flask_calls_of(other, monkeypatch)
    answer = _get(other, "alpha-shop.localhost", PRODUCT)
    assert answer.status_code == 200 and "Alpha river shawl" in answer.get_data(as_text=True)
    assert calls == [PRODUCT]


def test_compressed_and_plain_copies_are_shared_apart(app, other, shops, monkeypatch):
    gzip = {"Accept-Encoding": "gzip"}
    made_plain = _get(app, "alpha-shop.localhost", PRODUCT)
    made_gzip = _get(app, "alpha-shop.localhost", PRODUCT, **gzip)
    calls = _flask_calls_of(other, monkeypatch)
    plain = _get(other, "alpha-shop.localhost", PRODUCT)
    gzipped = _get(other, "alpha-shop.localhost", PRODUCT, **gzip)
    assert calls == []
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.get_data() == made_gzip.get_data()
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == made_plain.get_data()


def test_a_response_made_from_an_older_page_lives_only_as_long_as_the_page(
        app, other, shops):
    import sqlite3
    import time
    from pathlib import Path
    _get(app, "alpha-shop.localhost", PRODUCT)  # rendered: page and response, 60 s each
    shared_file = Path(app.config["HAAT_INSTANCE_DIR"]) / "pages.db"
    with sqlite3.connect(shared_file) as conn:
        conn.execute("DELETE FROM responses")  # as if only the page had been shared
        conn.execute("UPDATE pages SET expires = ?", (time.time() + 5,))
    answer = _get(other, "alpha-shop.localhost", PRODUCT)  # Flask, page from the file
    assert "Alpha river shawl" in answer.get_data(as_text=True)
    with sqlite3.connect(shared_file) as conn:
        (expires,) = conn.execute("SELECT expires FROM responses").fetchone()
    assert expires - time.time() <= 5  # not a fresh 60 s: the page was made earlier
