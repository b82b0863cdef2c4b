"""Who the shopper is, until Haat has shopper accounts: a random token in a cookie.

The cookie is the plugin's own (``haat_wishlist``): host-only (no ``Domain``, so other
stores on the platform never receive it), ``HttpOnly`` (scripts cannot read it),
``SameSite=Lax`` (other sites cannot post with it) and ``Secure`` on HTTPS. The table
keeps only the token's SHA-256, never the token.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import request
from werkzeug.wrappers import Response

COOKIE = "haat_wishlist"
#: 400 days: the longest that browsers keep a cookie. It is set again on each visit to
#: the wishlist, so a shopper who comes back keeps their list.
COOKIE_AGE = 400 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def new_token() -> str:
    """A fresh random token for a shopper who has no wishlist yet."""
    return secrets.token_urlsafe(32)


def request_token() -> str | None:
    """The token in this request's wishlist cookie; ``None`` when it is absent or is not
    one this plugin could have made."""
    token = request.cookies.get(COOKIE, "")
    return token if _TOKEN.match(token) else None


def shopper_key(token: str) -> str:
    """What the table stores for the shopper with ``token``: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def remember(response: Response, token: str) -> Response:
    """Set (or refresh) the wishlist cookie on ``response``."""
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE, path="/", secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response
