"""Products at ``/admin/products``: list, create, edit, delete, variants and images."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_products", __name__, url_prefix="/admin/products")
