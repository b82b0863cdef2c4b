"""The store's own pages (policies, about, contact) at ``/admin/pages``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_pages", __name__, url_prefix="/admin/pages")
