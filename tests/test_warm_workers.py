"""Workers start warm, and the production server keeps housekeeping off the request path.

``gunicorn.conf.py`` preloads the app in the master and warms it up there
(:mod:`core.web.warmup`), so a forked worker's first request compiles no template. The
access log, when switched on, is written from a queue (:mod:`core.web.gunicorn_hooks`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from test_limits_across_workers import (
    START_TIMEOUT,
    Gunicorn,
    _free_port,
    _wait_until_up,
    gunicorn_env,
)

from core import create_app
from core.web.warmup import warm_up

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = "/products/warm-kantha"


@pytest.fixture
def fresh_app(app: Flask) -> Iterator[Flask]:
    """A second app on the test database, as a new process would build it: nothing
    compiled, nothing cached."""
    fresh = create_app({key: app.config[key] for key in (
        "TESTING", "HAAT_ENV", "SQLALCHEMY_DATABASE_URI", "HAAT_INSTANCE_DIR", "HAAT_MEDIA_DIR",
        "HAAT_PLATFORM_DOMAIN", "WTF_CSRF_ENABLED", "HAAT_JOBS", "HAAT_SIGNUP_CHALLENGE")})
    yield fresh
    with fresh.app_context():
        from core.db import db

        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def warm_store(make_store, add_product) -> str:
    tenant = make_store("warm-shop", name="Warm Shop")
    add_product(tenant, "warm-kantha", price=2500, collection="quilts")
    return "warm-shop.localhost"


def _compiles_during(app: Flask, host: str, path: str) -> list[str]:
    """The templates Jinja compiles while ``app`` serves ``path``."""
    compiled: list[str] = []
    original = app.jinja_env.compile

    def counting(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(source, name, filename, *args, **kwargs)

    app.jinja_env.compile = counting  # type: ignore[method-assign]
    try:
        response = app.test_client().get(path, headers={"Host": host})
    finally:
        del app.jinja_env.compile
    assert response.status_code == 200
    assert "Warm Shop" in response.get_data(as_text=True)
    return compiled


def test_a_cold_app_compiles_templates_on_its_first_page(fresh_app, warm_store):
    assert _compiles_during(fresh_app, warm_store, PRODUCT)


def test_after_warming_up_a_first_page_compiles_nothing(fresh_app, warm_store):
    report = warm_up(fresh_app)

    assert report.failures == []
    assert report.templates > 100  # every theme's and the admin's templates
    assert report.pages == 15  # 3 languages x (home, all products, cart, a product, sign-in)
    assert _compiles_during(fresh_app, warm_store, PRODUCT) == []
    assert _compiles_during(fresh_app, warm_store, "/collections/quilts?lang=bn") == []


def test_warming_up_leaves_no_page_cached_and_no_connection_open(fresh_app, warm_store):
    from core.db import db

    warm_up(fresh_app)

    with fresh_app.app_context():
        assert all(engine.pool.checkedout() == 0 and engine.pool.checkedin() == 0
                   for engine in db.engines.values())
    assert not fresh_app.extensions["haat_page_cache"]._entries  # emptied


def test_warming_up_an_empty_platform_compiles_templates_only(fresh_app):
    report = warm_up(fresh_app)
    assert report.failures == [] and report.pages == 0 and report.templates > 100


@pytest.fixture
def production_server(app, tmp_path) -> Iterator[tuple[Gunicorn, Path, Path]]:
    """gunicorn with the project's gunicorn.conf.py as production runs it (preloaded,
    warmed up), two workers, the access log switched on into a file."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = gunicorn_env(app, tmp_path, port, HAAT_ACCESS_LOG=str(access_log))
    server_log = tmp_path / "gunicorn.log"
    with server_log.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
             "worker_pid_wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Gunicorn(port)
        try:
            _wait_until_up(server, process, server_log)
            yield server, server_log, access_log
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for_line(path: Path, text: str) -> str:
    """The file's content once it holds ``text`` (the queue writes from a thread)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        content = path.read_text() if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)  # polling a file another thread writes; nothing timed is asserted
    pytest.fail(f"{text!r} never reached {path}")


def test_production_config_warms_the_master_and_queues_the_access_log(
        warm_store, production_server):
    server, server_log, access_log = production_server
    for _attempt in range(5):
        response = server.request("GET", "warm-shop.localhost", PRODUCT)
        assert response.status == 200
        assert "Warm Shop" in response.text

    log = _wait_for_line(server_log, "Booting worker")
    deadline = time.monotonic() + START_TIMEOUT
    while log.count("Booting worker") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the second worker logs its start itself, just after the fork
        log = server_log.read_text()
    assert "warmed up in" in log and "15 pages" in log
    assert "not warmed up" not in log and "Traceback" not in log
    assert log.count("Booting worker") == 2  # both forked (which one answers is gunicorn's)
    assert log.index("warmed up in") < log.index("Booting worker")  # before any fork
    assert f"GET {PRODUCT}" in _wait_for_line(access_log, f"GET {PRODUCT}")
