"""The documented limits hold for the whole node, not per gunicorn worker.

Gunicorn runs with two workers on a free port against the test database, with no
REDIS_URL: the counts must be shared through the default storage (one SQLite file in
the instance directory). Each response names its worker (tests/worker_pid_wsgi.py), so
the test also proves that both workers took part.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: How long gunicorn may take to answer /healthz at start-up.
START_TIMEOUT = 60
#: Attempts the test may make to reach both workers before it gives up.
MAX_ATTEMPTS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A running gunicorn; ``request`` sends one request on a fresh connection."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, host: str, path: str, body: str = "",
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"{host}:{self.port}", "Connection": "close", **(headers or {})}
        if body:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=sent)
        response = conn.getresponse()
        response.text = response.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
        conn.close()
        return response


def gunicorn_env(app, tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a test gunicorn on the test database: two workers, a fresh
    instance folder, no Redis (limits in the per-node default storage), plus ``extra``."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("REDIS_URL", "HAAT_RATELIMIT_STORAGE", "HAAT_RATELIMIT_LOGIN")}
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HAAT_INSTANCE_DIR": str(tmp_path / "instance"),
        "HAAT_PLATFORM_DOMAIN": "localhost",
        "HAAT_JOBS": "immediate",
        "HAAT_ENV": "development",
        "HAAT_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "HAAT_THREADS": "2",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
        **extra,
    })
    return env


@pytest.fixture
def two_workers(app, tmp_path) -> Iterator[Gunicorn]:
    """gunicorn -w 2 on the test database, limits in its default (per-node) storage."""
    port = _free_port()
    env = gunicorn_env(app, tmp_path, port)
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
         "--workers", "2", "worker_pid_wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Gunicorn(port)
    try:
        _wait_until_up(server, process, tmp_path / "gunicorn.log")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_until_up(server: Gunicorn, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()}")
        try:
            if server.request("GET", "localhost", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)  # polling for start-up only; nothing is asserted on timing
    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")


def _csrf_and_cookie(server: Gunicorn, host: str, path: str = "/admin/login"
                     ) -> tuple[str, str]:
    page = server.request("GET", host, path)
    assert page.status == 200, page.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "the form carries a CSRF token"
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    return token.group(1), cookie


def test_sign_in_limit_holds_across_two_workers(two_workers, make_store):
    """10 wrong passwords a minute in total, whichever worker each one reaches."""
    make_store("guarded-shop")
    host = "guarded-shop.localhost"
    token, cookie = _csrf_and_cookie(two_workers, host)
    form = urlencode({"csrf_token": token, "email": "owner@guarded-shop.example",
                      "password": "not-the-password"})
    statuses: list[int] = []
    workers: set[str] = set()
    # Keep guessing until both workers have answered (and well past the limit).
    while len(statuses) < 25 or len(workers) < 2:
        assert len(statuses) < MAX_ATTEMPTS, "the requests never reached a second worker"
        response = two_workers.request("POST", host, "/admin/login", form,
                                       {"Cookie": cookie})
        statuses.append(response.status)
        workers.add(response.getheader("X-Test-Worker"))
    assert set(statuses) <= {422, 429}, statuses
    # Per worker, each would let 10 through: more than 10 wrong passwords checked.
    assert statuses.count(422) == 10, statuses
    assert statuses[:10] == [422] * 10 and set(statuses[10:]) == {429}


def test_another_store_keeps_its_own_sign_in_limit(two_workers, make_store):
    """One store's guessing does not use up another store's sign-in limit."""
    make_store("noisy-shop")
    make_store("quiet-shop")
    for slug, tries in (("noisy-shop", 12), ("quiet-shop", 3)):
        host = f"{slug}.localhost"
        token, cookie = _csrf_and_cookie(two_workers, host)
        form = urlencode({"csrf_token": token, "email": f"owner@{slug}.example",
                          "password": "not-the-password"})
        statuses = [two_workers.request("POST", host, "/admin/login", form,
                                        {"Cookie": cookie}).status for _ in range(tries)]
        expected = [422] * min(tries, 10) + [429] * max(tries - 10, 0)
        assert statuses == expected, (slug, statuses)


def test_order_lookup_limit_holds_across_two_workers(two_workers, make_store):
    """The order lookup's 10 a client an hour hold in total (other addresses each time,
    so only the per-client limit is in play)."""
    make_store("lookup-shop")
    host = "lookup-shop.localhost"
    token, cookie = _csrf_and_cookie(two_workers, host, "/orders/lookup")
    statuses: list[int] = []
    workers: set[str] = set()
    while len(statuses) < 20 or len(workers) < 2:
        assert len(statuses) < MAX_ATTEMPTS, "the requests never reached a second worker"
        form = urlencode({"csrf_token": token, "number": "1001",
                          "contact": f"guess{len(statuses)}@example.com"})
        response = two_workers.request("POST", host, "/orders/lookup", form,
                                       {"Cookie": cookie})
        statuses.append(response.status)
        workers.add(response.getheader("X-Test-Worker"))
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}, statuses
