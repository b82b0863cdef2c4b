"""A store's Steadfast settings: the form fields and the values at runtime.

The API key, the secret key and the webhook token are ``SecretField``s: Haat keeps them
encrypted, write-only and out of logs, and :class:`SteadfastConfig` keeps them out of its
``repr``. Steadfast has no sandbox, so there is no sandbox/live switch: the operator's
``HAAT_STEADFAST_API_BASE`` points every store at a fake for tests (see api.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core.sdk import SecretField, StoreInfo

from .texts import _

PLUGIN = "steadfast"
CARRIER_ID = "steadfast"
#: Where Steadfast posts its webhooks on the store's host.
WEBHOOK_PATH = "/apps/steadfast/webhook"

_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{16,200}$")


def _token(value: Any) -> str | None:
    if _TOKEN.match(str(value)):
        return None
    return _("Use 16 to 200 letters, digits or . _ ~ + / = - (no spaces), for example the "
             "token suggested on the plugin's Steadfast page.")


SETTINGS = (
    SecretField(
        "api_key", _.lazy("API key"), max_length=200,
        help=_.lazy("In Steadfast's merchant panel (portal.packzy.com), open API and "
                    "generate your keys; paste the API key here."),
    ),
    SecretField(
        "secret_key", _.lazy("Secret key"), max_length=200,
        help=_.lazy("The secret key shown beside the API key in Steadfast's panel. Parcels "
                    "can be booked once both keys are set."),
    ),
    SecretField(
        "webhook_token", _.lazy("Webhook token"), max_length=200,
        help=_.lazy("A password Steadfast sends with every status update. Type the same "
                    "token here and under Webhook Integration → Auth Token (Bearer) in "
                    "Steadfast's panel, with the callback URL https://<your shop's "
                    "address>/apps/steadfast/webhook. The plugin's Steadfast page shows "
                    "the exact address and suggests a token."),
        validators=(_token,),
    ),
)


@dataclass(frozen=True)
class SteadfastConfig:
    """One store's Steadfast settings as the plugin uses them."""

    api_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    webhook_token: str = field(default="", repr=False)

    @classmethod
    def of(cls, store: StoreInfo) -> SteadfastConfig:
        values = store.plugin_settings(PLUGIN)
        return cls(**{name: str(values.get(name) or "").strip()
                      for name in ("api_key", "secret_key", "webhook_token")})

    @property
    def ready(self) -> bool:
        """True when parcels can be booked and asked about: both API keys are set."""
        return bool(self.api_key and self.secret_key)
