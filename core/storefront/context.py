"""What every storefront page knows: the theme, the shopper's cart and language, the nav.

Everything here is computed lazily and at most once per request, so a page pays
only for what its templates use, in a fixed number of queries.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import urlencode

from flask import flash, g, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from core.cart.service import CartView, Shopper, cart_totals, find_cart, snapshot, view_of
from core.i18n import LOCALE_NAMES, SUPPORTED_LOCALES, normalise_locale
from core.pluginhost.web import PAGE_KINDS, plugin_contexts, plugins_for_request
from core.sdk import CartSnapshot
from core.sdk.web import csrf_input
from core.storefront import queries
from core.storefront.page_cache import personal
from core.storefront.preview import previewing
from core.theming.loader import theme_template
from core.theming.service import store_theme_view
from core.theming.settings import ThemeView
from core.web.csrf import field_value, issued_value
from core.web.templating import money_filter, number_filter
from core.web.tenancy import current_store

CART_COOKIE = "haat_cart"
LANG_COOKIE = "haat_lang"
ONE_YEAR = 365 * 24 * 3600
CART_COOKIE_AGE = 60 * 24 * 3600


def current_theme() -> ThemeView:
    """The store's theme with its settings (one query, once per request): the published
    ones, or in a staff preview the draft over them (:mod:`core.storefront.preview`)."""
    if "theme" not in g:
        store = current_store()
        g.theme = store_theme_view(store.theme if store else "default",
                                   with_draft=store is not None and previewing())
    return g.theme


def render_page(template: str, **context: Any) -> str:
    """Render ``storefront/<template>`` from the store's theme (falling back to default),
    describing the page for plugins first (``core.sdk.PageContext``)."""
    from core.storefront.page_info import describe_page

    kind = PAGE_KINDS.get(request.endpoint or "", "other")
    cart = None
    if kind == "checkout":
        cart = getattr(context.get("quote"), "snapshot", None)
    elif kind == "cart":
        cart = cart_snapshot()
    g.haat_page_context = describe_page(context, locale=current_locale(),
                                        search_enabled=search_enabled(), cart=cart)
    return render_template(theme_template(current_theme().name, f"storefront/{template}"),
                           **context)


#: Names of a plugin page's template context that are the layout's own, besides the
#: storefront's globals (:func:`storefront_context`).
LAYOUT_NAMES = frozenset({"layout", "plugin_context", "csrf_input", "page_css"})


def render_plugin_page(template: str, *, plugin: str, title: str,
                       context: dict[str, Any]) -> str:
    """Render a plugin's own template inside the store's theme (``core.sdk.render_page``).

    The template is looked up as ``@<theme>/<template>``: the store's theme, then the
    default theme, then the plugin's template folder, so a theme may restyle a plugin's
    page and relative includes (``storefront/_macros.html``) stay in the theme. It gets
    ``layout`` (the theme's storefront layout, to extend) and ``csrf_input()``. Plugin
    pages are never served from the page cache: they are rendered on each request,
    personal parts included.
    """
    from core.storefront.page_info import describe_page

    if template.startswith(("storefront/", "@", "/")):
        raise ValueError(f"{template!r}: keep a plugin's templates in a folder of its own, "
                         "e.g. 'my_plugin/page.html' (storefront/ belongs to the themes)")
    theme = current_theme().name
    layout = {**storefront_context(), "csrf_input": csrf_input,
              "layout": theme_template(theme, "storefront/layout.html")}
    clash = (LAYOUT_NAMES | set(layout)).intersection(context)
    if clash:
        raise TypeError(f"render_page(): {', '.join(sorted(clash))} is used by the theme's "
                        "layout; pass it under another name")
    values = {**context, "title": title}
    g.haat_page_context = describe_page(values, locale=current_locale(),
                                        search_enabled=search_enabled(), kind="plugin",
                                        plugin=plugin)
    return render_template(theme_template(theme, template), **layout,
                           plugin_context=plugin_contexts(), **values)


def current_locale() -> str:
    return normalise_locale(str(get_locale() or "en"))


def shopper() -> Shopper:
    """The shopper making this request, for the cart services."""
    return Shopper(token=request.cookies.get(CART_COOKIE), locale=current_locale(),
                   currency=current_store().currency, number=number_filter)


def current_cart() -> CartView:
    """The shopper's cart with its lines (a fixed five queries when they have one: cart,
    lines, products, variants, images; none otherwise)."""
    if "haat_cart" not in g:
        reload_cart(request.cookies.get(CART_COOKIE))
    return g.haat_cart


def reload_cart(token: str | None) -> None:
    """Read the cart again after a change (``token`` may be new), so the page and the
    JSON answer show the new contents."""
    g.haat_cart_token = token
    g.haat_cart_row = find_cart(token, with_lines=True)
    g.haat_cart = view_of(g.haat_cart_row)
    g.pop("haat_cart_totals", None)


def cart_snapshot() -> CartSnapshot | None:
    """The shopper's cart as plugins see it (``PageContext.cart``), built from the lines
    :func:`current_cart` loaded (no further queries); ``None`` without a cart."""
    current_cart()
    row = g.haat_cart_row
    return snapshot(row, current_store().currency) if row is not None else None


_SHOP_CATEGORY = "shop-"
#: The kind of "added to your cart" messages: shown next to the add-to-cart button
#: (``cart_feedback()``) on pages that have one, else with the other messages.
ADDED = "added"


def flash_shopper(message: str, kind: str = "success") -> None:
    """A message for the next storefront page (``kind``: success, error or ``ADDED``)."""
    flash(message, _SHOP_CATEGORY + kind)


def shopper_messages(only: tuple[str, ...] | None = None,
                     leave: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Take this store's shopper messages out of the session (those of the kinds in
    ``only``, if given, and not of those in ``leave``), leaving the rest (and the
    admin's own messages: same session, same host) for later."""
    queued = session.get("_flashes") or []

    def mine(category: str) -> bool:
        kind = category.removeprefix(_SHOP_CATEGORY)
        return (category.startswith(_SHOP_CATEGORY) and kind not in leave
                and (only is None or kind in only))

    taken = [(c.removeprefix(_SHOP_CATEGORY), m) for c, m in queued if mine(c)]
    if taken:
        rest = [(c, m) for c, m in queued if not mine(c)]
        if rest:
            session["_flashes"] = rest
        else:
            session.pop("_flashes", None)
    return taken


def _flash_html(kind: str, message: str) -> Markup:
    kind = "success" if kind == ADDED else kind
    return Markup('<p class="flash flash-%s" role="status">%s</p>') % (kind, message)


def _messages_html() -> Markup:
    # A page that shows add-to-cart messages by its button (see product_page) keeps them
    # for cart_feedback(), which its template renders further down.
    leave = (ADDED,) if g.get("haat_cart_feedback_in_page") else ()
    return Markup("").join(_flash_html(kind, message)
                           for kind, message in shopper_messages(leave=leave))


def _cart_feedback_html() -> Markup:
    """The "added to your cart" message, for next to the add-to-cart button, with the
    way on to the cart (storefront.js writes the same after adding in place)."""
    taken = shopper_messages(only=(ADDED,))
    if not taken:
        return Markup("")
    link = Markup('<a class="cart-feedback-link" href="%s">%s</a>') % (
        url_for("storefront.cart"), _("Go to your cart"))
    return Markup("").join(_flash_html(kind, message) for kind, message in taken) + link


#: The header's cart totals, kept in the shopper's (signed) session so that a cached
#: page costs them no query: ``[store id, cart key, content_version, count, subtotal,
#: written at]``. Valid while the cart cookie and the store's content version (prices,
#: products) are the same, and for :data:`CART_TOTALS_MAX_AGE` seconds at most, so
#: that a cart deleted behind the shopper's back (``haat carts expire``) leaves the
#: header within that time. Every change this shopper makes rewrites it
#: (:func:`remember_cart_totals`); placing an order drops it (:func:`forget_cart_totals`).
CART_TOTALS_KEY = "haat_cart_totals"
CART_TOTALS_MAX_AGE = 3600


def _cart_key(token: str) -> str:
    """A short digest of the cart token: the session (readable by its holder, like the
    cookie itself) names the cart without carrying the token twice."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _snapshot_head(token: str) -> list[Any]:
    store = current_store()
    return [store.id, _cart_key(token), store.content_version]


def remember_cart_totals(totals: tuple[int, int]) -> None:
    """Keep ``totals`` as the header's for this shopper's cart cookie (the session is
    written only when they change, or once the kept ones are getting old)."""
    # The token of the cart this request loaded: a first add's is not in the cookie yet.
    token = g.haat_cart_token if "haat_cart_token" in g else request.cookies.get(CART_COOKIE)
    if not token:
        forget_cart_totals()
        return
    now = int(time.time())
    kept = session.get(CART_TOTALS_KEY)
    value = [*_snapshot_head(token), totals[0], totals[1]]
    if (isinstance(kept, list) and kept[:5] == value
            and 0 <= now - kept[5] < CART_TOTALS_MAX_AGE // 2):
        return
    session[CART_TOTALS_KEY] = [*value, now]


def forget_cart_totals() -> None:
    """Drop the kept header totals (the cart is gone: an order was placed)."""
    if CART_TOTALS_KEY in session:
        session.pop(CART_TOTALS_KEY)
    g.pop("haat_cart_totals", None)


def _kept_totals(token: str) -> tuple[int, int] | None:
    kept = session.get(CART_TOTALS_KEY)
    if not isinstance(kept, list) or len(kept) != 6 or kept[:3] != _snapshot_head(token):
        return None
    if not 0 <= int(time.time()) - kept[5] < CART_TOTALS_MAX_AGE:
        return None
    return int(kept[3]), int(kept[4])


def header_totals() -> tuple[int, int]:
    """``(count, subtotal)`` for the header: from the loaded cart when this request has
    one, else the totals kept in the session (:data:`CART_TOTALS_KEY`), else one
    aggregate query, whose answer is kept. No query without a cart cookie."""
    if g.get("haat_cart") is not None:
        totals = g.haat_cart.count, g.haat_cart.subtotal
        remember_cart_totals(totals)
        return totals
    if "haat_cart_totals" not in g:
        token = request.cookies.get(CART_COOKIE)
        if not token:
            forget_cart_totals()
            totals: tuple[int, int] = (0, 0)
        else:
            totals = _kept_totals(token) or cart_totals(token)
            remember_cart_totals(totals)
        g.haat_cart_totals = totals
    return g.haat_cart_totals


def _cart_count() -> str:
    return number_filter(header_totals()[0])


def _cart_total() -> str:
    return money_filter(header_totals()[1])


def personal_fillers() -> dict[str, Any]:
    """How each personal part of a cached page is filled in for this request, in this
    order (the add-to-cart message by the button first, the page's other messages after)."""
    return {"cart-count": _cart_count, "cart-total": _cart_total, "csrf": field_value,
            "cart-feedback": _cart_feedback_html, "messages": _messages_html}


def search_enabled() -> bool:
    """Whether an enabled plugin of this store provides search."""
    if "haat_search_enabled" not in g:
        plugins = plugins_for_request()
        g.haat_search_enabled = bool(
            plugins and plugins.hooks.caller("haat_search_backend").get_hookimpls())
    return g.haat_search_enabled


def languages() -> list[dict[str, Any]]:
    """The language switch: store default first, each linking to this page in it."""
    store = current_store()
    active = current_locale()
    order = [store.locale] + [code for code in SUPPORTED_LOCALES if code != store.locale]
    args = request.args.to_dict()
    args.pop("page", None)
    items = []
    for code in order:
        query = urlencode({**args, "lang": code})
        items.append({"code": code, "name": LOCALE_NAMES[code], "active": code == active,
                      "url": f"{request.path}?{query}"})
    return items


def storefront_context() -> dict[str, Any]:
    """Template globals of storefront pages (lazy: callables, cached per request).

    Empty when no store is resolved (an error page for an unknown host)."""
    if current_store() is None:
        return {}
    return {
        "theme": current_theme(),
        "cart": current_cart,
        "nav_collections": queries.collections,
        "footer_pages": queries.footer_pages,
        "search_enabled": search_enabled,
        "languages": languages,
        "shopper_messages": shopper_messages,
        "flash_messages": lambda: personal("messages", _messages_html),
        "cart_feedback": lambda: personal("cart-feedback", _cart_feedback_html),
        "cart_count": lambda: personal("cart-count", _cart_count),
        "cart_total": lambda: personal("cart-total", _cart_total),
        "csrf_token": lambda: personal("csrf", issued_value),
        "current_locale": current_locale(),
    }


def private_response(body: str | Response, status: int = 200) -> Response:
    """A page about one shopper (an order, their account): kept by no cache, sending no
    referrer (its address may hold a secret token), and not for search engines."""
    response = body if isinstance(body, Response) else Response(body, status=status,
                                                                 mimetype="text/html")
    response.cache_control.no_store = True
    response.cache_control.private = True
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
