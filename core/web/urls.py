"""Absolute URLs for a store's host, built from the current request's scheme and port,
and cheap URLs of routes a page links to many times (:func:`url_with`)."""

from __future__ import annotations

import re

from flask import current_app, g, request, url_for


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


#: Values that ``url_for`` puts in a path as they are: URL quoting leaves these
#: characters alone (werkzeug's converters quote everything else).
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.~/-]+\Z")
_PROBE = "haat-url-probe"


def url_with(endpoint: str, name: str, value: str) -> str:
    """``url_for(endpoint, **{name: value})`` for a route whose only argument is the
    string (or path) ``name``, at a fraction of the cost on pages with dozens of links.

    The request's URL of ``endpoint`` is built once (``url_for`` with a probe value,
    so URL defaults such as a preview's argument are kept) and the value put in its
    place; a value that URL quoting would change goes through ``url_for`` itself.
    """
    if not _PLAIN_VALUE.match(value):
        return url_for(endpoint, **{name: value})
    built = g.get("haat_url_templates")
    if built is None:
        built = g.haat_url_templates = {}
    parts = built.get(endpoint)
    if parts is None:
        before, _, after = url_for(endpoint, **{name: _PROBE}).partition(_PROBE)
        parts = built[endpoint] = (before, after)
    return parts[0] + value + parts[1]
