"""Reading the checkout form: raw strings in, checked values and field errors out.

Nothing here trusts the browser: every value is trimmed and checked, and problems
come back as ``{field: message}`` so the page can show each next to its field and
keep everything the shopper typed. What a shopper types is never cut: longer than its
column is a field error (:func:`length_problems`), and the page's ``maxlength`` comes
from the same :data:`FIELD_LIMITS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from core.accounts.models import ShopperAddress
from core.db import column_length
from core.discounts.models import Discount
from core.orders.models import Order
from core.sdk import Address
from core.web.templating import number_filter

ADDRESS_FIELDS = ("name", "country", "region", "city", "line1", "line2", "postcode")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
#: The shopper's note to the shop (``Order.note`` is Text; ``core.sdk`` promises
#: plugins at most this many characters).
NOTE_LIMIT = 1000
#: The most characters of each field the shopper types: the column that keeps it (the
#: address book's for the address, which orders copy), else its own limit.
FIELD_LIMITS = {
    "email": column_length(Order.email), "phone": column_length(Order.phone),
    **{name: column_length(getattr(ShopperAddress, name)) for name in ADDRESS_FIELDS
       if name != "country"},  # a choice: a wrong one gets "Choose a country"
    "coupon": column_length(Discount.code), "note": NOTE_LIMIT,
}
ADDRESS_LIMITED = tuple(name for name in ADDRESS_FIELDS if name in FIELD_LIMITS)
#: Values the page itself fills in (choices, hidden fields): bounded, as no shopper
#: types them; a cut one matches nothing and gets that field's own problem.
_CHOSEN_LIMITS = {"shipping_rate": 200, "payment_method": 64, "idempotency_key": 64,
                  "expected_total": 20, "marketing": 1}
#: Countries whose addresses need a postcode; elsewhere (Bangladesh, Armenia's
#: villages, ...) couriers go by area, so it stays optional.
POSTCODE_REQUIRED = frozenset({"US", "GB", "CA", "DE", "FR", "NL", "IN", "AU", "IT", "ES"})
_IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Shoppers in Bangladesh may type ০১৭১২…; numbers are kept in ASCII digits.
_BENGALI_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@dataclass(frozen=True)
class CheckoutInput:
    """What the shopper sent, trimmed. ``payment_fields`` maps gateway id to its fields."""

    values: Mapping[str, str]
    payment_fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def address(self) -> Address | None:
        if not self.get("country"):
            return None
        return Address(country=self.get("country"), region=self.get("region"),
                       city=self.get("city"), line1=self.get("line1"),
                       line2=self.get("line2"), postcode=self.get("postcode"),
                       name=self.get("name"), phone=self.get("phone"))


def read_form(form: Mapping[str, str]) -> CheckoutInput:
    """Collect the checkout fields from a submitted form (missing ones are empty)."""
    values = {}
    for name in (*FIELD_LIMITS, "country"):  # as typed: checked, never cut
        values[name] = _typed(form.get(name, ""))
    for name, limit in _CHOSEN_LIMITS.items():
        values[name] = _typed(form.get(name, ""))[:limit]
    values["country"] = values["country"].upper()
    values["phone"] = values["phone"].translate(_BENGALI_DIGITS)
    gateways: dict[str, dict[str, str]] = {}
    for key in form:
        if key.startswith("payment-") and key.count("-") >= 2:
            gateway, _sep, name = key.removeprefix("payment-").rpartition("-")
            raw = form.get(key, "")
            if gateway and name and isinstance(raw, str):
                # The gateway's field checks the length (core.sdk.TextField.max_length).
                gateways.setdefault(gateway, {})[name] = _typed(raw)
    return CheckoutInput(values=values, payment_fields=gateways)


def _typed(raw: object) -> str:
    """A typed value, trimmed; a text area's line breaks as one character each, as the
    browser counts them for ``maxlength`` (it sends them as two)."""
    return raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""


def length_problems(data: CheckoutInput | Mapping[str, str],
                    names: tuple[str, ...] = tuple(FIELD_LIMITS)) -> dict[str, str]:
    """A field error for each of ``names`` that is longer than its limit."""
    return {name: too_long(FIELD_LIMITS[name]) for name in names
            if len(data.get(name) or "") > FIELD_LIMITS[name]}


def too_long(limit: int) -> str:
    """The message of a field over its ``limit``, the number in the store's digits."""
    return _("Use at most %(count)s characters.", count=number_filter(limit))


def contact_problems(data: CheckoutInput, countries: Mapping[str, str]) -> dict[str, str]:
    """Field errors in the contact and address parts (the rest is checked by the quote)."""
    problems: dict[str, str] = {}
    email, phone = data.get("email"), data.get("phone")
    if not email and not phone:
        problems["phone"] = _("Enter a phone number or an email address, so we can reach "
                              "you about this order.")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems["email"] = _("Enter an email address like name@example.com.")
    if phone and (problem := phone_problem(phone)):
        problems["phone"] = problem
    return {**problems, **address_problems(data, countries), **length_problems(data)}


def phone_problem(phone: str) -> str | None:
    """Why ``phone`` (trimmed, ASCII digits) is not a phone number, or ``None``."""
    if _PHONE.match(phone):
        return None
    return _("Enter a phone number with digits only, like 01712 345678.")


def address_problems(data: CheckoutInput | Mapping[str, str],
                     countries: Mapping[str, str]) -> dict[str, str]:
    """Field errors in a delivery address: who receives it, the country, the city or
    area, the street, and the postcode where the country needs one."""
    problems: dict[str, str] = {}
    if not data.get("name"):
        problems["name"] = _("Enter the name of the person receiving the order.")
    country = data.get("country")
    if not _COUNTRY.match(country) or country not in countries:
        problems["country"] = _("Choose a country.")
    if not data.get("city"):
        problems["city"] = _("Enter the city or area.")
    if not data.get("line1"):
        problems["line1"] = _("Enter the street address or house.")
    if country in POSTCODE_REQUIRED and not data.get("postcode"):
        problems["postcode"] = _("Enter the postcode.")
    return {**problems, **length_problems(data, ADDRESS_LIMITED)}


def idempotency_key(data: CheckoutInput) -> str | None:
    """The form's one-time key, when it has a plausible one."""
    key = data.get("idempotency_key")
    return key if _IDEMPOTENCY.match(key) else None
