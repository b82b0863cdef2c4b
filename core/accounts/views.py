"""The shopper's account pages and the order lookup, on the store's own host.

* ``/account/sign-in``: a phone number or email; a 6-digit code goes there.
* ``/account/code``: the code; right, and the device is signed in for 30 days.
* ``/account``: every order placed with that phone or email; ``/account/sign-out`` ends
  this device's session, ``/account/sign-out-everywhere`` every one of the contact's.
* ``/orders/lookup``: an order number and the phone or email used; the order's link
  goes there.

Every answer is the same whether or not the phone, email or order exists here, so the
pages reveal nothing. Codes are asked for at most 3 times per 10 minutes per address
and 10 times per hour per client; codes are tried at most 5 times each and 20 times
per 10 minutes per client. The pages are personal: never cached, no referrer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.accounts import codes
from core.accounts.addresses import addresses_of, fill_from_orders, values_of
from core.accounts.erasure import erase, export_data
from core.accounts.identity import (
    Contact,
    customers_with,
    orders_with,
    read_contact,
    record_last_seen,
    sign_in,
    sign_out,
    sign_out_everywhere,
    signed_in_contact,
)
from core.accounts.models import ShopperAddress
from core.checkout.form import too_long
from core.customers.consent import (
    CHANNELS,
    current_consents,
    read_unsubscribe_token,
    record_consent,
)
from core.customers.models import Customer
from core.db import column_length, db
from core.i18n import LOCALE_NAMES, to_ascii_digits
from core.messaging.phones import to_e164
from core.messaging.service import queue_code_message, queue_order_link
from core.orders.emails import address_lines
from core.orders.models import Order
from core.storefront.context import (
    current_locale,
    flash_shopper,
    private_response,
    render_page,
    storefront_context,
)
from core.web.allowance import use_allowance
from core.web.client_address import client_address
from core.web.templating import number_filter
from core.web.tenancy import current_store

bp = Blueprint("accounts", __name__)


def signed_in_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """The view runs with the signed-in shopper's contact as its first argument;
    visitors go to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        contact = signed_in_contact()
        if contact is None:
            return private_response(redirect(url_for("accounts.sign_in_page")))
        return view(contact, *args, **kwargs)

    return wrapper
bp.context_processor(storefront_context)


@bp.before_request
def _only_on_a_store() -> None:
    if current_store() is None:  # the platform's own host has no shoppers
        abort(404)


# Every page a signed-in shopper opens (checkout, plugin pages too) may move the
# session's last-seen time on; anonymous requests never get that far.
bp.after_app_request(record_last_seen)

PENDING_KEY = "haat_code_for"
#: How often codes may be asked for and tried (see the module's docstring).
CODES_PER_ADDRESS = (parse("3 per 10 minutes"), parse("10 per day"))
CODES_PER_CLIENT = (parse("10 per hour"),)
TRIES_PER_CLIENT = (parse("20 per 10 minutes"),)
LOOKUPS_PER_CLIENT = (parse("10 per hour"),)
LOOKUPS_PER_ADDRESS = (parse("5 per hour"),)
MAX_FIELD = 254
#: The most characters of the name on the account page (refused beyond, never cut).
NAME_LIMIT = column_length(Customer.name)


def _allowed(limits: tuple, *key: str) -> bool:
    """Count one use against each limit; False when any is used up (nothing counted)."""
    store = current_store()
    return use_allowance(limits, "haat-accounts", str(store.id if store else 0), *key)


def _digits(text: str) -> str:
    """ASCII digits of ``text`` (shoppers type ০-৯ too); other characters dropped."""
    return "".join(ch for ch in to_ascii_digits(text) if "0" <= ch <= "9")


# --------------------------------------------------------------------- sign in


@bp.get("/account")
@signed_in_only
def account(contact: Contact) -> Response:
    """The signed-in shopper's orders and details; visitors go to the sign-in page."""
    return private_response(_account_page(contact, None, {}))


def _account_page(contact: Contact, form: dict[str, str] | None, errors: dict[str, str],
                  status: int = 200) -> Response:
    store = current_store()
    customers = customers_with(contact)
    if form is None:
        holding = current_consents(c.id for c in customers)
        form = {"name": next((c.name for c in customers if c.name), ""),
                "locale": next((c.locale for c in customers if c.locale), ""),
                **{f"marketing_{channel}": "y" for channel in CHANNELS
                   if any(getattr(holding.get((c.id, "marketing", channel)), "granted", False)
                          for c in customers)}}
    body = render_page("account.html", title=_("Your account"), contact=contact,
                       orders=orders_with(contact, customers, store.country), form=form,
                       errors=errors, addresses=addresses_of(contact),
                       address_lines=_address_lines,
                       channels=_channels_of(customers), message_languages=LOCALE_NAMES,
                       name_limit=NAME_LIMIT)
    return private_response(body, status)


def _address_lines(address: ShopperAddress) -> list[str]:
    """A saved address as the lines of a label, the country in the shopper's language."""
    return address_lines(values_of(address), current_locale())


def _channels_of(customers: list) -> list[str]:
    """The channels the shopper can be reached by: SMS with a phone, email with one."""
    return [channel for channel, field in (("sms", "phone"), ("email", "email"))
            if any(getattr(c, field) for c in customers)]


@bp.post("/account/details")
@signed_in_only
def save_details(contact: Contact) -> Response:
    """Name, language for messages, and news and offers by SMS and email."""
    customers = customers_with(contact)
    form = {"name": request.form.get("name", "").strip(),
            "locale": request.form.get("locale", ""),
            **{f"marketing_{c}": "y" for c in CHANNELS if request.form.get(f"marketing_{c}")}}
    errors = {"name": too_long(NAME_LIMIT)} if len(form["name"]) > NAME_LIMIT else {}
    if form["locale"] and form["locale"] not in LOCALE_NAMES:
        errors["locale"] = _("Choose one of the languages.")
    if errors:
        return _account_page(contact, form, errors, 422)
    holding = current_consents(c.id for c in customers)
    reachable = _channels_of(customers)
    for customer in customers:
        customer.name, customer.locale = form["name"], form["locale"]
        for channel in reachable:
            record_consent(customer.id, "marketing", channel,
                           bool(form.get(f"marketing_{channel}")), "account",
                           now_holding=holding)
    db.session.commit()
    flash_shopper(_("Your details are saved."), "success")
    return private_response(redirect(url_for("accounts.account")))


@bp.get("/account/data")
@signed_in_only
def download_data(contact: Contact) -> Response:
    """Everything this store keeps about the signed-in shopper, as a JSON file."""
    store = current_store()
    customers = customers_with(contact)
    data = export_data(contact, customers, orders_with(contact, customers, store.country))
    response = private_response(Response(json.dumps(data, ensure_ascii=False, indent=2),
                                 mimetype="application/json"))
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{store.slug}-my-data.json"')
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@signed_in_only
def delete_account(contact: Contact) -> Response:
    """Ask first; then remove who the shopper is (orders stay, anonymised) and sign out."""
    if request.method == "GET" or request.form.get("confirm") != "yes":
        status = 422 if request.method == "POST" else 200
        errors = {"confirm": _("Tick the box to confirm.")} if status == 422 else {}
        return private_response(render_page("account_delete.html", title=_("Delete your account"),
                                    contact=contact, errors=errors), status)
    store = current_store()
    customers = customers_with(contact)
    erase(contact, customers, orders_with(contact, customers, store.country), store.country)
    db.session.commit()  # erasing ended every session of the contact, this one included
    sign_out()
    flash_shopper(_("Your account is deleted. Your orders stay with the store without "
                    "your name or contact details."), "success")
    return private_response(redirect(url_for("storefront.index")))


# ----------------------------------------------------------------- unsubscribe


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response:
    """The link in every marketing message: one click to confirm, no sign-in needed."""
    store = current_store()
    found = read_unsubscribe_token(token, store.id)
    customer = db.session.get(Customer, found[0]) if found else None
    if found is None or customer is None:
        return private_response(render_page("unsubscribe.html", title=_("Stop news and offers"),
                                    done=False, invalid=True, channel=""), 404)
    channel = found[1]
    if request.method == "POST":
        record_consent(customer.id, "marketing", channel, False, "unsubscribe_link")
        db.session.commit()
    return private_response(render_page("unsubscribe.html", title=_("Stop news and offers"),
                                done=request.method == "POST", invalid=False,
                                channel=channel))


@bp.route("/account/sign-in", methods=["GET", "POST"])
def sign_in_page() -> Response:
    """Ask for a code by phone or email."""
    if request.method == "GET":
        return private_response(_sign_in_form({}, {}))
    typed = request.form.get("contact", "")  # kept as typed; longer is no contact
    store = current_store()
    contact = read_contact(typed, store.country) if len(typed) <= MAX_FIELD else None
    if contact is None:
        return private_response(_sign_in_form({"contact": typed}, {"contact": _(
            "Enter your mobile number (for example 01712-345678) or your email address.")}),
            422)
    if not (_allowed(CODES_PER_CLIENT, "client", client_address())
            and _allowed(CODES_PER_ADDRESS, "address", contact.address)):
        return private_response(_sign_in_form({"contact": typed}, {"contact": _(
            "You asked for several codes just now. Wait 10 minutes, then ask again.")}),
            429)
    customers = customers_with(contact)
    # Every address gets a code row, so trying codes answers the same for anyone; only
    # shoppers of this store are sent theirs (an SMS costs money, and nobody else
    # should be texted by a stranger typing their number).
    row, code = codes.issue_code("sign_in", contact.channel, contact.address)
    db.session.flush()
    if customers or orders_with(contact, customers, store.country):
        queue_code_message(contact.channel, contact.address, code, code_id=row.id,
                           tenant_id=store.id,
                           customer_id=customers[0].id if customers else None,
                           locale=current_locale())
    db.session.commit()
    session[PENDING_KEY] = {"store": store.id, "channel": contact.channel,
                            "address": contact.address}
    return private_response(redirect(url_for("accounts.code_page")))


def _sign_in_form(form: dict[str, str], errors: dict[str, str]) -> str:
    return render_page("account_sign_in.html", title=_("Sign in"), form=form, errors=errors,
                       contact_limit=MAX_FIELD)


def _pending() -> Contact | None:
    saved = session.get(PENDING_KEY)
    store = current_store()
    if not isinstance(saved, dict) or store is None or saved.get("store") != store.id:
        return None
    return Contact(str(saved.get("channel", "")), str(saved.get("address", "")))


@bp.route("/account/code", methods=["GET", "POST"])
def code_page() -> Response:
    """Type the code that was sent; right, and this device is signed in."""
    contact = _pending()
    if contact is None:
        return private_response(redirect(url_for("accounts.sign_in_page")))
    if request.method == "GET":
        return private_response(_code_form(contact, {}))
    typed = _digits(request.form.get("code", "")[:40])
    if len(typed) != codes.CODE_DIGITS:
        return private_response(_code_form(contact, {"code": _("Enter the 6 digits of the code.")}),
                        422)
    if not _allowed(TRIES_PER_CLIENT, "tries", client_address()):
        return private_response(_code_form(contact, {"code": _(
            "Too many tries. Wait 10 minutes, then ask for a new code.")}), 429)
    check = codes.check_code("sign_in", contact.address, typed)
    if check.row is None:
        message = (ngettext("That code is not right. You can try %(count)s more time.",
                            "That code is not right. You can try %(count)s more times.",
                            check.tries_left, count=number_filter(check.tries_left))
                   if check.tries_left
                   else _("That code is wrong or has expired. Ask for a new code."))
        return private_response(_code_form(contact, {"code": message}), 422)
    session.pop(PENDING_KEY, None)
    sign_in(contact)
    customers = customers_with(contact)
    fill_from_orders(contact, orders_with(contact, customers, current_store().country))
    db.session.commit()
    return private_response(redirect(url_for("accounts.account")))


def _code_form(contact: Contact, errors: dict[str, str]) -> str:
    return render_page("account_code.html", title=_("Enter your code"), contact=contact,
                       errors=errors)


@bp.post("/account/sign-out")
def sign_out_page() -> Response:
    """End the sign-in of this device, on the server too."""
    sign_out()
    return private_response(redirect(url_for("storefront.index")))


@bp.post("/account/sign-out-everywhere")
@signed_in_only
def sign_out_everywhere_page(contact: Contact) -> Response:
    """End every sign-in of this phone or email in this store, this device's included
    (a lost phone, a shared computer)."""
    sign_out_everywhere(contact)
    flash_shopper(_("You are signed out on every device."), "success")
    return private_response(redirect(url_for("storefront.index")))


# ---------------------------------------------------------------- order lookup


@bp.route("/orders/lookup", methods=["GET", "POST"])
def lookup() -> Response:
    """Find an order without an account: its link goes to the phone or email it used."""
    if request.method == "GET":
        return private_response(_lookup_form({}, {}))
    form = {"number": request.form.get("number", ""),
            "contact": request.form.get("contact", "")}  # kept as typed, never cut
    store = current_store()
    errors: dict[str, str] = {}
    number = _digits(form["number"])
    if not number or len(number) > 9:  # order numbers are 32-bit integers in the database
        errors["number"] = _("Enter the order number, for example 1001.")
    contact = (read_contact(form["contact"], store.country)
               if len(form["contact"]) <= MAX_FIELD else None)
    if contact is None:
        errors["contact"] = _("Enter the mobile number or email address you ordered with.")
    if errors or contact is None:
        return private_response(_lookup_form(form, errors), 422)
    if not (_allowed(LOOKUPS_PER_CLIENT, "lookup-client", client_address())
            and _allowed(LOOKUPS_PER_ADDRESS, "lookup-address", contact.address)):
        return private_response(_lookup_form(form, {"form": _(
            "You looked up several orders just now. Wait a while, then try again.")}), 429)
    order = db.session.scalar(select(Order).where(Order.number == int(number)))
    if order is not None and _ordered_with(order, contact, store.country):
        queue_order_link(order, contact.channel, contact.address)
    db.session.commit()
    return private_response(render_page("order_lookup.html", title=_("Find your order"), form=form,
                                errors={}, sent_to=contact, contact_limit=MAX_FIELD))


def _ordered_with(order: Order, contact: Contact, country: str) -> bool:
    if contact.channel == "email":
        return (order.email or "").strip().lower() == contact.address
    address_country = (order.shipping_address or {}).get("country") or country
    return to_e164(order.phone, address_country) == contact.address


def _lookup_form(form: dict[str, str], errors: dict[str, str]) -> str:
    return render_page("order_lookup.html", title=_("Find your order"), form=form,
                       errors=errors, sent_to=None, contact_limit=MAX_FIELD)
