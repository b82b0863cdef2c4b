"""What the cash-on-delivery plugin says, in English, Bengali and Armenian.

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


def pick_locale(*candidates: str | None) -> str:
    """The first candidate this plugin has words for (``"bn-BD"`` counts as ``"bn"``),
    else en."""
    return manual_payments.pick_locale(*candidates, locales=TEXTS)


def text(locale: str, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    return manual_payments.lookup(TEXTS, locale, key, **values)
