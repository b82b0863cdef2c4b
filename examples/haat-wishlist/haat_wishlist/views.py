"""The wishlist's routes: the page ``/wishlist`` in the store's theme, and the two forms
that change a wishlist (``POST /wishlist/add`` and ``POST /wishlist/remove``).

Written like any third-party plugin: it imports only ``core.sdk`` (plus Flask and
MarkupSafe), finds its store with ``current_store()`` and renders with ``render_page``.
Haat answers 404 on every route here for stores that have not switched the plugin on,
and checks the CSRF token of every POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, make_response, redirect, request
from markupsafe import Markup
from werkzeug.wrappers import Response

from core.sdk import (
    ProductSnapshot,
    StoreInfo,
    csrf_input,
    current_locale,
    current_store,
    flash_message,
    format_money,
    format_number,
    get_products,
    rate_limit,
    render_page,
)
from haat_wishlist import __version__
from haat_wishlist.items import (
    MAX_ITEMS,
    ProductGone,
    WishlistFull,
    remove,
    save,
    saved_items,
)
from haat_wishlist.settings import kept_days
from haat_wishlist.shopper import new_token, remember, request_token, shopper_key
from haat_wishlist.text import _

#: The wishlist page, on the host of every store that has the plugin on.
PAGE = "/wishlist"
ADD = "/wishlist/add"
REMOVE = "/wishlist/remove"
#: Saves and removals one client may make per minute on one store (each writes a row).
CHANGES_PER_MINUTE = "30 per minute"
#: The stylesheet (static/wishlist.css), versioned so that an upgrade is fetched anew.
STYLESHEET = f"/wishlist/static/wishlist.css?v={__version__}"
#: Product ids are positive SQL integers.
_MAX_ID = 2**31 - 1

# templates/ and static/ are package data (setup.cfg and MANIFEST.in list them).
bp = Blueprint("haat_wishlist", __name__, template_folder="templates",
               static_folder="static", static_url_path="/wishlist/static")

_HEART = Markup(
    '<svg class="wishlist-heart" aria-hidden="true" focusable="false" width="18" height="18" '
    'viewBox="0 0 24 24"><path fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linejoin="round" d="M12 20.5S3.5 15 3.5 8.9A4.4 4.4 0 0 1 12 6.7a4.4 4.4 0 0 1 '
    '8.5 2.2C20.5 15 12 20.5 12 20.5Z"/></svg>')


@dataclass(frozen=True)
class Entry:
    """A saved product as the page shows it."""

    product: ProductSnapshot
    #: The product's page on the store.
    url: str
    #: The price in the store's digits and the shopper's language.
    price: str
    #: The struck-through "was" price; ``""`` when there is none.
    compare_at: str
    #: Shoppers can see the product (the merchant has not made it a draft).
    available: bool
    #: The product has options (sizes, colours): the shopper picks one on its page.
    has_options: bool


def product_path(product: ProductSnapshot) -> str:
    """The product's page on the store, a path (so never another site)."""
    return "/products/" + quote(product.handle, safe="")


def save_button(product_id: int) -> Markup:
    """The "Save for later" form for a product page.

    Product pages are cached whole and served to every shopper, so the form is the
    same for everyone: no per-shopper state. ``csrf_input()`` is filled in per shopper
    by Haat even on a cached page.
    """
    return Markup(
        '<form class="wishlist-save" method="post" action="{action}">{csrf}'
        '<input type="hidden" name="product_id" value="{id}">'
        '<button type="submit" class="button-secondary wishlist-save-button">{heart}'
        '<span>{label}</span></button></form>'
    ).format(action=ADD, csrf=csrf_input(), id=product_id, heart=_HEART,
             label=_("Save for later"))


def parse_product_id(raw: str) -> int | None:
    """A product id from a form (ASCII digits, a positive SQL integer), else ``None``."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= _MAX_ID else None


def _on_sale(store: StoreInfo, product_id: int | None) -> ProductSnapshot | None:
    """The store's product with this id when shoppers can see it. ``get_products`` skips
    other stores' ids, so another store's product is ``None`` like a missing one."""
    if product_id is None:
        return None
    found = get_products(store, [product_id])
    return found[0] if found and found[0].status == "active" else None


def _entry(store: StoreInfo, product: ProductSnapshot, locale: str) -> Entry:
    compare = product.compare_at_price
    return Entry(
        product=product, url=product_path(product),
        price=format_money(store, product.price, locale),
        compare_at=(format_money(store, compare, locale)
                    if compare is not None and compare.amount > product.price.amount else ""),
        available=product.status == "active", has_options=bool(product.variants))


def _page(problem: str = "", status: int = 200) -> Response:
    """The shopper's wishlist inside the store's theme; ``problem`` on top when the
    last form could not be used."""
    store = current_store()
    locale = current_locale()
    token = request_token()
    saved = saved_items(store, shopper_key(token)) if token else []
    # One read for every product on the list, whatever its length.
    products = {p.id: p for p in get_products(store, [item.product_id for item in saved])}
    entries = [_entry(store, products[item.product_id], locale)
               for item in saved if item.product_id in products]
    days = kept_days(store)
    html = render_page(
        "haat_wishlist/wishlist.html", title=_("Your wishlist"),
        description=_("The products you saved for later in this shop."),
        t=_, entries=entries, problem=problem, add_action=ADD, remove_action=REMOVE,
        count_text=_.ngettext("%(num)s product saved", "%(num)s products saved",
                              len(entries), num=format_number(store, len(entries), locale)),
        keep_text=_.ngettext(
            "Products stay on your wishlist for %(num)s day after you save them.",
            "Products stay on your wishlist for %(num)s days after you save them.",
            days, num=format_number(store, days, locale)),
    )
    response = make_response(html, status)
    # The page is the shopper's own: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"
    if token:
        remember(response, token)  # a shopper who comes back keeps their list
    return response


def _not_found() -> Response:
    return _page(_("Sorry, we could not find that product in this shop. It may have been "
                   "taken off sale."), 422)


@bp.get(PAGE)
def wishlist() -> Response:
    """The shopper's saved products: photo, title, price, stock, add to cart, remove."""
    return _page()


@bp.post(ADD)
@rate_limit(CHANGES_PER_MINUTE)
def add() -> Response:
    """Save a product, then go back to its page with a message; the page with a
    message (422) when the product is not one of this store's products on sale."""
    store = current_store()
    product = _on_sale(store, parse_product_id(request.form.get("product_id", "")))
    if product is None:
        return _not_found()
    token = request_token() or new_token()
    back = redirect(product_path(product), code=303)
    try:
        added = save(store, shopper_key(token), product.id)
    except WishlistFull:
        flash_message(_("Your wishlist is full: it holds up to %(num)s products. Remove "
                        "some to make room.",
                        num=format_number(store, MAX_ITEMS, current_locale())), "error")
        return remember(back, token)
    except ProductGone:
        return _not_found()
    if added:
        flash_message(_("Saved “%(title)s” for later. Find it on your wishlist.",
                        title=product.title))
    else:
        flash_message(_("“%(title)s” is on your wishlist already.", title=product.title))
    return remember(back, token)


@bp.post(REMOVE)
@rate_limit(CHANGES_PER_MINUTE)
def remove_item() -> Response:
    """Take a product off the shopper's wishlist, then show the wishlist again."""
    store = current_store()
    product_id = parse_product_id(request.form.get("product_id", ""))
    if product_id is None:
        return _not_found()
    token = request_token()
    if token and remove(store, shopper_key(token), product_id):
        found = get_products(store, [product_id])
        title = found[0].title if found else ""
        flash_message(_("Removed “%(title)s” from your wishlist.", title=title) if title
                      else _("Removed from your wishlist."))
    else:  # pressed twice, or from an old tab: nothing to do, and nothing is wrong
        flash_message(_("That product is not on your wishlist any more."))
    return redirect(PAGE, code=303)
