"""SMS: how many parts a text takes, and which gateway carries a store's messages.

A text that fits GSM 03.38 goes as 7-bit characters (160 in one SMS, 153 in each part
of a longer one, the extension characters ``{}[]~^|\\€`` counting twice). Anything
else (Bengali, Armenian, emoji) goes as UCS-2: 70 characters in one SMS, 67 in each
part. ``smsutil`` does the counting.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import smsutil
from flask import current_app

from core.pluginhost.runtime import StorePlugins
from core.sdk import Money, SmsGateway, SmsMessage, SmsReceipt, StoreInfo

log = logging.getLogger("haat.messaging.sms")

#: The longest SMS Haat sends: 10 UCS-2 parts (670 characters) is already a letter.
MAX_PARTS = 10


@dataclass(frozen=True)
class SmsSize:
    """How a text travels: ``unicode`` (UCS-2) or not, in ``parts`` SMS parts."""

    unicode: bool
    parts: int
    characters: int

    @property
    def per_part(self) -> int:
        """Characters that fit in each part of this text (one part holds a little more)."""
        if self.parts <= 1:
            return 70 if self.unicode else 160
        return 67 if self.unicode else 153


def sms_size(text: str) -> SmsSize:
    """Count the parts ``text`` takes as an SMS."""
    split = smsutil.split(text)
    unicode = split.encoding != "gsm0338"
    return SmsSize(unicode=unicode, parts=max(1, len(split.parts)), characters=len(text))


@dataclass(frozen=True)
class OutboxGateway:
    """Development's SMS gateway: each message becomes a ``.sms`` text file in the
    outbox folder, next to the ``.eml`` files, so a developer can read what a
    phone-only shopper would get. It sends nothing."""

    folder: Path
    id: str = "outbox"
    label: str = "Outbox folder (development)"

    def send_sms(self, message: SmsMessage) -> SmsReceipt:
        """Write ``message`` atomically to ``<folder>/<timestamp>-<random>.sms``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.folder / f"{stamp}-{secrets.token_hex(4)}.sms"
        encoding = "UCS-2" if message.unicode else "GSM 03.38"
        head = (f"To: {message.to}\nFrom: {message.sender_id or '(gateway default)'}\n"
                f"Reference: {message.reference}\nEncoding: {encoding}\n"
                f"Parts: {message.parts}\n\n")
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(head + message.text + "\n")
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        log.info("sms %s written to %s", message.reference, target)
        return SmsReceipt(provider_id=target.name)


def outbox_folder(config: Any) -> Path:
    """Where development's mail and SMS files go."""
    return Path(config.get("HAAT_OUTBOX_DIR") or Path(config["HAAT_INSTANCE_DIR"]) / "outbox")


def store_gateway(store: StoreInfo, plugins: StorePlugins) -> SmsGateway | None:
    """The gateway that carries ``store``'s SMS: the first one an enabled plugin
    offers (plugins in name order), else the outbox folder when ``HAAT_SMS`` is
    ``outbox``, else ``None`` (the message is logged as not sent)."""
    contributions = sorted(plugins.contribute("haat_sms_gateways"), key=lambda c: c.plugin)
    for contribution in contributions:
        for gateway in contribution.value or ():
            if isinstance(gateway, SmsGateway):
                return gateway
            log.warning("plugin %s offered %r as an SMS gateway; it has no send_sms",
                        contribution.plugin, gateway)
    config = current_app.config
    if str(config.get("HAAT_SMS") or "outbox").strip().lower() == "outbox":
        if config.get("HAAT_ENV") == "production":
            log.warning("store %s has no SMS gateway; HAAT_SMS=outbox writes SMS to %s",
                        store.id, outbox_folder(config))
        return OutboxGateway(outbox_folder(config))
    return None


def part_cost(store: StoreInfo, plugins: StorePlugins) -> Money | None:
    """What one SMS part costs on ``store``'s gateway, when its plugin says
    (``cost_per_part``); ``None`` when it does not."""
    cost = getattr(store_gateway(store, plugins), "cost_per_part", None)
    return cost if isinstance(cost, Money) else None
