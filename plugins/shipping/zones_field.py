"""The zones setting on the plugin's settings page: the zone form (``form.py``) drawn as
a ``core.sdk.WidgetField``, with the text beside it for import and export.

What is stored is the zones text, as before the form existed, so checkout reads one
format and a merchant's text from earlier keeps working.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError
from jinja2 import Environment, PackageLoader, select_autoescape

from core.sdk import (
    FieldError,
    WidgetContext,
    WidgetField,
    current_store,
    find_place,
    place_name,
    places_of,
)

from .catalogue import _, render
from .defaults import default_zones
from .form import (
    EVERY_COUNTRY,
    FLAT,
    FREE_OVER,
    PICKUP,
    VALUE,
    WEIGHT,
    RowProblems,
    ZoneForm,
    form_from_text,
    kept_zones,
    known_place,
    read_post,
    row_problems,
    with_spare_rows,
    zones_text,
)

KIND_LABELS = (
    (FLAT, _.lazy("A fixed amount")),
    (WEIGHT, _.lazy("By weight")),
    (VALUE, _.lazy("By order amount")),
    (FREE_OVER, _.lazy("Free over an order amount")),
    (PICKUP, _.lazy("Pickup from your shop")),
)
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


@functools.cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader(__package__, "templates"),
                       autoescape=select_autoescape(default=True), trim_blocks=True,
                       lstrip_blocks=True)


@functools.cache
def _asset(name: str) -> str:
    """The form's script or style sheet, put into the page (the admin serves no
    plugin files)."""
    return resources.files(__package__).joinpath(name).read_text("utf-8")


@functools.lru_cache(maxsize=32)
def _place_options(country: str, locale: str) -> tuple[tuple[str, str], ...]:
    """The places to choose from: each name in the merchant's language (and in English
    when it differs), as ``find_place`` reads it back, with the place it is in beside
    it."""
    options: list[tuple[str, str]] = []
    seen: set[str] = set()
    places = places_of(country)
    by_id = {place.id: place for place in places}
    for place in places:
        parent = by_id.get(place.parent_id or "")
        where = place_name(parent, locale) if parent is not None else ""
        for name in dict.fromkeys((place_name(place, locale), place_name(place, "en"))):
            if name.casefold() not in seen:
                seen.add(name.casefold())
                options.append((name, where))
    return tuple(options)


@functools.lru_cache(maxsize=8)
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    """Every country by name in ``locale``: ``(code, name)``, sorted by name."""
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    return tuple(sorted(((code, name) for code, name in names.items()
                         if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "UN")),
                        key=lambda pair: pair[1].casefold()))


@dataclass(frozen=True)
class ZonesField(WidgetField):
    """The zones as a form; stored as the zones text. Empty means the starter zones of
    the store's currency, and the form shows them, so what the merchant reads is what
    applies."""

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        if isinstance(value, str) and value.strip():
            return form_from_text(value)
        try:
            locale = current_store().locale
        except RuntimeError:  # outside a store's request: the English starter
            locale = "en"
        return form_from_text(default_zones(currency, locale))

    def read_form(self, form: Any) -> Any:
        return read_post(form, self.name)

    def _parse(self, raw: Any, *, currency: str) -> Any:
        if raw is None or isinstance(raw, str):
            return (raw or "").strip()
        if raw.from_text or raw.text_only:
            return raw.text.strip()
        if not kept_zones(raw):
            return ""
        if row_problems(raw):
            raise FieldError(_("Nothing was saved: some zones need fixing. The problems are "
                               "shown next to them."))
        return zones_text(raw)[0].strip()

    def render(self, context: WidgetContext) -> str:
        form = context.value if isinstance(context.value, ZoneForm) else \
            form_from_text(str(context.value or ""))
        problems = row_problems(form) if context.error and not (
            form.from_text or form.text_only) else None
        store = context.store
        locale = context.locale
        shown = with_spare_rows(form)
        default_country = store.country or EVERY_COUNTRY
        codes = [code for code in dict.fromkeys(
            [default_country, *(zone.country for zone in shown.zones)]) if code and code != "*"]

        def gettext(message: str, **variables: Any) -> str:
            return _.gettext(message, locale=locale, **variables)

        def in_language(country: str, name: str) -> str:
            """A place's name in the merchant's language, when the data has it and it
            names the same place ("Dhaka city" -> "ঢাকা মহানগর")."""
            place = find_place(country, name) if name and "|" not in name else None
            if place is None:
                return name
            local = place_name(place, locale)
            return local if find_place(country, local) == place else name

        def digits(text: str) -> str:
            return text.translate(_BENGALI_DIGITS) if store.bengali_digits else text

        def countries(chosen: str) -> list[tuple[str, str]]:
            every = _countries(locale)
            first = [pair for pair in every if pair[0] == default_country]
            rest = [pair for pair in every if pair[0] != default_country]
            listed = [*first, (EVERY_COUNTRY, gettext("Every country")), *rest]
            if chosen and chosen not in {code for code, _name in listed}:
                listed.append((chosen, chosen))
            return listed

        return _templates().get_template("zones_form.html").render(
            _=gettext, name=self.name, id=context.id, form=shown, store=store,
            problems=problems or _NO_PROBLEMS, default_country=default_country,
            kinds=[(kind, render(label, locale)) for kind, label in KIND_LABELS],
            countries=countries, digits=digits, in_language=in_language,
            number=lambda n: digits(str(n)),
            known=lambda country, name: known_place(country, name) or not places_of(country),
            datalists=[code for code in codes if places_of(code)],
            datalist=lambda code: f"{self.name}-places-{code}",
            places=lambda code: _place_options(code, locale),
            text_id=context.id if form.text_only else f"{self.name}-text",
            text_error=bool(context.error) and problems is None,
            describedby=context.describedby or "",
            text_help=gettext("The same zones as lines of text: copy them to keep a copy, or "
                              "paste zones in. A zone line, then its delivery options under "
                              "it, e.g. “Inside Dhaka: BD / * / Dhaka city” and “  Home "
                              "delivery: 70 (1-2 days)”. When you change the text, the text "
                              "is saved instead of the form."),
            script=_asset("zones_form.js"), style=_asset("zones_form.css"))


_NO_PROBLEMS = RowProblems()
