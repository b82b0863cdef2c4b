"""gunicorn settings for production, as ``make run`` serves. Every value can be overridden
on the command line or by the environment variables named here (docs/operations.md).

Chosen so that no request waits on server housekeeping (measured in
``bench/storefront_tail.py``):

- The app is built and warmed up once in the master (``preload_app``, then
  :func:`core.web.warmup.warm_up`): a worker forked from it starts with compiled
  templates and SQL, so a new or replaced worker is fast from its first request.
- No access log by default: the reverse proxy in front (nginx) logs every request.
  ``HAAT_ACCESS_LOG`` (a path, or ``-`` for stdout) turns it on, written by a thread from
  a queue so that a slow disk or pipe never holds a request.
- Workers are not recycled by default. Every cache in a worker is bounded, so memory
  does not creep; ``HAAT_MAX_REQUESTS`` turns recycling back on, and a recycled worker
  is forked warm.
"""

import multiprocessing
import os

bind = os.environ.get("HAAT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
threads = int(os.environ.get("HAAT_THREADS", "2"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
preload_app = True
max_requests = int(os.environ.get("HAAT_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("HAAT_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Warm the preloaded app in the master, before any worker is forked."""
    from core.web.gunicorn_hooks import warm_master

    warm_master(server)


def post_fork(server, worker):
    """A worker forgets the master's database pool and logs access lines from a queue."""
    from core.web.gunicorn_hooks import prepare_worker

    prepare_worker(server, worker)
