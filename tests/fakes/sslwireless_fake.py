"""A FAKE of SSL Wireless's ISMS Plus SMS API (v3), for tests. THIS IS NOT SSL WIRELESS.

Nothing here talks to SSL Wireless or sends a text. This module answers the one request
that ``plugins/sms_sslwireless`` makes, ``POST /api/v3/send-sms``, the way SSL's v3
API documentation and its official client (github.com/sslw/ismsplus_api) describe it,
so the plugin's requests, its reading of answers and its failure handling can be tested
offline. Point the plugin at :attr:`FakeSslWireless.url` through
``HAAT_SSLWIRELESS_API_BASE``.

What it keeps from SSL Wireless
-------------------------------
* ``POST /api/v3/send-sms`` with a JSON body (``Content-Type: application/json``):
  ``api_token``, ``sid``, ``msisdn``, ``sms``, ``csms_id``. A body that is not a JSON
  object, or another content type: 4005. An empty or missing field: 4022.
* Answers as SSL writes them: ``{"status": "SUCCESS", "status_code": 200,
  "error_message": "", "smsinfo": [{"sms_status": "SUCCESS", "status_message":
  "Success", "msisdn", "sms_type", "sms_body", "csms_id", "reference_id"}]}``, or
  ``{"status": "FAILED", "status_code": <code>, "error_message": <words>, "smsinfo":
  []}`` with SSL's codes: 4001 (unknown token), 4002 (SID not the token's), 4003 (IP
  blacklisted, by switch), 4004 (other paths), 4005, 4020 (csms_id not 1-20 letters and
  digits), 4022, 4023 (csms_id already used by this account today, Dhaka time), 4025
  (msisdn not ``8801XXXXXXXXX`` or ``01XXXXXXXXX``), 4026 (blocked number, by switch),
  4028/4029/4031/5000 (by switch, :meth:`FakeSslWireless.fail_next`).
* De-duplication by ``csms_id`` per account and day: the second request with a used
  ``csms_id`` is refused with 4023 and nothing is sent, which is what makes the
  plugin's retries after a timeout safe.
* Per-account storage: every accepted message is kept on its :class:`Account`
  (``account.messages``) with the exact ``msisdn``/``sid``/``sms``/``csms_id``
  received. ``sms_type`` is ``"BN"`` for text outside GSM 03.38 (Bengali, and, in this
  fake, any other Unicode) and ``"EN"`` otherwise; SSL needs no flag for Unicode.

Test-only switches
------------------
* :meth:`FakeSslWireless.fail_next`: the next requests fail with an HTTP ``status``
  (5xx or 429; an HTML error page, as a proxy in front of the API gives) or with an API
  ``code`` (4029, 4031, 5000...; SSL's JSON with HTTP 200).
* :meth:`FakeSslWireless.reject_number` (4025 or 4026), :meth:`~FakeSslWireless.
  blacklist_ip` (4003 for every request).
* :meth:`FakeSslWireless.hang` / :meth:`~FakeSslWireless.release`: requests wait
  unanswered (clients time out); on release they are processed, so the message IS
  sent, as on the real service.
* :meth:`FakeSslWireless.drop_next`: process the next request, then close the
  connection without an answer.
* :meth:`FakeSslWireless.go_down` / :meth:`~FakeSslWireless.come_back`: connection
  refused, then listening again on the same port.

Where it stops (limits)
-----------------------
* Not documented publicly, so chosen here: which HTTP status SSL uses for its error
  answers (the fake always uses 200 with the code in the body, 404 for 4004; the plugin
  reads the body either way), the order in which checks apply (format, missing fields,
  token, SID, IP, csms_id, number, duplicate), the day boundary for 4023 (midnight in
  Asia/Dhaka) and the shape of ``reference_id``.
* Only single SMS: no ``/send-sms/bulk``, ``/send-sms/dynamic``, balance or delivery
  status endpoints, no message length limit (4027), no OTP limits, no encrypted or
  signed requests (4034/4035), no GET form of the request. One process, memory only.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .http import HoldingFake, LocalServer

SEND_PATH = "/api/v3/send-sms"
DHAKA = timezone(timedelta(hours=6), "Asia/Dhaka")
REQUIRED = ("api_token", "sid", "msisdn", "sms", "csms_id")

_MSISDN = re.compile(r"^(?:88)?(01[3-9]\d{8})$")
_CSMS_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")

#: GSM 03.38 basic character set and extension table: text of only these is "EN".
GSM = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f")

#: SSL's codes and the words of its ``error_message``.
MESSAGES = {
    4001: "Unauthorized",
    4002: "SID/Stakeholder is not permitted to send SMS",
    4003: "IP Blacklisted",
    4004: "Endpoint Not Found",
    4005: "Invalid Request Format",
    4020: "Invalid CSMS ID",
    4022: "Required Parameter Missing",
    4023: "Duplicate CSMS ID",
    4025: "Invalid MSISDN",
    4026: "Blocked MSISDN",
    4028: "Invalid Message Data",
    4029: "Too Many Requests",
    4031: "TPS Exceeded",
    5000: "Unknown Error",
}


class ApiError(Exception):
    """A ``FAILED`` answer in SSL's format."""

    def __init__(self, code: int, http: int = 200) -> None:
        super().__init__(MESSAGES[code])
        self.code = code
        self.http = http

    def body(self) -> dict[str, Any]:
        return {"status": "FAILED", "status_code": self.code,
                "error_message": MESSAGES[self.code], "smsinfo": []}


def sms_type(text: str) -> str:
    return "EN" if all(c in GSM for c in text) else "BN"


@dataclass
class Message:
    """A message the fake accepted: exactly what the client sent, and SSL's answer."""

    reference_id: str
    sid: str
    msisdn: str
    sms: str
    csms_id: str
    sms_type: str
    accepted_at: datetime

    def info(self) -> dict[str, str]:
        return {"sms_status": "SUCCESS", "status_message": "Success", "msisdn": self.msisdn,
                "sms_type": self.sms_type, "sms_body": self.sms, "csms_id": self.csms_id,
                "reference_id": self.reference_id}


@dataclass
class Account:
    """One ISMS Plus account: its token, the SIDs it may send from, what it "sent"."""

    api_token: str
    sids: set[str]
    messages: list[Message] = field(default_factory=list)

    def used(self, csms_id: str, day: Any) -> bool:
        return any(m.csms_id == csms_id and m.accepted_at.astimezone(DHAKA).date() == day
                   for m in self.messages)


@dataclass(frozen=True)
class Seen:
    """One request the fake received (the token is not kept)."""

    method: str
    path: str
    content_type: str
    payload: dict[str, Any]
    status_code: int


class FakeSslWireless(HoldingFake):
    """The fake server. ``start()`` it (or use it as a context manager), add accounts
    with :meth:`add_account`, and set ``HAAT_SSLWIRELESS_API_BASE`` to :attr:`url`."""

    def __init__(self) -> None:
        self.accounts: list[Account] = []
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-sslwireless-http")
        self._failures: list[tuple[int, int | None]] = []
        self._rejected: dict[str, int] = {}
        self._blacklisted = False
        self._start_holding(self.lock)

    # -- lifecycle, holding and dropping requests: HoldingFake

    # -- accounts

    def add_account(self, sids: tuple[str, ...] = ("HAATSHOP",)) -> Account:
        """A new account with a fresh token shaped like SSL's (``1279-<uuid>``)."""
        token = f"{secrets.randbelow(9000) + 1000}-{uuid.uuid4()}"
        account = Account(token, set(sids))
        with self.lock:
            self.accounts.append(account)
        return account

    def messages(self, account: Account) -> list[Message]:
        with self.lock:
            return list(account.messages)

    # -- switches

    def fail_next(self, status: int = 503, *, code: int | None = None,
                  times: int = 1) -> None:
        """The next ``times`` requests fail: with an API ``code`` (JSON, HTTP 200) when
        given, else with HTTP ``status`` (5xx or 429) and an HTML page."""
        assert code in MESSAGES if code is not None else (
            status == 429 or 500 <= status <= 599), (status, code)
        with self.lock:
            self._failures.extend([(status, code)] * times)

    def reject_number(self, msisdn: str, code: int = 4025) -> None:
        """Messages to ``msisdn`` (``8801...``) fail with 4025 or 4026."""
        assert code in (4025, 4026), code
        with self.lock:
            self._rejected[msisdn] = code

    def blacklist_ip(self, blacklisted: bool = True) -> None:
        with self.lock:
            self._blacklisted = blacklisted

    # -- the API

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """``(HTTP status, headers, body)`` for one request."""
        status, kind, data = self.handle(method, path, headers.get("Content-Type", ""), body)
        return status, {"Content-Type": f"{kind}; charset=utf-8"}, data

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        data = json.dumps({"status": "FAILED", "status_code": 5000,
                           "error_message": f"SSL fake bug: {exc!r}"}).encode()
        return 500, {"Content-Type": "application/json; charset=utf-8"}, data

    def handle(self, method: str, path: str, content_type: str,
               body: bytes) -> tuple[int, str, bytes]:
        """``(HTTP status, content type, body)`` for one request."""
        payload: dict[str, Any] = {}
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None and failure[1] is None:
            status = failure[0]
            page = (f"<html><head><title>{status}</title></head><body><center><h1>{status}"
                    f"</h1></center><hr><center>nginx</center></body></html>").encode()
            self._seen(method, path, content_type, payload, status)
            return status, "text/html", page
        try:
            if failure is not None:
                raise ApiError(failure[1])  # type: ignore[arg-type]
            if path != SEND_PATH:
                raise ApiError(4004, http=404)
            payload = self._payload(content_type, body)
            http, answer = 200, self._send(payload)
        except ApiError as exc:
            http, answer = exc.http, exc.body()
        self._seen(method, path, content_type, payload, answer["status_code"])
        return http, "application/json", json.dumps(answer, ensure_ascii=False).encode()

    def _seen(self, method: str, path: str, content_type: str, payload: dict[str, Any],
              code: int) -> None:
        public = {k: v for k, v in payload.items() if k != "api_token"}
        with self.lock:
            self.requests.append(Seen(method, path, content_type, public, code))

    @staticmethod
    def _payload(content_type: str, body: bytes) -> dict[str, Any]:
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise ApiError(4005)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(4005) from None
        if not isinstance(payload, dict):
            raise ApiError(4005)
        return payload

    def _send(self, payload: dict[str, Any]) -> dict[str, Any]:
        values = {name: payload.get(name) for name in REQUIRED}
        if any(not isinstance(v, str) or not v.strip() for v in values.values()):
            raise ApiError(4022)
        with self.lock:
            account = next((a for a in self.accounts
                            if secrets.compare_digest(a.api_token, values["api_token"])), None)
            if account is None:
                raise ApiError(4001)
            if values["sid"] not in account.sids:
                raise ApiError(4002)
            if self._blacklisted:
                raise ApiError(4003)
            if not _CSMS_ID.match(values["csms_id"]):
                raise ApiError(4020)
            number = _MSISDN.match(values["msisdn"])
            if number is None:
                raise ApiError(4025)
            msisdn = f"88{number.group(1)}"
            if msisdn in self._rejected:
                raise ApiError(self._rejected[msisdn])
            now = datetime.now(UTC)
            if account.used(values["csms_id"], now.astimezone(DHAKA).date()):
                raise ApiError(4023)
            message = Message(reference_id=secrets.token_hex(10)[:19], sid=values["sid"],
                              msisdn=msisdn, sms=values["sms"], csms_id=values["csms_id"],
                              sms_type=sms_type(values["sms"]), accepted_at=now)
            account.messages.append(message)
        return {"status": "SUCCESS", "status_code": 200, "error_message": "",
                "smsinfo": [message.info()]}
