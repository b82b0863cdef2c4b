"""Talking to bKash's Tokenized Checkout API (v1.2.0-beta) with one store's credentials.

Every call names the store's own app key and uses an id_token granted with the store's
own username, password, app key and secret; tokens are cached per store in the plugin's
own data, encrypted with a key derived from that store's app secret and password, and
never logged. A token is reused until five minutes before bKash's ``expires_in`` (an
hour), then refreshed with its refresh token (or granted again). An id_token bKash no
longer accepts (HTTP 401) is dropped and granted again once.

``HAAT_BKASH_API_BASE`` (an operator's environment variable, for a local fake) replaces
the documented base URL.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import requests
from cryptography.fernet import Fernet, InvalidToken

from core.sdk import Money, StoreInfo, store_values

from .config import PLUGIN, BkashConfig

log = logging.getLogger(__name__)

PATH = "/v1.2.0-beta/tokenized/checkout"
#: Seconds to wait for bKash: the shopper waits on create and execute.
TIMEOUT = 20.0
#: Reuse a token until this many seconds before bKash says it expires.
MARGIN = 300
#: bKash's refresh tokens live 28 days (Token Management Overview); be safe.
REFRESH_LIFETIME = 27 * 24 * 3600
TOKEN_KEY = "token"  # noqa: S105 - the key under which the cache is kept


def clock() -> float:
    """Now, in seconds (tests move it on)."""
    return time.time()


class BkashError(Exception):
    """bKash answered with an error code, or could not be asked."""

    def __init__(self, code: str, message: str = "", *, unreachable: bool = False) -> None:
        super().__init__(f"bKash {code}: {message}" if message else f"bKash {code}")
        self.code = code
        self.message = message
        self.unreachable = unreachable


def bkash_amount(money: Money) -> str:
    """``money`` as bKash writes amounts: a decimal string with two places ("123.45")."""
    return f"{money.to_decimal().quantize(Decimal('0.01')):f}"


def from_bkash(amount: Any, currency: Any) -> Money | None:
    """A bKash amount string and currency as Money, or None when unreadable."""
    try:
        return Money.from_decimal(Decimal(str(amount)), str(currency or "").upper())
    except (ArithmeticError, ValueError, TypeError):
        return None


class Client:
    """bKash's API for one store."""

    def __init__(self, store: StoreInfo, config: BkashConfig | None = None) -> None:
        self.store = store
        self.config = config or BkashConfig.of(store)

    # ------------------------------------------------------------------ calls

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("create", body)

    def execute(self, payment_id: str) -> dict[str, Any]:
        return self._call("execute", {"paymentID": payment_id})

    def query(self, payment_id: str) -> dict[str, Any]:
        return self._call("payment/status", {"paymentID": payment_id})

    def refund(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("payment/refund", body)

    # ----------------------------------------------------------------- tokens

    def _fingerprint(self) -> str:
        seen = "\0".join((self.config.base_url, self.config.username, self.config.app_key))
        return hashlib.sha256(seen.encode()).hexdigest()[:24]

    def _box(self) -> Fernet:
        secret = "\0".join(("haat-bkash-token-cache", self.config.app_secret,
                            self.config.password))
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))

    def _cached(self) -> dict[str, Any]:
        stored = store_values(self.store, PLUGIN).get(TOKEN_KEY)
        if not isinstance(stored, dict) or stored.get("for") != self._fingerprint():
            return {}
        try:
            return json.loads(self._box().decrypt(str(stored.get("blob") or "").encode()))
        except (InvalidToken, ValueError):
            return {}

    def _keep(self, token: dict[str, Any]) -> None:
        blob = self._box().encrypt(json.dumps(token).encode()).decode()
        try:
            store_values(self.store, PLUGIN).set(TOKEN_KEY, {"for": self._fingerprint(),
                                                             "blob": blob})
        except RuntimeError:
            # Inside a request that holds SQLite's write lock: the token is simply not
            # cached this time (the next call grants or finds one).
            log.info("bKash token of store %s not cached this time", self.store.slug)

    def forget_token(self) -> None:
        with contextlib.suppress(RuntimeError):
            store_values(self.store, PLUGIN).delete(TOKEN_KEY)

    def _token(self) -> str:
        cached = self._cached()
        now = clock()
        if cached.get("id_token") and now < float(cached.get("expires_at") or 0) - MARGIN:
            return str(cached["id_token"])
        answer: dict[str, Any] | None = None
        if cached.get("refresh_token") and now < float(cached.get("refresh_until") or 0):
            try:
                answer = self._post("token/refresh", {
                    "app_key": self.config.app_key, "app_secret": self.config.app_secret,
                    "refresh_token": cached["refresh_token"]}, token=None)
            except BkashError as exc:
                if exc.unreachable:
                    raise
                answer = None
        if answer is None:
            answer = self._post("token/grant", {"app_key": self.config.app_key,
                                                "app_secret": self.config.app_secret},
                                token=None)
        token = str(answer.get("id_token") or "")
        if not token:
            raise BkashError("token", "bKash granted no id_token")
        try:
            lifetime = float(answer.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._keep({"id_token": token, "expires_at": now + lifetime,
                    "refresh_token": str(answer.get("refresh_token") or ""),
                    "refresh_until": now + REFRESH_LIFETIME})
        return token

    # ------------------------------------------------------------------- HTTP

    def _call(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return self._post(endpoint, body, token=self._token())
        except _Unauthorized:
            # bKash no longer accepts the cached token: grant a new one, once.
            self.forget_token()
            try:
                return self._post(endpoint, body, token=self._token())
            except _Unauthorized:
                raise BkashError("401", "bKash refused the credentials") from None

    def _post(self, endpoint: str, body: Mapping[str, Any], *,
              token: str | None) -> dict[str, Any]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token is None:
            headers.update(username=self.config.username, password=self.config.password)
        else:
            headers.update({"Authorization": token, "X-APP-Key": self.config.app_key})
        url = f"{self.config.base_url}{PATH}/{endpoint}"
        try:
            response = requests.post(url, json=dict(body), headers=headers, timeout=TIMEOUT)
        except requests.Timeout:
            raise BkashError("timeout", "bKash did not answer in time",
                             unreachable=True) from None
        except requests.RequestException as exc:
            raise BkashError("unreachable", type(exc).__name__, unreachable=True) from None
        if response.status_code in (401, 403):
            if token is None:
                raise BkashError("401", "bKash refused the username or password")
            raise _Unauthorized
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise BkashError(f"http-{response.status_code}", "not a JSON answer",
                             unreachable=response.status_code >= 500)
        code = str(answer.get("statusCode") or answer.get("errorCode") or "")
        if code and code != "0000":
            message = str(answer.get("statusMessage") or answer.get("errorMessage") or "")
            raise BkashError(code, message)
        if response.status_code >= 400:
            raise BkashError(f"http-{response.status_code}", "",
                             unreachable=response.status_code >= 500)
        return answer


class _Unauthorized(Exception):
    """HTTP 401 on a call with an id_token."""
