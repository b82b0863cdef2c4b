"""Text handling shared by both embedded engines: normalising, tokenising, typo distance
and highlighting.

Both engines index *pre-tokenised* text: this module splits and folds every word, and the
database only ever sees folded words joined by spaces. That keeps English, Bengali and
Armenian tokenisation identical on SQLite and PostgreSQL and independent of the
database's locale.

A word is a run of letters, digits and combining marks (Unicode categories L, N and M),
plus the zero-width (non-)joiner and soft hyphen inside it. Marks matter: Bengali vowel
signs (``ি``, ``া``) and the virama are Mn/Mc characters, and a tokenizer that splits
on them (SQLite FTS5's default ``unicode61``, or Python's ``\\w``) shreds ``নকশি`` into
``নকশ``. Folding a word means: NFC, zero-width joiners and soft hyphens removed, every
decimal digit as ASCII (``১০০`` → ``100``), full Unicode case folding (Armenian has case:
``Գիրք`` → ``գիրք``), Latin/Greek/Cyrillic accents removed (``café`` → ``cafe``), and at
most :data:`MAX_WORD` characters. Bengali signs are letters of the word, never removed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import escape

#: Longest folded word kept (longer words are cut).
MAX_WORD = 64
#: Words of a query that are used; the rest are ignored.
MAX_QUERY_WORDS = 10

_JOINERS = "\u200c\u200d\u00ad\u2060"


def _mark_ranges() -> str:
    """A regex character-class body with every combining mark (category M*)."""
    ranges: list[tuple[int, int]] = []
    for code in [*range(0x300, 0x20000), *range(0xE0100, 0xE01F0)]:
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                   for lo, hi in ranges)


_WORD = re.compile(rf"(?:[^\W_]|[{_mark_ranges()}{_JOINERS}])+")


def _translation() -> dict[int, int | None]:
    table: dict[int, int | None] = dict.fromkeys(map(ord, _JOINERS))
    for code in range(0x80, 0x20000):  # no decimal digit lies beyond
        char = chr(code)
        if char.isdecimal():
            table[code] = ord(str(unicodedata.decimal(char)))
    return table


_TRANSLATE = _translation()


# Letters that may carry accents (Latin, Greek, Cyrillic) and the combining accents.
_ACCENTED = re.compile("[\u00c0-\u04ff\u1e00-\u1fff\u0300-\u036f]")


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    kept = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", kept)


@functools.lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    if not unicodedata.is_normalized("NFC", word):
        word = unicodedata.normalize("NFC", word)
    word = word.translate(_TRANSLATE).casefold()
    if _ACCENTED.search(word):
        word = _strip_accents(word)
    elif not unicodedata.is_normalized("NFC", word):  # case folding can decompose
        word = unicodedata.normalize("NFC", word)
    return word[:MAX_WORD]


def fold(word: str) -> str:
    """The searchable form of one word (see the module docstring)."""
    if word.isascii():
        return word.lower()[:MAX_WORD]
    return _fold(word)


@dataclass(frozen=True)
class Span:
    """A word of a text: where it is and its folded form."""

    start: int
    end: int
    word: str


def spans(text: str) -> list[Span]:
    """The words of ``text`` with their positions (folded words that end up empty, such
    as a lone joiner, are left out)."""
    found = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if word:
            found.append(Span(match.start(), match.end(), word))
    return found


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    if text.isascii():
        return [w[:MAX_WORD] for w in _WORD.findall(text.lower())]
    return [s.word for s in spans(text)]


def terms(text: str) -> str:
    """The folded words of ``text`` joined by single spaces (what the engines index)."""
    return " ".join(words(text))


# ------------------------------------------------------------------------ typos


def max_typos(word: str) -> int:
    """Typos tolerated in a query word, by length in characters (code points): none up
    to 3, one from 4, two from 8. Words with a digit (SKUs, sizes) must match as typed.

    Meilisearch starts at 5 and 9 letters; Bengali words are short in letters but
    every vowel sign is a character of its own, and Armenian book titles are short
    (``գիրք``), so Haat starts one earlier.
    """
    if any(c.isdigit() for c in word):
        return 0
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance (insert, delete, substitute, swap two
    neighbours), or ``limit + 1`` once it is sure to exceed ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]):
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def prefix_distance(word: str, term: str, limit: int) -> int:
    """How many typos make ``word`` a prefix of ``term`` (for the word being typed)."""
    best = limit + 1
    for length in range(max(1, len(word) - limit), min(len(term), len(word) + limit) + 1):
        best = min(best, distance(word, term[:length], limit))
        if best == 0:
            break
    return best


@functools.lru_cache(maxsize=64)
def _alphabet(script: str) -> tuple[str, ...]:
    """The folded letters and marks of a script ("BENGALI", "ARMENIAN", ...; Latin is
    a to z, as accents are folded away)."""
    if script == "LATIN":
        return tuple("abcdefghijklmnopqrstuvwxyz")
    found = []
    for code in range(0x370, 0x3000):
        char = chr(code)
        if (unicodedata.category(char)[0] in "LM" and _script(char) == script
                and fold(char) == char):
            found.append(char)
    return tuple(found)


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def one_typo_away(word: str) -> set[str]:
    """Every NFC string one edit (delete, swap neighbours, change, insert) from ``word``,
    with letters of the scripts of ``word``'s own letters."""
    letters: set[str] = set()
    for script in {_script(char) for char in word}:
        letters.update(_alphabet(script))
    found = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        for letter in letters:
            found.add(head + letter + tail)
            if tail:
                found.add(head + letter + tail[1:])
        if tail:
            found.add(head + tail[1:])
            if len(tail) > 1:
                found.add(head + tail[1] + tail[0] + tail[2:])
    found.discard(word)
    return {v if v.isascii() else unicodedata.normalize("NFC", v) for v in found}


def grams(term: str) -> set[str]:
    """The distinct bigrams of ``term`` padded with start and end markers.

    One edit destroys at most three of them (a swap of neighbours), so a term within
    ``k`` typos of a word shares at least ``len(grams(word)) - 3k`` of the word's
    bigrams: that is the candidate filter of the SQLite engine.
    """
    padded = f"\x02{term}\x03"
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


def prefix_grams(word: str) -> set[str]:
    """The bigrams of ``word`` that a term starting with ``word`` also has."""
    padded = f"\x02{word}"
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


def successor(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# ------------------------------------------------------------------- highlights


def highlight(text: str, matched: Iterable[str] | set[str]) -> str:
    """``text`` escaped as HTML, with every word whose folded form is in ``matched``
    wrapped in ``<mark>``."""
    matched = matched if isinstance(matched, set | frozenset) else set(matched)
    return _render(text, spans(text), matched, 0, len(text))


def snippet(text: str, matched: set[str] | frozenset[str], *, before: int = 8,
            size: int = 30, scan: int = 2000) -> str:
    """About ``size`` words of ``text`` around its first matched word in its first
    ``scan`` characters (else its start), escaped, with matches marked and "…" where
    text was cut."""
    found = spans(text[:scan])
    if not found:
        return str(escape(text.strip()))
    first = next((i for i, s in enumerate(found) if s.word in matched), 0)
    low = max(0, first - before) if first else 0
    high = min(len(found), low + size)
    low = max(0, min(low, high - size))
    start = 0 if low == 0 else found[low].start
    end = len(text) if high == len(found) else found[high - 1].end
    body = _render(text, found[low:high], matched, start, end).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _render(text: str, found: Sequence[Span], matched: set[str] | frozenset[str],
            start: int, end: int) -> str:
    out: list[str] = []
    position = start
    for span in found:
        if span.start < start or span.end > end:
            continue
        if span.word in matched:
            out.append(str(escape(text[position:span.start])))
            out.append(f"<mark>{escape(text[span.start:span.end])}</mark>")
            position = span.end
    out.append(str(escape(text[position:end])))
    return "".join(out)
