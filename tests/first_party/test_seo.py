"""The SEO plugin, through HTTP on store hosts: head tags, JSON-LD (read with extruct, as
search engines' tools do), the sitemap and robots.txt, settings (in the merchant's
language) and isolation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

import extruct
import lxml.html
import pytest
from sqlalchemy import select

from conftest import PASSWORD, make_plugin
from core.catalog.models import Product, ProductVariant
from core.db import db
from core.money import Money
from core.pages.models import Page
from core.pluginhost.settings import validate_settings
from core.sdk import PageContext, ProductSnapshot, SearchResults, StoreInfo
from core.staff.models import StaffUser
from core.testing import assert_translated
from core.theming.service import choose_theme
from plugins.seo import structured
from plugins.seo.text import apply_pattern, trim
from tenants import tenant_scope

SEO = "seo"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ALPHA = "http://alpha-shop.localhost"
BETA = "http://beta-shop.localhost"


# ------------------------------------------------------------------------ helpers


def _body(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def _tree(body):
    return lxml.html.fromstring(body)


def _meta(body, key):
    """Every content of ``<meta name=key>`` or ``<meta property=key>`` in ``<head>``."""
    return _tree(body).xpath("//head/meta[@name=$k or @property=$k]/@content", k=key)


def _one(body, key):
    found = _meta(body, key)
    assert len(found) == 1, (key, found)
    return found[0]


def _title(body):
    return _tree(body).findtext(".//head/title")


def _canonical(body):
    found = _tree(body).xpath("//head/link[@rel='canonical']/@href")
    assert len(found) == 1, found
    return found[0]


def _hreflang(body):
    return {link.get("hreflang"): link.get("href")
            for link in _tree(body).xpath("//head/link[@rel='alternate'][@hreflang]")}


def _json_ld(body, url):
    """JSON-LD objects as search engines' extractors read them."""
    return extruct.extract(body, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]


def _typed(items, kind):
    return [item for item in items if item.get("@type") == kind]


def _sitemap_urls(client, path="/sitemap.xml"):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{{{NS['s']}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
            for url in root.findall("s:url", NS)}


def _add_page(app, store, handle, title, *, body="", published=True):
    with app.app_context(), tenant_scope(store.id):
        db.session.add(Page(handle=handle, title=title, body=body, published=published))
        db.session.commit()


def _admin_language(app, store, locale):
    """The store's owner chooses ``locale`` as their admin language (Your account)."""
    with app.app_context(), tenant_scope(store.id):
        owner = db.session.scalar(select(StaffUser).where(
            StaffUser.email == f"owner@{store.slug}.example"))
        owner.locale = locale
        db.session.commit()


def _owner(store_client, store):
    owner = store_client(store.slug)
    response = owner.post("/admin/login", data={"email": f"owner@{store.slug}.example",
                                                "password": PASSWORD})
    assert response.status_code == 303
    return owner


def _setting_error(body, name):
    found = re.search(rf'<p class="error" id="setting-{name}-error">([^<]*)</p>', body)
    return found.group(1) if found else ""


def _variant_id(app, store, handle):
    with app.app_context(), tenant_scope(store.id):
        product = db.session.scalar(select(Product).where(Product.handle == handle))
        return db.session.scalar(select(ProductVariant.id)
                                 .where(ProductVariant.product_id == product.id))


class _NoResults:
    """A search backend that finds nothing (only its presence matters here)."""

    def index(self, store, products):
        return None

    def remove(self, store, product_ids):
        return None

    def query(self, store, query):
        return SearchResults(hits=(), total=0)

    def suggest(self, store, text, limit=8):
        return []


@pytest.fixture
def shop(make_store, add_product, app):
    """Alpha Shop (bn, BDT) with products in two collections, a sold-out and a draft
    product, a product with sizes, and a published and a hidden page."""
    store = make_store("alpha-shop", name="Alpha Shop", locale="bn", currency="BDT",
                       contact_phone="+880 1711 000000", address="12 Lake Road, Dhaka 1205")
    add_product(store, "tea-cup", title="Tea cup", price=25050, stock=4, sku="TC-1",
                collection="kitchen", image=True,
                description="<p>A <b>hand-thrown</b> tea cup from Bogura.</p>")
    add_product(store, "clay-pot", title="Clay pot", price=120000, stock=0,
                collection="kitchen")
    add_product(store, "kantha", title="Nakshi kantha", price=450000, collection="textiles",
                variants=[("S", 450000, 1), ("L", 520000, 2)])
    add_product(store, "secret-draft", title="Secret draft", status="draft",
                collection="kitchen")
    _add_page(app, store, "about", "About us", body="<p>We are a family of potters.</p>")
    _add_page(app, store, "hidden", "Hidden page", published=False)
    return store


@pytest.fixture
def beta(make_store, add_product):
    store = make_store("beta-shop", name="Beta Books", locale="hy", currency="AMD")
    add_product(store, "beta-novel", title="Beta novel", collection="beta-fiction")
    return store


@pytest.fixture
def client(shop, store_client):
    return store_client("alpha-shop")


@pytest.fixture
def seo(shop, enable_plugin):
    """Switch the SEO plugin on for Alpha with ``settings`` (stored as the form would)."""

    def enable(**settings):
        enable_plugin(shop, SEO, settings)

    enable()
    return enable


@pytest.fixture
def search_plugin(install_plugin, enable_plugin):
    install_plugin(make_plugin("test-search", kind="search",
                               haat_search_backend=lambda store: _NoResults()))
    return lambda store: enable_plugin(store, "test-search")


# --------------------------------------------------------------------- JSON-LD


def test_product_json_ld_has_what_search_engines_require(seo, client):
    url = f"{ALPHA}/products/tea-cup"
    items = _json_ld(_body(client, "/products/tea-cup"), url)
    [product] = _typed(items, "Product")
    assert product["@context"] == "https://schema.org"
    assert product["name"] == "Tea cup"
    assert product["description"] == "A hand-thrown tea cup from Bogura."
    assert product["url"] == url
    assert product["sku"] == "TC-1"
    assert product["brand"] == {"@type": "Brand", "name": "Alpha Shop"}
    assert product["image"] and all(i.startswith(f"{ALPHA}/media/") for i in product["image"])
    offer = product["offers"]
    assert offer["@type"] == "Offer"
    assert offer["price"] == "250.50"  # a string with the currency's two decimals
    assert offer["priceCurrency"] == "BDT"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["itemCondition"] == "https://schema.org/NewCondition"
    assert offer["url"] == url
    assert "aggregateRating" not in product  # no reviews yet
    assert not _typed(items, "OnlineStore") and not _typed(items, "WebSite")


def test_a_sold_out_product_is_out_of_stock(seo, client):
    items = _json_ld(_body(client, "/products/clay-pot"), f"{ALPHA}/products/clay-pot")
    [product] = _typed(items, "Product")
    assert product["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert product["offers"]["price"] == "1200.00"
    assert "sku" not in product and "image" not in product  # none set: left out, not empty


def test_a_product_with_variants_offers_from_its_lowest_price(seo, client, shop, app):
    variant = _variant_id(app, shop, "kantha")
    body = _body(client, f"/products/kantha?variant={variant}")
    [product] = _typed(_json_ld(body, f"{ALPHA}/products/kantha"), "Product")
    assert product["offers"]["price"] == "4500.00"
    assert product["offers"]["availability"] == "https://schema.org/InStock"
    assert product["url"] == f"{ALPHA}/products/kantha"


def test_aggregate_rating_only_when_reviews_exist():
    store = StoreInfo(id=1, slug="s", name="S", locale="en", currency="USD",
                      base_url="https://s.example/")
    page = PageContext(kind="product", path="/products/p", url="https://s.example/products/p",
                       canonical_url="https://s.example/products/p")
    item = ProductSnapshot(id=1, handle="p", title="P", description="", stock=1,
                           price=Money(1999, "USD"), compare_at_price=None, status="active",
                           rating=Decimal("4.6"), review_count=12)
    data = structured.product(store, page, item)
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": "4.6",
                                       "reviewCount": 12, "bestRating": "5",
                                       "worstRating": "1"}
    assert data["offers"]["price"] == "19.99"
    unrated = ProductSnapshot(**{**item.__dict__, "rating": None, "review_count": 0})
    assert "aggregateRating" not in structured.product(store, page, unrated)


def test_breadcrumbs_go_from_home_to_the_page_in_order(seo, client):
    items = _json_ld(_body(client, "/products/tea-cup"), f"{ALPHA}/products/tea-cup")
    [crumbs] = _typed(items, "BreadcrumbList")
    assert [(e["position"], e["name"], e["item"]) for e in crumbs["itemListElement"]] == [
        (1, "Alpha Shop", f"{ALPHA}/"),
        (2, "Kitchen", f"{ALPHA}/collections/kitchen"),
        (3, "Tea cup", f"{ALPHA}/products/tea-cup"),
    ]
    assert all(e["@type"] == "ListItem" for e in crumbs["itemListElement"])
    [crumbs] = _typed(_json_ld(_body(client, "/collections/textiles"), ALPHA),
                      "BreadcrumbList")
    assert [e["name"] for e in crumbs["itemListElement"]] == ["Alpha Shop", "Textiles"]
    [crumbs] = _typed(_json_ld(_body(client, "/pages/about"), ALPHA), "BreadcrumbList")
    assert [e["item"] for e in crumbs["itemListElement"]] == [f"{ALPHA}/",
                                                               f"{ALPHA}/pages/about"]
    assert not _typed(_json_ld(_body(client, "/"), ALPHA), "BreadcrumbList")


def test_the_home_page_describes_the_store(seo, client):
    items = _json_ld(_body(client, "/"), f"{ALPHA}/")
    [store] = _typed(items, "OnlineStore")  # schema.org's Organization for web shops
    assert store["name"] == "Alpha Shop"
    assert store["url"] == f"{ALPHA}/"
    assert store["email"] == "owner@alpha-shop.example"
    assert store["telephone"] == "+880 1711 000000"
    assert store["address"] == {"@type": "PostalAddress",
                                "streetAddress": "12 Lake Road, Dhaka 1205"}
    [site] = _typed(items, "WebSite")
    assert site["url"] == f"{ALPHA}/" and site["name"] == "Alpha Shop"
    assert "potentialAction" not in site  # this store has no search
    assert not _typed(items, "Product")


def test_the_search_box_only_with_search(seo, client, shop, search_plugin):
    search_plugin(shop)
    items = _json_ld(_body(client, "/"), f"{ALPHA}/")
    action = _typed(items, "WebSite")[0]["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{ALPHA}/search?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    # Only on the home page.
    items = _json_ld(_body(client, "/products/tea-cup"), ALPHA)
    assert not _typed(items, "WebSite")


def test_contact_details_left_out_when_the_store_has_none(make_store, enable_plugin,
                                                          store_client):
    store = make_store("plain-shop", name="Plain Shop", email="owner@plain-shop.example")
    enable_plugin(store, SEO)
    [online] = _typed(_json_ld(_body(store_client("plain-shop"), "/"), "http://x/"),
                      "OnlineStore")
    assert "telephone" not in online and "address" not in online


def test_text_is_escaped_in_tags_and_inert_in_json_ld(shop, add_product, seo, client):
    evil = 'Mug "</script><script>alert(1)</script>'
    add_product(shop, "evil", title=evil)
    body = _body(client, "/products/evil")
    assert "<script>alert(1)</script>" not in body
    assert _one(body, "og:title") == evil
    [product] = _typed(_json_ld(body, ALPHA), "Product")
    assert product["name"] == evil


# ---------------------------------------------------------------- titles and text


def test_titles_follow_the_pattern(seo, client):
    assert _title(_body(client, "/products/tea-cup")) == "Tea cup | Alpha Shop"
    assert _title(_body(client, "/collections/kitchen")) == "Kitchen | Alpha Shop"
    assert _title(_body(client, "/pages/about")) == "About us | Alpha Shop"
    assert _title(_body(client, "/")) == "Alpha Shop"  # the home page: the store's name

    seo(title_pattern="Buy {title} online – {store}", home_title="Alpha Shop: Bogura pottery")
    assert _title(_body(client, "/products/tea-cup")) == "Buy Tea cup online – Alpha Shop"
    assert _title(_body(client, "/")) == "Alpha Shop: Bogura pottery"
    body = _body(client, "/products/tea-cup")
    assert _one(body, "og:title") == "Tea cup" and _one(body, "twitter:title") == "Tea cup"


def test_long_titles_are_cut_at_a_word_and_keep_the_store_name(shop, add_product, seo,
                                                               client):
    name = ("Hand-embroidered nakshi kantha quilt with peacock and lotus motifs in "
            "indigo, madder red and turmeric")
    add_product(shop, "long", title=name)
    title = _title(_body(client, "/products/long"))
    assert len(title) <= 70
    assert title.endswith("… | Alpha Shop")
    assert name.startswith(title.removesuffix("… | Alpha Shop"))
    assert name[len(title.removesuffix("… | Alpha Shop"))] == " "  # a whole word


def test_descriptions_come_from_the_content_with_fallbacks(shop, add_product, seo, client):
    assert _one(_body(client, "/products/tea-cup"), "description") == (
        "A hand-thrown tea cup from Bogura.")
    assert _one(_body(client, "/pages/about"), "description") == "We are a family of potters."
    # No text of its own: built from the name, its collection and the store.
    assert _one(_body(client, "/products/clay-pot"), "description") == (
        "Clay pot · Kitchen · Alpha Shop")
    # The home page without a default description: the store and what it sells.
    assert _one(_body(client, "/"), "description") == "Alpha Shop: Kitchen, Textiles"

    seo(default_description="Pottery and kantha from Bogura, delivered across Bangladesh.")
    assert _one(_body(client, "/"), "description") == (
        "Pottery and kantha from Bogura, delivered across Bangladesh.")
    assert _one(_body(client, "/products/clay-pot"), "description") == (
        "Clay pot · Kitchen · Alpha Shop. Pottery and kantha from Bogura, delivered "
        "across Bangladesh.")
    assert _one(_body(client, "/collections/textiles"), "og:description") == (
        "Textiles · Alpha Shop. Pottery and kantha from Bogura, delivered across "
        "Bangladesh.")

    add_product(shop, "wordy", title="Wordy", description="<p>" + "clay " * 80 + "</p>")
    text = _one(_body(client, "/products/wordy"), "description")
    assert len(text) <= 160 and text.endswith("clay…")


def test_trimming_helpers():
    assert trim("short", 70) == "short"
    assert trim("one two three four", 12) == "one two…"
    assert len(trim("x" * 300, 160)) == 160
    assert apply_pattern("{title} | {store}", "Tea cup", "Alpha") == "Tea cup | Alpha"
    assert apply_pattern("{store}", "Tea cup", "Alpha") == "Tea cup | Alpha"  # bad: default
    long = apply_pattern("{title} | {store}", "word " * 30, "A" * 80)
    assert len(long) <= 70 and long.endswith("…")


# ------------------------------------------------------------ canonical, hreflang


@pytest.mark.parametrize("path, canonical", [
    ("/collections/kitchen?sort=price-asc&available=1", "/collections/kitchen"),
    ("/collections/kitchen?lang=hy", "/collections/kitchen?lang=hy"),
    ("/collections/kitchen?sort=newest&lang=en&page=1", "/collections/kitchen?lang=en"),
])
def test_listing_canonical_is_the_clean_url_in_its_language(seo, client, path, canonical):
    # Each language version is canonical to itself (hreflang links the others).
    assert _canonical(_body(client, path)) == f"{ALPHA}{canonical}"


def test_product_canonical_drops_the_variant_and_tracking(seo, client, shop, app):
    variant = _variant_id(app, shop, "kantha")
    for path, canonical in ((f"/products/kantha?variant={variant}", "/products/kantha"),
                            ("/products/kantha?utm_source=facebook", "/products/kantha"),
                            ("/products/kantha?lang=hy", "/products/kantha?lang=hy")):
        body = _body(client, path)
        assert _canonical(body) == f"{ALPHA}{canonical}"
        assert _one(body, "og:url") == f"{ALPHA}{canonical}"


def test_hreflang_links_every_language_and_the_default(seo, client):
    body = _body(client, "/collections/kitchen?sort=name")
    assert _hreflang(body) == {
        "bn": f"{ALPHA}/collections/kitchen",  # the store's own language: the clean URL
        "en": f"{ALPHA}/collections/kitchen?lang=en",
        "hy": f"{ALPHA}/collections/kitchen?lang=hy",
        "x-default": f"{ALPHA}/collections/kitchen",
    }
    assert _one(body, "og:locale") == "bn_BD"
    assert sorted(_meta(body, "og:locale:alternate")) == ["en_US", "hy_AM"]
    assert _one(_body(client, "/?lang=hy"), "og:locale") == "hy_AM"
    assert _one(_body(client, "/?lang=en"), "og:locale") == "en_US"


def test_social_cards_use_the_product_image_or_the_store_image(seo, client):
    body = _body(client, "/products/tea-cup")
    image = _one(body, "og:image")
    assert image.startswith(f"{ALPHA}/media/")
    assert _one(body, "twitter:image") == image
    assert _one(body, "twitter:card") == "summary_large_image"
    assert _one(body, "og:type") == "product"
    assert _one(body, "product:price:amount") == "250.50"
    assert _one(body, "product:price:currency") == "BDT"
    assert _one(body, "og:site_name") == "Alpha Shop"
    assert _meta(body, "twitter:site") == []
    no_image = _body(client, "/products/clay-pot")
    assert _meta(no_image, "og:image") == [] and _one(no_image, "twitter:card") == "summary"

    seo(social_image="https://cdn.example/alpha-1200x630.jpg", twitter_handle="alphashop")
    no_image = _body(client, "/products/clay-pot")
    assert _one(no_image, "og:image") == "https://cdn.example/alpha-1200x630.jpg"
    assert _one(no_image, "twitter:site") == "@alphashop"
    assert _one(_body(client, "/"), "og:image") == "https://cdn.example/alpha-1200x630.jpg"
    assert _one(_body(client, "/products/tea-cup"), "og:image") == image  # its own first


# ------------------------------------------------------------------- robots meta


def test_private_pages_are_noindex_and_content_pages_are_not(seo, client, shop,
                                                             search_plugin):
    assert _one(_body(client, "/cart"), "robots") == "noindex"
    # The theme's search page says noindex itself too; two equal tags are harmless.
    assert set(_meta(_body(client, "/search?q=cup", status=404), "robots")) == {"noindex"}
    search_plugin(shop)
    assert set(_meta(_body(client, "/search?q=cup"), "robots")) == {"noindex"}
    cart = _body(client, "/cart")
    assert not _tree(cart).xpath("//head/link[@rel='canonical']")
    assert not _json_ld(cart, ALPHA)
    for path in ("/", "/products/tea-cup", "/collections/kitchen", "/collections/all",
                 "/pages/about"):
        assert _meta(_body(client, path), "robots") == [], path


def test_not_found_pages_are_noindex_without_a_canonical(seo, client):
    body = _body(client, "/products/never-was", status=404)
    assert set(_meta(body, "robots")) == {"noindex"}
    assert not _tree(body).xpath("//head/link[@rel='canonical']")
    assert not _json_ld(body, ALPHA)


def test_the_whole_store_can_be_hidden(seo, client):
    seo(noindex_store=True)
    for path in ("/", "/products/tea-cup", "/collections/kitchen", "/pages/about"):
        body = _body(client, path)
        assert _one(body, "robots") == "noindex, nofollow", path
        assert not _tree(body).xpath("//head/link[@rel='canonical' or @hreflang]"), path
        assert _meta(body, "og:title"), path  # sharing a link still shows a card
    # Crawlers may still fetch pages (to read the noindex); nothing is listed.
    robots = _body(client, "/robots.txt")
    assert not re.search(r"^Disallow: /$", robots, re.MULTILINE)
    assert _sitemap_urls(client) == {}
    seo(noindex_store=False)
    assert _meta(_body(client, "/"), "robots") == []


def test_verification_tags(seo, client):
    seo(verification_tags="google-site-verification: abc123-XYZ_9\n"
                          "# Bing\n"
                          "msvalidate.01:0123456789ABCDEF\n"
                          "p:domain_verify: f00ba4\n"
                          '<meta name="yandex-verification" content="77aa" />')
    body = _body(client, "/")
    assert _one(body, "google-site-verification") == "abc123-XYZ_9"
    assert _one(body, "msvalidate.01") == "0123456789ABCDEF"
    assert _one(body, "p:domain_verify") == "f00ba4"
    assert _one(body, "yandex-verification") == "77aa"


# ------------------------------------------------------------------------ settings


def _validate(app, **values):
    manifest = app.extensions["haat_plugins"].installed[SEO].manifest
    return validate_settings(manifest, values, currency="BDT", stored_secrets={})


@pytest.mark.parametrize(("field", "value"), [
    ("title_pattern", "{store} online"),
    ("title_pattern", "{title} | {shop}"),
    ("title_pattern", "{title | {store}"),
    ("title_pattern", "{title.__class__}"),
    ("title_pattern", "{title!r} | {store}"),
    ("home_title", "x" * 71),
    ("default_description", "x" * 161),
    ("social_image", "http://cdn.example/a.jpg"),
    ("social_image", "javascript:alert(1)"),
    ("social_image", "/media/a.jpg"),
    ("verification_tags", "just-a-token"),
    ("verification_tags", "google-site-verification: has spaces in it"),
    ("verification_tags", 'google-site-verification: "><script>'),
    ("verification_tags", "description: my store"),
    ("verification_tags", "og:title: hello"),
    ("robots_rules", "Crawl-delay: 10"),
    ("robots_rules", "Disallow: private"),
    ("robots_rules", "Disallow /private"),
    ("robots_rules", "Disallow: /a b"),
    ("robots_rules", "User-agent: GPTBot"),
    ("twitter_handle", "not a handle!"),
    ("twitter_handle", "@far_too_long_a_handle"),
])
def test_bad_settings_are_refused(app, field, value):
    result = _validate(app, **{field: value})
    assert field in result.errors, result.errors
    assert list(result.errors) == [field]


def test_good_settings_are_accepted(app):
    result = _validate(
        app, title_pattern="Buy {title} at {store}", home_title="Alpha",
        default_description="Pottery from Bogura.",
        social_image="https://cdn.example/a.jpg", twitter_handle="@alpha_shop",
        verification_tags="google-site-verification: abc\n\n# comment\nmsvalidate.01: F00",
        noindex_store="1",
        robots_rules="Disallow: /pages/draft\nAllow: /pages/draft/ok\n"
                     "User-agent: GPTBot\nDisallow: /")
    assert result.ok, result.errors
    assert result.values["noindex_store"] is True
    defaults = _validate(app)
    assert defaults.ok and defaults.values["title_pattern"] == "{title} | {store}"


def test_the_admin_form_refuses_bad_settings_and_saves_good_ones(app, shop, store_client):
    _admin_language(app, shop, "en")  # Alpha is a Bengali store; its owner reads English
    owner = _owner(store_client, shop)
    assert owner.post(f"/admin/plugins/{SEO}/toggle", data={"enabled": "1"}).status_code == 303
    form = {"title_pattern": "{store}", "social_image": "http://insecure.example/a.jpg",
            "verification_tags": "nonsense", "robots_rules": "Disallow: nowhere"}
    response = owner.post(f"/admin/plugins/{SEO}", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The pattern must contain {title}" in body
    assert "Use a full https:// address" in body
    assert "Line 1: write it as name: content" in body
    assert "Line 1: give a path that starts with /" in body
    assert _title(_body(owner, "/products/tea-cup")) == "Tea cup | Alpha Shop"  # unchanged

    response = owner.post(f"/admin/plugins/{SEO}", data={"title_pattern": "{title} – {store}"})
    assert response.status_code == 303
    assert _title(_body(owner, "/products/tea-cup")) == "Tea cup – Alpha Shop"  # at once


def test_every_message_is_translated_into_bengali_and_armenian():
    assert_translated("plugins.seo")


@pytest.mark.parametrize(("store", "title", "label", "help_text"), [
    ("shop", "সার্চ ইঞ্জিন (SEO)", "শিরোনামের ধাঁচ",
     "সার্চ ফলাফলে আপনার প্রথম পাতার শিরোনাম।"),
    ("beta", "Որոնողական համակարգեր (SEO)", "Վերնագրի ձևանմուշ",
     "Ձեր գլխավոր էջի վերնագիրը որոնման արդյունքներում։"),
])
def test_the_settings_page_in_the_owners_language(request, store_client, store, title,
                                                  label, help_text):
    owner = _owner(store_client, request.getfixturevalue(store))
    body = _body(owner, f"/admin/plugins/{SEO}")
    assert f"<h1>{title}</h1>" in body
    assert f'<label for="setting-title_pattern">{label}</label>' in body
    assert help_text in body
    for english in ("Title pattern", "Home page title", "Search-engine titles"):
        assert english not in body


def test_setting_errors_in_the_owners_language(shop, beta, store_client):
    form = {"title_pattern": "{store}", "social_image": "http://insecure.example/a.jpg",
            "verification_tags": "nonsense", "robots_rules": "Disallow: nowhere"}
    expected = [
        (shop, {
            "title_pattern": "ধাঁচে অবশ্যই {title} থাকতে হবে, যেমন {title} | {store}।",
            "social_image": "পুরো https:// ঠিকানা দিন (সোশ্যাল সাইটগুলো সাধারণ http ঠিকানার "
                            "ছবি দেখায় না)।",
            "verification_tags": "লাইন 1: name: content আকারে লিখুন, যেমন "
                                 "google-site-verification: abc123।",
            "robots_rules": "লাইন 1: / দিয়ে শুরু হওয়া একটি পাথ দিন, যেমন "
                            "Disallow: /pages/draft।",
        }),
        (beta, {
            "title_pattern": "Ձևանմուշը պետք է պարունակի {title}, օրինակ՝ {title} | {store}։",
            "verification_tags": "Տող 1: գրեք name: content ձևով, օրինակ՝ "
                                 "google-site-verification: abc123։",
            "robots_rules": "Տող 1: նշեք / նշանով սկսվող ուղի, օրինակ՝ "
                            "Disallow: /pages/draft։",
        }),
    ]
    for store, errors in expected:
        refused = _owner(store_client, store).post(f"/admin/plugins/{SEO}", data=form)
        assert refused.status_code == 422
        body = refused.get_data(as_text=True)
        for name, message in errors.items():
            assert _setting_error(body, name) == message, (store.slug, name)
        assert "Line 1" not in body


# ------------------------------------------------------------------------- sitemap


def test_the_sitemap_lists_this_stores_live_content(seo, client):
    urls = _sitemap_urls(client)
    assert set(urls) == {
        f"{ALPHA}/", f"{ALPHA}/collections/kitchen", f"{ALPHA}/collections/textiles",
        f"{ALPHA}/collections/all", f"{ALPHA}/products/tea-cup", f"{ALPHA}/products/clay-pot",
        f"{ALPHA}/products/kantha", f"{ALPHA}/pages/about",
    }
    # Every URL has a lastmod in the W3C format.
    for loc, lastmod in urls.items():
        assert lastmod, loc
        datetime.strptime(lastmod, "%Y-%m-%dT%H:%M:%SZ")
    # Each listed URL is the page's own canonical URL and answers 200.
    for loc in urls:
        path = loc.removeprefix(ALPHA)
        assert _canonical(_body(client, path)) == loc


def test_sitemap_isolation_between_stores(seo, beta, enable_plugin, store_client):
    enable_plugin(beta, SEO)
    alpha_urls = set(_sitemap_urls(store_client("alpha-shop")))
    beta_urls = set(_sitemap_urls(store_client("beta-shop")))
    assert all(u.startswith(f"{ALPHA}/") for u in alpha_urls)
    assert all(u.startswith(f"{BETA}/") for u in beta_urls)
    assert f"{BETA}/products/beta-novel" in beta_urls
    assert not any("beta" in u for u in alpha_urls)
    assert not any("tea-cup" in u or "kitchen" in u for u in beta_urls)


def test_the_sitemap_follows_changes(seo, client, shop, app, add_product):
    before = _sitemap_urls(client)
    add_product(shop, "new-bowl", title="New bowl")
    with app.app_context(), tenant_scope(shop.id):
        db.session.scalar(select(Product).where(Product.handle == "clay-pot")).status = "draft"
        db.session.commit()
    after = _sitemap_urls(client)
    assert f"{ALPHA}/products/new-bowl" in after and f"{ALPHA}/products/new-bowl" not in before
    assert f"{ALPHA}/products/clay-pot" not in after
    assert after[f"{ALPHA}/"] >= before[f"{ALPHA}/"]


def test_a_large_sitemap_becomes_an_index(seo, client, shop, app, add_product, monkeypatch):
    for n in range(6):
        add_product(shop, f"extra-{n}", title=f"Extra {n}")
    whole = _sitemap_urls(client)
    assert len(whole) == 14

    monkeypatch.setitem(app.config, "HAAT_SITEMAP_LIMIT", 4)
    app.extensions["haat_page_cache"].clear()
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{{{NS['s']}}}sitemapindex"
    children = [s.findtext("s:loc", namespaces=NS) for s in root.findall("s:sitemap", NS)]
    assert children == [f"{ALPHA}/sitemap-{n}.xml" for n in (1, 2, 3, 4)]
    assert all(s.findtext("s:lastmod", namespaces=NS) for s in root.findall("s:sitemap", NS))
    seen: list[str] = []
    for child in children:
        part = _sitemap_urls(client, child.removeprefix(ALPHA))
        assert 1 <= len(part) <= 4
        assert all(part.values())
        seen += part
    assert sorted(seen) == sorted(whole)  # every URL exactly once


def test_the_sitemap_reads_products_in_batches(seo, client, shop, app, add_product,
                                               count_queries):
    def queries():
        app.extensions["haat_page_cache"].clear()
        with count_queries() as statements:
            _sitemap_urls(client)
        return len(statements)

    queries()  # warm the host and plugin-state caches
    few = queries()
    for n in range(20):
        add_product(shop, f"bulk-{n}", collection="kitchen", image=n % 2 == 0,
                    variants=[("S", 1000, 1)] if n % 3 == 0 else None)
    queries()  # the catalogue changed: the store is looked up again once
    assert queries() == few


# -------------------------------------------------------------------------- robots


def test_robots_txt_has_the_rules_and_the_sitemap(seo, client):
    seo(robots_rules="Disallow: /pages/draft\nAllow: /pages/draft/open\n"
                     "User-agent: GPTBot\nDisallow: /")
    text = _body(client, "/robots.txt")
    star = text.split("\n\n")[0]
    for rule in ("Disallow: /admin", "Disallow: /cart", "Disallow: /checkout",
                 "Disallow: /search", "Disallow: /account", "Disallow: /pages/draft",
                 "Allow: /pages/draft/open"):
        assert rule in star.splitlines(), rule
    assert "User-agent: GPTBot\nDisallow: /\n" in text
    assert f"Sitemap: {ALPHA}/sitemap.xml" in text.splitlines()


# ---------------------------------------------------------------- without the plugin


def test_a_store_without_the_plugin_gets_nothing_from_it(shop, beta, enable_plugin,
                                                         store_client):
    enable_plugin(beta, SEO, {"verification_tags": "google-site-verification: beta"})
    client = store_client("alpha-shop")
    body = _body(client, "/products/tea-cup")
    assert _title(body) != "Tea cup | Alpha Shop"  # the theme's own title
    assert _meta(body, "og:title") == [] and _meta(body, "twitter:card") == []
    assert _meta(body, "google-site-verification") == []
    assert not _tree(body).xpath("//head/link[@rel='canonical' or @hreflang]")
    assert _json_ld(body, ALPHA) == []
    assert client.get("/sitemap.xml").status_code == 404
    robots = _body(client, "/robots.txt")
    assert "Sitemap:" not in robots and "/account" not in robots


def test_one_stores_json_ld_never_shows_another_stores_data(seo, beta, enable_plugin,
                                                            store_client):
    enable_plugin(beta, SEO)
    alpha, other = store_client("alpha-shop"), store_client("beta-shop")
    for path in ("/", "/products/tea-cup", "/collections/kitchen"):
        text = repr(_json_ld(_body(alpha, path), ALPHA))
        assert "Beta" not in text and "beta" not in text, path
    beta_home = _json_ld(_body(other, "/"), BETA)
    assert _typed(beta_home, "OnlineStore")[0]["name"] == "Beta Books"
    assert "Alpha" not in repr(beta_home) and "alpha" not in repr(beta_home)
    assert _one(_body(other, "/products/beta-novel"), "og:locale") == "hy_AM"
    assert _one(_body(other, "/products/beta-novel"), "product:price:currency") == "AMD"
    _body(alpha, "/products/beta-novel", status=404)


@pytest.mark.parametrize("theme", ["default", "bazaar"])
def test_both_themes_carry_the_tags(seo, client, shop, app, theme):
    with app.app_context(), tenant_scope(shop.id):
        choose_theme(theme)
        db.session.commit()
    home = _body(client, "/")
    assert f"theme-{theme}" in home
    assert _title(home) == "Alpha Shop"
    assert _one(home, "description") == "Alpha Shop: Kitchen, Textiles"
    assert _canonical(home) == f"{ALPHA}/"
    assert _typed(_json_ld(home, ALPHA), "OnlineStore")
    product = _body(client, "/products/tea-cup?lang=en")
    assert _title(product) == "Tea cup | Alpha Shop"
    assert _canonical(product) == f"{ALPHA}/products/tea-cup?lang=en"
    assert _typed(_json_ld(product, ALPHA), "Product")
