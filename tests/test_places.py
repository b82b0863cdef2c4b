"""Haat's address data, through the doors that use it: the SDK's place functions (as a
plugin calls them) and the checkout page (as a shopper meets it).

The data files are checked for what the issue promises (8 divisions, 64 districts,
Dhaka's areas, Yerevan's 12 districts and the 10 marzes, names in each language); the
checkout tests run the real first-party shipping and cash-on-delivery plugins.
"""

from __future__ import annotations

import csv
import re
from html import unescape

import pytest
from sqlalchemy import select

from checkout_support import idempotency_key
from conftest import client_for
from core.db import db
from core.orders.models import Order
from core.places.gazetteer import DATA
from core.sdk import Address, Place, find_place, has_places, locate_address, place_by_id, places_of
from tenants import tenant_scope

PRICE = 150_000  # ৳1,500.00


def rows(country: str) -> list[dict[str, str]]:
    with (DATA / f"{country}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------ the data files


def test_bangladesh_has_its_divisions_districts_and_dhakas_areas_in_both_languages():
    assert len(places_of("BD", kind="division")) == 8
    assert len(places_of("BD", kind="district")) == 64
    dhaka_city = find_place("BD", "Dhaka")
    assert dhaka_city is not None and dhaka_city.kind == "city"
    areas = places_of("BD", kind="area", within=dhaka_city.id)
    assert len(areas) >= 90
    assert {"Mirpur", "Dhanmondi", "Gulshan", "Uttara", "Motijheel"} <= {a.name for a in areas}
    for row in rows("BD"):
        assert row["en"].strip() and row["bn"].strip(), row["id"]
    assert find_place("BD", "Mirpur").names["bn"] == "মিরপুর"


def test_armenia_has_yerevans_districts_and_the_ten_marzes():
    provinces = places_of("AM", kind="province")
    assert len(provinces) == 11  # Yerevan and the 10 marzes
    yerevan = find_place("AM", "Yerevan", region=True)
    assert yerevan is not None
    assert len(places_of("AM", kind="area", within=yerevan.id)) == 12
    for row in rows("AM"):
        assert row["en"].strip() and row["hy"].strip(), row["id"]
    assert yerevan.name_in("hy") == "Երևան" and yerevan.name_in("bn") == "Yerevan"


def test_every_place_has_a_unique_id_and_its_parent_comes_first():
    for country in ("BD", "AM"):
        seen: set[str] = set()
        for row in rows(country):
            assert row["id"] not in seen, row["id"]
            assert not row["parent"] or row["parent"] in seen, row["id"]
            seen.add(row["id"])


def test_the_data_files_say_where_they_come_from():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "BD.csv" in readme and "AM.csv" in readme
    assert "bangladesh-geocode" in readme and "MIT" in readme


# ------------------------------------------------------------------ the SDK functions


@pytest.mark.parametrize(("city", "region", "expected"), [
    ("Mirpur-10, Dhaka-1216", "", "BD:dhaka.city.mirpur"),
    ("Dhaka-1207", "", "BD:dhaka.city"),
    ("ঢাকা-১২০৫", "", "BD:dhaka.city"),
    ("Dhanmondi, Dhaka", "", "BD:dhaka.city.dhanmondi"),
    ("dhan mondi", "", "BD:dhaka.city.dhanmondi"),
    ("Savar", "Dhaka", "BD:dhaka.savar"),
    ("Mirpur", "Kushtia", "BD:kushtia.mirpur"),
    ("Agrabad", "Chittagong", "BD:chattogram.city.agrabad"),
    ("Ulon Road, Lane 4", "", None),
])
def test_an_address_is_placed_whatever_its_spelling(city, region, expected):
    place = locate_address(Address("BD", region, city))
    assert (place.id if place else None) == expected


def test_the_street_lines_only_narrow_the_place_down():
    narrowed = locate_address(Address("BD", "", "Dhaka", line1="House 5, Road 3, Dhanmondi"))
    assert narrowed is not None and narrowed.id == "BD:dhaka.city.dhanmondi"
    # A street named after a place elsewhere does not move the address there.
    kept = locate_address(Address("BD", "", "Sylhet", line1="12 Gulshan Road"))
    assert kept is not None and kept.within(find_place("BD", "Sylhet"))


def test_the_region_field_names_a_region_never_an_area():
    # "Mirpur" typed as the region is not an area of Dhaka: nothing at region level.
    assert locate_address(Address("BD", "Mirpur", "")) is None
    district = locate_address(Address("BD", "Gazipur", ""))
    assert district is not None and district.kind == "district"


def test_places_nest_and_are_found_by_id():
    mirpur = find_place("BD", "Mirpur")
    dhaka = find_place("BD", "Dhaka", region=True)
    division = find_place("BD", "Dhaka division")
    assert isinstance(mirpur, Place) and mirpur.within(dhaka) and mirpur.within(division)
    assert not dhaka.within(mirpur)
    assert (dhaka.kind, division.kind) == ("district", "division")
    assert place_by_id(mirpur.id) == mirpur and place_by_id("BD:nowhere") is None
    assert place_by_id(mirpur.parent_id).kind == "city"


def test_a_country_without_data_places_nothing():
    assert not has_places("US") and has_places("bd")
    assert locate_address(Address("US", "NY", "New York")) is None
    assert find_place("US", "New York") is None and places_of("US") == ()


# ------------------------------------------------------------------ checkout


#: The ids of the Bengali starter zones ঢাকার ভেতরে, ঢাকার আশেপাশে and ঢাকার বাইরে.
INSIDE, SUBURBS, OUTSIDE = "zone-587ca8", "zone-ed44e5", "zone-1c690f"


@pytest.fixture
def dhaka_store(app, make_store, add_product, enable_plugin):
    """A Bengali taka store on the starter zones, with cash on delivery costing ৳50
    outside Dhaka only."""
    store = make_store("mirpur-shop", currency="BDT", locale="bn")
    enable_plugin(store, "shipping")
    enable_plugin(store, "cash-on-delivery", settings={
        "fee_kind": "fixed", "fee_amount": 5000, "fee_zones": OUTSIDE})
    product = add_product(store, "kantha", title="Kantha", price=PRICE, stock=5)
    return store, product


def _shopper(app, store, product_id):
    client = client_for(app, f"{store.slug}.localhost")
    assert client.post("/cart/add", data={"product_id": str(product_id),
                                          "quantity": "1"}).status_code == 303
    return client


def _rates(page: str) -> dict[str, str]:
    """The delivery options offered: radio value -> the text of its label."""
    found = {}
    for value, body in re.findall(
            r'<input[^>]*name="shipping_rate"[^>]*value="([^"]+)"[^>]*>(.*?)</label>', page,
            flags=re.S):
        found[unescape(value)] = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return found


def _form(page: str, **fields: str) -> dict[str, str]:
    return {"name": "রহিম উদ্দিন", "phone": "01712345678", "country": "BD", "region": "",
            "line1": "বাড়ি ১২, রোড ৫", "payment_method": "cod",
            "idempotency_key": idempotency_key(page), "action": "place", **fields}


def test_checkout_suggests_districts_and_dhaka_areas_in_the_shoppers_language(app,
                                                                              dhaka_store):
    store, product = dhaka_store
    page = _shopper(app, store, product).get("/checkout").get_data(as_text=True)
    assert 'list="places-region"' in page and 'list="places-city"' in page
    region_list = re.search(r'<datalist id="places-region">(.*?)</datalist>', page, re.S)[1]
    city_list = re.search(r'<datalist id="places-city">(.*?)</datalist>', page, re.S)[1]
    assert region_list.count("<option") == 64
    assert f'<option value="{find_place("BD", "Kushtia").names["bn"]}">' in region_list
    assert '<option value="মিরপুর, ঢাকা মহানগর">' in city_list
    english = client_for(app, f"{store.slug}.localhost")
    english.post("/cart/add", data={"product_id": str(product), "quantity": "1"})
    english_page = english.get("/checkout?lang=en").get_data(as_text=True)
    assert '<option value="Mirpur, Dhaka city">' in english_page


def _offered(app, store, product, city: str):
    """A shopper with the product in the cart types ``city`` and presses "Update": the
    client, the checkout page and the delivery options offered (value -> label)."""
    client = _shopper(app, store, product)
    page = client.get("/checkout").get_data(as_text=True)
    quoted = client.post("/checkout", data=_form(page, city=city, action="update"))
    return client, page, _rates(quoted.get_data(as_text=True))


def _totals(app, store, client, page: str, city: str, rate: str) -> tuple[int, int]:
    """Place the order with ``rate``: its shipping and fee totals (minor units)."""
    placed = client.post("/checkout", data=_form(page, city=city, shipping_rate=rate))
    assert placed.status_code == 303, placed.status_code
    with app.app_context(), tenant_scope(store.id):
        [order] = db.session.scalars(select(Order)).all()
        return order.shipping_total, order.fee_total


def test_mirpur_10_dhaka_1216_pays_the_inside_dhaka_rate_and_no_cod_fee(app, dhaka_store):
    store, product = dhaka_store
    client, page, rates = _offered(app, store, product, "Mirpur-10, Dhaka-1216")
    assert len(rates) == 1 and next(iter(rates)).startswith(f"shipping:{INSIDE}/"), rates
    assert _totals(app, store, client, page, "Mirpur-10, Dhaka-1216",
                   next(iter(rates))) == (7000, 0)


def test_an_address_that_cannot_be_placed_lets_the_shopper_choose_the_zone(app, dhaka_store):
    store, product = dhaka_store
    client, page, rates = _offered(app, store, product, "Ulon Road, Lane 4")
    assert {value.split(":")[1].split("/")[0] for value in rates} == {
        INSIDE, SUBURBS, OUTSIDE}
    # Each option says which zone it is for, in the store's language, so the shopper can
    # tell them apart.
    assert any("ঢাকার ভেতরে ·" in label for label in rates.values())
    assert any("ঢাকার বাইরে ·" in label for label in rates.values())
    inside = next(value for value in rates if INSIDE in value)
    assert _totals(app, store, client, page, "Ulon Road, Lane 4", inside) == (7000, 0)


def test_a_known_place_outside_dhaka_gets_only_the_outside_rate_and_the_fee(app, dhaka_store):
    store, product = dhaka_store
    _client, _page, in_dhaka = _offered(app, store, product, "Dhaka")
    client, page, rates = _offered(app, store, product, "আগ্রাবাদ, চট্টগ্রাম")
    assert len(rates) == 1 and OUTSIDE in next(iter(rates))
    # The inside-Dhaka rate, sent for an address outside Dhaka, is refused.
    forged = client.post("/checkout", data=_form(page, city="আগ্রাবাদ, চট্টগ্রাম",
                                                 shipping_rate=next(iter(in_dhaka))))
    assert forged.status_code == 422
    assert _totals(app, store, client, page, "আগ্রাবাদ, চট্টগ্রাম",
                   next(iter(rates))) == (13000, 5000)
