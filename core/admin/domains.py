"""Custom domains at ``/admin/settings/domains`` (owners only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_domains", __name__, url_prefix="/admin/settings/domains")
