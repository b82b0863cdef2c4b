"""What the first-party manual payment plugins (and tax) share.

Cash on delivery, bank transfer and mobile wallets each keep their words for shoppers
in their own ``texts.py`` (plugins cannot use core's gettext catalogues) but choose the
language, look words up and format money the same way; and their gateways answer
returns, webhooks and refunds the same way, since no money moves through Haat. Their
words for the merchant (title, settings, messages) are in each plugin's own catalogue.
This module imports only ``core.sdk`` and Babel, like a plugin.

Its one message for the merchant, the note a refund made by hand leaves on the order's
timeline, is translated from a catalogue too. A module is not a package, so that
catalogue belongs to the package that holds it, ``plugins``, under a domain of its own:
``plugins/translations/<language>/LC_MESSAGES/manual_payments.po``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import ClassVar

from babel.numbers import format_currency

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PluginText,
    RefundResult,
    StoreInfo,
    WebhookResult,
    format_money,
)

#: A module's catalogue is its package's (``plugins``); the domain keeps it apart.
_ = PluginText("plugins", domain="manual_payments")

DEFAULT_LOCALE = "en"

Texts = Mapping[str, Mapping[str, str]]


def pick_locale(*candidates: str | None, locales: Collection[str]) -> str:
    """The first candidate in ``locales`` (``"bn-BD"`` counts as ``"bn"``), else en.

    ``locales`` may be a plugin's ``TEXTS`` dict: its keys are the locales it has.
    """
    for value in candidates:
        language = re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]
        if language in locales:
            return language
    return DEFAULT_LOCALE


def lookup(texts: Texts, locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing),
    with ``values`` put into its ``str.format`` fields (plain text that core escapes)."""
    words = texts.get(locale, texts[DEFAULT_LOCALE]).get(key) or texts[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words


def money_text(money: Money, locale: str, store: StoreInfo | None = None) -> str:
    """``money`` as shoppers read it in ``locale`` (``"1,250.00৳"`` in bn; with the
    store, in its digits too: ``"১,২৫০.০০৳"``)."""
    if store is not None:
        return format_money(store, money, locale)
    return format_currency(money.to_decimal(), money.currency, locale=locale)


@dataclass(frozen=True)
class ManualGateway:
    """The part of a ``core.sdk.PaymentGateway`` that is the same for every payment made
    outside Haat: a subclass adds its own attributes and ``start()``.

    The order stays ``pending`` until the merchant marks it paid; there are no webhooks;
    refunds are money the merchant hands back, which ``refund`` only confirms.
    """

    refunds: ClassVar[bool] = False

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """No provider to come back from: the payment stays pending."""
        return PaymentResult(order.token, "pending")

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Manual payments have no webhooks."""
        return WebhookResult(status=404)

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Confirm a refund the merchant made by hand (``refunds`` is False), in the language
        of the moment: the admin's, since the merchant refunds from the order page."""
        return RefundResult(ok=True, amount=amount,
                            message=_("Recorded as a refund made by hand."))
