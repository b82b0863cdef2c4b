"""What the cash-on-delivery plugin says to shoppers, in English, Bengali and Armenian.

A plugin may import only ``core.sdk``, so it cannot use Haat's gettext catalogues; the
words live here, keyed by locale, as in the trust-badges plugin. Placeholders are
``str.format`` fields filled with plain text that core escapes. Amounts are formatted
by Babel from the exact Decimal, the way core formats money.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from babel.numbers import format_currency

from core.sdk import Money

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "Cash on delivery",
        "description": "Pay in cash when your parcel arrives.",
        "description_fee": "Pay in cash when your parcel arrives. Cash on delivery fee: "
                           "{fee}.",
        "fee_label": "Cash on delivery fee",
        "too_large": "Not available for orders above {amount}",
        "wrong_zone": "Not available for this delivery option",
        "instructions": "Pay the courier in cash when your parcel arrives: {total}",
    },
    "bn": {
        "label": "ক্যাশ অন ডেলিভারি",
        "description": "পার্সেল হাতে পেয়ে নগদে টাকা দিন।",
        "description_fee": "পার্সেল হাতে পেয়ে নগদে টাকা দিন। ক্যাশ অন ডেলিভারি চার্জ: {fee}।",
        "fee_label": "ক্যাশ অন ডেলিভারি চার্জ",
        "too_large": "{amount}-এর বেশি মূল্যের অর্ডারে প্রযোজ্য নয়",
        "wrong_zone": "এই ডেলিভারি অপশনে প্রযোজ্য নয়",
        "instructions": "পার্সেল হাতে পেলে কুরিয়ারকে নগদে পরিশোধ করুন: {total}",
    },
    "hy": {
        "label": "Վճարում առաքման պահին",
        "description": "Վճարեք կանխիկ՝ ծանրոցը ստանալիս։",
        "description_fee": "Վճարեք կանխիկ՝ ծանրոցը ստանալիս։ Առաքման պահին վճարման "
                           "միջնորդավճար՝ {fee}։",
        "fee_label": "Առաքման պահին վճարման միջնորդավճար",
        "too_large": "Հասանելի չէ {amount}-ից ավելի պատվերների համար",
        "wrong_zone": "Հասանելի չէ առաքման այս տարբերակի համար",
        "instructions": "Ծանրոցը ստանալիս վճարեք առաքիչին կանխիկ՝ {total}",
    },
}

DEFAULT_LOCALE = "en"


def pick_locale(*candidates: str | None) -> str:
    """The first candidate we have words for (``"bn-BD"`` counts as ``"bn"``), else en."""
    for value in candidates:
        language = re.split(r"[-_]", (value or "").strip().lower(), maxsplit=1)[0]
        if language in TEXTS:
            return language
    return DEFAULT_LOCALE


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    words = TEXTS.get(locale, TEXTS[DEFAULT_LOCALE]).get(key) or TEXTS[DEFAULT_LOCALE][key]
    return words.format(**values) if values else words


def money_text(money: Money, locale: str) -> str:
    """``money`` as shoppers read it in ``locale`` (``"1,250.00৳"`` in bn)."""
    return format_currency(money.to_decimal(), money.currency, locale=locale)
