"""Where SSLCommerz sends the shopper back.

SSLCommerz ends its hosted page with an auto-submitting form that POSTs the outcome
(``tran_id``, ``val_id``, ``status``, ...) to ``success_url``, ``fail_url`` or
``cancel_url``. Core's return route, ``GET /orders/<token>/return``, takes GETs only,
so these URLs point here, ``/payments/sslcommerz/return/<outcome>/<token>``, which
only turns the POST into a 303 redirect to core's route, passing ``val_id`` as a key
to look the payment up with. Core then calls ``handle_return``, which asks
SSLCommerz's validation API (or the transaction query for this order's ``tran_id``)
and believes nothing else; core applies the result once and tells the shopper.

The route is CSRF-exempt because another site's form posts to it, and it is safe to
be: it changes nothing itself and only redirects to a page that checks with
SSLCommerz.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, request
from werkzeug.wrappers import Response

from core.sdk import csrf_exempt, current_store

bp = Blueprint("sslcommerz_return", __name__)

OUTCOMES = ("success", "fail", "cancel")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
_VAL_ID = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


@bp.route("/payments/sslcommerz/return/<outcome>/<token>", methods=["GET", "POST"])
@csrf_exempt
def shopper_returns(outcome: str, token: str) -> Response:
    """Send the shopper on to the order's return page, with ``val_id`` only."""
    if outcome not in OUTCOMES or not _TOKEN.match(token):
        abort(404)
    val_id = (request.form.get("val_id") or request.args.get("val_id") or "").strip()
    query = {"outcome": outcome}
    if _VAL_ID.match(val_id):
        query["val_id"] = val_id
    target = current_store().url(f"/orders/{token}/return") + "?" + urlencode(query)
    response = redirect(target, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
