"""The address book pages of a signed-in shopper (``/account/addresses/...``).

Adding and changing an address use the checkout's fields and checks, so an address
that saves here is one checkout accepts. A problem is shown next to its field and
everything typed stays. An address that is not in the signed-in shopper's book (in
this store) is not found.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.accounts.addresses import (
    FIELDS,
    MAX_ADDRESSES,
    address_of,
    full,
    remove_address,
    save_address,
    set_default,
    values_of,
)
from core.accounts.identity import Contact
from core.accounts.models import ShopperAddress
from core.accounts.views import bp, signed_in_only
from core.checkout.form import (
    FIELD_LIMITS,
    address_problems,
    length_problems,
    phone_problem,
    read_form,
)
from core.db import db
from core.places.choices import address_choices
from core.storefront.checkout_views import countries, home_country
from core.storefront.context import current_locale, flash_shopper, private_response, render_page
from core.web.templating import number_filter


def _form_page(contact: Contact, address: ShopperAddress | None, form: dict[str, str],
               errors: dict[str, str], status: int = 200) -> Response:
    title = _("Change this address") if address else _("Add an address")
    body = render_page("account_address.html", title=title, address=address, form=form,
                       errors=errors, countries=countries(current_locale()),
                       place_choices=address_choices(form.get("country") or home_country(),
                                                     current_locale()),
                       contact=contact, field_limits=FIELD_LIMITS, page_css="checkout.css")
    return private_response(body, status)


def _typed() -> dict[str, str]:
    values = read_form(request.form).values  # trimmed (never cut), ASCII digits in the phone
    return {name: values.get(name, "") for name in FIELDS}


def _problems(form: dict[str, str]) -> dict[str, str]:
    problems = address_problems(form, countries(current_locale()))
    if form["phone"] and (problem := phone_problem(form["phone"])):
        problems["phone"] = problem
    problems.update(length_problems(form, ("phone",)))
    return problems


def _to_account() -> Response:
    return private_response(redirect(url_for("accounts.account") + "#addresses", 303))


@bp.route("/account/addresses/new", methods=["GET", "POST"])
@signed_in_only
def new_address(contact: Contact) -> Response:
    """Add an address to the book (the first one becomes the default)."""
    if request.method == "GET":
        return _form_page(contact, None, {"country": home_country()}, {})
    form = _typed()
    problems = _problems(form)
    if not problems and full(contact):
        problems["form"] = _("Your address book is full (%(count)s addresses). Remove one "
                             "first.", count=number_filter(MAX_ADDRESSES))
    if problems:
        return _form_page(contact, None, form, problems, 422)
    save_address(contact, form, make_default=bool(request.form.get("make_default")))
    db.session.commit()
    flash_shopper(_("The address is saved."), "success")
    return _to_account()


def _mine(contact: Contact, address_id: int) -> ShopperAddress:
    address = address_of(contact, address_id)
    if address is None:
        abort(404)
    return address


@bp.route("/account/addresses/<id:address_id>", methods=["GET", "POST"])
@signed_in_only
def edit_address(contact: Contact, address_id: int) -> Response:
    """Change an address of the book."""
    address = _mine(contact, address_id)
    if request.method == "GET":
        return _form_page(contact, address, values_of(address), {})
    form = _typed()
    problems = _problems(form)
    if problems:
        return _form_page(contact, address, form, problems, 422)
    save_address(contact, form, address=address,
                 make_default=bool(request.form.get("make_default")))
    db.session.commit()
    flash_shopper(_("The address is saved."), "success")
    return _to_account()


@bp.post("/account/addresses/<id:address_id>/default")
@signed_in_only
def default_address(contact: Contact, address_id: int) -> Response:
    """Make an address the one checkout starts from."""
    set_default(contact, _mine(contact, address_id))
    db.session.commit()
    flash_shopper(_("Checkout will start from this address."), "success")
    return _to_account()


@bp.post("/account/addresses/<id:address_id>/delete")
@signed_in_only
def delete_address(contact: Contact, address_id: int) -> Response:
    """Take an address out of the book (orders sent there keep it)."""
    remove_address(contact, _mine(contact, address_id))
    db.session.commit()
    flash_shopper(_("The address is removed."), "success")
    return _to_account()
