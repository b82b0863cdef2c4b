"""What a plugin is: its manifest."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.sdk.fields import Field
from core.sdk.schedules import Schedule

if TYPE_CHECKING:  # a plugin's translated text (core.sdk.PluginText.lazy)
    from core.sdk.text import LazyText

__all__ = ["ADMIN_SECTIONS", "EXCLUSIVE_KINDS", "PluginManifest"]

#: Plugin kinds of which a store may enable only one at a time.
EXCLUSIVE_KINDS: frozenset[str] = frozenset({"search"})

#: The admin pages besides Plugins that list plugins by what they do for a merchant:
#: ``"payments"`` (Payments) and ``"shipping"`` (Shipping).
ADMIN_SECTIONS: frozenset[str] = frozenset({"payments", "shipping"})

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class PluginManifest:
    """Who a plugin is and what it needs. Every plugin module defines ``manifest``.

    The manifest is checked when the plugin loads; a plugin with an invalid one is left
    out (``haat plugin list`` says why).
    """

    #: The plugin's id: lowercase words joined by hyphens (``"save-for-later"``). It must
    #: equal the plugin's entry-point name and never changes, because stores' settings
    #: and data are kept under it.
    name: str
    #: What merchants see in the plugin list. Use ``PluginText.lazy`` to translate it.
    title: str | LazyText
    #: One or two sentences for merchants under the title; translatable like ``title``.
    description: str | LazyText = ""
    #: An exclusive kind (see :data:`EXCLUSIVE_KINDS`): a store has at most one plugin of
    #: such a kind on. ``None`` for most plugins.
    kind: str | None = None
    #: The settings form, field by field (see the settings field types).
    settings: tuple[Field, ...] = ()
    #: Checks the whole settings form once every field is valid: takes ``{name: value}``
    #: (secrets included) and returns ``{field name: message}``, empty when it is fine.
    validate_settings: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None
    #: The dotted name of the package folder that holds the plugin's Alembic migrations
    #: (``"haat_save_for_later.migrations"``); ``None`` for a plugin without tables.
    #: ``haat db upgrade`` runs them as the plugin's own branch, labelled with ``name``.
    migrations: str | None = None
    #: Periodic work, run for each store that has the plugin on.
    schedules: tuple[Schedule, ...] = ()
    #: The countries the plugin is made for, ISO 3166-1 alpha-2 (``("BD",)``); empty
    #: means anywhere. The admin lists plugins for other countries apart.
    countries: tuple[str, ...] = ()
    #: The currencies the plugin works with, ISO 4217 (``("BDT",)``); empty means any.
    #: The admin lists plugins for other currencies apart.
    currencies: tuple[str, ...] = ()
    #: The admin page that lists the plugin besides Plugins, one of
    #: :data:`ADMIN_SECTIONS`: ``"shipping"`` for rates and couriers, ``"payments"`` for
    #: ways to pay. ``None`` for neither. A plugin of ``kind="payment"`` is listed under
    #: Payments without it. Its settings page then leads back to that page.
    section: str | None = None

    @property
    def admin_section(self) -> str | None:
        """The admin page the plugin is listed on besides Plugins (``None``: none)."""
        if self.section is not None:
            return self.section
        return "payments" if self.kind == "payment" else None

    def problems(self) -> list[str]:
        """What is wrong with this manifest (empty when it is valid)."""
        found = []
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            found.append(f"name {self.name!r} must be lowercase words joined by hyphens")
        if not self.title:
            found.append("title is required")
        names = [f.name for f in self.settings if isinstance(f, Field)]
        if len(names) != len(self.settings):
            found.append("settings must be Field instances")
        if len(set(names)) != len(names):
            found.append("settings field names must be unique")
        if any(not n.isidentifier() for n in names):
            found.append("settings field names must be Python identifiers")
        if self.migrations is not None and (not isinstance(self.migrations, str)
                                            or not _DOTTED.match(self.migrations)):
            found.append("migrations must be the dotted name of a package folder")
        found += self._schedule_problems()
        if any(not isinstance(c, str) or not _COUNTRY.match(c) for c in self.countries):
            found.append("countries must be two-letter ISO codes such as 'BD'")
        if any(not isinstance(c, str) or not _CURRENCY.match(c) for c in self.currencies):
            found.append("currencies must be three-letter ISO codes such as 'BDT'")
        if self.section is not None and self.section not in ADMIN_SECTIONS:
            found.append(f"section must be one of {', '.join(sorted(ADMIN_SECTIONS))}")
        return found

    def _schedule_problems(self) -> list[str]:
        if not all(isinstance(s, Schedule) for s in self.schedules):
            return ["schedules must be Schedule instances"]
        found = [problem for s in self.schedules for problem in s.problems()]
        names = [s.name for s in self.schedules]
        if len(set(names)) != len(names):
            found.append("schedule names must be unique")
        return found

    def applies_to(self, country: str, currency: str) -> bool:
        """True when the plugin is made for a store in ``country`` selling in
        ``currency`` (an unknown country, ``""``, matches any list of countries)."""
        country_ok = not self.countries or not country or country in self.countries
        return country_ok and (not self.currencies or currency in self.currencies)

    def field(self, name: str) -> Field | None:
        """The settings field called ``name``, or ``None``."""
        return next((f for f in self.settings if f.name == name), None)


