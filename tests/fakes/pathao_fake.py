"""A FAKE of Pathao's Courier Merchant API, for tests. THIS IS NOT PATHAO.

Nothing here talks to Pathao or moves a parcel. It answers the requests that
``plugins/pathao`` makes, the way Pathao's developer documentation
(https://merchant.pathao.com/courier/developer-api, "Merchant API", v1 as read in
December 2026) and Pathao's own WooCommerce plugin
(github.com/pathao-eng/courier-woocommerce-plugin, 2.0.0) describe them, so the
plugin's requests, its reading of answers and its failure handling can be tested
offline. Point the plugin at :attr:`FakePathao.url` with ``HAAT_PATHAO_API_BASE``.

What it keeps from Pathao
-------------------------
* ``POST /aladdin/api/v1/issue-token`` with ``client_id``, ``client_secret`` and
  ``grant_type`` ``"password"`` (``username``, ``password``) or ``"refresh_token"``
  (``refresh_token``): ``{token_type: "Bearer", expires_in: 432000, access_token,
  refresh_token}``. Wrong credentials: 401.
* Every other endpoint wants ``Authorization: Bearer <access token>`` (401 otherwise)
  and answers ``{message, type: "success", code: 200, data: ...}``:
  ``GET /aladdin/api/v1/city-list``, ``/cities/<id>/zone-list``,
  ``/zones/<id>/area-list`` and ``/stores`` (``data: {data: [...]}``);
  ``POST /aladdin/api/v1/merchant/price-plan`` (``data: {price, discount,
  promo_discount, plan_id, cod_enabled, cod_percentage, additional_charge,
  final_price}``); ``POST /aladdin/api/v1/orders`` (``data: {consignment_id,
  merchant_order_id, order_status: "Pending", delivery_fee}``);
  ``GET /aladdin/api/v1/orders/<consignment id>/info`` (``data: {consignment_id,
  merchant_order_id, order_status, order_status_slug, updated_at, invoice_id}``).
* Validation as the documentation's field table says (422 ``{message: "Please fix the
  given errors", type: "error", code: 422, errors: {field: [words]}}``): a store of
  the account, recipient name 3-100 characters, an 11-digit phone, an address of 10-220
  characters, a city, zone (and area) that exist and belong together, delivery type 48
  or 12, item type 1 or 2, weight 0.5-10 kg, a whole quantity, a whole
  ``amount_to_collect`` of 0 or more.
* One account per merchant, each with its own stores and parcels: another account's
  token never sees them (404 for another's consignment).
* Webhooks as Pathao sends them: JSON with ``event``, ``consignment_id``,
  ``merchant_order_id``, ``store_id``, ``updated_at`` (``YYYY-MM-DD HH:MM:SS``, Dhaka
  time), ``timestamp`` (ISO 8601) and per event ``delivery_fee``, ``collected_amount``,
  ``invoice_id``, with the merchant's webhook secret in ``X-PATHAO-Signature``.

Test-only controls
------------------
* :meth:`FakePathao.move` moves a consignment to a new step (``order.picked``,
  ``order.delivered``, ``order.returned``, ``order.paid`` ...) and returns the webhook
  Pathao would send (:class:`Webhook`: ``body`` bytes and ``headers``), signed with the
  account's ``webhook_secret`` (or another secret, to test refusals).
* :meth:`~FakePathao.hang` / :meth:`~FakePathao.release` (requests wait; clients time
  out; on release they ARE processed), :meth:`~FakePathao.drop_next` (processed, then
  the connection closes without an answer), :meth:`~FakePathao.go_down` /
  :meth:`~FakePathao.come_back` (connection refused), :meth:`~FakePathao.fail_next`
  (HTTP 5xx).

Where it stops (limits)
-----------------------
* Not documented publicly, so chosen here: the words of error messages, the 401 body
  (``{message: "Unauthorized", type: "error", code: 401}``), the consignment id shape
  (``DL`` + ``ddmmyy`` + six letters and digits), prices (Dhaka ৳60 for the first kg,
  elsewhere ৳110, ৳15 per further kg, COD charge 1%), and that a second order with the
  same ``merchant_order_id`` is simply another parcel (Pathao does not document
  refusing it).
* A few cities and zones, not Pathao's full lists; no bulk orders, store creation,
  ``/user/success``, exchanges or return consignments. One process, memory only.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .http import HoldingFake, LocalServer

PREFIX = "/aladdin/api/v1"
DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")
TOKEN_LIFETIME = 432000

CITIES = [{"city_id": 1, "city_name": "Dhaka"}, {"city_id": 2, "city_name": "Chittagong"},
          {"city_id": 17, "city_name": "Barisal"}, {"city_id": 3, "city_name": "Sylhet"}]
ZONES = {
    1: [{"zone_id": 298, "zone_name": "Mirpur"}, {"zone_id": 299, "zone_name": "Mirpur 10"},
        {"zone_id": 68, "zone_name": "Dhanmondi"}, {"zone_id": 80, "zone_name": "Uttara"},
        {"zone_id": 81, "zone_name": "Gulshan"}],
    2: [{"zone_id": 402, "zone_name": "Agrabad"}, {"zone_id": 403, "zone_name": "Halishahar"}],
    17: [{"zone_id": 700, "zone_name": "Barisal Sadar"}],
    3: [{"zone_id": 800, "zone_name": "Zindabazar"}],
}
AREAS = {
    68: [{"area_id": 5001, "area_name": "Road 5", "home_delivery_available": True,
          "pickup_available": True},
         {"area_id": 5002, "area_name": "Jigatola", "home_delivery_available": True,
          "pickup_available": True}],
}
#: Webhook event -> (order_status, order_status_slug) as /info reports it afterwards.
STATUSES = {
    "order.created": ("Pending", "Pending"),
    "order.pickup-requested": ("Pickup Requested", "Pickup_Requested"),
    "order.picked": ("Picked", "Picked"),
    "order.at-the-sorting-hub": ("At the Sorting HUB", "At_the_Sorting_HUB"),
    "order.in-transit": ("In Transit", "In_Transit"),
    "order.received-at-last-mile-hub": ("Received at Last Mile HUB",
                                        "Received_at_Last_Mile_HUB"),
    "order.assigned-for-delivery": ("Assigned for Delivery", "Assigned_for_Delivery"),
    "order.delivered": ("Delivered", "Delivered"),
    "order.partial-delivery": ("Partial Delivery", "Partial_Delivery"),
    "order.delivery-failed": ("Delivery Failed", "Delivery_Failed"),
    "order.returned": ("Return", "Return"),
    "order.paid-return": ("Paid Return", "paid_return"),
    "order.paid": ("Payment Invoice", "Payment_Invoice"),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"message": self.message, "type": "error",
                                  "code": self.status}
        if self.errors is not None:
            answer["errors"] = self.errors
        return answer


@dataclass
class Parcel:
    consignment_id: str
    merchant_order_id: str
    store_id: int
    payload: dict[str, Any]
    delivery_fee: int
    status: str = "Pending"
    slug: str = "Pending"
    updated_at: datetime = field(default_factory=lambda: datetime.now(DHAKA))
    invoice_id: str | None = None


@dataclass
class Account:
    """One Pathao merchant: its API credentials, pickup stores, webhook secret, parcels."""

    client_id: str
    client_secret: str
    username: str
    password: str
    store_ids: list[int]
    webhook_secret: str
    parcels: dict[str, Parcel] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """One request the fake received (secrets left out)."""

    method: str
    path: str
    client_id: str
    payload: dict[str, Any]
    status: int


@dataclass(frozen=True)
class Webhook:
    """What Pathao would POST to the merchant's callback URL."""

    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


def _dhaka_text(moment: datetime) -> str:
    return moment.astimezone(DHAKA).strftime("%Y-%m-%d %H:%M:%S")


class FakePathao(HoldingFake):
    """The fake server. ``start()`` it (or use it as a context manager), add merchants
    with :meth:`add_account`, and set ``HAAT_PATHAO_API_BASE`` to :attr:`url`."""

    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-pathao-http")
        self._tokens: dict[str, tuple[Account, datetime]] = {}
        self._refresh: dict[str, Account] = {}
        self._failures: list[int] = []
        self._next_store = 148530
        self._start_holding(self.lock)

    # -- merchants

    def add_account(self, name: str) -> Account:
        with self.lock:
            self._next_store += 1
            account = Account(
                client_id=secrets.token_urlsafe(7), client_secret=secrets.token_urlsafe(30),
                username=f"{name}@merchant.example", password=secrets.token_urlsafe(9),
                store_ids=[self._next_store], webhook_secret=secrets.token_urlsafe(18))
            self.accounts.append(account)
        return account

    def parcels(self, account: Account) -> list[Parcel]:
        with self.lock:
            return list(account.parcels.values())

    def expire_tokens(self) -> None:
        """Every access token stops working (as after ``expires_in``)."""
        with self.lock:
            self._tokens.clear()

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        with self.lock:
            self._failures.extend([status] * times)

    # -- the courier's side

    def move(self, consignment_id: str, event: str, *, secret: str | None = None,
             at: datetime | None = None, **extra: Any) -> Webhook:
        """Move the parcel to ``event``'s step and return Pathao's webhook for it.

        ``order.delivered``/``order.partial-delivery``/``order.paid-return`` carry
        ``collected_amount`` (the parcel's ``amount_to_collect`` unless given) and
        ``delivery_fee``; ``order.paid`` an ``invoice_id``. ``secret`` overrides the
        account's webhook secret in ``X-PATHAO-Signature``."""
        with self.lock:
            account, parcel = self._find(consignment_id)
            status, slug = STATUSES[event]
            moment = at or datetime.now(DHAKA)
            if event != "order.paid":
                parcel.status, parcel.slug = status, slug
            parcel.updated_at = moment
            payload: dict[str, Any] = {
                "consignment_id": parcel.consignment_id,
                "merchant_order_id": parcel.merchant_order_id,
                "updated_at": _dhaka_text(moment),
                "timestamp": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "store_id": parcel.store_id, "event": event,
                "delivery_fee": parcel.delivery_fee,
            }
            if event in ("order.delivered", "order.partial-delivery", "order.paid-return"):
                payload["collected_amount"] = parcel.payload.get("amount_to_collect", 0)
            if event == "order.paid":
                parcel.invoice_id = extra.pop("invoice_id", None) or (
                    "INV" + "".join(secrets.choice(string.digits) for _ in range(8)))
                payload["invoice_id"] = parcel.invoice_id
            payload.update(extra)
            signature = account.webhook_secret if secret is None else secret
        return Webhook(json.dumps(payload).encode(),
                       {"Content-Type": "application/json",
                        "X-PATHAO-Signature": signature})

    def integration_check(self, account: Account, secret: str | None = None) -> Webhook:
        """The request Pathao sends when the merchant saves the callback URL."""
        body = json.dumps({"event": "webhook_integration"}).encode()
        return Webhook(body, {"Content-Type": "application/json",
                              "X-PATHAO-Signature": secret or account.webhook_secret})

    def _find(self, consignment_id: str) -> tuple[Account, Parcel]:
        for account in self.accounts:
            if consignment_id in account.parcels:
                return account, account.parcels[consignment_id]
        raise KeyError(consignment_id)

    # -- HTTP

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        status, data, client_id, payload = self.handle(method, path,
                                                       headers.get("Authorization", ""),
                                                       body)
        with self.lock:
            self.requests.append(Seen(method, path, client_id, payload, status))
        return status, {"Content-Type": "application/json"}, json.dumps(data).encode()

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        data = {"message": f"Pathao fake bug: {exc!r}", "type": "error", "code": 500}
        return 500, {"Content-Type": "application/json"}, json.dumps(data).encode()

    def handle(self, method: str, path: str, authorization: str,
               body: bytes) -> tuple[int, dict[str, Any], str, dict[str, Any]]:
        payload: dict[str, Any] = {}
        client_id = ""
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
        try:
            if failure is not None:
                raise ApiError(failure, "Server Error")
            if body:
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise ApiError(400, "Invalid JSON") from None
                payload = decoded if isinstance(decoded, dict) else {}
            if method == "POST" and path == f"{PREFIX}/issue-token":
                client_id = str(payload.get("client_id") or "")
                return 200, self._issue(payload), client_id, self._public(payload)
            account = self._account(authorization)
            client_id = account.client_id
            data, message = self._route(account, method, path, payload)
            return 200, {"message": message, "type": "success", "code": 200,
                         "data": data}, client_id, payload
        except ApiError as exc:
            return exc.status, exc.body(), client_id, self._public(payload)

    @staticmethod
    def _public(payload: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in payload.items()
                if k not in ("client_secret", "password", "refresh_token")}

    def _issue(self, payload: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            account = next((a for a in self.accounts
                            if a.client_id == payload.get("client_id")
                            and secrets.compare_digest(
                                a.client_secret, str(payload.get("client_secret") or ""))),
                           None)
            if account is None:
                raise ApiError(401, "Client authentication failed")
            grant = payload.get("grant_type")
            if grant == "password":
                if not (payload.get("username") == account.username
                        and secrets.compare_digest(account.password,
                                                   str(payload.get("password") or ""))):
                    raise ApiError(401, "The user credentials were incorrect.")
            elif grant == "refresh_token":
                owner = self._refresh.pop(str(payload.get("refresh_token") or ""), None)
                if owner is not account:
                    raise ApiError(401, "The refresh token is invalid.")
            else:
                raise ApiError(400, "The authorization grant type is not supported.")
            access, refresh = secrets.token_urlsafe(40), secrets.token_urlsafe(40)
            self._tokens[access] = (account, datetime.now(UTC) + timedelta(
                seconds=TOKEN_LIFETIME))
            self._refresh[refresh] = account
        return {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME,
                "access_token": access, "refresh_token": refresh}

    def _account(self, authorization: str) -> Account:
        token = authorization.removeprefix("Bearer ").strip()
        with self.lock:
            found = self._tokens.get(token)
        if found is None or found[1] < datetime.now(UTC):
            raise ApiError(401, "Unauthorized")
        return found[0]

    def _route(self, account: Account, method: str, path: str,
               payload: dict[str, Any]) -> tuple[Any, str]:
        rest = path.removeprefix(PREFIX)
        if method == "GET" and rest == "/city-list":
            return {"data": CITIES}, "City successfully fetched."
        if method == "GET" and (m := re.fullmatch(r"/cities/(\d+)/zone-list", rest)):
            return {"data": ZONES.get(int(m.group(1)), [])}, "Zone list fetched."
        if method == "GET" and (m := re.fullmatch(r"/zones/(\d+)/area-list", rest)):
            return {"data": AREAS.get(int(m.group(1)), [])}, "Area list fetched."
        if method == "GET" and rest == "/stores":
            return {"data": [{"store_id": sid, "store_name": f"Store {sid}",
                              "store_address": "House 1, Road 1, Dhanmondi, Dhaka",
                              "is_active": 1, "city_id": 1, "zone_id": 68, "hub_id": 10,
                              "is_default_store": i == 0, "is_default_return_store": i == 0}
                             for i, sid in enumerate(account.store_ids)],
                    "total": len(account.store_ids), "current_page": 1, "per_page": 1000,
                    "total_in_page": len(account.store_ids), "last_page": 1}, \
                "Store list fetched."
        if method == "POST" and rest == "/merchant/price-plan":
            return self._price(account, payload), "price"
        if method == "POST" and rest == "/orders":
            return self._create(account, payload), "Order Created Successfully"
        if method == "GET" and (m := re.fullmatch(r"/orders/([^/]+)/info", rest)):
            with self.lock:
                parcel = account.parcels.get(m.group(1))
            if parcel is None:
                raise ApiError(404, "Order not found")
            return {"consignment_id": parcel.consignment_id,
                    "merchant_order_id": parcel.merchant_order_id,
                    "order_status": parcel.status, "order_status_slug": parcel.slug,
                    "updated_at": _dhaka_text(parcel.updated_at),
                    "invoice_id": parcel.invoice_id}, "Order info"
        raise ApiError(404, "no Route matched with those values")

    @staticmethod
    def _fee(city: int, weight: float) -> int:
        base = 60 if city == 1 else 110
        extra_kg = max(0, int(-(-weight // 1)) - 1)
        return base + 15 * extra_kg

    def _location_errors(self, payload: dict[str, Any], errors: dict[str, list[str]],
                         *, area: bool) -> None:
        city, zone = payload.get("recipient_city"), payload.get("recipient_zone")
        if not any(c["city_id"] == city for c in CITIES):
            errors["recipient_city"] = ["The selected recipient city is invalid."]
        elif not any(z["zone_id"] == zone for z in ZONES.get(city, [])):
            errors["recipient_zone"] = ["The selected recipient zone is invalid."]
        elif area and payload.get("recipient_area") is not None and not any(
                a["area_id"] == payload["recipient_area"] for a in AREAS.get(zone, [])):
            errors["recipient_area"] = ["The selected recipient area is invalid."]

    def _common_errors(self, account: Account, payload: dict[str, Any]) -> dict:
        errors: dict[str, list[str]] = {}
        if payload.get("store_id") not in account.store_ids:
            errors["store_id"] = ["The selected store id is invalid."]
        if payload.get("delivery_type") not in (48, 12):
            errors["delivery_type"] = ["The selected delivery type is invalid."]
        if payload.get("item_type") not in (1, 2):
            errors["item_type"] = ["The selected item type is invalid."]
        weight = payload.get("item_weight")
        if not isinstance(weight, int | float) or not 0.5 <= weight <= 10:
            errors["item_weight"] = ["The item weight must be between 0.5 and 10."]
        return errors

    def _price(self, account: Account, payload: dict[str, Any]) -> dict[str, Any]:
        errors = self._common_errors(account, payload)
        self._location_errors(payload, errors, area=False)
        if errors:
            raise ApiError(422, "Please fix the given errors", errors)
        price = self._fee(payload["recipient_city"], float(payload["item_weight"]))
        return {"price": price, "discount": 0, "promo_discount": 0, "plan_id": 69,
                "cod_enabled": 1, "cod_percentage": 0.01, "additional_charge": 0,
                "final_price": price}

    def _create(self, account: Account, payload: dict[str, Any]) -> dict[str, Any]:
        errors = self._common_errors(account, payload)
        self._location_errors(payload, errors, area=True)
        name = str(payload.get("recipient_name") or "")
        if not 3 <= len(name) <= 100:
            errors["recipient_name"] = ["The recipient name must be between 3 and 100 "
                                        "characters."]
        if not re.fullmatch(r"\d{11}", str(payload.get("recipient_phone") or "")):
            errors["recipient_phone"] = ["The recipient phone must be 11 characters."]
        if not 10 <= len(str(payload.get("recipient_address") or "")) <= 220:
            errors["recipient_address"] = ["The recipient address must be between 10 and "
                                           "220 characters."]
        quantity = payload.get("item_quantity")
        if not isinstance(quantity, int) or quantity < 1:
            errors["item_quantity"] = ["The item quantity must be an integer."]
        cash = payload.get("amount_to_collect")
        if not isinstance(cash, int) or isinstance(cash, bool) or cash < 0:
            errors["amount_to_collect"] = ["The amount to collect must be an integer."]
        if errors:
            raise ApiError(422, "Please fix the given errors", errors)
        fee = self._fee(payload["recipient_city"], float(payload["item_weight"]))
        fee += round(cash * 0.01)
        with self.lock:
            now = datetime.now(DHAKA)
            consignment = "DL" + now.strftime("%d%m%y") + "".join(
                secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))
            parcel = Parcel(consignment, str(payload.get("merchant_order_id") or ""),
                            payload["store_id"], dict(payload), fee)
            account.parcels[consignment] = parcel
        return {"consignment_id": consignment, "merchant_order_id": parcel.merchant_order_id,
                "order_status": "Pending", "delivery_fee": fee}
