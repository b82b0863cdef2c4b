"""The sign-up form. Field rules live here; store-wide rules live in provisioning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from core.i18n import LOCALE_NAMES
from tenants.provisioning import slug_problem

CURRENCIES = [SelectChoice("BDT", _l("BDT — Bangladeshi taka")),
              SelectChoice("AMD", _l("AMD — Armenian dram")),
              SelectChoice("USD", _l("USD — US dollar")), SelectChoice("EUR", _l("EUR — Euro"))]
LOCALES = [SelectChoice(code, name) for code, name in LOCALE_NAMES.items()]
MIN_PASSWORD = 10


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _clean_slug(value: str | None) -> str | None:
    """Addresses are case-insensitive, so ``Dhaka-Crafts`` means ``dhaka-crafts``."""
    return value.strip().lower() if isinstance(value, str) else value


def _valid_slug(_form: FlaskForm, field: StringField) -> None:
    problem = slug_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SignupForm(FlaskForm):
    """Create a store and its owner account."""

    name = StringField(_l("Store name"), validators=[
        DataRequired(_l("Give your store a name.")),
        Length(max=120, message=_l("Use at most %(max)s characters.", max=120))])
    slug = StringField(_l("Store address"), filters=[_clean_slug],
                       validators=[DataRequired(_l("Choose an address.")), _valid_slug])
    email = EmailField(_l("Your email"), filters=[_strip], validators=[
        DataRequired(_l("We need your email to create your account.")),
        Email(_l("That does not look like an email address.")),
        Length(max=254, message=_l("Use at most %(max)s characters.", max=254))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(min=MIN_PASSWORD, max=200,
               message=_l("Use at least %(count)s characters.", count=MIN_PASSWORD))])
    locale = SelectField(_l("Store language"), choices=LOCALES, default="en")
    currency = SelectField(_l("Currency"), choices=CURRENCIES, default="USD")
