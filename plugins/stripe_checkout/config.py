"""A store's Stripe settings: the form fields, their checks, and the values at runtime.

The secret key and the webhook signing secret are ``SecretField``s, so Haat keeps them
encrypted, write-only and out of logs. :class:`StripeConfig` keeps them out of its
``repr`` too. Labels, help texts and the checks' messages are in the merchant's
language (the admin's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.sdk import LazyText, SecretField, StoreInfo, TextField

from .texts import _

PLUGIN = "stripe"

#: Where Stripe opens accounts for businesses (https://stripe.com/global: its generally
#: available countries, plus India and Indonesia in preview and Ghana, Kenya, Nigeria
#: and South Africa through its extended network). A store elsewhere, such as in
#: Bangladesh or Armenia, cannot get a Stripe account for itself, so the admin lists
#: this plugin apart for it (still usable, e.g. by a shop with a company abroad). Stripe
#: charges cards in most currencies, so the manifest names no currencies.
STRIPE_COUNTRIES = (
    "AE", "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES",
    "FI", "FR", "GB", "GH", "GI", "GR", "HK", "HR", "HU", "ID", "IE", "IN", "IT", "JP",
    "KE", "LI", "LT", "LU", "LV", "MT", "MX", "MY", "NG", "NL", "NO", "NZ", "PL", "PT",
    "RO", "SE", "SG", "SI", "SK", "TH", "US", "ZA",
)

PUBLISHABLE_PREFIXES = ("pk_test_", "pk_live_")
SECRET_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")
WEBHOOK_PREFIX = "whsec_"
#: Stripe joins the account's prefix and this suffix into at most 22 characters.
SUFFIX_MAX = 22
_SUFFIX_ALLOWED = re.compile(r"^[A-Za-z0-9 .,\-&#/()+:!?@_]*$")


def _starts_with(prefixes: tuple[str, ...], message: LazyText):
    def check(value: Any) -> str | None:
        # Translated when the form is checked, into the admin's language of the moment.
        return None if str(value).startswith(prefixes) else str(message)
    return check


def _suffix(value: Any) -> str | None:
    text = str(value)
    if not _SUFFIX_ALLOWED.match(text):
        return _("Use Latin letters, digits, spaces and simple punctuation only "
                 "(no < > \\ ' \" or *).")
    if not re.search(r"[A-Za-z]", text):
        return _("Include at least one letter.")
    return None


SETTINGS = (
    TextField(
        "publishable_key", _.lazy("Publishable key"), max_length=255,
        help=_.lazy("From Stripe's dashboard, Developers → API keys (starts with pk_live_ "
                    "or pk_test_). Stripe Checkout does not need it; Haat checks that it "
                    "is in the same mode (live or test) as the secret key."),
        validators=(_starts_with(PUBLISHABLE_PREFIXES, _.lazy(
            "A publishable key starts with pk_live_ or pk_test_.")),),
    ),
    SecretField(
        "secret_key", _.lazy("Secret key"), max_length=255,
        help=_.lazy("Starts with sk_live_ or sk_test_ (or rk_ for a restricted key that "
                    "may write Checkout Sessions and Refunds). Card payments are offered "
                    "only once it and the webhook signing secret are set."),
        validators=(_starts_with(SECRET_PREFIXES, _.lazy(
            "A secret key starts with sk_live_ or sk_test_ (rk_live_ or rk_test_ for a "
            "restricted key).")),),
    ),
    SecretField(
        "webhook_secret", _.lazy("Webhook signing secret"), max_length=255,
        help=_.lazy("In Stripe's dashboard (Developers → Webhooks) add an endpoint for "
                    "https://<your shop's address>/payments/stripe/webhook with the events "
                    "listed in Haat's Stripe guide, then paste its signing secret "
                    "(whsec_...)."),
        validators=(_starts_with((WEBHOOK_PREFIX,), _.lazy(
            "A webhook signing secret starts with whsec_.")),),
    ),
    TextField(
        "statement_descriptor_suffix", _.lazy("Statement descriptor suffix"),
        max_length=SUFFIX_MAX,
        help=_.lazy("Optional. Added after your account's prefix on the shopper's card "
                    "statement, e.g. an order hint. Prefix and suffix together fit 22 "
                    "characters."),
        validators=(_suffix,),
    ),
)

def _mode(key: str) -> str:
    """``"test"`` or ``"live"`` for a Stripe key, ``""`` when unknown."""
    parts = key.split("_")
    return parts[1] if len(parts) > 2 and parts[1] in ("test", "live") else ""


def check_settings(values: Mapping[str, Any]) -> dict[str, str]:
    """Whole-form check: the publishable and secret keys must be of the same mode."""
    publishable = _mode(str(values.get("publishable_key") or ""))
    secret = _mode(str(values.get("secret_key") or ""))
    if publishable and secret and publishable != secret:
        # One sentence per case, so that "test" and "live" are translated with it.
        if publishable == "test":
            return {"publishable_key": _("This is a test key but the secret key is a live "
                                         "key: use keys of the same mode.")}
        return {"publishable_key": _("This is a live key but the secret key is a test key: "
                                     "use keys of the same mode.")}
    return {}


@dataclass(frozen=True)
class StripeConfig:
    """One store's Stripe settings as the plugin uses them."""

    publishable_key: str = ""
    secret_key: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    statement_descriptor_suffix: str = ""

    @classmethod
    def of(cls, store: StoreInfo) -> StripeConfig:
        """The settings of ``store`` (empty strings for anything not set)."""
        values = store.plugin_settings(PLUGIN)
        return cls(**{name: str(values.get(name) or "").strip()
                      for name in ("publishable_key", "secret_key", "webhook_secret",
                                   "statement_descriptor_suffix")})

    @property
    def ready(self) -> bool:
        """True when payments can be taken and confirmed: secret key and webhook secret."""
        return bool(self.secret_key and self.webhook_secret)
