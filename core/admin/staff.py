"""The store's staff at ``/admin/staff`` (owners only): invite, change role, remove."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_staff", __name__, url_prefix="/admin/staff")
