"""The parsed rate table: zones, their delivery options, and which zone an address is in.

Everything here is immutable, so one parsed table can be cached and shared safely.
Amounts are ``Decimal`` major units (``70`` is ৳70); they become ``Money`` in the
store's currency only when a cart is quoted. Weights are grams.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.sdk import Address, CartSnapshot, LazyText, Place, has_places, locate_address

from .catalogue import _, render

FLAT = "flat"
WEIGHT = "weight"
VALUE = "value"
FREE_OVER = "free_over"
PICKUP = "pickup"

# Punctuation that shoppers and merchants use differently ("Cox's Bazar", "Dhaka.").
_PUNCTUATION = re.compile(r"[.,;:_()'\"/\\।\-–—]+")
# Trailing words that name the kind of place, not the place ("Dhaka Division").
_PLACE_WORDS = frozenset({
    "city", "district", "division", "zila", "zilla", "province", "region", "marz",
    "সিটি", "শহর", "জেলা", "বিভাগ", "մարզ", "քաղաք",
})


def place_key(name: str) -> str:
    """How a place name is compared: case, spacing, punctuation and a trailing "City",
    "District", "Division" (and their Bengali and Armenian words) do not matter."""
    words = _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", name)).casefold().split()
    while len(words) > 1 and words[-1] in _PLACE_WORDS:
        words.pop()
    return " ".join(words)


def slug(name: str, prefix: str) -> str:
    """An ASCII id for a zone or option name; names without Latin letters get a short
    stable hash (``method-1a2b3c``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if made:
        return made[:60].rstrip("-")
    return f"{prefix}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"  # noqa: S324 - an id, not security


def unique_slugs(names: Iterable[str], prefix: str) -> list[str]:
    """``slug`` of each name, with ``-2``, ``-3`` added where two names give the same."""
    seen: set[str] = set()
    made = []
    for name in names:
        base = candidate = slug(name, prefix)
        count = 1
        while candidate in seen:
            count += 1
            candidate = f"{base}-{count}"
        seen.add(candidate)
        made.append(candidate)
    return made


@dataclass(frozen=True)
class Band:
    """``low`` up to ``high`` (``None``: no upper end) costs ``price``. Both ends belong
    to the band; which of two touching bands wins is the option's rule."""

    low: Decimal
    high: Decimal | None
    price: Decimal

    def covers(self, value: Decimal) -> bool:
        return self.low <= value and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class Method:
    """One delivery option of a zone, as the merchant wrote it.

    ``kind`` is one of ``FLAT``, ``WEIGHT``, ``VALUE``, ``FREE_OVER`` and ``PICKUP``.
    ``bands`` are sorted by ``low``. ``track`` is a tracking page address with
    ``{number}`` in it, or empty.
    """

    label: str
    slug: str
    kind: str
    line: int
    price: Decimal = Decimal(0)
    bands: tuple[Band, ...] = ()
    threshold: Decimal | None = None
    min_days: int | None = None
    max_days: int | None = None
    track: str = ""

    def price_for(self, cart: CartSnapshot) -> Decimal | None:
        """What this option costs for ``cart`` (major units), or ``None`` when it does
        not apply: a weight or value outside every band, a subtotal under the free
        threshold.

        Where two weight bands touch, the lighter one wins (a 2 kg parcel is in
        0-2kg); where two value bands touch, the higher one wins (an order of exactly
        1000 is in 1000-3000), just as "free over" applies once the subtotal reaches it.
        """
        if self.kind in (FLAT, PICKUP):
            return self.price
        subtotal = cart.subtotal.to_decimal()
        if self.kind == FREE_OVER:
            return Decimal(0) if self.threshold is not None and subtotal >= self.threshold \
                else None
        if self.kind == WEIGHT:
            weight = Decimal(cart.weight_grams)
            band = next((b for b in self.bands if b.covers(weight)), None)
        else:
            band = next((b for b in reversed(self.bands) if b.covers(subtotal)), None)
        return band.price if band is not None else None


@dataclass(frozen=True)
class Zone:
    """Where a set of delivery options applies.

    ``countries`` are ISO-2 codes (empty: every country). ``regions`` and ``cities``
    are ``None`` for "any"; otherwise a place is in the zone when it is inside one of
    ``region_places``/``city_places`` (the names Haat's address data knows, such as
    "Dhaka" or "Savar") or, for names it does not know, when the shopper typed one of
    the ``place_key`` forms in ``regions``/``cities``.
    """

    name: str
    slug: str
    line: int
    countries: frozenset[str]
    regions: frozenset[str] | None
    cities: frozenset[str] | None
    methods: tuple[Method, ...]
    region_places: frozenset[Place] = frozenset()
    city_places: frozenset[Place] = frozenset()

    @property
    def rank(self) -> tuple[bool, bool, bool]:
        """How specific the zone is: cities beat regions beat countries beat everywhere."""
        return (self.cities is not None, self.regions is not None, bool(self.countries))

    @property
    def places(self) -> frozenset[Place]:
        """Every known place the zone names, regions and cities alike."""
        return self.region_places | self.city_places

    def _part(self, keys: frozenset[str] | None, places: frozenset[Place],
              typed: tuple[str, ...], place: Place | None) -> int | None:
        """How deep the place that puts the address in this part of the zone is (0 for
        "any" or a typed name), or ``None`` when the address is not in it."""
        if keys is None:
            return 0
        if place is not None:
            depths = [p.depth for p in places if p.id in place.lineage]
            if depths:
                return max(depths)
        return 0 if any(key in keys for key in typed) else None

    def match(self, country: str, region: str, city: str,
              place: Place | None) -> tuple[int, bool, bool, bool] | None:
        """How specifically the zone covers an address (``region`` and ``city`` already
        ``place_key``-ed; ``place`` where the address data put it), or ``None`` when it
        does not. A deeper named place beats a shallower one ("Mirpur" beats "Dhaka"),
        then cities beat regions beat countries. A region also matches when the shopper
        typed it as the city (Yerevan, Dhaka)."""
        if self.countries and country not in self.countries:
            return None
        in_region = self._part(self.regions, self.region_places, (region, city), place)
        in_city = self._part(self.cities, self.city_places, (city,), place)
        if in_region is None or in_city is None:
            return None
        return (max(in_region, in_city), *self.rank)


@dataclass(frozen=True)
class ZoneProblem:
    """Something in the zones text that cannot be read, kept untranslated: a parsed
    table is cached and shared, and each merchant reads its problems in their language.
    """

    #: The line it is on; 0 for the text as a whole ("There are no zones yet").
    line: int
    #: What is wrong and how to fix it, e.g. "could not read the price “seventy”: ...".
    message: LazyText

    def text(self, locale: str | None = None) -> str:
        """"Line 2: Could not read the price “seventy”: ...." in ``locale`` (``None``:
        the language of the moment)."""
        said = render(self.message, locale)
        if not self.line:
            return said
        return _.gettext("Line %(line)s: %(message)s.", locale=locale, line=self.line,
                         message=said[:1].upper() + said[1:])


@dataclass(frozen=True)
class ZoneTable:
    """A store's zones in the merchant's order, and what was wrong with the text."""

    zones: tuple[Zone, ...]
    problems: tuple[ZoneProblem, ...] = ()

    @property
    def errors(self) -> tuple[str, ...]:
        """The problems in English, for logs and exceptions (the settings form shows
        them in the merchant's language: ``ZoneProblem.text``)."""
        return tuple(problem.text("en") for problem in self.problems)

    def zones_for(self, address: Address) -> tuple[Zone, ...]:
        """The zones whose options the shopper is offered for ``address``.

        One zone when the address is placed: the most specific zone it is in (the
        first written wins a tie). Several when it cannot be placed precisely enough to
        tell them apart, so that the shopper chooses rather than Haat charging the
        dearer one: an address Haat's data cannot place at all is offered every zone of
        its country, and one placed only broadly ("Dhaka district") every zone inside
        that place too. None when no zone covers the country.
        """
        country = address.country.strip().upper()
        region, city = place_key(address.region), place_key(address.city)
        place = locate_address(address)
        best: Zone | None = None
        best_rank: tuple[int, bool, bool, bool] | None = None
        for zone in self.zones:
            rank = zone.match(country, region, city, place)
            if rank is not None and (best_rank is None or rank > best_rank):
                best, best_rank = zone, rank
        named_by_merchant = best_rank is not None and (best_rank[1] or best_rank[2])
        if not has_places(country) or (place is None and named_by_merchant):
            # Without address data, or when the shopper typed a name the merchant wrote
            # into a zone, the text match is all there is to go on.
            return () if best is None else (best,)
        if place is None:
            narrower = [z for z in self.zones if country in z.countries
                        and (z.regions is not None or z.cities is not None)]
        else:
            narrower = [z for z in self.zones
                        if any(place.id in p.lineage and p.id != place.id for p in z.places)]
        return tuple(z for z in self.zones if z is best or z in narrower)

    def serves_country(self, country: str) -> bool:
        """Whether any zone covers some of ``country``."""
        code = country.strip().upper()
        return any(not z.countries or code in z.countries for z in self.zones)

    def method(self, rate_id: str) -> tuple[Zone, Method] | None:
        """The zone and option behind a rate id ``"<zone slug>/<option slug>"``."""
        zone_slug, _, method_slug = rate_id.partition("/")
        for zone in self.zones:
            if zone.slug == zone_slug:
                for method in zone.methods:
                    if method.slug == method_slug:
                        return zone, method
        return None
