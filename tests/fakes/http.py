"""The HTTP side every fake shares: a threaded server on 127.0.0.1 in a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
