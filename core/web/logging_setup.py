"""Log format and level for the app: one line per event, with the store when there is one.

The ``haat`` loggers log at ``HAAT_LOG_LEVEL`` (default ``INFO``). Start-up itself logs
nothing at that level (each plugin loaded is a DEBUG line), so a ``haat`` command prints
only its own output, plus any warning or error; ``HAAT_LOG_LEVEL=DEBUG`` shows more.
"""

from __future__ import annotations

import logging

from flask import Flask, has_request_context

from core.web.tenancy import current_store


class StoreFilter(logging.Filter):
    """Adds ``store`` (the slug or ``-``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        store = current_store() if has_request_context() else None
        record.store = store.slug if store else "-"
        return True


#: The values ``HAAT_LOG_LEVEL`` accepts.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(value: str) -> int:
    """The logging level named by ``HAAT_LOG_LEVEL``; ``ValueError`` for another name."""
    name = value.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"HAAT_LOG_LEVEL must be one of {', '.join(LEVELS)}; got {value!r}")
    return logging.getLevelNamesMapping()[name]


def init_app(app: Flask) -> None:
    """Send the ``haat`` loggers to standard error at ``HAAT_LOG_LEVEL``."""
    level = log_level(app.config.get("HAAT_LOG_LEVEL", "INFO"))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(name)s] store=%(store)s %(message)s"))
    handler.addFilter(StoreFilter())
    logger = logging.getLogger("haat")
    if not any(isinstance(f, StoreFilter) for h in logger.handlers for f in h.filters):
        logger.addHandler(handler)
    logger.setLevel(level)
