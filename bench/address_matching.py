"""Address matching per checkout quote (``core.places``), against an exact-match lookup.

    .venv/bin/python bench/address_matching.py [--rounds 7] [--repeat 50] [--show]

No app and no database: everything here is plain Python in one process. The shipping
plugin's rate table is parsed with ``plugins.shipping.grammar.parse_zones`` from a
realistic BDT zones text (Inside Dhaka ``BD / * / Dhaka``; Dhaka suburbs ``BD / * /
Savar, Keraniganj, Tongi, Gazipur, Narayanganj``; Chattogram city; Outside Dhaka
``BD``; one or two options each). Before any timing the Bangladesh address data
(``core/places/data/BD.csv``, about 710 places) is loaded once; that one-off cost is
printed on its own: the first ``core.places.gazetteer.gazetteer("BD")`` of the process
(cache cleared first), the best of 5 re-reads of the file, and parsing the zones text
once without ``parse_zones``'s cache.

About 40 addresses as shoppers type them (``Mirpur-10, Dhaka-1216``, ``ঢাকা-১২০৫``,
``House 12, Road 5, Banani`` in the street line, ``Agrabad, Chittagong``, suburbs,
district towns, places the data does not know, an empty address) are quoted, each
``--repeat`` times in a row per measurement, by:

* **(a) zones_for**: ``ZoneTable.zones_for(address)``, the new tolerant matching
  (``core.places.locate_address`` + the zones' places).
* **(b) quote**: ``ZoneCarrier(table, label="x").quote(store, cart, address)``, the
  whole carrier call checkout makes (matching + pricing + ``ShippingRate``s), with a
  ``StoreInfo`` and ``CartSnapshot`` built directly (both are plain dataclasses).
* **(c) exact dict**, the reference: what the code before ``core.places`` effectively
  did. Dicts from ``place_key(name)`` to zone, built once from the same zones text
  (every name and ``|`` alias); per address ``place_key(city)`` and
  ``place_key(region)`` are looked up (city, then region, then the country's zone).
* **(b') exact dict + rates**, the reference for (b): ``ZoneCarrier.quote`` again, on
  a carrier whose table's ``zones_for`` is (c); the rates are built by the same code.

The four run interleaved, address by address, in a rotating order, for ``--rounds``
rounds (the garbage collector stays on, as in a request; it is run between rounds).
Printed: µs per quote over all addresses, best and median of the rounds; new / reference
(medians; 1.0 = as fast); the slowest single address of (a) and (b); and PASS/FAIL
against the target of under 1 ms per quote, for the average and for the slowest address.
``--show`` also lists the zones each address gets from the new matching and from the
exact lookup. The exit status is 0 whatever the verdict (1 only when the set-up is
broken: the zones text does not parse, or an address gets no rates at all).
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.money import Money
from core.places.gazetteer import DATA, _country_data, gazetteer, read_gazetteer
from core.sdk import Address, CartLine, CartSnapshot, StoreInfo, locate_address
from plugins.shipping.carrier import ZoneCarrier
from plugins.shipping.grammar import parse_zones
from plugins.shipping.zones import Zone, ZoneTable, place_key

#: The target: under this many µs per quote.
TARGET_US = 1000.0
CURRENCY = "BDT"

#: (zone name, zone line after the colon, option lines): the zones text is made from it,
#: and so are the reference's dicts.
ZONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Inside Dhaka", "BD / * / Dhaka", (
        "Delivery inside Dhaka: 70 (1-2 days)",
        "Same-day delivery: 150 (same day)",
    )),
    ("Dhaka suburbs", "BD / * / Savar, Keraniganj, Tongi, Gazipur, Narayanganj", (
        "Delivery to Dhaka suburbs: 100 (2-3 days)",
    )),
    ("Chattogram city", "BD / * / Chattogram|Chittagong|চট্টগ্রাম", (
        "Delivery in Chattogram: 90 (1-3 days)",
        "Pick up from our Agrabad shop: pickup",
    )),
    ("Outside Dhaka", "BD", (
        "Courier: weight 0-2kg 130, 2-5kg 180, 5kg+ 250 (3-5 days)",
        "Free delivery: free over 3000",
    )),
)


def zones_text() -> str:
    lines = ["# Bench: Dhaka ৳70, suburbs ৳100, Chattogram ৳90, elsewhere by weight."]
    for name, where, options in ZONES:
        lines.append(f"{name}: {where}")
        lines.extend(f"  {option}" for option in options)
    return "\n".join(lines) + "\n"


def bd(region: str, city: str, line1: str = "", line2: str = "") -> Address:
    """An address in Bangladesh as typed: region, city, street line(s)."""
    return Address("BD", region, city, line1=line1, line2=line2)


#: Addresses as shoppers type them at checkout.
ADDRESSES: tuple[Address, ...] = (
    # Dhaka city
    bd("Dhaka", "Mirpur-10, Dhaka-1216", "House 7, Road 3, Block C"),
    bd("", "ঢাকা-১২০৫", "বাড়ি ১২, রোড ৫, ধানমন্ডি"),
    bd("Dhaka", "Dhaka", "House 12, Road 5, Banani"),
    bd("Dhaka", "Dhanmondi", "Flat 4B, House 22, Road 9/A"),
    bd("Dhaka", "Uttara Sector 7", "House 14, Road 21"),
    bd("ঢাকা", "মিরপুর", "বাসা ৩৪, রোড ২, সেকশন ৬"),
    bd("Dhaka", "Gulshan-2", "House 11, Road 90"),
    bd("", "Mohammadpur, Dhaka", "12/3 Tajmahal Road"),
    bd("Dhaka", "Motijheel C/A", "Dilkusha, 3rd floor"),
    bd("Dhaka Division", "Dhaka City", "Shantinagar, 45/1"),
    bd("dhaka", "DHAKA", ""),
    bd("Dhaka", "Bashundhara R/A", "Block D, Road 5, House 310"),
    bd("Dhaka", "Jatrabari", "Shahid Faruk Road"),
    bd("Dhaka", "Lalbag", "Azimpur Road"),
    bd("Dhaka", "Khilgaon", "Taltola, near the market"),
    bd("Dhaka", "Flat 5A, House 27, Road 11, Block F, Banani, Dhaka 1213, Bangladesh",
      "Flat 5A, House 27, Road 11, Block F, Banani, Dhaka 1213", "Opposite Banani Club"),
    # Dhaka suburbs
    bd("Dhaka", "Savar", "Radio Colony"),
    bd("Dhaka", "Keraniganj", "Zinzira"),
    bd("Gazipur", "Tongi", "Station Road"),
    bd("Gazipur", "Gazipur Sadar", "Joydebpur Chowrasta"),
    bd("Narayanganj", "Narayanganj", "Chashara"),
    bd("নারায়ণগঞ্জ", "ফতুল্লা", ""),
    bd("", "সাভার, ঢাকা", ""),
    bd("Dhaka", "Ashulia", "Baipail"),
    # Chattogram
    bd("Chittagong", "Agrabad, Chittagong", "CDA Avenue"),
    bd("Chattogram", "Chattogram", "GEC Circle"),
    bd("", "চট্টগ্রাম-৪০০০", "আগ্রাবাদ"),
    bd("CTG", "Halishahar", "Block K"),
    bd("Chattogram", "Panchlaish", "O.R. Nizam Road"),
    bd("Chattogram", "Hathazari", ""),
    # elsewhere in Bangladesh
    bd("Sylhet", "Sylhet", "Zindabazar"),
    bd("Rajshahi", "Boalia", "Shaheb Bazar"),
    bd("Khulna", "Sonadanga", "Road 2"),
    bd("Cumilla", "Kotbari", ""),
    bd("Cox's Bazar", "Coxsbazar", "Kolatoli Road"),
    bd("Bogura", "Sherpur", ""),
    bd("Barisal", "Barishal Sadar", "Sadar Road"),
    bd("রংপুর", "রংপুর সদর", ""),
    bd("Mymensingh", "Trishal", ""),
    # places the data does not know, and an address not typed yet
    bd("", "Bhatiary Bazar", "near the mosque"),
    bd("Xyzpur", "Nowhere Town", "House 3"),
    bd("", "", ""),
)

STORE = StoreInfo(id=1, slug="bench", name="ঢাকা কারুশিল্প", locale="bn", currency=CURRENCY,
                  base_url="https://bench.haat.example/", country="BD")
CART = CartSnapshot(
    token="bench-cart",  # noqa: S106 - a made-up cart id, no secret
    lines=(CartLine(product_id=1, title="নকশি কাঁথা", quantity=1,
                    unit_price=Money.from_decimal("1500", CURRENCY), weight_grams=1200),
           CartLine(product_id=2, title="Jamdani saree", quantity=1,
                    unit_price=Money.from_decimal("900", CURRENCY), weight_grams=400)),
    subtotal=Money.from_decimal("2400", CURRENCY),
)


# --------------------------------------------------------------------- the reference


class ExactLookup:
    """The reference: exact ``place_key`` lookups, as before ``core.places``.

    It stands in for the ``ZoneTable`` of a second ``ZoneCarrier`` (everything but
    ``zones_for`` is the real table's), so (b') builds its rates with the carrier's own
    code and only the matching differs from (b).
    """

    def __init__(self, table: ZoneTable) -> None:
        self.table = table
        by_name = {zone.name: zone for zone in table.zones}
        self.cities: dict[tuple[str, str], Zone] = {}
        self.regions: dict[tuple[str, str], Zone] = {}
        self.countries: dict[str, Zone] = {}
        for name, where, _options in ZONES:
            zone = by_name[name]
            country, *parts = [p.strip() for p in where.split("/")]
            for part, into in zip(parts, (self.regions, self.cities), strict=False):
                if part != "*":
                    for entry in part.split(","):
                        for alias in entry.split("|"):
                            into.setdefault((country, place_key(alias)), zone)
            if not parts:
                self.countries.setdefault(country, zone)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)

    def zones_for(self, address: Address) -> tuple[Zone, ...]:
        country = address.country.strip().upper()
        city, region = place_key(address.city), place_key(address.region)
        zone = (self.cities.get((country, city)) or self.regions.get((country, region))
                or self.regions.get((country, city)) or self.countries.get(country))
        return () if zone is None else (zone,)


# ------------------------------------------------------------------------ one-offs


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def one_offs() -> list[tuple[str, float]]:
    """The one-off costs (ms): loading the data, parsing the zones text."""
    _country_data.cache_clear()
    started = time.perf_counter()
    data = gazetteer("BD")
    first = ms_since(started)
    assert data is not None
    path = DATA / "BD.csv"
    rereads = []
    for _ in range(5):
        started = time.perf_counter()
        read_gazetteer("BD", path)
        rereads.append(ms_since(started))
    text = zones_text()
    started = time.perf_counter()
    parse_zones.__wrapped__(text)  # without the cache
    parsed = ms_since(started)
    return [
        (f"load BD.csv, first gazetteer('BD') ({len(data.places)} places, "
         f"{len(data.index):,} names)", first),
        ("re-read BD.csv, best of 5", min(rereads)),
        (f"parse the zones text ({len(ZONES)} zones), uncached", parsed),
    ]


# -------------------------------------------------------------------------- timing

Measure = Callable[[Address], Any]


def time_calls(call: Measure, address: Address, repeat: int) -> float:
    """µs per call of ``call(address)``, ``repeat`` calls in a row."""
    started = time.perf_counter()
    for _ in range(repeat):
        call(address)
    return (time.perf_counter() - started) * 1e6 / repeat


def run(measures: dict[str, Measure], rounds: int, repeat: int
        ) -> tuple[dict[str, list[float]], dict[str, list[list[float]]]]:
    """Per measurement: µs per quote over all addresses in each round, and µs per quote
    of each address in each round (``[address][round]``)."""
    names = list(measures)
    average: dict[str, list[float]] = {name: [] for name in names}
    each: dict[str, list[list[float]]] = {name: [[] for _ in ADDRESSES] for name in names}
    for number in range(rounds):
        gc.collect()
        totals = dict.fromkeys(names, 0.0)
        for index, address in enumerate(ADDRESSES):
            shift = (number + index) % len(names)  # rotate who goes first
            for name in names[shift:] + names[:shift]:
                us = time_calls(measures[name], address, repeat)
                each[name][index].append(us)
                totals[name] += us
        for name in names:
            average[name].append(totals[name] / len(ADDRESSES))
        print(f"round {number + 1}: " + ", ".join(
            f"{name} {average[name][-1]:.1f} µs" for name in names), flush=True)
    return average, each


# -------------------------------------------------------------------------- report


def shown(address: Address) -> str:
    parts = [p for p in (address.city, address.region, address.line1) if p]
    text = " | ".join(parts) or "(empty)"
    return text if len(text) <= 40 else text[:39] + "…"


def names_of(zones: tuple[Zone, ...]) -> str:
    if len(zones) > 2:
        return f"{len(zones)} zones, shopper chooses"
    return " + ".join(zone.name for zone in zones) or "(none)"


def in_city_zone(zones: tuple[Zone, ...]) -> bool:
    """Whether the address got exactly one zone, and one that names cities."""
    return len(zones) == 1 and zones[0].cities is not None


def verdict(us: float) -> str:
    return "PASS" if us < TARGET_US else "FAIL"


def report(average: dict[str, list[float]], each: dict[str, list[list[float]]],
           rounds: int, repeat: int) -> None:
    def best(name: str) -> float:
        return min(average[name])

    def median(name: str) -> float:
        return statistics.median(average[name])

    print()
    print(f"µs per quote, mean over {len(ADDRESSES)} addresses x {repeat} calls each; best "
          f"and median of {rounds} rounds; new/ref = median / median (1.0 = as fast); "
          f"target < {TARGET_US / 1000:g} ms per quote")
    print(f"{'what':<44}{'best':>9}{'median':>9}{'new/ref':>9}  target")
    rows = (("(a) zones_for (tolerant matching)", "a", "c"),
            ("(c) exact dict (reference for a)", "c", ""),
            ("(b) ZoneCarrier.quote (full quote)", "b", "b'"),
            ("(b') exact dict + same rates (ref for b)", "b'", ""))
    for label, name, reference in rows:
        ratio = f"{median(name) / median(reference):>8.1f}x" if reference else f"{'':>9}"
        target = verdict(median(name)) if reference else ""
        print(f"{label:<44}{best(name):>9.1f}{median(name):>9.1f}{ratio}  {target}".rstrip())
    print()
    print("slowest single address (µs per quote, best and median of its rounds):")
    for label, name, reference in rows:
        if not reference:
            continue
        per_address = [(statistics.median(times), min(times), index)
                       for index, times in enumerate(each[name])]
        worst_median, worst_best, index = max(per_address)
        ref_median = statistics.median(each[reference][index])
        print(f"  {label[:3]} {shown(ADDRESSES[index]):<40}{worst_best:>9.1f}"
              f"{worst_median:>9.1f}{worst_median / ref_median:>8.1f}x  "
              f"{verdict(worst_median)}")


def show_matches(table: ZoneTable, exact: ExactLookup) -> tuple[int, int]:
    """Print each address's zones (new and reference); the count of addresses each puts
    in a zone other than the country-wide "Outside Dhaka"."""
    print(f"{'address (city | region | line1)':<42}{'new: zones_for':<30}exact dict")
    new_specific = old_specific = 0
    for address in ADDRESSES:
        new, old = table.zones_for(address), exact.zones_for(address)
        new_specific += in_city_zone(new)
        old_specific += in_city_zone(old)
        print(f"{shown(address):<42}{names_of(new):<30}{names_of(old)}")
    return new_specific, old_specific


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50,
                        help="calls in a row per address and measurement in each round")
    parser.add_argument("--show", action="store_true",
                        help="also list the zones each address gets, new and reference")
    args = parser.parse_args()

    print(f"Python {platform.python_version()} on {platform.machine()}; "
          f"{len(ADDRESSES)} addresses, {args.rounds} rounds x {args.repeat} calls each")
    print("one-off costs (before timing; the data stays loaded for the process):")
    for label, ms in one_offs():
        print(f"  {label:<62}{ms:>8.2f} ms")

    table = parse_zones(zones_text())
    if table.errors:
        print("the zones text does not parse:\n  " + "\n  ".join(table.errors))
        return 1
    carrier = ZoneCarrier(table, label="x")
    exact = ExactLookup(table)
    exact_carrier = ZoneCarrier(table, label="x")
    exact_carrier.table = exact  # type: ignore[assignment]  # duck-typed: only zones_for differs
    for address in ADDRESSES:  # warm, and check both quote something for every address
        if not carrier.quote(STORE, CART, address) or not exact_carrier.quote(
                STORE, CART, address):
            print(f"no rates for {address}")
            return 1

    if args.show:
        print()
        new_specific, old_specific = show_matches(table, exact)
    else:
        new_specific = sum(map(in_city_zone, map(table.zones_for, ADDRESSES)))
        old_specific = sum(map(in_city_zone, map(exact.zones_for, ADDRESSES)))
    print(f"addresses put in a city zone (Dhaka, suburbs, Chattogram) rather than the "
          f"country's or several: new {new_specific}, exact dict {old_specific} "
          f"of {len(ADDRESSES)}")
    print()

    def uncached(call: Measure) -> Measure:
        """Each call as for an address the process has not read yet (a new shopper):
        locate_address keeps the last addresses it read, and 50 calls in a row of one
        address would otherwise measure that cache."""
        def measured(address: Address) -> Any:
            locate_address.cache_clear()
            return call(address)
        return measured

    measures: dict[str, Measure] = {
        "a": uncached(table.zones_for),
        "b": uncached(lambda address: carrier.quote(STORE, CART, address)),
        "c": exact.zones_for,
        "b'": lambda address: exact_carrier.quote(STORE, CART, address),
    }
    average, each = run(measures, args.rounds, args.repeat)
    report(average, each, args.rounds, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
