"""The long option lists of an address form, as ready HTML.

The checkout's country ``<select>`` has some 250 options and Bangladesh's region and
city suggestions over 200 more. Looping over them in Jinja on every checkout render
cost more than the rest of the form; they depend only on the shopper's language, the
store's country and the country chosen (public reference data, nothing of a store's
own), so each list is built once per process and joined with the chosen option on
each request. The HTML is what the templates' loops wrote.
"""

from __future__ import annotations

import functools

from markupsafe import Markup, escape

from core.countries import country_names
from core.places.choices import address_choices


def ordered_countries(locale: str, home: str) -> dict[str, str]:
    """Country code -> name in ``locale``, sorted by name with ``home`` first."""
    ordered = country_names(locale)
    if home in ordered:
        ordered = {home: ordered.pop(home), **ordered}
    return ordered


@functools.lru_cache(maxsize=64)
def _country_tags(locale: str, home: str) -> tuple[tuple[str, str], ...]:
    """``(code, <option>)`` for every country, as :func:`ordered_countries` lists them."""
    return tuple((code, f'<option value="{escape(code)}">{escape(name)}</option>')
                 for code, name in ordered_countries(locale, home).items())


def country_options(locale: str, home: str, chosen: str) -> Markup:
    """The ``<option>`` of every country (``home`` first), ``chosen`` selected."""
    tags = _country_tags(locale, home)
    selected = f'<option value="{escape(chosen)}"'
    return Markup("".join(  # noqa: S704 - built from escaped values above
        tag.replace(selected, selected + " selected", 1) if code == chosen else tag
        for code, tag in tags))


@functools.lru_cache(maxsize=32)
def place_suggestions(country: str, locale: str) -> Markup:
    """The region and city ``<datalist>`` of ``country`` in ``locale`` (empty without
    address data), for fields with ``list="places-region"`` and ``"places-city"``."""
    choices = address_choices(country, locale)
    if choices is None:
        return Markup("")

    def datalist(name: str, values: tuple[str, ...]) -> str:
        return (f'<datalist id="places-{name}">'
                + "".join(f'<option value="{escape(value)}">' for value in values)
                + "</datalist>")

    return Markup(  # noqa: S704 - built from escaped values above
        "\n" + datalist("region", choices.regions) + "\n" + datalist("city", choices.cities))
