"""Log format for the app: one line per event, with the store when there is one."""

from __future__ import annotations

import logging

from flask import Flask, g, has_request_context


class StoreFilter(logging.Filter):
    """Adds ``store`` (the slug or ``-``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        store = g.get("store") if has_request_context() else None
        record.store = store.slug if store else "-"
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(name)s] store=%(store)s %(message)s"))
    handler.addFilter(StoreFilter())
    logger = logging.getLogger("haat")
    if not any(isinstance(f, StoreFilter) for h in logger.handlers for f in h.filters):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
