"""A FAKE of ArCa's iPay/vPOS payment gateway, for tests. THIS IS NOT ArCa.

Nothing here talks to ArCa or to a bank, and no card is charged. This module answers
the requests ``plugins/arca`` makes, the way ArCa's vPOS REST API (the BPC/SmartVista
"payment/rest" API that ArCa runs at ``https://ipaytest.arca.am:8445/payment/rest``
and ``https://ipay.arca.am/payment/rest``) is used by its public clients:

* github.com/Hovakimyannn/omnipay-epg (v1.0.4, 2026): ``src/ArcaGateway.php`` (the
  two bases), ``src/Message/Request/RegisterRequest.php`` (register.do: userName,
  password, orderNumber, amount in minor units, currency as ISO 4217 numeric, returnUrl,
  failUrl, description, language, sessionTimeoutSecs), ``GetOrderStatusExtendedRequest``
  (orderId, language), ``RefundRequest`` (orderId, amount), ``ReverseRequest`` (orderId),
  ``Response/CommonResponse.php`` (orderId, formUrl, orderStatus, actionCode,
  actionCodeDescription, errorCode, errorMessage) and its README's order statuses
  (0 registered, 1 pre-authorised, 2 deposited, 3 reversed, 4 refunded, 5 ACS
  authorisation, 6 declined);
* the Converse Bank WooCommerce plugin (``hk-payment-gateway-for-converse``): the
  bases, ``amount = total * 100`` for AMD, currency codes 051/840/978/643, and its
  scheduled getOrderStatus check of orders whose shopper never came back;
* packagist tobelyan/omnipay-arca-epg (the newer epg.arca.am bases of the same API).

Point the plugin at ``<fake.url>/payment/rest`` through ``HAAT_ARCA_API_BASE``
(:attr:`FakeArca.api_base`).

What it keeps from ArCa
-----------------------
* ``POST /payment/rest/register.do``, form-encoded: answers ``{"orderId": <uuid>,
  "formUrl": ".../payment/merchants/<merchant>/payment_<language>.html?mdOrder=<uuid>"}``.
  Errors as ``{"errorCode": "<n>", "errorMessage": "..."}`` with HTTP 200: 1 (this
  ``orderNumber`` is already registered for the merchant), 3 (unknown currency), 4 (a
  required field is missing), 5 (wrong user name or password, or a bad amount), 7
  (system error, by switch).
* ``POST /payment/rest/getOrderStatusExtended.do`` by ``orderId`` or ``orderNumber``:
  errorCode "0" with orderNumber, orderStatus, actionCode, actionCodeDescription,
  amount, currency, date (ms), orderDescription, attributes ``[{"name": "mdOrder",
  "value": <orderId>}]``, cardAuthInfo (masked pan, once paid), paymentAmountInfo
  {paymentState, approvedAmount, depositedAmount, refundedAmount}. errorCode 6 for an
  order the merchant does not have (another merchant's order is not found), 5 for bad
  credentials, 1 when neither id is given.
* ``POST /payment/rest/refund.do`` (orderId, amount): only a deposited (or partly
  refunded) order, at most what is left; orderStatus becomes 4. errorCode 6 unknown
  order, 7 wrong state, 5 bad amount or credentials.
* ``POST /payment/rest/reverse.do`` (orderId): a deposited order with nothing refunded
  becomes 3 (reversed).
* The payment page at ``formUrl`` (GET): an HTML page that says it is a FAKE of ArCa's
  payment page, with a ``#pay`` and a ``#decline`` button. Each posts to
  ``/payment/fake/<orderId>/<pay|decline>``, which sets the order deposited (with a
  test card) or declined (orderStatus 6, actionCode 116 "Insufficient funds") and
  answers ``303`` to ``returnUrl?orderId=<id>`` (failUrl for a decline), as ArCa does.
* Each merchant (:class:`Account`) sees only its own orders.

Test-only controls
------------------
* :meth:`FakeArca.pay` / :meth:`~FakeArca.decline`: what the page's buttons do, without
  a browser (a shopper who paid and closed the tab); :meth:`~FakeArca.age` moves an
  order's registration date into the past (session lifetime tests).
* :meth:`FakeArca.lose_answer`: the next request of one method is processed, then
  answered 504 (the change is made; the client never learns it).
* :meth:`FakeArca.fail_next`: the next requests get an ``errorCode`` (JSON, HTTP 200),
  or an HTTP error page.
* :meth:`~FakeArca.hang` / :meth:`~FakeArca.release` (slowness: clients time out, the
  request is processed on release), :meth:`~FakeArca.drop_next`,
  :meth:`~FakeArca.go_down` / :meth:`~FakeArca.come_back` (stopped).
* :attr:`FakeArca.requests`: every API request received (method name, fields without
  the password, errorCode answered).

Where it stops (limits)
-----------------------
* Chosen here, not documented publicly: the exact ``errorMessage`` texts, which check
  comes first, that getOrderStatusExtended.do accepts ``orderNumber`` (it does in the
  BPC API this gateway runs; confirm on ArCa's test server), the actionCode of a
  session that timed out (-2007, BPC's), the shape of ``date``.
* Not served: two-phase payments (registerPreAuth.do, deposit.do), bindings, 3-D Secure
  steps, getOrderStatus.do (the short form), callbacks, sessionTimeoutSecs expiry by the
  clock (use :meth:`age`). Memory only, one process.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .http import HoldingFake, LocalServer, _HoldingHandler

REST = "/payment/rest/"
PAGE = "/payment/merchants/"
BUTTON = "/payment/fake/"
CURRENCIES = {"051", "840", "978", "643"}
STATES = {0: "CREATED", 1: "APPROVED", 2: "DEPOSITED", 3: "REVERSED", 4: "REFUNDED",
          5: "CREATED", 6: "DECLINED"}
QUERY_HEADER = "X-Fake-Arca-Query"


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Order:
    """One registered ArCa order, as ArCa keeps it."""

    order_id: str
    account: Account
    order_number: str
    amount: int
    currency: str
    return_url: str
    fail_url: str
    description: str
    language: str
    registered_ms: int
    status: int = 0
    action_code: int = 0
    action_description: str = ""
    deposited: int = 0
    refunded: int = 0

    def extended(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "errorCode": "0", "errorMessage": "Success", "orderNumber": self.order_number,
            "orderStatus": self.status, "actionCode": self.action_code,
            "actionCodeDescription": self.action_description, "amount": self.amount,
            "currency": self.currency, "date": self.registered_ms,
            "orderDescription": self.description, "ip": "127.0.0.1",
            "merchantOrderParams": [],
            "attributes": [{"name": "mdOrder", "value": self.order_id}],
            "paymentAmountInfo": {"paymentState": STATES[self.status],
                                  "approvedAmount": self.amount if self.deposited else 0,
                                  "depositedAmount": self.deposited,
                                  "refundedAmount": self.refunded},
            "bankInfo": {"bankCountryCode": "AM", "bankCountryName": "Armenia"},
        }
        if self.deposited:
            body["cardAuthInfo"] = {"pan": "408397**0005", "expiration": "203012",
                                    "cardholderName": "TEST CARDHOLDER",
                                    "approvalCode": "123456"}
        return body


@dataclass
class Account:
    """One merchant's vPOS API user."""

    username: str
    password: str
    orders: dict[str, Order] = field(default_factory=dict)

    @property
    def merchant(self) -> str:
        return self.username.removesuffix("_api")


@dataclass(frozen=True)
class Seen:
    """One API request the fake received (the password is not kept)."""

    method: str
    fields: dict[str, str]
    error_code: str


class _Handler(_HoldingHandler):
    """The shared handler, with the query string passed on (the page reads mdOrder)."""

    def _answer(self) -> None:
        self.headers[QUERY_HEADER] = urlsplit(self.path).query
        super()._answer()

    do_GET = do_POST = _answer


class FakeArca(HoldingFake):
    """The fake server: ``start()`` it (or use ``with``), add merchants with
    :meth:`add_account`, and set ``HAAT_ARCA_API_BASE`` to :attr:`api_base`."""

    handler = _Handler

    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-arca-http")
        self._failures: list[tuple[int, str | None]] = []
        self._lose: list[str] = []
        self._start_holding(self.lock)

    @property
    def api_base(self) -> str:
        return f"{self.url}/payment/rest"

    # -- merchants and their orders

    def add_account(self, name: str) -> Account:
        account = Account(f"{name}_api", secrets.token_urlsafe(12))
        with self.lock:
            self.accounts.append(account)
        return account

    def order(self, order_id: str) -> Order:
        with self.lock:
            return next(a.orders[order_id] for a in self.accounts if order_id in a.orders)

    def orders(self, account: Account) -> list[Order]:
        with self.lock:
            return list(account.orders.values())

    def pay(self, order_id: str) -> str:
        """The shopper pays on the page; returns where ArCa sends them back."""
        with self.lock:
            order = self.order(order_id)
            order.status, order.deposited = 2, order.amount
            order.action_code, order.action_description = 0, ""
            return _back(order.return_url, order)

    def decline(self, order_id: str, action_code: int = 116,
                description: str = "Insufficient funds") -> str:
        with self.lock:
            order = self.order(order_id)
            order.status, order.action_code = 6, action_code
            order.action_description = description
            return _back(order.fail_url or order.return_url, order)

    def age(self, order_id: str, seconds: int) -> None:
        """Move the registration ``seconds`` into the past."""
        with self.lock:
            self.order(order_id).registered_ms -= seconds * 1000

    def fail_next(self, code: str | None = "7", *, http: int = 0, times: int = 1) -> None:
        """The next ``times`` API requests fail: HTTP ``http`` with an HTML page when
        given, else ``errorCode`` ``code`` in ArCa's JSON."""
        with self.lock:
            self._failures.extend([(http, None if http else code)] * times)

    def lose_answer(self, method: str) -> None:
        """Process the next ``method`` request (``"refund.do"``), then answer 504 as a
        proxy that gave up would: the change is made, the client never hears of it."""
        with self.lock:
            self._lose.append(method)

    # -- HTTP

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        query = headers.get(QUERY_HEADER, "")
        if method == "GET" and path.startswith(PAGE):
            return self._page(path, query)
        if method == "POST" and path.startswith(BUTTON):
            return self._button(path)
        if method != "POST" or not path.startswith(REST):
            return 404, {"Content-Type": "text/html"}, b"<h1>404 Not Found</h1>"
        name = path[len(REST):]
        fields = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"),
                                                keep_blank_values=True).items()}
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None and failure[0]:
            self._seen(name, fields, f"HTTP {failure[0]}")
            return failure[0], {"Content-Type": "text/html"}, b"<h1>Service Unavailable</h1>"
        try:
            if failure is not None:
                raise ApiError(str(failure[1]), "System error")
            answer = self._api(name, fields)
        except ApiError as exc:
            answer = {"errorCode": exc.code, "errorMessage": exc.message}
        self._seen(name, fields, str(answer.get("errorCode", "0")))
        with self.lock:
            lost = name in self._lose
            if lost:
                self._lose.remove(name)
        if lost:
            return 504, {"Content-Type": "text/html"}, b"<h1>504 Gateway Time-out</h1>"
        return (200, {"Content-Type": "application/json;charset=UTF-8"},
                json.dumps(answer, ensure_ascii=False).encode())

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        return 500, {"Content-Type": "text/plain"}, f"ArCa fake bug: {exc!r}".encode()

    def _seen(self, name: str, fields: dict[str, str], code: str) -> None:
        public = {k: v for k, v in fields.items() if k != "password"}
        with self.lock:
            self.requests.append(Seen(name, public, code))

    def _account(self, fields: dict[str, str]) -> Account:
        user, password = fields.get("userName", ""), fields.get("password", "")
        if not user or not password:
            raise ApiError("5", "Access denied")
        account = next((a for a in self.accounts if a.username == user), None)
        if account is None or not secrets.compare_digest(account.password, password):
            raise ApiError("5", "Access denied")
        return account

    def _api(self, name: str, fields: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            account = self._account(fields)
            if name == "register.do":
                return self._register(account, fields)
            if name == "getOrderStatusExtended.do":
                return self._find(account, fields).extended()
            if name == "refund.do":
                return self._refund(account, fields)
            if name == "reverse.do":
                return self._reverse(account, fields)
        raise ApiError("7", "Unknown method")

    def _register(self, account: Account, fields: dict[str, str]) -> dict[str, Any]:
        number = fields.get("orderNumber", "")
        if not number:
            raise ApiError("4", "Order number is empty")
        if not fields.get("returnUrl"):
            raise ApiError("4", "Return URL is empty")
        amount = fields.get("amount", "")
        if not amount.isdigit() or int(amount) <= 0:
            raise ApiError("5", "Wrong amount")
        currency = fields.get("currency", "051")
        if currency not in CURRENCIES:
            raise ApiError("3", "Unknown currency")
        if len(number) > 32:
            raise ApiError("5", "Order number is too long")
        if any(o.order_number == number for o in account.orders.values()):
            raise ApiError("1", "Order with given order number has already been processed")
        order = Order(str(uuid.uuid4()), account, number, int(amount), currency,
                      fields["returnUrl"], fields.get("failUrl", ""),
                      fields.get("description", ""), fields.get("language", "hy"),
                      int(time.time() * 1000))
        account.orders[order.order_id] = order
        form = (f"{self.url}{PAGE}{account.merchant}/payment_{order.language}.html?"
                f"{urlencode({'mdOrder': order.order_id})}")
        return {"orderId": order.order_id, "formUrl": form}

    def _find(self, account: Account, fields: dict[str, str]) -> Order:
        order_id, number = fields.get("orderId", ""), fields.get("orderNumber", "")
        if not order_id and not number:
            raise ApiError("1", "Expected orderId or orderNumber")
        found = (account.orders.get(order_id) if order_id else
                 next((o for o in account.orders.values() if o.order_number == number), None))
        if found is None:
            raise ApiError("6", "Order not found")
        return found

    def _refund(self, account: Account, fields: dict[str, str]) -> dict[str, Any]:
        order = self._find(account, {"orderId": fields.get("orderId", "")})
        amount = fields.get("amount", "")
        if not amount.isdigit() or int(amount) <= 0:
            raise ApiError("5", "Wrong amount")
        if order.status not in (2, 4):
            raise ApiError("7", "Payment must be in a correct state")
        if int(amount) > order.deposited - order.refunded:
            raise ApiError("7", "Refund amount exceeds the deposited amount")
        order.refunded += int(amount)
        order.status = 4
        return {"errorCode": "0", "errorMessage": "Success"}

    def _reverse(self, account: Account, fields: dict[str, str]) -> dict[str, Any]:
        order = self._find(account, {"orderId": fields.get("orderId", "")})
        if order.status != 2 or order.refunded:
            raise ApiError("7", "Payment must be in a correct state")
        order.status = 3
        return {"errorCode": "0", "errorMessage": "Success"}

    # -- the payment page

    def _page(self, path: str, query: str) -> tuple[int, dict[str, str], bytes]:
        order_id = parse_qs(query).get("mdOrder", [""])[0]
        try:
            order = self.order(order_id)
        except StopIteration:
            return 404, {"Content-Type": "text/html"}, b"<h1>Order not found</h1>"
        amount = f"{order.amount // 100}.{order.amount % 100:02d}"
        page = f"""<!doctype html>
<html lang="{html.escape(order.language)}"><head><meta charset="utf-8">
<title>FAKE ArCa payment page</title></head><body>
<p id="fake-notice"><strong>This is a FAKE of ArCa's payment page, for tests. It is not
ArCa, no bank is involved and no card is charged.</strong></p>
<h1>{html.escape(order.description)}</h1>
<p>Amount: {amount} ({html.escape(order.currency)})</p>
<form method="post" action="{BUTTON}{html.escape(order.order_id)}/pay">
<button id="pay" type="submit">Pay</button></form>
<form method="post" action="{BUTTON}{html.escape(order.order_id)}/decline">
<button id="decline" type="submit">Decline</button></form>
</body></html>"""
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()

    def _button(self, path: str) -> tuple[int, dict[str, str], bytes]:
        order_id, _, action = path[len(BUTTON):].partition("/")
        try:
            target = self.pay(order_id) if action == "pay" else self.decline(order_id)
        except StopIteration:
            return 404, {"Content-Type": "text/html"}, b"<h1>Order not found</h1>"
        return 303, {"Location": target, "Content-Type": "text/html"}, b""


def _back(url: str, order: Order) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode({'orderId': order.order_id, 'lang': order.language})}"
