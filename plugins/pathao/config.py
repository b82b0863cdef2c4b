"""A store's Pathao settings: the form fields and the values at runtime.

The client secret, the merchant password and the webhook secret are ``SecretField``s:
Haat keeps them encrypted, write-only and out of logs, and :class:`PathaoConfig` keeps
them out of its ``repr``. Each store brings its own Pathao merchant account; nothing
here is module-wide.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from core.sdk import BoolField, SecretField, StoreInfo, TextField

from .texts import _

PLUGIN = "pathao"
CARRIER_ID = "pathao"

LIVE_BASE = "https://api-hermes.pathao.com"
SANDBOX_BASE = "https://courier-api-sandbox.pathao.com"
#: An operator's override of the API base (the tests' fake); never a merchant setting.
ENV_API_BASE = "HAAT_PATHAO_API_BASE"
WEBHOOK_PATH = "/apps/pathao/webhook"


def _store_id(value: Any) -> str | None:
    return None if str(value).strip().isdigit() else _(
        "A Pathao store id is a number, e.g. 148532.")


SETTINGS = (
    BoolField(
        "sandbox", _.lazy("Sandbox (test) mode"), default=True,
        help=_.lazy("Ticked, bookings go to Pathao's sandbox and no rider comes. Untick "
                    "it once you paste your live credentials."),
    ),
    TextField(
        "client_id", _.lazy("Client ID"), max_length=100,
        help=_.lazy("In the Pathao merchant panel: Developer's API → Merchant API "
                    "Credentials."),
    ),
    SecretField(
        "client_secret", _.lazy("Client secret"), max_length=255,
        help=_.lazy("Shown beside the client ID in the Pathao merchant panel."),
    ),
    TextField(
        "username", _.lazy("Pathao login email"), max_length=255,
        help=_.lazy("The email address you sign in to the Pathao merchant panel with."),
    ),
    SecretField(
        "password", _.lazy("Pathao login password"), max_length=255,
        help=_.lazy("Your Pathao merchant panel password. Haat uses it only to get an "
                    "access token from Pathao."),
    ),
    TextField(
        "store_id", _.lazy("Pathao pickup store id"), max_length=20,
        validators=(_store_id,),
        help=_.lazy("The number of the Pathao store (pickup point) your parcels leave "
                    "from: Pathao merchant panel → Stores. Quotes and bookings use it."),
    ),
    SecretField(
        "webhook_secret", _.lazy("Webhook secret"), max_length=255,
        help=_.lazy("In the Pathao merchant panel (Developer's API → Webhook) enter "
                    "https://<your shop's address>/apps/pathao/webhook as the callback "
                    "URL and the same secret here. Pathao then reports pickups, "
                    "deliveries, returns and payouts by itself."),
    ),
)


@dataclass(frozen=True)
class PathaoConfig:
    """One store's Pathao settings as the plugin uses them."""

    store: int
    sandbox: bool = True
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    username: str = ""
    password: str = field(default="", repr=False)
    store_id: str = ""
    webhook_secret: str = field(default="", repr=False)

    @classmethod
    def of(cls, store: StoreInfo) -> PathaoConfig:
        values = store.plugin_settings(PLUGIN)
        texts = {name: str(values.get(name) or "").strip()
                 for name in ("client_id", "client_secret", "username", "password",
                              "store_id", "webhook_secret")}
        return cls(store=store.id, sandbox=bool(values.get("sandbox", True)), **texts)

    @property
    def base(self) -> str:
        override = os.environ.get(ENV_API_BASE, "").strip().rstrip("/")
        return override or (SANDBOX_BASE if self.sandbox else LIVE_BASE)

    @property
    def can_call(self) -> bool:
        """True when the API credentials are all set."""
        return bool(self.client_id and self.client_secret and self.username
                    and self.password)

    @property
    def ready(self) -> bool:
        """True when quotes and bookings can be made (credentials and pickup store)."""
        return self.can_call and self.store_id.isdigit()

    @property
    def account_key(self) -> str:
        """Identifies this store's account for in-memory caches: the store's id and a
        digest of its credentials, so a change of credentials never reuses a token and
        no two stores ever share an entry."""
        digest = hashlib.sha256("\0".join((
            self.base, self.client_id, self.client_secret, self.username,
            self.password)).encode()).hexdigest()[:24]
        return f"{self.store}:{digest}"
