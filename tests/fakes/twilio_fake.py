"""A FAKE of Twilio's Programmable Messaging REST API, for tests. THIS IS NOT TWILIO.

Nothing here talks to Twilio or sends a text. This module answers the one request that
``plugins/sms_twilio`` makes, creating a Message, the way Twilio's API reference and
error dictionary (https://www.twilio.com/docs/errors) say it behaves, so the plugin's
requests, its reading of answers and its failure handling can be tested offline. Point
the plugin at :attr:`FakeTwilio.url` through ``HAAT_TWILIO_API_BASE``.

What it keeps from Twilio
-------------------------
* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded UTF-8, with
  ``To``, ``Body`` and ``From`` or ``MessagingServiceSid``. Success is ``201`` with the
  Message resource as Twilio writes it (``sid`` ``SM`` + 32 hex, ``status`` ``queued``,
  or ``accepted`` with a Messaging Service and ``from: null``, ``num_segments`` as a
  string, RFC 2822 dates, ``uri``, ``subresource_uris``, ``price: null``).
* HTTP Basic auth per account: user = Account SID, password = Auth Token. Missing or
  wrong credentials, or credentials of another account than the one in the path: ``401``
  with error ``20003`` ("Authenticate") and a ``WWW-Authenticate`` header.
* Twilio's error body ``{"code", "message", "more_info", "status"}`` with its codes:
  21604/21211 (``To`` missing or not E.164), 21602/21617 (``Body`` missing or over 1600
  characters), 21603 (no sender), 21212 (``From`` not a number or sender name), 21606
  (``From`` not one of the account's numbers), 21705 (unknown Messaging Service),
  20404 (any other path), 20429 (``429``) and 20500 (``5xx``).
* Per-account storage: every created Message is kept on its :class:`Account`
  (``account.messages``), with the exact ``To``/``From``/``Body`` received, so tests
  read what was "sent". Bengali and other text outside GSM 03.38 is counted as UCS-2
  (70 characters in one segment, 67 per part after that), as Twilio does without any
  flag; GSM text is 160/153, extension characters counting twice.

Test-only switches
------------------
* :meth:`FakeTwilio.fail_next` (``status=500``/``503``/``429``, ``times``): the next
  requests fail with that status and Twilio's body, before auth is checked.
* :meth:`FakeTwilio.reject_number` (``code`` 21211, 21408, 21610, 21608, 21614...):
  messages to that number fail with that error and Twilio's wording.
* :meth:`FakeTwilio.hang`: requests wait unanswered (clients time out) until
  :meth:`FakeTwilio.release`; they are then processed, so a message whose answer the
  client never saw IS created, as on the real service.
* :meth:`FakeTwilio.drop_next`: the next request is processed (the message is created)
  and the connection is closed without an answer.
* :meth:`FakeTwilio.go_down` / :meth:`FakeTwilio.come_back`: stop accepting
  connections (clients get "connection refused") and listen again on the same port.

Where it stops (limits)
-----------------------
* Only message creation: no fetching, listing, media (MMS), scheduling, status
  callbacks, delivery, prices, API keys (``SK...``), subaccounts, or geo permissions
  (use :meth:`reject_number` with 21408). Unknown form parameters are ignored.
* Sender rules are simplified: ``From`` must be one of the account's numbers, or any
  alphanumeric sender name when the account allows them (no per-country rules).
* No rate limit of its own, no queue overflow (21611), no trial-account behaviour
  except through :meth:`reject_number`. One process, memory only.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from .http import HoldingFake, LocalServer

API_VERSION = "2010-04-01"
MORE_INFO = "https://www.twilio.com/docs/errors/"
MAX_BODY = 1600
#: A number the fake's accounts own by default: Twilio's magic "valid From" test number.
DEFAULT_NUMBER = "+15005550006"

_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
_MG = re.compile(r"^MG[0-9a-f]{32}$")

#: GSM 03.38 basic character set and its extension table (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

#: How Twilio words the errors :meth:`FakeTwilio.reject_number` can produce.
NUMBER_ERRORS = {
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated "
                 "by the 'To' number: {to}."),
    21608: (400, "The number {to} is unverified. Trial accounts cannot send messages to "
                 "unverified numbers; verify {to} at twilio.com/user/account/phone-numbers/"
                 "verified, or purchase a Twilio number to send messages to unverified "
                 "numbers."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (400, "The 'To' phone number: {to}, is not currently reachable using the 'From' "
                 "phone number via SMS."),
    21614: (400, "'To' number {to} is not a valid mobile number"),
}


class ApiError(Exception):
    """An error answer in Twilio's format."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message,
                "more_info": f"{MORE_INFO}{self.code}", "status": self.status}


def encoding_of(text: str) -> str:
    """``"GSM"`` when every character is in GSM 03.38, else ``"UCS-2"``."""
    return "GSM" if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else "UCS-2"


def segments(text: str) -> int:
    """How many SMS parts Twilio bills for ``text``."""
    if encoding_of(text) == "GSM":
        septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def _now() -> str:
    return datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


@dataclass
class Message:
    """A Message the fake created: exactly what the client sent, and Twilio's answer."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status: str
    num_segments: int
    encoding: str
    params: dict[str, str]

    def resource(self) -> dict[str, Any]:
        now = _now()
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid, "api_version": API_VERSION, "body": self.body,
            "date_created": now, "date_sent": None, "date_updated": now,
            "direction": "outbound-api", "error_code": None, "error_message": None,
            "from": self.from_, "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0", "num_segments": str(self.num_segments), "price": None,
            "price_unit": "USD", "sid": self.sid, "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json"}, "to": self.to,
            "uri": f"{uri}.json",
        }


@dataclass
class Account:
    """One Twilio account: its credentials, senders and the messages it "sent"."""

    sid: str
    auth_token: str
    numbers: set[str] = field(default_factory=lambda: {DEFAULT_NUMBER})
    messaging_services: set[str] = field(default_factory=set)
    alphanumeric: bool = True
    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    """One request the fake received (``username`` is the Basic auth user, never the
    password)."""

    method: str
    path: str
    username: str
    params: dict[str, str]
    status: int


class FakeTwilio(HoldingFake):
    """The fake server. ``start()`` it (or use it as a context manager), add accounts
    with :meth:`add_account`, and set ``HAAT_TWILIO_API_BASE`` to :attr:`url`."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.requests: list[Seen] = []
        self.lock = threading.RLock()
        self._http = LocalServer("fake-twilio-http")
        self._failures: list[int] = []
        self._rejected: dict[str, int] = {}
        self._start_holding(self.lock)

    # -- lifecycle, holding and dropping requests: HoldingFake

    # -- accounts and what they sent

    def add_account(self, *, numbers: tuple[str, ...] = (DEFAULT_NUMBER,),
                    messaging_service: bool = False, alphanumeric: bool = True) -> Account:
        """A new account with fresh credentials (``AC``/32 hex, 32 hex token)."""
        account = Account(f"AC{secrets.token_hex(16)}", secrets.token_hex(16),
                          set(numbers), alphanumeric=alphanumeric)
        if messaging_service:
            account.messaging_services.add(f"MG{secrets.token_hex(16)}")
        with self.lock:
            self.accounts[account.sid] = account
        return account

    def messages(self, account: Account | str) -> list[Message]:
        sid = account if isinstance(account, str) else account.sid
        with self.lock:
            return list(self.accounts[sid].messages)

    # -- switches

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        """The next ``times`` requests answer ``status`` (5xx or 429) in Twilio's format."""
        assert status == 429 or 500 <= status <= 599, status
        with self.lock:
            self._failures.extend([status] * times)

    def reject_number(self, number: str, code: int = 21211) -> None:
        """Messages to ``number`` fail with Twilio error ``code`` (see NUMBER_ERRORS)."""
        assert code in NUMBER_ERRORS, code
        with self.lock:
            self._rejected[number] = code

    # -- the API

    def answer(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """``(HTTP status, headers, body)`` for one request, as Twilio sends them."""
        status, payload, extra = self.handle(method, path, headers, body)
        return status, self._headers(extra), json.dumps(payload).encode()

    def bug_answer(self, exc: Exception) -> tuple[int, dict[str, str], bytes]:
        payload = ApiError(500, 20500, f"Twilio fake bug: {exc!r}").body()
        return 500, self._headers({}), json.dumps(payload).encode()

    @staticmethod
    def _headers(extra: dict[str, str]) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8",
                "Twilio-Request-Id": f"RQ{secrets.token_hex(16)}", **extra}

    def handle(self, method: str, path: str, headers: Any,
               body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)) \
            if method == "POST" else {}
        username, password = _basic(headers.get("Authorization", ""))
        try:
            status, payload = self._route(method, path, username, password, params)
            extra: dict[str, str] = {}
        except ApiError as exc:
            status, payload = exc.status, exc.body()
            extra = ({"WWW-Authenticate": 'Basic realm="Twilio API"'}
                     if exc.code == 20003 else {})
        with self.lock:
            self.requests.append(Seen(method, path, username, params, status))
        return status, payload, extra

    def _route(self, method: str, path: str, username: str, password: str,
               params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure == 429:
            raise ApiError(429, 20429, "Too Many Requests")
        if failure is not None:
            raise ApiError(failure, 20500, "An internal server error has occurred")
        match = _PATH.match(path)
        if method != "POST" or match is None:
            raise ApiError(404, 20404, f"The requested resource {path} was not found")
        with self.lock:
            account = self.accounts.get(username)
            if (account is None or not secrets.compare_digest(account.auth_token, password)
                    or match.group(1) != account.sid):
                raise ApiError(401, 20003, "Authenticate")
            return 201, self._create(account, params).resource()

    def _create(self, account: Account, params: dict[str, str]) -> Message:
        to = params.get("To", "").strip()
        if not to:
            raise ApiError(400, 21604, "A 'To' phone number is required.")
        if not _E164.match(to):
            raise ApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self._rejected:
            code = self._rejected[to]
            status, words = NUMBER_ERRORS[code]
            raise ApiError(status, code, words.format(to=to))
        text = params.get("Body", "")
        if not text:
            raise ApiError(400, 21602, "Message body is required.")
        if len(text) > MAX_BODY:
            raise ApiError(400, 21617, "The concatenated message body exceeds the 1600 "
                                       "character limit.")
        sender = params.get("From", "").strip() or None
        service = params.get("MessagingServiceSid", "").strip() or None
        if sender is None and service is None:
            raise ApiError(400, 21603, "A 'From' phone number is required.")
        if service is not None and service not in account.messaging_services:
            raise ApiError(400, 21705, f"The Messaging Service Sid {service} is invalid.")
        if sender is not None:
            if _E164.match(sender):
                if sender not in account.numbers:
                    raise ApiError(400, 21606, f"The 'From' phone number provided ({sender}) "
                                   "is not a valid message-capable Twilio phone number for "
                                   "this destination.")
            elif not (_ALPHANUMERIC.match(sender) and account.alphanumeric):
                raise ApiError(400, 21212, f"The 'From' number {sender} is not a valid phone "
                               "number, shortcode, or alphanumeric sender ID.")
        message = Message(
            sid=f"SM{secrets.token_hex(16)}", account_sid=account.sid, to=to, from_=sender,
            messaging_service_sid=service, body=text,
            status="queued" if sender is not None else "accepted",
            num_segments=segments(text), encoding=encoding_of(text), params=dict(params))
        account.messages.append(message)
        return message



def _basic(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return user, password
