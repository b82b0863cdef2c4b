"""A country's places, read from ``data/<CC>.csv``, and finding the place an address is in.

Each row of a data file is one place: ``id`` (unique in the country, dotted below the
region: ``dhaka.city.mirpur``), ``parent`` (an earlier row's id, empty at the top),
``kind`` (``division``, ``district``, ``upazila``, ``city``, ``area``, ``province``,
``town``), its names in English, Bengali and Armenian (empty: none in that language),
and ``aliases``: other spellings in any script, separated by ``|``. ``data/README.md``
says where each file comes from.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from core.places.text import name_key, runs

DATA = Path(__file__).with_name("data")
#: The languages a data file has a name column for.
NAME_COLUMNS: tuple[str, ...] = ("en", "bn", "hy")
#: The kind of place that checkout's "region" field names, per country.
REGION_KINDS: Mapping[str, str] = MappingProxyType({"BD": "district", "AM": "province"})
#: The most words a name is looked up with (the longest names have five).
MAX_WORDS = 6
#: A word after a name that says which kind of place is meant ("Dhaka district" is the
#: district, not the city), in English, Bengali and Armenian.
KIND_WORDS: Mapping[str, str] = MappingProxyType({
    "district": "district", "zila": "district", "zilla": "district", "জেলা": "district",
    "division": "division", "বিভাগ": "division",
    "upazila": "upazila", "উপজেলা": "upazila",
    "province": "province", "marz": "province", "մարզ": "province",
})
#: The word that names each kind of place, by language, for :meth:`Gazetteer.find`.
KIND_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "district": {"en": "district", "bn": "জেলা"},
    "division": {"en": "division", "bn": "বিভাগ"},
    "upazila": {"en": "upazila", "bn": "উপজেলা"},
    "province": {"en": "province", "hy": "մարզ"},
})
#: Words that name a kind of place, added after each name of a place of that kind as
#: one more spelling ("Sylhet Division", "ঢাকা জেলা"), so that a merchant or shopper
#: can name the division rather than the district of the same name.
KIND_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "division": ("division", "বিভাগ"),
    "district": ("district", "zila", "zilla", "জেলা"),
    "upazila": ("upazila", "thana", "উপজেলা", "থানা"),
    "city": ("city", "সিটি", "শহর"),
    "area": ("thana", "থানা"),
    "province": ("province", "marz", "region", "մարզ", "область"),
    "town": ("city", "town", "քաղաք", "город"),
})


@dataclass(frozen=True)
class Place:
    """One place of Haat's address data: a division, district, city, area, province, ...

    Places nest: an area is in a city, which is in a district, which is in a division.
    ``lineage`` lists the ids from the top down to this place itself, so "is this place
    inside that one" is ``other.id in place.lineage``.
    """

    #: ``"<country>:<path>"``, stable across releases (``"BD:dhaka.city.mirpur"``).
    id: str
    #: ISO 3166-1 alpha-2 in capitals (``"BD"``).
    country: str
    #: ``"division"``, ``"district"``, ``"upazila"``, ``"city"``, ``"area"``,
    #: ``"province"`` or ``"town"``.
    kind: str
    #: The English name (``"Mirpur"``).
    name: str
    #: The ids from the top of the country down to this place, this place last.
    lineage: tuple[str, ...]
    #: The name per language code (``{"en": "Mirpur", "bn": "মিরপুর"}``); only the
    #: languages the data has.
    names: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def parent_id(self) -> str | None:
        """The id of the place this one is in; ``None`` at the top."""
        return self.lineage[-2] if len(self.lineage) > 1 else None

    @property
    def depth(self) -> int:
        """1 at the top (a division or province), one more for each level down."""
        return len(self.lineage)

    def name_in(self, locale: str) -> str:
        """The name in ``locale``'s language, or the English name when the data has none."""
        return self.names.get(locale.split("_")[0].split("-")[0].lower()) or self.name

    def within(self, other: Place) -> bool:
        """Whether this place is ``other`` or inside it."""
        return other.id in self.lineage


class Gazetteer:
    """One country's places with an index from every name and alias to its places."""

    def __init__(self, country: str, places: Sequence[Place]) -> None:
        self.country = country
        self.places: tuple[Place, ...] = tuple(places)
        self.by_id: dict[str, Place] = {place.id: place for place in self.places}
        self.order: dict[str, int] = {place.id: n for n, place in enumerate(self.places)}
        self.region_kind = REGION_KINDS.get(country, "")
        #: How deep the region field may name a place (a district is 2 deep).
        self.region_depth = max((p.depth for p in self.places if p.kind == self.region_kind),
                                default=1)
        self.index: dict[str, tuple[Place, ...]] = {}

    def add_name(self, name: str, place: Place) -> None:
        key = name_key(name)
        if key and place not in self.index.get(key, ()):
            self.index[key] = (*self.index.get(key, ()), place)

    # ------------------------------------------------------------------ reading

    def hits(self, texts: Iterable[str]) -> list[tuple[Place, ...]]:
        """The names found in ``texts``, longest first at each word: one tuple of the
        places a name may mean per name found."""
        found: list[tuple[Place, ...]] = []
        for text in texts:
            for run in runs(text):
                start = 0
                while start < len(run):
                    for end in range(min(len(run), start + MAX_WORDS), start, -1):
                        places = self.index.get("".join(run[start:end]))
                        if places:
                            found.append(places)
                            start = end
                            break
                    else:
                        start += 1
        return found

    def _best(self, hits: list[tuple[Place, ...]],
              candidates: Iterable[Place]) -> Place | None:
        """The candidate that most of the names found agree with (see :meth:`locate`).

        Among those with the most votes: when they lie on one line of descent, the
        deepest; when only one name disagrees with itself (a name two places share,
        "Mirpur"), the deepest, then the first in the data; when different names point
        to different places ("Cantonment, Chittagong"), the broadest of the places
        named, since a shopper names their city more surely than an area in it."""
        def support(place: Place) -> int:
            return sum(1 for options in hits
                       if any(option.id in place.lineage for option in options))

        scored = [(support(place), place) for place in dict.fromkeys(candidates)]
        if not scored:
            return None
        most = max(score for score, _ in scored)
        top = [place for score, place in scored if score == most]
        deepest = max(top, key=lambda p: (p.depth, -self.order[p.id]))
        if all(place.id in deepest.lineage for place in top):
            return deepest
        leaves = [p for p in top if not any(p.id in o.lineage and o is not p for o in top)]
        sources = {n for n, options in enumerate(hits) if any(p in options for p in leaves)}
        if len(sources) == 1:
            return max(leaves, key=lambda p: (p.depth, -self.order[p.id]))
        return min(leaves, key=lambda p: (p.depth, self.order[p.id]))

    def locate(self, texts: Sequence[str], refine: Sequence[str] = (),
               region: str = "") -> Place | None:
        """The place that ``texts`` (the city field) and ``region`` (the region field)
        name, or ``None``. A region field names a region or a place above one (a
        district or division, a province), never a city or an area; when it names one,
        the answer is inside it.

        Every name found is a vote for each place it may mean and for the places those
        are in. The place with the most votes wins, then the deeper one: "Mirpur-10,
        Dhaka-1216" is Mirpur in Dhaka city (both names agree), not Mirpur in Kushtia;
        "Savar, Dhaka" is Savar (Dhaka the district agrees), not Dhaka city. ``refine``
        (the street lines) may then only narrow the place down: a city field "Dhaka"
        with "Road 5, Dhanmondi" in the first line is Dhanmondi.
        """
        hits = self.hits(texts)
        candidates = [place for options in hits for place in options]
        regional = [kept for options in (self.hits([region]) if region else [])
                    if (kept := tuple(p for p in options if p.depth <= self.region_depth))]
        if regional:
            hits += regional
            named = {p.id for options in regional for p in options}
            candidates = [p for p in candidates if named.intersection(p.lineage)]
            candidates += [p for options in regional for p in options]
        best = self._best(hits, candidates)
        if best is None or not refine:
            return best
        inside = [place for options in self.hits(refine) for place in options
                  if best.id in place.lineage and place is not best]
        return self._best(hits, inside) or best

    def find(self, name: str, *, region: bool = False) -> Place | None:
        """The place a merchant means by ``name`` in a setting: the deepest place of that
        name ("Mirpur" is the area of Dhaka), or with ``region`` the one of the
        country's region kind ("Dhaka" the district, "Yerevan" the province)."""
        places = self.index.get(name_key(name))
        if not places:
            return self._of_kind(name) or self.locate([name])
        if region:
            regional = [p for p in places if p.kind == self.region_kind]
            if regional:
                return regional[0]
            return min(places, key=lambda p: (p.depth, self.order[p.id]))
        return self._best([places], places)


    def _of_kind(self, name: str) -> Place | None:
        """The place ``name`` means when it ends in a kind word ("Dhaka district",
        "ঢাকা জেলা"), else ``None``."""
        words = name.split()
        kind = KIND_WORDS.get(words[-1].casefold()) if len(words) > 1 else None
        if kind is None:
            return None
        places = [p for p in self.index.get(name_key(" ".join(words[:-1])), ())
                  if p.kind == kind]
        return min(places, key=lambda p: (p.depth, self.order[p.id])) if places else None

    def unambiguous_name(self, place: Place, locale: str) -> str:
        """A name of ``place`` in ``locale`` that :meth:`find` reads back as it: its
        name, or its name and kind word where a deeper place shares the name."""
        name = place.name_in(locale)
        if self.find(name) == place:
            return name
        words = KIND_NAMES.get(place.kind, {})
        word = words.get(locale.split("_")[0]) or words.get("en")
        if word and self.find(f"{name} {word}") == place:
            return f"{name} {word}"
        return name


def _row_names(row: Mapping[str, str]) -> dict[str, str]:
    return {lang: row[lang].strip() for lang in NAME_COLUMNS if row.get(lang, "").strip()}


def read_gazetteer(country: str, path: Path) -> Gazetteer:
    """Read a data file (the format is in the module's docstring)."""
    places: list[Place] = []
    lineage: dict[str, tuple[str, ...]] = {}
    aliases: list[tuple[Place, list[str]]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            parent = row["parent"].strip()
            if parent and parent not in lineage:
                raise ValueError(f"{path.name}: {row['id']} comes before its parent {parent}")
            place_id = f"{country}:{row['id'].strip()}"
            lineage[row["id"].strip()] = (*(lineage[parent] if parent else ()), place_id)
            names = _row_names(row)
            place = Place(id=place_id, country=country, kind=row["kind"].strip(),
                          name=names["en"], lineage=lineage[row["id"].strip()],
                          names=MappingProxyType(names))
            places.append(place)
            spellings = [*names.values(), *row["aliases"].split("|")]
            aliases.append((place, [*spellings, *(f"{name} {word}" for name in names.values()
                                                  for word in KIND_WORDS.get(place.kind, ()))]))
    gazetteer = Gazetteer(country, places)
    for place, names in aliases:
        for name in names:
            gazetteer.add_name(name, place)
    return gazetteer


def gazetteer(country: str) -> Gazetteer | None:
    """The places of ``country`` (ISO-2, any case), or ``None`` when Haat has no data
    for it. Read once per process."""
    code = country.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return None  # checked before the cache, so what a shopper types never grows it
    return _country_data(code)


@functools.cache
def _country_data(code: str) -> Gazetteer | None:
    path = DATA / f"{code}.csv"
    return read_gazetteer(code, path) if path.is_file() else None
