"""The zones as a form: zones built from places, each with its delivery options.

The zones text (``grammar.py``) stays what is stored, so the form and the text are two
views of one setting: the form writes the text, and a table that the form can show
exactly is read back into it. A table that uses what only the text can say (several
spellings of a place, regions *and* cities in one zone, gaps between weight bands)
opens as text, with a note saying why.

Every control is a plain input with spare empty rows, so the form works without
JavaScript; ``shipping_zones.js`` only adds rows and hides removed ones. What the
merchant sent comes back as a :class:`ZoneForm`; :func:`zones_text` writes it as text
and remembers which line came from which row, so that each problem the grammar finds
is shown next to the row it is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from core.sdk import ascii_digits, find_place, has_places

from .catalogue import _, render
from .grammar import parse_zones
from .zones import FLAT, FREE_OVER, PICKUP, VALUE, WEIGHT, Band, Method, Zone, ZoneTable

#: The option kinds the form offers, in its order.
KINDS = (FLAT, WEIGHT, VALUE, FREE_OVER, PICKUP)
#: Empty rows the form adds for the merchant to fill in without JavaScript.
SPARE_ZONES = 1
SPARE_PLACES = 2
SPARE_RATES = 1
SPARE_BANDS = 2
#: How many rows of each kind the form reads at most (a bound on what a post costs).
MAX_ZONES = 60
MAX_PLACES = 60
MAX_RATES = 12
MAX_BANDS = 12
EVERY_COUNTRY = "*"
_FORBIDDEN = re.compile(r"[:\n\r]")
_PLACE_FORBIDDEN = re.compile(r"[,/:\n\r]")


@dataclass
class BandRow:
    """One band of a weight or value option: up to ``upto`` (empty: and above) costs
    ``price``. Weights are in kilograms."""

    upto: str = ""
    price: str = ""
    #: An empty row added to fill in (the script hides it until "Add" is pressed).
    spare: bool = False

    @property
    def empty(self) -> bool:
        return not (self.upto.strip() or self.price.strip())


@dataclass
class RateRow:
    """One delivery option as the form shows it; every value as typed."""

    label: str = ""
    kind: str = FLAT
    price: str = ""
    over: str = ""
    bands: list[BandRow] = field(default_factory=list)
    min_days: str = ""
    max_days: str = ""
    track: str = ""
    remove: bool = False
    spare: bool = False

    @property
    def empty(self) -> bool:
        return not (self.label.strip() or self.price.strip() or self.over.strip()
                    or any(not b.empty for b in self.bands))


@dataclass
class ZoneRow:
    """One zone as the form shows it."""

    name: str = ""
    country: str = ""
    places: list[str] = field(default_factory=list)
    rates: list[RateRow] = field(default_factory=list)
    remove: bool = False
    spare: bool = False
    #: How many of ``places`` are the zone's own (the rest are spare boxes).
    own_places: int = 0

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or any(p.strip() for p in self.places)
                    or any(not r.empty for r in self.rates))


@dataclass
class ZoneForm:
    """The zones setting as the form holds it: rows, or text when the merchant edited
    the text (``from_text``) or the text says what the form cannot (``text_only``)."""

    zones: list[ZoneRow] = field(default_factory=list)
    text: str = ""
    from_text: bool = False
    text_only: bool = False


# ------------------------------------------------------------------ reading a post


def _number(text: str) -> str:
    return ascii_digits(text.strip()).replace(",", "")


def read_post(form: Mapping[str, Any], name: str) -> ZoneForm | None:
    """What the merchant sent: the rows, or the text when they changed it.

    ``form`` is the request's form (``get``/``getlist``). ``None`` when neither was sent.
    A post with only the text (``name`` alone, as before the form existed) is text.
    """
    text = form.get(name)
    was = form.get(f"{name}-was")
    if text is not None and (was is None or _lines(text) != _lines(was)):
        return ZoneForm(text=text, from_text=True)
    zones = []
    for z in range(MAX_ZONES):
        prefix = f"{name}-{z}"
        if f"{prefix}-name" not in form:
            break
        rates = []
        for r in range(MAX_RATES):
            rate = f"{prefix}-rate-{r}"
            if f"{rate}-label" not in form:
                break
            bands = [BandRow(upto=_number(form.get(f"{rate}-band-{b}-upto", "")),
                             price=_number(form.get(f"{rate}-band-{b}-price", "")))
                     for b in range(MAX_BANDS) if f"{rate}-band-{b}-upto" in form]
            kind = form.get(f"{rate}-kind", FLAT)
            rates.append(RateRow(
                label=form.get(f"{rate}-label", "").strip(),
                kind=kind if kind in KINDS else FLAT,
                price=_number(form.get(f"{rate}-price", "")),
                over=_number(form.get(f"{rate}-over", "")),
                bands=bands,
                min_days=_number(form.get(f"{rate}-min-days", "")),
                max_days=_number(form.get(f"{rate}-max-days", "")),
                track=form.get(f"{rate}-track", "").strip(),
                remove=bool(form.get(f"{rate}-remove")),
            ))
        places = [form.get(f"{prefix}-place-{p}", "").strip() for p in range(MAX_PLACES)
                  if f"{prefix}-place-{p}" in form]
        zones.append(ZoneRow(
            name=form.get(f"{prefix}-name", "").strip(),
            country=form.get(f"{prefix}-country", "").strip().upper(),
            places=places, rates=rates, remove=bool(form.get(f"{prefix}-remove"))))
    if not zones and text is None:
        return None
    return ZoneForm(zones=zones, text=text or "")


def _lines(text: str) -> list[str]:
    """The text's lines as compared for "changed": trailing spaces and blank lines
    do not count."""
    return [line.rstrip() for line in text.strip().splitlines() if line.strip()]


# ------------------------------------------------------------------ rows -> text


@dataclass(frozen=True)
class Where:
    """The row a line of the written text came from: a zone, or one of its options."""

    zone: int
    rate: int | None = None


def kept_zones(form: ZoneForm) -> list[tuple[int, ZoneRow]]:
    """The zones to save, with their row numbers: not removed, not left empty."""
    return [(n, zone) for n, zone in enumerate(form.zones)
            if not zone.remove and not zone.empty]


def _kept_rates(zone: ZoneRow) -> list[tuple[int, RateRow]]:
    return [(n, rate) for n, rate in enumerate(zone.rates) if not rate.remove and not rate.empty]


def _bands_text(rate: RateRow) -> str:
    """``"0-2kg 130, 2-5kg 180, 5kg+ 250"`` from the rows ("up to 2: 130", "up to 5:
    180", "and above: 250"); each band starts where the one before it ends."""
    pieces = []
    low = "0"
    unit = "kg" if rate.kind == WEIGHT else ""
    for band in (b for b in rate.bands if not b.empty):
        price = band.price or "?"
        if band.upto:
            pieces.append(f"{low}-{band.upto}{unit} {price}")
            low = band.upto
        else:
            pieces.append(f"{low}{unit}+ {price}")
    return ", ".join(pieces)


def rule_text(rate: RateRow) -> str:
    """The option's price part in the text's words: ``70``, ``free over 3000``,
    ``pickup``, ``weight 0-2kg 130, 2kg+ 180``; then the days in brackets."""
    if rate.kind == PICKUP:
        rule = f"pickup {rate.price}".strip() if rate.price not in ("", "0") else "pickup"
    elif rate.kind == FREE_OVER:
        rule = f"free over {rate.over}"
    elif rate.kind == WEIGHT:
        rule = f"weight {_bands_text(rate)}"
    elif rate.kind == VALUE:
        rule = f"value {_bands_text(rate)}"
    else:
        rule = rate.price
    low, high = rate.min_days, rate.max_days or rate.min_days
    if low and high and low != high:
        rule += f" ({low}-{high} days)"
    elif low or high:
        rule += f" ({low or high} days)"
    return rule


def zone_line(zone: ZoneRow) -> str:
    """``"Inside Dhaka: BD / * / Dhaka city, Savar"``: the places go in the cities part,
    where each name means its deepest place (``core.sdk.find_place``)."""
    country = zone.country or EVERY_COUNTRY
    places = [p for p in zone.places if p.strip()]
    if places and country != EVERY_COUNTRY:
        return f"{zone.name}: {country} / * / {', '.join(places)}"
    return f"{zone.name}: {country}"


def zones_text(form: ZoneForm) -> tuple[str, dict[int, Where]]:
    """The text of the rows, and the row each line number came from."""
    lines: list[str] = []
    where: dict[int, Where] = {}
    for z, zone in kept_zones(form):
        lines.append(zone_line(zone))
        where[len(lines)] = Where(z)
        for r, rate in _kept_rates(zone):
            lines.append(f"  {rate.label}: {rule_text(rate)}")
            where[len(lines)] = Where(z, r)
            if rate.track:
                lines.append(f"  track: {rate.track}")
                where[len(lines)] = Where(z, r)
    return "\n".join(lines) + ("\n" if lines else ""), where


# ------------------------------------------------------------------ problems


@dataclass
class RowProblems:
    """What is wrong with the rows, by row: shown next to each one."""

    zones: dict[int, list[str]] = field(default_factory=dict)
    rates: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, where: Where | None, message: str) -> None:
        if where is None:
            self.general.append(message)
        elif where.rate is None:
            self.zones.setdefault(where.zone, []).append(message)
        else:
            self.rates.setdefault((where.zone, where.rate), []).append(message)

    def __bool__(self) -> bool:
        return bool(self.zones or self.rates or self.general)


def _amount_problem(text: str, missing: str) -> str | None:
    """What is wrong with an amount typed (``missing``: what to say when it is empty)."""
    if not text:
        return missing
    try:
        value = Decimal(text)
    except InvalidOperation:
        return _("“%(text)s” is not a number: write an amount such as 70 or 1250.50.",
                 text=text)
    if value < 0 or not value.is_finite():
        return _("Enter an amount of 0 or more.")
    return None


def _row_checks(form: ZoneForm, problems: RowProblems) -> None:
    """What each row must have, said next to it before the text is read."""
    for z, zone in kept_zones(form):
        here = Where(z)
        if not zone.name:
            problems.add(here, _("Give the zone a name (for example “Inside Dhaka”)."))
        elif _FORBIDDEN.search(zone.name):
            problems.add(here, _("A zone's name cannot have a colon (:) in it."))
        bad = next((p for p in zone.places if _PLACE_FORBIDDEN.search(p)), None)
        if bad:
            problems.add(here, _("Write one place per box: “%(place)s” has a comma, slash "
                                 "or colon in it.", place=bad))
        if zone.places and any(p.strip() for p in zone.places) \
                and (zone.country or EVERY_COUNTRY) == EVERY_COUNTRY:
            problems.add(here, _("Choose a country for these places."))
        rates = _kept_rates(zone)
        if not rates:
            problems.add(here, _("Add at least one delivery option to this zone."))
        for r, rate in rates:
            at = Where(z, r)
            if not rate.label:
                problems.add(at, _("Give the option a name; shoppers see it."))
            elif _FORBIDDEN.search(rate.label):
                problems.add(at, _("An option's name cannot have a colon (:) in it."))
            said = None
            if rate.kind == FLAT:
                said = _amount_problem(rate.price, _("Enter the price."))
            elif rate.kind == FREE_OVER:
                said = _amount_problem(rate.over, _("Enter the order amount from which "
                                                    "delivery is free."))
            elif rate.kind == PICKUP and rate.price:
                said = _amount_problem(rate.price, _("Enter the price."))
            elif rate.kind in (WEIGHT, VALUE):
                bands = [b for b in rate.bands if not b.empty]
                if not bands:
                    said = _("Add at least one band: up to how much, and its price.")
                for band in bands:
                    said = said or _amount_problem(band.price, _("Enter each band's price."))
                    if band.upto:
                        said = said or _amount_problem(band.upto, "")
            if said:
                problems.add(at, said)
            for days in (rate.min_days, rate.max_days):
                if days and not days.isdigit():
                    problems.add(at, _("Write delivery days as whole numbers, e.g. 1 and 2."))
                    break


def row_problems(form: ZoneForm) -> RowProblems:
    """Every problem of the rows, in the language of the moment, placed by row: the
    checks of each row, then what the grammar finds in the text they make."""
    problems = RowProblems()
    _row_checks(form, problems)
    if problems:
        return problems
    text, where = zones_text(form)
    for problem in parse_zones(text).problems:
        said = render(problem.message)
        problems.add(where.get(problem.line), said[:1].upper() + said[1:])
    return problems


# ------------------------------------------------------------------ text -> rows


def _plain(amount: Decimal) -> str:
    """``Decimal("70.00")`` -> ``"70"``; ``Decimal("1250.5")`` -> ``"1250.5"``."""
    text = format(amount.normalize(), "f")
    return text


def _rate_row(method: Method) -> RateRow:
    row = RateRow(label=method.label, kind=method.kind, track=method.track,
                  min_days="" if method.min_days is None else str(method.min_days),
                  max_days="" if method.max_days is None else str(method.max_days))
    if method.kind in (FLAT, PICKUP):
        row.price = "" if method.kind == PICKUP and not method.price else _plain(method.price)
    elif method.kind == FREE_OVER and method.threshold is not None:
        row.over = _plain(method.threshold)
    else:
        scale = Decimal(1000) if method.kind == WEIGHT else Decimal(1)
        row.bands = [BandRow(upto="" if band.high is None else _plain(band.high / scale),
                             price=_plain(band.price)) for band in method.bands]
    return row


def _original_names(text: str, zone: Zone) -> list[str]:
    """The place names as the merchant wrote them on the zone's line."""
    line = text.splitlines()[zone.line - 1]
    parts = line.partition(":")[2].split("/")[1:]
    names = []
    for part in parts:
        if part.strip() not in ("", "*"):
            names += [entry.strip() for entry in part.split(",") if entry.strip()]
    return names


def _same_bands(first: tuple[Band, ...], second: tuple[Band, ...]) -> bool:
    return [(b.low, b.high, b.price) for b in first] == [(b.low, b.high, b.price)
                                                         for b in second]


def _same_table(first: ZoneTable, second: ZoneTable) -> bool:
    """Whether two tables quote the same: zones, places and options alike."""
    if len(first.zones) != len(second.zones):
        return False
    for a, b in zip(first.zones, second.zones, strict=True):
        # Names the data does not know match only in their own part of the address.
        typed_a = (a.regions or frozenset(), a.cities or frozenset())
        typed_b = (b.regions or frozenset(), b.cities or frozenset())
        if (a.name, a.countries, a.places, typed_a) != (b.name, b.countries, b.places, typed_b):
            return False
        if len(a.methods) != len(b.methods):
            return False
        for m, n in zip(a.methods, b.methods, strict=True):
            if (m.label, m.kind, m.price, m.threshold, m.min_days, m.max_days, m.track) != \
                    (n.label, n.kind, n.price, n.threshold, n.min_days, n.max_days, n.track) \
                    or not _same_bands(m.bands, n.bands):
                return False
    return True


def form_from_text(text: str) -> ZoneForm:
    """The rows of a zones text, or the text alone (``text_only``) when the form cannot
    show it exactly: what the rows would write must quote just as the text does."""
    table = parse_zones(text)
    if table.problems:
        return ZoneForm(text=text, text_only=True)
    zones = []
    for zone in table.zones:
        if len(zone.countries) > 1 or (zone.regions is not None and zone.cities is not None):
            return ZoneForm(text=text, text_only=True)
        country = next(iter(zone.countries)) if zone.countries else EVERY_COUNTRY
        zones.append(ZoneRow(name=zone.name, country=country,
                             places=_original_names(text, zone),
                             rates=[_rate_row(m) for m in zone.methods]))
    form = ZoneForm(zones=zones, text=text)
    if not _same_table(table, parse_zones(zones_text(form)[0])):
        return ZoneForm(text=text, text_only=True)
    return form


def with_spare_rows(form: ZoneForm) -> ZoneForm:
    """The form with empty rows to fill in: a zone, places, options and bands."""
    zones = []
    for zone in [*form.zones, *(ZoneRow(spare=True) for _n in range(SPARE_ZONES))]:
        rates = [RateRow(label=r.label, kind=r.kind, price=r.price, over=r.over,
                         bands=[*r.bands, *(BandRow(spare=True) for _n in range(SPARE_BANDS))],
                         min_days=r.min_days, max_days=r.max_days, track=r.track,
                         remove=r.remove, spare=r.spare)
                 for r in [*zone.rates, *(RateRow(spare=True) for _n in range(SPARE_RATES))]]
        zones.append(ZoneRow(name=zone.name, country=zone.country,
                             places=[*zone.places, *("" for _n in range(SPARE_PLACES))],
                             rates=rates, remove=zone.remove, spare=zone.spare,
                             own_places=len(zone.places)))
    return ZoneForm(zones=zones, text=form.text, from_text=form.from_text,
                    text_only=form.text_only)


def known_place(country: str, name: str) -> bool:
    """Whether Haat's address data knows ``name`` in ``country`` (a country without
    data knows none: its names match what shoppers type)."""
    return has_places(country) and any(find_place(country, spelling) is not None
                                       for spelling in name.split("|") if spelling.strip())
