"""The plugin-author fixtures of ``core.testing`` (products, coupons, admin clients and the
checkout helper), used here exactly as a plugin package's tests use them: no conftest,
an in-test plugin registered with ``haat_register_plugin``."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from core.sdk import (
    CheckoutProblem,
    Money,
    PluginManifest,
    ShippingRate,
    TextField,
    hookimpl,
)
from core.testing import CheckoutRefusedError
from kit_providers import CashOnDelivery, UntrackedCourier

PLUGIN = "kit-shop"


class WeightCourier(UntrackedCourier):
    """Charges 10.00 plus 0.01 per gram (so the order's shipping shows the weight)."""

    id = "kit-courier"
    label = "Kit courier"

    def quote(self, store, cart, address):
        amount = Money(1000 + cart.weight_grams, store.currency)
        return [ShippingRate(id="standard", label="Standard", amount=amount, carrier=self.id),
                ShippingRate(id="express", label="Express", amount=amount + amount,
                             carrier=self.id)]


class Cash(CashOnDelivery):
    id = "kit-cash"


class Wallet(Cash):
    id = "kit-wallet"
    label = "bKash"
    method = "mobile_wallet"
    fields = (TextField("sender", "Your bKash number", required=True),
              TextField("transaction_id", "Transaction ID", required=True))
    reference_field = "transaction_id"


class KitShop:
    """A courier, two ways to pay, a phone-number rule, and a record of saved products."""

    manifest = PluginManifest(name=PLUGIN, title="Kit shop")

    def __init__(self):
        self.saved = []

    @hookimpl
    def haat_shipping_carriers(self, store):
        return [WeightCourier()]

    @hookimpl
    def haat_payment_gateways(self, store, checkout):
        return [Cash(), Wallet()]

    @hookimpl
    def haat_checkout_validate(self, store, checkout):
        if checkout.payment_method == "kit-cash" and not checkout.phone:
            return [CheckoutProblem("The courier needs your phone number.", "phone")]
        return []

    @hookimpl
    def haat_product_saved(self, store, product, created):
        self.saved.append(product)


@pytest.fixture
def kit(haat_register_plugin):
    plugin = KitShop()
    haat_register_plugin(plugin)
    return plugin


@pytest.fixture
def shop(haat_store, haat_enable_plugin, kit):
    store = haat_store("kit-shop", currency="BDT")
    haat_enable_plugin(store, PLUGIN)
    return store


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# ------------------------------------------------------------------- haat_product


def test_product_with_weight_variants_and_images(shop, kit, haat_product, haat_client):
    tee = haat_product(shop, "tee", title="Cotton tee", weight_grams=200,
                       option_names=("Size",), images=2, variants=[
                           {"options": "M", "price": 50000, "stock": 3, "sku": "TEE-M"},
                           {"options": "XL", "price": 55000, "stock": 2, "sku": "TEE-XL",
                            "weight_grams": 260}])

    snapshot = kit.saved[-1]  # what haat_product_saved gave the plugin
    assert snapshot.id == tee
    assert snapshot.variant_titles == ("M", "XL")
    assert snapshot.variant_skus == ("TEE-M", "TEE-XL")
    assert snapshot.price == Money(50000, "BDT")  # the cheapest variant
    assert snapshot.stock == 5  # the variants' total
    assert len(snapshot.image_urls) == 2
    client = haat_client(shop)
    for url in snapshot.image_urls:
        photo = client.get(urlsplit(url).path)
        assert photo.status_code == 200
        assert photo.mimetype == "image/jpeg"
        assert photo.data[:3] == b"\xff\xd8\xff"
    page = _html(client.get("/products/tee"))
    assert "Cotton tee" in page
    assert urlsplit(snapshot.image_urls[0]).path.removesuffix(".jpg") + "-320.webp" in page
    assert "XL" in page


def test_product_two_option_variants_default_names(shop, kit, haat_product, haat_client):
    haat_product(shop, "kantha", variants=[{"options": ("Single", "Red")},
                                           {"options": ("Double", "Red"), "price": 2500}])
    snapshot = kit.saved[-1]
    assert snapshot.variant_titles == ("Single / Red", "Double / Red")
    assert snapshot.price == Money(1000, "BDT")
    assert snapshot.stock == 20
    assert "Colour" in _html(haat_client(shop).get("/products/kantha"))


@pytest.mark.parametrize(("details", "field"), [
    ({"price": -1}, "price"),
    ({"weight_grams": -5}, "weight_grams"),
    ({"variants": [{"options": "M"}, {"options": "m"}]}, r"variants\[1\]\.option1"),
    ({"variants": [{"options": "M", "stock": -2}]}, r"variants\[0\]\.stock"),
    ({"variants": [{"options": "M", "sku": "A"}, {"options": "L", "sku": "A"}]},
     r"variants\[1\]\.sku"),
    ({"variants": [{"options": "M", "colour": "red"}]}, "unknown key"),
    ({"variants": [{"options": ("M", "Red")}], "option_names": ("Size",)}, "option name"),
])
def test_product_the_admin_would_refuse_is_refused(shop, haat_product, haat_client,
                                                   details, field):
    with pytest.raises(AssertionError, match=field):
        haat_product(shop, "tee", **details)
    assert haat_client(shop).get("/products/tee").status_code == 404  # nothing saved


def test_product_keeps_plain_defaults_and_collection(shop, kit, haat_product, haat_client):
    cup = haat_product(shop, "tea-cup", price=25000, stock=3, collection="kitchen")
    snapshot = kit.saved[-1]
    assert (snapshot.id, snapshot.title, snapshot.price, snapshot.stock) == (
        cup, "Tea Cup", Money(25000, "BDT"), 3)
    assert snapshot.image_urls == ()
    assert "Tea Cup" in _html(haat_client(shop).get("/collections/kitchen"))


# ------------------------------------------------------------------ haat_checkout


def test_checkout_places_the_order_with_the_variant_and_its_weight(shop, haat_product,
                                                                   haat_checkout,
                                                                   haat_client):
    tee = haat_product(shop, "tee", weight_grams=200, variants=[
        {"options": "M", "price": 50000, "stock": 3},
        {"options": "XL", "price": 55000, "stock": 2, "weight_grams": 260}])

    placed = haat_checkout(shop, [(tee, 2, "XL")], payment_method="kit-cash")

    order = placed.order
    assert order.lines[0].title == "Tee (XL)"
    assert order.lines[0].weight_grams == 260
    assert order.subtotal == Money(110000, "BDT")
    assert order.shipping_total == Money(1000 + 520, "BDT")  # weight-priced, 2 x 260 g
    assert order.total == Money(111520, "BDT")
    assert order.shipping_rate_id == "kit-courier:standard"  # the first option offered
    assert order.address.city == "Dhaka" and order.phone == "01712345678"
    assert (placed.id, placed.number, placed.token) == (order.id, order.number, order.token)
    assert placed.response.status_code == 303
    assert placed.response.headers["Location"].endswith(placed.url)
    page = _html(placed.client.get(placed.url))
    assert f"#{order.number}" in page
    assert "Pay the courier." in page  # the gateway was started
    # The stock went down like any sale: no XL is left to add to a cart.
    with pytest.raises(AssertionError, match=r"adding product \d+ \(variant \d+\) x1 to the cart"):
        haat_checkout(shop, [(tee, 1, "XL")], payment_method="kit-cash")


def test_checkout_options_address_and_payment_fields(shop, haat_product, haat_checkout):
    cup = haat_product(shop, "cup", price=30000, weight_grams=100)

    placed = haat_checkout(shop, [cup], shipping_rate="kit-courier:express",
                           payment_method="kit-wallet", email="", phone="01811111111",
                           address={"city": "Chattogram", "region": "Chattogram",
                                    "line1": "Road 2, Agrabad"},
                           payment_fields={"sender": "01811111111",
                                           "transaction_id": "TX1234567"})

    order = placed.order
    assert order.shipping_total == Money(2 * 1100, "BDT")
    assert order.payment_method == "kit-wallet"
    assert order.payment_reference == "TX1234567"
    assert dict(order.payment_fields) == {"sender": "01811111111",
                                          "transaction_id": "TX1234567"}
    assert (order.address.city, order.address.line1, order.email) == (
        "Chattogram", "Road 2, Agrabad", "")


def test_checkout_refusal_lists_field_errors_and_options(shop, haat_product, haat_checkout):
    cup = haat_product(shop, "cup")

    with pytest.raises(CheckoutRefusedError) as refused:
        haat_checkout(shop, [cup], payment_method="kit-wallet")
    assert set(refused.value.errors) == {"payment_fields.sender",
                                         "payment_fields.transaction_id"}
    message = str(refused.value)
    assert "payment_fields.transaction_id: " in message
    assert "kit-courier:standard, kit-courier:express" in message
    assert "kit-cash, kit-wallet" in message
    assert refused.value.response.status_code == 422

    with pytest.raises(CheckoutRefusedError) as refused:  # two ways to pay, none chosen
        haat_checkout(shop, [cup])
    assert "payment_method" in refused.value.errors

    with pytest.raises(CheckoutRefusedError) as refused:  # the plugin's own rule
        haat_checkout(shop, [cup], payment_method="kit-cash", phone="")
    assert refused.value.errors == {"phone": "The courier needs your phone number."}

    with pytest.raises(AssertionError, match="unknown field"):
        haat_checkout(shop, [cup], address={"street": "Road 1"})


def test_checkout_address_follows_the_store_currency(haat_store, haat_enable_plugin, kit,
                                                     haat_product, haat_checkout):
    store = haat_store("yerevan-shop", locale="hy", currency="AMD")
    haat_enable_plugin(store, PLUGIN)
    jug = haat_product(store, "jug", price=500000)
    order = haat_checkout(store, [(jug, 2)], payment_method="kit-cash").order
    assert (order.address.country, order.address.city) == ("AM", "Yerevan")
    assert order.total.currency == "AMD"
    assert order.lines[0].quantity == 2


def test_checkout_cannot_buy_another_stores_product(shop, haat_store, haat_enable_plugin,
                                                    haat_product, haat_checkout):
    other = haat_store("other-shop", currency="BDT")
    haat_enable_plugin(other, PLUGIN)
    theirs = haat_product(other, "cup")
    with pytest.raises(AssertionError, match=f"adding product {theirs}"):
        haat_checkout(shop, [theirs], payment_method="kit-cash")


# -------------------------------------------------------------------- haat_coupon


@pytest.mark.parametrize(("coupon", "discount", "shipping"), [
    ({"percent": 12.5}, -6250, 1000),
    ({"amount": 2000}, -2000, 1000),
    ({"free_delivery": True}, 0, 0),
])
def test_coupon_kinds(shop, haat_product, haat_coupon, haat_checkout, coupon, discount,
                      shipping):
    bag = haat_product(shop, "bag", price=50000)
    haat_coupon(shop, "EID-25", **coupon)
    order = haat_checkout(shop, [bag], payment_method="kit-cash", coupon="eid-25").order
    assert order.coupon_code == "EID-25"
    assert order.discount_total == Money(discount, "BDT")
    assert order.shipping_total == Money(shipping, "BDT")
    assert order.total == Money(50000 + discount + shipping, "BDT")


def test_coupon_limits(shop, haat_product, haat_coupon, haat_checkout):
    bag = haat_product(shop, "bag", price=50000, stock=50)
    haat_coupon(shop, "ONCE", percent=10, usage_limit=1)
    haat_coupon(shop, "BIG", amount=1000, min_subtotal=100000)
    haat_coupon(shop, "MINE", percent=5, per_customer_limit=1)
    haat_coupon(shop, "OVER", percent=5, ends=date.today() - timedelta(days=1))
    haat_coupon(shop, "SOON", percent=5, starts=date.today() + timedelta(days=2))
    haat_coupon(shop, "OFF", percent=5, active=False)

    haat_checkout(shop, [bag], payment_method="kit-cash", coupon="ONCE")
    for code in ("ONCE", "BIG", "OVER", "SOON", "OFF", "NOPE"):
        with pytest.raises(CheckoutRefusedError) as refused:
            haat_checkout(shop, [bag], payment_method="kit-cash", coupon=code)
        assert set(refused.value.errors) == {"coupon"}, code
    assert haat_checkout(shop, [(bag, 2)], payment_method="kit-cash",
                         coupon="BIG").order.discount_total == Money(-1000, "BDT")
    haat_checkout(shop, [bag], payment_method="kit-cash", coupon="MINE")
    with pytest.raises(CheckoutRefusedError, match="coupon: "):
        haat_checkout(shop, [bag], payment_method="kit-cash", coupon="MINE")
    haat_checkout(shop, [bag], payment_method="kit-cash", coupon="MINE",
                  email="someone-else@example.com", phone="01899999999")


@pytest.mark.parametrize(("arguments", "message"), [
    ({}, "exactly one of"),
    ({"percent": 10, "amount": 100}, "exactly one of"),
    ({"percent": 0}, "percent"),
    ({"percent": "12.345"}, "percent"),
    ({"percent": 101}, "percent"),
    ({"amount": 0}, "amount"),
    ({"amount": 10, "usage_limit": 0}, "usage_limit"),
    ({"amount": 10, "starts": date(2030, 1, 2), "ends": date(2030, 1, 1)}, "ends"),
])
def test_coupon_the_admin_would_refuse_is_refused(shop, haat_coupon, arguments, message):
    with pytest.raises(AssertionError, match=message):
        haat_coupon(shop, "GOOD", **arguments)


def test_coupon_codes_are_checked_and_unique_per_store(shop, haat_store, haat_coupon):
    with pytest.raises(AssertionError, match="code"):
        haat_coupon(shop, "a!", percent=5)
    haat_coupon(shop, "EID", percent=5)
    with pytest.raises(AssertionError, match="already has a coupon EID"):
        haat_coupon(shop, "eid", amount=100)
    haat_coupon(haat_store("other-shop"), "EID", percent=5)  # another store may


def test_coupon_of_another_store_does_not_apply(shop, haat_store, haat_enable_plugin,
                                                haat_product, haat_coupon, haat_checkout):
    other = haat_store("other-shop", currency="BDT")
    haat_coupon(other, "THEIRS", percent=50)
    bag = haat_product(shop, "bag")
    with pytest.raises(CheckoutRefusedError, match=r"coupon: .*THEIRS"):
        haat_checkout(shop, [bag], payment_method="kit-cash", coupon="THEIRS")


# -------------------------------------------------------------- haat_admin_client


def test_admin_client_as_owner_and_as_staff(shop, haat_product, haat_checkout,
                                            haat_admin_client):
    cup = haat_product(shop, "cup")
    placed = haat_checkout(shop, [cup], payment_method="kit-cash", note="Ring twice")

    owner = haat_admin_client(shop)
    assert PLUGIN in _html(owner.get("/admin/plugins"))
    staff = haat_admin_client(shop, role="staff")
    assert staff.get("/admin/plugins").status_code == 403  # plugins are the owner's
    order_page = _html(staff.get(f"/admin/orders/{placed.id}"))
    assert f"#{placed.number}" in order_page
    assert "Ring twice" in order_page
    assert "staff@kit-shop.example" in _html(owner.get("/admin/staff"))
    # Asking again reuses the staff member.
    assert haat_admin_client(shop, role="staff").get("/admin/orders").status_code == 200


def test_admin_client_is_bound_to_its_store(shop, haat_store, haat_product, haat_checkout,
                                            haat_admin_client):
    other = haat_store("other-shop")
    placed = haat_checkout(shop, [haat_product(shop, "cup")], payment_method="kit-cash")
    theirs = haat_admin_client(other)
    assert theirs.get(f"/admin/orders/{placed.id}").status_code == 404


def test_admin_client_refusals(haat_store, haat_admin_client):
    store = haat_store("own-pass", password="another-long-password")
    with pytest.raises(AssertionError, match=r"/admin/login refused owner@own-pass\.example"):
        haat_admin_client(store)
    assert haat_admin_client(store, password="another-long-password").get(
        "/admin/").status_code == 200
    with pytest.raises(AssertionError, match="role must be one of"):
        haat_admin_client(store, role="admin")


# ------------------------------------------- haat_store_info, haat_disable_plugin


def test_store_info_is_what_hooks_get(shop, haat_store, haat_enable_plugin, haat_store_info):
    from core.sdk import StoreInfo

    other = haat_store("other-kit", currency="USD", locale="bn", bengali_digits=True)
    info = haat_store_info(shop)
    assert isinstance(info, StoreInfo)
    assert (info.id, info.slug, info.currency, info.country) == (shop.id, "kit-shop",
                                                                 "BDT", "BD")
    assert PLUGIN in info.enabled_plugins
    assert info.url("/wishlist") == "http://kit-shop.localhost/wishlist"
    elsewhere = haat_store_info(other)
    assert (elsewhere.locale, elsewhere.bengali_digits, elsewhere.enabled_plugins) == (
        "bn", True, frozenset())
    assert elsewhere.plugin_settings(PLUGIN) == {}  # not on there: nothing to read


def test_disable_plugin_switches_it_off_for_one_store_only(shop, haat_store, haat_enable_plugin,
                                                           haat_disable_plugin,
                                                           haat_store_info):
    other = haat_store("other-kit", currency="BDT")
    haat_enable_plugin(other, PLUGIN)
    haat_disable_plugin(shop, PLUGIN)
    assert PLUGIN not in haat_store_info(shop).enabled_plugins
    assert PLUGIN in haat_store_info(other).enabled_plugins
    with pytest.raises(AssertionError, match="not installed"):
        haat_disable_plugin(shop, "no-such-plugin")


# ------------------------------------------------------------- assert_translated


def test_assert_translated_names_each_missing_message(tmp_path, monkeypatch):
    from core.testing import assert_translated

    package = tmp_path / "kit_words"
    (package / "translations" / "bn" / "LC_MESSAGES").mkdir(parents=True)
    (package / "translations" / "hy" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from core.sdk import PluginText\n_ = PluginText(__package__)\n"
        "TITLE = _.lazy('Saved items')\nNOTE = _('Saved for %(days)s days', days=3)\n")
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
          'msgid "Saved items"\nmsgstr "{saved}"\n\n'
          'msgid "Saved for %(days)s days"\nmsgstr "{days}"\n')
    (package / "translations" / "bn" / "LC_MESSAGES" / "messages.po").write_text(
        po.format(saved="সংরক্ষিত পণ্য", days="%(days)s দিন সংরক্ষিত"), encoding="utf-8")
    (package / "translations" / "hy" / "LC_MESSAGES" / "messages.po").write_text(
        po.format(saved="Պահված ապրանքներ", days=""), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(AssertionError) as refused:
        assert_translated("kit_words")
    assert "Saved for %(days)s days" in str(refused.value) and "hy" in str(refused.value)
    assert "Saved items" not in str(refused.value)
    assert_translated("kit_words", languages=("bn",))  # Bengali is complete
