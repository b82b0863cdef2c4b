"""Is a plugin fully translated? A check for plugin authors' tests.

:func:`untranslated` finds every message a plugin's package uses (with Babel's
extractors, the way ``pybabel extract`` does: ``_("...")``, ``_.lazy("...")``,
``_.ngettext(...)``, and ``t("...")`` in its Jinja templates) and every message of its
``.po`` files, and reports each one that a language's catalogue does not translate:
missing, empty, marked fuzzy, or with placeholders that differ from the English text.
A plugin's test then reads::

    from core.pluginhost.translations import assert_translated

    def test_every_message_is_translated():
        assert_translated("haat_save_for_later")          # Bengali and Armenian
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.sdk.text import CATALOGUE_FOLDER

__all__ = [
    "DEFAULT_LANGUAGES",
    "KEYWORDS",
    "Untranslated",
    "assert_translated",
    "untranslated",
    "used_messages",
]

#: The languages Haat's shoppers read besides English (the admin is English or Bengali).
DEFAULT_LANGUAGES: tuple[str, ...] = ("bn", "hy")

#: The calls whose first string (two for ``ngettext``) is a message: a ``PluginText``
#: bound to ``_`` (``_()``, ``_.gettext()``, ``_.ngettext()``, ``_.lazy()``) and passed to
#: templates as ``t``.
KEYWORDS: Mapping[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2),
                               "lazy": None, "t": None}

#: Which files are searched for messages, relative to the package folder.
METHOD_MAP: list[tuple[str, str]] = [("**.py", "python"), ("**.html", "jinja2")]


@dataclass(frozen=True, order=True)
class Untranslated:
    """A message that a language's catalogue does not translate."""

    #: The language code, e.g. ``"bn"``.
    language: str
    #: The message id (the English text; the singular of a plural message).
    message: str
    #: Why: ``"missing"``, ``"empty"``, ``"fuzzy"`` or a placeholder problem.
    problem: str
    #: Where the message is used or listed (``file:line``).
    where: str = ""

    def __str__(self) -> str:
        place = f" ({self.where})" if self.where else ""
        return f"{self.language}: {self.message!r} is {self.problem}{place}"


def package_folder(package: str) -> Path:
    """The folder of the installed package ``package``."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package!r} is not an importable package")
    return Path(next(iter(spec.submodule_search_locations)))


def used_messages(package: str, *, keywords: Mapping[str, Any] = KEYWORDS) -> dict[str, str]:
    """``{message id: "file:line"}`` of every message the package's Python files and
    templates pass to ``keywords`` (its first use)."""
    folder = package_folder(package)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder), METHOD_MAP, keywords=dict(keywords), strip_comment_tags=True):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in found:
            found[msgid] = f"{filename}:{lineno}"
    return found


def _catalogues(folder: Path, language: str) -> list[tuple[Path, Catalog]]:
    """Every ``.po`` file of ``language`` in the package (one per domain), parsed."""
    messages = folder / CATALOGUE_FOLDER / language / "LC_MESSAGES"
    parsed = []
    for path in sorted(messages.glob("*.po")):
        with path.open("rb") as handle:
            parsed.append((path, read_po(handle, locale=language, abort_invalid=True)))
    return parsed


def _listed(folder: Path, languages: Iterable[str]) -> dict[str, str]:
    """Every message id of the package's ``.po`` files (of any language), with its file."""
    listed: dict[str, str] = {}
    languages_found = {path.name for path in (folder / CATALOGUE_FOLDER).glob("*")
                       if path.is_dir()}
    for language in sorted(languages_found | set(languages)):
        for path, catalogue in _catalogues(folder, language):
            for message in catalogue:
                if message.id:
                    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                    listed.setdefault(msgid, str(path.relative_to(folder)))
    return listed


def _problem(catalogues: list[tuple[Path, Catalog]], msgid: str) -> str | None:
    """Why no catalogue of a language translates ``msgid``; ``None`` when one does."""
    problem = "missing"
    for _path, catalogue in catalogues:
        message = catalogue.get(msgid)
        if message is None:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problem = "empty"
        elif message.fuzzy:
            problem = "fuzzy"
        else:
            errors = message.check(catalogue)
            if not errors:
                return None
            problem = f"mistranslated: {errors[0]}"
    return problem


def untranslated(package: str, languages: Iterable[str] = DEFAULT_LANGUAGES, *,
                 keywords: Mapping[str, Any] = KEYWORDS) -> list[Untranslated]:
    """Every message of ``package`` (used in its code or templates, or listed in one of
    its ``.po`` files) that is not translated into each of ``languages``, sorted.

    A message counts as translated when one of the language's catalogues (any domain)
    has a non-empty, non-fuzzy translation whose ``%(name)s`` placeholders match the
    English text's. An unreadable ``.po`` file raises ``PoFileError``.
    """
    folder = package_folder(package)
    wanted = tuple(languages)
    messages = {**_listed(folder, wanted), **used_messages(package, keywords=keywords)}
    found = []
    for language in wanted:
        catalogues = _catalogues(folder, language)
        for msgid, where in messages.items():
            problem = _problem(catalogues, msgid)
            if problem is not None:
                found.append(Untranslated(language, msgid, problem, where))
    return sorted(found)


def assert_translated(package: str, languages: Iterable[str] = DEFAULT_LANGUAGES, *,
                      keywords: Mapping[str, Any] = KEYWORDS) -> None:
    """Fail (``AssertionError``) naming every message :func:`untranslated` reports."""
    __tracebackhide__ = True
    missing = untranslated(package, languages, keywords=keywords)
    if missing:
        lines = "\n".join(f"  {item}" for item in missing)
        raise AssertionError(f"{package}: {len(missing)} untranslated message(s):\n{lines}")
