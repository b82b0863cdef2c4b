"""Where an address is: Haat's address data for the countries of its first merchants.

Bangladesh (8 divisions, 64 districts, their upazilas, and the areas of Dhaka and
Chattogram) and Armenia (Yerevan's 12 districts, the 10 marzes and their towns) ship as
data files under ``data/``, with names in English and the country's language and the
spellings shoppers use. Reading an address is tolerant: case, spacing, punctuation,
digit script, postcodes and house numbers, and the order of "area, city" do not matter
(see :mod:`core.places.text`). Plugins use this through ``core.sdk``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from core.places.gazetteer import Gazetteer, Place, gazetteer

if TYPE_CHECKING:
    from core.sdk.commerce import Address

__all__ = ["Place", "find_place", "has_places", "locate_address", "place_by_id",
           "place_name", "places_of"]


def has_places(country: str) -> bool:
    """Whether Haat has address data for ``country`` (ISO-2): ``BD`` and ``AM`` today."""
    return gazetteer(country) is not None


@functools.lru_cache(maxsize=1024)  # a checkout asks for the same address several times
def locate_address(address: Address) -> Place | None:
    """The most precise place ``address`` is in, or ``None`` when it cannot be placed
    (a country without data, or no known name in the city and region fields).

    The city and region fields decide; the street lines may only narrow the answer
    down ("Dhaka" with "Road 5, Dhanmondi" is Dhanmondi). "Mirpur-10, Dhaka-1216",
    "ঢাকা-১২০৫" and "Dhanmondi, Dhaka" are all placed in Dhaka city.
    """
    data = gazetteer(address.country)
    if data is None:
        return None
    return data.locate([address.city], refine=[address.line1, address.line2],
                       region=address.region)


def find_place(country: str, name: str, *, region: bool = False) -> Place | None:
    """The place a merchant means by ``name`` in ``country``: the deepest place of that
    name ("Mirpur" is Dhaka's), or with ``region=True`` the one of the country's region
    level ("Dhaka" the district, "Yerevan" the province). A kind word after the name
    picks that kind ("Dhaka district", "ঢাকা জেলা", "Kotayk marz"). ``None``: not in the
    data."""
    data = gazetteer(country)
    return data.find(name, region=region) if data is not None else None


def place_name(place: Place, locale: str) -> str:
    """A name of ``place`` in ``locale``'s language that :func:`find_place` reads back
    as this very place: its name ("Mirpur", "মিরপুর"), with its kind after it where a
    deeper place has the same name ("Dhaka district", "ঢাকা জেলা": "Dhaka" alone is the
    city). Offer these where merchants choose places."""
    data = gazetteer(place.country)
    return data.unambiguous_name(place, locale) if data is not None else place.name_in(locale)


def place_by_id(place_id: str) -> Place | None:
    """The place with the id ``"<country>:<path>"``, or ``None`` when there is none."""
    country, _, _path = place_id.partition(":")
    data = gazetteer(country)
    return data.by_id.get(place_id) if data is not None else None


def places_of(country: str, *, kind: str | None = None,
              within: str | None = None) -> tuple[Place, ...]:
    """The places of ``country`` in the data's order, only those of ``kind`` and inside
    the place with the id ``within`` when given (``()`` for a country without data)."""
    data: Gazetteer | None = gazetteer(country)
    if data is None:
        return ()
    return tuple(place for place in data.places
                 if (kind is None or place.kind == kind)
                 and (within is None or within in place.lineage))
