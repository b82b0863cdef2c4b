"""Where a plugin applies: the plugins page lists those made for the store's country and
currency first and the others apart ("For other countries or currencies", collapsed but
still usable), each with a note of what it is for, in the admin's language."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from admin_support import html, sign_in
from core.sdk import PluginManifest

#: In-test plugins: name -> (countries, currencies).
PLACES = {
    "bd-courier": (("BD",), ()),
    "dram-pay": ((), ("AMD",)),
    "bd-am-wallets": (("BD", "AM"), ("BDT", "AMD")),
    "euro-invoices": (("DE", "FR", "IT", "ES", "NL", "BE"), ("EUR",)),
    "anywhere-notes": ((), ()),
}


def place_plugin(name: str, countries: tuple[str, ...], currencies: tuple[str, ...]) -> object:
    module = ModuleType(f"test_plugin_{name.replace('-', '_')}")
    module.manifest = PluginManifest(name=name, title=name.replace("-", " ").title(),
                                     countries=countries, currencies=currencies)
    return module


@pytest.fixture
def placed(install_plugin) -> None:
    for name, (countries, currencies) in PLACES.items():
        install_plugin(place_plugin(name, countries, currencies))


def sections(page: str) -> tuple[list[str], list[str]]:
    """The plugin ids listed first, and those listed apart (in page order)."""
    main, _, elsewhere = page.partition('<details class="plugins-elsewhere"')
    found = re.compile(r'<li class="card plugin[^"]*" id="plugin-([a-z0-9-]+)"')
    return found.findall(main), found.findall(elsewhere)


def note_of(page: str, name: str) -> str:
    item = page[page.index(f'id="plugin-{name}"'):]
    item = item[:item.index("</li>")]
    found = re.search(r'<p class="plugin-for">([^<]*)</p>', item)
    return found.group(1) if found else ""


def test_a_bangladeshi_store_sees_plugins_for_bangladesh_first(
        app, placed, make_store, store_client):
    store = make_store("dhaka-shop", currency="BDT")  # BDT: the country is Bangladesh
    page = html(sign_in(store_client, store).get("/admin/plugins"))
    first, apart = sections(page)

    # Made for Bangladesh in particular, then for anywhere (each group by title).
    made_for_bd = ["bd-am-wallets", "bd-courier", "bkash", "mobile-wallet", "pathao",
                   "sms-sslwireless", "sslcommerz", "steadfast"]
    assert first[:len(made_for_bd)] == made_for_bd
    assert ({"anywhere-notes", "cash-on-delivery", "delivery-updates", "shipping",
             "sample-board"} <= set(first[len(made_for_bd):]))
    assert set(apart) == {"arca", "dram-pay", "euro-invoices", "stripe"}
    assert apart == sorted(apart)
    assert "For other countries or currencies (৪)" not in page  # English admin: Latin digits
    assert "For other countries or currencies (4)" in page
    assert '<details class="plugins-elsewhere" id="plugins-elsewhere">' in page  # collapsed

    assert note_of(page, "bd-courier") == "For Bangladesh"
    assert note_of(page, "bd-am-wallets") == "For Bangladesh and Armenia · BDT, AMD"
    assert note_of(page, "mobile-wallet") == "For Bangladesh and Armenia · BDT, AMD"
    assert note_of(page, "dram-pay") == "For AMD"
    assert note_of(page, "euro-invoices") == "For 6 countries · EUR"
    assert re.fullmatch(r"For \d\d countries", note_of(page, "stripe"))
    assert note_of(page, "anywhere-notes") == "" and note_of(page, "shipping") == ""
    assert "country is not set" not in page


def test_an_american_store_sees_stripe_first_and_the_wallets_apart(
        app, placed, make_store, store_client):
    store = make_store("corner-shop", currency="USD", country="US")
    page = html(sign_in(store_client, store).get("/admin/plugins"))
    first, apart = sections(page)
    assert first[0] == "stripe"  # the one plugin made for the US in particular
    assert "anywhere-notes" in first and "cash-on-delivery" in first
    assert set(apart) == {"arca", "bd-am-wallets", "bd-courier", "bkash", "dram-pay",
                          "euro-invoices", "mobile-wallet", "pathao", "sms-sslwireless",
                          "sslcommerz", "steadfast"}
    assert note_of(page, "stripe").startswith("For ")


def test_plugins_listed_apart_stay_usable(app, placed, make_store, store_client):
    store = make_store("corner-shop", currency="USD", country="US")
    owner = sign_in(store_client, store)
    switched = owner.post("/admin/plugins/bd-courier/toggle", data={"enabled": "1"})
    assert switched.status_code == 303
    page = html(owner.get("/admin/plugins"))
    assert "Bd Courier is on." in page
    _first, apart = sections(page)
    assert "bd-courier" in apart  # still where it belongs, and the group is open
    assert '<details class="plugins-elsewhere" id="plugins-elsewhere" open>' in page
    settings = html(owner.get("/admin/plugins/bd-courier"))
    assert '<p class="plugin-for">For Bangladesh</p>' in settings
    assert "This plugin is made for stores in other countries" in settings
    made_here = html(owner.get("/admin/plugins/anywhere-notes"))
    assert "This plugin is made for stores in other countries" not in made_here


def test_without_a_country_the_currency_decides_and_the_owner_is_asked(
        app, placed, make_store, store_client):
    store = make_store("world-shop", currency="EUR")  # EUR: many countries, none chosen
    page = html(sign_in(store_client, store).get("/admin/plugins"))
    first, apart = sections(page)
    assert first[0] == "euro-invoices"  # made for the euro in particular
    # No currency limit on Stripe or the courier, and the country could be theirs.
    assert "stripe" in first[1:] and "bd-courier" in first[1:]
    # No currency limit on SSLCommerz either; ArCa takes euros.
    assert "sslcommerz" in first[1:] and "arca" in first[1:]
    assert {"bd-am-wallets", "bkash", "dram-pay", "mobile-wallet", "pathao",
            "steadfast"} == set(apart)
    assert "country is not set, so plugins are sorted by your currency only" in page
    assert 'href="/admin/settings/store"' in page


def test_notes_are_in_the_admin_language(app, placed, make_store, store_client):
    store = make_store("bangla-shop", locale="bn", currency="BDT", bengali_digits=True)
    page = html(sign_in(store_client, store).get("/admin/plugins"))
    assert note_of(page, "bd-am-wallets") == "যার জন্য তৈরি: বাংলাদেশ এবং আর্মেনিয়া · BDT, AMD"
    assert note_of(page, "euro-invoices") == "যার জন্য তৈরি: ৬টি দেশ · EUR"
    assert "অন্য দেশ বা মুদ্রার জন্য (৪)" in page


def test_each_store_sees_its_own_grouping(app, placed, make_store, store_client):
    dhaka = make_store("dhaka-shop", currency="BDT")
    yerevan = make_store("yerevan-shop", currency="AMD")
    dhaka_first, dhaka_apart = sections(
        html(sign_in(store_client, dhaka).get("/admin/plugins")))
    yerevan_first, yerevan_apart = sections(
        html(sign_in(store_client, yerevan).get("/admin/plugins")))
    assert "bd-courier" in dhaka_first and "bd-courier" in yerevan_apart
    assert yerevan_first[:4] == ["arca", "bd-am-wallets", "dram-pay", "mobile-wallet"]
    assert "arca" in dhaka_apart and "bkash" in yerevan_apart


def test_first_party_manifests_say_where_they_apply(app):
    installed = app.extensions["haat_plugins"].installed
    wallets = installed["mobile-wallet"].manifest
    assert wallets.applies_to("BD", "BDT") and wallets.applies_to("AM", "AMD")
    assert not wallets.applies_to("US", "USD")
    stripe = installed["stripe"].manifest
    assert stripe.applies_to("US", "USD") and stripe.applies_to("DE", "EUR")
    assert not stripe.applies_to("BD", "BDT") and not stripe.applies_to("AM", "AMD")
    for anywhere in ("cash-on-delivery", "bank-transfer", "shipping", "tax", "seo",
                     "search", "trust-badges", "delivery-updates"):
        manifest = installed[anywhere].manifest
        assert not manifest.countries and not manifest.currencies, anywhere
    for local in ("sslcommerz", "bkash", "steadfast", "pathao"):
        manifest = installed[local].manifest
        assert manifest.applies_to("BD", "BDT") and not manifest.applies_to("AM", "AMD")
    arca = installed["arca"].manifest
    assert arca.applies_to("AM", "AMD") and not arca.applies_to("BD", "BDT")
