"""CSV export and import of products at ``/admin/products/export`` and ``/import``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_product_io", __name__, url_prefix="/admin/products")
