"""Sending email: an outbox folder of ``.eml`` files (development) or SMTP.

``send_mail(message)`` hands a finished :class:`email.message.EmailMessage` to the
mailer ``HAAT_MAIL`` names:

* ``outbox`` (default): each message becomes ``<HAAT_OUTBOX_DIR>/<timestamp>-<random>.eml``
  (default folder ``<instance dir>/outbox``), written to a temporary file and renamed,
  so a reader never sees half a message.
* ``smtp``: sent through ``HAAT_SMTP_URL``: ``smtp://user:password@host:587`` upgrades
  with STARTTLS (refusing a server that does not offer it), ``smtps://...:465`` speaks
  TLS from the start. Certificates are verified; ``HAAT_SMTP_TIMEOUT`` bounds each step.

A base module: it imports nothing from the project, and never logs a password.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app

__all__ = [
    "MailConfigError",
    "MailRejected",
    "Mailer",
    "OutboxMailer",
    "SmtpMailer",
    "build_message",
    "mailer_from_config",
    "send_mail",
    "sender_address",
]

log = logging.getLogger("haat.mail")

_SMTP_PORTS = {"smtp": 587, "smtps": 465}
_URL_HELP = ("HAAT_SMTP_URL must look like smtp://user:password@host:587 (STARTTLS) or "
             "smtps://user:password@host:465 (TLS from the start).")


class MailConfigError(ValueError):
    """The mail settings are missing or malformed (the message says which)."""


class MailRejected(Exception):
    """The server refused this message for good (e.g. an unknown recipient, 5xx).

    Sending it again will not help; other failures (a server that is down, a
    timeout) raise their own errors so that the caller can retry.
    """


class Mailer(Protocol):
    """Something that delivers a finished message."""

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` or raise."""


@dataclass(frozen=True)
class OutboxMailer:
    """Writes each message to ``folder`` as an ``.eml`` file (development)."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` atomically to ``<folder>/<timestamp>-<random>.eml``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        log.info("mail %s written to %s", message["Message-ID"], target)


@dataclass(frozen=True)
class SmtpMailer:
    """Sends through an SMTP server over TLS (STARTTLS or implicit)."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    implicit_tls: bool = False
    timeout: float = 20

    @classmethod
    def from_url(cls, url: str, timeout: float = 20) -> SmtpMailer:
        """Parse ``smtp://user:password@host:587`` or ``smtps://...``; user and
        password may be percent-encoded (``p%40ss`` for ``p@ss``)."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:  # a bad port; the URL (with its password) stays out of the message
            raise MailConfigError(_URL_HELP) from None
        if parts.scheme not in _SMTP_PORTS or not parts.hostname:
            raise MailConfigError(_URL_HELP)
        return cls(host=parts.hostname, port=port or _SMTP_PORTS[parts.scheme],
                   username=unquote(parts.username or ""),
                   password=unquote(parts.password or ""),
                   implicit_tls=parts.scheme == "smtps", timeout=timeout)

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; raise :class:`MailRejected` when the server refuses it
        for good, and let connection errors and temporary refusals propagate."""
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port,
                                                   timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if not self.implicit_tls:
                client.starttls(context=context)  # never send credentials in the clear
            if self.username:
                client.login(self.username, self.password)
            try:
                client.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                raise MailRejected(_refusal(exc.recipients)) from None
            except smtplib.SMTPDataError as exc:
                if 500 <= exc.smtp_code < 600:
                    raise MailRejected(_reply(exc.smtp_code, exc.smtp_error)) from None
                raise
        log.info("mail %s sent via %s:%s", message["Message-ID"], self.host, self.port)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _refusal(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address}: {_reply(*reply)}" for address, reply in recipients.items())


def mailer_from_config(config: Mapping[str, Any]) -> Mailer:
    """The mailer ``HAAT_MAIL`` asks for, or :class:`MailConfigError`."""
    kind = str(config.get("HAAT_MAIL") or "outbox").strip().lower()
    if kind == "outbox":
        folder = config.get("HAAT_OUTBOX_DIR") or Path(config["HAAT_INSTANCE_DIR"]) / "outbox"
        return OutboxMailer(Path(folder))
    if kind == "smtp":
        url = str(config.get("HAAT_SMTP_URL") or "")
        if not url:
            raise MailConfigError("HAAT_MAIL=smtp needs HAAT_SMTP_URL. " + _URL_HELP)
        return SmtpMailer.from_url(url, timeout=float(config.get("HAAT_SMTP_TIMEOUT") or 20))
    raise MailConfigError(f"HAAT_MAIL must be 'outbox' or 'smtp', not {kind!r}.")


def send_mail(message: EmailMessage) -> None:
    """Deliver ``message`` with the mailer the app's configuration names."""
    config = current_app.config
    mailer = mailer_from_config(config)
    if isinstance(mailer, OutboxMailer) and config.get("HAAT_ENV") == "production":
        log.warning("HAAT_MAIL=outbox in production: mail is written to %s, not sent",
                    mailer.folder)
    mailer.send(message)


def sender_address(display_name: str, config: Mapping[str, Any] | None = None) -> Address:
    """``HAAT_MAIL_FROM``'s address shown as ``display_name`` (a store's name):
    ``Dhaka Crafts <no-reply@haat.example>``."""
    raw = str((config if config is not None else current_app.config).get("HAAT_MAIL_FROM")
              or "Haat <no-reply@localhost>")
    try:
        addresses = default_policy.header_factory("From", raw).addresses
    except (ValueError, IndexError):
        addresses = ()
    if len(addresses) != 1 or not addresses[0].domain:
        raise MailConfigError(
            f"HAAT_MAIL_FROM must be one address like 'Haat <no-reply@example.com>', not {raw!r}.")
    found = addresses[0]
    name = " ".join(display_name.split()) or found.display_name
    return Address(display_name=name, username=found.username, domain=found.domain)


def build_message(*, subject: str, sender: Address, to: Address, text: str,
                  html: str | None = None, reply_to: Address | None = None) -> EmailMessage:
    """A message with a plain-text body and, when given, an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())  # a header is one line
    message["From"] = sender
    message["To"] = to
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message
