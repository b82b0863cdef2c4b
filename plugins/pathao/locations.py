"""Finding Pathao's city, zone and area for a delivery address.

Pathao wants its own ids (``recipient_city``, ``recipient_zone``, optionally
``recipient_area``). Haat's places (``core.sdk.locate_address``) tell which district
and area an address is in, in whatever language or spelling the shopper typed
("Mirpur-10, Dhaka-1216", "ঢাকা", "Chattogram"); their English names are then
compared with Pathao's lists. The zone is the longest Pathao zone name found as whole
words in the address (so "Mirpur 10" wins over "Mirpur"), else the area Haat placed
the address in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.sdk import Address, locate_address, place_by_id

from .api import PathaoClient

#: Haat's (current, official) spellings -> the older ones Pathao's city list uses.
ALIASES = {
    "chattogram": ("chittagong",), "barishal": ("barisal",), "bogura": ("bogra",),
    "cumilla": ("comilla",), "jashore": ("jessore",), "chapainawabganj": (
        "chapai nawabganj", "nawabganj"), "coxs bazar": ("cox s bazar",),
}
_KIND_WORDS = re.compile(r"\b(city|district|division|zila|upazila|sadar)\b")


def norm(text: str) -> str:
    """Lower case, every run of other characters one space: "Mirpur-10" -> "mirpur 10"."""
    return " ".join(re.findall(r"[^\W_]+", str(text).lower()))


def _names(name: str) -> set[str]:
    plain = norm(name)
    bare = " ".join(_KIND_WORDS.sub(" ", plain).split())
    found = {plain, bare}
    for known in (plain, bare):
        found.update(ALIASES.get(known, ()))
    return {n for n in found if n}


@dataclass(frozen=True)
class Destination:
    city_id: int
    city_name: str
    zone_id: int
    zone_name: str
    area_id: int | None = None


def _words(address: Address, place_names: list[str]) -> str:
    parts = [address.city, address.line2, address.line1, address.region, *place_names]
    return f" {norm(' '.join(p for p in parts if p))} "


def _longest(rows: list[dict[str, Any]], key: str, words: str) -> dict[str, Any] | None:
    best: tuple[int, dict[str, Any]] | None = None
    for row in rows:
        name = norm(row.get(key) or "")
        if name and f" {name} " in words and (best is None or len(name) > best[0]):
            best = (len(name), row)
    return best[1] if best else None


def find_destination(client: PathaoClient, address: Address, *,
                     with_area: bool = False) -> Destination | None:
    """Pathao's city and zone (and area when asked and found) for ``address``;
    ``None`` when the address cannot be matched."""
    place = locate_address(address)
    lineage = [place_by_id(pid) for pid in reversed(place.lineage)] if place else []
    place_names = [p.name for p in lineage if p is not None]
    words = _words(address, place_names)
    cities = client.cities()
    city = None
    for name in place_names:  # the deepest place first: the district before the division
        wanted = _names(name)
        city = next((c for c in cities if norm(c.get("city_name") or "") in wanted), None)
        if city is not None:
            break
    if city is None:
        city = _longest(cities, "city_name", words)
    if city is None:
        return None
    zones = client.zones(int(city["city_id"]))
    zone = _longest(zones, "zone_name", words)
    if zone is None:
        return None
    area_id = None
    if with_area:
        area = _longest(client.areas(int(zone["zone_id"])), "area_name", words)
        area_id = int(area["area_id"]) if area is not None else None
    return Destination(int(city["city_id"]), str(city.get("city_name") or ""),
                       int(zone["zone_id"]), str(zone.get("zone_name") or ""), area_id)
