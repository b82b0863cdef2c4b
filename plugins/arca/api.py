"""Talking to ArCa's iPay/vPOS REST API (the BPC "payment/rest" API) for one store.

Every call is a form-encoded ``POST {base}/<method>.do`` carrying the store's own
``userName`` and ``password``, and answers JSON. The base is ArCa's test or live server
(the store's "test mode" setting), or ``HAAT_ARCA_API_BASE``, an operator's environment
variable for tests against a local fake; empty means the real ArCa. Every call has a
timeout. The password never reaches a log line or an exception's text.

Sources: github.com/Hovakimyannn/omnipay-epg (``src/ArcaGateway.php``: the two bases;
``src/Message/Request/*``: the methods and fields) and the ArCa WooCommerce plugins
that use the same bases.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import requests

from .config import ArcaConfig

log = logging.getLogger(__name__)

ENV_API_BASE = "HAAT_ARCA_API_BASE"
TEST_BASE = "https://ipaytest.arca.am:8445/payment/rest"
LIVE_BASE = "https://ipay.arca.am/payment/rest"
#: (connect, read) seconds. The shopper waits on register.do, so keep it short.
TIMEOUT = (5, 15)

#: ISO 4217 numeric codes of the currencies ArCa vPOS terminals are opened in. Amounts
#: are sent in minor units (two decimals for all four, as in Haat).
CURRENCY_CODES = {"AMD": "051", "USD": "840", "EUR": "978", "RUB": "643"}
CURRENCY_BY_CODE = {code: name for name, code in CURRENCY_CODES.items()}

#: register.do errorCode 1: "an order with this number is already registered".
DUPLICATE_ORDER_NUMBER = "1"
#: getOrderStatusExtended.do errorCode 6: no such order for this merchant.
UNKNOWN_ORDER = "6"


class ArcaUnreachable(Exception):
    """ArCa did not answer in time, or answered something that is not its JSON."""


class ArcaError(Exception):
    """ArCa answered with a non-zero ``errorCode``."""

    def __init__(self, method: str, code: str, message: str) -> None:
        super().__init__(f"{method}: errorCode {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


def base_url(config: ArcaConfig) -> str:
    override = os.environ.get(ENV_API_BASE, "").strip().rstrip("/")
    if override:
        return override
    return TEST_BASE if config.test_mode else LIVE_BASE


def call(config: ArcaConfig, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``POST {base}/{method}`` with the store's credentials; the answer's JSON.

    Raises :class:`ArcaUnreachable` (timeout, refused connection, HTTP error, not JSON)
    or :class:`ArcaError` (``errorCode`` other than ``0``)."""
    data = {"userName": config.username, "password": config.password,
            **{k: str(v) for k, v in params.items() if v is not None and v != ""}}
    url = f"{base_url(config)}/{method}"
    try:
        response = requests.post(url, data=data, timeout=TIMEOUT)
    except requests.RequestException as exc:
        # Only the exception's kind: its text may quote the request.
        raise ArcaUnreachable(f"{method}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise ArcaUnreachable(f"{method}: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise ArcaUnreachable(f"{method}: the answer is not JSON") from None
    if not isinstance(body, dict):
        raise ArcaUnreachable(f"{method}: the answer is not a JSON object")
    code = str(body.get("errorCode", body.get("ErrorCode", "0")) or "0")
    if code != "0":
        message = str(body.get("errorMessage", body.get("ErrorMessage", "")) or "")
        raise ArcaError(method, code, message[:300])
    return body
