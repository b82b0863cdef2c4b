"""``haat products export`` and ``haat products import``: the CSV tools on the command line."""

from __future__ import annotations

from flask.cli import AppGroup

products_group = AppGroup("products", help="Export and import a store's products as CSV.")
