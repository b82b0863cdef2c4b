"""The shipping plugin, through its hooks (quotes, checkout problems) and the admin page.

Carts and addresses are ``core.sdk`` snapshots handed to the carrier the store's plugins
return, exactly as checkout does; the zones are saved per store (or left empty for the
starter zones of the store's currency).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from conftest import PASSWORD
from core.db import db
from core.pluginhost.models import PluginState
from core.pluginhost.settings import validate_settings
from core.sdk import (
    Address,
    CheckoutContext,
    Money,
    OrderSnapshot,
    PluginCheckoutError,
)
from core.testing import assert_translated
from plugins.shipping.defaults import AMD, BDT
from plugins.shipping.grammar import parse_zones
from plugins.shipping.texts import TEXTS
from shipping_support import bdt, carrier_of, quote, sample_cart
from tenants import tenant_scope

PLUGIN = "shipping"

DHAKA_ZONES = """\
# Our delivery charges
Inside Dhaka: BD / Dhaka / Dhaka|ঢাকা
  Standard delivery: 70 (1-2 days)
  Pick up from our shop: pickup
Dhaka suburbs: BD / Dhaka / Savar, Keraniganj, Tongi, Gazipur, Narayanganj
  Standard delivery: 100 (2-3 days)
Outside Dhaka: BD
  Courier: 130 (3-5 days)
  Courier (heavy): weight 0-2kg 130, 2-5kg 180, 5kg+ 250
  Free delivery: free over 3000
"""

#: The ids of the Bengali and Armenian starter zones (ঢাকার ভেতরে, ঢাকার আশেপাশে, ঢাকার
#: বাইরে; Երևան, Մարզեր): names without Latin letters get a stable hash.
INSIDE_BN, SUBURBS_BN, OUTSIDE_BN = "zone-587ca8", "zone-ed44e5", "zone-1c690f"
YEREVAN_HY, REGIONS_HY = "zone-ea9bb1", "zone-12e5bf"

DHAKA = Address(country="BD", region="Dhaka", city="Dhaka")
SAVAR = Address(country="BD", region="Dhaka", city="Savar")
CHATTOGRAM = Address(country="BD", region="Chattogram", city="Chattogram")
KOLKATA = Address(country="IN", region="West Bengal", city="Kolkata")


def _prices(rates) -> dict[str, Money]:
    return {rate.label: rate.amount for rate in rates}


def _problems(app, store_plugins, store, address: Address | None, *, cart=None,
              locale: str = "en", rate_id: str | None = None):
    checkout = CheckoutContext(cart=cart or sample_cart(), address=address, locale=locale,
                               shipping_rate_id=rate_id)
    with app.app_context():
        found = store_plugins(store).checkout("haat_checkout_validate", checkout=checkout)
        return [(p.field, p.message) for contribution in found for p in contribution.value]


@pytest.fixture
def dhaka_shop(make_store, enable_plugin):
    store = make_store("dhaka-shop", currency="BDT", locale="bn")
    enable_plugin(store, PLUGIN, settings={"zones": DHAKA_ZONES})
    return store


# -------------------------------------------------------------------- the Dhaka tiers


def test_the_starter_zones_of_a_taka_store_are_the_dhaka_tiers(app, make_store, enable_plugin,
                                                               store_plugins):
    store = make_store("new-bd-shop", currency="BDT", locale="bn")
    enable_plugin(store, PLUGIN)  # nothing written: the starter zones for BDT apply

    inside = quote(app, store_plugins, store, DHAKA)
    # The zones have Bengali names (shoppers choosing between zones read them), so their
    # ids are short stable hashes of the names.
    assert [(r.zone, r.carrier, r.amount) for r in inside] == [
        (INSIDE_BN, "shipping", Money(7000, "BDT"))]
    assert inside[0].id.startswith(f"{INSIDE_BN}/")
    # Shoppers read the labels: a Bengali store's starter is written in Bengali.
    assert inside[0].label == "ঢাকার ভেতরে ডেলিভারি"
    assert (inside[0].min_days, inside[0].max_days) == (1, 2)
    # The store's language, and its digits: a Bengali store in Bangladesh starts with
    # Bengali digits.
    assert inside[0].description == "১-২ দিন"

    suburbs = quote(app, store_plugins, store, Address("BD", "Dhaka", "Gazipur"))
    assert [(r.zone, r.amount) for r in suburbs] == [(SUBURBS_BN, Money(10000, "BDT"))]
    outside = quote(app, store_plugins, store, CHATTOGRAM)
    assert [(r.zone, r.amount) for r in outside] == [(OUTSIDE_BN, Money(13000, "BDT"))]
    # No free option in the starter zones, however big the order.
    assert _prices(quote(app, store_plugins, store, CHATTOGRAM, sample_cart("50000"))) == {
        "ঢাকার বাইরে ডেলিভারি": bdt(130)}
    # Any area of Dhaka city, however written, is inside Dhaka.
    for city in ("Mirpur-10, Dhaka-1216", "ঢাকা-১২০৫", "Dhanmondi", "Gulshan 2"):
        assert {r.zone for r in quote(app, store_plugins, store,
                                       Address("BD", "", city))} == {INSIDE_BN}, city

    english = make_store("new-bd-shop-en", currency="BDT", locale="en")
    enable_plugin(english, PLUGIN)
    assert [(r.zone, r.label) for r in quote(app, store_plugins, english, DHAKA)] == [
        ("inside-dhaka", "Delivery inside Dhaka")]


def test_dhaka_tiers_from_the_merchants_own_zones(app, dhaka_shop, store_plugins):
    inside = quote(app, store_plugins, dhaka_shop, DHAKA)
    assert _prices(inside) == {"Standard delivery": bdt(70), "Pick up from our shop": bdt(0)}
    assert [r.id for r in inside] == ["inside-dhaka/standard-delivery",
                                      "inside-dhaka/pick-up-from-our-shop"]
    assert inside[1].description == "ফ্রি"

    suburb = quote(app, store_plugins, dhaka_shop, SAVAR)
    assert [(r.id, r.amount, r.description) for r in suburb] == [
        ("dhaka-suburbs/standard-delivery", bdt(100), "২-৩ দিন")]

    outside = quote(app, store_plugins, dhaka_shop, CHATTOGRAM, sample_cart("500", grams=800))
    assert _prices(outside) == {"Courier": bdt(130), "Courier (heavy)": bdt(130)}
    assert {r.zone for r in outside} == {"outside-dhaka"}


def test_place_names_match_whatever_the_case_spacing_or_place_word(app, dhaka_shop,
                                                                   store_plugins):
    for address in (Address(" bd ", "  DHAKA ", " savar  "),
                    Address("BD", "Dhaka Division", "Savar."),
                    Address("bd", "dhaka district", "SAVAR")):
        rates = quote(app, store_plugins, dhaka_shop, address)
        assert [r.zone for r in rates] == ["dhaka-suburbs"], address
    # A city beats its region, and the region beats the country.
    assert {r.zone for r in quote(app, store_plugins, dhaka_shop,
                                   Address("BD", "Dhaka", "Dhamrai"))} == {"outside-dhaka"}


def test_the_most_specific_zone_wins_whatever_the_order(app, make_store, enable_plugin,
                                                        store_plugins):
    store = make_store("order-shop", currency="BDT")
    enable_plugin(store, PLUGIN, settings={"zones": """\
Bangladesh: BD
  Post: 150
Sylhet division: BD / Sylhet division
  Courier: 120
Sylhet city: BD / Sylhet / Sylhet|সিলেট
  Bike: 60
"""})
    assert _prices(quote(app, store_plugins, store, Address("BD", "Sylhet", "সিলেট"))) == {
        "Bike": bdt(60)}
    assert _prices(quote(app, store_plugins, store, Address("BD", "Sylhet", "Moulvibazar"))) \
        == {"Courier": bdt(120)}
    # The district alone cannot tell the city from the rest of it: the shopper chooses,
    # each option's note naming its zone.
    choice = quote(app, store_plugins, store, Address("BD", "Sylhet", ""))
    assert [(r.label, r.amount, r.description) for r in choice] == [
        ("Courier", bdt(120), "Sylhet division"), ("Bike", bdt(60), "Sylhet city")]
    # A region typed as the city, with no region given, still finds its zones.
    assert _prices(quote(app, store_plugins, store, Address("BD", "", "Sylhet"))) == {
        "Bike": bdt(60)}
    assert _prices(quote(app, store_plugins, store, Address("BD", "Khulna", "Khulna"))) == {
        "Post": bdt(150)}


def test_bengali_spellings_match_through_the_address_data(app, dhaka_shop, store_plugins):
    """The zones name Dhaka and Savar in English only; Haat's address data knows their
    Bengali names, so a shopper who writes ঢাকা or সাভার is in the same zones."""
    for address in (Address("BD", "Dhaka", "ঢাকা"), Address("BD", "ঢাকা", "ঢাকা-১২০৫")):
        assert _prices(quote(app, store_plugins, dhaka_shop, address)) == {
            "Standard delivery": bdt(70), "Pick up from our shop": bdt(0)}, address
    assert {r.zone for r in quote(app, store_plugins, dhaka_shop,
                                   Address("BD", "ঢাকা", "সাভার"))} == {"dhaka-suburbs"}


# ---------------------------------------------------------------- bands and free


def test_weight_bands_include_their_upper_end_and_a_gap_gives_no_rate(app, dhaka_shop,
                                                                      make_store,
                                                                      enable_plugin,
                                                                      store_plugins):
    heavy = {grams: _prices(quote(app, store_plugins, dhaka_shop, CHATTOGRAM,
                                   sample_cart("500", grams=grams))).get("Courier (heavy)")
             for grams in (0, 2000, 2001, 5000, 5001, 40000)}
    assert heavy == {0: bdt(130), 2000: bdt(130), 2001: bdt(180), 5000: bdt(180),
                     5001: bdt(250), 40000: bdt(250)}

    limited = make_store("light-shop", currency="BDT")
    enable_plugin(limited, PLUGIN, settings={"zones": """\
Bangladesh: BD
  Small parcel: weight up to 500g 60, 500g-1kg 90
  Post: 150
"""})
    assert _prices(quote(app, store_plugins, limited, CHATTOGRAM, sample_cart(grams=700))) == {
        "Small parcel": bdt(90), "Post": bdt(150)}
    # Heavier than every band: that option has no rate; the others stay.
    assert _prices(quote(app, store_plugins, limited, CHATTOGRAM, sample_cart(grams=1001))) == {
        "Post": bdt(150)}


def test_value_bands_include_their_lower_end(app, make_store, enable_plugin, store_plugins):
    store = make_store("value-shop", currency="BDT")
    enable_plugin(store, PLUGIN, settings={"zones": """\
Bangladesh: BD
  Courier: value 0-1,000 150, 1,000-3000 100, 3000+ 50 (2-4 days)
"""})
    charged = {subtotal: quote(app, store_plugins, store, CHATTOGRAM,
                               sample_cart(subtotal))[0].amount
               for subtotal in ("0", "999.99", "1000", "2999.99", "3000", "125000")}
    assert charged == {"0": bdt(150), "999.99": bdt(150), "1000": bdt(100),
                       "2999.99": bdt(100), "3000": bdt(50), "125000": bdt(50)}


def test_free_over_the_threshold_replaces_paid_options_but_not_pickup(app, make_store,
                                                                      enable_plugin,
                                                                      store_plugins):
    store = make_store("free-shop", currency="BDT", locale="en")
    enable_plugin(store, PLUGIN, settings={"zones": """\
Inside Dhaka: BD / Dhaka / Dhaka
  Standard delivery: 70 (1-2 days)
  Express: 150 (same day)
  Pick up at Banani: pickup 20
  Free delivery: free over ৳2,000 (2-3 days)
"""})
    below = quote(app, store_plugins, store, DHAKA, sample_cart("1999.99"))
    assert _prices(below) == {"Standard delivery": bdt(70), "Express": bdt(150),
                              "Pick up at Banani": bdt(20)}

    reached = quote(app, store_plugins, store, DHAKA, sample_cart("2000"))
    assert _prices(reached) == {"Pick up at Banani": bdt(20), "Free delivery": bdt(0)}
    free = next(r for r in reached if r.label == "Free delivery")
    assert free.id == "inside-dhaka/free-delivery"
    assert free.description == "Free · 2-3 days"
    assert (free.min_days, free.max_days) == (2, 3)


def test_outside_dhaka_free_delivery_from_3000(app, dhaka_shop, store_plugins):
    rates = quote(app, store_plugins, dhaka_shop, CHATTOGRAM, sample_cart("3000", grams=6000))
    assert [(r.id, r.amount, r.description) for r in rates] == [
        ("outside-dhaka/free-delivery", bdt(0), "ফ্রি")]


# ------------------------------------------------------------------ no zone, no rate


@pytest.mark.parametrize(("locale", "message"), [
    ("en", "We do not deliver to this area yet."),
    ("bn", "এই এলাকায় আমরা এখনো ডেলিভারি দিই না।"),
    ("hy", "Այս տարածք մենք դեռ չենք առաքում։"),
])
def test_an_address_in_no_zone_gets_no_rates_and_a_reason(app, dhaka_shop, store_plugins,
                                                          locale, message):
    assert quote(app, store_plugins, dhaka_shop, KOLKATA) == []
    assert _problems(app, store_plugins, dhaka_shop, KOLKATA, locale=locale) == [
        ("country", message)]
    assert TEXTS[locale]["no_zone"] == message


def test_an_area_not_served_in_a_served_country_is_marked_on_the_city(app, make_store,
                                                                      enable_plugin,
                                                                      store_plugins):
    store = make_store("city-shop", currency="BDT")
    enable_plugin(store, PLUGIN, settings={"zones": "Dhaka only: BD / * / Dhaka\n  Bike: 70"})
    assert quote(app, store_plugins, store, CHATTOGRAM) == []
    assert _problems(app, store_plugins, store, CHATTOGRAM, locale="bn-BD") == [
        ("city", "এই এলাকায় আমরা এখনো ডেলিভারি দিই না।")]
    assert _problems(app, store_plugins, store, DHAKA) == []
    # No address yet, or another carrier's rate chosen: nothing to say.
    assert _problems(app, store_plugins, store, None) == []
    assert _problems(app, store_plugins, store, CHATTOGRAM, rate_id="pathao:standard") == []
    assert _problems(app, store_plugins, store, CHATTOGRAM, rate_id="shipping:x/y") != []


def test_a_zone_with_no_option_for_the_cart_says_so(app, make_store, enable_plugin,
                                                    store_plugins):
    store = make_store("heavy-shop", currency="BDT")
    enable_plugin(store, PLUGIN, settings={"zones": "Bangladesh: BD\n  Courier: weight 0-5kg 130"})
    heavy = sample_cart(grams=5001)
    assert quote(app, store_plugins, store, CHATTOGRAM, heavy) == []
    assert _problems(app, store_plugins, store, CHATTOGRAM, cart=heavy, locale="hy") == [
        ("shipping_rate", TEXTS["hy"]["no_rate"])]
    assert _problems(app, store_plugins, store, CHATTOGRAM, cart=sample_cart(grams=5000)) == []


# ------------------------------------------------------------------- the Armenian store


def test_the_starter_zones_of_a_dram_store_are_yerevan_and_the_regions(app, make_store,
                                                                       enable_plugin,
                                                                       store_plugins):
    store = make_store("yerevan-shop", currency="AMD", locale="hy")
    enable_plugin(store, PLUGIN)
    yerevan = quote(app, store_plugins, store, Address("AM", "Yerevan", "Yerevan"),
                     sample_cart("15000", currency="AMD"))
    assert [(r.zone, r.label, r.amount, r.description) for r in yerevan] == [
        (YEREVAN_HY, "Առաքում Երևանում", Money(100000, "AMD"), "1-2 օր")]
    assert quote(app, store_plugins, store, Address("AM", "", "Երևան"),
                  sample_cart("15000", currency="AMD"))[0].zone == YEREVAN_HY
    regions = quote(app, store_plugins, store, Address("AM", "Shirak", "Gyumri"),
                     sample_cart("15000", currency="AMD"))
    assert [(r.zone, r.amount) for r in regions] == [(REGIONS_HY, Money(250000, "AMD"))]
    assert quote(app, store_plugins, store, DHAKA, sample_cart(currency="AMD")) == []


def test_other_currencies_start_with_one_zone_everywhere(app, make_store, enable_plugin,
                                                         store_plugins):
    store = make_store("usd-shop", currency="USD")
    enable_plugin(store, PLUGIN)
    for address in (KOLKATA, Address("US", "NY", "New York")):
        rates = quote(app, store_plugins, store, address, sample_cart("20", currency="USD"))
        assert [(r.zone, r.amount) for r in rates] == [("everywhere", Money(500, "USD"))]


# ------------------------------------------------------------------ the settings form


def _owner(store_client, slug):
    client = store_client(slug)
    response = client.post("/admin/login",
                           data={"email": f"owner@{slug}.example", "password": PASSWORD})
    assert response.status_code == 303
    return client


def _stored(app, store):
    with app.app_context(), tenant_scope(store.id):
        row = db.session.scalar(select(PluginState).where(PluginState.plugin == PLUGIN))
        return None if row is None else dict(row.settings or {})


def _textarea(body: str) -> str:
    found = re.search(r'<textarea[^>]*name="zones"[^>]*>(.*?)</textarea>', body, re.S)
    assert found, "no zones box"
    return unescape(found.group(1))


def _field_error(body: str) -> str:
    found = re.search(r'<p class="error" id="setting-zones-error">(.*?)</p>', body, re.S)
    assert found, "no error next to the zones box"
    return unescape(found.group(1))


def test_the_form_shows_the_starter_zones_of_the_stores_currency(make_store, store_client):
    make_store("taka-shop", currency="BDT")
    make_store("dram-shop", currency="AMD")
    taka = _owner(store_client, "taka-shop").get(f"/admin/plugins/{PLUGIN}")
    assert taka.status_code == 200
    assert _textarea(taka.get_data(as_text=True)) == BDT
    dram = _owner(store_client, "dram-shop").get(f"/admin/plugins/{PLUGIN}")
    assert _textarea(dram.get_data(as_text=True)) == AMD


def test_bad_lines_are_refused_with_line_numbers_and_nothing_is_saved(app, make_store,
                                                                      store_client):
    store = make_store("typo-shop", currency="BDT")
    owner = _owner(store_client, "typo-shop")
    typed = ("Inside Dhaka: BD / Dhaka / Dhaka\n"
             "  Standard delivery: seventy\n"
             "Outside Dhaka: Bangladesh\n"
             "  Courier: weight 0-3kg 130, 2-5kg 180\n")
    response = owner.post(f"/admin/plugins/{PLUGIN}", data={"zones": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved." in body
    error = _field_error(body)
    assert error.startswith("Line 2: Could not read the price “seventy”: write an amount")
    assert ("Line 3: Could not read “Bangladesh”: a zone needs a two-letter country code"
            in error)
    assert "Line 4: The bands “0-3kg 130” and “2-5kg 180” overlap." in error
    assert 'aria-invalid="true"' in body
    assert _textarea(body) == typed  # what was typed comes back to be corrected
    assert _stored(app, store) is None

    fixed = (typed.replace("seventy", "70").replace("Bangladesh", "BD")
             .replace("0-3kg", "0-2kg"))
    response = owner.post(f"/admin/plugins/{PLUGIN}", data={"zones": fixed})
    assert response.status_code == 303
    assert _stored(app, store) == {"zones": fixed.strip()}


@pytest.mark.parametrize(("zones", "message"), [
    ("  Standard: 70", "Line 1: “Standard” comes before any zone: start with a zone line"),
    ("Dhaka: BD\n  Bike: 70\ndhaka: BD / Dhaka\n  Bike: 70",
     "Line 3: There is already a zone called “dhaka” (line 1)"),
    ("A: BD / Dhaka / Savar\n  Bike: 70\nB: BD / Dhaka / Tongi, savar\n  Bike: 80",
     "Line 3: “BD / Dhaka / savar” is already in the zone “A” (line 1)"),
    ("Dhaka: BD\n  Bike: 70\n  bike: 80", "Line 3: The zone already has an option called "
                                          "“bike”"),
    ("Dhaka: BD\n\n# note\n  Bike: 70 (fast)",
     "Line 4: Write delivery days as “(2 days)” or “(1-2 days)”, not “(fast)”."),
    ("Dhaka: BD\n  Bike: weight 5kg+ 100, 6kg+ 120", "Line 2: Only the last band can be "
                                                     "open-ended"),
    ("Dhaka: BD\n  Free: free over 1000\n  Free 2: free over 2000",
     "Line 3: A zone can have only one “free over” option."),
    ("Dhaka: BD\n  track: https://steadfast.example/t/{number}",
     "Line 2: Put “track:” on the line under the delivery option it is for."),
    ("Dhaka: BD\n  Bike: 70\n  track: https://steadfast.example/t/",
     "Line 3: Write the courier's tracking page with {number}"),
    ("Dhaka: BD\nOutside: BD / * / Savar\n  Bike: 70",
     "Line 1: The zone “Dhaka” has no delivery options"),
    ("Everywhere: * / Dhaka\n  Bike: 70", "Line 1: With * (every country) leave out regions"),
    ("Inside Dhaka BD\n  Bike: 70", "Line 1: “Inside Dhaka BD” needs a colon"),
    ("Inside: Bangladesh / Dhaka\n  Bike: 70",
     "Line 1: “Bangladesh” is not a two-letter country code"),
    # The options of a zone that cannot be read are still checked, but not against the
    # zone above it.
    ("A: BD / * / Savar\n  Bike: 70\nB: Bangla\n  Bike: 7O",
     "Line 3: Could not read “Bangla”: a zone needs a two-letter country code, as in "
     "“Inside Dhaka: BD / Dhaka / Dhaka”; a delivery option needs a price: write an "
     "amount (“70”), “free”, “free over 3000”, “pickup”, “weight 0-2kg 130, 2-5kg 180, "
     "5kg+ 250” or “value 0-1000 150, 1000-3000 100, 3000+ 50”. Line 4: Could not read "
     "the price “7O”"),
    ("# nothing but notes", "There are no zones yet"),
])
def test_each_kind_of_mistake_gets_a_precise_line_numbered_message(app, zones, message):
    manifest = app.extensions["haat_plugins"].installed[PLUGIN].manifest
    result = validate_settings(manifest, {"zones": zones}, currency="BDT", stored_secrets={})
    assert not result.ok
    assert message in result.errors["zones"], result.errors["zones"]
    assert result.values == {}


def test_many_mistakes_are_summarised(app):
    manifest = app.extensions["haat_plugins"].installed[PLUGIN].manifest
    zones = "Dhaka: BD\n" + "".join(f"  Option {n}: lots\n" for n in range(1, 9))
    error = validate_settings(manifest, {"zones": zones}, currency="BDT",
                              stored_secrets={}).errors["zones"]
    assert error.count("Line ") == 5 and error.endswith("(and 3 more)")
    assert error.startswith("Line 2: ") and "Line 6: " in error and "Line 7: " not in error


# ------------------------------------------------------------------ the merchant's language


def test_every_message_is_translated():
    assert_translated("plugins.shipping")


@pytest.mark.parametrize(("locale", "currency", "title", "label", "help_text"), [
    ("bn", "BDT", "ডেলিভারি চার্জ", "ডেলিভারি জোন ও চার্জ", "প্রতিটি ঠিকানা পায়"),
    ("hy", "AMD", "Առաքման սակագներ", "Առաքման գոտիներ և սակագներ",
     "Յուրաքանչյուր հասցե ստանում է"),
])
def test_the_settings_page_is_in_the_owners_language(make_store, store_client, locale,
                                                     currency, title, label, help_text):
    make_store(f"{locale}-rates", currency=currency, locale=locale)
    body = _owner(store_client, f"{locale}-rates").get(f"/admin/plugins/{PLUGIN}")
    page = body.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert f"<legend>{label}</legend>" in page
    assert help_text in page
    assert "Delivery zones and rates" not in page and "Shipping rates" not in page


def test_zone_errors_are_in_each_owners_language_from_one_cached_parse(make_store,
                                                                       store_client):
    # The same text is parsed once and cached; each owner reads its problems in their
    # own admin language, whoever asked first.
    typed = "Dhaka: Bangladesh / Dhaka\n  Bike: seventy\n  Van: weight 0-3kg 130, 2-5kg 180\n"
    expected = {
        "bn": ["লাইন 1: “Bangladesh” দুই অক্ষরের দেশের কোড নয়",
               "লাইন 2: “seventy” দামটি পড়া যায়নি",
               "লাইন 3: “0-3kg 130” আর “2-5kg 180” ধাপ দুটি একটি আরেকটির ওপর পড়েছে।"],
        "hy": ["Տող 1: «Bangladesh» արժեքը երկտառ երկրի կոդ չէ",
               "Տող 2: Չհաջողվեց կարդալ «seventy» գինը",
               "Տող 3: «0-3kg 130» և «2-5kg 180» միջակայքերը համընկնում են։"],
        "en": ["Line 1: “Bangladesh” is not a two-letter country code",
               "Line 2: Could not read the price “seventy”",
               "Line 3: The bands “0-3kg 130” and “2-5kg 180” overlap."],
    }
    for locale, currency in (("bn", "BDT"), ("hy", "AMD"), ("en", "USD")):
        make_store(f"typo-{locale}", currency=currency, locale=locale)
    parse_zones.cache_clear()
    for locale in ("bn", "hy", "en", "bn"):
        response = _owner(store_client, f"typo-{locale}").post(f"/admin/plugins/{PLUGIN}",
                                                               data={"zones": typed})
        assert response.status_code == 422
        error = _field_error(response.get_data(as_text=True))
        for words in expected[locale]:
            assert words in error, (locale, error)
    # Every text (the typed one, and the form's rows as text) was read once.
    assert parse_zones.cache_info().misses == parse_zones.cache_info().currsize


def test_forgiving_amounts_days_and_bullets_are_read(app, make_store, enable_plugin,
                                                     store_plugins):
    store = make_store("loose-shop", currency="BDT", locale="en")
    enable_plugin(store, PLUGIN, settings={"zones": """\
Inside Dhaka: bd / dhaka / dhaka
- Bike: Tk 1,070.50/- (২-৩ দিন)
- Van: flat ৳ 200 (3 days)
- Post: 90 টাকা (1 day)
"""})
    rates = quote(app, store_plugins, store, DHAKA)
    assert [(r.label, r.amount, r.description) for r in rates] == [
        ("Bike", Money(107050, "BDT"), "2-3 days"),
        ("Van", bdt(200), "3 days"),
        ("Post", bdt(90), "1 day"),
    ]


def test_the_days_note_follows_the_stores_digits(app, make_store, enable_plugin,
                                                  store_plugins):
    """The merchant in Dhaka wrote "(১-২ দিন)"; checkout read "1-2 দিন" back to shoppers."""
    zones = "ঢাকার ভিতরে: BD / * / ঢাকা\n  হোম ডেলিভারি: ৭০ (১-২ দিন)\n  কুরিয়ার: ১২০ (৩ দিন)\n"
    bengali = make_store("digits-shop", currency="BDT", locale="bn", bengali_digits=True)
    enable_plugin(bengali, PLUGIN, settings={"zones": zones})
    rates = quote(app, store_plugins, bengali, Address("BD", "", "ঢাকা"))
    assert [(r.amount, r.min_days, r.max_days, r.description) for r in rates] == [
        (bdt(70), 1, 2, "১-২ দিন"), (bdt(120), 3, 3, "৩ দিন")]

    # The same zones in a store that chose Latin digits, and in an English store.
    latin = make_store("latin-digits-shop", currency="BDT", locale="bn", bengali_digits=False)
    enable_plugin(latin, PLUGIN, settings={"zones": zones})
    assert [r.description for r in quote(app, store_plugins, latin,
                                          Address("BD", "", "ঢাকা"))] == ["1-2 দিন", "3 দিন"]
    english = make_store("english-digits-shop", currency="BDT", locale="en",
                         bengali_digits=True)
    enable_plugin(english, PLUGIN, settings={"zones": zones})
    assert [r.description for r in quote(app, store_plugins, english,
                                          Address("BD", "", "ঢাকা"))] == ["1-2 days", "3 days"]


# ------------------------------------------------------- ids, tracking, caching, failures


def test_options_named_only_in_bengali_get_stable_ascii_ids(app, make_store, enable_plugin,
                                                            store_plugins):
    store = make_store("bangla-shop", currency="BDT", locale="bn")
    zones = "ঢাকার ভিতরে: BD / * / ঢাকা\n  হোম ডেলিভারি: ৭০\n  দোকান থেকে নিন: pickup"
    enable_plugin(store, PLUGIN, settings={"zones": zones})
    first = quote(app, store_plugins, store, Address("BD", "", "ঢাকা"))
    second = quote(app, store_plugins, store, Address("BD", "", "ঢাকা"))
    ids = [r.id for r in first]
    assert ids == [r.id for r in second]
    assert len(set(ids)) == 2
    assert all(re.fullmatch(r"zone-[0-9a-f]{6}/option-[0-9a-f]{6}", i) for i in ids)
    assert [r.label for r in first] == ["হোম ডেলিভারি", "দোকান থেকে নিন"]
    assert first[0].amount == bdt(70)


def test_tracking_pages_from_track_lines(app, make_store, enable_plugin, store_plugins):
    store = make_store("track-shop", currency="BDT")
    enable_plugin(store, PLUGIN, settings={"zones": """\
Bangladesh: BD
  Steadfast: 130
  track: https://steadfast.example/t/{number}
  Pick up: pickup
"""})
    with app.app_context():
        carrier, info = carrier_of(store_plugins, store)
        assert carrier.tracking_url("SF 12/34") == "https://steadfast.example/t/SF%2012%2F34"
        assert carrier.tracking_url("  ") is None
        assert carrier.tracking_url_for("bangladesh/pick-up", "1") is None
        order = OrderSnapshot(id=1, number=1001, token="tok", total=bdt(630),
                              payment_state="pending", fulfilment_state="unfulfilled",
                              address=CHATTOGRAM)
        assert carrier.create_shipment(info, order) is None  # booked by hand for now

    enable_plugin(store, PLUGIN, settings={"zones": """\
Bangladesh: BD
  Steadfast: 130
  track: https://steadfast.example/t/{number}
  Pathao: 120
  track: https://pathao.example/track?c={number}
"""})
    with app.app_context():
        carrier, _info = carrier_of(store_plugins, store)
        assert carrier.tracking_url("A1") is None  # two pages: which one is unknown
        assert carrier.tracking_url_for("bangladesh/pathao", "A1") == \
            "https://pathao.example/track?c=A1"


def test_quoting_parses_the_zones_once(app, dhaka_shop, store_plugins):
    quote(app, store_plugins, dhaka_shop, DHAKA)
    before = parse_zones.cache_info()
    for address in (DHAKA, SAVAR, CHATTOGRAM, KOLKATA):
        quote(app, store_plugins, dhaka_shop, address)
    after = parse_zones.cache_info()
    assert after.misses == before.misses
    assert after.hits >= before.hits + 4


def test_saved_zones_that_no_longer_read_stop_checkout_cleanly(app, make_store, enable_plugin,
                                                               store_plugins, isolating):
    store = make_store("stale-shop", currency="BDT")
    # Written around the form (an older format): checkout must refuse, not guess a price.
    enable_plugin(store, PLUGIN, settings={"zones": "Dhaka: BD\n  Bike: seventy"})
    with app.app_context(), pytest.raises(PluginCheckoutError) as raised:
        store_plugins(store).checkout("haat_shipping_carriers")
    assert raised.value.plugin == PLUGIN
    assert "Line 2" in str(raised.value)


# --------------------------------------------------------------------- isolation


def test_two_stores_never_see_each_others_zones(app, dhaka_shop, make_store, enable_plugin,
                                                store_plugins, store_client):
    other = make_store("sylhet-shop", currency="BDT")
    enable_plugin(other, PLUGIN, settings={"zones": "Sylhet: BD / Sylhet\n  Rickshaw van: 55"})
    plain = make_store("plain-shop", currency="BDT")  # the plugin is off here

    assert quote(app, store_plugins, other, DHAKA) == []
    assert _prices(quote(app, store_plugins, other, Address("BD", "Sylhet", "Sylhet"))) == {
        "Rickshaw van": bdt(55)}
    assert {r.zone for r in quote(app, store_plugins, dhaka_shop,
                                   Address("BD", "Sylhet", "Sylhet"))} == {"outside-dhaka"}
    with app.app_context():
        assert store_plugins(plain).checkout("haat_shipping_carriers") == []

    # One owner saving zones changes only their own store.
    response = _owner(store_client, "sylhet-shop").post(
        f"/admin/plugins/{PLUGIN}", data={"zones": "Sylhet: BD / Sylhet\n  Rickshaw van: 65"})
    assert response.status_code == 303
    assert _stored(app, dhaka_shop) == {"zones": DHAKA_ZONES}
    assert _prices(quote(app, store_plugins, other, Address("BD", "Sylhet", "Sylhet"))) == {
        "Rickshaw van": bdt(65)}
    assert _prices(quote(app, store_plugins, dhaka_shop, SAVAR)) == {
        "Standard delivery": bdt(100)}


def test_the_same_zones_text_prices_in_each_stores_own_currency(app, make_store,
                                                                enable_plugin, store_plugins):
    zones = "Everywhere: *\n  Post: 1000"
    taka, dram = make_store("taka-2", currency="BDT"), make_store("dram-2", currency="AMD")
    enable_plugin(taka, PLUGIN, settings={"zones": zones})
    enable_plugin(dram, PLUGIN, settings={"zones": zones})
    assert quote(app, store_plugins, taka, DHAKA)[0].amount == Money(100000, "BDT")
    assert quote(app, store_plugins, dram, DHAKA, sample_cart(currency="AMD"))[0].amount == \
        Money(100000, "AMD")
