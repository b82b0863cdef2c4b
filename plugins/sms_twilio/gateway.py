"""Sending one SMS through Twilio's Programmable Messaging REST API.

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth
(Account SID and Auth Token) and the form fields ``To``, ``Body`` and either ``From`` or
``MessagingServiceSid``. Twilio answers ``201`` with the Message resource (``sid``
``SM...``, ``status`` ``queued``, or ``accepted`` through a Messaging Service); errors
come as ``{"code", "message", "more_info", "status"}``
(https://www.twilio.com/docs/errors).

``HAAT_TWILIO_API_BASE`` points the plugin at another API base, for tests against the
local fake; it is an operator's environment variable, never a merchant setting, and
empty means the real Twilio. It is read on every call.

Retries. Core retries a message whose ``SmsNotSent`` says ``retry=True``. Twilio has
no idempotency key for creating a Message: a repeated ``POST`` is a second SMS, billed
and delivered twice. So only failures where Twilio certainly did not take the message
are retryable: ``429``, ``5xx`` and a connection that was never made (refused, DNS,
connect timeout). A read timeout, or a connection dropped after the request went out,
is ambiguous (Twilio may have queued the message) and gives ``retry=False``; the
merchant checks Twilio's own log (Haat has no resend button yet).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from core.sdk import Money, SmsMessage, SmsNotSent, SmsReceipt

from .config import MESSAGING_SERVICE_SID

log = logging.getLogger(__name__)

ENV_API_BASE = "HAAT_TWILIO_API_BASE"
DEFAULT_API_BASE = "https://api.twilio.com"
#: Seconds to wait for Twilio (to connect, then for its answer). Messages are sent from
#: background jobs, so this is generous; tests make it short per gateway.
TIMEOUT = 10.0

#: Twilio error codes whose cause is the recipient: sending again will not help.
NUMBER_ERRORS = {
    21211: "is not a valid phone number",
    21614: "is not a mobile number",
    21612: "cannot be reached by SMS from this sender",
    21604: "is missing",
    21265: "is a short code, which cannot receive this message",
}
#: Other codes with a merchant-facing explanation (all final, except 21611).
EXPLAINED = {
    20003: "Twilio did not accept the Account SID and Auth Token in the SMS settings.",
    20404: "Twilio does not know the Account SID in the SMS settings.",
    21408: ("SMS to this country is not enabled in your Twilio account (Messaging → "
            "Settings → Geo permissions)."),
    21610: "The shopper has replied STOP to your Twilio sender, so Twilio will not text them.",
    21608: ("Your Twilio trial account can only text numbers you have verified in Twilio's "
            "console."),
    21606: "The 'Send from' number cannot send SMS to this number on your Twilio account.",
    21212: "The 'Send from' setting is not a valid Twilio phone number or sender name.",
    21603: "The 'Send from' setting is missing.",
    21705: "Twilio does not know the Messaging Service SID in the SMS settings.",
    21703: "Your Twilio Messaging Service has no sender that can send this message.",
    21602: "The message is empty.",
    21617: "The message is longer than Twilio's limit of 1600 characters.",
    21611: "Your Twilio sender has too many messages queued; Haat will try again.",
}
#: Codes that may pass by themselves: the message was not taken, and trying later is safe.
RETRYABLE_CODES = frozenset({20429, 21611})


def api_base() -> str:
    return os.environ.get(ENV_API_BASE, "").strip().rstrip("/") or DEFAULT_API_BASE


def never_connected(exc: requests.ConnectionError) -> bool:
    """True when the request certainly never reached the server (refused, unknown host,
    connect timeout), False for a connection lost after the request was sent."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


@dataclass(frozen=True)
class TwilioGateway:
    """One store's Twilio account, built for one call from that store's settings."""

    account_sid: str
    auth_token: str = field(repr=False)
    #: ``+E.164`` number, ``MG...`` Messaging Service SID, or alphanumeric sender name.
    sender: str
    cost_per_part: Money | None = None
    id: str = "twilio"
    label: str = "Twilio"
    timeout: float = TIMEOUT

    @property
    def sender_id(self) -> str:
        """The sender shoppers see; ``""`` when a Messaging Service picks it."""
        return "" if MESSAGING_SERVICE_SID.match(self.sender) else self.sender

    # -- sending

    def send_sms(self, message: SmsMessage) -> SmsReceipt:
        url = f"{api_base()}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": message.to, "Body": message.text}
        if message.sender_id:
            form["From"] = message.sender_id
        elif MESSAGING_SERVICE_SID.match(self.sender):
            form["MessagingServiceSid"] = self.sender
        else:
            form["From"] = self.sender
        try:
            # Body text is sent as UTF-8; Twilio picks GSM-7 or UCS-2 itself, so Bengali
            # needs no flag (it is billed per 70/67-character UCS-2 segment).
            response = requests.post(url, data=form, auth=(self.account_sid, self.auth_token),
                                     headers={"Accept": "application/json"},
                                     timeout=self.timeout)
        except requests.ConnectionError as exc:
            if never_connected(exc):
                raise self._fail(message, "Could not reach Twilio; Haat will try again.",
                                 retry=True, detail=type(exc).__name__) from None
            raise self._fail(message, "The connection to Twilio broke after the message was "
                             "sent, so Twilio may have taken it. Not retried, so the "
                             "shopper is not texted twice; check Twilio's message log "
                             "to see whether it arrived.", retry=False,
                             detail=type(exc).__name__) from None
        except requests.Timeout as exc:
            # Ambiguous: Twilio may have queued the message, and it has no idempotency
            # key for Message creation, so a retry could text (and bill) twice.
            raise self._fail(message, f"Twilio did not answer within {self.timeout:g} "
                             "seconds, so it may or may not have taken the message. Not "
                             "retried, so the shopper is not texted twice; check Twilio's "
                             "message log to see whether it arrived.", retry=False,
                             detail=type(exc).__name__) from None
        except requests.RequestException as exc:
            raise self._fail(message, "Could not send the request to Twilio.", retry=False,
                             detail=type(exc).__name__) from None
        return self._receipt(message, response)

    def _receipt(self, message: SmsMessage, response: requests.Response) -> SmsReceipt:
        body = _json(response)
        if response.status_code in (200, 201) and body.get("sid"):
            status = str(body.get("status") or "")
            if status in ("failed", "undelivered", "canceled"):
                raise self._fail(message, f"Twilio reports the message as {status} "
                                 f"(error {body.get('error_code')}).", retry=False,
                                 detail=f"status={status}")
            log.info("twilio: message %s accepted as %s (%s)", message.reference,
                     body["sid"], status)
            return SmsReceipt(provider_id=str(body["sid"]),
                              status="delivered" if status == "delivered" else "sent")
        code = _int(body.get("code"))
        http = response.status_code
        detail = f"http={http} code={code}"
        if http == 401 or code == 20003:
            raise self._fail(message, EXPLAINED[20003], retry=False, detail=detail)
        if http == 429 or code in RETRYABLE_CODES:
            reason = (EXPLAINED[21611] if code == 21611
                      else "Twilio is limiting how fast you send; Haat will try again.")
            raise self._fail(message, reason, retry=True, detail=detail)
        if http >= 500:
            raise self._fail(message, f"Twilio had a server error ({http}); Haat will try "
                             "again.", retry=True, detail=detail)
        if code in NUMBER_ERRORS:
            raise self._fail(message, f"Twilio cannot text {message.to}: the number "
                             f"{NUMBER_ERRORS[code]} (error {code}).", retry=False,
                             detail=detail)
        if code in EXPLAINED:
            raise self._fail(message, f"{EXPLAINED[code]} (error {code})", retry=False,
                             detail=detail)
        said = str(body.get("message") or "").strip()[:200]
        reason = f"Twilio refused the message (HTTP {http}"
        reason += f", error {code})" if code else ")"
        raise self._fail(message, f"{reason}: {said}" if said else f"{reason}.", retry=False,
                         detail=detail)

    def _fail(self, message: SmsMessage, reason: str, *, retry: bool,
              detail: str) -> SmsNotSent:
        reason = self._scrub(reason)
        log.warning("twilio: message %s not sent (%s, retry=%s)", message.reference,
                    detail, retry)
        return SmsNotSent(reason, retry=retry)

    def _scrub(self, text: str) -> str:
        """``text`` without the Auth Token, should any answer ever quote it."""
        return text.replace(self.auth_token, "••••") if self.auth_token else text


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
