"""What the Pathao plugin says, in English, Bengali and Armenian.

The shopper's words (the delivery option at checkout) live in ``TEXTS``, keyed by the
shopper's locale, falling back to English. The merchant's words (the plugin's title,
settings, and the booking refusals shown on the order page) come from ``_``, the
plugin's own catalogue in ``translations/<language>/LC_MESSAGES/messages.po``, in the
admin's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

#: The merchant's words, in the admin's language (``_.lazy`` for what the manifest holds).
_ = PluginText(__package__)

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "label": "Pathao home delivery",
        "description": "Delivered by Pathao Courier",
    },
    "bn": {
        "label": "পাঠাও হোম ডেলিভারি",
        "description": "পাঠাও কুরিয়ার পৌঁছে দেবে",
    },
    "hy": {
        "label": "Pathao առաքում տուն",
        "description": "Առաքում է Pathao Courier-ը",
    },
}


def text(locale: str, key: str) -> str:
    """The shopper's words for ``key`` in ``locale`` (English when missing)."""
    language = (locale or "en").split("-")[0].split("_")[0]
    return TEXTS.get(language, TEXTS["en"]).get(key) or TEXTS["en"][key]
