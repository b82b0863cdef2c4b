"""The places an address form suggests as the shopper types (an HTML ``<datalist>``).

The region field suggests the country's regions (Bangladesh's 64 districts, Armenia's
marzes and Yerevan); the city field its cities, towns and city areas ("Mirpur, Dhaka
city"), each in the shopper's language where the data has it. Suggestions only: the
fields still take any text, which :func:`core.places.locate_address` reads tolerantly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from core.places.gazetteer import gazetteer

#: Kinds of place the city field suggests (upazilas are left out: about 500 of them
#: would weigh a phone's checkout down, and a district in the region field places them).
CITY_KINDS = frozenset({"city", "area", "town"})


@dataclass(frozen=True)
class AddressChoices:
    """What the region and city fields of one country suggest, in one language."""

    #: ISO-2 code of the country.
    country: str
    #: Region names, sorted.
    regions: tuple[str, ...]
    #: City, town and area names ("Mirpur, Dhaka city"), in the data's order: a city
    #: before its areas.
    cities: tuple[str, ...]


@functools.lru_cache(maxsize=32)
def address_choices(country: str, locale: str) -> AddressChoices | None:
    """The suggestions for ``country`` in ``locale``; ``None`` without address data."""
    data = gazetteer(country)
    if data is None:
        return None
    regions = sorted({p.name_in(locale) for p in data.places if p.kind == data.region_kind})
    cities: list[str] = []
    for place in data.places:
        if place.kind not in CITY_KINDS:
            continue
        parent = data.by_id.get(place.parent_id or "")
        name = place.name_in(locale)
        if place.kind == "area" and parent is not None:
            name = f"{name}, {parent.name_in(locale)}"
        cities.append(name)
    return AddressChoices(data.country, tuple(regions), tuple(dict.fromkeys(cities)))
