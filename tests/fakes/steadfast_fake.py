"""A FAKE of Steadfast Courier's merchant API (v1), for tests. THIS IS NOT STEADFAST.

Nothing here talks to Steadfast or books a parcel. This module answers the requests that
``plugins/steadfast`` makes, the way "Steadfast Courier Limited API Documentation V1"
describes them (the Google Doc linked from the merchant panel, base
``https://portal.packzy.com/api/v1``, formerly ``https://portal.steadfast.com.bd/api/v1``)
together with the panel's "Webhook Integration" page, so the plugin's requests, its
reading of the answers and its failure handling can be tested offline. Point the plugin
at ``f"{fake.url}/api/v1"`` through ``HAAT_STEADFAST_API_BASE``.

What it keeps from Steadfast
----------------------------
* Authentication by the ``Api-Key`` and ``Secret-Key`` headers on every request; a
  missing or unknown pair gets HTTP 401 ``{"message": "Unauthenticated."}``.
* ``POST /create_order`` with a JSON body: ``invoice`` (required, unique per merchant,
  letters, digits, ``-`` and ``_``), ``recipient_name`` (required, at most 100
  characters), ``recipient_phone`` (required, 11 digits), ``alternative_phone``
  (optional, 11 digits), ``recipient_email``, ``recipient_address`` (required, at most
  250 characters), ``cod_amount`` (required, numeric, not below 0), ``note``,
  ``item_description``, ``total_lot``, ``delivery_type`` (0 home, 1 point). Success:
  ``{"status": 200, "message": "Consignment has been created successfully.",
  "consignment": {consignment_id, invoice, tracking_code, recipient_name,
  recipient_phone, recipient_address, cod_amount, status: "in_review", note,
  created_at, updated_at}}``.
* ``GET /status_by_cid/{id}``, ``/status_by_invoice/{invoice}``,
  ``/status_by_trackingcode/{code}``: ``{"status": 200, "delivery_status": ...}`` with
  the documented statuses (``pending``, ``delivered_approval_pending``,
  ``partial_delivered_approval_pending``, ``cancelled_approval_pending``,
  ``unknown_approval_pending``, ``delivered``, ``partial_delivered``, ``cancelled``,
  ``hold``, ``in_review``, ``unknown``). Only the merchant's own parcels are found.
* ``GET /get_balance``: ``{"status": 200, "current_balance": ...}`` (collected cash less
  charges, less what was paid out).
* ``GET /payments`` and ``GET /payments/{payment_id}`` (the latter with its
  ``consignments``).
* Webhooks as the panel's "Webhook Integration" page shows them: a JSON POST with
  ``Authorization: Bearer <the token the merchant typed in the panel>``;
  ``notification_type`` ``delivery_status`` (``consignment_id``, ``invoice``,
  ``cod_amount``, ``status``, ``delivery_charge``, ``tracking_message``,
  ``updated_at`` as ``YYYY-MM-DD HH:MM:SS``) or ``tracking_update``
  (``consignment_id``, ``invoice``, ``tracking_message``, ``updated_at``). The page's
  example writes the status capitalised ("Delivered") although its table lists
  lower-case values: :meth:`FakeSteadfast.advance` sends the capitalised form, so the
  plugin must read both.

Test-only controls
------------------
* :meth:`FakeSteadfast.add_account` (optionally with the webhook's bearer token),
  :meth:`~FakeSteadfast.advance` (move a parcel to a status; returns the webhook
  :class:`Delivery` Steadfast would send), :meth:`~FakeSteadfast.track` (a
  ``tracking_update``), :meth:`~FakeSteadfast.pay_out` (a payment covering parcels),
  :meth:`~FakeSteadfast.send` (POST a delivery to a real URL).
* :meth:`~FakeSteadfast.hang` / :meth:`~FakeSteadfast.release` (go slow: clients time
  out, and on release the request IS processed, as on the real service),
  :meth:`~FakeSteadfast.drop_next`, :meth:`~FakeSteadfast.go_down` /
  :meth:`~FakeSteadfast.come_back` (stopped: connection refused).

Where it stops (limits)
-----------------------
* The documentation gives no error shapes or HTTP codes, so these are chosen here, after
  what merchants' clients report: validation errors (a duplicate invoice among them)
  are HTTP 422 ``{"status": 400, "message": "The given data was invalid.", "errors":
  {"invoice": ["The invoice has already been taken."]}}``; an unknown consignment is
  HTTP 404 ``{"status": 404, "message": "Consignment not found."}``.
* The documentation names ``/payments`` and ``/payments/{payment_id}`` without their
  answers. The fake answers a JSON list of ``{id, amount, status: "paid", created_at,
  updated_at}`` and, for one payment, that object with ``consignments``: ``{id,
  consignment_id, invoice, tracking_code, cod_amount, delivery_charge, status}`` (the
  shape unofficial SDKs use). ``cod_amount`` is what was collected from the shopper.
* ``status_by_invoice`` answers only ``delivery_status`` (as documented): it does not
  give back the consignment id.
* Charges are made up: ৳60 inside Dhaka (the address mentions Dhaka), ৳110 elsewhere,
  plus 1% of the cash collected (the documented cash-on-delivery charge).
* No bulk orders, return requests, police stations, fraud check (not in the public API)
  or tracking pages; no pagination of payments; one process, memory only.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

from .http import HoldingFake, LocalServer

PREFIX = "/api/v1"
DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")

STATUSES = (
    "pending", "delivered_approval_pending", "partial_delivered_approval_pending",
    "cancelled_approval_pending", "unknown_approval_pending", "delivered",
    "partial_delivered", "cancelled", "hold", "in_review", "unknown")
#: The statuses the webhook's table lists (the others are reported only by the API).
WEBHOOK_STATUSES = {"pending": "Pending", "delivered": "Delivered",
                    "partial_delivered": "Partial Delivered", "cancelled": "Cancelled",
                    "unknown": "Unknown"}

_INVOICE = re.compile(r"^[A-Za-z0-9_-]+$")
_PHONE = re.compile(r"^\d{11}$")


class ApiError(Exception):
    def __init__(self, http: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.http = http
        self.body = body


def _invalid(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(422, {"status": 400, "message": "The given data was invalid.",
                          "errors": errors})


def _money(value: Decimal) -> float | int:
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral() else float(value)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


@dataclass
class Consignment:
    consignment_id: int
    invoice: str
    tracking_code: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    cod_amount: Decimal
    note: str | None
    created_at: datetime
    status: str = "in_review"
    collected: Decimal = Decimal(0)
    delivery_charge: Decimal = Decimal(0)
    updated_at: datetime | None = None
    payment_id: int | None = None
    request: dict[str, Any] = field(default_factory=dict)

    def as_created(self) -> dict[str, Any]:
        return {"consignment_id": self.consignment_id, "invoice": self.invoice,
                "tracking_code": self.tracking_code, "recipient_name": self.recipient_name,
                "recipient_phone": self.recipient_phone,
                "recipient_address": self.recipient_address,
                "cod_amount": _money(self.cod_amount), "status": self.status,
                "note": self.note, "created_at": _stamp(self.created_at),
                "updated_at": _stamp(self.updated_at or self.created_at)}


@dataclass
class Payment:
    id: int
    consignments: list[Consignment]
    created_at: datetime

    @property
    def amount(self) -> Decimal:
        return sum((c.collected - c.delivery_charge for c in self.consignments), Decimal(0))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "amount": _money(self.amount), "status": "paid",
                "created_at": _stamp(self.created_at), "updated_at": _stamp(self.created_at)}

    def detail(self) -> dict[str, Any]:
        return {**self.summary(), "consignments": [
            {"id": index + 1, "consignment_id": c.consignment_id, "invoice": c.invoice,
             "tracking_code": c.tracking_code, "cod_amount": _money(c.collected),
             "delivery_charge": _money(c.delivery_charge), "status": c.status}
            for index, c in enumerate(self.consignments)]}


@dataclass
class Account:
    """One merchant: its key pair, the webhook token typed in its panel, its parcels."""

    name: str
    api_key: str
    secret_key: str = field(repr=False)
    webhook_token: str = field(default="", repr=False)
    consignments: dict[int, Consignment] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)

    def by_invoice(self, invoice: str) -> Consignment | None:
        return next((c for c in self.consignments.values() if c.invoice == invoice), None)


@dataclass(frozen=True)
class Delivery:
    """A webhook as Steadfast would POST it: the raw JSON body and its headers."""

    payload: bytes
    headers: Mapping[str, str]

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)

    def with_token(self, token: str) -> Delivery:
        return Delivery(self.payload, {**self.headers, "Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class Seen:
    """One request the fake received (keys are kept only as the account's name)."""

    method: str
    path: str
    account: str
    payload: dict[str, Any]
    status: int


class FakeSteadfast(HoldingFake):
    """The fake server. ``start()`` it (or use it as a context manager), add accounts,
    and set ``HAAT_STEADFAST_API_BASE`` to :attr:`api_base`."""

    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-steadfast-http")
        self._next_cid = 1424107
        self._next_payment = 4001
        self._start_holding(self.lock)

    @property
    def api_base(self) -> str:
        return f"{self.url}{PREFIX}"

    # -- accounts and parcels

    def add_account(self, name: str, webhook_token: str = "") -> Account:
        account = Account(name, secrets.token_hex(8), secrets.token_hex(6),
                          webhook_token or secrets.token_urlsafe(24))
        with self.lock:
            self.accounts.append(account)
        return account

    def parcel(self, consignment_id: int | str) -> Consignment:
        with self.lock:
            for account in self.accounts:
                found = account.consignments.get(int(consignment_id))
                if found is not None:
                    return found
        raise KeyError(consignment_id)

    def account_of(self, consignment_id: int | str) -> Account:
        with self.lock:
            return next(a for a in self.accounts if int(consignment_id) in a.consignments)

    def seen(self, path_prefix: str = "") -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if s.path.startswith(PREFIX + path_prefix)]

    # -- controls: move parcels, send webhooks, pay out

    def advance(self, consignment_id: int | str, status: str, *, message: str = "",
                collected: Decimal | str | None = None,
                at: datetime | None = None) -> Delivery:
        """Move a parcel to ``status`` (one of :data:`STATUSES`) and return the
        ``delivery_status`` webhook Steadfast sends. ``collected`` is the cash taken
        from the shopper (default: all of ``cod_amount`` for a delivery, none for a
        cancellation, as given for a partial delivery)."""
        assert status in STATUSES, status
        moment = at or datetime.now(UTC)
        with self.lock:
            parcel = self.parcel(consignment_id)
            parcel.status = status
            parcel.updated_at = moment
            if status.startswith("delivered"):
                parcel.collected = parcel.cod_amount
            elif status.startswith("cancelled"):
                parcel.collected = Decimal(0)
            if collected is not None:
                parcel.collected = Decimal(str(collected))
            if status.startswith(("delivered", "partial_delivered", "cancelled")):
                base = Decimal(60 if "dhaka" in parcel.recipient_address.lower() else 110)
                parcel.delivery_charge = base + (parcel.collected / 100).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP)
            account = self.account_of(consignment_id)
            body = {"notification_type": "delivery_status",
                    "consignment_id": parcel.consignment_id, "invoice": parcel.invoice,
                    "cod_amount": _money(parcel.collected),
                    "status": WEBHOOK_STATUSES.get(status, status),
                    "delivery_charge": _money(parcel.delivery_charge),
                    "tracking_message": message or f"Consignment is {status.replace('_', ' ')}.",
                    "updated_at": moment.astimezone(DHAKA).strftime("%Y-%m-%d %H:%M:%S")}
        return self._delivery(account, body)

    def track(self, consignment_id: int | str, message: str, *,
              at: datetime | None = None) -> Delivery:
        """A ``tracking_update`` webhook for the parcel (its status does not change)."""
        moment = at or datetime.now(UTC)
        with self.lock:
            parcel = self.parcel(consignment_id)
            account = self.account_of(consignment_id)
            body = {"notification_type": "tracking_update",
                    "consignment_id": parcel.consignment_id, "invoice": parcel.invoice,
                    "tracking_message": message,
                    "updated_at": moment.astimezone(DHAKA).strftime("%Y-%m-%d %H:%M:%S")}
        return self._delivery(account, body)

    def pay_out(self, account: Account, consignment_ids: list[int | str], *,
                at: datetime | None = None) -> Payment:
        """Steadfast pays the merchant for these (delivered or cancelled) parcels."""
        with self.lock:
            parcels = [account.consignments[int(cid)] for cid in consignment_ids]
            payment = Payment(self._next_payment, parcels, at or datetime.now(UTC))
            self._next_payment += 1
            for parcel in parcels:
                parcel.payment_id = payment.id
            account.payments.append(payment)
        return payment

    @staticmethod
    def _delivery(account: Account, body: dict[str, Any]) -> Delivery:
        return Delivery(json.dumps(body).encode(),
                        {"Content-Type": "application/json",
                         "Authorization": f"Bearer {account.webhook_token}"})

    @staticmethod
    def send(delivery: Delivery, url: str, timeout: float = 10) -> int:
        """POST ``delivery`` to ``url`` (a running store); returns the HTTP status."""
        answer = requests.post(url, data=delivery.payload, headers=dict(delivery.headers),
                               timeout=timeout)
        return answer.status_code

    # -- the API

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        payload: dict[str, Any] = {}
        name = ""
        try:
            account = self._authenticate(headers.get("Api-Key", ""),
                                         headers.get("Secret-Key", ""))
            name = account.name
            if method == "POST":
                payload = self._json(headers.get("Content-Type", ""), body)
            status, data = 200, self._route(account, method, path, payload)
        except ApiError as exc:
            status, data = exc.http, exc.body
        with self.lock:
            self.requests.append(Seen(method, path, name, payload, status))
        return status, {"Content-Type": "application/json"}, json.dumps(data).encode()

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        return 500, {"Content-Type": "application/json"}, json.dumps(
            {"message": f"Steadfast fake bug: {exc!r}"}).encode()

    def _authenticate(self, api_key: str, secret_key: str) -> Account:
        with self.lock:
            for account in self.accounts:
                if secrets.compare_digest(account.api_key, api_key) and \
                        secrets.compare_digest(account.secret_key, secret_key):
                    return account
        raise ApiError(401, {"message": "Unauthenticated."})

    @staticmethod
    def _json(content_type: str, body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, {"status": 400, "message": "Invalid JSON."}) from None
        if not isinstance(data, dict):
            raise ApiError(400, {"status": 400, "message": "Invalid JSON."})
        return data

    def _route(self, account: Account, method: str, path: str,
               payload: dict[str, Any]) -> dict[str, Any] | list[Any]:
        route = path.removeprefix(PREFIX) if path.startswith(PREFIX + "/") else ""
        parts = route.strip("/").split("/")
        if method == "POST" and route == "/create_order":
            return self._create(account, payload)
        if method == "GET" and len(parts) == 2 and parts[0] in (
                "status_by_cid", "status_by_invoice", "status_by_trackingcode"):
            return {"status": 200, "delivery_status": self._find(account, *parts).status}
        if method == "GET" and route == "/get_balance":
            with self.lock:
                earned = sum((c.collected - c.delivery_charge for c in
                              account.consignments.values()
                              if c.status in ("delivered", "partial_delivered", "cancelled")),
                             Decimal(0))
                paid = sum((p.amount for p in account.payments), Decimal(0))
            return {"status": 200, "current_balance": _money(earned - paid)}
        if method == "GET" and route == "/payments":
            with self.lock:
                return [p.summary() for p in account.payments]
        if method == "GET" and len(parts) == 2 and parts[0] == "payments":
            with self.lock:
                for payment in account.payments:
                    if str(payment.id) == parts[1]:
                        return payment.detail()
            raise ApiError(404, {"status": 404, "message": "Payment not found."})
        raise ApiError(404, {"status": 404, "message": "Not found."})

    def _find(self, account: Account, kind: str, key: str) -> Consignment:
        with self.lock:
            if kind == "status_by_invoice":
                found = account.by_invoice(key)
            elif kind == "status_by_cid":
                found = account.consignments.get(int(key)) if key.isdigit() else None
            else:
                found = next((c for c in account.consignments.values()
                              if c.tracking_code == key), None)
        if found is None:
            raise ApiError(404, {"status": 404, "message": "Consignment not found."})
        return found

    def _create(self, account: Account, data: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}

        def text(name: str, required: bool, limit: int | None = None) -> str:
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                if required:
                    errors[name] = [f"The {name.replace('_', ' ')} field is required."]
                return ""
            value = str(value)
            if limit is not None and len(value) > limit:
                errors[name] = [f"The {name.replace('_', ' ')} may not be greater than "
                                f"{limit} characters."]
            return value

        invoice = text("invoice", True)
        if invoice and not _INVOICE.match(invoice):
            errors["invoice"] = ["The invoice may only contain letters, numbers, dashes and "
                                 "underscores."]
        name = text("recipient_name", True, 100)
        phone = text("recipient_phone", True)
        if phone and not _PHONE.match(phone):
            errors["recipient_phone"] = ["The recipient phone must be 11 digits."]
        alternative = text("alternative_phone", False)
        if alternative and not _PHONE.match(alternative):
            errors["alternative_phone"] = ["The alternative phone must be 11 digits."]
        address = text("recipient_address", True, 250)
        raw_cod = data.get("cod_amount")
        cod = Decimal(0)
        if raw_cod is None or raw_cod == "":
            errors["cod_amount"] = ["The cod amount field is required."]
        else:
            try:
                cod = Decimal(str(raw_cod))
                if isinstance(raw_cod, bool) or not cod.is_finite():
                    raise ValueError
            except (ArithmeticError, ValueError):
                errors["cod_amount"] = ["The cod amount must be a number."]
            else:
                if cod < 0:
                    errors["cod_amount"] = ["The cod amount must be at least 0."]
        if data.get("delivery_type") not in (None, 0, 1, "0", "1"):
            errors["delivery_type"] = ["The selected delivery type is invalid."]
        with self.lock:
            if invoice and "invoice" not in errors and account.by_invoice(invoice):
                errors["invoice"] = ["The invoice has already been taken."]
            if errors:
                raise _invalid(errors)
            parcel = Consignment(
                consignment_id=self._next_cid, invoice=invoice,
                tracking_code=secrets.token_hex(4).upper(), recipient_name=name,
                recipient_phone=phone, recipient_address=address, cod_amount=cod,
                note=data.get("note"), created_at=datetime.now(UTC), request=dict(data))
            self._next_cid += 1
            account.consignments[parcel.consignment_id] = parcel
        return {"status": 200, "message": "Consignment has been created successfully.",
                "consignment": parcel.as_created()}
