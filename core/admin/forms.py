"""Admin sign-in form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    """Email and password for one store's staff."""

    email = EmailField("Email", validators=[
        DataRequired("Enter your email."), Email("That does not look like an email address."),
        Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
