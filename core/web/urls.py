"""Absolute URLs for a store's host, built from the current request's scheme and port."""

from __future__ import annotations

from flask import current_app, request


def _port_suffix() -> str:
    host = request.host
    if host.startswith("["):
        host = host.split("]", 1)[1]
    port = host.rpartition(":")[2] if ":" in host else ""
    return f":{port}" if port.isdigit() and port not in ("80", "443") else ""


def store_url(slug: str, path: str = "/") -> str:
    """``http://<slug>.<platform domain>[:port]<path>`` for the current request."""
    domain = current_app.config["HAAT_PLATFORM_DOMAIN"]
    return f"{request.scheme}://{slug}.{domain}{_port_suffix()}{path}"


def platform_url(path: str = "/") -> str:
    """The platform's own URL, for links from a store back to Haat."""
    domain = current_app.config["HAAT_PLATFORM_DOMAIN"]
    return f"{request.scheme}://{domain}{_port_suffix()}{path}"
