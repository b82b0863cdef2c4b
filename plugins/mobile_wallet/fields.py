"""What the shopper types at checkout: the number they paid from and the transaction ID.

Core checks these with ``Field.parse`` and stores what it returns, so the values are
normalised here (Bengali digits to Latin, punctuation dropped, transaction IDs in
capitals): ``8n7a6d5e4f`` and ``8N7A6D5E4F`` are the same transaction to core's
one-use-per-store rule. Every message is in the shopper's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.sdk import FieldError, TextField

from .texts import text

SENDER = "sender"
TRANSACTION_ID = "transaction_id"

_LATIN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")
_TRANSACTION = re.compile(r"^[A-Z0-9]{6,20}$")


def normalise_sender(value: str) -> str:
    """Latin digits, without spaces, hyphens, dots or brackets."""
    return re.sub(r"[\s().-]", "", value.translate(_LATIN_DIGITS))


def normalise_transaction_id(value: str) -> str:
    """Latin digits, no spaces, capitals."""
    return re.sub(r"\s", "", value.translate(_LATIN_DIGITS)).upper()


@dataclass(frozen=True)
class ShopperField(TextField):
    """A checkout text field that normalises its value and speaks the shopper's language
    when it is required but empty."""

    required_message: str = ""
    normalise: Callable[[str], str] | None = None

    def _parse(self, raw: Any, *, currency: str) -> Any:
        value = super()._parse(raw, currency=currency)
        return self.normalise(value) if value and self.normalise else value

    def parse(self, raw: Any, *, currency: str = "USD") -> Any:
        """The normalised value, or ``FieldError`` with a message in the shopper's words."""
        if self.required and self.required_message and \
                self._is_empty(self._parse(raw, currency=currency)):
            raise FieldError(self.required_message)
        return super().parse(raw, currency=currency)


def checkout_fields(wallet: str, locale: str) -> tuple[ShopperField, ShopperField]:
    """The sender number and transaction ID fields for ``wallet`` in ``locale``."""
    sender_invalid = text(locale, "sender_invalid", wallet=wallet)
    txn_invalid = text(locale, "txn_invalid", wallet=wallet)
    return (
        ShopperField(SENDER, text(locale, "sender_label", wallet=wallet), required=True,
                     normalise=normalise_sender,
                     required_message=text(locale, "sender_required", wallet=wallet),
                     validators=(lambda v: None if _PHONE.match(v) else sender_invalid,)),
        ShopperField(TRANSACTION_ID, text(locale, "txn_label"), required=True,
                     normalise=normalise_transaction_id,
                     required_message=text(locale, "txn_required", wallet=wallet),
                     validators=(lambda v: None if _TRANSACTION.match(v) else txn_invalid,)),
    )
