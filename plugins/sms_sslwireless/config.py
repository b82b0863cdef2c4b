"""A store's SSL Wireless settings: the form fields, their checks, and the values at runtime.

The API token is a ``SecretField`` (encrypted, write-only, never logged);
:class:`SslWirelessConfig` keeps it out of its ``repr`` too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.sdk import Money, MoneyField, PluginText, SecretField, StoreInfo, TextField

PLUGIN = "sms-sslwireless"

#: The plugin's own catalogue (translations/<lang>/LC_MESSAGES/messages.po): its title,
#: settings and their messages in the merchant's admin language.
_ = PluginText(__package__)

#: SSL issues tokens of letters, digits and hyphens (a UUID, sometimes with a numeric
#: account prefix: ``1279-98d2bb25-3f7e-49bf-a1e2-5d1a6c6c588f``), at most 50 long.
API_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{15,49}$")
#: The SID (stakeholder ID) SSL assigns to a sender: a short code name such as
#: ``DHAKACRAFTS`` or ``DHAKACRAFTSNONBRAND``.
SID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")


# The checks return their message in the language of the moment: the merchant's, on
# the settings page.


def _api_token(value: Any) -> str | None:
    if API_TOKEN.match(str(value)):
        return None
    return _("An SSL Wireless API token is 16 to 50 letters, digits and hyphens, e.g. "
             "1279-98d2bb25-3f7e-49bf-a1e2-5d1a6c6c588f. Copy it from the ISMS Plus panel "
             "or SSL's e-mail.")


def _sid(value: Any) -> str | None:
    if SID.match(str(value)):
        return None
    return _("A SID is the sender code SSL Wireless gave you: letters and digits (also "
             ". _ -), no spaces.")


SETTINGS = (
    SecretField(
        "api_token", _.lazy("API token"), required=True, max_length=50,
        help=_.lazy("The ISMS Plus API token SSL Wireless gave you. Kept encrypted; never "
                    "shown again."),
        validators=(_api_token,),
    ),
    TextField(
        "sid", _.lazy("SID (sender)"), required=True, max_length=50,
        help=_.lazy("The SID SSL Wireless assigned to your approved sender: your masking "
                    "(brand name) or your non-masking number."),
        validators=(_sid,),
    ),
    MoneyField(
        "cost_per_part", _.lazy("Cost of one SMS part"),
        help=_.lazy("Optional. What SSL Wireless charges you for one SMS part on your plan "
                    "(in your store's currency), for the estimates in the message log."),
    ),
)


@dataclass(frozen=True)
class SslWirelessConfig:
    """One store's SSL Wireless settings as the plugin uses them."""

    api_token: str = field(default="", repr=False)
    sid: str = ""
    #: Minor units of the store's currency; ``None`` when not given.
    cost_per_part: int | None = None

    @classmethod
    def of(cls, store: StoreInfo) -> SslWirelessConfig:
        values: Mapping[str, Any] = store.plugin_settings(PLUGIN)
        cost = values.get("cost_per_part")
        return cls(api_token=str(values.get("api_token") or "").strip(),
                   sid=str(values.get("sid") or "").strip(),
                   cost_per_part=None if cost is None else int(cost))

    @property
    def ready(self) -> bool:
        return bool(API_TOKEN.match(self.api_token) and SID.match(self.sid))

    def cost(self, currency: str) -> Money | None:
        return None if self.cost_per_part is None else Money(self.cost_per_part, currency)
