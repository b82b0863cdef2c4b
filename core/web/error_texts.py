"""The words of the plain error pages (``core/templates/errors``), in the visitor's
language.

These pages are shown on a store's pages (to shoppers), in its admin (to staff) and on
hosts where no store lives. Their words are in the shoppers' catalogue (``messages``),
read from it even where a request uses the admin's.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape


def _(text: str, **variables: Any) -> str:
    """``gettext`` from the shoppers' catalogue, whichever one this request uses."""
    return str(current_app.extensions["babel"].instance.domain_instance.gettext(text, **variables))


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("You may not open this page"),
        404: _("Page not found"),
        405: _("This page cannot be used that way"),
        413: _("The upload is too large"),
        429: _("Too many requests"),
        503: _("This service is not available right now"),
    }


def _language() -> str:
    return str(get_locale() or "en")


def http_error_texts(code: int) -> dict[str, str]:
    """Title and message of the page for an HTTP error ``code``."""
    return {"title": _titles().get(code, _("Something went wrong")),
            "message": _("We could not find that page.") if code == 404 else "",
            "back": _("Back to the home page"), "lang": _language()}


def expired_form_texts() -> dict[str, str]:
    """A form whose CSRF check failed."""
    return {"title": _("This form has expired"),
            "message": _("Please go back, reload the page and submit the form again."),
            "back": _("Back to the home page"), "lang": _language()}


def server_error_texts() -> dict[str, str]:
    """An unexpected error (500)."""
    return {"title": _("Something went wrong"),
            "message": _("We have been told about it. Please try again in a moment."),
            "back": _("Back to the home page"), "lang": _language()}


def suspended_texts() -> dict[str, str]:
    """A suspended store's pages."""
    return {"title": _("This store is closed for now"),
            "message": _("The shop is temporarily unavailable. Please try again later."),
            "lang": _language()}


def no_store_texts(host: str) -> dict[str, object]:
    """A host where no store lives; ``host`` is shown (escaped) in bold."""
    bold = Markup("<strong>%s</strong>") % escape(host)
    message = escape(_("There is no shop at %(host)s. It may have moved, or the address "
                       "may be mistyped.", host="\x00")).replace("\x00", bold)
    return {"title": _("No store lives here"), "message": message,
            "platform_link": _("Find a store, or open your own, on Haat"),
            "lang": _language()}
