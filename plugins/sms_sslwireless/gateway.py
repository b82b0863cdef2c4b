"""Sending one SMS through SSL Wireless's ISMS Plus API, version 3.

``POST {base}/api/v3/send-sms`` with a JSON body::

    {"api_token": "...", "sid": "DHAKACRAFTS", "msisdn": "8801712345678",
     "sms": "...", "csms_id": "..."}

SSL answers JSON: ``{"status": "SUCCESS", "status_code": 200, "error_message": "",
"smsinfo": [{"sms_status": "SUCCESS", "status_message": "Success", "msisdn": ...,
"sms_type": "EN" or "BN", "sms_body": ..., "csms_id": ..., "reference_id": ...}]}``, or
``{"status": "FAILED", "status_code": 4001, "error_message": "Unauthorized", ...}``.
The ``status_code`` in the body says what happened (4001 bad token, 4002 SID not
permitted, 4003 IP not whitelisted, 4020 invalid csms_id, 4022 missing parameter, 4023
duplicate csms_id, 4025 invalid number, 4026 blocked number, 4027 too long, 4029 too
many requests, 4031 over the TPS limit, 5000 unknown error), so the plugin reads the
body whatever the HTTP status.

Numbers: core hands ``+8801712345678``; SSL takes ``8801712345678`` (it also takes
``01712345678``). Only Bangladeshi mobile numbers are sent; anything else is refused
before calling SSL. Bengali: the body is UTF-8 JSON and SSL detects Unicode itself
(``sms_type: "BN"``); the v3 API has no flag for it.

Retries. ``csms_id`` is the client's own id for the message, and SSL refuses a second
message with a ``csms_id`` already used that day (4023). The plugin derives it from
:attr:`SmsMessage.reference`, the same on every attempt, so a repeated request cannot
text twice: a read timeout or a dropped connection is retried (``retry=True``), and a
4023 on a retry means the earlier attempt went through, so it is answered with a
receipt. (SSL's window is one day: a retry on the next day would not be recognised, so
core's retries of a message should stay within the day.)

``HAAT_SSLWIRELESS_API_BASE`` points the plugin at another API base (the local fake in
tests, or the domain SSL gave an operator); empty means ``https://smsplus.sslwireless.com``.
It is an operator's environment variable, never a merchant setting.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from core.sdk import Money, SmsMessage, SmsNotSent, SmsReceipt

log = logging.getLogger(__name__)

ENV_API_BASE = "HAAT_SSLWIRELESS_API_BASE"
DEFAULT_API_BASE = "https://smsplus.sslwireless.com"
SEND_PATH = "/api/v3/send-sms"
#: Seconds to wait for SSL (to connect, then for its answer).
TIMEOUT = 10.0

#: A Bangladeshi mobile number in E.164: +880 1, an operator digit 3-9, eight digits.
BD_MOBILE = re.compile(r"^\+880(1[3-9]\d{8})$")
#: What SSL takes as ``csms_id``: letters and digits, at most 20.
CSMS_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")

DUPLICATE_CSMS_ID = 4023
#: status_code -> (what the merchant reads, whether trying later can help).
CODES: dict[int, tuple[str, bool]] = {
    4001: ("SSL Wireless did not accept the API token in the SMS settings.", False),
    4002: ("SSL Wireless does not allow this SID to send SMS; check the SID in the SMS "
           "settings.", False),
    4003: ("SSL Wireless refused this server's IP address; ask SSL to whitelist the "
           "platform's IP (your platform operator knows it).", False),
    4004: ("SSL Wireless did not recognise the request address (the operator's "
           "HAAT_SSLWIRELESS_API_BASE may be wrong).", False),
    4005: ("SSL Wireless could not read the request.", False),
    4020: ("SSL Wireless refused the message's reference (csms_id).", False),
    4022: ("SSL Wireless says a required value is missing.", False),
    4025: ("SSL Wireless says {to} is not a valid mobile number.", False),
    4026: ("SSL Wireless has blocked {to} from receiving SMS.", False),
    4027: ("The message is longer than SSL Wireless allows.", False),
    4028: ("SSL Wireless refused the message text.", False),
    4029: ("SSL Wireless is limiting how many requests you send; Haat will try again.",
           True),
    4030: ("SSL Wireless refused the number of recipients.", False),
    4031: ("SSL Wireless is limiting messages per second; Haat will try again.", True),
    5000: ("SSL Wireless had an unexpected error; Haat will try again.", True),
}


def api_base() -> str:
    return os.environ.get(ENV_API_BASE, "").strip().rstrip("/") or DEFAULT_API_BASE


def msisdn(to: str) -> str | None:
    """``+8801712345678`` as SSL writes it (``8801712345678``); ``None`` when ``to`` is
    not a Bangladeshi mobile number."""
    match = BD_MOBILE.match(to.strip())
    return f"880{match.group(1)}" if match else None


def csms_id(reference: str) -> str:
    """SSL's client reference for the message: the same on every attempt.

    ``reference`` itself when SSL takes it as it is, else ``haat`` and 16 hex digits of
    its SHA-256 (Haat's references, ``haat-<store>-<message>``, have hyphens)."""
    if CSMS_ID.match(reference):
        return reference
    return "haat" + hashlib.sha256(reference.encode()).hexdigest()[:16]


def never_connected(exc: requests.ConnectionError) -> bool:
    """True when the request certainly never reached SSL (refused, unknown host,
    connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


@dataclass(frozen=True)
class SslWirelessGateway:
    """One store's SSL Wireless account, built for one call from that store's settings."""

    api_token: str = field(repr=False)
    sid: str
    cost_per_part: Money | None = None
    id: str = "sslwireless"
    label: str = "SSL Wireless"
    timeout: float = TIMEOUT

    @property
    def sender_id(self) -> str:
        """The SID: SSL ties the sender shoppers see (masking or number) to it."""
        return self.sid

    def send_sms(self, message: SmsMessage) -> SmsReceipt:
        number = msisdn(message.to)
        if number is None:
            raise self._fail(message, f"SSL Wireless sends only to Bangladeshi mobile "
                             f"numbers (+8801...); {message.to} is not one.", retry=False,
                             detail="not a BD mobile number")
        # The SID is the account's sender: SSL allows only the SIDs it assigned to this
        # token (4002 otherwise), so a free-form sender name from core is not used here.
        payload = {"api_token": self.api_token, "sid": self.sid, "msisdn": number,
                   "sms": message.text, "csms_id": csms_id(message.reference)}
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            response = requests.post(f"{api_base()}{SEND_PATH}", data=data,
                                     headers={"Content-Type": "application/json",
                                              "Accept": "application/json"},
                                     timeout=self.timeout)
        except requests.ConnectionError as exc:
            if never_connected(exc):
                reason = "Could not reach SSL Wireless; Haat will try again."
            else:
                reason = ("The connection to SSL Wireless broke; Haat will try again (SSL "
                          "will not send the same message twice).")
            raise self._fail(message, reason, retry=True,
                             detail=type(exc).__name__) from None
        except requests.Timeout as exc:
            # SSL de-duplicates by csms_id, so asking again cannot text twice.
            raise self._fail(message, f"SSL Wireless did not answer within "
                             f"{self.timeout:g} seconds; Haat will try again (SSL will not "
                             "send the same message twice).", retry=True,
                             detail=type(exc).__name__) from None
        except requests.RequestException as exc:
            raise self._fail(message, "Could not send the request to SSL Wireless.",
                             retry=False, detail=type(exc).__name__) from None
        return self._receipt(message, response)

    def _receipt(self, message: SmsMessage, response: requests.Response) -> SmsReceipt:
        http = response.status_code
        body = _json(response)
        code = _int(body.get("status_code"))
        detail = f"http={http} status_code={code}"
        if code is None:
            if http == 429 or http >= 500:
                raise self._fail(message, f"SSL Wireless had a server error (HTTP {http}); "
                                 "Haat will try again.", retry=True, detail=detail)
            raise self._fail(message, f"SSL Wireless gave an answer Haat does not "
                             f"understand (HTTP {http}).", retry=False, detail=detail)
        info = _first_info(body)
        if code == 200 and str(body.get("status", "")).upper() == "SUCCESS":
            sms_status = str(info.get("sms_status") or "SUCCESS")
            if sms_status.upper() != "SUCCESS":
                said = str(info.get("status_message") or sms_status)[:200]
                raise self._fail(message, f"SSL Wireless did not send the message: {said}.",
                                 retry=False, detail=f"{detail} sms_status={sms_status}")
            provider_id = str(info.get("reference_id") or "")
            log.info("sslwireless: message %s accepted as %s", message.reference,
                     provider_id or "(no reference)")
            return SmsReceipt(provider_id=provider_id)
        if code == DUPLICATE_CSMS_ID:
            # An earlier attempt with this csms_id (the same Haat message) was accepted
            # today and its answer was lost: the message is on its way already.
            log.info("sslwireless: message %s was accepted by an earlier attempt",
                     message.reference)
            return SmsReceipt(provider_id=str(info.get("reference_id") or ""))
        if code in CODES:
            reason, retry = CODES[code]
            raise self._fail(message, f"{reason.format(to=message.to)} (code {code})",
                             retry=retry, detail=detail)
        said = str(body.get("error_message") or "").strip()[:200]
        retry = code >= 5000 or http == 429 or http >= 500
        raise self._fail(message, f"SSL Wireless refused the message (code {code})"
                         + (f": {said}" if said else "."), retry=retry, detail=detail)

    def _fail(self, message: SmsMessage, reason: str, *, retry: bool,
              detail: str) -> SmsNotSent:
        if self.api_token:
            reason = reason.replace(self.api_token, "••••")
        log.warning("sslwireless: message %s not sent (%s, retry=%s)", message.reference,
                    detail, retry)
        return SmsNotSent(reason, retry=retry)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _first_info(body: dict[str, Any]) -> dict[str, Any]:
    info = body.get("smsinfo")
    if isinstance(info, list) and info and isinstance(info[0], dict):
        return info[0]
    return {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
