"""Talking to Pathao's Courier Merchant API with one store's credentials.

Endpoints (https://merchant.pathao.com/courier/developer-api, as Pathao's own
WooCommerce plugin github.com/pathao-eng/courier-woocommerce-plugin calls them):
``POST /aladdin/api/v1/issue-token`` (password grant, then refresh grant), the city,
zone and area lists, ``GET /aladdin/api/v1/stores``, ``POST
/aladdin/api/v1/merchant/price-plan``, ``POST /aladdin/api/v1/orders`` and ``GET
/aladdin/api/v1/orders/<consignment id>/info``.

Every client is built from one store's :class:`~.config.PathaoConfig`; tokens, location
lists and prices are cached in this process under that store's id and a digest of its
credentials (:attr:`PathaoConfig.account_key`), never shared between stores. Nothing is
written to the database here, so a quote at checkout (which may not write) can use it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .config import PathaoConfig

log = logging.getLogger(__name__)

PREFIX = "/aladdin/api/v1"
#: Seconds to wait for Pathao while a shopper waits for delivery prices.
QUOTE_TIMEOUT = 5
#: Seconds to wait for a booking, a poll or a token (no shopper waiting).
TIMEOUT = 30
#: Renew a token this many seconds before Pathao says it expires.
TOKEN_MARGIN = 300
LOCATIONS_TTL = 24 * 3600
PRICE_TTL = 30 * 60

ITEM_PARCEL = 2
DELIVERY_NORMAL = 48


class PathaoUnavailable(Exception):
    """Pathao could not be reached or answered with a server error: try again later.

    ``sent`` is False only when the request surely never reached Pathao (connection
    refused or not made in time), so a booking surely did not happen."""

    def __init__(self, message: str, *, sent: bool = True) -> None:
        super().__init__(message)
        self.sent = sent


class PathaoRefused(Exception):
    """Pathao answered and refused the request (a 4xx with its message)."""

    def __init__(self, status: int, message: str, errors: Any = None) -> None:
        super().__init__(f"pathao refused: HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.errors = errors or {}

    def reason(self) -> str:
        """Pathao's message and its field errors in one line (Pathao writes English)."""
        details = []
        if isinstance(self.errors, dict):
            for field_name, problems in self.errors.items():
                words = problems if isinstance(problems, list) else [problems]
                details.append(f"{field_name}: {' '.join(str(w) for w in words)}")
        return "; ".join([self.message or f"HTTP {self.status}", *details])


@dataclass
class _Token:
    access: str
    refresh: str
    expires_at: float


_lock = threading.Lock()
_tokens: dict[str, _Token] = {}
_cache: dict[tuple, tuple[float, Any]] = {}


def forget_everything() -> None:
    """Drop every cached token, list and price (tests; a worker after a key change)."""
    with _lock:
        _tokens.clear()
        _cache.clear()


def _cached(key: tuple, ttl: float, load) -> Any:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    with _lock:
        _cache[key] = (now + ttl, value)
    return value


class PathaoClient:
    """Pathao's API for one store's account."""

    def __init__(self, config: PathaoConfig, *, timeout: float = TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout

    # -- HTTP

    def _send(self, method: str, path: str, *, json: Any = None,
              token: str | None = None) -> dict[str, Any]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"{self.config.base}{path}"
        try:
            response = requests.request(method, url, json=json, headers=headers,
                                        timeout=self.timeout)
        except requests.RequestException as exc:
            never_sent = isinstance(exc, requests.ConnectTimeout) or (
                "NewConnectionError" in repr(exc) or "Connection refused" in str(exc))
            raise PathaoUnavailable(f"pathao {method} {path}: {type(exc).__name__}",
                                    sent=not never_sent) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise PathaoUnavailable(f"pathao {method} {path}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.ok:
                raise PathaoUnavailable(f"pathao {method} {path}: not JSON")
            body = {}
        if not response.ok:
            raise PathaoRefused(response.status_code, str(body.get("message") or ""),
                                body.get("errors"))
        return body

    def _token(self) -> str:
        key = self.config.account_key
        with _lock:
            token = _tokens.get(key)
        now = time.time()
        if token is not None and token.expires_at - TOKEN_MARGIN > now:
            return token.access
        grant: dict[str, Any] = {"client_id": self.config.client_id,
                                 "client_secret": self.config.client_secret}
        answer = None
        if token is not None and token.refresh:
            try:
                answer = self._send("POST", f"{PREFIX}/issue-token", json={
                    **grant, "grant_type": "refresh_token", "refresh_token": token.refresh})
            except PathaoRefused:
                answer = None  # the refresh token expired too: sign in again
        if answer is None:
            answer = self._send("POST", f"{PREFIX}/issue-token", json={
                **grant, "grant_type": "password", "username": self.config.username,
                "password": self.config.password})
        access = str(answer.get("access_token") or "")
        if not access:
            raise PathaoUnavailable("pathao issue-token: no access_token in the answer")
        fresh = _Token(access, str(answer.get("refresh_token") or ""),
                       now + float(answer.get("expires_in") or 3600))
        with _lock:
            _tokens[key] = fresh
        return access

    def call(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        """An authorised call; a token Pathao no longer accepts is renewed once."""
        try:
            return self._send(method, PREFIX + path, json=json, token=self._token())
        except PathaoRefused as exc:
            if exc.status != 401:
                raise
            with _lock:
                _tokens.pop(self.config.account_key, None)
            return self._send(method, PREFIX + path, json=json, token=self._token())

    # -- the endpoints

    @staticmethod
    def _rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
        data = answer.get("data")
        rows = data.get("data") if isinstance(data, dict) else data
        return [row for row in rows or () if isinstance(row, dict)]

    def cities(self) -> list[dict[str, Any]]:
        return _cached((self.config.account_key, "cities"), LOCATIONS_TTL,
                       lambda: self._rows(self.call("GET", "/city-list")))

    def zones(self, city_id: int) -> list[dict[str, Any]]:
        return _cached((self.config.account_key, "zones", city_id), LOCATIONS_TTL,
                       lambda: self._rows(self.call("GET", f"/cities/{city_id}/zone-list")))

    def areas(self, zone_id: int) -> list[dict[str, Any]]:
        return _cached((self.config.account_key, "areas", zone_id), LOCATIONS_TTL,
                       lambda: self._rows(self.call("GET", f"/zones/{zone_id}/area-list")))

    def stores(self) -> list[dict[str, Any]]:
        return self._rows(self.call("GET", "/stores"))

    def price(self, city_id: int, zone_id: int, weight_kg: float,
              delivery_type: int = DELIVERY_NORMAL) -> dict[str, Any]:
        """Pathao's price plan for one parcel (cached for half an hour)."""
        payload = {"store_id": int(self.config.store_id), "item_type": ITEM_PARCEL,
                   "delivery_type": delivery_type, "item_weight": weight_kg,
                   "recipient_city": city_id, "recipient_zone": zone_id}
        key = (self.config.account_key, "price", self.config.store_id, city_id, zone_id,
               weight_kg, delivery_type)
        return _cached(key, PRICE_TTL, lambda: dict(
            self.call("POST", "/merchant/price-plan", payload).get("data") or {}))

    def create_order(self, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "/orders", payload).get("data") or {})

    def order_info(self, consignment_id: str) -> dict[str, Any]:
        path = f"/orders/{quote(consignment_id, safe='')}/info"
        return dict(self.call("GET", path).get("data") or {})
