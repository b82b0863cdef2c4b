"""Reading the merchant's zones text into a ``ZoneTable``, with line-numbered errors.

The format (docs/shipping.md has the full description)::

    # Lines starting with # are notes.
    Inside Dhaka: BD / * / Dhaka|ঢাকা
      Standard delivery: 70 (1-2 days)
      Pick up from our shop: pickup
      track: https://courier.example/track/{number}
    Outside Dhaka: BD
      Courier: weight 0-2kg 130, 2-5kg 180, 5kg+ 250 (3-5 days)
      Courier: value 0-1000 150, 1000+ 100
      Free delivery: free over 3000

A zone line is ``name: COUNTRY [/ regions [/ cities]]`` where the country is an ISO-2
code (several may be listed alone, ``*`` means every country), regions and cities are
comma-separated and each may have ``|``-separated aliases, and ``*`` means "any".
Every other line is a delivery option of the zone above it: ``label: price [(days)]``,
or a ``track:`` line for the option above it. Indenting is recommended, not required.

The errors are ``_.lazy`` messages (``catalogue.py``), translated only when they are
shown: ``parse_zones`` caches one table per text for every merchant, whatever their
language. The format's own words ("free", "pickup", "weight", "track:") are English in
every language, so the examples in the messages stay as written.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from core.sdk import LazyText, Place, find_place

from .catalogue import _, render
from .zones import (
    FLAT,
    FREE_OVER,
    PICKUP,
    VALUE,
    WEIGHT,
    Band,
    Method,
    Zone,
    ZoneProblem,
    ZoneTable,
    place_key,
    unique_slugs,
)

#: How many problems the settings form shows at once.
ERRORS_SHOWN = 5
MAX_AMOUNT = Decimal(10) ** 9
MAX_DAYS = 365
MAX_LABEL = 100

_WHERE = re.compile(r"(?P<countries>\*|[A-Za-z]{2}(?:\s*,\s*[A-Za-z]{2})*)\s*(?:/(?P<rest>.*))?")
_CURRENCY = r"(?:[৳֏$€£₹]|tk\.?|taka|টাকা|bdt|amd|usd|eur|dram|դրամ|դր\.?)"
_NUMBER = r"\d+(?:,\d+)*(?:\.\d+)?"
_AMOUNT = re.compile(rf"(?:{_CURRENCY}\s*)?(?P<number>{_NUMBER})\s*{_CURRENCY}?\s*(?:/-)?")
_DAYS = re.compile(r"(?P<low>\d{1,3})\s*(?:(?:-|–|—|to)\s*(?P<high>\d{1,3}))?\s*[^\d()]*")
_SAME_DAY = frozenset({"same day", "today", "0"})
_PICKUP = re.compile(r"(?:local\s+)?pick\s*-?\s*up(?:\s+(?P<rest>.+))?")
_FREE_OVER = re.compile(r"free\s+(?:over|from|above)\s+(?P<rest>.+)")
_WEIGHT = re.compile(r"(?:by\s+)?weight\s+(?P<rest>.+)")
_VALUE = re.compile(r"(?:by\s+)?(?:order\s+)?(?:value|subtotal)\s+(?P<rest>.+)")
_FLAT = re.compile(r"flat(?:\s+rate)?\s+(?P<rest>.+)")
# A comma separates bands unless it groups digits ("1,000", "1,00,000").
_BAND_SPLIT = re.compile(r";|,(?!\d{3}(?!\d)|\d{2},)")
_GRAMS = frozenset({"g", "gm", "gms", "gram", "grams", "গ্রাম", "գ"})
_WEIGHT_UNIT = r"(?:kgs?|kilos?|grams?|gms?|g|কেজি|গ্রাম|կգ|գ)"
_WEIGHT_NUMBER = r"\d+(?:\.\d+)?"
_VALUE_NUMBER = rf"(?:{_CURRENCY}\s*)?{_NUMBER}"

# Examples of the format, the same in every language (the messages put them in quotes).
WEIGHT_EXAMPLE = "weight 0-2kg 130, 2-5kg 180, 5kg+ 250"
VALUE_EXAMPLE = "value 0-1000 150, 1000-3000 100, 3000+ 50"
ZONE_EXAMPLE = "Inside Dhaka: BD / Dhaka / Dhaka"
PRICE_HELP = _.lazy("write an amount (“70”), “free”, “free over 3000”, “pickup”, "
                    "“%(weight)s” or “%(value)s”", weight=WEIGHT_EXAMPLE, value=VALUE_EXAMPLE)


def _band_pattern(number: str, unit: str) -> re.Pattern[str]:
    ranged = (rf"(?P<low>{number})\s*(?P<low_unit>{unit})?\s*(?:-|–|—|to)\s*"
              rf"(?P<high>{number})\s*(?P<high_unit>{unit})?")
    open_ended = rf"(?P<open>{number})\s*(?P<open_unit>{unit})?\s*(?:\+|and\s+up|or\s+more)"
    up_to = rf"(?:up\s*to|under|max)\s+(?P<upto>{number})\s*(?P<upto_unit>{unit})?"
    return re.compile(rf"(?:{ranged}|{open_ended}|{up_to})\s*[:=]?\s*(?P<price>.+)")


_WEIGHT_BAND = _band_pattern(_WEIGHT_NUMBER, _WEIGHT_UNIT)
_VALUE_BAND = _band_pattern(_VALUE_NUMBER, _CURRENCY)


class RuleError(ValueError):
    """Something in one line cannot be read; ``message`` says what and how to fix it
    (``str()`` gives it in English)."""

    def __init__(self, message: LazyText) -> None:
        super().__init__(message.message)
        self.message = message

    def __str__(self) -> str:
        return render(self.message, "en")


def _clip(text: str, limit: int = 40) -> str:
    """What the merchant wrote, on one line and cut to ``limit`` characters, for quoting
    in a message (the quotation marks are the message's, so each language has its own)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---------------------------------------------------------------------- amounts


def parse_amount(text: str) -> Decimal:
    """An amount in major units: ``70``, ``1,250.50``, ``৳70``, ``Tk 70/-``, ``2500 ֏``."""
    found = _AMOUNT.fullmatch(" ".join(text.casefold().split()))
    if found is None:
        raise RuleError(_.lazy("“%(text)s” is not an amount: write a number such as 70 or "
                               "1,250.50", text=_clip(text)))
    amount = Decimal(found["number"].replace(",", ""))
    if amount >= MAX_AMOUNT:
        raise RuleError(_.lazy("“%(text)s” is too large an amount", text=_clip(text)))
    return amount


def _price(text: str) -> Decimal:
    return Decimal(0) if text.strip() == "free" else parse_amount(text)


# ---------------------------------------------------------------------- bands


def _weight(number: str, unit: str | None) -> Decimal:
    """Grams, from a number in ``unit`` (kilograms when no unit is written)."""
    value = Decimal(number)
    return value if unit in _GRAMS else value * 1000


def _band(piece: str, *, weight: bool) -> Band:
    found = (_WEIGHT_BAND if weight else _VALUE_BAND).fullmatch(piece)
    if found is None:
        example = WEIGHT_EXAMPLE if weight else VALUE_EXAMPLE
        raise RuleError(_.lazy("could not read the band “%(band)s”: write bands like "
                               "“%(example)s”", band=_clip(piece), example=example))

    def bound(name: str, unit: str | None) -> Decimal:
        return _weight(found[name], unit) if weight else parse_amount(found[name])

    if found["low"] is not None:
        low_unit = found["low_unit"] or found["high_unit"]
        low, high = bound("low", low_unit), bound("high", found["high_unit"] or low_unit)
    elif found["open"] is not None:
        low, high = bound("open", found["open_unit"]), None
    else:
        low, high = Decimal(0), bound("upto", found["upto_unit"])
    if high is not None and high <= low:
        raise RuleError(_.lazy("the band “%(band)s” must end above where it starts",
                               band=_clip(piece)))
    try:
        price = _price(found["price"])
    except RuleError as exc:
        raise RuleError(_.lazy("%(problem)s (in the band “%(band)s”; put a comma and a space "
                               "between bands)", problem=exc.message, band=_clip(piece))
                        ) from None
    return Band(low=low, high=high, price=price)


def parse_bands(text: str, *, weight: bool) -> tuple[Band, ...]:
    """Comma-separated bands, sorted; gaps are allowed, overlaps are not."""
    pieces = [p.strip() for p in _BAND_SPLIT.split(text) if p.strip()]
    bands = sorted(((p, _band(p, weight=weight)) for p in pieces), key=lambda pb: pb[1].low)
    for (before_text, before), (after_text, after) in itertools.pairwise(bands):
        if before.high is None:
            raise RuleError(_.lazy("only the last band can be open-ended: “%(band)s” has no "
                                   "upper end but “%(next)s” comes after it",
                                   band=_clip(before_text), next=_clip(after_text)))
        if after.low < before.high:
            raise RuleError(_.lazy("the bands “%(band)s” and “%(next)s” overlap",
                                   band=_clip(before_text), next=_clip(after_text)))
    return tuple(band for _, band in bands)


# ---------------------------------------------------------------------- options


def split_days(rule: str) -> tuple[str, int | None, int | None]:
    """``"70 (1-2 days)"`` -> ``("70", 1, 2)``; the words in brackets may be any language."""
    if not rule.endswith(")"):
        return rule, None, None
    start = rule.rfind("(")
    if start < 0:
        raise RuleError(_.lazy("a “)” has no “(” before it"))
    inside = " ".join(rule[start + 1:-1].casefold().split())
    if inside in _SAME_DAY:
        return rule[:start].strip(), 0, 0
    found = _DAYS.fullmatch(inside)
    if found is None:
        raise RuleError(_.lazy("write delivery days as “(2 days)” or “(1-2 days)”, not "
                               "“%(days)s”", days=_clip(f"({inside})")))
    low = int(found["low"])
    high = int(found["high"]) if found["high"] else low
    if high < low:
        raise RuleError(_.lazy("the delivery days “%(days)s” go backwards",
                               days=_clip(f"({inside})")))
    if high > MAX_DAYS:
        raise RuleError(_.lazy("delivery within %(days)s days is too long", days=high))
    return rule[:start].strip(), low, high


def parse_rule(rule: str) -> Method:
    """The price part of an option line, as a ``Method`` with no label, line or days."""
    words = " ".join(rule.casefold().split())
    if not words:
        raise RuleError(_.lazy("nothing after the colon: %(help)s", help=PRICE_HELP))
    if found := _PICKUP.fullmatch(words):
        fee = parse_amount(found["rest"]) if found["rest"] else Decimal(0)
        return Method("", "", PICKUP, 0, price=fee)
    if found := _FREE_OVER.fullmatch(words):
        return Method("", "", FREE_OVER, 0, threshold=parse_amount(found["rest"]))
    if words == "free":
        return Method("", "", FLAT, 0, price=Decimal(0))
    if found := _WEIGHT.fullmatch(words):
        return Method("", "", WEIGHT, 0, bands=parse_bands(found["rest"], weight=True))
    if found := _VALUE.fullmatch(words):
        return Method("", "", VALUE, 0, bands=parse_bands(found["rest"], weight=False))
    found = _FLAT.fullmatch(words)
    try:
        return Method("", "", FLAT, 0, price=parse_amount(found["rest"] if found else words))
    except RuleError:
        raise RuleError(_.lazy("could not read the price “%(price)s”: %(help)s",
                               price=_clip(rule), help=PRICE_HELP)) from None


# ---------------------------------------------------------------------- places


class _Entry(NamedTuple):
    """One place of a zone line: the name shown in errors, every spelling written,
    their ``place_key`` forms, and the places of Haat's address data they name (empty
    when the data knows none of them)."""

    shown: str
    names: tuple[str, ...]
    keys: tuple[str, ...]
    places: frozenset[Place] = frozenset()


def _located(country: str, entries: list[_Entry] | None, *,
             region: bool) -> list[_Entry] | None:
    """``entries`` with the places each names (looked up once per zone line)."""
    if entries is None:
        return None
    return [entry._replace(places=frozenset(
        p for name in entry.names if (p := find_place(country, name, region=region))
        is not None)) for entry in entries]


def _places(part: str) -> list[_Entry] | None:
    """``"Savar, Tongi|টঙ্গী"`` -> an entry for Savar and one for Tongi; ``*``/empty: any."""
    part = part.strip()
    if part in ("", "*"):
        return None
    entries = []
    for entry in part.split(","):
        names = tuple(n.strip() for n in entry.split("|") if n.strip())
        keys = tuple(dict.fromkeys(k for k in map(place_key, names) if k))
        if keys:
            entries.append(_Entry(names[0], names, keys))
    return entries or None


def _resolve(entries: list[_Entry] | None) -> tuple[frozenset[str] | None, frozenset[Place]]:
    """The typed-name keys and the known places of a zone's (located) regions or cities.

    An entry any of whose spellings Haat's address data knows becomes that place (so
    "Dhaka" takes in Mirpur and Dhanmondi too); the keys keep only entries the data
    does not know, which match when a shopper types them."""
    if entries is None:
        return None, frozenset()
    keys = frozenset(k for entry in entries if not entry.places for k in entry.keys)
    return keys, frozenset(p for entry in entries for p in entry.places)


# ---------------------------------------------------------------------- the parser


@dataclass
class _Draft:
    """A zone while its lines are being read."""

    name: str
    line: int
    countries: frozenset[str] = frozenset()
    regions: frozenset[str] | None = None
    cities: frozenset[str] | None = None
    region_places: frozenset[Place] = frozenset()
    city_places: frozenset[Place] = frozenset()
    methods: list[Method] = field(default_factory=list)
    valid: bool = True
    #: Option lines seen, readable or not (an unreadable one has its own message).
    option_lines: int = 0


class _Parser:
    """Reads the text line by line, collecting zones and ``(line, message)`` errors."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.errors: list[ZoneProblem] = []
        self.places: dict[tuple[str, str, str], _Draft] = {}

    def error(self, line: int, message: LazyText) -> None:
        self.errors.append(ZoneProblem(line, message))

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if not line or line.startswith("#"):
            return
        name, colon, rule = line.partition(":")
        name, rule = name.strip().lstrip("-•·").strip(), rule.strip()
        if not colon:
            self.error(number, _.lazy("“%(text)s” needs a colon: a zone line looks like "
                                      "“%(zone)s”, a delivery option like “Standard "
                                      "delivery: 70”", text=_clip(line), zone=ZONE_EXAMPLE))
        elif name.casefold() == "track":
            self.track(number, rule)
        elif (where := _WHERE.fullmatch(rule)) is not None:
            self.zone(number, name, where)
        elif (kind := self._unreadable_place(raw, rule)) is not None:
            # Read as a zone that failed, so the options under it are not given to the
            # zone above (where they would draw confusing errors of their own).
            self.current = _Draft(name, number, valid=False)
            place = _clip(rule.split("/", 1)[0])
            if kind == "place":
                self.error(number, _.lazy("“%(place)s” is not a two-letter country code: "
                                          "write a zone line like “%(zone)s” (BD for "
                                          "Bangladesh, AM for Armenia, * for every country)",
                                          place=place, zone=ZONE_EXAMPLE))
            else:
                self.error(number, _.lazy("could not read “%(place)s”: a zone needs a "
                                          "two-letter country code, as in “%(zone)s”; a "
                                          "delivery option needs a price: %(help)s",
                                          place=place, zone=ZONE_EXAMPLE, help=PRICE_HELP))
        else:
            self.method(number, name, rule)

    @staticmethod
    def _unreadable_place(raw: str, rule: str) -> str | None:
        """``"place"`` for a place that is not a country code ("Bangladesh / Dhaka"),
        ``"either"`` for an unindented line with neither a place nor a price in it
        ("Outside Dhaka: Bangladesh"), ``None`` for anything else."""
        if any(c.isdigit() for c in rule.split("/", 1)[0]):
            return None
        if "/" in rule:
            return "place"
        if raw[:1].isspace() or raw.lstrip()[:1] in ("-", "•", "·"):
            return None
        try:
            parse_rule(split_days(rule)[0])
        except RuleError:
            return "either"
        return None

    def zone(self, number: int, name: str, where: re.Match[str]) -> None:
        draft = self.current = _Draft(name, number)
        if not name:
            self.error(number, _.lazy("give the zone a name before the colon"))
            draft.valid = False
        elif (twin := next((d for d in self.drafts if d.name.casefold() == name.casefold()),
                           None)) is not None:
            self.error(number, _.lazy("there is already a zone called “%(name)s” (line "
                                      "%(line)s): give each zone its own name",
                                      name=_clip(name), line=twin.line))
            draft.valid = False
        codes = where["countries"]
        parts = where["rest"].split("/") if where["rest"] is not None else []
        if len(parts) > 2:
            self.error(number, _.lazy("a zone has at most three parts: country / regions / "
                                      "cities"))
            draft.valid = False
            return
        if codes == "*" and parts:
            self.error(number, _.lazy("with * (every country) leave out regions and cities"))
            draft.valid = False
            return
        countries = [] if codes == "*" else [c.strip().upper() for c in codes.split(",")]
        if len(countries) > 1 and parts:
            self.error(number, _.lazy("list several countries only on their own, e.g. "
                                      "“Nearby: IN, NP, BT”; give a country with regions its "
                                      "own zone"))
            draft.valid = False
            return
        country = countries[0] if len(countries) == 1 else ""
        regions = _located(country, _places(parts[0]) if parts else None, region=True)
        cities = _located(country, _places(parts[1]) if len(parts) > 1 else None,
                          region=False)
        draft.countries = frozenset(countries)
        draft.regions, draft.region_places = _resolve(regions)
        draft.cities, draft.city_places = _resolve(cities)
        if draft.valid:
            self._claim_places(draft, countries, regions, cities)
            self.drafts.append(draft)

    def _claim_places(self, draft: _Draft, countries: list[str],
                      regions: list[_Entry] | None, cities: list[_Entry] | None) -> None:
        """Refuse a place that another zone already has: the zone would be a coin toss.

        A place the address data knows is claimed by its id, so "Dhaka" in one zone
        and "ঢাকা" in another are the same place."""
        def claims(entries: list[_Entry] | None) -> list[tuple[str, tuple[str, ...]]]:
            if entries is None:
                return [("*", ("*",))]
            return [(entry.shown, tuple(sorted(p.id for p in entry.places)) or entry.keys)
                    for entry in entries]

        for code, (region, region_keys), (city, city_keys) in itertools.product(
                countries or ["*"], claims(regions), claims(cities)):
            for key in itertools.product([code], region_keys, city_keys):
                owner = self.places.setdefault(key, draft)
                if owner is not draft:
                    shown = " / ".join(p for p in (code, region, city) if p != "*") or "*"
                    self.error(draft.line, _.lazy("“%(place)s” is already in the zone "
                                                  "“%(zone)s” (line %(line)s): a place can be "
                                                  "in only one zone", place=_clip(shown),
                                                  zone=_clip(owner.name), line=owner.line))
                    draft.valid = False
                    return

    def method(self, number: int, label: str, rule: str) -> None:
        zone = self.current
        if zone is None:
            self.error(number, _.lazy("“%(text)s” comes before any zone: start with a zone "
                                      "line such as “%(zone)s”", text=_clip(label or rule),
                                      zone=ZONE_EXAMPLE))
            zone = self.current = _Draft("", number, valid=False)
        zone.option_lines += 1
        if not label:
            self.error(number, _.lazy("give the delivery option a name before the colon "
                                      "(shoppers see it)"))
            return
        if len(label) > MAX_LABEL:
            self.error(number, _.lazy("make the name shorter than %(num)s characters",
                                      num=MAX_LABEL))
            return
        if any(m.label.casefold() == label.casefold() for m in zone.methods):
            self.error(number, _.lazy("the zone already has an option called “%(name)s”: "
                                      "give each option its own name", name=_clip(label)))
            return
        try:
            price, low_days, high_days = split_days(rule)
            priced = parse_rule(price)
        except RuleError as exc:
            self.error(number, exc.message)
            return
        if priced.kind == FREE_OVER and any(m.kind == FREE_OVER for m in zone.methods):
            self.error(number, _.lazy("a zone can have only one “free over” option"))
            return
        zone.methods.append(replace(priced, label=label, line=number, min_days=low_days,
                                    max_days=high_days))

    def track(self, number: int, rule: str) -> None:
        zone = self.current
        if zone is None or not zone.methods:
            self.error(number, _.lazy("put “track:” on the line under the delivery option it "
                                      "is for"))
        elif not re.fullmatch(r"https?://\S+", rule) or "{number}" not in rule:
            self.error(number, _.lazy("write the courier's tracking page with {number} where "
                                      "the tracking number goes, e.g. “track: "
                                      "https://courier.example/track/{number}”"))
        elif zone.methods[-1].track:
            self.error(number, _.lazy("“%(option)s” already has a tracking page",
                                      option=_clip(zone.methods[-1].label)))
        else:
            zone.methods[-1] = replace(zone.methods[-1], track=rule)

    def finish(self) -> ZoneTable:
        for draft in self.drafts:
            if not draft.option_lines:
                self.error(draft.line, _.lazy("the zone “%(zone)s” has no delivery options: "
                                              "add lines under it such as “  Standard "
                                              "delivery: 70”", zone=_clip(draft.name)))
        if not self.drafts and not self.errors:
            self.error(0, _.lazy("There are no zones yet: add a zone line such as “%(zone)s” "
                                 "with its delivery options under it.", zone=ZONE_EXAMPLE))
        if self.errors:
            return ZoneTable(zones=(), problems=tuple(sorted(self.errors,
                                                             key=lambda p: p.line)))
        zone_slugs = unique_slugs((d.name for d in self.drafts), "zone")
        zones = []
        for draft, zone_slug in zip(self.drafts, zone_slugs, strict=True):
            method_slugs = unique_slugs((m.label for m in draft.methods), "option")
            methods = tuple(replace(m, slug=s)
                            for m, s in zip(draft.methods, method_slugs, strict=True))
            zones.append(Zone(name=draft.name, slug=zone_slug, line=draft.line,
                              countries=draft.countries, regions=draft.regions,
                              cities=draft.cities, methods=methods,
                              region_places=draft.region_places,
                              city_places=draft.city_places))
        return ZoneTable(zones=tuple(zones))


@functools.lru_cache(maxsize=256)
def parse_zones(text: str) -> ZoneTable:
    """The zones in ``text``; a table with ``errors`` has no zones. Cached by the text,
    so quoting at checkout does not parse again (the table is immutable and holds
    nothing but what the text says)."""
    parser = _Parser()
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.feed(number, raw)
    return parser.finish()


def zone_problems(text: str) -> str | None:
    """The settings validator: the first problems of ``text`` with their line numbers,
    in the language of the moment (the merchant's, on the settings page)."""
    problems = parse_zones(text).problems
    if not problems:
        return None
    shown = " ".join(problem.text() for problem in problems[:ERRORS_SHOWN])
    hidden = len(problems) - ERRORS_SHOWN
    return _("%(problems)s (and %(num)s more)", problems=shown, num=hidden) if hidden > 0 \
        else shown
