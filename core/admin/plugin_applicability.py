"""Where a plugin applies: whether it is made for this store, and a short note saying
what it is for ("For Bangladesh and Armenia · BDT, AMD").

A plugin's manifest may name the countries (``countries``) and currencies
(``currencies``) it is made for; empty means anywhere. The plugins page lists the ones
made for the store first and the others apart, still usable: a store may sell from a
country a plugin's author did not think of.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext

from core.countries import country_name
from core.sdk import PluginManifest
from core.web.templating import number_filter

#: Up to this many countries are named in a note; more are counted.
NAMED_COUNTRIES = 4


@dataclass(frozen=True)
class Applicability:
    """How one plugin relates to one store."""

    #: Made for the store's country (when known) and currency.
    applies: bool
    #: Made for some countries or currencies only, and this store's are among them.
    local: bool
    #: What it is for, in the admin's language; ``""`` for plugins made for anywhere.
    note: str


def applicability(manifest: PluginManifest, *, country: str, currency: str,
                  locale: str) -> Applicability:
    """Whether ``manifest``'s plugin is made for a store in ``country`` (``""``: not
    known, so any) selling in ``currency``, with its note in ``locale``."""
    applies = manifest.applies_to(country, currency)
    # Local: the store is known to be one the plugin names (an unknown country is not).
    named = bool((country and country in manifest.countries)
                 or currency in manifest.currencies)
    limited = bool(manifest.countries or manifest.currencies)
    return Applicability(applies=applies, local=applies and named,
                         note=applicability_note(manifest, locale) if limited else "")


def applicability_note(manifest: PluginManifest, locale: str) -> str:
    """``"For Bangladesh · BDT"``: the countries (by name in ``locale``, or counted when
    there are many) and the currencies a plugin is made for; ``""`` when it is for
    anywhere."""
    parts = []
    countries = list(dict.fromkeys(manifest.countries))
    if len(countries) > NAMED_COUNTRIES:
        # ``num`` would be the bare count: ``count`` is in the store's digits.
        parts.append(ngettext("%(count)s country", "%(count)s countries", len(countries),
                              count=number_filter(len(countries))))
    elif countries:
        parts.append(format_list([country_name(code, locale) for code in countries],
                                 locale=locale))
    if manifest.currencies:
        parts.append(", ".join(dict.fromkeys(manifest.currencies)))
    return _("For %(places)s", places=" · ".join(parts)) if parts else ""
