"""Wiring the database into the app: engine options, SQLite pragmas, migrations.

Flask-Migrate reads core's ``migrations`` folder. The plugin host adds every installed
plugin's revisions folder to Alembic's ``version_locations`` when it sets up
(``core.pluginhost.migrations.install``), so ``haat db upgrade`` migrates core and each
plugin's branch; this module knows nothing of plugins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.config import PROJECT_ROOT
from core.db import db
from core.extensions import migrate

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def init_app(app: Flask) -> None:
    """Create the engine, and point Flask-Migrate at the project's migrations."""
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.setdefault("connect_args", {"timeout": 30})
        # A local file never drops a connection; pre-ping would add a query per request.
        options["pool_pre_ping"] = False
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    # Models must be imported so that metadata (and Alembic) sees every table.
    import core.models  # noqa: F401
