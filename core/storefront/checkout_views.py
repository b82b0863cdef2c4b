"""The checkout page: contact, address, delivery, payment, coupon, and the summary.

Without JavaScript the "Update" button posts the form and the page comes back with
the summary worked out again and everything typed kept; ``storefront.js`` posts the
same form on each change and swaps in the new summary. "Place order" goes through
``core.checkout.placement``, which computes every amount again on the server.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.cart.service import find_cart
from core.checkout.form import (
    ADDRESS_FIELDS,
    FIELD_LIMITS,
    CheckoutInput,
    contact_problems,
    length_problems,
    read_form,
)
from core.checkout.placement import CheckoutRefused, place_order, start_problem
from core.checkout.quote import QuoteRequest, build_quote
from core.countries import home_country as currency_home
from core.db import db
from core.i18n import format_date
from core.money import Money
from core.places.choices import address_choices
from core.pluginhost.web import plugins_for_request
from core.storefront import coupon_guard
from core.storefront.address_options import country_options, ordered_countries, place_suggestions
from core.storefront.context import (
    CART_COOKIE,
    current_locale,
    flash_shopper,
    forget_cart_totals,
    render_page,
)
from core.storefront.order_views import payment_not_started
from core.storefront.views import bp
from core.web.templating import money_filter
from core.web.tenancy import current_store


def home_country() -> str:
    """The country this store's shoppers most likely live in: the store's own country,
    else a guess from its currency (``""`` when there is none)."""
    store = current_store()
    return store.country or currency_home(store.currency)


def countries(locale: str) -> dict[str, str]:
    """Country code -> name in the shopper's language, the store's own country first."""
    return ordered_countries(locale, home_country())


def quote_request() -> QuoteRequest:
    """The current store and shopper, as the checkout services need them."""
    store = current_store()
    locale = current_locale()

    def money_text(money: Money) -> str:
        return money_filter(money.amount, money.currency)

    def date_text(moment: datetime) -> str:
        return format_date(moment, locale, bengali_digits=bool(store.bengali_digits))

    plugins = plugins_for_request()
    assert plugins is not None
    return QuoteRequest(plugins=plugins, locale=locale, money_text=money_text,
                        date_text=date_text, coupons=coupon_guard.guard)


#: What a signed-in shopper's last order fills in (they can change any of it).
PREFILLED = ("name", "phone", "email", "country", "region", "city", "line1", "line2",
             "postcode")


def _defaults(chosen: Any) -> CheckoutInput:
    values = {"country": home_country(), **_last_address(chosen)}
    return CheckoutInput(values={**values, "idempotency_key": secrets.token_urlsafe(24)})


def _address_book() -> tuple[list[Any], Any]:
    """A signed-in shopper's saved addresses, and the one to start from: the one
    picked on this page (``?address=<id>``), else the default. Nothing for visitors."""
    from core.accounts.addresses import addresses_of
    from core.accounts.identity import signed_in_contact

    contact = signed_in_contact()
    if contact is None:
        return [], None
    book = addresses_of(contact)
    picked = request.args.get("address", "")
    chosen = next((a for a in book if picked.isascii() and picked.isdigit()
                   and a.id == int(picked)), None)
    return book, chosen or next((a for a in book if a.is_default), None)


def _last_address(chosen: Any) -> dict[str, str]:
    """What a signed-in shopper's form starts with: the contact of their newest order
    and the ``chosen`` saved address, else that order's address ({} for visitors)."""
    from core.accounts.addresses import values_of
    from core.accounts.identity import customers_with, orders_with, signed_in_contact

    contact = signed_in_contact()
    if contact is None:
        return {}
    orders = orders_with(contact, customers_with(contact), current_store().country)
    source: dict[str, Any] = {}
    if orders:
        order = orders[0]
        source = {**(order.shipping_address or {}), "phone": order.phone,
                  "email": order.email}
    if chosen is not None:
        saved = values_of(chosen)
        source = {**source, **{name: value for name, value in saved.items()
                               if value or name != "phone"}}
    return {name: str(source.get(name) or "") for name in PREFILLED if source.get(name)}


def _page(data: CheckoutInput, problems: dict[str, str], status: int = 200,
          placing: bool = False, book: tuple[list[Any], Any] | None = None
          ) -> tuple[str, int] | Response:
    cart = find_cart(request.cookies.get(CART_COOKIE), with_lines=True)
    if cart is None or not cart.lines:
        flash_shopper(_("Your cart is empty."), "error")
        return redirect(url_for("storefront.cart"), code=303)
    quote = build_quote(quote_request(), cart, data, placing=placing)
    book = book or _address_book()
    shown = {**quote.problems, **problems} if (placing or problems) else {
        name: message for name, message in quote.problems.items()
        if name in ("cart", "coupon", "payment_method", "shipping_rate", "form")
        and (name != "shipping_rate" or data.address is not None)}
    # Too long is never "not finished yet": said on every post, so nothing is cut.
    shown = {**shown, **length_problems(data)}
    # A returning shopper's saved address and contact, taken as they are, show in a
    # line each, their fields folded away (open again when one has a problem).
    on_file = (book[1] is not None and _same_address(book[1], data)
               and not any(name in shown for name in ADDRESS_FIELDS))
    contact_on_file = (bool(book[0]) and bool(data.get("phone") or data.get("email"))
                       and "phone" not in shown and "email" not in shown)
    locale, home = current_locale(), home_country()
    country = data.get("country") or home
    # The long lists come ready (address_options); countries and place_choices stay
    # for themes whose checkout.html loops over them.
    body = render_page("checkout.html", title=_("Checkout"), quote=quote, form=data,
                       errors=shown, countries=ordered_countries(locale, home),
                       country_options=country_options(locale, home, data.get("country") or ""),
                       place_choices=address_choices(country, locale),
                       place_suggestions=place_suggestions(country, locale),
                       saved_addresses=book[0], chosen_address=book[1],
                       address_on_file=on_file, contact_on_file=contact_on_file,
                       field_limits=FIELD_LIMITS, page_css="checkout.css")
    return body, status


def _same_address(saved: Any, data: CheckoutInput) -> bool:
    """Whether the form's address is the saved address ``saved`` as it is (then the
    page shows it in one line, the fields folded away)."""
    from core.accounts.addresses import values_of

    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    values = values_of(saved)
    return all(norm(values.get(name, "")) == norm(data.get(name)) for name in ADDRESS_FIELDS)


def _no_store(result: Any) -> Any:
    response = result if isinstance(result, Response) else None
    if response is None:
        body, status = result
        response = Response(body, status=status, mimetype="text/html")
    response.cache_control.no_store = True
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/checkout")
def checkout() -> Response:
    """The empty checkout form, with a fresh one-time key for placing the order."""
    book = _address_book()
    return _no_store(_page(_defaults(book[1]), {}, book=book))


@bp.post("/checkout")
def checkout_submit() -> Response:
    """Update the summary, or place the order."""
    data = read_form(request.form)
    if not data.get("idempotency_key"):
        data = CheckoutInput(values={**data.values,
                                     "idempotency_key": secrets.token_urlsafe(24)},
                             payment_fields=data.payment_fields)
    if request.form.get("action") != "place":
        problems = {}
        if request.form.get("action") == "check":
            problems = contact_problems(data, countries(current_locale()))
        return _no_store(_page(data, problems))
    cart = find_cart(request.cookies.get(CART_COOKIE), with_lines=True)
    try:
        placed = place_order(quote_request(), cart, data, countries(current_locale()))
    except CheckoutRefused as exc:
        if exc.quote is None and cart is None:
            flash_shopper(exc.problems.get("cart") or exc.problems.get("form", ""), "error")
            return redirect(url_for("storefront.cart"), code=303)
        return _no_store(_page(data, exc.problems, status=422, placing=True))
    order = placed.order
    forget_cart_totals()  # the cart is gone with the order: the header shows it at once
    if placed.created:
        _remember_address(order)
    target = url_for("storefront.order_status", token=order.token)
    redirect_url = placed.payment.redirect_url if placed.payment is not None else None
    if redirect_url and redirect_url.startswith(("https://", "http://")):
        target = redirect_url  # the provider's page; anything else stays on the shop
    elif placed.created:
        flash_shopper(_("Thank you! Your order %(number)s is placed.",
                        number=f"#{order.number}"))
        problem = start_problem(order) if placed.payment is None else None
        if problem is not None:  # the order page offers to pay again
            flash_shopper(payment_not_started(problem), "error")
    return redirect(target, code=303)


def _remember_address(order: Any) -> None:
    """A signed-in shopper's order adds its address to their address book."""
    from core.accounts.addresses import remember_order_address
    from core.accounts.identity import signed_in_contact

    contact = signed_in_contact()
    if contact is not None:
        remember_order_address(contact, order)
        db.session.commit()
