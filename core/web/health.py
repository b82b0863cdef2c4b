"""``/healthz``: answers on every host, including unknown ones (load balancer probes)."""

from __future__ import annotations

import time

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the database answers, as JSON: 200 when healthy, 503 when not."""
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "degraded", "database": database,
            "database_ms": elapsed_ms}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
