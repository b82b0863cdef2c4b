"""Admin forms for signing in and managing accounts: sign-in, forgotten password,
choosing a password, and inviting staff."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from core.staff.models import ROLE_OWNER, ROLE_STAFF
from core.web.templating import number_filter

MIN_PASSWORD, MAX_PASSWORD = 10, 200
MAX_EMAIL = 254


def _email_field(missing: str = _l("Enter your email.")) -> EmailField:
    return EmailField(_l("Email"), filters=[lambda value: (value or "").strip()], validators=[
        DataRequired(missing),
        Email(_l("That does not look like an email address.")),
        Length(max=MAX_EMAIL, message=_l("An email address has at most 254 characters."))])


class LoginForm(FlaskForm):
    """Email and password for one store's staff."""

    email = _email_field()
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotForm(FlaskForm):
    """The email of the account whose password was forgotten."""

    email = _email_field()


def password_problem(password: str, email: str) -> str:
    """Why ``password`` cannot be used by the account ``email`` ("" when it can)."""
    if len(password) < MIN_PASSWORD:
        return _("Use at least %(n)s characters.", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _("Use at most %(n)s characters.", n=number_filter(MAX_PASSWORD))
    if password.strip().lower() == (email or "").strip().lower():
        return _("Your password cannot be your email address.")
    return ""


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (reset and accepting an invitation)."""

    password = PasswordField(_l("New password"))
    confirm = PasswordField(_l("New password again"))

    def check(self, email: str) -> bool:
        """Validate (CSRF included) and put each problem next to its field."""
        valid = self.validate()
        problem = password_problem(self.password.data or "", email)
        if problem:
            self.password.errors.append(problem)
        elif (self.confirm.data or "") != (self.password.data or ""):
            self.confirm.errors.append(_("The two passwords are not the same."))
        return valid and not problem and not self.confirm.errors


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one twice."""

    current = PasswordField(_l("Current password"))


def role_choices() -> list[SelectChoice]:
    """The roles as select choices (value, label), in the request's language."""
    return [SelectChoice(ROLE_STAFF,
                         _("Staff: products, collections, orders, customers and discounts")),
            SelectChoice(ROLE_OWNER,
                         _("Owner: everything, including settings, staff and plugins"))]


class InviteForm(FlaskForm):
    """Someone to invite, and their role."""

    email = _email_field(_l("Enter the email address of the person to invite."))
    role = SelectField(_l("Role"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
