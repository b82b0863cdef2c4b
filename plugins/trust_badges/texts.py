"""What the badges say, in English, Bengali and Armenian.

A plugin may import only ``core.sdk``, so it cannot use Haat's gettext catalogues; the
shopper-facing words live here instead, keyed by ``PageContext.locale``. Placeholders
are ``str.format`` fields; the values put into them (a phone number, an address) are
plain text that core escapes when it renders the badge. Numbers are written plainly,
with Latin digits.
"""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "secure_checkout": "Secure checkout",
        "secure_checkout_detail": "Encrypted connection (HTTPS)",
        "ways_to_pay": "Ways to pay: {methods}",
        "list_separator": ", ",
        "method_card": "card",
        "method_cash_on_delivery": "cash on delivery",
        "method_bank_transfer": "bank transfer",
        "method_mobile_wallet": "mobile wallet",
        "cash_on_delivery": "Cash on delivery",
        "cash_on_delivery_detail": "Pay when your order arrives",
        "free_shipping": "Free shipping on orders over {amount}",
        "returns": "{days}-day easy returns",
        "money_back": "{days}-day money-back guarantee",
        "rating": "Rated {rating} out of {best}",
        "rating_detail_one": "from 1 review",
        "rating_detail_other": "from {count} reviews",
        "phone": "Call us: {phone}",
        "address": "Our address: {address}",
        "map": "See our address on a map",
        "map_detail": "OpenStreetMap",
    },
    "bn": {
        "secure_checkout": "নিরাপদ চেকআউট",
        "secure_checkout_detail": "এনক্রিপ্ট করা সংযোগ (HTTPS)",
        "ways_to_pay": "পেমেন্টের উপায়: {methods}",
        "list_separator": ", ",
        "method_card": "কার্ড",
        "method_cash_on_delivery": "ক্যাশ অন ডেলিভারি",
        "method_bank_transfer": "ব্যাংক ট্রান্সফার",
        "method_mobile_wallet": "মোবাইল ওয়ালেট",
        "cash_on_delivery": "ক্যাশ অন ডেলিভারি",
        "cash_on_delivery_detail": "পণ্য হাতে পেয়ে টাকা দিন",
        "free_shipping": "{amount}-এর বেশি অর্ডারে ফ্রি ডেলিভারি",
        "returns": "{days} দিনের মধ্যে সহজ রিটার্ন",
        "money_back": "{days} দিনের মধ্যে টাকা ফেরতের নিশ্চয়তা",
        "rating": "রেটিং: {best}-এর মধ্যে {rating}",
        "rating_detail_one": "{count}টি রিভিউ থেকে",
        "rating_detail_other": "{count}টি রিভিউ থেকে",
        "phone": "ফোন করুন: {phone}",
        "address": "আমাদের ঠিকানা: {address}",
        "map": "মানচিত্রে আমাদের ঠিকানা দেখুন",
        "map_detail": "OpenStreetMap",
    },
    "hy": {
        "secure_checkout": "Անվտանգ վճարում",
        "secure_checkout_detail": "Գաղտնագրված կապ (HTTPS)",
        "ways_to_pay": "Վճարման եղանակներ՝ {methods}",
        "list_separator": ", ",
        "method_card": "քարտ",
        "method_cash_on_delivery": "վճարում առաքման պահին",
        "method_bank_transfer": "բանկային փոխանցում",
        "method_mobile_wallet": "բջջային դրամապանակ",
        "cash_on_delivery": "Վճարում առաքման պահին",
        "cash_on_delivery_detail": "Վճարեք պատվերը ստանալիս",
        "free_shipping": "Անվճար առաքում {amount}-ից ավելի պատվերների համար",
        "returns": "Հեշտ վերադարձ {days} օրվա ընթացքում",
        "money_back": "Գումարի վերադարձի երաշխիք {days} օրվա ընթացքում",
        "rating": "Գնահատական՝ {rating} / {best}",
        "rating_detail_one": "{count} կարծիքի հիման վրա",
        "rating_detail_other": "{count} կարծիքի հիման վրա",
        "phone": "Զանգահարեք՝ {phone}",
        "address": "Մեր հասցեն՝ {address}",
        "map": "Տեսնել մեր հասցեն քարտեզի վրա",
        "map_detail": "OpenStreetMap",
    },
}

DEFAULT_LOCALE = "en"


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    words = TEXTS.get(locale, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words
