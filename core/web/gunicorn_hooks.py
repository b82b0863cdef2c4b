"""What ``gunicorn.conf.py``'s server hooks do (see docs/operations.md, "Starting")."""

from __future__ import annotations

import atexit
import logging
import queue
from logging.handlers import QueueHandler, QueueListener
from typing import Any

from core.web.app import Haat

log = logging.getLogger("haat.gunicorn")


def haat_app(server: Any) -> Haat | None:
    """The Haat app gunicorn serves: the WSGI callable itself, or the app a wrapping
    callable names in its ``flask_app`` attribute; ``None`` for any other app (the
    benchmarks' bare Flask page runs with this configuration too)."""
    served = server.app.wsgi()
    found = served if isinstance(served, Haat) else getattr(served, "flask_app", None)
    return found if isinstance(found, Haat) else None


def warm_master(server: Any) -> None:
    """``when_ready``: warm up the preloaded app before workers are forked."""
    from core.web.warmup import warm_up

    app = haat_app(server) if server.cfg.preload_app else None
    if app is None:
        log.warning("not warmed up: the app is not preloaded or is not Haat's")
        return
    warm_up(app)


def prepare_worker(server: Any, worker: Any) -> None:
    """``post_fork``: forget the master's database pool, queue the access log."""
    from core.web.warmup import after_fork

    app = haat_app(server) if server.cfg.preload_app else None
    if app is not None:
        after_fork(app)
    queue_access_log(worker.log)


def queue_access_log(glogger: Any) -> QueueListener | None:
    """Route gunicorn's access log through a queue written by a background thread.

    gunicorn writes each access line on the request's own thread after the response;
    on a busy pipe or disk that write waits, and so does the next request on the
    connection. Here the request thread only formats the line and puts it on a queue.
    Returns the listener (``None`` when access logging is off)."""
    access = getattr(glogger, "access_log", None)
    handlers = list(access.handlers) if access is not None else []
    if not handlers or not glogger.cfg.accesslog:
        return None
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = QueueListener(lines, *handlers, respect_handler_level=True)
    access.handlers = [QueueHandler(lines)]
    listener.start()
    atexit.register(listener.stop)  # flush what is queued when the worker exits
    return listener
