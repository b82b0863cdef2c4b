"""What the bank-transfer plugin says, in English, Bengali and Armenian.

To shoppers: ``TEXTS`` below (how the language is chosen and money written:
``plugins.manual_payments``). To the merchant (the plugin's title, settings and their
messages): ``_``, the plugin's catalogue in ``translations/<language>/LC_MESSAGES/``.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText
from plugins import manual_payments

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "Bank transfer",
        "description": "Transfer the total to our bank account ({bank}). You get our "
                       "account details and a payment reference after placing the order.",
        "intro": "Please transfer {amount} to this account:",
        "account_name": "Account name: {value}",
        "bank_name": "Bank: {value}",
        "account_number": "Account number: {value}",
        "branch": "Branch / routing number: {value}",
        "swift": "SWIFT/BIC: {value}",
        "iban": "IBAN: {value}",
        "reference": "Payment reference: {reference}",
        "reference_hint": "Write this reference with your transfer so we can match it to "
                          "your order.",
        "after": "We send your order once the money arrives.",
    },
    "bn": {
        "label": "ব্যাংক ট্রান্সফার",
        "description": "আমাদের ব্যাংক অ্যাকাউন্টে ({bank}) মোট টাকা ট্রান্সফার করুন। "
                       "অর্ডার দেওয়ার পরে অ্যাকাউন্টের বিবরণ ও পেমেন্ট রেফারেন্স দেখানো হবে।",
        "intro": "অনুগ্রহ করে এই অ্যাকাউন্টে {amount} ট্রান্সফার করুন:",
        "account_name": "অ্যাকাউন্টের নাম: {value}",
        "bank_name": "ব্যাংক: {value}",
        "account_number": "অ্যাকাউন্ট নম্বর: {value}",
        "branch": "শাখা / রাউটিং নম্বর: {value}",
        "swift": "SWIFT/BIC: {value}",
        "iban": "IBAN: {value}",
        "reference": "পেমেন্ট রেফারেন্স: {reference}",
        "reference_hint": "ট্রান্সফারের সময় এই রেফারেন্সটি লিখুন, যাতে আমরা পেমেন্টটি আপনার "
                          "অর্ডারের সাথে মেলাতে পারি।",
        "after": "টাকা পৌঁছালে আমরা আপনার অর্ডার পাঠিয়ে দেব।",
    },
    "hy": {
        "label": "Բանկային փոխանցում",
        "description": "Փոխանցեք ընդհանուր գումարը մեր բանկային հաշվին ({bank})։ Հաշվի "
                       "տվյալները և վճարման կոդը կտեսնեք պատվերը կատարելուց հետո։",
        "intro": "Խնդրում ենք փոխանցել {amount} այս հաշվին՝",
        "account_name": "Ստացող՝ {value}",
        "bank_name": "Բանկ՝ {value}",
        "account_number": "Հաշվեհամար՝ {value}",
        "branch": "Մասնաճյուղ / կոդ՝ {value}",
        "swift": "SWIFT/BIC՝ {value}",
        "iban": "IBAN՝ {value}",
        "reference": "Վճարման կոդ՝ {reference}",
        "reference_hint": "Նշեք այս կոդը փոխանցման նպատակում, որպեսզի վճարումը կապենք ձեր "
                          "պատվերի հետ։",
        "after": "Պատվերը կուղարկենք գումարը ստանալուց հետո։",
    },
}


def pick_locale(*candidates: str | None) -> str:
    """The first candidate this plugin has words for (``"bn-BD"`` counts as ``"bn"``),
    else en."""
    return manual_payments.pick_locale(*candidates, locales=TEXTS)


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    return manual_payments.lookup(TEXTS, locale, key, **values)
