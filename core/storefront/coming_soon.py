"""A store that is not open yet: every shopper page answers its "coming soon" page.

Until the owner opens the store (Settings -> Store status), each of its storefront
addresses (home, products, cart, checkout, search, accounts, plugins' pages, unknown
paths) answers the theme's ``storefront/coming_soon.html`` in the shopper's language:
the store's name, the owner's message, the contact details and, once the owner has set
a password, a password form. The address stays as it was (no redirect), so a shopper
who types the password lands on the page they asked for.

Who gets past
    * the store's signed-in staff (a staff session only ever speaks for its own store),
      who see the store as shoppers will, under a bar "Your store is not open yet";
    * a browser whose shopper typed the password: its session remembers this store
      and the password's fingerprint (``Tenant.entry_stamp``), so a new password, or
      none, shuts every such browser out again. Tries are counted per store and client
      address (``RATELIMIT_STOREFRONT_PASSWORD``);
    * what must keep working for everyone: ``/admin``, the routes other servers call
      (payment and courier webhooks, marked by ``core.sdk.csrf_exempt``), ``/healthz``,
      static files (``/assets``, ``/static``, ``/media``), ``robots.txt``, and an
      order's own pages and unsubscribe links from messages sent while it was open.

For crawlers
    The page answers ``503 Service Unavailable`` with ``Retry-After`` (a day), and
    ``X-Robots-Tag: noindex`` plus ``<meta name="robots" content="noindex">``. Search
    engines neither index a 503 page nor drop the pages they know after a short
    closing, which a ``200`` placeholder would replace. Shopify instead redirects
    every address to ``/password`` (``302``, and that page answers ``200``), which
    search engines read as the pages having moved. ``robots.txt`` stays readable
    (a ``Disallow`` would stop crawlers from ever reading the ``noindex``) but names no
    sitemap, and the sitemap itself is behind the page. Pages shown to staff and to
    shoppers with the password carry ``noindex`` and are kept by no cache.

The page cache (:mod:`core.storefront.page_cache`) stores nothing while a store is
closed, and its key holds the store's snapshot with ``open``: the real pages are never
served from it to a shopper of a closed store, nor is the coming-soon page ever in it.
"""

from __future__ import annotations

from flask import Flask, current_app, g, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse_many
from werkzeug.wrappers import Response

from core.db import db
from core.store_status import MAX_PASSWORD, storefront_password_matches
from core.storefront.context import current_theme, storefront_context
from core.storefront.views import bp
from core.theming.loader import theme_template
from core.web.allowance import use_allowance
from core.web.client_address import client_address
from core.web.server_routes import request_is_from_servers
from core.web.tenancy import current_store
from tenants.models import Tenant
from tenants.resolution import StoreRef

#: Where a browser let in with the password keeps ``"<store id>:<entry stamp>"``.
ENTRY_KEY = "haat_entry"
#: Seconds a crawler is asked to wait before it comes back.
RETRY_AFTER = 24 * 3600
#: Endpoints a closed store still serves to everyone (besides /admin and the routes
#: other servers call).
ALWAYS_SERVED = frozenset({
    "storefront.coming_soon_password", "storefront.media", "storefront.favicon",
    "storefront.robots", "storefront.order_status", "storefront.order_pay",
    "storefront.order_return", "accounts.unsubscribe",
})
#: ``g`` flags: a shopper page of a closed store, and a staff member looking at one.
CLOSED_PAGE = "haat_closed_store_page"
STAFF_PREVIEW = "haat_staff_preview"


def _is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def _let_in(store: StoreRef) -> bool:
    """True when this browser typed the store's current password."""
    return bool(store.entry_stamp) and session.get(ENTRY_KEY) == f"{store.id}:{store.entry_stamp}"


def _safe_next(target: str | None) -> str:
    """A path on this store's host to go on to, else the home page."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _asked_path() -> str:
    """Where the shopper meant to go: this page for a GET, else the home page (a form
    posted to a closed store is not sent again, and ``/password`` is the form's own)."""
    if request.method not in ("GET", "HEAD") or request.path == "/password":
        return "/"
    return request.full_path.rstrip("?") if request.query_string else request.path


def coming_soon_page(status: int = 503, *, error: str = "", next_path: str = "/",
                     retry_after: int = RETRY_AFTER) -> Response:
    """The store's coming-soon page, in the shopper's language (``retry_after``: the
    seconds a 503 or 429 asks the client to wait)."""
    store = current_store()
    theme = current_theme()
    body = render_template(
        theme_template(theme.name, "storefront/coming_soon.html"),
        **storefront_context(), store=store, has_password=bool(store.entry_stamp),
        error=error, next_path=next_path)
    response = Response(body, status=status, mimetype="text/html")
    if status in (429, 503):
        response.headers["Retry-After"] = str(retry_after)
    response.headers["X-Robots-Tag"] = "noindex"
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


def _gate() -> Response | None:
    store = current_store()
    if store is None or store.open:
        return None
    if (_is_admin_path(request.path) or request.endpoint in ALWAYS_SERVED
            or request_is_from_servers()):
        return None
    setattr(g, CLOSED_PAGE, True)
    if current_user.is_authenticated:  # the staff of this store only (core.admin.auth)
        setattr(g, STAFF_PREVIEW, True)
        return None
    if _let_in(store):
        return None
    return coming_soon_page(next_path=_asked_path())


def _closed_store_headers(response: Response) -> Response:
    """What staff and shoppers with the password see of a closed store is for them
    alone: no search engine lists it and no cache keeps it."""
    if g.get(CLOSED_PAGE):
        response.headers["X-Robots-Tag"] = "noindex"
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.no_store = True
        response.cache_control.private = True
    return response


@bp.post("/password")
def coming_soon_password() -> Response:
    """The coming-soon page's form: the right password lets this browser in."""
    store = current_store()
    target = _safe_next(request.form.get("next"))
    if store.open or _let_in(store):
        return redirect(target, 303)
    password = request.form.get("password", "").strip()  # the admin trims it too
    if not password:
        return coming_soon_page(422, error=_("Enter the password."), next_path=target)
    limits = parse_many(current_app.config["RATELIMIT_STOREFRONT_PASSWORD"])
    if not use_allowance(limits, "haat-storefront-password", str(store.id),
                         client_address()):
        return coming_soon_page(429, error=_("Too many tries. Please wait a few minutes "
                                             "and try again."), next_path=target,
                                retry_after=max(limit.get_expiry() for limit in limits))
    tenant = db.session.get_one(Tenant, store.id)
    # No password is longer than the admin accepts: such a try is not worth hashing.
    if len(password) > MAX_PASSWORD or not storefront_password_matches(tenant, password):
        return coming_soon_page(422, error=_("That is not the password. Please check it "
                                             "and try again."), next_path=target)
    session[ENTRY_KEY] = f"{store.id}:{tenant.entry_stamp}"
    return redirect(target, 303)


def staff_preview() -> bool:
    """Template global: the signed-in staff are looking at their store before it opens
    (the layout shows them the "not open yet" bar)."""
    return bool(g.get(STAFF_PREVIEW))


def init_app(app: Flask) -> None:
    """Put the coming-soon page in front of closed stores' pages (after the host has
    been resolved and plugins' own gates have run)."""
    app.before_request(_gate)
    app.after_request(_closed_store_headers)
    app.add_template_global(staff_preview, "staff_preview")
