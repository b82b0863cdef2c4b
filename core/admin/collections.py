"""Collections at ``/admin/collections``: create, edit, order products, delete."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_collections", __name__, url_prefix="/admin/collections")
