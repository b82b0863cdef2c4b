"""Friendly error pages. No page ever shows a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, abort, render_template, request
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.web import error_texts
from core.web.templating import shopper_language
from core.web.tenancy import StoreNotFound, StoreSuspended, current_store
from core.web.urls import platform_url

log = logging.getLogger("haat.errors")


def _page(template: str, status: int, **context: object) -> tuple[str, int]:
    return render_template(template, platform_url=platform_url(), **context), status


def http_error_page(exc: HTTPException) -> tuple[str, int]:
    """The plain error page for an HTTP error (storefronts render their own 404)."""
    code = exc.code or 500
    return _page("errors/http.html", code, code=code, **error_texts.http_error_texts(code))


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _holds_nul(pairs: Iterable[tuple[str, list[str]]]) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values)
               for key, values in pairs)


def refuse_nul_characters() -> None:
    """Answer 400 to a URL or form holding a NUL character: no browser sends one, and
    PostgreSQL refuses text that holds it (a 500 otherwise, deep in some query)."""
    if "\x00" in request.path or _holds_nul(request.args.lists()):
        abort(400)
    if request.mimetype in _FORM_TYPES:
        if request.mimetype == "application/x-www-form-urlencoded":
            # Keep the raw body readable after the form is parsed: a payment
            # provider's form-encoded webhook is verified on its raw bytes.
            request.get_data(cache=True)
        if _holds_nul(request.form.lists()):
            abort(400)


def init_app(app: Flask) -> None:
    """Register the error handlers, and refuse requests no page could answer."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_characters)

    @app.errorhandler(StoreNotFound)
    def store_not_found(exc: StoreNotFound) -> tuple[str, int]:
        return _page("errors/no_store.html", 404, **error_texts.no_store_texts(request.host))

    @app.errorhandler(StoreSuspended)
    def store_suspended(exc: StoreSuspended) -> tuple[str, int]:
        # No store is entered for a suspended one: its language is the page's default.
        with force_locale(shopper_language() or exc.locale):
            return _page("errors/suspended.html", 503, **error_texts.suspended_texts())

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> tuple[str, int]:
        return _page("errors/http.html", 400, code=400, **error_texts.expired_form_texts())

    app.register_error_handler(HTTPException, http_error_page)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int]:
        if app.testing and app.config.get("HAAT_RERAISE_ERRORS", True):
            raise exc
        log.exception("Unhandled error on %s %s (store %s)", request.method, request.path,
                      getattr(current_store(), "slug", "-"))
        return _page("errors/http.html", 500, code=500, **error_texts.server_error_texts())
