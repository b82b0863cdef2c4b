"""Cash on delivery, bank transfer and manual mobile wallets, through the plugin hooks.

Settings go through the same validation as the admin form (``validate_settings``) before
they are saved for a store; checkouts are built by hand as core builds them, and each
plugin is asked through the store's plugin relay as checkout asks it.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from admin_support import html, sign_in
from core.db import db
from core.orders.models import Order
from core.pluginhost.settings import validate_settings
from core.pluginhost.translations import untranslated
from core.sdk import (
    Adjustment,
    CartLine,
    CartSnapshot,
    CheckoutContext,
    CheckoutProblem,
    FieldError,
    Money,
    OrderSnapshot,
    ShippingRate,
)
from core.testing import assert_translated
from plugins.bank_transfer import plugin as bank_plugin
from plugins.cash_on_delivery import plugin as cod_plugin
from plugins.mobile_wallet import plugin as wallet_plugin
from tenants import tenant_scope

COD = "cash-on-delivery"
BANK = "bank-transfer"
WALLET = "mobile-wallet"
MANIFESTS = {COD: cod_plugin.manifest, BANK: bank_plugin.manifest,
             WALLET: wallet_plugin.manifest}

INSIDE = ShippingRate("inside", "Inside Dhaka", Money(6000, "BDT"), carrier="tiers",
                      zone="inside-dhaka")
OUTSIDE = ShippingRate("outside", "Outside Dhaka", Money(12000, "BDT"), carrier="tiers",
                       zone="outside-dhaka")


# ------------------------------------------------------------------------- helpers


def _settings(plugin: str, currency: str = "BDT", **form: object):
    return validate_settings(MANIFESTS[plugin], form, currency=currency, stored_secrets={})


@pytest.fixture
def configure(enable_plugin):
    """Validate a settings form as the admin does, then enable the plugin with it."""

    def configure(tenant, plugin: str, **form: object) -> None:
        result = _settings(plugin, tenant.currency, **form)
        assert result.ok, result.errors
        enable_plugin(tenant, plugin, settings=result.values)

    return configure


@pytest.fixture
def shop(make_store):
    return make_store("haat-shop", currency="BDT", locale="en")


@pytest.fixture
def other_shop(make_store):
    return make_store("other-shop", currency="BDT", locale="en")


def checkout(subtotal: int, *, rate: ShippingRate | None = None, method: str | None = None,
             locale: str = "", fields: dict[str, str] | None = None) -> CheckoutContext:
    """A checkout of one line worth ``subtotal`` minor units of BDT."""
    line = CartLine(product_id=1, title="Nakshi kantha", quantity=1,
                    unit_price=Money(subtotal, "BDT"))
    cart = CartSnapshot(token="cart-1", lines=(line,), subtotal=Money(subtotal, "BDT"))
    return CheckoutContext(cart=cart, shipping_rate=rate, payment_method=method,
                           shipping_rate_id=f"tiers:{rate.id}" if rate else None,
                           locale=locale, payment_fields=fields or {})


def order(total: int, *, number: int = 1042, locale: str = "",
          fields: dict[str, str] | None = None, method: str = "") -> OrderSnapshot:
    return OrderSnapshot(id=7, number=number, token="tok-7", total=Money(total, "BDT"),
                         payment_state="pending", fulfilment_state="unfulfilled",
                         payment_method=method, locale=locale,
                         payment_fields=fields or {})


def _from(contributions, plugin: str) -> list:
    found = []
    for contribution in contributions:
        if contribution.plugin == plugin:
            found.extend(contribution.value)
    return found


def gateways(store_plugins, tenant, ctx: CheckoutContext | None, plugin: str) -> list:
    return _from(store_plugins(tenant).checkout("haat_payment_gateways", checkout=ctx), plugin)


def adjustments(store_plugins, tenant, ctx: CheckoutContext, plugin: str) -> list[Adjustment]:
    return _from(store_plugins(tenant).checkout("haat_checkout_adjustments", checkout=ctx),
                 plugin)


def problems(store_plugins, tenant, ctx: CheckoutContext, plugin: str) -> list[CheckoutProblem]:
    return _from(store_plugins(tenant).checkout("haat_checkout_validate", checkout=ctx), plugin)


def _fee(amount: int) -> Adjustment:
    return Adjustment(kind="fee", code="cod-fee", label="Cash on delivery fee",
                      amount=Money(amount, "BDT"))


# ---------------------------------------------------------------- cash on delivery


def test_cod_fixed_fee_is_added_only_when_cash_on_delivery_is_chosen(
        app_ctx, shop, configure, store_plugins):
    configure(shop, COD, fee_kind="fixed", fee_amount="25")

    chosen = checkout(100000, rate=INSIDE, method="cod")
    assert adjustments(store_plugins, shop, chosen, COD) == [_fee(2500)]
    other = checkout(100000, rate=INSIDE, method="wallet-bkash")
    assert adjustments(store_plugins, shop, other, COD) == []

    [gateway] = gateways(store_plugins, shop, chosen, COD)
    assert (gateway.id, gateway.method, gateway.label) == ("cod", "cash_on_delivery",
                                                           "Cash on delivery")
    assert gateway.description == ("Pay in cash when your parcel arrives. "
                                   "Cash on delivery fee: BDT25.00.")
    assert gateway.unavailable_reason == ""
    assert gateway.refunds is False


@pytest.mark.parametrize(("percent", "subtotal", "rate", "fee"), [
    # 1% of 1,234.50 + 120.00 = 13.545 -> 13.55 (half up, not to even)
    ("1", 123450, OUTSIDE, 1355),
    # 1.5% of 333.33 + 60.00 = 5.89995 -> 5.90
    ("1.5", 33333, INSIDE, 590),
    # 2.5% of 0.20 + 0 = 0.005 -> 0.01
    ("2.5", 20, None, 1),
])
def test_cod_percentage_fee_is_of_goods_plus_shipping_rounded_half_up(
        app_ctx, shop, configure, store_plugins, percent, subtotal, rate, fee):
    configure(shop, COD, fee_kind="percentage", fee_percent=percent)
    ctx = checkout(subtotal, rate=rate, method="cod")
    assert adjustments(store_plugins, shop, ctx, COD) == [_fee(fee)]


def test_cod_percentage_fee_is_taken_after_the_coupon(app_ctx, shop, configure,
                                                      store_plugins):
    configure(shop, COD, fee_kind="percentage", fee_percent="1")
    ctx = replace(checkout(100_000, method="cod"), discount=Money(-20_000, "BDT"))
    assert adjustments(store_plugins, shop, ctx, COD) == [_fee(800)]


def test_cod_fee_applies_only_in_the_listed_zones(app_ctx, shop, configure, store_plugins):
    configure(shop, COD, fee_kind="percentage", fee_percent="1", fee_zones="outside-dhaka")

    outside = checkout(100000, rate=OUTSIDE, method="cod")
    assert adjustments(store_plugins, shop, outside, COD) == [_fee(1120)]
    [gateway] = gateways(store_plugins, shop, outside, COD)
    assert "BDT11.20" in gateway.description

    inside = checkout(100000, rate=INSIDE, method="cod")
    assert adjustments(store_plugins, shop, inside, COD) == []
    [gateway] = gateways(store_plugins, shop, inside, COD)
    assert gateway.description == "Pay in cash when your parcel arrives."
    # Until a rate is chosen the fee's zone is unknown, so none is charged yet.
    assert adjustments(store_plugins, shop, checkout(100000, method="cod"), COD) == []


def test_cod_above_the_maximum_is_listed_but_unavailable_and_refused(
        app_ctx, shop, configure, store_plugins):
    configure(shop, COD, fee_kind="fixed", fee_amount="20", max_order="20000")
    reason = "Not available for orders above BDT20,000.00"

    # 19,950.00 + 60.00 shipping = 20,010.00: over the limit.
    over = checkout(1995000, rate=INSIDE, method="cod")
    [gateway] = gateways(store_plugins, shop, over, COD)
    assert gateway.unavailable_reason == reason
    assert problems(store_plugins, shop, over, COD) == [
        CheckoutProblem(reason, field="payment_method")]
    assert adjustments(store_plugins, shop, over, COD) == []

    # Exactly the maximum is allowed.
    at_limit = checkout(1994000, rate=INSIDE, method="cod")
    [gateway] = gateways(store_plugins, shop, at_limit, COD)
    assert gateway.unavailable_reason == ""
    assert problems(store_plugins, shop, at_limit, COD) == []
    assert adjustments(store_plugins, shop, at_limit, COD) == [_fee(2000)]

    # Another method on a large order is none of this plugin's business.
    assert problems(store_plugins, shop, checkout(1995000, rate=INSIDE, method="bank-transfer"),
                    COD) == []


def test_cod_outside_the_allowed_zones_is_unavailable(app_ctx, shop, configure,
                                                      store_plugins):
    configure(shop, COD, zones="inside-dhaka, dhaka-suburbs")

    outside = checkout(50000, rate=OUTSIDE, method="cod")
    [gateway] = gateways(store_plugins, shop, outside, COD)
    assert gateway.unavailable_reason == "Not available for this delivery option"
    assert problems(store_plugins, shop, outside, COD) == [
        CheckoutProblem("Not available for this delivery option", field="payment_method")]

    for allowed in (checkout(50000, rate=INSIDE, method="cod"), checkout(50000, method="cod")):
        [gateway] = gateways(store_plugins, shop, allowed, COD)
        assert gateway.unavailable_reason == ""
        assert problems(store_plugins, shop, allowed, COD) == []

    no_zone = ShippingRate("pickup", "Pick up", Money(0, "BDT"), carrier="tiers")
    [gateway] = gateways(store_plugins, shop, checkout(50000, rate=no_zone), COD)
    assert gateway.unavailable_reason == "Not available for this delivery option"


def test_cod_outside_a_checkout_is_offered_plainly(app_ctx, shop, configure, store_plugins):
    configure(shop, COD, fee_kind="fixed", fee_amount="20", max_order="100", zones="x")
    [gateway] = gateways(store_plugins, shop, None, COD)
    assert (gateway.id, gateway.unavailable_reason) == ("cod", "")


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"fee_kind": "fixed"}, "fee_amount", "Enter the fee, or choose “No fee”."),
    ({"fee_kind": "percentage"}, "fee_percent", "Enter the percentage, or choose “No fee”."),
    ({"fee_kind": "percentage", "fee_percent": "101"}, "fee_percent",
     "Enter a percentage from 0 to 100, e.g. 1 or 1.5."),
    ({"fee_percent": "one"}, "fee_percent", "Enter a number."),
    ({"max_order": "0"}, "max_order",
     "Enter an amount above zero, or leave it empty for no limit."),
    # Zones are ticked from the store's own (a post of anything else is refused).
    ({"zones": "inside-dhaka, Outside Dhaka!"}, "zones", "Choose only from the options."),
    ({"fee_zones": "sylhet/north"}, "fee_zones", "Choose only from the options."),
])
def test_cod_settings_refuse_bad_values_next_to_the_field(form, field, message):
    result = _settings(COD, **form)
    assert list(result.errors) == [field]
    assert result.errors[field].startswith(message)


def test_cod_start_refund_return_and_webhook(app_ctx, shop, configure, store_plugins):
    configure(shop, COD)
    store = store_plugins(shop).info
    [gateway] = gateways(store_plugins, shop, checkout(100000), COD)

    start = gateway.start(store, order(154000))
    assert start.redirect_url is None
    assert start.instructions == "Pay the courier in cash when your parcel arrives: BDT1,540.00"
    refund = gateway.refund(store, order(154000), Money(50000, "BDT"))
    assert (refund.ok, refund.amount, refund.message) == (
        True, Money(50000, "BDT"), "Recorded as a refund made by hand.")
    result = gateway.handle_return(store, order(154000), {"status": "paid"})
    assert (result.order_token, result.state) == ("tok-7", "pending")
    assert gateway.handle_webhook(store, b"{}", {}).status == 404


def test_amounts_follow_the_stores_bengali_digits(app_ctx, make_store, configure,
                                                  store_plugins):
    digits = make_store("digits-shop", currency="BDT", locale="bn", bengali_digits=True)
    configure(digits, COD, fee_kind="fixed", fee_amount="20")
    store = store_plugins(digits).info
    [gateway] = gateways(store_plugins, digits, checkout(1000, method="cod", locale="bn"), COD)
    assert "২০.০০৳" in gateway.description
    assert gateway.start(store, order(154000, locale="bn")).instructions.endswith("১,৫৪০.০০৳")


def test_cod_speaks_bengali_and_armenian(app_ctx, shop, configure, store_plugins):
    configure(shop, COD, fee_kind="fixed", fee_amount="20", max_order="1000")
    store = store_plugins(shop).info

    bn = checkout(200000, rate=INSIDE, method="cod", locale="bn")
    [gateway] = gateways(store_plugins, shop, bn, COD)
    assert gateway.label == "ক্যাশ অন ডেলিভারি"
    assert gateway.unavailable_reason == "1,000.00৳-এর বেশি মূল্যের অর্ডারে প্রযোজ্য নয়"
    assert problems(store_plugins, shop, bn, COD)[0].message == gateway.unavailable_reason
    fee = adjustments(store_plugins, shop, checkout(1000, method="cod", locale="bn-BD"), COD)
    assert [a.label for a in fee] == ["ক্যাশ অন ডেলিভারি চার্জ"]
    assert gateway.start(store, order(154000, locale="bn")).instructions == \
        "পার্সেল হাতে পেলে কুরিয়ারকে নগদে পরিশোধ করুন: 1,540.00৳"

    hy = checkout(1000, rate=INSIDE, method="cod", locale="hy")
    [gateway] = gateways(store_plugins, shop, hy, COD)
    assert gateway.label == "Վճարում առաքման պահին"
    assert [a.label for a in adjustments(store_plugins, shop, hy, COD)] == [
        "Առաքման պահին վճարման միջնորդավճար"]
    assert gateway.start(store, order(154000, locale="hy")).instructions == \
        "Ծանրոցը ստանալիս վճարեք առաքիչին կանխիկ՝ 1\xa0540,00\xa0BDT"


def test_cod_follows_the_store_language_when_the_checkout_has_none(
        app_ctx, make_store, configure, store_plugins):
    bangla = make_store("bangla-shop", currency="BDT", locale="bn")
    configure(bangla, COD)
    [gateway] = gateways(store_plugins, bangla, checkout(1000), COD)
    assert gateway.label == "ক্যাশ অন ডেলিভারি"


def test_cod_rules_are_per_store(app_ctx, shop, other_shop, configure, store_plugins):
    configure(other_shop, COD, fee_kind="fixed", fee_amount="50", max_order="100",
              zones="outside-dhaka")
    configure(shop, COD)

    ctx = checkout(500000, rate=INSIDE, method="cod")
    [gateway] = gateways(store_plugins, shop, ctx, COD)
    assert gateway.unavailable_reason == ""
    assert adjustments(store_plugins, shop, ctx, COD) == []
    assert problems(store_plugins, shop, ctx, COD) == []
    # ... while the other store's own rules hold for it.
    assert problems(store_plugins, other_shop, ctx, COD) != []


# ------------------------------------------------------------------- bank transfer

BANK_FORM = {
    "account_name": "Haat Shop Ltd",
    "bank_name": "BRAC Bank",
    "account_number": "1501 2034 5678 9001",
    "branch": "Gulshan, routing 060261726",
    "swift": "brakbddh",
    "reference_prefix": "hs",
    "extra_instructions": "Transfers from other banks take one working day.",
}


def test_bank_transfer_instructions_carry_the_details_amount_and_reference(
        app_ctx, shop, configure, store_plugins):
    configure(shop, BANK, **BANK_FORM, iban="GB82 WEST 1234 5698 7654 32")
    [gateway] = gateways(store_plugins, shop, checkout(100000), BANK)
    assert (gateway.id, gateway.method, gateway.label) == (
        "bank-transfer", "bank_transfer", "Bank transfer")
    assert "BRAC Bank" in gateway.description
    assert gateway.refunds is False

    start = gateway.start(store_plugins(shop).info, order(154050, number=1042))
    assert start.redirect_url is None
    assert start.reference == "HS-1042"
    assert start.instructions.splitlines() == [
        "Please transfer BDT1,540.50 to this account:",
        "Account name: Haat Shop Ltd",
        "Bank: BRAC Bank",
        "Account number: 1501 2034 5678 9001",
        "Branch / routing number: Gulshan, routing 060261726",
        "SWIFT/BIC: BRAKBDDH",
        "IBAN: GB82 WEST 1234 5698 7654 32",
        "",
        "Payment reference: HS-1042",
        "Write this reference with your transfer so we can match it to your order.",
        "We send your order once the money arrives.",
        "",
        "Transfers from other banks take one working day.",
    ]


def test_bank_transfer_reference_defaults_to_the_store_slug(app_ctx, shop, configure,
                                                            store_plugins):
    form = {k: v for k, v in BANK_FORM.items() if k not in ("reference_prefix", "branch",
                                                           "swift", "extra_instructions")}
    configure(shop, BANK, **form)
    [gateway] = gateways(store_plugins, shop, None, BANK)
    start = gateway.start(store_plugins(shop).info, order(100000, number=1001))
    assert start.reference == "HAAT-SHOP-1001"
    assert "Branch" not in start.instructions
    assert "SWIFT" not in start.instructions
    assert start.instructions.endswith("We send your order once the money arrives.")


def test_bank_transfer_without_details_offers_nothing(app_ctx, shop, enable_plugin,
                                                      store_plugins):
    enable_plugin(shop, BANK)
    assert gateways(store_plugins, shop, checkout(1000), BANK) == []


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"account_number": ""}, "account_number", "Account number is required."),
    ({"account_number": "12"}, "account_number", "Enter the account number as your bank"),
    ({"account_number": "1501; DROP"}, "account_number", "Enter the account number"),
    ({"swift": "BRAC"}, "swift", "A SWIFT/BIC code has 8 or 11 letters and digits"),
    ({"iban": "GB82 WEST 1234 5698 7654 33"}, "iban", "This IBAN's check digits do not match"),
    ({"iban": "12345"}, "iban", "An IBAN starts with a country code"),
    ({"reference_prefix": "HS-01"}, "reference_prefix", "Use 1 to 12 letters or digits"),
])
def test_bank_transfer_settings_refuse_bad_values_next_to_the_field(form, field, message):
    result = _settings(BANK, **{**BANK_FORM, **form})
    assert list(result.errors) == [field]
    assert result.errors[field].startswith(message)


def test_bank_transfer_speaks_bengali_and_armenian(app_ctx, shop, configure, store_plugins):
    configure(shop, BANK, **BANK_FORM)
    store = store_plugins(shop).info
    [gateway] = gateways(store_plugins, shop, checkout(1000, locale="bn"), BANK)
    assert gateway.label == "ব্যাংক ট্রান্সফার"
    lines = gateway.start(store, order(154050, locale="bn")).instructions.splitlines()
    assert lines[0] == "অনুগ্রহ করে এই অ্যাকাউন্টে 1,540.50৳ ট্রান্সফার করুন:"
    assert "অ্যাকাউন্ট নম্বর: 1501 2034 5678 9001" in lines
    assert "পেমেন্ট রেফারেন্স: HS-1042" in lines

    [gateway] = gateways(store_plugins, shop, checkout(1000, locale="hy"), BANK)
    assert gateway.label == "Բանկային փոխանցում"
    lines = gateway.start(store, order(154050, locale="hy")).instructions.splitlines()
    assert lines[0] == "Խնդրում ենք փոխանցել 1\xa0540,50\xa0BDT այս հաշվին՝"
    assert "Վճարման կոդ՝ HS-1042" in lines


def test_bank_details_are_per_store(app_ctx, shop, other_shop, configure, store_plugins):
    configure(other_shop, BANK, **{**BANK_FORM, "account_name": "Other Owner",
                                   "bank_name": "City Bank", "account_number": "9999888877",
                                   "reference_prefix": "OTHER"})
    configure(shop, BANK, **BANK_FORM)

    [gateway] = gateways(store_plugins, shop, checkout(1000), BANK)
    start = gateway.start(store_plugins(shop).info, order(1000))
    shown = gateway.description + start.instructions + start.reference
    for secret in ("Other Owner", "City Bank", "9999888877", "OTHER"):
        assert secret not in shown


# ------------------------------------------------------------------- mobile wallets

WALLETS = ("bKash | 01712-345678 | Personal account: use Send Money\n"
           "Nagad | 01812345678\n"
           "\n"
           "Rocket (DBBL) | 01912345678")


def test_wallet_lines_become_one_gateway_each(app_ctx, shop, configure, store_plugins):
    configure(shop, WALLET, wallets=WALLETS)
    found = gateways(store_plugins, shop, checkout(1000), WALLET)
    assert [g.id for g in found] == ["wallet-bkash", "wallet-nagad", "wallet-rocket-dbbl"]
    assert [(g.label, g.brand, g.method) for g in found] == [
        ("bKash", "bKash", "mobile_wallet"), ("Nagad", "Nagad", "mobile_wallet"),
        ("Rocket (DBBL)", "Rocket (DBBL)", "mobile_wallet")]
    bkash = found[0]
    assert bkash.description == (
        "Send the order total to our bKash number 01712-345678, then enter your bKash "
        "number and the transaction ID below.\nPersonal account: use Send Money")
    assert [(f.name, f.label, f.required) for f in bkash.fields] == [
        ("sender", "Your bKash number", True), ("transaction_id", "Transaction ID", True)]
    assert bkash.reference_field == "transaction_id"
    assert bkash.refunds is False


def test_wallet_settings_give_line_numbered_errors():
    bad = ("bKash | 01712345678\n"
           "Nagad\n"
           "\n"
           "bkash | 01812345678\n"
           "বিকাশ | 01912345678\n"
           "Upay | call me")
    result = _settings(WALLET, wallets=bad)
    assert list(result.errors) == ["wallets"]
    assert result.errors["wallets"] == (
        "Line 2: write “Name | number” or “Name | number | note”, e.g. “bKash | "
        "01712345678 | Personal account”. "
        "Line 4: “bkash” is already listed on line 1. "
        "Line 5: the name needs a Latin letter or digit, e.g. bKash. "
        "Line 6: “call me” is not a wallet number; use 5 to 15 digits, e.g. 01712345678.")
    assert _settings(WALLET, wallets="").errors == {"wallets": "Wallets is required."}
    assert _settings(WALLET, wallets=WALLETS).ok


@pytest.mark.parametrize(("template", "problem"), [
    ("Pay {total} now", "Unknown placeholder {total}. Use only {wallet}, {number}, {amount}."),
    ("{wallet.__class__}", "Unknown placeholder {wallet.__class__}."),
    ("{amount:>999999999}", "Unknown placeholder {amount}."),
    ("Send {amount", "Braces must surround a placeholder"),
])
def test_wallet_instructions_template_is_checked(template, problem):
    result = _settings(WALLET, wallets=WALLETS, instructions=template)
    assert result.errors["instructions"].startswith(problem)


def test_wallet_instructions_template_is_filled_in(app_ctx, shop, configure, store_plugins):
    configure(shop, WALLET, wallets="Idram | 091234567",
              instructions="{wallet}: send {amount} to {number} {{ref}}")
    [idram] = gateways(store_plugins, shop, checkout(1000), WALLET)
    assert idram.description == "Idram: send the order total to 091234567 {ref}"


def test_wallet_fields_check_and_normalise_what_the_shopper_types(
        app_ctx, shop, configure, store_plugins):
    configure(shop, WALLET, wallets=WALLETS)
    sender, txn = gateways(store_plugins, shop, checkout(1000), WALLET)[0].fields

    assert sender.parse(" ০১৭১২-৩৪৫৬৭৮ ") == "01712345678"
    assert sender.parse("+880 1712 345678") == "+8801712345678"
    assert txn.parse(" 8n7a6d5e4f ") == "8N7A6D5E4F"
    cases = [
        (sender, "", "Enter the bKash number you sent the money from."),
        (sender, "12345", "Enter the bKash number you sent the money from: 6 to 15 digits."),
        (sender, "my number", "Enter the bKash number you sent the money from: 6 to 15 digits."),
        (txn, "  ", "Enter the transaction ID from your bKash message."),
        (txn, "8N7A", "A transaction ID has 6 to 20 letters and digits; copy it from your "
                      "bKash message."),
        (txn, "8N7A-6D5E-4F", "A transaction ID has 6 to 20 letters and digits; copy it "
                              "from your bKash message."),
    ]
    for field, typed, message in cases:
        with pytest.raises(FieldError) as refused:
            field.parse(typed)
        assert str(refused.value) == message, typed


def test_wallet_speaks_bengali_and_armenian(app_ctx, shop, configure, store_plugins):
    configure(shop, WALLET, wallets=WALLETS)
    store = store_plugins(shop).info

    bkash = gateways(store_plugins, shop, checkout(1000, locale="bn"), WALLET)[0]
    assert bkash.description.startswith(
        "আমাদের bKash নম্বর 01712-345678-এ অর্ডারের মোট টাকা সেন্ড মানি করুন")
    assert [f.label for f in bkash.fields] == ["আপনার bKash নম্বর", "ট্রানজেকশন আইডি"]
    with pytest.raises(FieldError, match="আপনার bKash মেসেজ থেকে ট্রানজেকশন আইডি লিখুন।"):
        bkash.fields[1].parse("")
    placed = order(1000, locale="bn", fields={"transaction_id": "8N7A6D5E4F"})
    assert bkash.start(store, placed).instructions == \
        "আপনার bKash পেমেন্ট 8N7A6D5E4F আমরা শিগগিরই নিশ্চিত করব।"

    nagad = gateways(store_plugins, shop, checkout(1000, locale="hy"), WALLET)[1]
    assert [f.label for f in nagad.fields] == ["Ձեր Nagad համարը", "Գործարքի համար"]
    with pytest.raises(FieldError, match="6-ից 15 թվանշան"):
        nagad.fields[0].parse("123")
    placed = order(1000, locale="hy", fields={"transaction_id": "TX123456"})
    assert nagad.start(store, placed).instructions == \
        "Ձեր Nagad վճարումը (TX123456) շուտով կհաստատենք։"


def test_wallet_start_refund_return_and_webhook(app_ctx, shop, configure, store_plugins):
    configure(shop, WALLET, wallets=WALLETS)
    store = store_plugins(shop).info
    nagad = gateways(store_plugins, shop, None, WALLET)[1]
    placed = order(1000, fields={"sender": "01812345678", "transaction_id": "71AB2CD3EF"},
                   method="wallet-nagad")

    start = nagad.start(store, placed)
    assert (start.redirect_url, start.reference) == (None, "71AB2CD3EF")
    assert start.instructions == "We will confirm your Nagad payment 71AB2CD3EF shortly."
    assert nagad.refund(store, placed, Money(1000, "BDT")).ok is True
    assert nagad.handle_return(store, placed, {}).state == "pending"
    assert nagad.handle_webhook(store, b"", {}).status == 404


def test_wallet_transaction_id_used_before_in_the_store_is_refused(
        app_ctx, shop, other_shop, configure, store_plugins):
    for tenant in (shop, other_shop):
        configure(tenant, WALLET, wallets=WALLETS)
    with tenant_scope(shop.id):
        db.session.add(Order(number=1001, token="t-1001", idempotency_key="k-1001",
                             currency="BDT", subtotal=1000, total=1000,
                             payment_method="wallet-bkash", payment_reference="8N7A6D5E4F"))
        db.session.commit()

    typed = {"sender": "01712345678", "transaction_id": "8n7a6d5e4f"}
    again = checkout(1000, method="wallet-bkash", fields=typed)
    assert problems(store_plugins, shop, again, WALLET) == [CheckoutProblem(
        "This transaction ID has already been used for another order. Please check it, or "
        "contact us.", field="payment_fields.transaction_id")]
    bn = checkout(1000, method="wallet-bkash", fields=typed, locale="bn")
    assert problems(store_plugins, shop, bn, WALLET)[0].message.startswith(
        "এই ট্রানজেকশন আইডি আগেই")
    # A new id, another wallet's ids and another store's orders are no reason to refuse.
    fresh = {"sender": "01712345678", "transaction_id": "9Z9Z9Z9Z9Z"}
    assert problems(store_plugins, shop, checkout(1000, method="wallet-bkash", fields=fresh),
                    WALLET) == []
    assert problems(store_plugins, shop, checkout(1000, method="wallet-nagad", fields=typed),
                    WALLET) == []
    assert problems(store_plugins, other_shop, again, WALLET) == []


def test_wallet_numbers_are_per_store(app_ctx, shop, other_shop, configure, store_plugins):
    configure(other_shop, WALLET, wallets="Upay | 01555000111 | Other shop's note\n"
                                          "bKash | 01999000222",
              instructions="Other shop says {number}")
    configure(shop, WALLET, wallets=WALLETS)

    found = gateways(store_plugins, shop, checkout(1000), WALLET)
    assert [g.id for g in found] == ["wallet-bkash", "wallet-nagad", "wallet-rocket-dbbl"]
    shown = " ".join(g.description for g in found)
    for secret in ("01555000111", "01999000222", "Other shop", "Upay"):
        assert secret not in shown
    # The other store's wallets answer only the other store's checkout.
    upay = checkout(1000, method="wallet-upay", fields={"transaction_id": "AAAAAA"})
    assert problems(store_plugins, shop, upay, WALLET) == []
    assert [g.description for g in gateways(store_plugins, other_shop, None, WALLET)] == [
        "Other shop says 01555000111\nOther shop's note", "Other shop says 01999000222"]


def test_manual_payment_manifests_are_valid_payment_plugins():
    for name, manifest in MANIFESTS.items():
        assert manifest.name == name
        assert manifest.kind == "payment"
        assert manifest.problems() == []
        assert all(f.help for f in manifest.settings), name


# ------------------------------------------------------- the merchant's language

PACKAGES = {COD: "plugins.cash_on_delivery", BANK: "plugins.bank_transfer",
            WALLET: "plugins.mobile_wallet"}


@pytest.mark.parametrize("plugin", [COD, BANK, WALLET])
def test_every_word_for_the_merchant_is_translated(plugin):
    assert_translated(PACKAGES[plugin])


def test_the_shared_refund_note_is_translated(app_ctx, make_store, configure, store_plugins):
    # manual_payments.py is a module of the package `plugins`, whose folder holds every
    # first-party plugin: check its own messages (plugins/translations/*/manual_payments.po).
    assert [problem for problem in untranslated("plugins")
            if problem.where.startswith(("manual_payments.py", "translations/"))] == []
    dhaka = make_store("dhaka-refunds", currency="BDT", locale="bn")
    configure(dhaka, COD)
    store = store_plugins(dhaka).info
    [gateway] = gateways(store_plugins, dhaka, None, COD)
    with tenant_scope(dhaka.id):  # as a job would: the store's language
        note = gateway.refund(store, order(154000), Money(50000, "BDT")).message
    assert note == "নিজে হাতে ফেরত দেওয়া টাকা হিসেবে লেখা হয়েছে।"


#: Per admin language: the plugin's title, one of its fields and that field's label.
ADMIN_WORDS = {
    "bn": {COD: ("ক্যাশ অন ডেলিভারি", "fee_kind", "ক্যাশ অন ডেলিভারি চার্জ"),
           BANK: ("ব্যাংক ট্রান্সফার", "account_number", "অ্যাকাউন্ট নম্বর"),
           WALLET: ("মোবাইল ওয়ালেট (ম্যানুয়াল)", "instructions", "চেকআউটে নির্দেশনা")},
    "hy": {COD: ("Վճարում առաքման պահին", "fee_kind",
                 "Առաքման պահին վճարման միջնորդավճար"),
           BANK: ("Բանկային փոխանցում", "account_number", "Հաշվեհամար"),
           WALLET: ("Բջջային դրամապանակներ (ձեռքով)", "instructions",
                    "Հրահանգներ պատվերի ձևակերպման ժամանակ")},
}
#: A form each plugin refuses, the field it marks and the message, per language.
REFUSED = {
    COD: ({"fee_kind": "none", "zones": "inside-dhaka, Outside Dhaka!"}, "zones", {
        "bn": "শুধু দেওয়া অপশনগুলো থেকেই বেছে নিন।",
        "hy": "Ընտրեք միայն առաջարկվածներից։",
        "en": "Choose only from the options."}),
    BANK: ({**BANK_FORM, "swift": "BRAC"}, "swift", {
        "bn": "SWIFT/BIC কোডে 8 বা 11টি ইংরেজি অক্ষর ও সংখ্যা থাকে, যেমন BBHOBDDH।",
        "hy": "SWIFT/BIC կոդը բաղկացած է 8 կամ 11 տառից և թվանշանից, օրինակ՝ BBHOBDDH։",
        "en": "A SWIFT/BIC code has 8 or 11 letters and digits, e.g. BBHOBDDH."}),
    WALLET: ({"wallets": "bKash | 01712345678\nbkash | 01812345678"}, "wallets", {
        "bn": "লাইন 2: “bkash” আগেই 1 নম্বর লাইনে আছে।",
        "hy": "Տող 2: «bkash» դրամապանակն արդեն նշված է 1-րդ տողում։",
        "en": "Line 2: “bkash” is already listed on line 1."}),
}


def _setting_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="setting-{field}-error">([^<]*)</p>', page)
    return found.group(1).replace("&#34;", '"').replace("&#39;", "'") if found else ""


@pytest.mark.parametrize(("locale", "currency"), [("bn", "BDT"), ("hy", "AMD")])
def test_settings_pages_are_in_the_owners_language(make_store, enable_plugin, store_client,
                                                   locale, currency):
    tenant = make_store(f"{locale}-manual-payments", locale=locale, currency=currency)
    owner = sign_in(store_client, tenant)
    for plugin, (title, field, label) in ADMIN_WORDS[locale].items():
        enable_plugin(tenant, plugin)
        page = html(owner.get(f"/admin/plugins/{plugin}"))
        assert f"<h1>{title}</h1>" in page, plugin
        assert f'<label for="setting-{field}">{label}' in page, plugin
        assert f"<h1>{MANIFESTS[plugin].title.message}</h1>" not in page  # no English

        form, refused_field, messages = REFUSED[plugin]
        refused = owner.post(f"/admin/plugins/{plugin}", data=form)
        assert refused.status_code == 422, plugin
        assert _setting_error(html(refused), refused_field).startswith(messages[locale])


def test_settings_pages_stay_english_for_an_english_store(make_store, enable_plugin,
                                                          store_client):
    tenant = make_store("en-manual-payments", locale="en", currency="BDT")
    owner = sign_in(store_client, tenant)
    for plugin, manifest in MANIFESTS.items():
        enable_plugin(tenant, plugin)
        page = html(owner.get(f"/admin/plugins/{plugin}"))
        assert f"<h1>{manifest.title.message}</h1>" in page
        form, refused_field, messages = REFUSED[plugin]
        refused = html(owner.post(f"/admin/plugins/{plugin}", data=form))
        assert _setting_error(refused, refused_field).startswith(messages["en"])


# ------------------------------------------------------- a fee for each zone


def test_cod_fee_for_each_zone_charges_the_zone_of_the_chosen_rate(app_ctx, shop, configure,
                                                                    store_plugins):
    configure(shop, COD, fee_kind="by_zone", **{"zone_fees-outside-dhaka": "২০",
                                                "zone_fees-inside-dhaka": ""})
    outside = checkout(50000, rate=OUTSIDE, method="cod")
    assert adjustments(store_plugins, shop, outside, COD) == [_fee(2000)]
    [gateway] = gateways(store_plugins, shop, outside, COD)
    assert "20.00" in gateway.description
    # Inside Dhaka was left empty: no fee there, and none before a rate is chosen.
    assert adjustments(store_plugins, shop, checkout(50000, rate=INSIDE, method="cod"),
                       COD) == []
    assert adjustments(store_plugins, shop, checkout(50000, method="cod"), COD) == []


@pytest.mark.parametrize(("form", "message"), [
    ({"fee_kind": "by_zone"}, "Enter the fee for at least one zone, or choose “No fee”."),
    ({"fee_kind": "by_zone", "zone_fees-outside-dhaka": "twenty"},
     "“twenty” is not an amount"),
])
def test_cod_fee_for_each_zone_refuses_bad_amounts_next_to_the_field(form, message):
    result = _settings(COD, **form)
    assert list(result.errors) == ["zone_fees"]
    assert result.errors["zone_fees"].startswith(message)


def test_cod_fee_for_each_zone_lists_the_stores_zones_by_name(make_store, enable_plugin,
                                                             store_client):
    tenant = make_store("zone-fee-shop", locale="en", currency="BDT", country="BD")
    enable_plugin(tenant, "shipping", settings={"zones": (
        "Inside Dhaka: BD / * / Dhaka city\n  Bike: 70\nOutside Dhaka: BD\n  Courier: 130\n")})
    enable_plugin(tenant, COD, settings={"fee_kind": "by_zone",
                                         "zone_fees": {"outside-dhaka": 2000}})
    page = html(sign_in(store_client, tenant).get(f"/admin/plugins/{COD}"))
    assert re.search(r'<label for="setting-zone_fees">Inside Dhaka</label>.*?'
                     r'name="zone_fees-inside-dhaka" value=""', page, re.S)
    assert re.search(r'<label for="setting-zone_fees-1">Outside Dhaka</label>.*?'
                     r'name="zone_fees-outside-dhaka" value="20.00"', page, re.S)
