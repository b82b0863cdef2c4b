"""What the SSLCommerz plugin says, in English, Bengali and Armenian.

Shopper words live in ``TEXTS``, keyed by the shopper's locale (the checkout's or the
order's), falling back to English. Merchant words (the plugin's title, its settings,
their checks and the refund messages) come from ``_``, the plugin's own catalogue in
``translations/<language>/LC_MESSAGES/messages.po``, in the admin's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "Card, bKash, Nagad or bank (SSLCommerz)",
        "description": "Pay on SSLCommerz's secure page by card, bKash, Nagad, Rocket or "
                       "internet banking. Your card details never reach this shop.",
        "product": "Order #{number}",
        "start_failed": "We could not start the online payment. Please try again in a few "
                        "minutes or choose another way to pay.",
        "not_payable": "This amount cannot be paid through SSLCommerz. Please choose "
                       "another way to pay.",
        "waiting": "We are waiting for SSLCommerz to confirm your payment. This page will "
                   "show it once it arrives.",
    },
    "bn": {
        "label": "কার্ড, বিকাশ, নগদ বা ব্যাংক (SSLCommerz)",
        "description": "SSLCommerz-এর নিরাপদ পেজে কার্ড, বিকাশ, নগদ, রকেট বা ইন্টারনেট "
                       "ব্যাংকিংয়ে পেমেন্ট করুন। আপনার কার্ডের তথ্য এই দোকানে আসে না।",
        "product": "অর্ডার #{number}",
        "start_failed": "অনলাইন পেমেন্ট শুরু করা যায়নি। কয়েক মিনিট পরে আবার চেষ্টা করুন "
                        "অথবা অন্য উপায়ে পেমেন্ট করুন।",
        "not_payable": "এই পরিমাণ SSLCommerz-এ পরিশোধ করা যায় না। অনুগ্রহ করে অন্য উপায়ে "
                       "পেমেন্ট করুন।",
        "waiting": "আপনার পেমেন্টের জন্য SSLCommerz-এর নিশ্চিতকরণের অপেক্ষা করছি। নিশ্চিত "
                   "হলে এই পেজে দেখা যাবে।",
    },
    "hy": {
        "label": "Քարտ, bKash, Nagad կամ բանկ (SSLCommerz)",
        "description": "Վճարեք SSLCommerz-ի անվտանգ էջում՝ քարտով, bKash-ով, Nagad-ով, "
                       "Rocket-ով կամ ինտերնետ բանկինգով։ Ձեր քարտի տվյալները երբեք չեն "
                       "հասնում այս խանութին։",
        "product": "Պատվեր #{number}",
        "start_failed": "Չհաջողվեց սկսել առցանց վճարումը։ Խնդրում ենք կրկին փորձել մի "
                        "քանի րոպեից կամ ընտրել վճարման այլ եղանակ։",
        "not_payable": "Այս գումարը հնարավոր չէ վճարել SSLCommerz-ով։ Խնդրում ենք ընտրել "
                       "վճարման այլ եղանակ։",
        "waiting": "Սպասում ենք, որ SSLCommerz-ը հաստատի ձեր վճարումը։ Այս էջը ցույց կտա "
                   "այն հաստատվելուն պես։",
    },
}

DEFAULT_LOCALE = "en"


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    language = (locale or "").split("-")[0].split("_")[0].lower()
    words = TEXTS.get(language, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words
