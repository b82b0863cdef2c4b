"""Flask extension singletons, initialised in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from core.db import db
from core.web import limit_storage  # noqa: F401 (registers the haat-sqlite:// storage)
from core.web.client_address import client_address

migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address, default_limits=[], strategy="moving-window")

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate"]
