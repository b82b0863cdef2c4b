"""A store's Twilio settings: the form fields, their checks, and the values at runtime.

The Auth Token is a ``SecretField``, so Haat keeps it encrypted, write-only and out of
logs; :class:`TwilioConfig` keeps it out of its ``repr`` too. The Account SID is not a
secret (Twilio puts it in every URL), but it names whose account pays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.sdk import Money, MoneyField, PluginText, SecretField, StoreInfo, TextField

PLUGIN = "sms-twilio"

#: The plugin's own catalogue (translations/<lang>/LC_MESSAGES/messages.po): its title,
#: settings and their messages in the merchant's admin language.
_ = PluginText(__package__)

ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
AUTH_TOKEN = re.compile(r"^[0-9a-fA-F]{32}$")
#: A Messaging Service (Twilio picks the sender from its pool).
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
#: A phone number in E.164 form, as Twilio writes ``From``.
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: An alphanumeric sender ID: at most 11 letters, digits and spaces, at least one letter
#: (Twilio's rule; not every country accepts one, and some need it registered first).
ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


# The checks return their message in the language of the moment: the merchant's, on
# the settings page.


def _account_sid(value: Any) -> str | None:
    if ACCOUNT_SID.match(str(value)):
        return None
    return _("An Account SID is AC followed by 32 letters and digits (0-9, a-f); copy it "
             "from the Account Info box of Twilio's console.")


def _auth_token(value: Any) -> str | None:
    if AUTH_TOKEN.match(str(value)):
        return None
    return _("An Auth Token is 32 letters and digits (0-9, a-f); copy it from the Account "
             "Info box of Twilio's console.")


def sender_ok(value: Any) -> bool:
    """A Twilio number, a Messaging Service SID or an alphanumeric sender name."""
    text = str(value)
    return bool(E164.match(text) or MESSAGING_SERVICE_SID.match(text)
                or ALPHANUMERIC.match(text))


def _sender(value: Any) -> str | None:
    if sender_ok(value):
        return None
    return _("Enter a Twilio number in international form (+15017122661), a Messaging "
             "Service SID (MG followed by 32 letters and digits), or a sender name of at "
             "most 11 Latin letters, digits and spaces.")


SETTINGS = (
    TextField(
        "account_sid", _.lazy("Account SID"), required=True, max_length=34,
        help=_.lazy("From Twilio's console, Account Info (starts with AC)."),
        validators=(_account_sid,),
    ),
    SecretField(
        "auth_token", _.lazy("Auth Token"), required=True, max_length=32,
        help=_.lazy("From Twilio's console, Account Info. Kept encrypted; never shown "
                    "again."),
        validators=(_auth_token,),
    ),
    TextField(
        "sender", _.lazy("Send from"), required=True, max_length=34,
        help=_.lazy("A Twilio phone number that can send SMS (+15017122661), a Messaging "
                    "Service SID (MG...), or an alphanumeric sender name where the "
                    "shopper's country allows one."),
        validators=(_sender,),
    ),
    MoneyField(
        "cost_per_part", _.lazy("Cost of one SMS part"),
        help=_.lazy("Optional. What Twilio charges you for one SMS part to your shoppers, "
                    "in your store's currency, for the estimates in the message log. "
                    "Leave empty for no estimate."),
    ),
)


@dataclass(frozen=True)
class TwilioConfig:
    """One store's Twilio settings as the plugin uses them."""

    account_sid: str = ""
    auth_token: str = field(default="", repr=False)
    sender: str = ""
    #: Minor units of the store's currency; ``None`` when not given.
    cost_per_part: int | None = None

    @classmethod
    def of(cls, store: StoreInfo) -> TwilioConfig:
        """The settings of ``store`` (empty strings for anything not set)."""
        values: Mapping[str, Any] = store.plugin_settings(PLUGIN)
        cost = values.get("cost_per_part")
        return cls(account_sid=str(values.get("account_sid") or "").strip(),
                   auth_token=str(values.get("auth_token") or "").strip(),
                   sender=str(values.get("sender") or "").strip(),
                   cost_per_part=None if cost is None else int(cost))

    @property
    def ready(self) -> bool:
        """True when messages can be sent: all three credentials are set and well formed."""
        return bool(ACCOUNT_SID.match(self.account_sid) and AUTH_TOKEN.match(self.auth_token)
                    and self.sender and sender_ok(self.sender))

    def cost(self, currency: str) -> Money | None:
        return None if self.cost_per_part is None else Money(self.cost_per_part, currency)
