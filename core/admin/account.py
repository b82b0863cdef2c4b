"""Signing in without a password: accepting an invitation, resetting a forgotten password,
and the signed-in person's own account page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_account", __name__, url_prefix="/admin")
