"""The HTTP side every fake shares: a threaded server on 127.0.0.1 in a daemon thread."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout) leaves a broken pipe: not worth a traceback."""


class LocalServer:
    """A fake's listening socket. The first start picks a free port; a later start
    (after :meth:`stop`, e.g. a fake service "coming back") listens on the same one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.address: tuple[str, int] = ("127.0.0.1", 0)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, handler: type[BaseHTTPRequestHandler]) -> None:
        """Serve ``handler`` until :meth:`stop`."""
        server = _QuietServer(self.address, handler)
        self.address = server.server_address[:2]  # type: ignore[assignment]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True,
                                        name=self.name)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (clients get "connection refused") and wait for the thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class LocalFake:
    """What every fake service does with its listening socket: start and stop (also as
    a context manager), and go down and come back on the same port.

    A subclass sets ``handler`` (a ``BaseHTTPRequestHandler`` that finds the fake as
    ``self.server_fake``) and creates ``self._http = LocalServer(name)``.
    """

    handler: type[BaseHTTPRequestHandler]
    _http: LocalServer

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> Any:
        fake = self

        class Handler(self.handler):  # type: ignore[name-defined, misc]
            server_fake = fake

        self._http.start(Handler)
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def go_down(self) -> None:
        """Stop accepting connections (clients get "connection refused"); data stays."""
        self._http.stop()

    def come_back(self) -> None:
        """Listen again, on the same port, with the data kept."""
        if not self._http.running:
            self.start()


class _HoldingHandler(BaseHTTPRequestHandler):
    """Answers a :class:`HoldingFake`'s requests: reads the body, waits while the fake
    is hung, asks the fake's ``answer``, and drops the connection when told to."""

    server_fake: HoldingFake

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the fake's ``requests`` list instead."""

    def _answer(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        drop = fake._hold()
        try:
            try:
                status, headers, data = fake.answer(self.command, urlsplit(self.path).path,
                                                    self.headers, body)
            except Exception as exc:  # a bug in the fake: say so instead of dropping
                status, headers, data = fake.bug_answer(exc)
            if drop:
                self.close_connection = True
                return
            with contextlib.suppress(OSError):  # the client may have timed out
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        finally:
            fake._done()

    do_GET = do_POST = do_PUT = do_DELETE = _answer


class HoldingFake(LocalFake):
    """A fake whose requests can be held (the client times out) or have their
    connection dropped after they were processed: an answer that never arrives.

    The subclass calls :meth:`_start_holding` with its lock in ``__init__`` and
    implements :meth:`answer` and :meth:`bug_answer`; the shared handler does the rest.
    """

    lock: Any
    handler = _HoldingHandler

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """``(status, response headers, body)`` for one request."""
        raise NotImplementedError

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        """What the service would say to a request the fake itself failed on."""
        raise NotImplementedError

    def _start_holding(self, lock: Any) -> None:
        self._drops = 0
        self._released = threading.Event()
        self._released.set()
        self._in_flight = 0
        self._idle = threading.Condition(lock)

    def stop(self) -> None:
        self.release()
        super().stop()

    def hang(self) -> None:
        """Leave requests unanswered until :meth:`release` (clients time out)."""
        self._released.clear()

    def release(self, timeout: float = 5) -> None:
        """Let held requests go on, and wait until they are processed."""
        self._released.set()
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def drop_next(self) -> None:
        """Process the next request, then close its connection without an answer."""
        with self.lock:
            self._drops += 1

    def _hold(self) -> bool:
        """Wait while hung; True when this request's connection must be dropped."""
        with self.lock:
            self._in_flight += 1
        self._released.wait(timeout=30)
        with self.lock:
            drop = self._drops > 0
            self._drops -= 1 if drop else 0
            return drop

    def _done(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()
