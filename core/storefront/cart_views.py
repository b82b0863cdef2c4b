"""The cart pages. Every change is a POST that works without JavaScript (then redirects
with a flash message); ``storefront.js`` sends the same forms with ``fetch`` and asks
for JSON, to update the header in place.
"""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.cart.models import Cart
from core.cart.service import (
    CartError,
    add_to_cart,
    parse_id,
    plausible_token,
    remove_line,
    update_quantity,
)
from core.catalog.models import STATUS_ACTIVE, Product
from core.db import db
from core.storefront import queries
from core.storefront.context import (
    ADDED,
    CART_COOKIE,
    CART_COOKIE_AGE,
    current_cart,
    flash_shopper,
    header_totals,
    reload_cart,
    render_page,
    shopper,
)
from core.storefront.page_cache import cached_page
from core.storefront.views import bp, product_page
from core.web.csrf import field_value
from core.web.templating import money_filter, number_filter


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def cart_summary() -> dict[str, Any]:
    """What the header shows, as JSON for ``storefront.js``, with the shopper's CSRF
    token (``""`` for a visitor without a session), which the script puts in the page's
    forms: a page drawn before the shopper had a session has empty ones."""
    count, subtotal = header_totals()
    return {"count": count, "count_display": number_filter(count),
            "total_display": money_filter(subtotal), "csrf_token": field_value()}


def _saved(cart: Cart, message: str, target: str, kind: str = "success") -> Response:
    """Commit a cart change and answer with JSON or a redirect plus flash."""
    token = cart.token
    db.session.commit()
    reload_cart(token)
    header_totals()  # keeps the new totals in the session for the next (cached) pages
    if _wants_json():
        response = jsonify(message=message, **cart_summary())
    else:
        flash_shopper(message, kind)
        response = redirect(target, code=303)
    response.set_cookie(CART_COOKIE, token, max_age=CART_COOKIE_AGE, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response


def _product_for_error(raw: str) -> Product | None:
    try:
        product_id = parse_id(raw, "product_id", "")
    except CartError:
        return None
    found = db.session.scalar(select(Product.handle).where(Product.id == product_id,
                                                           Product.status == STATUS_ACTIVE))
    return queries.product_by_handle(found) if found else None


#: The ``id`` of the product page's add-to-cart form: after a post without JavaScript
#: the page comes back scrolled to it, where the message about the post is shown.
ADD_FORM = "add-to-cart"


def _product_url(handle: str, variant: str | int | None) -> str:
    """The product page showing ``variant`` chosen, scrolled to the add-to-cart form."""
    text = "" if variant is None else str(variant)
    shown = text if text.isascii() and text.isdigit() else None
    return url_for("storefront.product", handle=handle, variant=shown) + "#" + ADD_FORM


@bp.post("/cart/add")
def cart_add() -> Response | tuple[Any, int]:
    """Add a product to the cart; on bad input change nothing and say why, in place.

    Without JavaScript the form's "show" button (``show=1``) adds nothing: it only
    brings back the product page for the option chosen, with its price and stock."""
    form = {k: request.form.get(k, "") for k in ("product_id", "variant_id")}
    form["quantity"] = request.form.get("quantity", "1")  # a quick-add button sends none
    if request.form.get("show"):
        shown = _product_for_error(form["product_id"])
        if shown is None:
            flash_shopper(_("Sorry, that product is not available."), "error")
            return redirect(url_for("storefront.cart"), code=303)
        return redirect(_product_url(shown.handle, form["variant_id"].strip()), code=303)
    try:
        line = add_to_cart(shopper(), form["product_id"], form["variant_id"] or None,
                           form["quantity"])
    except CartError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=exc.message, field=exc.field), 422
        product = _product_for_error(form["product_id"])
        if product is None:
            flash_shopper(exc.message, "error")
            return redirect(url_for("storefront.cart"), code=303)
        return product_page(product, status=422, error=exc, form=form)
    return _saved(line.cart, _("Added %(title)s to your cart.", title=line.product.title),
                  _product_url(line.product.handle, line.variant_id), kind=ADDED)


@cached_page()
def _empty_cart() -> str:
    """The cart page of a visitor who has no cart: the same page for all of them, so it
    is served from the page cache (and, for a visitor without cookies, replayed before
    Flask), its header, messages and CSRF token filled in per request like a catalogue
    page's. Only :func:`cart` calls it, and only for a visitor with no cart, so the
    cached ``/cart`` of a store never holds anyone's lines."""
    return render_page("cart.html", title=_("Your cart"), line_error=None)


@bp.get("/cart")
def cart() -> str:
    """The cart page: the shopper's own cart, or the shared empty one."""
    if not plausible_token(request.cookies.get(CART_COOKIE)):
        return _empty_cart()  # no cart cookie: no query at all
    current_cart()  # load the lines first, so the header reuses them
    if g.haat_cart_row is None:  # a cookie whose cart is gone (expired, another store's)
        return _empty_cart()
    return render_page("cart.html", title=_("Your cart"), line_error=None)


def _cart_error(exc: CartError, line: str) -> Response | tuple[Any, int]:
    db.session.rollback()
    reload_cart(request.cookies.get(CART_COOKIE))
    if _wants_json():
        return jsonify(error=exc.message, field=exc.field), 422
    return render_page("cart.html", title=_("Your cart"),
                       line_error={"line": line, "message": exc.message,
                                   "quantity": request.form.get("quantity", "")}), 422


@bp.post("/cart/update")
def cart_update() -> Response | tuple[Any, int]:
    """Change a line's quantity (0 removes it)."""
    line = request.form.get("line", "")
    try:
        if request.form.get("action") == "remove":
            cart = remove_line(shopper(), line)
            message = _("Removed from your cart.")
        else:
            cart = update_quantity(shopper(), line, request.form.get("quantity", ""))
            message = _("Your cart is updated.")
    except CartError as exc:
        return _cart_error(exc, line)
    return _saved(cart, message, url_for("storefront.cart"))


@bp.get("/cart.json")
def cart_json() -> Response:
    """The header's cart count and total."""
    response = jsonify(cart_summary())
    response.cache_control.no_store = True
    return response
