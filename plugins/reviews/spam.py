"""The spam filter: reviews with links, phone numbers, repeated text or blocked words
wait for the merchant (status ``held``) instead of being published.

:func:`check` returns a short code saying why (``""`` when the review looks fine), kept
in ``Review.held_reason``: ``link``, ``phone``, ``repeated`` (a character or word many
times, or the text of another recent review) or ``word:<the word>``.
:func:`reason_text` turns a code into the English sentence of the merchant's CSV (the
admin translates the codes on screen: ``admin.held_reason_text``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from core.sdk import StoreInfo, store_session

from .models import Review, now

#: How far back "the same text as another review" looks.
REPEAT_WINDOW = timedelta(days=30)
#: Texts shorter than this may well be written twice by honest shoppers ("Very good").
REPEAT_MIN_LENGTH = 25

#: Common spam and scam words, kept short and real (not a profanity list). The merchant
#: adds their own in the settings (``blocked_words``).
WORDS: dict[str, tuple[str, ...]] = {
    "en": ("casino", "betting", "lottery", "jackpot", "bitcoin", "crypto", "forex",
           "viagra", "earn money", "work from home", "click here", "free money",
           "whatsapp me", "telegram"),
    "bn": ("ক্যাসিনো", "জুয়া", "বেটিং", "লটারি", "বিটকয়েন", "ক্রিপ্টো", "ঘরে বসে আয়",
           "ঘরে বসে ইনকাম", "ফ্রি টাকা", "হোয়াটসঅ্যাপ করুন", "টেলিগ্রাম"),
    "hy": ("կազինո", "խաղադրույք", "վիճակախաղ", "բիթքոյն", "կրիպտո", "ֆորեքս",
           "տնից աշխատանք", "անվճար գումար", "սեղմեք այստեղ", "տելեգրամ"),
}

_DIGIT = "0-9\u09e6-\u09ef"  # ASCII and Bengali digits
#: A link: a scheme, ``www.``, or a name followed by a well-known top-level domain.
_LINK = re.compile(
    r"https?://|\bwww\.|\b[a-z0-9][a-z0-9-]*\.(?:com|net|org|info|biz|xyz|top|site|online|"
    r"shop|store|club|link|live|io|co|me|ly|gl|tk|ml|ga|cf|ru|in|bd|am|uk|us|app|dev)\b",
    re.IGNORECASE)
#: Seven or more digits in a run, with single spaces or dashes between them.
_PHONE = re.compile(rf"\+?[{_DIGIT}](?:[ \-]?[{_DIGIT}]){{6,}}")
#: A date written with dashes ("12-05-2024") is no phone number.
_DATE = re.compile(rf"[{_DIGIT}]{{1,2}}-[{_DIGIT}]{{1,2}}-[{_DIGIT}]{{2,4}}")
#: One character ten times or more in a row ("!!!!!!!!!!", "aaaaaaaaaa").
_SAME_CHARACTER = re.compile(r"(\S)\1{9,}")
#: One word five times or more in a row ("buy buy buy buy buy").
_SAME_WORD = re.compile(r"(?<!\w)(\w+)(?:\W+\1(?!\w)){4,}", re.IGNORECASE)
#: Letters of Bengali words include vowel signs that ``\w`` does not match.
_WORD_CHARS = r"\w\u0980-\u09ff"


def normalise(text: str) -> str:
    """``text`` as the filter compares it: NFC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def has_link(text: str) -> bool:
    """True when ``text`` holds a web address."""
    return bool(_LINK.search(text))


def has_phone(text: str) -> bool:
    """True when ``text`` holds a phone number (7+ digits, ASCII or Bengali)."""
    return any(not _DATE.fullmatch(found.group(0)) for found in _PHONE.finditer(text))


def is_repetitive(text: str) -> bool:
    """True when a character or a word is repeated many times in a row."""
    return bool(_SAME_CHARACTER.search(text) or _SAME_WORD.search(text))


def blocked_word(text: str, words: Iterable[str]) -> str:
    """The first of ``words`` (a word or phrase) found whole in ``text``, ignoring case
    and spacing; ``""`` when none is."""
    folded = normalise(text)
    for word in words:
        wanted = normalise(word)
        if not wanted:
            continue
        pattern = r"\s+".join(re.escape(part) for part in wanted.split())
        if re.search(rf"(?<![{_WORD_CHARS}]){pattern}(?![{_WORD_CHARS}])", folded):
            return " ".join(word.split())
    return ""


def built_in_words() -> tuple[str, ...]:
    """Every language's built-in words (a review may mix languages)."""
    return tuple(word for words in WORDS.values() for word in words)


def is_duplicate(store: StoreInfo, body: str, *, exclude_id: int | None = None) -> bool:
    """True when another review of ``store`` from the last 30 days has the same text."""
    text = body.strip()
    if len(text) < REPEAT_MIN_LENGTH:
        return False
    query = select(Review.id).where(Review.body == text,
                                    Review.created_at >= now() - REPEAT_WINDOW).limit(1)
    if exclude_id is not None:
        query = query.where(Review.id != exclude_id)
    with store_session(store) as session:
        return session.scalar(query) is not None


def check(store: StoreInfo, title: str, body: str, blocked: Iterable[str] = (), *,
          exclude_id: int | None = None, name: str = "") -> str:
    """Why the review with ``title``, ``body`` and the shown ``name`` should be held, as
    a short code, or ``""`` when it may go on. ``blocked`` is the merchant's own list.
    The name is checked too: it is shown beside the review, so "Call 01711000000" as a
    name is as much an advert as in the text."""
    text = f"{name}\n{title}\n{body}"
    if has_link(text):
        return "link"
    if has_phone(text):
        return "phone"
    if is_repetitive(text):
        return "repeated"
    word = blocked_word(text, (*built_in_words(), *blocked))
    if word:
        return f"word:{word}"[:300]
    if is_duplicate(store, body, exclude_id=exclude_id):
        return "repeated"
    return ""


_ENGLISH = {
    "link": "It contains a link.",
    "phone": "It contains a phone number.",
    "repeated": "It repeats itself, or another recent review, word for word.",
}


def reason_text(code: str) -> str:
    """The English sentence for a held reason code (for the merchant's CSV)."""
    if code.startswith("word:"):
        return f'It contains the blocked word "{code[5:]}".'
    return _ENGLISH.get(code, code)
