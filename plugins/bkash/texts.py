"""What the bKash plugin says, in English, Bengali and Armenian.

Shopper words live in ``TEXTS``, keyed by the shopper's locale (English when missing).
Merchant words (the plugin's title, settings, timeline lines and refund messages) come
from ``_``, the plugin's own catalogue in ``translations/<language>/LC_MESSAGES/``.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "bKash",
        "description": "Pay from your bKash wallet on bKash's own page. The payment is "
                       "confirmed at once.",
        "start_failed": "We could not start the bKash payment. Please try again in a few "
                        "minutes or choose another way to pay.",
        "not_payable": "This amount cannot be paid with bKash. Please choose another way "
                       "to pay.",
        "waiting": "We are waiting for bKash to confirm your payment. This page will show "
                   "it once it arrives.",
        "not_this_order": "This bKash payment does not belong to this order, so the order "
                          "is still unpaid.",
        "not_paid": "bKash has not received this payment yet, so the order is still "
                    "unpaid.",
        "cancelled": "You cancelled the bKash payment. The order is not paid.",
        "failed": "The bKash payment did not go through. The order is not paid.",
        "insufficient": "Your bKash wallet did not have enough balance. The order is not "
                        "paid.",
        "wallet_refused": "bKash refused this wallet for the payment (wrong PIN, a "
                          "limit, or the wallet's state). The order is not paid.",
        "expired": "The bKash payment was not completed in time. The order is not paid.",
    },
    "bn": {
        "label": "বিকাশ",
        "description": "বিকাশের নিজস্ব পেজে আপনার বিকাশ ওয়ালেট থেকে পেমেন্ট করুন। পেমেন্ট "
                       "সঙ্গে সঙ্গে নিশ্চিত হয়।",
        "start_failed": "বিকাশ পেমেন্ট শুরু করা যায়নি। কয়েক মিনিট পরে আবার চেষ্টা করুন অথবা "
                        "অন্য উপায়ে পেমেন্ট করুন।",
        "not_payable": "এই পরিমাণ বিকাশে পরিশোধ করা যায় না। অনুগ্রহ করে অন্য উপায়ে পেমেন্ট "
                       "করুন।",
        "waiting": "আপনার পেমেন্টের জন্য বিকাশের নিশ্চিতকরণের অপেক্ষা করছি। নিশ্চিত হলে এই "
                   "পেজে দেখা যাবে।",
        "not_this_order": "এই বিকাশ পেমেন্টটি এই অর্ডারের নয়, তাই অর্ডারটি এখনো অপরিশোধিত।",
        "not_paid": "বিকাশ এখনো এই পেমেন্ট পায়নি, তাই অর্ডারটি এখনো অপরিশোধিত।",
        "cancelled": "আপনি বিকাশ পেমেন্ট বাতিল করেছেন। অর্ডারটি পরিশোধিত হয়নি।",
        "failed": "বিকাশ পেমেন্ট সম্পন্ন হয়নি। অর্ডারটি পরিশোধিত হয়নি।",
        "insufficient": "আপনার বিকাশ ওয়ালেটে যথেষ্ট ব্যালেন্স ছিল না। অর্ডারটি পরিশোধিত "
                        "হয়নি।",
        "wallet_refused": "বিকাশ এই ওয়ালেট থেকে পেমেন্ট নেয়নি (ভুল পিন, সীমা, বা ওয়ালেটের "
                          "অবস্থা)। অর্ডারটি পরিশোধিত হয়নি।",
        "expired": "সময়ের মধ্যে বিকাশ পেমেন্ট সম্পন্ন হয়নি। অর্ডারটি পরিশোধিত হয়নি।",
    },
    "hy": {
        "label": "bKash",
        "description": "Վճարեք ձեր bKash դրամապանակից bKash-ի սեփական էջում։ Վճարումը "
                       "հաստատվում է անմիջապես։",
        "start_failed": "Չհաջողվեց սկսել bKash վճարումը։ Խնդրում ենք կրկին փորձել մի քանի "
                        "րոպեից կամ ընտրել վճարման այլ եղանակ։",
        "not_payable": "Այս գումարը հնարավոր չէ վճարել bKash-ով։ Խնդրում ենք ընտրել "
                       "վճարման այլ եղանակ։",
        "waiting": "Սպասում ենք, որ bKash-ը հաստատի ձեր վճարումը։ Այս էջը ցույց կտա այն "
                   "հաստատվելուն պես։",
        "not_this_order": "Այս bKash վճարումը չի վերաբերում այս պատվերին, ուստի պատվերը "
                          "դեռ վճարված չէ։",
        "not_paid": "bKash-ը դեռ չի ստացել այս վճարումը, ուստի պատվերը դեռ վճարված չէ։",
        "cancelled": "Դուք չեղարկեցիք bKash վճարումը։ Պատվերը վճարված չէ։",
        "failed": "bKash վճարումը չկայացավ։ Պատվերը վճարված չէ։",
        "insufficient": "Ձեր bKash դրամապանակում բավարար մնացորդ չկար։ Պատվերը վճարված "
                        "չէ։",
        "wallet_refused": "bKash-ը մերժեց վճարումն այս դրամապանակից (սխալ PIN, սահմանաչափ "
                          "կամ դրամապանակի վիճակ)։ Պատվերը վճարված չէ։",
        "expired": "bKash վճարումը ժամանակին չավարտվեց։ Պատվերը վճարված չէ։",
    },
}

DEFAULT_LOCALE = "en"


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    language = (locale or "").split("-")[0].split("_")[0].lower()
    words = TEXTS.get(language, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words
