"""A plugin's own words in the merchant's and the shopper's language: its gettext catalogue.

A plugin cannot use Haat's catalogues (they hold Haat's words, and a plugin may import
only ``core.sdk``), so it ships its own, one ``.po`` file per language inside its package::

    haat_save_for_later/
        translations/
            bn/LC_MESSAGES/messages.po
            hy/LC_MESSAGES/messages.po

and translates through a :class:`PluginText` made once at import time::

    from core.sdk import PluginManifest, PluginText, TextField

    _ = PluginText(__package__)

    manifest = PluginManifest(
        name="save-for-later",
        title=_.lazy("Save for later"),
        settings=(TextField("limit", _.lazy("Most items per shopper")),),
    )

    def note(count: int) -> str:
        return _.ngettext("%(num)s item saved", "%(num)s items saved", count)

The language is the one of the moment (:func:`core.sdk.current_locale`): the staff
member's admin language on ``/admin`` pages, the shopper's language on storefront pages,
the store's default elsewhere. A message without a translation is shown in English (the
``msgid``). ``.po`` files are read directly with Babel (no compile step); a package that
ships only compiled ``.mo`` files works too. Each catalogue is read once per process.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import threading
from collections.abc import Iterator, Mapping
from gettext import NullTranslations
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = ["CATALOGUE_FOLDER", "LazyText", "PluginText"]

#: The folder inside a plugin's package that holds its catalogues:
#: ``translations/<language>/LC_MESSAGES/<domain>.po``.
CATALOGUE_FOLDER = "translations"

log = logging.getLogger("haat.plugins")

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


class PluginText:
    """A plugin's gettext catalogue (``<package>/translations/<lang>/LC_MESSAGES/<domain>.po``).

    Make one per plugin at import time, usually as ``_ = PluginText(__package__)``, and
    call it like ``gettext``. ``package`` is the dotted name of the package that holds the
    ``translations`` folder; it is found with :mod:`importlib.resources`, so catalogues are
    read from an installed wheel as well as from a source checkout (list the ``.po`` files
    as package data). ``domain`` names the catalogue file (``messages.po``).
    """

    def __init__(self, package: str, *, domain: str = "messages") -> None:
        if not isinstance(package, str) or not package:
            raise TypeError("PluginText needs the plugin's package name, e.g. "
                            "PluginText(__package__)")
        self.package = package
        self.domain = domain
        self._catalogues: dict[str, NullTranslations] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PluginText({self.package!r}, domain={self.domain!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Jobs pickle their arguments: a lazy text travels as (package, domain, message).
        return (_plugin_text, (self.package, self.domain))

    # ------------------------------------------------------------------ translating

    def gettext(self, message: str, /, *, locale: str | None = None, **variables: Any) -> str:
        """``message`` in ``locale`` (``None``: the current language), with ``%(name)s``
        placeholders filled in from ``variables``. English when there is no translation."""
        translated = self.catalogue(locale).gettext(message)
        return _fill(translated, message, variables)

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, *, locale: str | None = None,
                 **variables: Any) -> str:
        """The form of ``singular``/``plural`` for the count ``n`` in ``locale``.

        ``%(num)s`` is ``n`` unless ``num`` is given: pass
        ``num=core.sdk.format_number(store, n, locale)`` to write it in the store's digits.
        """
        variables.setdefault("num", n)
        translated = self.catalogue(locale).ngettext(singular, plural, n)
        return _fill(translated, singular if n == 1 else plural, variables)

    def lazy(self, message: str, /, **variables: Any) -> LazyText:
        """A text translated each time it is shown, in the language of that moment: for
        what is made at import time (the manifest's title and description, settings
        labels, help texts and choice labels)."""
        return LazyText(self, message, variables)

    # ------------------------------------------------------------------ catalogues

    def catalogue(self, locale: str | None = None) -> NullTranslations:
        """The compiled catalogue for ``locale`` (``None``: the current language); an
        empty one (English) when the plugin has none for that language."""
        language = _language(locale if locale is not None else _current_locale())
        found = self._catalogues.get(language)
        if found is None:
            with self._lock:
                found = self._catalogues.get(language)
                if found is None:
                    found = self._load(language)
                    self._catalogues[language] = found
        return found

    def catalogue_files(self) -> dict[str, Traversable]:
        """``{language: file}`` for every catalogue the package ships (the ``.po`` file
        when there is one, else the ``.mo``)."""
        root = self._root()
        found: dict[str, Traversable] = {}
        if root is None:
            return found
        for folder in sorted(root.iterdir(), key=lambda item: item.name):
            if folder.is_dir():
                source = _source(folder, self.domain)
                if source is not None:
                    found[folder.name] = source
        return found

    def _root(self) -> Traversable | None:
        if importlib.util.find_spec(self.package) is None:
            raise ModuleNotFoundError(f"PluginText: no package named {self.package!r}")
        root = files(self.package) / CATALOGUE_FOLDER
        return root if root.is_dir() else None

    def _load(self, language: str) -> NullTranslations:
        if not language or language == "en":
            return NullTranslations()  # the msgids are the English text
        root = self._root()
        source = _source(root / language, self.domain) if root is not None else None
        if source is None:
            return NullTranslations()
        try:
            return _read(source, language, self.domain)
        except Exception:  # a broken file must not take the admin down: English instead
            log.exception("cannot read the %s catalogue of %s (%s)", language, self.package,
                          source)
            return NullTranslations()


class LazyText:
    """A message of a :class:`PluginText`, translated whenever it is turned into text.

    It behaves like the text of the moment: ``str()``, formatting, comparison and the
    methods of ``str`` all use the translation in the current language.
    """

    __slots__ = ("_text", "message", "variables")

    def __init__(self, text: PluginText, message: str,
                 variables: Mapping[str, Any] | None = None) -> None:
        self._text = text
        #: The English text, which is also the ``msgid`` in the catalogue.
        self.message = message
        #: Values for the ``%(name)s`` placeholders.
        self.variables = dict(variables or {})

    def __str__(self) -> str:
        return self._text.gettext(self.message, **self.variables)

    def __repr__(self) -> str:
        return f"<LazyText {self.message!r} of {self._text.package}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyText, (self._text, self.message, self.variables))

    def __bool__(self) -> bool:
        return bool(self.message)

    def __len__(self) -> int:
        return len(str(self))

    def __iter__(self) -> Iterator[str]:
        return iter(str(self))

    def __contains__(self, item: object) -> bool:
        return item in str(self)

    def __getitem__(self, key: Any) -> str:
        return str(self)[key]

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyText) else other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __le__(self, other: object) -> bool:
        return str(self) <= str(other)

    def __gt__(self, other: object) -> bool:
        return str(self) > str(other)

    def __ge__(self, other: object) -> bool:
        return str(self) >= str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __getattr__(self, name: str) -> Any:
        # str's methods (lower, strip, startswith...) on the translated text.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)


# ---------------------------------------------------------------------- helpers


def _plugin_text(package: str, domain: str) -> PluginText:
    return PluginText(package, domain=domain)


def _language(locale: str) -> str:
    """The language part of ``locale``, lower case: ``"bn-BD"`` and ``"bn_BD"`` give
    ``"bn"``; the folder a catalogue is looked up in. Anything that is not a language
    code gives ``""`` (English), so no other folder is ever read."""
    code = str(locale or "").replace("-", "_").split("_", 1)[0].split(".", 1)[0]
    code = code.strip().lower()
    return code if _LANGUAGE_CODE.fullmatch(code) else ""


def _source(folder: Traversable, domain: str) -> Traversable | None:
    messages = folder / "LC_MESSAGES"
    for name in (f"{domain}.po", f"{domain}.mo"):
        candidate = messages / name
        if candidate.is_file():
            return candidate
    return None


def _read(source: Traversable, language: str, domain: str) -> Translations:
    with source.open("rb") as handle:
        data = handle.read()
    if source.name.endswith(".mo"):
        return Translations(io.BytesIO(data), domain=domain)
    catalogue = read_po(io.BytesIO(data), locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # leaves out fuzzy and untranslated entries, as msgfmt
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def _fill(translated: str, english: str, variables: Mapping[str, Any]) -> str:
    """``translated % variables``; the English text when a translation's placeholders
    do not match (a translator's slip must not break the page)."""
    if not variables:
        return translated
    try:
        return translated % variables
    except (KeyError, ValueError, TypeError):
        if translated is english:
            raise
        log.warning("translation %r does not fit its variables; showing English", translated)
        return english % variables


def _current_locale() -> str:
    """The language of the moment: :func:`core.sdk.current_locale` (loaded on first use,
    as it calls into Haat's core)."""
    from core.sdk.web import current_locale

    return current_locale()
