"""What the mobile-wallet plugin says, in English, Bengali and Armenian.

To shoppers: ``TEXTS`` below (how the language is chosen: ``plugins.manual_payments``;
numbers are written with Latin digits). To the merchant (the plugin's title, settings
and their messages): ``_``, the plugin's catalogue in
``translations/<language>/LC_MESSAGES/``.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText
from plugins import manual_payments

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "instructions": "Send {amount} to our {wallet} number {number}, then enter your "
                        "{wallet} number and the transaction ID below.",
        "order_total": "the order total",
        "sender_label": "Your {wallet} number",
        "sender_required": "Enter the {wallet} number you sent the money from.",
        "sender_invalid": "Enter the {wallet} number you sent the money from: 6 to 15 "
                          "digits.",
        "txn_label": "Transaction ID",
        "txn_required": "Enter the transaction ID from your {wallet} message.",
        "txn_invalid": "A transaction ID has 6 to 20 letters and digits; copy it from your "
                       "{wallet} message.",
        "txn_used": "This transaction ID has already been used for another order. Please "
                    "check it, or contact us.",
        "confirm": "We will confirm your {wallet} payment {txn} shortly.",
    },
    "bn": {
        "instructions": "আমাদের {wallet} নম্বর {number}-এ {amount} সেন্ড মানি করুন, তারপর "
                        "নিচে আপনার {wallet} নম্বর ও ট্রানজেকশন আইডি লিখুন।",
        "order_total": "অর্ডারের মোট টাকা",
        "sender_label": "আপনার {wallet} নম্বর",
        "sender_required": "যে {wallet} নম্বর থেকে টাকা পাঠিয়েছেন, সেটি লিখুন।",
        "sender_invalid": "যে {wallet} নম্বর থেকে টাকা পাঠিয়েছেন, সেটি লিখুন: 6 থেকে 15টি "
                          "অঙ্ক।",
        "txn_label": "ট্রানজেকশন আইডি",
        "txn_required": "আপনার {wallet} মেসেজ থেকে ট্রানজেকশন আইডি লিখুন।",
        "txn_invalid": "ট্রানজেকশন আইডিতে 6 থেকে 20টি অক্ষর ও সংখ্যা থাকে; আপনার {wallet} "
                       "মেসেজ থেকে কপি করুন।",
        "txn_used": "এই ট্রানজেকশন আইডি আগেই অন্য একটি অর্ডারে ব্যবহার করা হয়েছে। অনুগ্রহ "
                    "করে আবার দেখুন, অথবা আমাদের সাথে যোগাযোগ করুন।",
        "confirm": "আপনার {wallet} পেমেন্ট {txn} আমরা শিগগিরই নিশ্চিত করব।",
    },
    "hy": {
        "instructions": "Ուղարկեք {amount} մեր {wallet} համարին՝ {number}, ապա ներքևում "
                        "նշեք ձեր {wallet} համարը և գործարքի համարը։",
        "order_total": "պատվերի ընդհանուր գումարը",
        "sender_label": "Ձեր {wallet} համարը",
        "sender_required": "Նշեք {wallet} համարը, որից ուղարկել եք գումարը։",
        "sender_invalid": "Նշեք {wallet} համարը, որից ուղարկել եք գումարը՝ 6-ից 15 "
                          "թվանշան։",
        "txn_label": "Գործարքի համար",
        "txn_required": "Նշեք գործարքի համարը {wallet}-ի հաղորդագրությունից։",
        "txn_invalid": "Գործարքի համարը 6-ից 20 տառ և թվանշան է․ պատճենեք այն "
                       "{wallet}-ի հաղորդագրությունից։",
        "txn_used": "Գործարքի այս համարն արդեն օգտագործվել է այլ պատվերի համար։ Խնդրում "
                    "ենք ստուգել այն կամ կապվել մեզ հետ։",
        "confirm": "Ձեր {wallet} վճարումը ({txn}) շուտով կհաստատենք։",
    },
}


def pick_locale(*candidates: str | None) -> str:
    """The first candidate this plugin has words for (``"bn-BD"`` counts as ``"bn"``),
    else en."""
    return manual_payments.pick_locale(*candidates, locales=TEXTS)


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    return manual_payments.lookup(TEXTS, locale, key, **values)
