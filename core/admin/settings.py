"""Store settings at ``/admin/settings`` (owners only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_settings", __name__, url_prefix="/admin/settings")
