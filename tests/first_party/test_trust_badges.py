"""The trust-badges plugin, through HTTP on store hosts: every badge states a true fact.

Payment plugins are faked in the test (``make_plugin(..., kind="payment")``) and switched
on and off per store; the badges must follow them, on cached catalogue pages too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from conftest import PASSWORD, make_plugin
from core.db import db
from core.pages.models import Page
from core.pluginhost.badge_icons import ICONS, icon_svg
from core.pluginhost.settings import validate_settings
from core.sdk import BADGE_PLACEMENTS, Money
from core.testing import assert_translated
from plugins.trust_badges import plugin as badges_plugin
from plugins.trust_badges.facts import page_handle
from plugins.trust_badges.texts import TEXTS
from tenants import Tenant, platform_scope, tenant_scope

PLUGIN = "trust-badges"
EVERY_BADGE = [value for value, _ in badges_plugin.BADGES]


@dataclass(frozen=True)
class Gateway:
    """Enough of a ``core.sdk.PaymentGateway`` for listing the ways to pay."""

    id: str
    label: str
    method: str | None = None
    brand: str | None = None


def payment_plugin(name: str, *gateways: Gateway) -> object:
    return make_plugin(name, kind="payment",
                       haat_payment_gateways=lambda store, checkout: list(gateways))


CARD = Gateway("card", "Cards (SSLCommerz)", "card", "SSLCommerz")
BKASH = Gateway("bkash", "bKash", "mobile_wallet", "bKash")
NAGAD = Gateway("nagad", "Nagad", "mobile_wallet", "Nagad")
COD = Gateway("cod", "Cash on delivery", "cash_on_delivery")


@pytest.fixture
def payments(install_plugin):
    """Installs the fake payment plugins (off for every store until enabled)."""
    install_plugin(payment_plugin("test-cards", CARD))
    install_plugin(payment_plugin("test-wallets", BKASH, NAGAD))
    install_plugin(payment_plugin("test-cod", COD))
    return ("test-cards", "test-wallets", "test-cod")


@pytest.fixture
def shop(make_store, add_product, enable_plugin):
    """A store with one product and the badges on, every badge chosen everywhere."""
    store = make_store("badge-shop")
    add_product(store, "tea-cup", title="Tea cup")
    enable_plugin(store, PLUGIN, settings=_settings())
    return store


def _settings(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {badges_plugin.placement_field(p): list(EVERY_BADGE)
                                 for p in BADGE_PLACEMENTS}
    values.update(returns_days=0, returns_page="returns", map_link=True,
                  returns_wording="returns")
    values.update(overrides)
    return values


def _get(client, path: str = "/products/tea-cup", **kwargs: object) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _https(client, path: str = "/products/tea-cup") -> str:
    return _get(client, path, base_url=f"https://{client.host}")


def _badges(html: str, placement: str = "product") -> dict[str, lxml.html.HtmlElement]:
    """The rendered badges of ``placement``: key -> ``<li>``."""
    tree = lxml.html.fromstring(html)
    lists = tree.xpath(f'//ul[contains(@class, "trust-badges-{placement}")]')
    assert len(lists) <= 1
    if not lists:
        return {}
    found = {}
    for item in lists[0].xpath("./li"):
        key = next(c.removeprefix("badge-") for c in item.get("class").split()
                   if c.startswith("badge-"))
        found[key] = item
    return found


def _text(item: lxml.html.HtmlElement) -> str:
    return " ".join(item.text_content().split())


def _ways_to_pay(html: str, placement: str = "product") -> str | None:
    item = _badges(html, placement).get("payment_methods")
    return _text(item) if item is not None else None


# ------------------------------------------------------------------ payment facts


def test_cash_on_delivery_follows_the_cod_plugin_on_a_cached_page(shop, payments,
                                                                  enable_plugin,
                                                                  store_client):
    client = store_client(shop.slug)
    enable_plugin(shop, "test-cards")
    enable_plugin(shop, "test-wallets")

    page = _get(client)
    assert "cash_on_delivery" not in _badges(page)
    assert _ways_to_pay(page) == "Ways to pay: card, bKash, Nagad"

    enable_plugin(shop, "test-cod")
    page = _get(client)
    cod = _badges(page)["cash_on_delivery"]
    assert _text(cod) == "Cash on delivery Pay when your order arrives"
    assert _ways_to_pay(page) == "Ways to pay: card, bKash, Nagad, cash on delivery"

    enable_plugin(shop, "test-cod", enabled=False)
    page = _get(client)
    assert "cash_on_delivery" not in _badges(page)
    assert _ways_to_pay(page) == "Ways to pay: card, bKash, Nagad"

    enable_plugin(shop, "test-cards", enabled=False)
    enable_plugin(shop, "test-wallets", enabled=False)
    page = _get(client)
    assert "payment_methods" not in _badges(page)
    assert "cash_on_delivery" not in _badges(page)


def test_ways_to_pay_in_the_footer_and_the_cart(shop, payments, enable_plugin, store_client,
                                                add_product):
    enable_plugin(shop, "test-cod")
    client = store_client(shop.slug)
    home = _get(client, "/")
    assert _ways_to_pay(home, "footer") == "Ways to pay: cash on delivery"

    product = _get(client)
    token = re.search(r'name="csrf_token" value="([^"]*)"', product).group(1)
    product_id = re.search(r'name="product_id" value="(\d+)"', product).group(1)
    added = client.post("/cart/add", data={"csrf_token": token, "product_id": product_id,
                                           "quantity": "1"})
    assert added.status_code == 303
    cart = _get(client, "/cart")
    assert set(_badges(cart, "cart")) >= {"payment_methods", "cash_on_delivery"}


def test_gateways_without_a_known_method_are_named_by_brand_or_label(shop, install_plugin,
                                                                     enable_plugin,
                                                                     store_client):
    install_plugin(payment_plugin("test-other", Gateway("x", "Pay later", None, None),
                                  Gateway("y", "Crypto", "crypto", "CoinPay"),
                                  Gateway("z", "Bank (BRAC)", "bank_transfer", "BRAC Bank"),
                                  Gateway("w", "Wallet", "mobile_wallet", None)))
    enable_plugin(shop, "test-other")
    assert _ways_to_pay(_get(store_client(shop.slug))) == (
        "Ways to pay: mobile wallet, bank transfer, Pay later, CoinPay")


def test_a_failing_payment_plugin_does_not_break_the_page(app, shop, payments, install_plugin,
                                                          enable_plugin, store_client,
                                                          monkeypatch):
    def broken(store, checkout):
        raise RuntimeError("gateway down")

    install_plugin(make_plugin("test-broken-pay", kind="payment",
                               haat_payment_gateways=broken))
    enable_plugin(shop, "test-broken-pay")
    enable_plugin(shop, "test-wallets")
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)  # as in production

    page = _get(store_client(shop.slug))
    assert "Tea cup" in page
    assert _ways_to_pay(page) == "Ways to pay: bKash, Nagad"


def test_another_stores_payment_plugins_never_show(shop, payments, make_store, add_product,
                                                   enable_plugin, store_client):
    other = make_store("other-shop")
    add_product(other, "tea-cup")
    enable_plugin(other, PLUGIN, settings=_settings())
    enable_plugin(other, "test-cod")
    enable_plugin(other, "test-wallets")
    enable_plugin(shop, "test-cards")

    mine = _get(store_client(shop.slug))
    assert _ways_to_pay(mine) == "Ways to pay: card"
    assert "cash_on_delivery" not in _badges(mine)
    assert "bKash" not in mine and "Nagad" not in mine

    theirs = _get(store_client(other.slug))
    assert _ways_to_pay(theirs) == "Ways to pay: bKash, Nagad, cash on delivery"
    assert "cash_on_delivery" in _badges(theirs)


def test_no_badges_where_the_plugin_is_off(payments, make_store, add_product, enable_plugin,
                                           store_client):
    store = make_store("plain-shop")
    add_product(store, "tea-cup")
    enable_plugin(store, "test-cod")
    page = _get(store_client(store.slug))
    assert "trust-badges" not in page


# ------------------------------------------------------------------------ HTTPS


def test_secure_checkout_only_when_the_request_is_https(shop, store_client):
    client = store_client(shop.slug)
    assert "secure_checkout" not in _badges(_get(client))  # selected, but plain http

    secure = _badges(_https(client))
    assert _text(secure["secure_checkout"]) == "Secure checkout Encrypted connection (HTTPS)"
    # The cached http page does not leak into https, nor back.
    assert "secure_checkout" not in _badges(_get(client))
    assert "secure_checkout" in _badges(_https(client), "product")


def test_a_forwarded_proto_header_from_an_untrusted_client_is_not_https(shop, store_client):
    page = _get(store_client(shop.slug), headers={"X-Forwarded-Proto": "https"})
    assert "secure_checkout" not in _badges(page)


# ---------------------------------------------------------------------- returns


def _add_page(app, store: Tenant, handle: str, *, published: bool = True) -> None:
    with app.app_context(), tenant_scope(store.id):
        db.session.add(Page(handle=handle, title="Returns policy", body="Send it back.",
                            published=published))
        db.session.commit()


def test_returns_badge_links_to_the_returns_page_only_when_it_exists(app, shop,
                                                                     enable_plugin,
                                                                     store_client):
    client = store_client(shop.slug)
    enable_plugin(shop, PLUGIN, settings=_settings(returns_days=7))

    returns = _badges(_get(client))["returns"]
    assert _text(returns) == "7-day easy returns"
    assert returns.xpath(".//a") == []

    _add_page(app, shop, "returns")
    returns = _badges(_get(client))["returns"]
    [link] = returns.xpath(".//a")
    assert link.get("href") == "/pages/returns"
    assert link.text_content() == "7-day easy returns"
    assert _get(client, "/pages/returns")  # the link leads somewhere real


def test_returns_page_handle_and_wording_are_the_merchants(app, shop, enable_plugin,
                                                           store_client):
    _add_page(app, shop, "refunds")
    _add_page(app, shop, "draft-policy", published=False)
    client = store_client(shop.slug)

    enable_plugin(shop, PLUGIN, settings=_settings(returns_days=14, returns_page="/pages/refunds",
                                                   returns_wording="money_back"))
    returns = _badges(_get(client))["returns"]
    assert _text(returns) == "14-day money-back guarantee"
    assert returns.xpath(".//a/@href") == ["/pages/refunds"]

    enable_plugin(shop, PLUGIN, settings=_settings(returns_days=14,
                                                   returns_page="draft-policy"))
    assert _badges(_get(client))["returns"].xpath(".//a") == []  # unpublished: no link


def test_no_returns_badge_for_zero_days_even_when_selected(app, shop, store_client):
    _add_page(app, shop, "returns")
    assert "returns" not in _badges(_get(store_client(shop.slug)))


# ---------------------------------------------------------------------- contact


def test_contact_badges_show_the_stores_real_phone_address_and_map_link(
        make_store, add_product, enable_plugin, store_client):
    store = make_store("dhaka-tea", contact_phone="+880 1711-000000",
                       address="House 12, Road 5\nDhanmondi, Dhaka 1205")
    add_product(store, "tea-cup")
    enable_plugin(store, PLUGIN, settings=_settings())
    found = _badges(_get(store_client(store.slug)))

    phone = found["contact_phone"]
    assert _text(phone) == "Call us: +880 1711-000000"
    assert phone.xpath(".//a/@href") == ["tel:+8801711000000"]
    assert _text(found["contact_address"]) == (
        "Our address: House 12, Road 5, Dhanmondi, Dhaka 1205")
    [map_link] = found["contact_map"].xpath(".//a")
    url = urlsplit(map_link.get("href"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.openstreetmap.org", "/search")
    assert parse_qs(url.query) == {"query": ["House 12, Road 5, Dhanmondi, Dhaka 1205"]}
    assert map_link.text_content() == "See our address on a map"

    enable_plugin(store, PLUGIN, settings=_settings(map_link=False))
    found = _badges(_get(store_client(store.slug)))
    assert "contact_address" in found and "contact_map" not in found


def test_no_contact_badges_without_contact_details(shop, store_client):
    found = _badges(_get(store_client(shop.slug)))
    assert not {"contact_phone", "contact_address", "contact_map"} & set(found)


def test_a_changed_address_shows_at_once_on_a_cached_page(app, make_store, add_product,
                                                          enable_plugin, store_client):
    store = make_store("moving-shop", address="Old Street 1, Yerevan")
    add_product(store, "tea-cup")
    enable_plugin(store, PLUGIN, settings=_settings())
    client = store_client(store.slug)
    assert "Old Street" in _text(_badges(_get(client))["contact_address"])

    with app.app_context(), platform_scope():
        db.session.get(Tenant, store.id).address = "New Avenue 2, Yerevan"
        db.session.commit()
    assert _text(_badges(_get(client))["contact_address"]) == (
        "Our address: New Avenue 2, Yerevan")


# ---------------------------------------------------------- markup and escaping


def test_markup_is_an_accessible_list_with_hidden_icons_and_escaped_text(
        shop, payments, make_store, add_product, enable_plugin, store_client):
    store = make_store("evil-shop", name="<script>alert('name')</script>",
                       contact_phone="<b>017</b>",
                       address="<script>alert('addr')</script> Road")
    add_product(store, "tea-cup")
    enable_plugin(store, PLUGIN, settings=_settings(returns_days=7))
    enable_plugin(store, "test-cod")
    html = _https(store_client(store.slug))

    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#39;addr&#39;)&lt;/script&gt; Road" in html
    assert "&lt;b&gt;017&lt;/b&gt;" in html

    tree = lxml.html.fromstring(html)
    [badge_list] = tree.xpath('//ul[contains(@class, "trust-badges-product")]')
    assert badge_list.get("aria-label") == "Why shop with us"
    items = badge_list.xpath("./li")
    assert len(items) >= 5
    for item in items:
        assert _text(item)  # every badge says what it means in visible text
        for svg in item.xpath(".//svg"):
            assert svg.get("aria-hidden") == "true"
            assert svg.get("focusable") == "false"
            assert svg.get("stroke") == "currentColor"
    icons = {svg.get("class").split()[-1] for svg in badge_list.xpath(".//svg")}
    assert {"badge-icon-lock", "badge-icon-cash", "badge-icon-wallet", "badge-icon-return",
            "badge-icon-phone", "badge-icon-map-pin"} <= icons
    # The icon comes before the label, and nothing on the list loads from elsewhere.
    cod = _badges(html)["cash_on_delivery"]
    assert cod[0].tag == "svg"
    assert not badge_list.xpath(".//*[@src]")
    assert not badge_list.xpath('.//*[local-name()="use" or local-name()="image"]')


def test_icons_are_inline_decorative_and_self_contained():
    expected = {"lock", "card", "cash", "bank", "wallet", "truck", "return", "star", "phone",
                "map-pin", "shield"}
    assert set(ICONS) == expected
    for name in expected:
        svg = str(icon_svg(name))
        assert svg.startswith("<svg ") and svg.endswith("</svg>")
        assert 'aria-hidden="true"' in svg and 'focusable="false"' in svg
        assert "currentColor" in svg
        assert "href" not in svg and "url(" not in svg
    assert str(icon_svg("")) == ""
    assert str(icon_svg('"><script>')) == ""


# ------------------------------------------------------------------ languages


@pytest.mark.parametrize(("locale", "cod", "secure", "ways"), [
    ("bn", "ক্যাশ অন ডেলিভারি", "নিরাপদ চেকআউট", "পেমেন্টের উপায়: বিকাশ, ক্যাশ অন ডেলিভারি"),
    ("hy", "Վճարում առաքման պահին", "Անվտանգ վճարում",
     "Վճարման եղանակներ՝ բջջային դրամապանակ, վճարում առաքման պահին"),
])
def test_badges_speak_the_stores_language(locale, cod, secure, ways, install_plugin,
                                          make_store, add_product, enable_plugin,
                                          store_client):
    wallet = Gateway("bkash", "bKash", "mobile_wallet", "বিকাশ" if locale == "bn" else None)
    install_plugin(payment_plugin("test-local-pay", wallet, COD))
    store = make_store(f"{locale}-shop", locale=locale,
                       currency="BDT" if locale == "bn" else "AMD")
    add_product(store, "tea-cup")
    enable_plugin(store, PLUGIN, settings=_settings(returns_days=7))
    enable_plugin(store, "test-local-pay")
    found = _badges(_https(store_client(store.slug)))

    assert _text(found["cash_on_delivery"]).startswith(cod)
    assert _text(found["secure_checkout"]).startswith(secure)
    assert _text(found["payment_methods"]) == ways
    assert _text(found["returns"]) == TEXTS[locale]["returns"].format(days=7)


def test_every_language_has_every_text():
    for locale, words in TEXTS.items():
        assert set(words) == set(TEXTS["en"]), locale
        assert all(w.strip() for w in words.values()), locale


# ------------------------------------------------- facts that are not known yet


def test_free_shipping_and_rating_are_never_shown_while_unknown(shop, payments, enable_plugin,
                                                                store_client):
    enable_plugin(shop, "test-cod")
    client = store_client(shop.slug)
    for html, placement in ((_get(client), "product"), (_get(client, "/"), "footer")):
        found = _badges(html, placement)
        assert "free_shipping" not in found and "rating" not in found


def test_the_builders_state_a_known_threshold_and_rating_plainly():
    badge = badges_plugin.free_shipping_badge(Money(150000, "BDT"), "bn")
    assert badge.label == "1500.00 BDT-এর বেশি অর্ডারে ফ্রি ডেলিভারি"
    assert badge.icon == "truck"
    rating = badges_plugin.rating_badge(Decimal("4.66"), 12, "en")
    assert (rating.label, rating.description) == ("Rated 4.7 out of 5", "from 12 reviews")
    assert badges_plugin.rating_badge(Decimal("5"), 1, "en").description == "from 1 review"
    assert badges_plugin.rating_badge(Decimal("0"), 0, "en") is None


# --------------------------------------------------------------------- settings


def test_defaults_and_none(app, shop, payments, enable_plugin, store_client):
    manifest = app.extensions["haat_plugins"].installed[PLUGIN].manifest
    result = validate_settings(manifest, {}, currency="USD", stored_secrets={})
    assert result.ok
    assert result.values["show_product"][:3] == ["secure_checkout", "payment_methods",
                                                 "cash_on_delivery"]
    assert result.values["show_footer"] == ["payment_methods", "returns", "rating"]
    assert result.values["returns_days"] == 0
    assert result.values["returns_page"] == "returns"

    mixed = validate_settings(manifest, {"show_cart": ["none", "returns"]}, currency="USD",
                              stored_secrets={})
    assert "show_cart" in mixed.errors

    enable_plugin(shop, "test-cod")
    enable_plugin(shop, PLUGIN, settings=_settings(show_product=["none"]))
    page = _get(store_client(shop.slug))
    assert _badges(page) == {}
    assert "cash_on_delivery" in _badges(page, "footer")  # other placements keep theirs


def test_only_the_chosen_badges_show(shop, payments, enable_plugin, store_client):
    enable_plugin(shop, "test-cod")
    enable_plugin(shop, PLUGIN, settings=_settings(show_product=["cash_on_delivery"],
                                                   returns_days=7))
    assert list(_badges(_https(store_client(shop.slug)))) == ["cash_on_delivery"]


# ------------------------------------------------------------------ the merchant's language


def test_every_message_is_translated():
    assert_translated("plugins.trust_badges")


@pytest.mark.parametrize(("locale", "currency", "title", "legend", "choice", "refused"), [
    ("bn", "BDT", "ট্রাস্ট ব্যাজ", "পণ্যের পৃষ্ঠায় ব্যাজ",
     "কোনোটিই নয়: এখানে কোনো ব্যাজ দেখাবেন না",
     "“কোনোটিই নয়” একা বেছে নিন, অথবা এর টিক তুলে দিন।"),
    ("hy", "AMD", "Վստահության նշաններ", "Նշաններ ապրանքների էջերում",
     "Ոչ մեկը: այստեղ նշաններ ցույց չտալ",
     "«Ոչ մեկը» ընտրեք առանձին կամ հանեք դրա նշումը։"),
])
def test_the_settings_page_is_in_the_owners_language(make_store, store_client, locale,
                                                     currency, title, legend, choice,
                                                     refused):
    slug = f"{locale}-badges"
    make_store(slug, currency=currency, locale=locale)
    owner = store_client(slug)
    assert owner.post("/admin/login", data={"email": f"owner@{slug}.example",
                                            "password": PASSWORD}).status_code == 303
    page = owner.get(f"/admin/plugins/{PLUGIN}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert f"<legend>{legend}</legend>" in page
    assert f'<input type="checkbox" name="show_product" value="none"> {choice}</label>' in page
    assert "Badges on product pages" not in page and "Easy returns" not in page

    response = owner.post(f"/admin/plugins/{PLUGIN}", data={"show_cart": ["none", "returns"]})
    assert response.status_code == 422
    found = re.search(r'<p class="error" id="setting-show_cart-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    assert found and unescape(found.group(1)) == refused


@pytest.mark.parametrize(("typed", "handle"), [
    ("returns", "returns"), ("/pages/returns", "returns"), ("Returns/", "returns"),
    ("https://shop.example/pages/refund-policy", "refund-policy"), ("", ""),
])
def test_page_handle(typed, handle):
    assert page_handle(typed) == handle


def test_the_rating_badge_writes_the_stores_digits(app, make_store, add_product, enable_plugin,
                                                   install_plugin, store_client, store_plugins):
    """A Bengali store with Bengali digits: "রেটিং: ৫-এর মধ্যে ৪.৩", from real figures."""
    from core.sdk import RatingSummary, publish_ratings

    install_plugin(make_plugin("test-stars"))
    shop = make_store("digits-badges", locale="bn", bengali_digits=True, currency="BDT")
    product = add_product(shop, "mat", title="শীতল পাটি")
    enable_plugin(shop, "test-stars")
    enable_plugin(shop, PLUGIN, _settings())
    with app.app_context():
        publish_ratings(store_plugins(shop).info, "test-stars",
                        {product: RatingSummary(Decimal("4.25"), 12)})
    page = store_client("digits-badges").get("/products/mat").get_data(as_text=True)
    assert "রেটিং: ৫-এর মধ্যে ৪.৩" in page and "১২টি রিভিউ থেকে" in page


def _rating_queries(statements: list[str]) -> list[str]:
    return [s for s in statements if "sum(products.rating * products.review_count)" in s]


def test_the_store_rating_is_read_once_per_store_until_a_rating_changes(
        app, make_store, add_product, enable_plugin, install_plugin, store_client,
        store_plugins, count_queries):
    """Each page of the store shows its rating in two places; a second page (not cached)
    does not sum the catalogue again, another store shows its own figure, and a newly
    published rating shows at once."""
    from core.sdk import RatingSummary, publish_ratings

    install_plugin(make_plugin("test-stars"))
    stores = {}
    for slug, figure in (("rated-alpha", "4.25"), ("rated-beta", "2.50")):
        shop = make_store(slug)
        stores[slug] = (shop, add_product(shop, "mat", title="Mat"),
                        add_product(shop, "rug", title="Rug"))
        enable_plugin(shop, "test-stars")
        enable_plugin(shop, PLUGIN, _settings())
        with app.app_context():
            publish_ratings(store_plugins(shop).info, "test-stars",
                            {stores[slug][1]: RatingSummary(Decimal(figure), 4)})

    def rating(slug: str, path: str) -> str:
        return _text(_badges(_get(store_client(slug), path), "footer")["rating"])

    with count_queries() as statements:
        assert rating("rated-alpha", "/products/mat") == "Rated 4.3 out of 5 from 4 reviews"
    assert len(_rating_queries(statements)) == 1  # the product's and the footer's badge
    with count_queries() as statements:
        assert rating("rated-beta", "/products/rug") == "Rated 2.5 out of 5 from 4 reviews"
        assert rating("rated-alpha", "/products/rug") == "Rated 4.3 out of 5 from 4 reviews"
    assert len(_rating_queries(statements)) == 1  # beta's; alpha's was kept
    shop, mat, _rug = stores["rated-alpha"]
    with app.app_context():
        publish_ratings(store_plugins(shop).info, "test-stars",
                        {mat: RatingSummary(Decimal("1.50"), 6)})
    assert rating("rated-alpha", "/products/rug") == "Rated 1.5 out of 5 from 6 reviews"
    assert rating("rated-beta", "/products/mat") == "Rated 2.5 out of 5 from 4 reviews"
