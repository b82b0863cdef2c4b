"""Talking to Steadfast's merchant API (v1) with one store's keys.

The endpoints and fields follow "Steadfast Courier Limited API Documentation V1"
(base ``https://portal.packzy.com/api/v1``). Every call sends that store's ``Api-Key``
and ``Secret-Key`` headers and has a timeout; no key is kept at module level.
``HAAT_STEADFAST_API_BASE`` points every client at another base (a local fake in
tests): it is the operator's environment variable, never a merchant setting.

Answers are read defensively because the documentation shows only successful ones:
a body with ``errors`` (Laravel's validation answer) is a refusal whatever its HTTP
status, 401/403 is a rejected key pair, 404 an unknown parcel, and a 5xx, a timeout or
a body that is not JSON means Steadfast could not be asked.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import requests

from .config import SteadfastConfig

log = logging.getLogger(__name__)

ENV_API_BASE = "HAAT_STEADFAST_API_BASE"
LIVE_BASE = "https://portal.packzy.com/api/v1"
#: (connect, read) seconds. Booking waits on the merchant's click; a minute at most.
TIMEOUT = (5.0, 25.0)


class SteadfastError(Exception):
    """Steadfast answered with a refusal, or could not be asked."""

    def __init__(self, detail: str, *, status: int = 0,
                 errors: Mapping[str, Any] | None = None, message: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.errors = dict(errors or {})
        self.message = message

    def reasons(self) -> str:
        """Steadfast's own words for a refusal, one sentence after another."""
        words: list[str] = []
        for value in self.errors.values():
            for item in value if isinstance(value, list) else [value]:
                if str(item).strip():
                    words.append(str(item).strip())
        return " ".join(words) or self.message


class SteadfastDown(SteadfastError):
    """Steadfast could not be reached, timed out, or failed (5xx or not JSON)."""


class SteadfastRefused(SteadfastError):
    """Steadfast refused the request (validation errors, an unexpected status)."""


class SteadfastUnauthorised(SteadfastRefused):
    """The store's API key and secret key were not accepted."""


class SteadfastNotFound(SteadfastRefused):
    """No such parcel or payment for this merchant."""


def api_base() -> str:
    return (os.environ.get(ENV_API_BASE, "").strip() or LIVE_BASE).rstrip("/")


def decimal_of(value: Any) -> Decimal:
    """A Steadfast amount (a number or a numeric string) as a Decimal; 0 when absent."""
    if value is None or value == "" or isinstance(value, bool):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SteadfastDown(f"steadfast sent an amount that is not a number: {value!r}") \
            from None
    if not number.is_finite():
        raise SteadfastDown(f"steadfast sent an amount that is not a number: {value!r}")
    return number


class SteadfastClient:
    """Steadfast's API for one store's key pair."""

    def __init__(self, config: SteadfastConfig, *,
                 timeout: tuple[float, float] | None = None) -> None:
        self._headers = {"Api-Key": config.api_key, "Secret-Key": config.secret_key,
                         "Content-Type": "application/json", "Accept": "application/json"}
        self._timeout = TIMEOUT if timeout is None else _shorter(timeout, TIMEOUT)
        self._base = api_base()

    def __repr__(self) -> str:  # never the keys
        return f"SteadfastClient({self._base})"

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        url = f"{self._base}{path}"
        try:
            answer = requests.request(method, url, json=body, headers=self._headers,
                                      timeout=self._timeout)
        except requests.Timeout:
            raise SteadfastDown(f"steadfast {method} {path}: timed out") from None
        except requests.RequestException as exc:
            raise SteadfastDown(f"steadfast {method} {path}: {type(exc).__name__}") from None
        where = f"steadfast {method} {path}: HTTP {answer.status_code}"
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status_code >= 500 or data is None:
            raise SteadfastDown(where, status=answer.status_code)
        message = str(data.get("message") or "") if isinstance(data, dict) else ""
        if answer.status_code in (401, 403):
            raise SteadfastUnauthorised(where, status=answer.status_code, message=message)
        if isinstance(data, dict) and data.get("errors"):
            errors = data["errors"] if isinstance(data["errors"], dict) else {
                "": data["errors"]}
            raise SteadfastRefused(where, status=answer.status_code, errors=errors,
                                   message=message)
        if answer.status_code == 404:
            raise SteadfastNotFound(where, status=404, message=message)
        inner = data.get("status") if isinstance(data, dict) else None
        if answer.status_code >= 400 or (isinstance(inner, int) and inner != 200):
            raise SteadfastRefused(f"{where} (status {inner})", status=answer.status_code,
                                   message=message)
        return data

    # -- parcels

    def create_order(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /create_order``; the created ``consignment``."""
        data = self._call("POST", "/create_order", fields)
        consignment = data.get("consignment") if isinstance(data, dict) else None
        if not isinstance(consignment, dict) or not consignment.get("consignment_id"):
            raise SteadfastDown("steadfast POST /create_order: no consignment in the answer")
        return consignment

    def status_by_cid(self, consignment_id: str) -> str:
        return self._status(f"/status_by_cid/{quote(consignment_id, safe='')}")

    def status_by_trackingcode(self, code: str) -> str:
        return self._status(f"/status_by_trackingcode/{quote(code, safe='')}")

    def status_by_invoice(self, invoice: str) -> dict[str, Any]:
        """The whole answer (documented: ``status`` and ``delivery_status``)."""
        data = self._call("GET", f"/status_by_invoice/{quote(invoice, safe='')}")
        if not isinstance(data, dict) or not data.get("delivery_status"):
            raise SteadfastDown("steadfast status_by_invoice: no delivery_status")
        return data

    def _status(self, path: str) -> str:
        data = self._call("GET", path)
        status = data.get("delivery_status") if isinstance(data, dict) else None
        if not isinstance(status, str) or not status:
            raise SteadfastDown(f"steadfast GET {path}: no delivery_status")
        return status

    # -- money

    def balance(self) -> Decimal:
        data = self._call("GET", "/get_balance")
        return decimal_of(data.get("current_balance") if isinstance(data, dict) else None)

    def payments(self) -> list[dict[str, Any]]:
        """``GET /payments``: a list, or a (paginated) ``{"data": [...]}``."""
        return [p for p in _listed(self._call("GET", "/payments")) if isinstance(p, dict)]

    def payment(self, payment_id: str) -> dict[str, Any]:
        """``GET /payments/{payment_id}`` with its ``consignments``."""
        data = self._call("GET", f"/payments/{quote(payment_id, safe='')}")
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            data = data["data"]
        if not isinstance(data, dict):
            raise SteadfastDown("steadfast GET /payments/{id}: not an object")
        return data


def _shorter(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (min(a[0], b[0]), min(a[1], b[1]))


def _listed(data: Any) -> list[Any]:
    while isinstance(data, dict) and "data" in data:
        data = data["data"]
    return data if isinstance(data, list) else []
