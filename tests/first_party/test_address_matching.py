"""Addresses as shoppers really type them, placed in the right shipping zone.

Everything goes through the shipping plugin's hook, exactly as checkout does: the
store's carrier (``haat_shipping_carriers``) quotes a cart to an address, and the zone
of each rate says where Haat put the address. The zones name places in English only
("Dhaka", "Savar", "Yerevan"); Haat's address data knows the other spellings, the
Bengali and Armenian names, the areas inside each city and the postcodes around them.
"""

from __future__ import annotations

import pytest

from core.sdk import Address
from shipping_support import bdt, quote, sample_cart

PLUGIN = "shipping"

BD_ZONES = """\
Inside Dhaka: BD / * / Dhaka
  Delivery inside Dhaka: 70 (1-2 days)
Dhaka suburbs: BD / * / Savar, Keraniganj, Tongi, Gazipur, Narayanganj
  Delivery to Dhaka suburbs: 100 (2-3 days)
Chattogram city: BD / * / Chattogram
  Delivery in Chattogram: 90 (2-3 days)
Outside Dhaka: BD
  Delivery outside Dhaka: 130 (3-5 days)
"""

AM_ZONES = """\
Yerevan: AM / Yerevan
  Delivery in Yerevan: 1000 (1-2 days)
Regions: AM
  Delivery to the regions: 2500 (2-4 days)
"""

STORES = {"BD": ("bd-address-shop", "BDT", "bn", BD_ZONES),
          "AM": ("am-address-shop", "AMD", "hy", AM_ZONES)}
CURRENCY = {"BD": "BDT", "AM": "AMD"}

INSIDE, SUBURBS, CTG, OUTSIDE = "inside-dhaka", "dhaka-suburbs", "chattogram-city", \
    "outside-dhaka"
YEREVAN, REGIONS = "yerevan", "regions"


def _bd(city: str = "", region: str = "", line1: str = "") -> Address:
    return Address("BD", region, city, line1=line1)


def _am(city: str = "", region: str = "", line1: str = "") -> Address:
    return Address("AM", region, city, line1=line1)


def _case(address: Address, zone: str, case_id: str):
    return pytest.param(address, zone, id=case_id)


CASES = [
    # ---------------------------------------------------------------- Dhaka city
    _case(_bd("Mirpur-10, Dhaka-1216"), INSIDE, "mirpur-10-dhaka-1216"),
    _case(_bd("Dhaka-1207"), INSIDE, "dhaka-hyphen-postcode"),
    _case(_bd("Dhaka 1207"), INSIDE, "dhaka-space-postcode"),
    _case(_bd("Dhaka", "Dhaka"), INSIDE, "dhaka-in-both-fields"),
    _case(_bd("Dhanmondi, Dhaka"), INSIDE, "dhanmondi-comma-dhaka"),
    _case(_bd("Mirpur-10"), INSIDE, "mirpur-10-alone"),
    _case(_bd("Mirpur 10", "Dhaka"), INSIDE, "mirpur-10-region-dhaka"),
    _case(_bd("Gulshan 2"), INSIDE, "gulshan-2"),
    _case(_bd("Gulshan-1, Dhaka-1212"), INSIDE, "gulshan-1-dhaka-1212"),
    _case(_bd("ঢাকা-১২০৫"), INSIDE, "bn-dhaka-bengali-postcode"),
    _case(_bd("ঢাকা ১২১৬", "ঢাকা"), INSIDE, "bn-dhaka-space-postcode-bn-region"),
    _case(_bd("মিরপুর ১০, ঢাকা"), INSIDE, "bn-mirpur-10-dhaka"),
    _case(_bd("মিরপুর-১০, ঢাকা-১২১৬"), INSIDE, "bn-mirpur-10-dhaka-1216"),
    _case(_bd("উত্তরা, ঢাকা"), INSIDE, "bn-uttara-dhaka"),
    _case(_bd("ধানমন্ডি"), INSIDE, "bn-dhanmondi"),
    _case(_bd("Uttara Sector 7"), INSIDE, "uttara-sector-7"),
    _case(_bd("Uttara", "Dhaka", line1="House 4, Road 12, Sector 7"), INSIDE,
          "uttara-with-street-line"),
    _case(_bd("Dhaka", line1="House 12, Road 5, Banani"), INSIDE, "banani-in-line1"),
    _case(_bd("Dhaka", "Dhaka", line1="Road 5, Dhanmondi"), INSIDE, "dhanmondi-in-line1"),
    _case(_bd("Bashundhara R/A"), INSIDE, "bashundhara-r-a"),
    _case(_bd("Basundhara Residential Area, Dhaka"), INSIDE, "basundhara-residential-area"),
    _case(_bd("mohammadpur"), INSIDE, "mohammadpur-lowercase"),
    _case(_bd("DHANMONDI"), INSIDE, "dhanmondi-uppercase"),
    _case(_bd("Dhanmondi 27"), INSIDE, "dhanmondi-27"),
    _case(_bd("Old Dhaka"), INSIDE, "old-dhaka"),
    _case(_bd("Puran Dhaka"), INSIDE, "puran-dhaka"),
    _case(_bd("Mohakhali DOHS"), INSIDE, "mohakhali-dohs"),
    _case(_bd("Dhaka Cantonment"), INSIDE, "dhaka-cantonment"),
    _case(_bd("Jatrabari", "Dhaka"), INSIDE, "jatrabari"),
    _case(_bd("Motijheel C/A"), INSIDE, "motijheel-c-a"),
    _case(_bd("Mirpur", "Dhaka Division"), INSIDE, "mirpur-region-dhaka-division"),
    _case(_bd("Shamoli"), INSIDE, "shamoli"),
    _case(_bd("Bashabo, Dhaka"), INSIDE, "bashabo"),
    _case(_bd("Dhaka North"), INSIDE, "dhaka-north"),
    # ---------------------------------------------------------------- the suburbs
    _case(_bd("Savar, Dhaka"), SUBURBS, "savar-comma-dhaka"),
    _case(_bd("Savar", "Dhaka"), SUBURBS, "savar-region-dhaka"),
    _case(_bd("Ashulia"), SUBURBS, "ashulia"),
    _case(_bd("Ashulia, Savar"), SUBURBS, "ashulia-savar"),
    _case(_bd("Tongi, Gazipur"), SUBURBS, "tongi-comma-gazipur"),
    _case(_bd("Tongi", "Dhaka"), SUBURBS, "tongi-region-dhaka-division"),
    _case(_bd("টঙ্গী, গাজীপুর"), SUBURBS, "bn-tongi-gazipur"),
    _case(_bd("Gazipur", "Gazipur"), SUBURBS, "gazipur-both-fields"),
    _case(_bd("Board Bazar, Gazipur"), SUBURBS, "board-bazar-gazipur"),
    _case(_bd("Joydebpur"), SUBURBS, "joydebpur"),
    _case(_bd("Gazipur Chowrasta"), SUBURBS, "gazipur-chowrasta"),
    _case(_bd("Narayangonj"), SUBURBS, "narayangonj"),
    _case(_bd("নারায়ণগঞ্জ"), SUBURBS, "bn-narayanganj"),
    _case(_bd("নারায়নগঞ্জ"), SUBURBS, "bn-narayanganj-dental-n"),
    _case(_bd("Fatullah", "Narayanganj"), SUBURBS, "fatullah-narayanganj"),
    _case(_bd("Keraniganj"), SUBURBS, "keraniganj"),
    _case(_bd("Keraniganj, Dhaka"), SUBURBS, "keraniganj-comma-dhaka"),
    _case(_bd("কেরানীগঞ্জ"), SUBURBS, "bn-keraniganj"),
    _case(_bd("সাভার"), SUBURBS, "bn-savar"),
    _case(_bd("Savar EPZ"), SUBURBS, "savar-epz"),
    _case(_bd("Savar Cantonment"), SUBURBS, "savar-cantonment"),
    # ---------------------------------------------------------------- Chattogram city
    _case(_bd("Agrabad, Chittagong"), CTG, "agrabad-chittagong"),
    _case(_bd("Chattogram-4100"), CTG, "chattogram-4100"),
    _case(_bd("Chittagong"), CTG, "chittagong"),
    _case(_bd("চট্টগ্রাম"), CTG, "bn-chattogram"),
    _case(_bd("চট্টগ্রাম-৪১০০"), CTG, "bn-chattogram-bengali-postcode"),
    _case(_bd("Halishahar, Ctg"), CTG, "halishahar-ctg"),
    _case(_bd("GEC Circle, Chattogram"), CTG, "gec-circle"),
    _case(_bd("Panchlaish", "Chattogram"), CTG, "panchlaish-region-chattogram"),
    _case(_bd("Chattogram", "Chattogram"), CTG, "chattogram-both-fields"),
    _case(_bd("New Market, Chittagong"), CTG, "new-market-chittagong"),
    _case(_bd("Sadarghat, Chittagong"), CTG, "sadarghat-chittagong"),
    _case(_bd("Chittagong Cantonment"), CTG, "chittagong-cantonment"),
    _case(_bd("Cantonment", "Chattogram"), CTG, "cantonment-region-chattogram"),
    # ---------------------------------------------------------------- outside Dhaka
    _case(_bd("Sylhet"), OUTSIDE, "sylhet"),
    _case(_bd("সিলেট", "Sylhet"), OUTSIDE, "bn-sylhet"),
    _case(_bd("Cox's Bazar"), OUTSIDE, "coxs-bazar"),
    _case(_bd("Coxsbazar"), OUTSIDE, "coxsbazar"),
    _case(_bd("কক্সবাজার"), OUTSIDE, "bn-coxs-bazar"),
    _case(_bd("Mirpur, Kushtia"), OUTSIDE, "mirpur-of-kushtia"),
    _case(_bd("Mirpur", "Kushtia"), OUTSIDE, "mirpur-region-kushtia"),
    _case(_bd("Mohammadpur, Magura"), OUTSIDE, "mohammadpur-of-magura"),
    _case(_bd("Patiya", "Chittagong"), OUTSIDE, "patiya-chattogram-district"),
    _case(_bd("Dhamrai", "Dhaka"), OUTSIDE, "dhamrai-dhaka-district"),
    _case(_bd("Rajshahi", "Rajshahi"), OUTSIDE, "rajshahi"),
    _case(_bd("Khulna-9100"), OUTSIDE, "khulna-postcode"),
    _case(_bd("Comilla"), OUTSIDE, "comilla"),
    _case(_bd("Bogra"), OUTSIDE, "bogra"),
    _case(_bd("Jessore"), OUTSIDE, "jessore"),
    _case(_bd("Barisal"), OUTSIDE, "barisal"),
    _case(_bd("Mymensingh"), OUTSIDE, "mymensingh"),
    # ---------------------------------------------------------------- Yerevan
    _case(_am("Yerevan 0010"), YEREVAN, "yerevan-postcode"),
    _case(_am("Yerevan", "Yerevan"), YEREVAN, "yerevan-both-fields"),
    _case(_am("Երևան"), YEREVAN, "hy-yerevan"),
    _case(_am("Երեւան"), YEREVAN, "hy-yerevan-yiwn-spelled-out"),
    _case(_am("Ереван"), YEREVAN, "ru-yerevan"),
    _case(_am("Erevan"), YEREVAN, "erevan"),
    _case(_am("Arabkir, Yerevan"), YEREVAN, "arabkir-yerevan"),
    _case(_am("Կենտրոն"), YEREVAN, "hy-kentron"),
    _case(_am("Kentron", "Yerevan"), YEREVAN, "kentron-region-yerevan"),
    _case(_am("Nor Nork"), YEREVAN, "nor-nork"),
    _case(_am("Ереван, Арабкир"), YEREVAN, "ru-yerevan-arabkir"),
    _case(_am("Yerevan", line1="12 Abovyan St, apt 5"), YEREVAN, "yerevan-abovyan-street"),
    # ---------------------------------------------------------------- the marzer
    _case(_am("Gyumri"), REGIONS, "gyumri"),
    _case(_am("Gyumri", "Shirak"), REGIONS, "gyumri-region-shirak"),
    _case(_am("Գյումրի"), REGIONS, "hy-gyumri"),
    _case(_am("Гюмри"), REGIONS, "ru-gyumri"),
    _case(_am("Vanadzor"), REGIONS, "vanadzor"),
    _case(_am("Vanadzor", "Lori"), REGIONS, "vanadzor-region-lori"),
    _case(_am("Etchmiadzin"), REGIONS, "etchmiadzin"),
    _case(_am("Vagharshapat", "Armavir"), REGIONS, "vagharshapat-armavir"),
    _case(_am("Dilijan"), REGIONS, "dilijan"),
    _case(_am("Abovyan", "Kotayk"), REGIONS, "abovyan-kotayk"),
]


@pytest.fixture
def stores(make_store, enable_plugin):
    """``stores(country)`` -> the BDT or AMD store with its zones, made once per test."""
    made = {}

    def get(country: str):
        if country not in made:
            slug, currency, locale, zones = STORES[country]
            made[country] = make_store(slug, currency=currency, locale=locale)
            enable_plugin(made[country], PLUGIN, settings={"zones": zones})
        return made[country]

    return get


@pytest.mark.parametrize(("address", "zone"), CASES)
def test_an_address_as_typed_lands_in_exactly_one_right_zone(app, stores, store_plugins,
                                                              address, zone):
    rates = quote(app, store_plugins, stores(address.country), address,
                   sample_cart(currency=CURRENCY[address.country]))
    assert {rate.zone for rate in rates} == {zone}, [(r.zone, r.label) for r in rates]


def test_there_are_enough_cases():
    assert len(CASES) >= 50
    assert len({case.id for case in CASES}) == len(CASES)


def test_an_address_that_cannot_be_placed_is_offered_every_zone(app, stores,
                                                                 store_plugins):
    """Ulon is a real corner of Rampura that Haat's data does not know: the shopper
    picks the zone, each option naming it (in its label or its note), rather than Haat
    charging the dearest."""
    rates = quote(app, store_plugins, stores("BD"), _bd("Ulon Road, Lane 4"))
    assert {rate.zone for rate in rates} == {INSIDE, SUBURBS, CTG, OUTSIDE}
    assert {rate.amount for rate in rates} == {bdt(70), bdt(100), bdt(90), bdt(130)}
    names = {INSIDE: "Inside Dhaka", SUBURBS: "Dhaka suburbs", CTG: "Chattogram city",
             OUTSIDE: "Outside Dhaka"}
    for rate in rates:
        shown = f"{rate.label} · {rate.description}".casefold()
        assert names[rate.zone].casefold() in shown, (rate.label, rate.description)
    assert len({rate.id for rate in rates}) == len(rates)
    assert len({(rate.label, rate.description) for rate in rates}) == len(rates)


def test_one_stores_zones_never_leak_into_anothers_quote(app, make_store, enable_plugin,
                                                        store_plugins):
    first = make_store("dhaka-first", currency="BDT")
    enable_plugin(first, PLUGIN, settings={"zones": BD_ZONES})
    second = make_store("dhaka-second", currency="BDT")
    enable_plugin(second, PLUGIN, settings={"zones": """\
Inside Dhaka: BD / * / Dhaka
  Delivery inside Dhaka: 60 (1 day)
Everywhere else: BD
  Courier: 150 (3-5 days)
"""})
    mirpur = _bd("Mirpur-10, Dhaka-1216")
    agrabad = _bd("Agrabad, Chittagong")
    for _ in range(2):  # interleaved, so that nothing one quote caches serves the other
        first_rates = quote(app, store_plugins, first, mirpur)
        second_rates = quote(app, store_plugins, second, mirpur)
        assert [(r.zone, r.label, r.amount) for r in first_rates] == [
            (INSIDE, "Delivery inside Dhaka", bdt(70))]
        assert [(r.zone, r.label, r.amount) for r in second_rates] == [
            (INSIDE, "Delivery inside Dhaka", bdt(60))]
    # The first store's Chattogram zone is its own: the second store has none.
    assert [(r.zone, r.amount) for r in quote(app, store_plugins, first, agrabad)] == [
        (CTG, bdt(90))]
    assert [(r.zone, r.amount) for r in quote(app, store_plugins, second, agrabad)] == [
        ("everywhere-else", bdt(150))]
