"""A store's SSLCommerz settings: the form fields, their checks, and the values at runtime.

The store password is a ``SecretField``: Haat keeps it encrypted, write-only and out of
logs, and :class:`SslcommerzConfig` keeps it out of its ``repr``. Labels, help texts and
the checks' messages are in the merchant's language (the admin's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.sdk import BoolField, SecretField, StoreInfo, TextField

from .texts import _

PLUGIN = "sslcommerz"
#: SSLCommerz signs up merchants registered in Bangladesh only.
COUNTRIES = ("BD",)

SANDBOX_BASE = "https://sandbox.sslcommerz.com"
LIVE_BASE = "https://securepay.sslcommerz.com"

_STORE_ID = re.compile(r"^[A-Za-z0-9_\-]{3,64}$")


def _store_id(value: Any) -> str | None:
    if _STORE_ID.match(str(value)):
        return None
    return _("A store ID is 3 to 64 Latin letters, digits, - or _, exactly as SSLCommerz "
             "sent it in its email.")


def _password(value: Any) -> str | None:
    text = str(value)
    if not text.strip() or any(ch.isspace() for ch in text):
        return _("A store password has no spaces. Paste it exactly as SSLCommerz sent it.")
    return None


SETTINGS = (
    TextField(
        "store_id", _.lazy("Store ID"), max_length=64,
        help=_.lazy("From the email SSLCommerz sends when your store is approved (a "
                    "sandbox store ID for test payments). Payments are offered only once "
                    "it and the store password are set."),
        validators=(_store_id,),
    ),
    SecretField(
        "store_passwd", _.lazy("Store password"), max_length=128,
        help=_.lazy("The API password from the same email (not the password of SSLCommerz's "
                    "merchant panel). Haat keeps it encrypted."),
        validators=(_password,),
    ),
    BoolField(
        "sandbox", _.lazy("Sandbox (test payments)"), default=True,
        help=_.lazy("On: payments go to SSLCommerz's sandbox and no money moves. Turn it "
                    "off with your live store ID and password to take real payments."),
    ),
)


@dataclass(frozen=True)
class SslcommerzConfig:
    """One store's SSLCommerz settings as the plugin uses them."""

    store_id: str = ""
    store_passwd: str = field(default="", repr=False)
    sandbox: bool = True

    @classmethod
    def of(cls, store: StoreInfo) -> SslcommerzConfig:
        """The settings of ``store`` (empty strings for anything not set)."""
        values = store.plugin_settings(PLUGIN)
        sandbox = values.get("sandbox")
        return cls(store_id=str(values.get("store_id") or "").strip(),
                   store_passwd=str(values.get("store_passwd") or "").strip(),
                   sandbox=True if sandbox is None else bool(sandbox))

    @property
    def ready(self) -> bool:
        """True when payments can be taken and checked: store ID and password."""
        return bool(self.store_id and self.store_passwd)

    @property
    def documented_base(self) -> str:
        return SANDBOX_BASE if self.sandbox else LIVE_BASE
