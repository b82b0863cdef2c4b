"""The plugin's static files (stylesheets, the star input's script), served at
``/reviews/static/`` on store hosts that have reviews switched on."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reviews", __name__, static_folder="static", static_url_path="/reviews/static")
