"""What the Stripe plugin says, in English, Bengali and Armenian.

A plugin may import only ``core.sdk``, so it cannot use Haat's gettext catalogues. The
shopper-facing words live here in ``TEXTS``, keyed by the shopper's locale (the
checkout's or the order's), falling back to English. Words for the merchant (the
plugin's title, settings, their checks' messages and the refund messages on the order
page) come from ``_``, the plugin's own catalogue in
``translations/<language>/LC_MESSAGES/``, in the admin's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "Card (Stripe)",
        "description": "Pay by card on Stripe's secure page. Your card details never "
                       "reach this shop.",
        "line_item": "Order #{number}",
        "start_failed": "We could not start the card payment. Please try again in a few "
                        "minutes or choose another way to pay.",
        "not_payable": "This amount cannot be paid by card. Please choose another way "
                       "to pay.",
        "waiting": "We are waiting for Stripe to confirm your payment. This page will "
                   "show it once it arrives.",
        "not_this_order": "This card payment does not belong to this order, so the "
                          "order is still unpaid.",
        "expired": "The card payment was not completed in time. Please place the order "
                   "again to pay.",
    },
    "bn": {
        "label": "কার্ড (Stripe)",
        "description": "Stripe-এর নিরাপদ পেজে কার্ড দিয়ে পেমেন্ট করুন। আপনার কার্ডের তথ্য "
                       "এই দোকানে আসে না।",
        "line_item": "অর্ডার #{number}",
        "start_failed": "কার্ড পেমেন্ট শুরু করা যায়নি। কয়েক মিনিট পরে আবার চেষ্টা করুন অথবা "
                        "অন্য উপায়ে পেমেন্ট করুন।",
        "not_payable": "এই পরিমাণ কার্ডে পরিশোধ করা যায় না। অনুগ্রহ করে অন্য উপায়ে পেমেন্ট "
                       "করুন।",
        "waiting": "আপনার পেমেন্টের জন্য Stripe-এর নিশ্চিতকরণের অপেক্ষা করছি। নিশ্চিত হলে "
                   "এই পেজে দেখা যাবে।",
        "not_this_order": "এই কার্ড পেমেন্টটি এই অর্ডারের নয়, তাই অর্ডারটি এখনো অপরিশোধিত।",
        "expired": "সময়ের মধ্যে কার্ড পেমেন্ট সম্পন্ন হয়নি। পেমেন্ট করতে আবার অর্ডার করুন।",
    },
    "hy": {
        "label": "Քարտ (Stripe)",
        "description": "Վճարեք քարտով Stripe-ի անվտանգ էջում։ Ձեր քարտի տվյալները երբեք "
                       "չեն հասնում այս խանութին։",
        "line_item": "Պատվեր #{number}",
        "start_failed": "Չհաջողվեց սկսել քարտով վճարումը։ Խնդրում ենք կրկին փորձել մի քանի "
                        "րոպեից կամ ընտրել վճարման այլ եղանակ։",
        "not_payable": "Այս գումարը հնարավոր չէ վճարել քարտով։ Խնդրում ենք ընտրել "
                       "վճարման այլ եղանակ։",
        "waiting": "Սպասում ենք, որ Stripe-ը հաստատի ձեր վճարումը։ Այս էջը ցույց կտա այն "
                   "հաստատվելուն պես։",
        "not_this_order": "Այս քարտային վճարումը չի վերաբերում այս պատվերին, ուստի "
                          "պատվերը դեռ վճարված չէ։",
        "expired": "Քարտով վճարումը ժամանակին չավարտվեց։ Վճարելու համար կրկին "
                   "ձևակերպեք պատվերը։",
    },
}

DEFAULT_LOCALE = "en"


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    language = (locale or "").split("-")[0].split("_")[0].lower()
    words = TEXTS.get(language, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words
