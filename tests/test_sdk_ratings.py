"""``core.sdk.publish_ratings`` and ``store_rating``: what rating plugins publish reaches
snapshots, product cards, search, SEO and the trust badges, combined over the plugins a
store has on, and never another store's products."""

from __future__ import annotations

import re
from decimal import Decimal

import extruct
import pytest

from conftest import make_plugin
from core.catalog.models import Product
from core.db import db
from core.sdk import RatingSummary, get_products, publish_ratings, store_rating
from tenants import tenant_scope


@pytest.fixture
def raters(install_plugin):
    """Two rating plugins (off for every store until enabled)."""
    install_plugin(make_plugin("test-stars"))
    install_plugin(make_plugin("test-imported-stars"))
    return ("test-stars", "test-imported-stars")


@pytest.fixture
def shops(make_store, add_product, enable_plugin, raters):
    alpha = make_store("alpha-rated", currency="BDT")
    beta = make_store("beta-rated", currency="BDT")
    ids = {
        "cup": add_product(alpha, "cup", title="Clay cup", collection="pottery"),
        "bowl": add_product(alpha, "bowl", title="Clay bowl", collection="pottery"),
        "lamp": add_product(beta, "lamp", title="Brass lamp"),
    }
    for store in (alpha, beta):
        for plugin in raters:
            enable_plugin(store, plugin)
    return alpha, beta, ids


def _info(store_plugins, tenant):
    return store_plugins(tenant).info


def _figures(app, tenant, product_id):
    with app.app_context(), tenant_scope(tenant.id):
        product = db.session.get(Product, product_id)
        return product.rating, product.review_count


def test_published_ratings_fill_snapshots_and_combine_over_plugins(app, shops, store_plugins):
    alpha, _beta, ids = shops
    with app.app_context():
        store = _info(store_plugins, alpha)
        publish_ratings(store, "test-stars", {ids["cup"]: RatingSummary(Decimal("4.5"), 10)})
        publish_ratings(store, "test-imported-stars",
                        {ids["cup"]: RatingSummary(Decimal("3"), 30)})
        [cup] = get_products(store, [ids["cup"]])
    # (4.5 * 10 + 3 * 30) / 40 = 3.375 -> 3.38
    assert (cup.rating, cup.review_count) == (Decimal("3.38"), 40)
    assert _figures(app, alpha, ids["bowl"]) == (None, 0)


def test_switching_a_plugin_off_hides_its_figures_and_on_shows_them(app, shops, store_plugins,
                                                                    enable_plugin):
    alpha, _beta, ids = shops
    with app.app_context():
        store = _info(store_plugins, alpha)
        publish_ratings(store, "test-stars", {ids["cup"]: RatingSummary(Decimal("4.5"), 10)})
        publish_ratings(store, "test-imported-stars",
                        {ids["cup"]: RatingSummary(Decimal("3"), 30)})
    enable_plugin(alpha, "test-imported-stars", enabled=False)
    assert _figures(app, alpha, ids["cup"]) == (Decimal("4.50"), 10)
    enable_plugin(alpha, "test-stars", enabled=False)
    assert _figures(app, alpha, ids["cup"]) == (None, 0)
    enable_plugin(alpha, "test-imported-stars")
    assert _figures(app, alpha, ids["cup"]) == (Decimal("3.00"), 30)


def test_none_withdraws_a_rating(app, shops, store_plugins):
    alpha, _beta, ids = shops
    with app.app_context():
        store = _info(store_plugins, alpha)
        publish_ratings(store, "test-stars", {ids["cup"]: RatingSummary(Decimal("5"), 1)})
        publish_ratings(store, "test-stars", {ids["cup"]: None})
    assert _figures(app, alpha, ids["cup"]) == (None, 0)


def test_another_stores_product_is_never_rated(app, shops, store_plugins):
    alpha, beta, ids = shops
    with app.app_context():
        publish_ratings(_info(store_plugins, alpha), "test-stars",
                        {ids["lamp"]: RatingSummary(Decimal("1"), 99)})
        assert store_rating(_info(store_plugins, beta)) is None
    assert _figures(app, beta, ids["lamp"]) == (None, 0)


def test_store_rating_weighs_products_by_their_counts(app, shops, store_plugins):
    alpha, _beta, ids = shops
    with app.app_context():
        store = _info(store_plugins, alpha)
        assert store_rating(store) is None
        publish_ratings(store, "test-stars", {ids["cup"]: RatingSummary(Decimal("5"), 3),
                                              ids["bowl"]: RatingSummary(Decimal("4"), 1)})
        assert store_rating(store) == RatingSummary(Decimal("4.75"), 4)


def test_bad_figures_and_unknown_plugins_are_refused(app, shops, store_plugins):
    alpha, _beta, ids = shops
    with pytest.raises(ValueError):
        RatingSummary(Decimal("5.5"), 1)
    with pytest.raises(ValueError):
        RatingSummary(Decimal("4"), 0)
    with app.app_context():
        store = _info(store_plugins, alpha)
        with pytest.raises(ValueError, match="not an installed plugin"):
            publish_ratings(store, "no-such-plugin", {ids["cup"]: None})
        with pytest.raises(TypeError):
            publish_ratings(store, "test-stars", {ids["cup"]: (Decimal("4"), 2)})


def test_cached_pages_show_a_new_rating_at_once(app, shops, store_plugins, store_client,
                                                enable_plugin):
    """The SEO plugin's AggregateRating follows, the trust badge states the store's real
    rating and the product's card shows it, on pages that were cached before."""
    alpha, _beta, ids = shops
    enable_plugin(alpha, "seo")
    enable_plugin(alpha, "trust-badges", {"show_footer": ["rating"]})
    client = store_client("alpha-rated")
    before = client.get("/products/cup").get_data(as_text=True)
    assert "aggregateRating" not in before
    with app.app_context():
        publish_ratings(_info(store_plugins, alpha), "test-stars",
                        {ids["cup"]: RatingSummary(Decimal("4.25"), 8)})
    page = client.get("/products/cup").get_data(as_text=True)
    url = "http://alpha-rated.localhost/products/cup"
    items = extruct.extract(page, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]
    [product] = [item for item in items if item.get("@type") == "Product"]
    assert product["aggregateRating"]["ratingValue"] == "4.25"
    assert product["aggregateRating"]["reviewCount"] == 8
    assert "Rated 4.3 out of 5" in page  # the store-rating trust badge, in the footer
    listing = client.get("/collections/pottery").get_data(as_text=True)
    assert "Rated 4.3 out of 5, 8 reviews" in listing  # the card, rounded half up


def test_search_ranks_rated_products_first_among_equals(app, make_store, add_product,
                                                        enable_plugin, store_plugins,
                                                        store_client, raters):
    shop = make_store("rated-search")
    enable_plugin(shop, "search")
    enable_plugin(shop, "test-stars")
    older = add_product(shop, "mug-a", title="Glazed mug")
    add_product(shop, "mug-b", title="Glazed mug")  # newer: first while neither is rated
    client = store_client("rated-search")

    def order() -> list[str]:
        html = client.get("/search?q=mug").get_data(as_text=True)
        return re.findall(r'href="/products/(mug-[ab])"', html)

    assert order()[0] == "mug-b"
    with app.app_context():
        publish_ratings(_info(store_plugins, shop), "test-stars",
                        {older: RatingSummary(Decimal("4.8"), 5)})
    assert order()[0] == "mug-a"


def test_a_store_fact_is_kept_only_for_its_own_store_and_version(app, shops, store_plugins):
    """``store_fact`` remembers in a request for the store itself, until the store's
    pages change; never for another store's request, a job, or after this request
    changed the store."""
    from core.sdk import pages_changed, store_fact

    alpha, beta, _ids = shops
    asked: list[str] = []

    def fact(store, name="wall"):
        return store_fact(store, "test-stars", name, lambda: asked.append(store.slug) or
                          f"{store.slug}:{len(asked)}")

    with app.app_context():
        alpha_info, beta_info = _info(store_plugins, alpha), _info(store_plugins, beta)
        assert fact(alpha_info) == "alpha-rated:1" and fact(alpha_info) == "alpha-rated:2"
    for _ in range(2):  # two requests to alpha: computed once, other names apart
        with app.test_request_context("/", base_url="http://alpha-rated.localhost"):
            app.preprocess_request()
            assert fact(alpha_info) == "alpha-rated:3"
            assert fact(alpha_info, "other") == "alpha-rated:4"
    with app.test_request_context("/", base_url="http://beta-rated.localhost"):
        app.preprocess_request()
        assert fact(beta_info) == "beta-rated:5"  # not alpha's, though the name is
        assert fact(alpha_info) == "alpha-rated:6"  # another store's request: not kept
        assert fact(alpha_info) == "alpha-rated:7"
    with app.test_request_context("/", base_url="http://alpha-rated.localhost"):
        app.preprocess_request()
        assert fact(alpha_info) == "alpha-rated:3"
        pages_changed(alpha_info)  # this request changed the store: asked every time
        assert fact(alpha_info) == "alpha-rated:8"
        assert fact(alpha_info) == "alpha-rated:9"
    with app.test_request_context("/", base_url="http://alpha-rated.localhost"):
        app.preprocess_request()
        assert fact(alpha_info) == "alpha-rated:10"  # the new version's
        assert fact(alpha_info) == "alpha-rated:10"
