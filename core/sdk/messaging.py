"""Messaging contract: what an SMS gateway plugin receives, returns and raises.

Core owns the messages (templates, the shopper's language, who gets what, the log on
the customer's record, retries). A gateway plugin only carries one finished text to
one phone number: core calls :meth:`SmsGateway.send_sms` from a background job, at most
once per attempt, and reads the outcome from what it returns or raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["MESSAGE_CHANNELS", "SmsGateway", "SmsMessage", "SmsNotSent", "SmsReceipt"]

#: The channels a message can go by: core's own email, and SMS through a gateway plugin.
MESSAGE_CHANNELS: tuple[str, ...] = ("email", "sms")


@dataclass(frozen=True)
class SmsMessage:
    """One text message to one phone, ready to hand to a gateway."""

    #: The shopper's number in E.164 form (``"+8801712345678"``), already normalised
    #: by core from however it was typed.
    to: str
    #: The finished message, rendered in the shopper's language. Send it as it is;
    #: core has already counted its parts.
    text: str
    #: True when ``text`` needs UCS-2 (Bengali, Armenian, emoji): 70 characters fit in
    #: one SMS and 67 in each part of a longer one. False means GSM 03.38 (160, then
    #: 153 per part). Send it the way your gateway's API asks for Unicode text.
    unicode: bool
    #: How many SMS parts ``text`` takes in that encoding (at least 1).
    parts: int
    #: Haat's own id for this message, unique across all stores
    #: (``"haat-<store id>-<message id>"``). Pass it to gateways that accept a client
    #: reference or idempotency key, so that a repeated request is not sent twice.
    reference: str
    #: The sender name or number this gateway account sends from (its ``sender_id``
    #: attribute), or ``""`` to let the gateway use the account's default.
    sender_id: str = ""


@dataclass(frozen=True)
class SmsReceipt:
    """What a gateway answers when it has accepted a message."""

    #: The gateway's own id for the message (shown in the message log, used to match
    #: delivery reports); ``""`` when the gateway gives none.
    provider_id: str = ""
    #: ``"sent"`` when the gateway has accepted it for delivery (the usual answer), or
    #: ``"delivered"`` when it already knows that the phone received it. Core logs
    #: the message as sent either way; it does not read delivery reports yet.
    status: str = "sent"


class SmsNotSent(Exception):
    """Raised by :meth:`SmsGateway.send_sms` when the gateway did not take the message.

    ``reason`` is shown to the merchant in the message log, so keep it short and never
    put credentials in it. ``retry`` says whether trying again later can help:

    * ``True``: the message was certainly not accepted, and the cause may pass (the
      gateway answered 5xx or 429, the connection was refused, the balance ran out).
      Core tries again later, a few times.
    * ``False``: it will not get better by itself (a number the gateway rejects, wrong
      credentials, a text the gateway refuses). Core marks the message failed.

    A read timeout is ambiguous: the gateway may have accepted the message. Raise with
    ``retry=True`` only if the gateway de-duplicates by :attr:`SmsMessage.reference`;
    otherwise raise with ``retry=False``, because a shopper charged twice for nothing
    (or woken twice) is worse than one message that does not arrive. Any other
    exception is treated like ``retry=False`` and logged.
    """

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@runtime_checkable
class SmsGateway(Protocol):
    """An SMS gateway account, offered by a plugin for one store.

    Required: ``id`` (unique among gateways, e.g. ``"twilio"``), ``label`` (shown to
    the merchant) and :meth:`send_sms`. Optional attributes core reads when present:

    * ``cost_per_part`` (:class:`~core.money.Money` or ``None``): what one SMS part
      costs the merchant on their plan, for the estimate shown next to each SMS in the
      customer's message log and in the message editor's preview. ``None`` (or absent)
      shows no estimate.
    * ``sender_id`` (str): the sender name or number this account sends from; core
      puts it into :attr:`SmsMessage.sender_id`.
    """

    #: The gateway's id (``"twilio"``); each message keeps it as its provider.
    id: str
    #: The gateway as the merchant knows it (``"Twilio"``).
    label: str

    def send_sms(self, message: SmsMessage) -> SmsReceipt:
        """Hand ``message`` to the gateway and return its receipt.

        Called from a background job, never during a web request. Raise
        :class:`SmsNotSent` when the gateway refuses or cannot be reached. Use a
        timeout on every network call (10 seconds is plenty).
        """
        ...

