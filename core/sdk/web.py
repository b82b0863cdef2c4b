"""A plugin's own routes: the request's store and language, pages in the store's theme,
CSRF fields and messages for the shopper.

This is the services layer of the SDK: it calls down into Haat's core, which plugins
never import themselves. Every function here needs a request on a store's host, except
:func:`current_locale`, which also answers in jobs and commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from core.i18n import normalise_locale
from core.sdk.store import ShopperIdentity, StoreInfo

__all__ = ["csrf_exempt", "csrf_input", "current_locale", "current_store", "flash_message",
           "owner_required", "rate_limit", "render_admin_page", "render_page"]

F = TypeVar("F", bound=Callable[..., Any])

#: The blocks every theme's storefront layout offers a plugin page (``docs/plugin-pages.md``).
LAYOUT_BLOCKS: tuple[str, ...] = ("title", "meta", "full_bleed", "main", "heading", "content")
#: ``flash_message`` kinds: how the theme colours the message.
FLASH_KINDS: tuple[str, ...] = ("success", "error")


def _store_request(what: str) -> Any:
    """The request's ``StorePlugins``; a clear ``RuntimeError`` anywhere else."""
    from core.pluginhost.web import plugins_for_request

    if not has_request_context():
        raise RuntimeError(
            f"core.sdk.{what}() needs a request on a store's host; a job gets its store "
            "as its first argument and a hook as `store`")
    plugins = plugins_for_request()
    if plugins is None:
        raise RuntimeError(f"core.sdk.{what}(): this request is not for a store "
                           f"({request.host} is the platform's host)")
    return plugins


def current_store() -> StoreInfo:
    """The store of this request, as hooks receive it (also ``flask.g.store``).

    Use it in a plugin's routes: ``get_products(current_store(), ids)``,
    ``current_store().plugin_settings("my-plugin")``. Raises ``RuntimeError`` outside a
    request or on the platform's own host.
    """
    return _store_request("current_store").info


def current_locale() -> str:
    """The language to show things in: ``"en"``, ``"bn"`` or ``"hy"``.

    On storefront pages (a plugin's own included) it is the shopper's choice
    (``?lang=``, then their cookie), else the store's default; on ``/admin`` pages
    (a plugin's own included), the signed-in staff member's admin language, else the
    store's default, and English where the admin is not translated. Inside
    ``flask_babel.force_locale(code)`` (e.g. an email in the customer's language) it is
    ``code``. In jobs and commands it is the store's default language (of the store in
    scope), and ``"en"`` with no store at all.
    """
    forced = getattr(g.get("_flask_babel"), "forced_babel_locale", None) if g else None
    if forced is not None:
        return normalise_locale(str(forced))
    if has_request_context():
        # Asked for every translated word; the answer cannot change within a request.
        if _LOCALE_KEY not in g:
            setattr(g, _LOCALE_KEY, _request_locale())
        return getattr(g, _LOCALE_KEY)
    return _scope_default_locale()


def current_shopper() -> ShopperIdentity | None:
    """The shopper signed in on this storefront request, or ``None`` (a guest, an admin
    page, a job). Read it only in your own routes and in ``haat_slot``/template hooks of
    pages that are never cached for everyone (your plugin's pages are not); cached
    catalogue pages are the same for every shopper."""
    from core.accounts.identity import customers_with, signed_in_contact
    from core.web.tenancy import current_store as tenancy_store

    if not has_request_context() or request.path.startswith("/admin"):
        return None
    store = tenancy_store()
    contact = signed_in_contact() if store is not None else None
    if contact is None:
        return None
    customers = sorted(customers_with(contact), key=lambda c: c.id)
    return ShopperIdentity(channel=contact.channel, address=contact.address,
                           customer_ids=tuple(c.id for c in customers))


_LOCALE_KEY = "haat_sdk_locale"


def _request_locale() -> str:
    from core.web.tenancy import current_store as store_ref

    store = store_ref()
    if store is not None and (request.path == "/admin" or request.path.startswith("/admin/")):
        from core.admin.language import admin_languages, staff_language

        # As the admin itself: English where the admin is not translated.
        code = staff_language() or normalise_locale(store.locale)
        return code if code in admin_languages() else "en"
    return normalise_locale(str(get_locale() or "en"))


def _scope_default_locale() -> str:
    from tenants.context import current_tenant_id
    from tenants.provisioning import find_tenant_by_id

    tenant_id = current_tenant_id()
    tenant = find_tenant_by_id(tenant_id) if tenant_id is not None and g else None
    return normalise_locale(tenant.locale if tenant is not None else None)


def render_page(template: str, /, *, title: str = "", **context: Any) -> str:
    """Render the plugin's own ``template`` inside the store's theme; return the HTML.

    The page gets the theme's header (navigation, cart, language switch), footer, flash
    messages, plugins' slots and head tags, in the shopper's language. ``template`` is a
    name in the plugin blueprint's ``template_folder``, in a folder named after the
    plugin (``"my_plugin/page.html"``); it starts with ``{% extends layout %}`` and fills
    the theme's blocks (``title``, ``meta``, ``heading``, ``content``, ``main``,
    ``full_bleed``; see ``docs/plugin-pages.md``). ``title`` is the page's heading and
    ``<title>``; a ``description`` in ``context`` becomes the meta description. Plugins
    see the page as ``PageContext(kind="plugin", plugin=<your plugin>)``.

    Call it from a route of a blueprint your plugin returns from ``haat_blueprints``.
    Plugin pages are rendered on every request (never from the page cache), so they
    may show the shopper's own things.
    """
    from core.pluginhost.web import route_plugin
    from core.storefront.context import render_plugin_page

    _store_request("render_page")
    plugin = route_plugin()
    if plugin is None:
        raise RuntimeError("core.sdk.render_page() renders a plugin's own page: call it "
                           "from a route of a blueprint returned by haat_blueprints")
    return render_plugin_page(template, plugin=plugin, title=str(title), context=context)


#: Names the admin's frame uses itself; ``render_admin_page`` refuses them in ``context``.
ADMIN_LAYOUT_NAMES = frozenset({"layout", "store", "title", "csrf_input", "current_user"})


def render_admin_page(template: str, /, *, title: str, **context: Any) -> str:
    """Render the plugin's own ``template`` inside the admin (its menu, the staff
    member's language, flash messages); return the HTML.

    For the merchant's pages of a plugin, under ``/admin/<your prefix>``. ``template``
    is a name in the plugin blueprint's ``template_folder``, in a folder named after the
    plugin (``"my_plugin/admin.html"``). It starts with ``{% extends layout %}`` and
    fills ``content`` (under the page's ``<h1>``, which is ``title``), and may fill
    ``actions`` (buttons beside the heading) and ``plugin_head`` (a stylesheet). The
    admin's styles apply: ``.card``, ``.field``, ``.button``, ``.help``, ``.muted``,
    tables in ``.table-wrap``, ``.badge``. ``csrf_input()`` is in the context;
    ``layout``, ``store``, ``title`` and ``current_user`` are the frame's own names
    (``TypeError`` if passed in ``context``).

    Call it from a route under ``/admin`` of a blueprint your plugin returns from
    ``haat_blueprints`` (``RuntimeError`` anywhere else): Haat has already checked that
    a staff member of this store is signed in.
    """
    from flask import render_template
    from flask import request as flask_request

    from core.pluginhost.web import route_plugin
    from core.web.tenancy import current_store as store_ref

    _store_request("render_admin_page")
    if route_plugin() is None or not flask_request.path.startswith("/admin/"):
        raise RuntimeError("core.sdk.render_admin_page() renders a plugin's admin page: "
                           "call it from a route under /admin of a blueprint returned by "
                           "haat_blueprints")
    if template.startswith(("admin/", "storefront/", "@", "/")):
        raise ValueError(f"{template!r}: keep a plugin's templates in a folder of its own, "
                         "e.g. 'my_plugin/admin.html'")
    clash = ADMIN_LAYOUT_NAMES.intersection(context)
    if clash:
        raise TypeError(f"render_admin_page(): {', '.join(sorted(clash))} is used by the "
                        "admin's frame; pass it under another name")
    return render_template(template, layout="admin/plugin_page.html", store=store_ref(),
                           title=str(title), csrf_input=csrf_input, **context)


def csrf_input() -> Markup:
    """A hidden ``csrf_token`` field for a ``<form method="post">``.

    Put it in every form of a plugin page or of slot HTML. On catalogue pages that are
    served from the page cache, the token is filled in per shopper, so it is always the
    shopper's own; there the value is empty for a visitor who has no session yet (a
    first visit): that is expected, and their POST is checked by its origin instead
    (``docs/plugin-pages.md``). A page rendered for one request (your plugin's own)
    always carries the token.
    """
    from core.storefront.page_cache import personal
    from core.web.csrf import issued_value

    _store_request("csrf_input")
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
        personal("csrf", issued_value))


def csrf_exempt(view: F) -> F:
    """Decorator: let ``view`` take POSTs without the CSRF token, because another server
    calls it (a courier's or payment provider's webhook), never a shopper's browser.

    Put it under the route decorator::

        @bp.post("/webhook")
        @csrf_exempt
        def webhook(): ...

    Such a route is public: check the caller yourself, on the raw body
    (``request.get_data()``), e.g. an HMAC signature with a secret from your settings,
    compared with ``hmac.compare_digest``. Never exempt a route a browser form posts to.

    Such a route also keeps answering while the store is "coming soon", when the
    store's pages for shoppers show only the password page.
    """
    from core.web.server_routes import called_by_servers

    return called_by_servers(view)


def owner_required(view: F) -> F:
    """Decorator for a plugin's admin route that only the store's owner may use.

    Every route of a plugin under ``/admin`` already serves only the store's signed-in
    staff (visitors are sent to sign in; another store's staff are strangers here). Add
    this under the route decorator when staff members must not use it either (settings,
    money, deleting): they get 403::

        @bp.route("/admin/wishlist/export")
        @owner_required
        def export(): ...
    """
    from core.admin.auth import owner_required as core_owner_required

    return core_owner_required(view)


def rate_limit(limit: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[[F], F]:
    """Decorator: at most ``limit`` requests per store and client address, e.g.
    ``"10 per minute"`` or ``"100 per hour; 10 per minute"`` (Flask-Limiter's syntax).

    Put it under the route decorator of anything that can be abused or guessed: a form
    that writes rows, a code lookup. Only ``methods`` count (POST by default, so a page
    that shows the form stays free). Past the limit the shopper gets Haat's "Too many
    requests" page (429) in their language. Limits are kept where Haat keeps its own
    (``REDIS_URL``, else a file every worker of the machine shares)::

        @bp.post("/wishlist/add")
        @rate_limit("30 per minute")
        def add(): ...
    """
    from core.extensions import limiter
    from core.web.client_address import client_address
    from core.web.tenancy import current_store as store_ref

    def key() -> str:
        store = store_ref()
        return f"plugin:{request.endpoint}:{store.id if store else '-'}:{client_address()}"

    return limiter.limit(limit, key_func=key, methods=list(methods))  # type: ignore[return-value]


def flash_message(message: str, kind: str = "success") -> None:
    """A message for the next page (e.g. after a form's redirect), shown like core's
    own: on the shopper's next storefront page, or, from a route under ``/admin``, on
    the staff member's next admin page. ``kind`` is ``"success"`` or ``"error"``."""
    from flask import flash
    from flask import request as flask_request

    from core.storefront.context import flash_shopper

    if kind not in FLASH_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FLASH_KINDS)}, not {kind!r}")
    _store_request("flash_message")
    if flask_request.path.startswith("/admin/"):
        flash(str(message), kind)  # the admin's own categories and styles
    else:
        flash_shopper(str(message), kind)
