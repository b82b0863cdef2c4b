"""Who may show Haat's pages in a frame: the same origin only.

Every response says so twice, for old and new browsers: ``X-Frame-Options: SAMEORIGIN``
and ``Content-Security-Policy: frame-ancestors 'self'``. Another site can therefore
never frame a store's admin, checkout or account pages (clickjacking), while the
admin's theme editor may show the store's own storefront in its preview frame: the
admin and the storefront of a store share one host. A view that sets its own values
keeps them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

FRAME_OPTIONS = "SAMEORIGIN"
FRAME_ANCESTORS = "frame-ancestors 'self'"


def same_origin_framing(response: Response) -> Response:
    """``after_request``: allow framing by the same origin only."""
    response.headers.setdefault("X-Frame-Options", FRAME_OPTIONS)
    policy = response.headers.get("Content-Security-Policy")
    if not policy:
        response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
    elif "frame-ancestors" not in policy:
        response.headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; {FRAME_ANCESTORS}"
    return response


def init_app(app: Flask) -> None:
    app.after_request(same_origin_framing)
