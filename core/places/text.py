"""How place names and addresses are compared: words folded so that spellings meet.

An address is read as *runs* of words. Commas, slashes, full stops and numbers end a
run ("Mirpur-10, Dhaka-1216" is the runs ``[mirpur]`` and ``[dhaka]``). Hyphens and
spaces do not ("Sher-e-Bangla Nagar" is one run of four words), nor does a full stop
or slash after a single letter ("N.Ganj", "R/A"). A name is looked up as the words of
a run joined without spaces, so "Dhan mondi" meets "Dhanmondi".

Each word is folded so that the usual variants of one name become the same key:

* case, accents, and any digit script (``১২০৫`` is ``1205``);
* in Bengali, the nukta, candrabindu and joiners, ণ/ন, ী/ি and ূ/ু (``নারায়ণগঞ্জ``
  and ``নারায়নগঞ্জ``; ``কেরানীগঞ্জ`` and ``কেরাণীগঞ্জ``);
* in Latin transliteration, doubled letters, ``sh``/``s``, ``gh``/``g``, ``th``/``t``,
  ``ee``/``i``, ``oo``/``u`` and ``gonj``/``ganj`` (``Basabo`` and ``Bashabo``,
  ``Lalbag`` and ``Lalbagh``, ``Kallyanpur`` and ``Kalyanpur``);
* Armenian ``և`` and ``եւ``, Russian ``ё`` and ``е``.

Spellings further apart than that ("Chittagong" and "Chattogram") are aliases in the
data files, not guesses here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

#: Bengali marks that writers use or drop freely: nukta, candrabindu, ZWNJ, ZWJ.
_DROPPED = dict.fromkeys(map(ord, "\u09bc\u0981\u200c\u200d"))
_SPELLINGS = str.maketrans({"ণ": "ন", "ী": "ি", "ূ": "ু", "ё": "е"}) | {
    k: None for k in _DROPPED}
_LATIN = ((re.compile(r"gonj"), "ganj"), (re.compile(r"ee"), "i"), (re.compile(r"oo"), "u"),
          (re.compile(r"([a-z])\1+"), r"\1"), (re.compile(r"(?<=[sgt])h"), ""))


def fold(word: str) -> str:
    """One word's comparison key (the word is already lower-cased letters only)."""
    word = word.translate(_SPELLINGS)
    plain = "".join(c for c in unicodedata.normalize("NFKD", word)
                    if not unicodedata.combining(c))
    if plain.isascii():
        for pattern, replacement in _LATIN:
            plain = pattern.sub(replacement, plain)
        return plain
    return word


def _kind(char: str) -> str:
    """``"w"`` for a letter or mark, ``"d"`` for a digit, ``" "`` for a joiner inside a
    run (space, hyphen, apostrophe), ``","`` for anything that ends a run."""
    category = unicodedata.category(char)
    if category[0] in "LM" or char in "\u200c\u200d":
        return "w"
    if category == "Nd":
        return "d"
    if char in " \t-–—'’":
        return " "
    return ","


def runs(text: str) -> Iterator[list[str]]:
    """The runs of folded words in ``text``, in order (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    run: list[str] = []
    word: list[str] = []
    for char in text + ",":
        if char in "./" and len(word) == 1:
            continue  # an initial: "N.Ganj" is one word, "R/A" another
        kind = _kind(char)
        if kind == "w":
            word.append(char)
            continue
        if word:
            run.append(fold("".join(word)))
            word = []
        if kind in (",", "d") and run:
            yield run
            run = []


def name_key(name: str) -> str:
    """The key of a whole name: all its words folded and joined ("Sher-e-Bangla Nagar"
    is ``serebanglanagar``); ``""`` for a name without letters."""
    return "".join(word for run in runs(name) for word in run)

