"""Routes that other servers call, never a shopper's browser: payment and courier
webhooks.

Marking a view with :func:`called_by_servers` exempts it from the CSRF token (the
caller proves itself, e.g. with a signature) and keeps it answering while its store
is "coming soon" (:mod:`core.storefront.coming_soon`), when shopper pages do not.
Plugins mark theirs with ``core.sdk.csrf_exempt``, which calls this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from core.extensions import csrf

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "haat_called_by_servers"


def called_by_servers(view: F) -> F:
    """Decorator, under the route decorator: ``view`` is called by other servers."""
    setattr(view, _MARK, True)
    return csrf.exempt(view)


def request_is_from_servers() -> bool:
    """True when this request's view was marked with :func:`called_by_servers` (a
    decorator above the mark that uses ``functools.wraps`` keeps it)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _MARK, False))
