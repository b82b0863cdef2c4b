"""CSRF protection that signs nothing for a visitor who has no session yet.

Flask-WTF's token lives in the session: issuing it to every first visitor would give
each one a signed session cookie, and a cached page would cost a signature per view.
So on a store's shopper pages (not ``/admin``):

* A visitor whose session holds a CSRF token (it was issued once they had state: a
  cart, a message, a sign-in) must send it with every POST, exactly as before.
* A visitor without one (a first visit, a crawler) gets an empty ``csrf_token`` field
  on the cached pages (:func:`field_value`); pages rendered for one request issue the
  token as before (:func:`issued_value`). A POST of a visitor without a token is
  accepted only when the browser says it comes from this very origin:
  ``Sec-Fetch-Site: same-origin``; else an ``Origin`` equal to the request's own
  scheme and host; else (neither header sent, older browsers) a ``Referer`` on this
  origin. Anything else, no header at all included, is refused as a forged form.

Why this protects as much as the token: a visitor without a session has no state an
attacker could act on; what is left is creating state cross-site (filling a stranger's
cart), and a browser cannot be made to send a cross-site POST that claims this origin.
A token is issued on the first page drawn once the visitor has state, and from then on
it is required (``docs/operations.md``, "CSRF protection").

The store's admin and the platform's pages keep the token alone (their pages are never
cached and issue it). Views marked with ``called_by_servers`` (``core.sdk.csrf_exempt``)
stay exempt. ``WTF_CSRF_ENABLED = False`` (the tests' default) turns all of it off.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFError, generate_csrf

from core.extensions import csrf

#: What :func:`field_value` decided for this request: a page shows one token or none.
_DECIDED = "haat_csrf_value"
#: ``[raw token, signed token]`` in the session: signing costs ~80 µs, a tenth of a
#: cached page, so it is done once per session instead of on every page. The holder of
#: the session cookie can read the raw token in it anyway; the signed one adds nothing.
SIGNED_KEY = "haat_csrf_signed"


def _field_name() -> str:
    return str(current_app.config["WTF_CSRF_FIELD_NAME"])


def has_token() -> bool:
    """Whether this visitor's session holds a CSRF token (then every POST needs it)."""
    return _field_name() in session


def field_value() -> str:
    """The ``csrf_token`` field of a cached page (and of ``/cart.json``) for this
    visitor: the signed token once they have a session (issuing it then if needed),
    ``""`` before. Decided once per request, so every form of one page agrees."""
    decided = g.get(_DECIDED)
    if decided is None:
        decided = _signed_token() if session else ""
        setattr(g, _DECIDED, decided)
    return decided


def issued_value() -> str:
    """The ``csrf_token`` field of a page rendered for this request alone (the cart,
    checkout, sign-in, a plugin's page): the token, issued now if the visitor has none.
    Such pages are not served from the cache, so they may spend the signature, and their
    forms then never depend on the origin check (some are sent with
    ``Referrer-Policy: no-referrer``, under which older browsers send ``Origin: null``)."""
    decided = g.get(_DECIDED)
    if not decided:
        decided = _signed_token()
        setattr(g, _DECIDED, decided)
    return decided


def _signed_token() -> str:
    """The session's signed token: the one kept in it, else a fresh signature (kept).
    Only kept while tokens never expire (``WTF_CSRF_TIME_LIMIT = None``)."""
    name = _field_name()
    if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return str(generate_csrf())
    raw, kept = session.get(name), session.get(SIGNED_KEY)
    if raw and isinstance(kept, list) and len(kept) == 2 and kept[0] == raw:
        setattr(g, name, kept[1])  # generate_csrf() returns it too for the rest of the request
        return str(kept[1])
    signed = str(generate_csrf())
    session[SIGNED_KEY] = [session[name], signed]
    return signed


def _own_origin() -> str:
    return f"{request.scheme}://{request.host}".lower()


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_own_origin() -> bool:
    """Whether the browser says this request comes from a page of this very origin."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() == _own_origin()  # "null" (a sandboxed frame) never matches
    referrer = request.headers.get("Referer")
    return referrer is not None and _origin_of(referrer) == _own_origin()


def _is_shopper_request() -> bool:
    from core.admin.language import is_admin_request
    from core.web.tenancy import current_store

    return current_store() is not None and not is_admin_request()


def protect() -> None:
    """``before_request``: Flask-WTF's token check, or for a shopper without a session
    token, the origin check (see the module's docstring)."""
    config = current_app.config
    if not config["WTF_CSRF_ENABLED"] or request.method not in config["WTF_CSRF_METHODS"]:
        return
    if not request.endpoint or csrf._is_exempt():
        return
    if has_token() or not _is_shopper_request():
        csrf.protect()
        return
    if not from_own_origin():
        raise CSRFError("The request does not come from this store's pages.")
    g.csrf_valid = True  # Flask-WTF forms then skip their own token check


def init_app(app: Flask) -> None:
    """Install :func:`protect` in place of Flask-WTF's default check, after tenancy
    (which runs first) so that the request's store is known."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(protect)
