"""Pathao's webhook: ``POST /apps/pathao/webhook`` on the store's host.

As Pathao's documentation and its own WooCommerce plugin have it, Pathao sends the
webhook secret the merchant entered in its panel in the ``X-PATHAO-Signature`` header
(the header holds the secret itself, not a digest of the body), and expects every
answer to carry ``X-Pathao-Merchant-Webhook-Integration-Secret`` with the value Pathao
publishes for it, and the ``webhook_integration`` check (sent when the merchant saves
the URL) to be answered with 202. A request without the store's secret is refused
with 401 and changes nothing.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, Response, request

from core.sdk import csrf_exempt, current_store

from .carrier import remember_parcel
from .config import PLUGIN, PathaoConfig
from .events import apply_event

log = logging.getLogger(__name__)

bp = Blueprint("pathao", __name__, url_prefix="/apps/pathao")

SIGNATURE_HEADER = "X-PATHAO-Signature"
INTEGRATION_HEADER = "X-Pathao-Merchant-Webhook-Integration-Secret"
#: The value Pathao's integration check looks for (published in Pathao's developer
#: documentation and its WooCommerce plugin); the same for every merchant.
INTEGRATION_SECRET = "f3992ecc-59da-4cbe-a049-a13da2018d51"  # noqa: S105 (public)


def _answer(status: int, message: str) -> Response:
    body = json.dumps({"status": status, "message": message, "data": None})
    response = Response(body, status=status, mimetype="application/json")
    response.headers[INTEGRATION_HEADER] = INTEGRATION_SECRET
    return response


@bp.post("/webhook")
@csrf_exempt  # Pathao's server sends no CSRF token; its secret header is checked below
def webhook() -> Response:
    store = current_store()
    if PLUGIN not in store.enabled_plugins:
        return _answer(404, "Not found")
    secret = PathaoConfig.of(store).webhook_secret
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return _answer(401, "Unauthorized")
    try:
        payload = json.loads(request.get_data(cache=False) or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("event"), str):
        return _answer(400, "Bad request")
    if payload["event"] == "webhook_integration":
        return _answer(202, "Successfully accepted webhook_integration")
    merchant_order_id = str(payload.get("merchant_order_id") or "").strip()
    consignment = str(payload.get("consignment_id") or "").strip()
    if merchant_order_id and consignment:
        # The answer to a booking whose own answer was lost (see carrier.py).
        remember_parcel(store, merchant_order_id, consignment)
    result = apply_event(store, payload)
    if result is None:
        return _answer(404, "Unknown consignment")
    return _answer(202, "Accepted")
