"""The tax plugin, through ``haat_checkout_adjustments``: exact amounts, labels, isolation.

Prices are tax-exclusive, so the tax is a percentage of the cart subtotal (plus the
shipping charge when the merchant taxes shipping), rounded half up to the minor unit.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest

from conftest import PASSWORD
from core.pluginhost.settings import validate_settings
from core.sdk import Adjustment, CartLine, CartSnapshot, CheckoutContext, Money, ShippingRate
from core.testing import assert_translated
from plugins.tax import plugin as tax_plugin

TAX = "tax"
SHIPPING = ShippingRate("outside", "Outside Dhaka", Money(6000, "BDT"), carrier="tiers",
                        zone="outside-dhaka")


def _settings(currency: str = "BDT", **form: object):
    return validate_settings(tax_plugin.manifest, form, currency=currency, stored_secrets={})


@pytest.fixture
def configure(enable_plugin):
    """Validate a settings form as the admin does, then enable the plugin with it."""

    def configure(tenant, **form: object) -> None:
        result = _settings(tenant.currency, **form)
        assert result.ok, result.errors
        enable_plugin(tenant, TAX, settings=result.values)

    return configure


@pytest.fixture
def shop(make_store):
    return make_store("vat-shop", currency="BDT", locale="en")


def checkout(subtotal: int, *, rate: ShippingRate | None = None,
             locale: str = "") -> CheckoutContext:
    """A checkout of two lines worth ``subtotal`` minor units of BDT in all."""
    half = subtotal // 2
    lines = (CartLine(1, "Jamdani saree", 1, Money(half, "BDT")),
             CartLine(2, "Clay pot", 1, Money(subtotal - half, "BDT")))
    cart = CartSnapshot(token="cart-1", lines=lines, subtotal=Money(subtotal, "BDT"))
    return CheckoutContext(cart=cart, shipping_rate=rate, locale=locale,
                           shipping_rate_id=f"tiers:{rate.id}" if rate else None)


def taxes(store_plugins, tenant, ctx: CheckoutContext) -> list[Adjustment]:
    found = []
    for contribution in store_plugins(tenant).checkout("haat_checkout_adjustments",
                                                       checkout=ctx):
        if contribution.plugin == TAX:
            found.extend(contribution.value)
    return found


def _tax(amount: int, label: str = "VAT 15%") -> Adjustment:
    return Adjustment(kind="tax", code="tax", label=label, amount=Money(amount, "BDT"))


def test_tax_is_a_percentage_of_the_goods_rounded_half_up(app_ctx, shop, configure,
                                                          store_plugins):
    configure(shop, label="VAT", rate="15")
    # 15% of 1,234.50 = 185.175 -> 185.18; shipping is not taxed unless asked.
    assert taxes(store_plugins, shop, checkout(123450)) == [_tax(18518)]
    assert taxes(store_plugins, shop, checkout(123450, rate=SHIPPING)) == [_tax(18518)]


def test_tax_is_taken_after_the_coupon(app_ctx, shop, configure, store_plugins):
    configure(shop, label="VAT", rate="15")
    ctx = replace(checkout(100_000), discount=Money(-20_000, "BDT"))
    assert taxes(store_plugins, shop, ctx) == [_tax(12_000)]


def test_tax_on_shipping_when_the_merchant_says_so(app_ctx, shop, configure, store_plugins):
    configure(shop, label="VAT", rate="15", apply_to_shipping="on")
    # 15% of (1,234.50 + 60.00) = 194.175 -> 194.18
    assert taxes(store_plugins, shop, checkout(123450, rate=SHIPPING)) == [_tax(19418)]
    # Before a rate is chosen there is no shipping to tax yet.
    assert taxes(store_plugins, shop, checkout(123450)) == [_tax(18518)]


def test_fractional_rates_and_the_label_in_each_language(app_ctx, shop, configure,
                                                         store_plugins):
    configure(shop, label="VAT", rate="7.5")
    # 7.5% of 333.33 = 24.99975 -> 25.00
    assert taxes(store_plugins, shop, checkout(33333)) == [_tax(2500, "VAT 7.5%")]
    assert [t.label for t in taxes(store_plugins, shop, checkout(33333, locale="bn"))] == [
        "VAT 7.5%"]
    # Armenian writes a decimal comma.
    assert [t.label for t in taxes(store_plugins, shop, checkout(33333, locale="hy"))] == [
        "VAT 7,5%"]


def test_no_tax_at_a_zero_rate_or_when_it_rounds_to_nothing(app_ctx, shop, configure,
                                                            store_plugins):
    configure(shop, label="VAT", rate="0")
    assert taxes(store_plugins, shop, checkout(123450)) == []
    configure(shop, label="VAT", rate="5")
    # 5% of 0.09 = 0.0045 -> 0.00
    assert taxes(store_plugins, shop, checkout(9)) == []
    assert taxes(store_plugins, shop, checkout(10)) == [_tax(1, "VAT 5%")]


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"label": "VAT", "rate": "101"}, "rate", "Enter a rate from 0 to 100, e.g. 15 or 7.5."),
    ({"label": "VAT", "rate": "-1"}, "rate", "Enter a rate from 0 to 100, e.g. 15 or 7.5."),
    ({"label": "VAT", "rate": "fifteen"}, "rate", "Enter a number."),
    ({"label": "VAT", "rate": ""}, "rate", "Rate (%) is required."),
    ({"label": "", "rate": "15"}, "label", "Tax name is required."),
])
def test_tax_settings_refuse_bad_values_next_to_the_field(form, field, message):
    assert _settings(**form).errors == {field: message}


def test_tax_manifest():
    manifest = tax_plugin.manifest
    assert (manifest.name, manifest.kind, manifest.problems()) == ("tax", None, [])
    assert all(f.help for f in manifest.settings)


def test_tax_is_per_store(app_ctx, shop, make_store, configure, store_plugins):
    other = make_store("other-vat-shop", currency="BDT", locale="en")
    configure(other, label="Sales tax", rate="20", apply_to_shipping="on")

    ctx = checkout(100000, rate=SHIPPING)
    assert taxes(store_plugins, shop, ctx) == []  # not enabled here at all
    configure(shop, label="VAT", rate="5")
    assert taxes(store_plugins, shop, ctx) == [_tax(5000, "VAT 5%")]
    assert taxes(store_plugins, other, ctx) == [_tax(21200, "Sales tax 20%")]


# ------------------------------------------------------------------ the merchant's language


def test_every_message_is_translated():
    assert_translated("plugins.tax")


@pytest.mark.parametrize(("locale", "currency", "title", "label", "refused"), [
    ("bn", "BDT", "কর", "করের নাম", "0 থেকে 100-এর মধ্যে একটি হার লিখুন, যেমন 15 বা 7.5।"),
    ("hy", "AMD", "Հարկ", "Հարկի անվանումը",
     "Մուտքագրեք դրույքաչափ 0-ից մինչև 100, օրինակ՝ 15 կամ 7.5։"),
])
def test_the_settings_page_is_in_the_owners_language(make_store, store_client, locale,
                                                     currency, title, label, refused):
    make_store(f"{locale}-tax", currency=currency, locale=locale)
    owner = store_client(f"{locale}-tax")
    assert owner.post("/admin/login", data={"email": f"owner@{locale}-tax.example",
                                            "password": PASSWORD}).status_code == 303
    page = owner.get(f"/admin/plugins/{TAX}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert f'<label for="setting-label">{label} <span class="required"' in page
    assert "Tax name" not in page and "Also tax shipping" not in page

    response = owner.post(f"/admin/plugins/{TAX}", data={"label": "VAT", "rate": "101"})
    assert response.status_code == 422
    found = re.search(r'<p class="error" id="setting-rate-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    assert found and unescape(found.group(1)) == refused
