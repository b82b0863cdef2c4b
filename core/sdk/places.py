"""Places and addresses: which district, city or area an address is in.

Haat ships address data for Bangladesh (divisions, districts, upazilas, and the areas
of Dhaka and Chattogram) and Armenia (Yerevan's districts, the marzes and their towns),
with names in English and the country's language. A plugin that prices, books or
reports by place reads it here instead of comparing the text shoppers type::

    from core.sdk import find_place, locate_address

    dhaka = find_place("BD", "Dhaka")                 # Dhaka city
    place = locate_address(checkout.address)          # "Mirpur-10, Dhaka-1216"
    if place is not None and place.within(dhaka):
        ...

Reading is tolerant of case, spacing, punctuation, digit script (``ঢাকা-১২০৫``),
postcodes and house numbers, the order of "area, city", and the common spellings of
each name (``Chittagong``/``Chattogram``, ``Bashabo``/``Basabo``). An address that
names no known place gives ``None``: ask the shopper rather than guess.
"""

from __future__ import annotations

from core.places import (
    Place,
    find_place,
    has_places,
    locate_address,
    place_by_id,
    place_name,
    places_of,
)

__all__ = ["Place", "find_place", "has_places", "locate_address", "place_by_id",
           "place_name", "places_of"]
