"""A FAKE of bKash's Tokenized Checkout API, for tests. THIS IS NOT BKASH.

Nothing here talks to bKash or moves money. It answers the requests that
``plugins/bkash`` makes, the way bKash's developer documentation for **Tokenized
Checkout v1.2.0-beta** describes them (https://developer.bka.sh, "Tokenized Checkout":
Grant Token, Refresh Token, Create Payment, Execute Payment, Query Payment, Refund
Transaction; the error-code table "Error Codes"), cross-checked against the public
clients divergenttechbd/LaravelPackage_bKashPGW (``src/Apis/Tokenized``) and bkash-rs
(docs.rs/crate/bkash-rs). Point the plugin at :attr:`FakeBkash.url` through
``HAAT_BKASH_API_BASE``.

What it keeps from bKash
------------------------
* Paths, all ``POST`` with JSON, under ``/v1.2.0-beta/tokenized/checkout``:
  ``/token/grant`` (headers ``username``, ``password``; body ``app_key``,
  ``app_secret``), ``/token/refresh`` (body ``app_key``, ``app_secret``,
  ``refresh_token``), ``/create``, ``/execute``, ``/payment/status``,
  ``/payment/refund``. The last four need the headers ``Authorization: <id_token>``
  (the bare token, no "Bearer") and ``X-APP-Key: <app_key>``.
* Grant and refresh answer ``{statusCode "0000", statusMessage "Successful",
  id_token, token_type "Bearer", expires_in 3600, refresh_token}``.
* Create takes ``mode "0011"``, ``payerReference``, ``callbackURL``, ``amount`` (a
  decimal string), ``currency "BDT"``, ``intent "sale"``, ``merchantInvoiceNumber`` and
  answers ``paymentID``, ``bkashURL``, the four callback URLs (``callbackURL``,
  ``successCallbackURL``, ``failureCallbackURL``, ``cancelledCallbackURL``: the
  callback with ``?paymentID=..&status=success|failure|cancel&signature=..``),
  ``amount``, ``intent``, ``currency``, ``paymentCreateTime``, ``transactionStatus
  "Initiated"``, ``merchantInvoiceNumber``.
* Execute completes a payment the shopper authorised on the payment page:
  ``{statusCode "0000", paymentID, trxID, transactionStatus "Completed", amount,
  currency, intent, customerMsisdn, merchantInvoiceNumber, paymentExecuteTime}``.
  Executing it again: 2117 "Payment execution already been called before". Executing
  one the shopper never authorised: 2056 "Invalid Payment State".
* Query (``payment/status``) gives the payment's ``transactionStatus``
  (``Initiated``, ``Completed``, ``Failed``) and its fields; trxID once completed.
* Refund ``{paymentID, amount, trxID, sku, reason}`` answers ``{statusCode "0000",
  originalTrxID, refundTrxID, transactionStatus "Completed", amount, currency,
  charge, completedTime}``; more than what is left: 2075; a payment not completed:
  2056.
* Errors as bKash writes them: ``{"statusCode": "2xxx", "statusMessage": ...}`` with
  HTTP 200. Payments belong to the merchant (app key) that created them: another
  merchant's paymentID is 2002 "Invalid Payment ID".
* The payment page (the ``bkashURL``): ``GET /fake-checkout/<paymentID>`` is an HTML
  page that says it is a fake of bKash's page, with ``#pay``, ``#fail`` and
  ``#cancel`` links; each sends the browser (a 302) to the callback with
  ``paymentID``, ``status`` and a ``signature``. ``#pay`` marks the payment
  authorised, so that execute completes it.

Test-only controls
------------------
``add_merchant()``; ``tamper(paymentID, amount=..)``; ``pay(paymentID)``,
``fail(...)``, ``cancel(...)`` (what the page's buttons do, returning the callback
URL); ``answer_next(endpoint, code)``: the next call to that endpoint answers with
that bKash code; ``expire_tokens()``: every id_token issued so far is refused (401),
as after its hour; ``hang()``/``release()``,
``drop_next()``, ``go_down()``/``come_back()`` (from ``HoldingFake``); ``requests``:
every request received (path, app key, id_token, body; never the password).

Where it stops (limits)
-----------------------
Chosen here where the documentation is silent: a bad username/password or an unknown or
expired id_token get HTTP 401 ``{"message": "Unauthorized"}`` (the API gateway's
answer); a bad app key or secret 2001. No agreements (mode 0000/0001), no capture/void
(``intent "authorization"``), no search-transaction, refund-status or v2 refund
(``/v2/tokenized-checkout/refund/payment/transaction``); no payment expiry of its own
(tests age payments through the plugin's clock). One process, memory only.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from .http import HoldingFake, LocalServer

PREFIX = "/v1.2.0-beta/tokenized/checkout"
PAGE = "/fake-checkout"

MESSAGES = {
    "0000": "Successful",
    "2001": "Invalid App Key",
    "2002": "Invalid Payment ID",
    "2006": "Invalid Amount",
    "2007": "Invalid Currency",
    "2008": "Invalid Intent",
    "2023": "Insufficient Balance",
    "2025": "Invalid Request Body",
    "2048": "Invalid Payer Reference",
    "2049": "Invalid Merchant Callback URL",
    "2056": "Invalid Payment State",
    "2062": "The payment has already been completed",
    "2063": "Mode is not valid as per request data",
    "2065": "Mandatory field missing",
    "2075": "Refund request amount is greater than transaction amount",
    "2117": "Payment execution already been called before",
    "503": "System is undergoing maintenance. Please try again later",
}


def _bkash_time() -> str:
    # bKash writes times like "2023-01-23T12:34:56:789 GMT+0600".
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S:") + f"{now.microsecond // 1000:03d} GMT+0000"


@dataclass
class Merchant:
    """One merchant account: its four credentials and its payments."""

    username: str
    password: str
    app_key: str
    app_secret: str
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    app_key: str
    token: str
    body: dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Unauthorized(Exception):
    pass


class FakeBkash(HoldingFake):
    """The fake server: ``start()`` it (or ``with FakeBkash() as fake``)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._http = LocalServer("fake-bkash-http")
        self.merchants: list[Merchant] = []
        self.requests: list[Seen] = []
        self._tokens: dict[str, Merchant] = {}
        self._refresh: dict[str, Merchant] = {}
        self._next: dict[str, list[str]] = {}
        self._start_holding(self.lock)

    # ------------------------------------------------------------- controls

    def add_merchant(self, name: str = "shop") -> Merchant:
        merchant = Merchant(f"{name}-{secrets.token_hex(3)}", secrets.token_urlsafe(9),
                            secrets.token_hex(13), secrets.token_urlsafe(36))
        with self.lock:
            self.merchants.append(merchant)
        return merchant

    def answer_next(self, endpoint: str, code: str, times: int = 1) -> None:
        """The next ``times`` calls to ``endpoint`` (``"execute"``, ``"create"``,
        ``"payment/refund"``, ``"token/grant"``...) answer with bKash's ``code``."""
        assert code in MESSAGES, code
        with self.lock:
            self._next.setdefault(endpoint, []).extend([code] * times)

    def expire_tokens(self) -> None:
        """Every id_token issued so far stops working (HTTP 401), as after an hour."""
        with self.lock:
            self._tokens.clear()

    def calls(self, endpoint: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if s.path == f"{PREFIX}/{endpoint}"]

    def payment(self, payment_id: str) -> dict[str, Any]:
        with self.lock:
            for merchant in self.merchants:
                if payment_id in merchant.payments:
                    return dict(merchant.payments[payment_id])
        raise KeyError(payment_id)

    def tamper(self, payment_id: str, **fields: str) -> None:
        """Change what bKash will report about a payment (an amount or currency that
        does not match the order, another merchantInvoiceNumber)."""
        with self.lock:
            self._find_any(payment_id).update(fields)

    def pay(self, payment_id: str) -> str:
        """The shopper pays on the page (#pay): returns where the browser goes."""
        return self._press(payment_id, "success")

    def fail(self, payment_id: str) -> str:
        return self._press(payment_id, "failure")

    def cancel(self, payment_id: str) -> str:
        return self._press(payment_id, "cancel")

    def _press(self, payment_id: str, status: str) -> str:
        with self.lock:
            payment = self._find_any(payment_id)
            if status == "success" and payment["transactionStatus"] == "Initiated":
                payment["authorised"] = True
                payment["customerMsisdn"] = "01770618575"
            return payment["_callback"] + ("&" if "?" in payment["_callback"] else "?") + \
                urlencode({"paymentID": payment_id, "status": status,
                           "signature": secrets.token_hex(8)})

    def _find_any(self, payment_id: str) -> dict[str, Any]:
        for merchant in self.merchants:
            if payment_id in merchant.payments:
                return merchant.payments[payment_id]
        raise KeyError(payment_id)

    # --------------------------------------------------------------- HTTP side

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        return 500, {"Content-Type": "application/json"}, json.dumps(
            {"message": f"fake bug: {exc!r}"}).encode()

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        if method == "GET" and path.startswith(PAGE):
            return self._page(path, headers)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        token = str(headers.get("Authorization") or "")
        app_key = str(headers.get("X-APP-Key") or "")
        with self.lock:
            self.requests.append(Seen(method, path, app_key, token,
                                      data if isinstance(data, dict) else {}))
        if method != "POST" or not path.startswith(PREFIX + "/"):
            return 404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}'
        endpoint = path[len(PREFIX) + 1:]
        try:
            if not isinstance(data, dict):
                raise ApiError("2025")
            with self.lock:
                forced = self._next.get(endpoint)
                if forced:
                    code = forced.pop(0)
                    if endpoint == "execute" and code == "2023":
                        self._decline(data)
                    raise ApiError(code)
                answer = self._route(endpoint, headers, data, token, app_key)
        except Unauthorized:
            return 401, {"Content-Type": "application/json"}, b'{"message":"Unauthorized"}'
        except ApiError as exc:
            answer = {"statusCode": exc.code, "statusMessage": MESSAGES[exc.code]}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def _route(self, endpoint: str, headers: Any, data: dict[str, Any], token: str,
               app_key: str) -> dict[str, Any]:
        if endpoint == "token/grant":
            return self._grant(headers, data)
        if endpoint == "token/refresh":
            return self._refresh_token(headers, data)
        merchant = self._tokens.get(token)
        if merchant is None:
            raise Unauthorized
        if merchant.app_key != app_key:
            raise ApiError("2001")
        handlers = {"create": self._create, "execute": self._execute,
                    "payment/status": self._query, "payment/refund": self._refund}
        if endpoint not in handlers:
            raise Unauthorized
        return handlers[endpoint](merchant, data)

    def _merchant(self, headers: Any, data: dict[str, Any]) -> Merchant:
        for merchant in self.merchants:
            if (merchant.username == headers.get("username")
                    and merchant.password == headers.get("password")):
                if (merchant.app_key != data.get("app_key")
                        or merchant.app_secret != data.get("app_secret")):
                    raise ApiError("2001")
                return merchant
        raise Unauthorized

    def _issue(self, merchant: Merchant, refresh: str | None = None) -> dict[str, Any]:
        token = secrets.token_urlsafe(48)
        refresh = refresh or secrets.token_urlsafe(32)
        self._tokens[token] = merchant
        self._refresh[refresh] = merchant
        return {"statusCode": "0000", "statusMessage": "Successful", "id_token": token,
                "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh}

    def _grant(self, headers: Any, data: dict[str, Any]) -> dict[str, Any]:
        return self._issue(self._merchant(headers, data))

    def _refresh_token(self, headers: Any, data: dict[str, Any]) -> dict[str, Any]:
        merchant = self._merchant(headers, data)
        refresh = str(data.get("refresh_token") or "")
        if self._refresh.get(refresh) is not merchant:
            raise Unauthorized
        return self._issue(merchant, refresh)

    def _create(self, merchant: Merchant, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("mode", "payerReference", "callbackURL", "amount", "currency",
                     "intent", "merchantInvoiceNumber"):
            if not str(data.get(name) or "").strip():
                raise ApiError("2065")
        if data["mode"] != "0011":
            raise ApiError("2063")
        if data["currency"] != "BDT":
            raise ApiError("2007")
        if data["intent"] != "sale":
            raise ApiError("2008")
        if not str(data["callbackURL"]).startswith(("http://", "https://")):
            raise ApiError("2049")
        try:
            amount = Decimal(str(data["amount"]))
        except InvalidOperation:
            raise ApiError("2006") from None
        if amount <= 0 or amount.as_tuple().exponent < -2:
            raise ApiError("2006")
        payment_id = "TR0011" + secrets.token_hex(8).upper()
        callback = str(data["callbackURL"])
        sep = "&" if "?" in callback else "?"
        payment = {
            "paymentID": payment_id, "amount": str(data["amount"]), "currency": "BDT",
            "intent": "sale", "merchantInvoiceNumber": str(data["merchantInvoiceNumber"]),
            "payerReference": str(data["payerReference"]),
            "paymentCreateTime": _bkash_time(), "transactionStatus": "Initiated",
            "_callback": callback, "authorised": False, "executed": False,
            "refunded": Decimal(0),
        }
        merchant.payments[payment_id] = payment
        return {
            "statusCode": "0000", "statusMessage": "Successful", "paymentID": payment_id,
            "bkashURL": f"{self.url}{PAGE}/{payment_id}",
            "callbackURL": callback,
            "successCallbackURL": f"{callback}{sep}paymentID={payment_id}&status=success",
            "failureCallbackURL": f"{callback}{sep}paymentID={payment_id}&status=failure",
            "cancelledCallbackURL": f"{callback}{sep}paymentID={payment_id}&status=cancel",
            "amount": payment["amount"], "intent": "sale", "currency": "BDT",
            "paymentCreateTime": payment["paymentCreateTime"],
            "transactionStatus": "Initiated",
            "merchantInvoiceNumber": payment["merchantInvoiceNumber"],
        }

    def _own(self, merchant: Merchant, data: dict[str, Any]) -> dict[str, Any]:
        payment = merchant.payments.get(str(data.get("paymentID") or ""))
        if payment is None:
            raise ApiError("2002")
        return payment

    def _decline(self, data: dict[str, Any]) -> None:
        try:
            payment = self._find_any(str(data.get("paymentID") or ""))
        except KeyError:
            return
        payment["transactionStatus"] = "Failed"
        payment["executed"] = True

    def _public(self, payment: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in payment.items()
                 if not k.startswith("_") and k not in ("authorised", "executed", "refunded")}
        return {"statusCode": "0000", "statusMessage": "Successful", **shown}

    def _execute(self, merchant: Merchant, data: dict[str, Any]) -> dict[str, Any]:
        payment = self._own(merchant, data)
        if payment["executed"]:
            raise ApiError("2117")
        if not payment["authorised"]:
            raise ApiError("2056")
        payment["executed"] = True
        payment["transactionStatus"] = "Completed"
        payment["trxID"] = "B" + secrets.token_hex(5).upper()
        payment["paymentExecuteTime"] = _bkash_time()
        return self._public(payment)

    def _query(self, merchant: Merchant, data: dict[str, Any]) -> dict[str, Any]:
        return self._public(self._own(merchant, data))

    def _refund(self, merchant: Merchant, data: dict[str, Any]) -> dict[str, Any]:
        payment = self._own(merchant, data)
        if payment["transactionStatus"] != "Completed" or \
                data.get("trxID") != payment.get("trxID"):
            raise ApiError("2056")
        for name in ("amount", "sku", "reason"):
            if not str(data.get(name) or "").strip():
                raise ApiError("2065")
        try:
            amount = Decimal(str(data["amount"]))
        except InvalidOperation:
            raise ApiError("2006") from None
        if amount <= 0 or payment["refunded"] + amount > Decimal(payment["amount"]):
            raise ApiError("2075")
        payment["refunded"] += amount
        return {"statusCode": "0000", "statusMessage": "Successful",
                "completedTime": _bkash_time(), "transactionStatus": "Completed",
                "originalTrxID": payment["trxID"],
                "refundTrxID": "R" + secrets.token_hex(5).upper(),
                "amount": f"{amount:.2f}", "currency": "BDT", "charge": "0.00"}

    def _page(self, path: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
        parts = path[len(PAGE):].strip("/").split("/")
        payment_id, action = parts[0], (parts[1] if len(parts) > 1 else "")
        with self.lock:
            try:
                self._find_any(payment_id)
            except KeyError:
                return 404, {"Content-Type": "text/plain"}, b"unknown payment"
        if action in ("pay", "fail", "cancel"):
            target = {"pay": self.pay, "fail": self.fail, "cancel": self.cancel}[action](
                payment_id)
            return 302, {"Location": target}, b""
        links = "".join(
            f'<p><a id="{a}" href="{PAGE}/{payment_id}/{a}">{label}</a></p>'
            for a, label in (("pay", "Pay"), ("fail", "Fail"), ("cancel", "Cancel")))
        page = ("<!doctype html><title>FAKE bKash payment page</title>"
                "<h1>This is a FAKE of bKash's payment page, for tests. It is not bKash "
                f"and no money moves.</h1><p>Payment {payment_id}</p>{links}")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
