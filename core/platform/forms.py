"""The sign-up form. Field rules live here; store-wide rules live in provisioning."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, ValidationError

from core.i18n import LOCALE_NAMES
from tenants.provisioning import slug_problem

CURRENCIES = [SelectChoice("BDT", "BDT — Bangladeshi taka"),
              SelectChoice("AMD", "AMD — Armenian dram"),
              SelectChoice("USD", "USD — US dollar"), SelectChoice("EUR", "EUR — Euro")]
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

    name = StringField("Store name", validators=[
        DataRequired("Give your store a name."), Length(max=120)])
    slug = StringField("Store address", filters=[_clean_slug],
                       validators=[DataRequired("Choose an address."), _valid_slug])
    email = EmailField("Your email", filters=[_strip], validators=[
        DataRequired("We need your email to create your account."),
        Email("That does not look like an email address."), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."),
        Length(min=MIN_PASSWORD, max=200,
               message=f"Use at least {MIN_PASSWORD} characters.")])
    locale = SelectField("Store language", choices=LOCALES, default="en")
    currency = SelectField("Currency", choices=CURRENCIES, default="USD")
