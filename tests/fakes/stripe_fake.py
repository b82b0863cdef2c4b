"""A FAKE of the few Stripe HTTP API endpoints Haat uses, for tests. This is not Stripe.

stripe-mock (Stripe's own mock server) cannot be installed where Haat's tests run, so
this module answers the handful of requests that ``plugins/stripe_checkout`` makes
through the official ``stripe`` Python library, the way Stripe's API reference says
they behave, and it builds webhook deliveries signed the way Stripe signs them. Point a
``stripe.StripeClient`` at :attr:`FakeStripe.url` (``base_addresses={"api": url}``;
Haat reads it from ``HAAT_STRIPE_API_BASE``). No card is ever charged: "paying" is a
test-only call on the fake.

What it keeps from Stripe
-------------------------
* Accounts and keys: each :class:`Account` has a secret key (``sk_test_...``), a
  publishable key and a webhook signing secret. Requests must send
  ``Authorization: Bearer <secret key>``; a missing, unknown or publishable key gets 401
  with Stripe's error body (the key masked as Stripe masks it). Objects belong to one
  account: another account's id is 404 ``resource_missing``, as on Stripe.
* ``Idempotency-Key`` on POST, per account: the same key with the same parameters
  replays the first (successful) answer with ``Idempotent-Replayed: true``; the same key
  with other parameters is 400 ``idempotency_error``. Failed validations are not
  stored, as on Stripe.
* Stripe's form encoding (``a[b][0][c]=v``), unknown parameters (400 "Received unknown
  parameter"), missing ones (400 ``parameter_missing``) and bad values (400 with
  ``param``), every error as ``{"error": {"type", "code", "message", "param",
  "doc_url"}}`` with a ``Request-Id`` header.
* Endpoints: ``POST /v1/checkout/sessions`` (``mode=payment`` with ``price_data`` line
  items, ``success_url``, ``cancel_url``, ``client_reference_id``, ``customer_email``,
  ``metadata``, ``payment_intent_data``, ``locale``, ``expires_at``),
  ``GET /v1/checkout/sessions/{id}`` (``expand[]=payment_intent``) and
  ``POST /v1/refunds`` (by ``payment_intent`` or ``charge``, ``amount`` defaulting to
  what is left, ``reason``, ``metadata``; refusing more than is left and charges that
  were not paid or are fully refunded).
* Money rules that shape requests: amounts are integers in Stripe's units, at most
  eight digits; a few currencies' minimum charge (:data:`MINIMUM_CHARGE`).
* PaymentIntent metadata (``payment_intent_data[metadata]``) is copied to the Charge
  when it is created; session metadata is not, as on Stripe.
* Webhooks: :class:`Delivery` holds the raw body (pretty-printed JSON, UTF-8) and a
  ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` header
  keyed by the account's ``whsec_`` secret, which is Stripe's scheme.

Test-only controls (what a shopper, a bank or the dashboard would do)
---------------------------------------------------------------------
:meth:`FakeStripe.pay`, :meth:`~FakeStripe.complete` (``paid=False`` for a delayed
method), :meth:`~FakeStripe.settle`, :meth:`~FakeStripe.decline`,
:meth:`~FakeStripe.expire`, :meth:`~FakeStripe.refund_in_dashboard` and
:meth:`~FakeStripe.charge_refunded` change the account's objects and return the signed
webhook Stripe would send. :meth:`~FakeStripe.event` signs any event;
:meth:`Delivery.signed` re-signs one with another secret or time.

Where it stops (limits)
-----------------------
* No other endpoint (404 naming the fake), no Prices or Products (``price_data`` only),
  no ``mode=setup``/``subscription``, no customers, discounts, taxes, shipping or
  payment method types. The Checkout page at ``session.url`` is a bare stand-in for
  browser tests (a "Pay" button, no card form): paying there completes the session, POSTs
  the signed ``checkout.session.completed`` to the account's ``webhook_url`` when one is
  set, and redirects to the ``success_url`` as Stripe does.
* Refunds succeed at once (no ``pending`` or later ``failed`` refunds); no disputes.
* Currencies are checked only for shape (three letters); no minimum amount outside
  :data:`MINIMUM_CHARGE`, no three-decimal or ISK rounding rules.
* Error messages follow Stripe's wording where it is documented, otherwise they are
  close paraphrases; codes are Stripe's.
* Webhooks are returned to the test, never sent; no retries, no ``v0`` signatures.
* One process, memory only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import escape
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from urllib.request import Request, urlopen

from .http import LocalFake, LocalServer

API_VERSION = "2026-10-28.endive"
DOCS = "https://stripe.com/docs/error-codes/"
MAX_AMOUNT = 99_999_999
#: Minimum charge per currency, in Stripe's units (https://docs.stripe.com/currencies).
MINIMUM_CHARGE = {"usd": 50, "eur": 50, "gbp": 30, "jpy": 50}
CHECKOUT_LOCALES = frozenset({
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi",
    "fil", "fr", "fr-CA", "hi-IN", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms",
    "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi",
    "zh", "zh-HK", "zh-TW",
})
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
SESSION_LIFETIME = 24 * 3600

# Allowed parameters: a name maps to a nested schema (dict), a list schema ([dict]),
# or one of the leaf kinds "str", "int", "map" (metadata) and "list" (expand).
INTENT_DATA = {"metadata": "map", "description": "str", "statement_descriptor": "str",
               "statement_descriptor_suffix": "str", "receipt_email": "str"}
LINE_ITEM = {"quantity": "int",
             "price_data": {"currency": "str", "unit_amount": "int",
                            "product_data": {"name": "str", "description": "str"}}}
SESSION_CREATE = {"mode": "str", "line_items": [LINE_ITEM], "success_url": "str",
                  "cancel_url": "str", "client_reference_id": "str",
                  "customer_email": "str", "metadata": "map",
                  "payment_intent_data": INTENT_DATA, "locale": "str", "expires_at": "int",
                  "expand": "list"}
REFUND_CREATE = {"payment_intent": "str", "charge": "str", "amount": "int",
                 "reason": "str", "metadata": "map", "expand": "list"}
RETRIEVE = {"expand": "list"}

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer in Stripe's format."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 param: str | None = None, error_type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = DOCS + self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def _missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", code="parameter_missing",
                    param=param)


def _invalid(param: str, message: str, code: str = "parameter_invalid_string") -> ApiError:
    return ApiError(400, message, code=code, param=param)


def _no_such(kind: str, object_id: str, param: str) -> ApiError:
    return ApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing",
                    param=param)


def mask(key: str) -> str:
    """A key as Stripe quotes it in errors: its prefix, stars and the last four."""
    prefix = "_".join(key.split("_")[:2]) + "_" if key.count("_") >= 2 else ""
    return prefix + "*" * max(len(key) - len(prefix) - 4, 0) + key[-4:]


# ----------------------------------------------------------------- form parameters


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket notation (``a[b][0][c]=v``, ``expand[]=x``) as nested data."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:
            raise ApiError(400, f"Invalid parameter name: {key}", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node: Any = root
        for part in parts[:-1]:
            node = node.setdefault(part or str(len(node)), {})
            if not isinstance(node, dict):  # "a=1&a[b]=2"
                raise ApiError(400, f"Invalid parameter name: {key}", param=key)
        node[parts[-1] or str(len(node))] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def check_params(params: Mapping[str, Any], schema: Mapping[str, Any],
                 prefix: str = "") -> dict[str, Any]:
    """``params`` with integers parsed, or 400 for an unknown name or a bad integer."""
    clean: dict[str, Any] = {}
    for name, value in params.items():
        path = f"{prefix}[{name}]" if prefix else name
        kind = schema.get(name)
        if kind is None:
            raise ApiError(400, f"Received unknown parameter: {path}", param=path)
        clean[name] = _check_value(value, kind, path)
    return clean


def _check_value(value: Any, kind: Any, path: str) -> Any:
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            raise _invalid(path, f"Invalid object: {path}", "parameter_invalid_object")
        return check_params(value, kind, path)
    if isinstance(kind, list):
        if not isinstance(value, list):
            raise _invalid(path, f"Invalid array: {path}", "parameter_invalid_array")
        return [_check_value(v, kind[0], f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict) or any(not isinstance(v, str) for v in value.values()):
            raise _invalid(path, f"Invalid object: {path}", "parameter_invalid_object")
        for key, text in value.items():
            if len(key) > 40 or len(text) > 500:
                raise _invalid(f"{path}[{key}]", "Metadata keys can be at most 40 "
                               "characters and values at most 500 characters.")
        return value
    if kind == "list":
        return value if isinstance(value, list) else [value]
    if not isinstance(value, str):
        raise _invalid(path, f"Invalid string: {path}")
    if kind == "int":
        if not re.fullmatch(r"-?\d+", value):
            raise _invalid(path, f"Invalid integer: {value}", "parameter_invalid_integer")
        return int(value)
    return value


# ------------------------------------------------------------------------- objects


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


@dataclass
class Account:
    """One Stripe account: its keys and its objects (all plain JSON-able dicts)."""

    name: str
    secret_key: str
    publishable_key: str
    webhook_secret: str
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    #: Private to the fake: what ``payment_intent_data`` asked for, by session id.
    intent_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Where the stand-in Checkout page POSTs the webhook (empty: nowhere).
    webhook_url: str = ""
    #: Idempotency key -> (method, path, params, answer).
    idempotent: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = field(
        default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """One request the fake answered."""

    method: str
    path: str
    api_key: str
    idempotency_key: str
    params: dict[str, Any]
    status: int


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """A ``Stripe-Signature`` header for ``payload``: Stripe's v1 scheme."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Delivery:
    """A webhook as Stripe would POST it: the raw body and its headers."""

    event_id: str
    event_type: str
    payload: bytes
    headers: Mapping[str, str]

    def signed(self, secret: str, timestamp: int | None = None) -> Delivery:
        """The same body signed with ``secret`` at ``timestamp`` (now by default)."""
        when = int(time.time()) if timestamp is None else timestamp
        return replace(self, headers={**self.headers,
                                      "Stripe-Signature": sign(self.payload, secret, when)})

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.payload)


# ------------------------------------------------------------------------- the fake


class FakeStripe(LocalFake):
    """The fake server. ``start()`` it (or use it as a context manager), add accounts
    with :meth:`add_account`, and give a client :attr:`url` as its API base."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-stripe-http")

    # -- lifecycle: LocalFake (start, stop, go_down, come_back)

    def add_account(self, name: str = "") -> Account:
        """A new Stripe account with fresh test-mode keys."""
        token = secrets.token_hex(12)
        account = Account(name or f"acct_{token[:8]}", f"sk_test_fake{token}",
                          f"pk_test_fake{token}", f"whsec_fake{secrets.token_hex(16)}")
        with self.lock:
            self.accounts[account.secret_key] = account
        return account

    def seen(self, method: str | None = None, path_prefix: str = "") -> list[Seen]:
        """The answered requests, optionally only of one method and path prefix."""
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and r.path.startswith(
                        path_prefix)]

    # -- HTTP

    def handle(self, method: str, path: str, query: str, headers: Mapping[str, str],
               body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one request: ``(status, JSON body, extra headers)``."""
        key = _bearer(headers.get("Authorization", ""))
        idempotency_key = headers.get("Idempotency-Key", "") if method == "POST" else ""
        params: dict[str, Any] = {}
        extra: dict[str, str] = {}
        try:
            form = body.decode() if method == "POST" else query
            params = decode_form(parse_qsl(form, keep_blank_values=True))
            with self.lock:
                account = self._authenticate(key)
                status, answer, replayed = self._route(account, method, path, params,
                                                       idempotency_key)
            if replayed:
                extra["Idempotent-Replayed"] = "true"
        except ApiError as exc:
            status, answer = exc.status, exc.body()
        with self.lock:
            self.requests.append(Seen(method, path, key, idempotency_key, params, status))
        return status, answer, extra

    def _authenticate(self, key: str) -> Account:
        if not key:
            raise ApiError(401, "You did not provide an API key. You need to provide your "
                                "API key in the Authorization header, using Bearer auth "
                                "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
        if key.startswith("pk_"):
            raise ApiError(401, "This API call cannot be made with a publishable API key. "
                                "Please use a secret API key.")
        account = self.accounts.get(key)
        if account is None:
            raise ApiError(401, f"Invalid API Key provided: {mask(key)}")
        return account

    def _route(self, account: Account, method: str, path: str, params: dict[str, Any],
               idempotency_key: str) -> tuple[int, dict[str, Any], bool]:
        if method == "POST" and idempotency_key:
            stored = account.idempotent.get(idempotency_key)
            if stored is not None:
                if stored[:3] != (method, path, params):
                    raise ApiError(
                        400, "Keys for idempotent requests can only be used with the same "
                             "parameters they were first used with. Try using a key other "
                             f"than '{idempotency_key}' if you meant to execute a different "
                             "request.", error_type="idempotency_error")
                return 200, stored[3], True
        if method == "POST" and path == "/v1/checkout/sessions":
            answer = self._create_session(account, check_params(params, SESSION_CREATE))
        elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
            answer = self._retrieve_session(account, path.rsplit("/", 1)[1],
                                            check_params(params, RETRIEVE))
        elif method == "POST" and path == "/v1/refunds":
            answer = self._create_refund(account, check_params(params, REFUND_CREATE))
        else:
            raise ApiError(404, f"Unrecognized request URL ({method}: {path}). This fake of "
                                "Stripe implements only POST /v1/checkout/sessions, GET "
                                "/v1/checkout/sessions/{id} and POST /v1/refunds.")
        if method == "POST" and idempotency_key:
            account.idempotent[idempotency_key] = (method, path, params, answer)
        return 200, answer, False

    # -- Checkout Sessions

    def _create_session(self, account: Account, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode")
        if not mode:
            raise _missing("mode")
        if mode != "payment":
            raise _invalid("mode", "This fake of Stripe implements only mode=payment.")
        items = params.get("line_items")
        if not items:
            raise _missing("line_items")
        currency, total = self._line_items(items)
        for name in ("success_url", "cancel_url"):
            url = params.get(name)
            if url is not None and not re.match(r"^https?://[^\s/]+", url):
                raise _invalid(name, "Not a valid URL")
        email = params.get("customer_email")
        if email is not None and not _EMAIL.match(email):
            raise _invalid("customer_email", f"Invalid email address: {email}",
                           "email_invalid")
        locale = params.get("locale")
        if locale is not None and locale not in CHECKOUT_LOCALES:
            raise _invalid("locale", f"Invalid locale: {locale}", "parameter_invalid_string")
        reference = params.get("client_reference_id")
        if reference is not None and not 0 < len(reference) <= 200:
            raise _invalid("client_reference_id",
                           "client_reference_id must be 1 to 200 characters.")
        suffix = (params.get("payment_intent_data") or {}).get("statement_descriptor_suffix")
        if suffix is not None and (len(suffix) > 22 or re.search(r"[<>\\'\"*]", suffix)):
            raise _invalid("payment_intent_data[statement_descriptor_suffix]",
                           "The statement descriptor suffix is invalid.")
        now = int(time.time())
        session_id = new_id("cs")
        session = {
            "id": session_id, "object": "checkout.session",
            "amount_subtotal": total, "amount_total": total,
            "cancel_url": params.get("cancel_url"), "success_url": params.get("success_url"),
            "client_reference_id": reference, "created": now, "currency": currency,
            "customer_email": email, "expires_at": params.get("expires_at",
                                                               now + SESSION_LIFETIME),
            "livemode": False, "locale": locale, "metadata": params.get("metadata", {}),
            "mode": mode, "payment_intent": None, "payment_status": "unpaid",
            "status": "open", "url": f"{self.url}/c/pay/{session_id}",
        }
        account.sessions[session_id] = session
        account.intent_data[session_id] = params.get("payment_intent_data", {})
        return dict(session)

    @staticmethod
    def _line_items(items: list[dict[str, Any]]) -> tuple[str, int]:
        currencies, total = set(), 0
        for index, item in enumerate(items):
            path = f"line_items[{index}]"
            price = item.get("price_data")
            if price is None:
                raise _missing(f"{path}[price_data]")
            for name in ("currency", "unit_amount"):
                if name not in price:
                    raise _missing(f"{path}[price_data][{name}]")
            if not (price.get("product_data") or {}).get("name"):
                raise _missing(f"{path}[price_data][product_data][name]")
            if not re.fullmatch(r"[A-Za-z]{3}", price["currency"]):
                raise _invalid(f"{path}[price_data][currency]",
                               f"Invalid currency: {price['currency']}")
            if price["unit_amount"] < 0:
                raise _invalid(f"{path}[price_data][unit_amount]",
                               "Invalid non-negative integer", "parameter_invalid_integer")
            quantity = item.get("quantity")
            if quantity is None:
                raise _missing(f"{path}[quantity]")
            if quantity < 1:
                raise _invalid(f"{path}[quantity]", "Invalid positive integer",
                               "parameter_invalid_integer")
            currencies.add(price["currency"].lower())
            total += price["unit_amount"] * quantity
        if len(currencies) != 1:
            raise _invalid("line_items", "All line items must use the same currency.")
        currency = currencies.pop()
        if total > MAX_AMOUNT:
            raise ApiError(400, "The Checkout Session's total amount due must be no more "
                                f"than {MAX_AMOUNT} {currency}.", code="amount_too_large",
                           param="line_items")
        minimum = MINIMUM_CHARGE.get(currency, 1)
        if total < minimum:
            raise ApiError(400, "The Checkout Session's total amount due must add up to at "
                                f"least {minimum} {currency}.", code="amount_too_small",
                           param="line_items")
        return currency, total

    def _retrieve_session(self, account: Account, session_id: str,
                          params: dict[str, Any]) -> dict[str, Any]:
        session = account.sessions.get(session_id)
        if session is None:
            raise _no_such("checkout.session", session_id, "session")
        answer = dict(session)
        expand = params.get("expand", [])
        for name in expand:
            if name != "payment_intent":
                raise _invalid("expand", f"This property cannot be expanded ({name}).")
        if "payment_intent" in expand and session["payment_intent"]:
            answer["payment_intent"] = dict(account.intents[session["payment_intent"]])
        return answer

    # -- Refunds

    def _create_refund(self, account: Account, params: dict[str, Any]) -> dict[str, Any]:
        intent_id, charge_id = params.get("payment_intent"), params.get("charge")
        if not intent_id and not charge_id:
            raise ApiError(400, "One of the following params should be provided for this "
                                "request: payment_intent or charge.", code="parameter_missing")
        if intent_id:
            intent = account.intents.get(intent_id)
            if intent is None:
                raise _no_such("payment_intent", intent_id, "payment_intent")
            charge = account.charges.get(intent.get("latest_charge") or "")
            if charge is None or charge["status"] != "succeeded":
                raise ApiError(400, f"This PaymentIntent ({intent_id}) does not have a "
                                    "successful charge to refund.",
                               code="charge_not_refundable", param="payment_intent")
        else:
            charge = account.charges.get(charge_id)
            if charge is None:
                raise _no_such("charge", charge_id, "charge")
        reason = params.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise _invalid("reason", f"Invalid reason: {reason}")
        return self._refund(account, charge, params.get("amount"), reason,
                            params.get("metadata", {}))

    @staticmethod
    def _refund(account: Account, charge: dict[str, Any], amount: int | None,
                reason: str | None, metadata: dict[str, str]) -> dict[str, Any]:
        left = charge["amount"] - charge["amount_refunded"]
        if left <= 0:
            raise ApiError(400, f"Charge {charge['id']} has already been refunded.",
                           code="charge_already_refunded")
        amount = left if amount is None else amount
        if amount <= 0:
            raise _invalid("amount", "Invalid positive integer", "parameter_invalid_integer")
        if amount > left:
            raise ApiError(400, f"Refund amount ({amount} {charge['currency']}) is greater "
                                f"than unrefunded amount on charge ({left} "
                                f"{charge['currency']})", code="amount_too_large",
                           param="amount")
        refund = {
            "id": new_id("re"), "object": "refund", "amount": amount,
            "charge": charge["id"], "created": int(time.time()),
            "currency": charge["currency"], "metadata": metadata,
            "payment_intent": charge["payment_intent"], "reason": reason,
            "status": "succeeded",
        }
        account.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return dict(refund)

    # -- test-only controls: what the shopper, the bank and the dashboard do

    def account_of(self, object_id: str) -> Account:
        """The account that owns a session, PaymentIntent or charge."""
        with self.lock:
            for account in self.accounts.values():
                if object_id in account.sessions or object_id in account.intents \
                        or object_id in account.charges:
                    return account
        raise KeyError(object_id)

    def session(self, session_id: str) -> dict[str, Any]:
        """A copy of a session as the API would return it."""
        with self.lock:
            return dict(self.account_of(session_id).sessions[session_id])

    def intent_data(self, session_id: str) -> dict[str, Any]:
        """What ``payment_intent_data`` the session was created with."""
        with self.lock:
            return dict(self.account_of(session_id).intent_data[session_id])

    def pay(self, session_id: str) -> Delivery:
        """The shopper pays by card: ``checkout.session.completed``, paid."""
        return self.complete(session_id, paid=True)

    def complete(self, session_id: str, *, paid: bool = True) -> Delivery:
        """The shopper finishes the Checkout page; ``paid=False`` for a delayed method
        (a bank debit) whose money is still on its way."""
        with self.lock:
            account = self.account_of(session_id)
            session = self._open_session(account, session_id)
            intent = self._intent(account, session)
            if paid:
                self._succeed(account, session, intent)
            else:
                intent["status"] = "processing"
            session["status"] = "complete"
            return self.event(account, "checkout.session.completed", session)

    def settle(self, session_id: str, *, succeeded: bool = True) -> Delivery:
        """A delayed payment clears (or not): ``checkout.session.async_payment_*``."""
        with self.lock:
            account = self.account_of(session_id)
            session = account.sessions[session_id]
            intent = account.intents[session["payment_intent"]]
            if succeeded:
                self._succeed(account, session, intent)
                return self.event(account, "checkout.session.async_payment_succeeded",
                                  session)
            intent["status"] = "requires_payment_method"
            return self.event(account, "checkout.session.async_payment_failed", session)

    def decline(self, session_id: str, message: str = "Your card was declined.") -> Delivery:
        """The card is declined; the session stays open for another card:
        ``payment_intent.payment_failed``."""
        with self.lock:
            account = self.account_of(session_id)
            session = self._open_session(account, session_id)
            intent = self._intent(account, session)
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"type": "card_error", "code": "card_declined",
                                            "decline_code": "generic_decline",
                                            "message": message}
            return self.event(account, "payment_intent.payment_failed", intent)

    def expire(self, session_id: str) -> Delivery:
        """Nobody paid in time: ``checkout.session.expired``."""
        with self.lock:
            account = self.account_of(session_id)
            session = self._open_session(account, session_id)
            session["status"] = "expired"
            return self.event(account, "checkout.session.expired", session)

    def refund_in_dashboard(self, session_id: str, amount: int | None = None) -> Delivery:
        """The merchant refunds in Stripe's dashboard: ``charge.refunded``."""
        with self.lock:
            account = self.account_of(session_id)
            charge = self._charge_of(account, session_id)
            self._refund(account, charge, amount, "requested_by_customer", {})
            return self.event(account, "charge.refunded", charge)

    def charge_refunded(self, session_id: str) -> Delivery:
        """The ``charge.refunded`` event for the session's charge as it is now (after a
        refund made through the API)."""
        with self.lock:
            account = self.account_of(session_id)
            return self.event(account, "charge.refunded",
                              self._charge_of(account, session_id))

    def event(self, account: Account, event_type: str, obj: Mapping[str, Any],
              *, timestamp: int | None = None) -> Delivery:
        """An event about ``obj`` (copied now), signed with the account's secret."""
        event = {
            "id": new_id("evt"), "object": "event", "api_version": API_VERSION,
            "created": int(time.time()), "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": event_type,
        }
        with self.lock:
            account.events.append(event)
        payload = json.dumps(event, indent=2, ensure_ascii=False).encode()
        unsigned = Delivery(event["id"], event_type, payload,
                            {"Content-Type": "application/json; charset=utf-8"})
        return unsigned.signed(account.webhook_secret, timestamp)

    @staticmethod
    def _open_session(account: Account, session_id: str) -> dict[str, Any]:
        session = account.sessions[session_id]
        if session["status"] != "open":
            raise ValueError(f"session {session_id} is {session['status']}, not open")
        return session

    @staticmethod
    def _intent(account: Account, session: dict[str, Any]) -> dict[str, Any]:
        """The session's PaymentIntent, made when the shopper first confirms (as since
        API version 2022-08-01)."""
        if session["payment_intent"]:
            return account.intents[session["payment_intent"]]
        data = account.intent_data.get(session["id"], {})
        intent = {
            "id": new_id("pi"), "object": "payment_intent", "amount": session["amount_total"],
            "amount_received": 0, "currency": session["currency"],
            "description": data.get("description"), "latest_charge": None,
            "last_payment_error": None, "metadata": dict(data.get("metadata", {})),
            "statement_descriptor_suffix": data.get("statement_descriptor_suffix"),
            "status": "requires_payment_method",
        }
        account.intents[intent["id"]] = intent
        session["payment_intent"] = intent["id"]
        return intent

    @staticmethod
    def _succeed(account: Account, session: dict[str, Any], intent: dict[str, Any]) -> None:
        charge = {
            "id": new_id("ch"), "object": "charge", "amount": intent["amount"],
            "amount_captured": intent["amount"], "amount_refunded": 0, "captured": True,
            "created": int(time.time()), "currency": intent["currency"],
            "metadata": dict(intent["metadata"]), "paid": True,
            "payment_intent": intent["id"], "refunded": False, "status": "succeeded",
        }
        account.charges[charge["id"]] = charge
        intent.update(status="succeeded", amount_received=intent["amount"],
                      latest_charge=charge["id"], last_payment_error=None)
        session["payment_status"] = "paid"

    @staticmethod
    def _charge_of(account: Account, session_id: str) -> dict[str, Any]:
        intent = account.intents[account.sessions[session_id]["payment_intent"]]
        return account.charges[intent["latest_charge"]]


def _bearer(header: str) -> str:
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeStripe

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the fake's ``requests`` list instead."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        if split.path.startswith("/c/pay/"):
            self._checkout_page(split.path.rsplit("/", 1)[1])
            return
        try:
            status, payload, extra = self.server_fake.handle(
                self.command, split.path.rstrip("/"), split.query, self.headers, body)
        except Exception as exc:  # a bug in the fake: say so instead of dropping the line
            status, extra = 500, {}
            payload = ApiError(500, f"Stripe fake bug: {exc!r}", error_type="api_error").body()
        data = json.dumps(payload).encode()
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_fake{secrets.token_hex(8)}")
            self.send_header("Stripe-Version", self.headers.get("Stripe-Version")
                             or API_VERSION)
            # Errors from the fake are final; the client must not retry them.
            self.send_header("Stripe-Should-Retry", "false")
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    def _checkout_page(self, session_id: str) -> None:
        """The stand-in hosted page: GET shows it, POST pays and goes back to the shop."""
        fake = self.server_fake
        try:
            session = fake.session(session_id)
        except (KeyError, ApiError):
            self._html(404, "<p>No such Checkout Session (Stripe fake).</p>")
            return
        if self.command == "POST":
            delivery = fake.pay(session_id)
            account = fake.account_of(session_id)
            if account.webhook_url:
                request = Request(account.webhook_url, data=delivery.payload,  # noqa: S310
                                  headers=dict(delivery.headers), method="POST")
                with contextlib.suppress(OSError), urlopen(request, timeout=10):  # noqa: S310
                    pass
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
            with contextlib.suppress(OSError):
                self.send_response(303)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            return
        amount = f"{session['amount_total']} {session['currency'].upper()} (minor units)"
        self._html(200, (
            "<h1>Stripe fake: Checkout</h1><p>This is a test stand-in, not Stripe. "
            f"Total: <strong>{escape(amount)}</strong>.</p>"
            f'<form method="post"><button type="submit">Pay</button></form>'
            f'<p><a href="{escape(session["cancel_url"])}">Back to the shop</a></p>'))

    def _html(self, status: int, body: str) -> None:
        data = f"<!doctype html><title>Stripe fake</title>{body}".encode()
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer


FakeStripe.handler = _Handler
