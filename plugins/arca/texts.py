"""What the ArCa plugin says, in English, Bengali and Armenian.

A plugin may import only ``core.sdk``, so it cannot use Haat's gettext catalogues. The
shopper's words live here in ``TEXTS``, keyed by the shopper's locale (the checkout's
or the order's), falling back to English; Armenian is the plugin's first language,
since ArCa serves Armenian stores. The merchant's words (the plugin's title, settings,
refund messages, the schedule's title) come from ``_``, the plugin's own catalogue in
``translations/<language>/LC_MESSAGES/messages.po``, in the admin's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "hy": {
        "label": "Բանկային քարտ (ArCa)",
        "description": "Վճարեք Visa, Mastercard կամ ArCa քարտով ձեր բանկի անվտանգ էջում։ "
                       "Քարտի տվյալները երբեք չեն հասնում այս խանութին։",
        "order_description": "Պատվեր #{number}",
        "start_failed": "Չհաջողվեց սկսել քարտով վճարումը։ Խնդրում ենք կրկին փորձել մի քանի "
                        "րոպեից կամ ընտրել վճարման այլ եղանակ։",
        "waiting": "Սպասում ենք, որ բանկը հաստատի ձեր վճարումը։ Այս էջը ցույց կտա այն "
                   "հաստատվելուն պես։",
        "not_this_order": "Այս քարտային վճարումը չի վերաբերում այս պատվերին, ուստի "
                          "պատվերը դեռ վճարված չէ։",
        "declined": "Բանկը մերժեց վճարումը ({reason}, կոդ {code})։ Կարող եք կրկին փորձել "
                    "կամ ընտրել վճարման այլ եղանակ։",
        "expired": "Քարտով վճարումը ժամանակին չավարտվեց։ Կարող եք կրկին փորձել պատվերի "
                   "էջից։",
        "reversed": "Բանկը չեղարկեց քարտով վճարումը։",
        "paid": "Վճարումը հաստատվեց ArCa-ի կողմից (պատվեր ArCa-ում՝ {reference})։",
    },
    "en": {
        "label": "Bank card (ArCa)",
        "description": "Pay by Visa, Mastercard or ArCa card on your bank's secure page. "
                       "Your card details never reach this shop.",
        "order_description": "Order #{number}",
        "start_failed": "We could not start the card payment. Please try again in a few "
                        "minutes or choose another way to pay.",
        "waiting": "We are waiting for the bank to confirm your payment. This page will "
                   "show it once it arrives.",
        "not_this_order": "This card payment does not belong to this order, so the order "
                          "is still unpaid.",
        "declined": "The bank declined the payment ({reason}, code {code}). You can try "
                    "again or choose another way to pay.",
        "expired": "The card payment was not completed in time. You can try again from "
                   "the order page.",
        "reversed": "The bank cancelled the card payment.",
        "paid": "Payment confirmed by ArCa (ArCa order {reference}).",
    },
    "bn": {
        "label": "ব্যাংক কার্ড (ArCa)",
        "description": "আপনার ব্যাংকের নিরাপদ পেজে Visa, Mastercard বা ArCa কার্ড দিয়ে "
                       "পেমেন্ট করুন। আপনার কার্ডের তথ্য এই দোকানে আসে না।",
        "order_description": "অর্ডার #{number}",
        "start_failed": "কার্ড পেমেন্ট শুরু করা যায়নি। কয়েক মিনিট পরে আবার চেষ্টা করুন অথবা "
                        "অন্য উপায়ে পেমেন্ট করুন।",
        "waiting": "আপনার পেমেন্টের জন্য ব্যাংকের নিশ্চিতকরণের অপেক্ষা করছি। নিশ্চিত হলে "
                   "এই পেজে দেখা যাবে।",
        "not_this_order": "এই কার্ড পেমেন্টটি এই অর্ডারের নয়, তাই অর্ডারটি এখনো অপরিশোধিত।",
        "declined": "ব্যাংক পেমেন্টটি প্রত্যাখ্যান করেছে ({reason}, কোড {code})। আবার চেষ্টা "
                    "করতে পারেন অথবা অন্য উপায়ে পেমেন্ট করতে পারেন।",
        "expired": "সময়ের মধ্যে কার্ড পেমেন্ট সম্পন্ন হয়নি। অর্ডারের পেজ থেকে আবার চেষ্টা "
                   "করতে পারেন।",
        "reversed": "ব্যাংক কার্ড পেমেন্টটি বাতিল করেছে।",
        "paid": "ArCa পেমেন্ট নিশ্চিত করেছে (ArCa-তে অর্ডার {reference})।",
    },
}

DEFAULT_LOCALE = "en"


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    language = (locale or "").split("-")[0].split("_")[0].lower()
    words = TEXTS.get(language, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words
