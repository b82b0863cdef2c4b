"""What the plugin itself says to shoppers, in English, Bengali and Armenian.

Delivery option labels are the merchant's own words and are never translated. Only the
words the plugin adds (a "Free" note, delivery days, why an address gets no rates) live
here, because a plugin may import only ``core.sdk`` and cannot use Haat's gettext
catalogues. Placeholders are ``str.format`` fields; numbers are written by the caller's
``number`` function (``core.sdk.format_number`` for the store, so a store with Bengali
digits reads "১-২ দিন"), with Latin digits when none is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "carrier_label": "Delivery",
        "free": "Free",
        "same_day": "Same day",
        "days_one": "{days} day",
        "days_other": "{days} days",
        "days_range": "{min}-{max} days",
        "separator": " · ",
        "no_zone": "We do not deliver to this area yet.",
        "no_rate": "None of our delivery options fits this order for this address. "
                   "Please contact us.",
    },
    "bn": {
        "carrier_label": "ডেলিভারি",
        "free": "ফ্রি",
        "same_day": "একই দিনে",
        "days_one": "{days} দিন",
        "days_other": "{days} দিন",
        "days_range": "{min}-{max} দিন",
        "separator": " · ",
        "no_zone": "এই এলাকায় আমরা এখনো ডেলিভারি দিই না।",
        "no_rate": "এই ঠিকানায় এই অর্ডারের জন্য আমাদের কোনো ডেলিভারি অপশন নেই। "
                   "অনুগ্রহ করে আমাদের সাথে যোগাযোগ করুন।",
    },
    "hy": {
        "carrier_label": "Առաքում",
        "free": "Անվճար",
        "same_day": "Նույն օրը",
        "days_one": "{days} օր",
        "days_other": "{days} օր",
        "days_range": "{min}-{max} օր",
        "separator": " · ",
        "no_zone": "Այս տարածք մենք դեռ չենք առաքում։",
        "no_rate": "Այս պատվերի համար այս հասցեով առաքման տարբերակ չունենք։ "
                   "Խնդրում ենք կապվել մեզ հետ։",
    },
}

DEFAULT_LOCALE = "en"


def language(locale: str | None) -> str:
    """The language part of ``locale`` (``"bn-BD"`` -> ``"bn"``), lowercase."""
    return (locale or "").replace("_", "-").split("-", 1)[0].strip().lower()


def text(locale: str | None, key: str, **values: object) -> str:
    """The words for ``key`` in ``locale`` (English when the locale or key is missing)."""
    words = (TEXTS.get(language(locale), TEXTS[DEFAULT_LOCALE]).get(key)
             or TEXTS[DEFAULT_LOCALE][key])
    return words.format(**values) if values else words


def days_text(locale: str | None, min_days: int | None, max_days: int | None,
              number: Callable[[int], str] = str) -> str:
    """"1-2 days", "3 days" or "Same day" in ``locale``; empty when the days are unknown.

    ``number`` writes each count ("১" for 1 in a store with Bengali digits); the choice
    of "day" or "days" goes by the count itself."""
    if min_days is None or max_days is None:
        return ""
    if max_days == 0:
        return text(locale, "same_day")
    if min_days == max_days:
        return text(locale, "days_one" if max_days == 1 else "days_other",
                    days=number(max_days))
    return text(locale, "days_range", min=number(min_days), max=number(max_days))
