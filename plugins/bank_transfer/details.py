"""The merchant's bank details: checks for the settings form, and the text shoppers get.

The checks' messages are in the merchant's language (the admin's, when the form is
sent); the text shoppers get is in theirs.

The payment reference is ``<PREFIX>-<order number>``: the prefix is the merchant's
(letters and digits) or else the store's slug in capitals, e.g. ``DHAKA-CRAFTS-1042``.
Slugs are unique and order numbers are unique per store, so a reference names exactly
one order, and it is short enough for the reference box of a bank's transfer form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.sdk import OrderSnapshot, StoreInfo
from plugins.manual_payments import money_text

from .texts import _, text

_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")
_SWIFT = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_PREFIX = re.compile(r"^[A-Za-z0-9]{1,12}$")


def compact(value: str) -> str:
    """Upper case without spaces, as SWIFT codes and IBANs are compared."""
    return re.sub(r"\s+", "", value).upper()


def check_account_number(value: str) -> str | None:
    """A settings validator for the account number."""
    if not _ACCOUNT.match(value) or sum(c.isdigit() for c in value) < 4:
        return _("Enter the account number as your bank writes it: digits, and letters, "
                 "spaces or hyphens if it has them.")
    return None


def check_swift(value: str) -> str | None:
    """A settings validator for a SWIFT/BIC code (8 or 11 characters)."""
    if not _SWIFT.match(compact(value)):
        return _("A SWIFT/BIC code has 8 or 11 letters and digits, e.g. BBHOBDDH.")
    return None


def check_iban(value: str) -> str | None:
    """A settings validator for an IBAN, including its check digits."""
    iban = compact(value)
    if not _IBAN.match(iban):
        return _("An IBAN starts with a country code and two digits, e.g. "
                 "DE89 3704 0044 0532 0130 00.")
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        return _("This IBAN's check digits do not match; please check it for a typo.")
    return None


def check_prefix(value: str) -> str | None:
    """A settings validator for the reference prefix."""
    if not _PREFIX.match(value):
        return _("Use 1 to 12 letters or digits, e.g. DC.")
    return None


def payment_reference(store: StoreInfo, settings: Mapping[str, Any],
                      order: OrderSnapshot) -> str:
    """The reference the shopper writes with the transfer, e.g. ``DHAKA-CRAFTS-1042``."""
    prefix = (settings.get("reference_prefix") or "").strip().upper() or store.slug.upper()
    return f"{prefix}-{order.number}"


def _grouped_iban(value: str) -> str:
    iban = compact(value)
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def instructions(settings: Mapping[str, Any], order: OrderSnapshot, reference: str,
                 locale: str, store: StoreInfo | None = None) -> str:
    """What to pay, where to and with which reference, one item per line."""
    lines = [
        text(locale, "intro", amount=money_text(order.total, locale, store)),
        text(locale, "account_name", value=settings.get("account_name", "")),
        text(locale, "bank_name", value=settings.get("bank_name", "")),
        text(locale, "account_number", value=settings.get("account_number", "")),
    ]
    if settings.get("branch"):
        lines.append(text(locale, "branch", value=settings["branch"]))
    if settings.get("swift"):
        lines.append(text(locale, "swift", value=compact(settings["swift"])))
    if settings.get("iban"):
        lines.append(text(locale, "iban", value=_grouped_iban(settings["iban"])))
    lines += ["", text(locale, "reference", reference=reference),
              text(locale, "reference_hint"), text(locale, "after")]
    extra = (settings.get("extra_instructions") or "").strip()
    if extra:
        lines += ["", extra]
    return "\n".join(lines)

