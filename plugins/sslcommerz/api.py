"""Talking to SSLCommerz's API v4 with one store's credentials.

Every call takes the store's :class:`~.config.SslcommerzConfig`, so no call can use
another store's store ID or password. The base address is SSLCommerz's sandbox or live
server by the store's "sandbox" switch; ``HAAT_SSLCOMMERZ_API_BASE`` (an operator's
environment variable, for tests against a local fake) overrides both.

Endpoints (https://developer.sslcommerz.com/doc/v4/, and the official client
github.com/sslcommerz/SSLCommerz-Python, ``sslcommerz-lib``):

* ``POST /gwprocess/v4/api.php``: start a session (form-encoded).
* ``GET /validator/api/validationserverAPI.php?val_id=..``: check a payment.
* ``GET /validator/api/merchantTransIDvalidationAPI.php?tran_id=..``: the payments of a
  transaction id; with ``bank_tran_id`` and ``refund_amount``: a refund; with
  ``refund_ref_id``: a refund's status.

The password travels in the query string of the GET calls because that is how
SSLCommerz's API takes it; it is never logged here (errors name the endpoint only).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests

from .config import SslcommerzConfig

ENV_API_BASE = "HAAT_SSLCOMMERZ_API_BASE"
#: Seconds to wait for SSLCommerz (connect, read); checkout waits on it, keep it short.
TIMEOUT: tuple[float, float] = (5.0, 15.0)

SESSION_PATH = "/gwprocess/v4/api.php"
VALIDATION_PATH = "/validator/api/validationserverAPI.php"
TRANSACTION_PATH = "/validator/api/merchantTransIDvalidationAPI.php"


class SslcommerzError(Exception):
    """SSLCommerz could not be asked, or answered something that is not its JSON.

    ``str(error)`` names the endpoint and what went wrong, never a credential."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def base_url(config: SslcommerzConfig) -> str:
    override = os.environ.get(ENV_API_BASE, "").strip().rstrip("/")
    return override or config.documented_base


def _json(response: requests.Response, path: str) -> dict[str, Any]:
    if response.status_code >= 500:
        raise SslcommerzError(f"{path}: HTTP {response.status_code}", unreachable=True)
    try:
        data = response.json()
    except ValueError:
        raise SslcommerzError(f"{path}: HTTP {response.status_code}, not JSON") from None
    if not isinstance(data, dict):
        raise SslcommerzError(f"{path}: HTTP {response.status_code}, not a JSON object")
    return data


def _call(config: SslcommerzConfig, method: str, path: str, *,
          params: Mapping[str, str] | None = None,
          data: Mapping[str, str] | None = None) -> dict[str, Any]:
    url = base_url(config) + path
    try:
        response = requests.request(method, url, params=params, data=data,
                                    timeout=TIMEOUT, allow_redirects=False)
    except requests.Timeout:
        raise SslcommerzError(f"{path}: timed out", unreachable=True) from None
    except requests.RequestException as exc:
        # "from None": the exception's text quotes the URL, password and all.
        raise SslcommerzError(f"{path}: {type(exc).__name__}", unreachable=True) from None
    return _json(response, path)


def _credentials(config: SslcommerzConfig) -> dict[str, str]:
    return {"store_id": config.store_id, "store_passwd": config.store_passwd}


def create_session(config: SslcommerzConfig, fields: Mapping[str, str]) -> dict[str, Any]:
    """``POST /gwprocess/v4/api.php``: ``{"status": "SUCCESS", "sessionkey",
    "GatewayPageURL", ...}`` or ``{"status": "FAILED", "failedreason"}``."""
    return _call(config, "POST", SESSION_PATH, data={**_credentials(config), **fields})


def validate(config: SslcommerzConfig, val_id: str) -> dict[str, Any]:
    """The validation API: ``status`` VALID, VALIDATED or INVALID_TRANSACTION, with
    ``tran_id``, ``amount``, ``currency_type``, ``currency_amount``, ``risk_level``..."""
    return _call(config, "GET", VALIDATION_PATH,
                 params={"val_id": val_id, **_credentials(config), "v": "1",
                         "format": "json"})


def query_transaction(config: SslcommerzConfig, tran_id: str) -> dict[str, Any]:
    """The transaction query: ``{"APIConnect": "DONE", "no_of_trans_found": n,
    "element": [{"val_id", "status", "tran_id", "amount", ...}]}``."""
    return _call(config, "GET", TRANSACTION_PATH,
                 params={"tran_id": tran_id, **_credentials(config), "format": "json"})


def refund(config: SslcommerzConfig, *, bank_tran_id: str, amount: str, remarks: str,
           refe_id: str) -> dict[str, Any]:
    """Ask for a refund: ``{"APIConnect": "DONE", "status": "success"|"failed"|
    "processing", "refund_ref_id", "errorReason"}``."""
    return _call(config, "GET", TRANSACTION_PATH,
                 params={"bank_tran_id": bank_tran_id, "refund_amount": amount,
                         "refund_remarks": remarks, "refe_id": refe_id,
                         **_credentials(config), "format": "json"})


def refund_status(config: SslcommerzConfig, refund_ref_id: str) -> dict[str, Any]:
    """A refund's status: ``{"APIConnect": "DONE", "status": "refunded"|"processing"|
    "cancelled", ...}``."""
    return _call(config, "GET", TRANSACTION_PATH,
                 params={"refund_ref_id": refund_ref_id, **_credentials(config),
                         "format": "json"})
