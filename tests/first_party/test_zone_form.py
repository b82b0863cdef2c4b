"""The shipping zones as a form, through the admin's settings page (HTTP), and the
quotes that what was saved gives at checkout (the carrier's hook).

The form is what a Bengali merchant fills in on a phone: places chosen from Haat's
address data, prices typed in Bengali digits, errors next to the row they are about,
and the text beside it for import and export.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from admin_support import add_staff, html, sign_in
from core.db import db
from core.pluginhost.models import PluginState
from core.sdk import Address
from shipping_support import bdt, quote, sample_cart
from tenants import tenant_scope

PLUGIN = "shipping"
URL = f"/admin/plugins/{PLUGIN}"
MIRPUR = Address(country="BD", city="Mirpur-10, Dhaka-1216")
SYLHET = Address(country="BD", city="Sylhet")


def _stored(app, store) -> str | None:
    """The zones text saved for ``store`` (``None``: never saved)."""
    with app.app_context(), tenant_scope(store.id):
        row = db.session.scalar(select(PluginState).where(PluginState.plugin == PLUGIN))
        return None if row is None else (row.settings or {}).get("zones")


def _rows_form(**extra: str) -> dict[str, str]:
    """Two zones as a Bengali merchant types them: Dhaka city at ৳৭০ in ১-২ days, and
    the rest of Bangladesh priced by weight."""
    form = {
        "zones-0-name": "ঢাকার ভেতরে", "zones-0-country": "BD",
        "zones-0-place-0": "ঢাকা মহানগর", "zones-0-place-1": "",
        "zones-0-rate-0-label": "হোম ডেলিভারি", "zones-0-rate-0-kind": "flat",
        "zones-0-rate-0-price": "৭০", "zones-0-rate-0-over": "",
        "zones-0-rate-0-min-days": "১", "zones-0-rate-0-max-days": "২",
        "zones-0-rate-0-track": "",
        "zones-1-name": "ঢাকার বাইরে", "zones-1-country": "BD", "zones-1-place-0": "",
        "zones-1-rate-0-label": "কুরিয়ার", "zones-1-rate-0-kind": "weight",
        "zones-1-rate-0-price": "", "zones-1-rate-0-over": "",
        "zones-1-rate-0-band-0-upto": "১", "zones-1-rate-0-band-0-price": "১৩০",
        "zones-1-rate-0-band-1-upto": "", "zones-1-rate-0-band-1-price": "১৮০",
        "zones-1-rate-0-min-days": "৩", "zones-1-rate-0-max-days": "৫",
        "zones-1-rate-0-track": "https://courier.example/track/{number}",
        # A spare zone left empty, as the form always has one.
        "zones-2-name": "", "zones-2-country": "BD", "zones-2-place-0": "",
        "zones-2-rate-0-label": "", "zones-2-rate-0-kind": "flat",
        "zones-2-rate-0-price": "",
        # The text beside the form, untouched.
        "zones": "old text", "zones-was": "old text",
    }
    form.update(extra)
    return form


@pytest.fixture
def bengali_shop(make_store, enable_plugin):
    store = make_store("bangla-rates", currency="BDT", locale="bn", country="BD",
                       bengali_digits=True)
    enable_plugin(store, PLUGIN)
    return store


def test_the_form_shows_the_starter_zones_as_rows_with_bengali_place_names(
        bengali_shop, store_client):
    page = html(sign_in(store_client, bengali_shop).get(URL))
    assert 'name="zones-0-name" value="ঢাকার ভেতরে"' in page
    # "Dhaka city" is shown in the merchant's language, and reads back as the same place.
    assert 'name="zones-0-place-0" value="ঢাকা মহানগর"' in page
    assert 'name="zones-0-rate-0-price" value="৭০"' in page  # the store's digits
    assert 'name="zones-1-place-0" value="সাভার"' in page
    # Places to choose from, in Bengali, with the district names the city would shadow.
    assert '<option value="মিরপুর">ঢাকা মহানগর</option>' in page
    assert '<option value="ঢাকা জেলা">' in page
    assert "Edit as text" not in page and "লেখা হিসেবে সম্পাদনা" in page


def test_saving_the_rows_prices_mirpur_inside_dhaka_and_sylhet_by_weight(
        app, bengali_shop, store_client, store_plugins):
    owner = sign_in(store_client, bengali_shop)
    response = owner.post(URL, data=_rows_form())
    assert response.status_code == 303, html(response)
    assert _stored(app, bengali_shop) == (
        "ঢাকার ভেতরে: BD / * / ঢাকা মহানগর\n"
        "  হোম ডেলিভারি: 70 (1-2 days)\n"
        "ঢাকার বাইরে: BD\n"
        "  কুরিয়ার: weight 0-1kg 130, 1kg+ 180 (3-5 days)\n"
        "  track: https://courier.example/track/{number}")

    [home] = quote(app, store_plugins, bengali_shop, MIRPUR)
    assert (home.label, home.amount, home.min_days, home.max_days) == (
        "হোম ডেলিভারি", bdt(70), 1, 2)
    [light] = quote(app, store_plugins, bengali_shop, SYLHET, sample_cart(grams=800))
    [heavy] = quote(app, store_plugins, bengali_shop, SYLHET, sample_cart(grams=2500))
    assert (light.amount, heavy.amount) == (bdt(130), bdt(180))

    # The saved zones come back as the same rows.
    page = html(owner.get(URL))
    assert 'name="zones-1-rate-0-band-1-price" value="১৮০"' in page
    assert 'name="zones-1-rate-0-kind"' in page and '<option value="weight" selected>' in page


def test_a_bad_row_is_marked_where_it_is_and_nothing_typed_is_lost(app, bengali_shop,
                                                                   store_client):
    owner = sign_in(store_client, bengali_shop)
    response = owner.post(URL, data=_rows_form(**{"zones-0-rate-0-price": "সত্তর",
                                                  "zones-1-name": "ঢাকার: বাইরে"}))
    page = html(response)
    assert response.status_code == 422
    assert _stored(app, bengali_shop) is None
    # Each message sits in the card of its own zone or option, in Bengali.
    rate_card = page.split('name="zones-0-rate-0-label"')[0].rsplit("<fieldset", 1)[1]
    assert "“সত্তর” কোনো সংখ্যা নয়" in rate_card
    zone_card = page.split('name="zones-1-name"')[0].rsplit('<fieldset class="zone-card', 1)[1]
    assert "জোনের নামে কোলন (:) থাকতে পারবে না।" in zone_card
    assert "কিছুই সেভ হয়নি: কিছু জোন ঠিক করতে হবে।" in page
    # What was typed is shown again, to be corrected.
    assert 'value="সত্তর"' in page and 'value="ঢাকার: বাইরে"' in page
    assert 'value="https://courier.example/track/{number}"' in page


def test_a_place_in_two_zones_is_refused_next_to_the_second_zone(app, bengali_shop,
                                                                  store_client):
    owner = sign_in(store_client, bengali_shop)
    response = owner.post(URL, data=_rows_form(**{"zones-1-place-0": "Dhaka city"}))
    page = html(response)
    assert response.status_code == 422
    zone_card = page.split('name="zones-1-name"')[0].rsplit('<fieldset class="zone-card', 1)[1]
    assert "আগে থেকেই “ঢাকার ভেতরে” জোনে আছে" in zone_card
    assert _stored(app, bengali_shop) is None


def test_removing_a_zone_and_adding_one_in_the_spare_rows(app, bengali_shop, store_client,
                                                         store_plugins):
    owner = sign_in(store_client, bengali_shop)
    form = _rows_form(**{
        "zones-1-remove": "1",
        "zones-2-name": "সাভার", "zones-2-place-0": "সাভার",
        "zones-2-rate-0-label": "দোকান থেকে সংগ্রহ", "zones-2-rate-0-kind": "pickup",
    })
    assert owner.post(URL, data=form).status_code == 303
    saved = _stored(app, bengali_shop)
    assert "ঢাকার বাইরে" not in saved
    assert "সাভার: BD / * / সাভার\n  দোকান থেকে সংগ্রহ: pickup" in saved
    assert quote(app, store_plugins, bengali_shop, SYLHET) == []
    [pickup] = quote(app, store_plugins, bengali_shop, Address(country="BD", city="Savar"))
    assert pickup.amount == bdt(0)


def test_changed_text_is_saved_instead_of_the_rows(app, bengali_shop, store_client):
    owner = sign_in(store_client, bengali_shop)
    text = "Everywhere: BD\n  Courier: 99\n"
    form = _rows_form(zones=text, **{"zones-was": "Inside Dhaka: BD\n  Old: 70\n"})
    assert owner.post(URL, data=form).status_code == 303
    assert _stored(app, bengali_shop) == text.strip()

    # Bad text is refused with line numbers, kept in the box, which stays open.
    response = owner.post(URL, data=_rows_form(zones="Everywhere: BD\n  Courier: ninety\n",
                                               **{"zones-was": text}))
    page = html(response)
    assert response.status_code == 422
    assert "লাইন 2" in page
    assert re.search(r'<details class="zone-text" open>', page)
    box = re.search(r'<textarea[^>]*name="zones"[^>]*>(.*?)</textarea>', page, re.S)
    assert unescape(box.group(1)) == "Everywhere: BD\n  Courier: ninety\n"


def test_zones_the_form_cannot_show_open_as_text(app, make_store, enable_plugin, store_client):
    store = make_store("portland-rates", currency="USD", country="US")
    text = "Portland: US / OR / Portland\n  Local delivery: 4 (1 day)\n"
    enable_plugin(store, PLUGIN, settings={"zones": text})
    page = html(sign_in(store_client, store).get(URL))
    assert "Your zones use what only the text can say" in page
    assert 'name="zones-0-name"' not in page
    box = re.search(r'<textarea id="setting-zones" name="zones"[^>]*>(.*?)</textarea>', page,
                    re.S)
    assert box and unescape(box.group(1)) == text


def test_cash_on_delivery_offers_the_stores_own_zones_by_name(app, bengali_shop, make_store,
                                                             enable_plugin, store_client):
    other = make_store("other-rates", currency="BDT", locale="bn", country="BD")
    enable_plugin(other, PLUGIN, settings={"zones": "Chittagong only: BD / * / Chattogram\n"
                                                    "  Bike: 60\n"})
    enable_plugin(bengali_shop, "cash-on-delivery")
    owner = sign_in(store_client, bengali_shop)
    assert owner.post(URL, data=_rows_form()).status_code == 303
    page = html(owner.get("/admin/plugins/cash-on-delivery"))
    zones = re.findall(r'name="fee_zones" value="([^"]+)"> ([^<]+)</label>', page)
    names = [name.strip() for _id, name in zones]
    assert names == ["ঢাকার ভেতরে", "ঢাকার বাইরে"]
    assert "Chittagong only" not in page  # another store's zone is never offered

    # Ticking "outside Dhaka" stores its id, and the fee applies only there.
    outside = dict(zones)
    outside_id = next(zone_id for zone_id, name in zones if name.strip() == "ঢাকার বাইরে")
    saved = owner.post("/admin/plugins/cash-on-delivery",
                       data={"fee_kind": "fixed", "fee_amount": "২০", "fee_zones": outside_id})
    assert saved.status_code == 303
    with app.app_context(), tenant_scope(bengali_shop.id):
        row = db.session.scalar(select(PluginState)
                                .where(PluginState.plugin == "cash-on-delivery"))
        assert row.settings["fee_zones"] == [outside_id]
    assert outside  # the ids came from the page, not typed


def test_another_stores_owner_cannot_read_or_change_the_zones(app, bengali_shop, make_store,
                                                              store_client):
    stranger = make_store("stranger-rates", currency="BDT")
    intruder = sign_in(store_client, stranger)
    # Signed in to another store: its session means nothing on this store's host.
    host = {"base_url": "http://bangla-rates.localhost"}
    assert intruder.get(URL, **host).status_code in (302, 303, 403)
    assert intruder.post(URL, data=_rows_form(), **host).status_code in (302, 303, 403)
    assert _stored(app, bengali_shop) is None


def test_payments_and_shipping_pages_list_their_plugins_in_the_owners_language(
        bengali_shop, enable_plugin, store_client):
    owner = sign_in(store_client, bengali_shop)
    payments = html(owner.get("/admin/payments"))
    assert 'id="plugin-cash-on-delivery"' in payments
    assert 'id="plugin-bank-transfer"' in payments
    assert 'id="plugin-shipping"' not in payments
    shipping = html(owner.get("/admin/shipping"))
    assert 'id="plugin-shipping"' in shipping and 'id="plugin-cash-on-delivery"' not in shipping
    assert "<li>ঢাকার ভেতরে</li>" in shipping
    assert f'href="{URL}"' in shipping
    for page in (payments, shipping):
        assert 'href="/admin/payments"' in page and 'href="/admin/shipping"' in page
        assert "Payments" not in page and "Shipping" not in page.replace(
            "Shipping rates", "")  # the menu and headings are in Bengali
    # Switching a plugin on or off there comes back to the same page.
    assert 'name="next" value="/admin/shipping#plugin-shipping"' in shipping
    assert 'name="next" value="/admin/payments#plugin-cash-on-delivery"' in payments
    # The plugin's settings page leads back to Shipping, which the menu marks as here.
    settings = html(owner.get(URL))
    assert 'href="/admin/shipping">← ' in settings


def test_staff_who_are_not_owners_cannot_open_payments_or_shipping(app, bengali_shop,
                                                                    store_client):
    add_staff(app, bengali_shop, "packer@bangla-rates.example")
    client = sign_in(store_client, bengali_shop, email="packer@bangla-rates.example")
    assert client.get("/admin/payments").status_code == 403
    assert client.get("/admin/shipping").status_code == 403


def test_a_widget_that_cannot_draw_costs_its_own_form_not_the_page(
        app, make_store, install_plugin, store_client, monkeypatch):
    from dataclasses import dataclass

    from conftest import make_plugin
    from core.sdk import TextField, WidgetField

    @dataclass(frozen=True)
    class Broken(WidgetField):
        def render(self, context):
            raise RuntimeError("a plugin's bug")

    name = install_plugin(make_plugin("broken-form", settings=(
        Broken("rows", "Rows"), TextField("note", "Note"))))
    store = make_store("broken-form-shop")
    owner = sign_in(store_client, store)
    # Under tests the plugin's own error reaches its author.
    with pytest.raises(RuntimeError, match="a plugin's bug"):
        owner.get(f"/admin/plugins/{name}")
    # In production the page stands, with the rest of the form, and says so.
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)
    page = owner.get(f"/admin/plugins/{name}")
    assert page.status_code == 200
    assert "This setting's form could not be shown." in unescape(html(page))
    assert 'name="note"' in html(page)
