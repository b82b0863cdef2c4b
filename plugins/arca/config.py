"""A store's ArCa settings: the form fields and the values at runtime.

The password is a ``SecretField``: encrypted at rest, write-only, never logged, and
kept out of :class:`ArcaConfig`'s ``repr``. Each store uses only its own credentials,
the ones its bank issued for its ArCa vPOS merchant account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.sdk import BoolField, SecretField, StoreInfo, TextField

from .texts import _

PLUGIN = "arca"

SETTINGS = (
    TextField(
        "username", _.lazy("API user name"), max_length=100,
        help=_.lazy("The vPOS API user your bank gave you with your ArCa merchant "
                    "account (often ending in _api). Card payments are offered once it "
                    "and the password are set."),
    ),
    SecretField(
        "password", _.lazy("API password"), max_length=200,
        help=_.lazy("The password of that API user. It is stored encrypted and never "
                    "shown again."),
    ),
    BoolField(
        "test_mode", _.lazy("Test mode"), default=True,
        help=_.lazy("Use ArCa's test server (ipaytest.arca.am) with the test user from "
                    "your bank; no real money moves. Untick it once your bank has given "
                    "you live credentials."),
    ),
)


@dataclass(frozen=True)
class ArcaConfig:
    """One store's ArCa settings as the plugin uses them."""

    username: str = ""
    password: str = field(default="", repr=False)
    test_mode: bool = True

    @classmethod
    def of(cls, store: StoreInfo) -> ArcaConfig:
        values = store.plugin_settings(PLUGIN)
        test_mode = values.get("test_mode")
        return cls(username=str(values.get("username") or "").strip(),
                   password=str(values.get("password") or "").strip(),
                   test_mode=True if test_mode is None else bool(test_mode))

    @property
    def ready(self) -> bool:
        return bool(self.username and self.password)
