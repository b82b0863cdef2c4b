"""The admin panel's own translation catalogue and language.

Admin strings live in the "admin" domain (``core/translations/<lang>/LC_MESSAGES/admin.po``),
apart from the shoppers' "messages" domain, so a word both use ("Paid", "Total") is never
shown half in one language and half in another, and a missing admin translation shows
the English text. The admin's language is the staff member's choice on their account
page, else the store's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from pathlib import Path

from flask import Flask, current_app, g, request
from flask_babel import Domain, get_babel, get_domain, get_locale
from flask_login import current_user

from core.i18n import LOCALE_NAMES, SUPPORTED_LOCALES

ADMIN_DOMAIN = "admin"


def admin_domain() -> Domain:
    """The app's admin catalogue (one per app, so its cache lives as long as the app)."""
    return current_app.extensions["haat_admin_domain"]


def is_admin_request() -> bool:
    """An admin page: core's admin blueprints, and plugins' routes under ``/admin``
    (which Haat draws in the admin's frame, in the staff member's language)."""
    return ((request.blueprint or "").startswith("admin") or request.path == "/admin"
            or request.path.startswith("/admin/"))


def is_platform_request() -> bool:
    """The platform's own pages (home, sign-up): for merchants, so in the admin's words."""
    return request.blueprint == "platform"


def use_admin_translations() -> None:
    """``before_request``: admin pages and the platform's own pages translate through the
    admin catalogue."""
    if is_admin_request() or is_platform_request():
        admin_domain().as_default()


@contextmanager
def _translations_from(domain: Domain) -> Iterator[None]:
    context = g._get_current_object()
    holder = getattr(context, "_flask_babel", None)
    previous = getattr(holder, "babel_domain", None) if holder is not None else None
    get_domain()  # creates the holder Flask-Babel keeps its state in
    g._flask_babel.babel_domain = domain
    try:
        yield
    finally:
        if previous is None:
            del g._flask_babel.babel_domain
        else:
            g._flask_babel.babel_domain = previous


def admin_translations() -> AbstractContextManager[None]:
    """Translate through the admin catalogue inside the block (e.g. staff emails that a
    background job renders)."""
    return _translations_from(admin_domain())


def shopper_translations() -> AbstractContextManager[None]:
    """Translate through the shoppers' catalogue inside the block, on an admin page:
    the message editor shows what shoppers will read."""
    return _translations_from(get_babel().instance.domain_instance)


def staff_language() -> str | None:
    """The admin language the signed-in staff member chose, if any."""
    chosen = getattr(current_user, "locale", None) if current_user else None
    return chosen if chosen in SUPPORTED_LOCALES else None


@cache
def _translated(folders: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code for code in SUPPORTED_LOCALES
                 if code == "en" or any((Path(folder) / code / "LC_MESSAGES" / "admin.mo")
                                        .exists() for folder in folders))


def admin_languages() -> dict[str, str]:
    """The languages the admin can be shown in: English and every language with a
    compiled admin catalogue, as ``{code: name}``."""
    folders = tuple(admin_domain().translation_directories)
    return {code: LOCALE_NAMES[code] for code in _translated(folders)}


def admin_page_language() -> str:
    """The ``lang`` of an admin page: its locale when the admin is translated into it,
    else English (the text a missing translation falls back to)."""
    code = str(get_locale() or "en")
    return code if code in admin_languages() else "en"


def init_app(app: Flask) -> None:
    app.extensions["haat_admin_domain"] = Domain(domain=ADMIN_DOMAIN)
    app.before_request(use_admin_translations)
    app.add_template_global(admin_page_language, "admin_page_language")
