"""A store's bKash settings: the form fields and the values at runtime.

bKash gives each merchant four credentials for the Tokenized Checkout API: a username
and password (sent as headers of the token call), and an app key and app secret. The
password and the app secret are ``SecretField``s (encrypted at rest, write-only, never
logged); :class:`BkashConfig` keeps them out of its ``repr`` too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from core.sdk import BoolField, SecretField, StoreInfo, TextField

from .texts import _

PLUGIN = "bkash"
ENV_API_BASE = "HAAT_BKASH_API_BASE"
#: bKash's documented bases (developer.bka.sh, Tokenized Checkout).
SANDBOX_BASE = "https://tokenized.sandbox.bka.sh"
LIVE_BASE = "https://tokenized.pay.bka.sh"

SETTINGS = (
    TextField(
        "username", _.lazy("Username"), max_length=200,
        help=_.lazy("The API username bKash sent you for Tokenized Checkout."),
    ),
    SecretField(
        "password", _.lazy("Password"), max_length=200,
        help=_.lazy("The API password that came with the username."),
    ),
    TextField(
        "app_key", _.lazy("App key"), max_length=200,
        help=_.lazy("The app key of your Tokenized Checkout merchant account."),
    ),
    SecretField(
        "app_secret", _.lazy("App secret"), max_length=300,
        help=_.lazy("The app secret that came with the app key. bKash payments are "
                    "offered only once all four credentials are set."),
    ),
    BoolField(
        "sandbox", _.lazy("Sandbox (test payments)"), default=True,
        help=_.lazy("Leave this on while you try bKash's sandbox credentials; switch it "
                    "off with your live credentials to take real payments."),
    ),
)


@dataclass(frozen=True)
class BkashConfig:
    """One store's bKash settings as the plugin uses them."""

    username: str = ""
    password: str = field(default="", repr=False)
    app_key: str = ""
    app_secret: str = field(default="", repr=False)
    sandbox: bool = True

    @classmethod
    def of(cls, store: StoreInfo) -> BkashConfig:
        values = store.plugin_settings(PLUGIN)
        text = {name: str(values.get(name) or "").strip()
                for name in ("username", "password", "app_key", "app_secret")}
        sandbox = values.get("sandbox")
        return cls(**text, sandbox=True if sandbox is None else bool(sandbox))

    @property
    def ready(self) -> bool:
        return bool(self.username and self.password and self.app_key and self.app_secret)

    @property
    def base_url(self) -> str:
        """The API base: the operator's override (a local fake), else sandbox or live."""
        override = os.environ.get(ENV_API_BASE, "").strip().rstrip("/")
        return override or (SANDBOX_BASE if self.sandbox else LIVE_BASE)
