"""Reading the checkout form: raw strings in, checked values and field errors out.

Nothing here trusts the browser: every value is trimmed and bounded, and problems
come back as ``{field: message}`` so the page can show each next to its field and
keep everything the shopper typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from core.sdk import Address

ADDRESS_FIELDS = ("name", "country", "region", "city", "line1", "line2", "postcode")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LIMITS = {"email": 254, "phone": 32, "name": 200, "country": 2, "region": 100, "city": 100,
           "line1": 200, "line2": 200, "postcode": 16, "shipping_rate": 200,
           "payment_method": 64, "coupon": 41, "note": 1000, "idempotency_key": 64,
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
    for name, limit in _LIMITS.items():
        raw = form.get(name, "")
        values[name] = raw.strip()[:limit] if isinstance(raw, str) else ""
    values["country"] = values["country"].upper()
    values["phone"] = values["phone"].translate(_BENGALI_DIGITS)
    gateways: dict[str, dict[str, str]] = {}
    for key in form:
        if key.startswith("payment-") and key.count("-") >= 2:
            gateway, _sep, name = key.removeprefix("payment-").rpartition("-")
            raw = form.get(key, "")
            if gateway and name and isinstance(raw, str):
                gateways.setdefault(gateway, {})[name] = raw.strip()[:200]
    return CheckoutInput(values=values, payment_fields=gateways)


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
    return {**problems, **address_problems(data, countries)}


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
    return problems


def idempotency_key(data: CheckoutInput) -> str | None:
    """The form's one-time key, when it has a plausible one."""
    key = data.get("idempotency_key")
    return key if _IDEMPOTENCY.match(key) else None
