"""Per-store budgets for expensive requests: one store's flood cannot take the machine.

Searching, building a sitemap, exporting or importing products and processing product
photos cost far more than a page. Each store gets a budget per kind of work
(``HAAT_BUDGET_<KIND>``, Flask-Limiter's syntax such as ``"30 per minute"``), counted for
the whole store whoever asks, in the rate-limit storage (:func:`use_allowance`), so a
flood against one store is refused there (429 with ``Retry-After``) while every other
store's requests go on as before. The defaults are far above what a busy store uses.
"""

from __future__ import annotations

import math
import time
from typing import Literal

from flask import Flask, current_app, has_request_context, jsonify, render_template, request
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from core.extensions import limiter
from core.web.allowance import storage_errors, use_allowance
from core.web.client_address import client_address
from core.web.tenancy import current_store

Kind = Literal["search", "sitemap", "export", "import", "images"]
#: Each kind of expensive work and the setting that holds its budget.
SETTINGS: dict[str, str] = {
    "search": "HAAT_BUDGET_SEARCH",
    "sitemap": "HAAT_BUDGET_SITEMAP",
    "export": "HAAT_BUDGET_EXPORT",
    "import": "HAAT_BUDGET_IMPORT",
    "images": "HAAT_BUDGET_IMAGES",
}


class BudgetExhausted(TooManyRequests):
    """A store used up its budget of one kind of work; the answer is a friendly 429."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.kind = kind
        self.retry_after_seconds = retry_after


#: Kinds that anonymous visitors can ask for, with the setting of each client's share:
#: checked first, so one client cannot use up the whole store's budget on its own.
CLIENT_SETTINGS: dict[str, str] = {"search": "HAAT_BUDGET_SEARCH_CLIENT"}


def _limits(kind: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[SETTINGS[kind]])


def _client_share(kind: str, store_id: int) -> int:
    """0 when this client may go on asking for ``kind``, else seconds to wait."""
    setting = CLIENT_SETTINGS.get(kind)
    if setting is None or not has_request_context():
        return 0
    limits = parse_many(current_app.config[setting])
    keys = (*_keys(kind, store_id), "client", client_address())
    return 0 if use_allowance(limits, *keys) else _retry_after(limits, keys)


def _keys(kind: str, store_id: int) -> tuple[str, ...]:
    return ("haat-budget", kind, str(store_id))


def try_spend(kind: Kind, store_id: int | None = None) -> int:
    """Count one use of ``kind`` for the store (the current one by default).

    Returns 0 when it was within the budget, else the seconds until it is worth
    asking again (nothing counted)."""
    if store_id is None:
        store = current_store()
        if store is None:  # the platform's own pages are not a store's work
            return 0
        store_id = store.id
    wait = _client_share(kind, store_id)
    if wait:
        return wait
    limits = _limits(kind)
    keys = _keys(kind, store_id)
    if use_allowance(limits, *keys):
        return 0
    return _retry_after(limits, keys)


def spend(kind: Kind, store_id: int | None = None) -> None:
    """Like :func:`try_spend`, but raise :class:`BudgetExhausted` (a friendly 429 page
    with ``Retry-After``) when the budget is used up."""
    wait = try_spend(kind, store_id)
    if wait:
        raise BudgetExhausted(kind, wait)


def _retry_after(limits: list[RateLimitItem], keys: tuple[str, ...]) -> int:
    """Seconds until every used-up limit has room again (at least 1; a minute when the
    storage cannot say)."""
    now = time.time()
    waits = [1]
    try:
        for item in limits:
            stats = limiter.limiter.get_window_stats(item, *keys)
            if stats.remaining <= 0:
                waits.append(math.ceil(stats.reset_time - now))
    except storage_errors():
        return 60
    return max(waits)


def _busy_page(exc: BudgetExhausted) -> Response:
    """The friendly 429: in the admin's words on admin pages, else the shopper's; JSON
    for scripts (search-as-you-type, the photo uploader)."""
    from core.admin.language import is_admin_request

    if is_admin_request():
        from core.admin.busy import busy_texts as admin_texts

        texts, home = admin_texts(exc.kind, exc.retry_after_seconds), "/admin"
    else:
        from core.storefront.busy import busy_texts

        texts, home = busy_texts(exc.retry_after_seconds), "/"
    if request.accept_mimetypes.best == "application/json" or request.path.endswith("/suggest"):
        response = jsonify(error=f"{texts['title']}. {texts['message']}")
        response.status_code = 429
    else:
        body = render_template("errors/busy.html", home=home, **texts)
        response = Response(body, status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(exc.retry_after_seconds)
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    """Answer a used-up budget with the friendly 429 page."""
    app.register_error_handler(BudgetExhausted, _busy_page)
