"""One test per hook specification: each hook reaches enabled plugins only, with the
arguments its spec promises, and core uses the answers as documented.

``tests/test_docs.py`` fails when a hookspec has no ``test_hook_<name>`` here.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import EntryPoint

import pytest
from flask import render_template_string
from markupsafe import Markup
from sqlalchemy import select

from conftest import client_for, make_plugin
from core import create_app
from core.checkout.adjustments import checkout_total, order_adjustments
from core.db import db
from core.money import Money
from core.pluginhost import events
from core.pluginhost.models import PluginFailure
from core.sdk import (
    Address,
    Adjustment,
    AdminMenuItem,
    Asset,
    Badge,
    CartLine,
    CartSnapshot,
    CheckoutContext,
    CheckoutProblem,
    CollectionSnapshot,
    CustomerSnapshot,
    MetaTag,
    OrderSnapshot,
    PaymentGateway,
    PaymentResult,
    PaymentStart,
    PluginCheckoutError,
    ProductSnapshot,
    RefundResult,
    RobotsRule,
    SearchResults,
    ShippingCarrier,
    ShippingRate,
    SitemapEntry,
    SlotContent,
    StructuredData,
    WebhookResult,
)
from tenants import platform_scope, tenant_scope

BDT = "BDT"


@pytest.fixture
def stores(make_store, seed_catalog):
    a = make_store("alpha-shop", name="Alpha Shop", currency=BDT, locale="bn")
    b = make_store("beta-shop", name="Beta Shop", currency=BDT, locale="bn")
    seed_catalog(a, {"gift-card": 4})
    seed_catalog(b, {"gift-card": 4})
    return a, b


@pytest.fixture
def on_a_only(stores, install_plugin, enable_plugin):
    """Install a plugin and enable it for store A only."""

    def install(plugin, settings=None, secrets=None) -> str:
        name = install_plugin(plugin)
        enable_plugin(stores[0], name, settings, secrets)
        return name

    return install


def _cart() -> CartSnapshot:
    line = CartLine(product_id=1, title="Nakshi kantha", quantity=2,
                    unit_price=Money(65000, BDT), weight_grams=900)
    return CartSnapshot(token="cart-1", lines=(line,), subtotal=Money(130000, BDT))


def _order() -> OrderSnapshot:
    return OrderSnapshot(id=1, number=1001, token="tok", total=Money(137000, BDT),
                         payment_state="pending", fulfilment_state="unfulfilled")


def _page(app, tenant, path="/products/gift-card"):
    return client_for(app, f"{tenant.slug}.localhost").get(path).get_data(as_text=True)


# ------------------------------------------------------------------ discovery hooks


def test_hook_search_backend(app_ctx, stores, on_a_only, store_plugins):
    class Backend:
        def query(self, store, query):
            return SearchResults(hits=(), total=0)

    backend = Backend()
    on_a_only(make_plugin("toy-search", kind="search",
                          haat_search_backend=lambda store: backend))
    a, b = stores
    assert store_plugins(a).first("haat_search_backend") is backend
    assert store_plugins(b).first("haat_search_backend") is None


class CashGateway:
    id = "cod"
    label = "Cash on delivery"

    def start(self, store, order):
        return PaymentStart(instructions=f"Pay {order.total} on delivery")

    def handle_return(self, store, order, params):
        return PaymentResult(order.token, "pending", message="Pay the courier on delivery")

    def handle_webhook(self, store, payload, headers):
        return WebhookResult(status=404)  # cash has no provider calling back

    def refund(self, store, order, amount):
        return RefundResult(ok=False, amount=amount, message="Refund cash by hand")


def test_hook_payment_gateways(app_ctx, stores, on_a_only, store_plugins):
    on_a_only(make_plugin("toy-cod", haat_payment_gateways=lambda store, checkout: [
        CashGateway()]))
    a, b = stores
    found = store_plugins(a).checkout("haat_payment_gateways",
                                      checkout=CheckoutContext(cart=_cart()))
    gateway = found[0].value[0]
    assert isinstance(gateway, PaymentGateway)
    info = store_plugins(a).info
    assert "on delivery" in gateway.start(info, _order()).instructions
    assert gateway.handle_return(info, _order(), {}).state == "pending"
    assert gateway.refund(info, _order(), Money(100, BDT)).ok is False
    assert store_plugins(b).checkout("haat_payment_gateways",
                                     checkout=CheckoutContext(cart=_cart())) == []


def test_hook_payment_gateways_failure_is_a_clean_checkout_error(
        app, app_ctx, stores, on_a_only, store_plugins, isolating):
    def broken(store, checkout):
        raise ConnectionError("gateway unreachable, key sk_live_secret")

    on_a_only(make_plugin("flaky-pay", haat_payment_gateways=broken))
    with pytest.raises(PluginCheckoutError) as caught:
        store_plugins(stores[0]).checkout("haat_payment_gateways",
                                          checkout=CheckoutContext(cart=_cart()))
    assert caught.value.plugin == "flaky-pay"
    assert "not available right now" in caught.value.shopper_message
    assert "sk_live" not in caught.value.shopper_message
    with tenant_scope(stores[0].id):
        failure = db.session.scalar(select(PluginFailure))
    assert (failure.plugin, failure.hook) == ("flaky-pay", "haat_payment_gateways")


def test_hook_shipping_carriers(app_ctx, stores, on_a_only, store_plugins):
    class DhakaCourier:
        id = "dhaka"
        label = "Dhaka courier"

        def quote(self, store, cart, address):
            inside = address.city.lower() == "dhaka"
            return [ShippingRate(id="std", label="Standard",
                                 amount=Money(7000 if inside else 13000, BDT))]

        def tracking_url(self, tracking_number):
            return f"/track/{tracking_number}"

        def create_shipment(self, store, order):
            return None

    on_a_only(make_plugin("toy-courier", haat_shipping_carriers=lambda store: [DhakaCourier()]))
    plugins = store_plugins(stores[0])
    carrier = plugins.checkout("haat_shipping_carriers")[0].value[0]
    assert isinstance(carrier, ShippingCarrier)
    rates = carrier.quote(plugins.info, _cart(), Address(country="BD", city="Dhaka"))
    assert rates[0].amount == Money(7000, BDT)
    assert store_plugins(stores[1]).checkout("haat_shipping_carriers") == []


# ------------------------------------------------------------------- checkout hooks


def test_hook_checkout_validate(app_ctx, stores, on_a_only, store_plugins):
    def max_order(store, checkout):
        if checkout.cart.subtotal > Money(100000, BDT):
            return [CheckoutProblem("Cash on delivery is limited to ৳1,000.", field="payment")]
        return []

    on_a_only(make_plugin("cod-limit", haat_checkout_validate=max_order))
    found = store_plugins(stores[0]).checkout("haat_checkout_validate",
                                              checkout=CheckoutContext(cart=_cart()))
    assert [p.field for c in found for p in c.value] == ["payment"]


def test_hook_checkout_adjustments(app_ctx, stores, install_plugin, enable_plugin,
                                   store_plugins):
    # Registered in the "wrong" order on purpose: the applied order must not care.
    install_plugin(make_plugin("zz-tax", haat_checkout_adjustments=lambda store, checkout: [
        Adjustment("tax", "vat", "VAT", Money(500, BDT))]))
    install_plugin(make_plugin("aa-fee", haat_checkout_adjustments=lambda store, checkout: [
        Adjustment("fee", "cod", "COD fee", Money(1300, BDT))]))
    install_plugin(make_plugin("mm-coupon", haat_checkout_adjustments=lambda store, checkout: [
        Adjustment("discount", "EID10", "Eid 10%", Money(-13000, BDT))]))
    for name in ("zz-tax", "aa-fee", "mm-coupon"):
        enable_plugin(stores[0], name)
    found = store_plugins(stores[0]).checkout("haat_checkout_adjustments",
                                              checkout=CheckoutContext(cart=_cart()))
    applied = order_adjustments((c.plugin, adj) for c in found for adj in c.value)
    assert [a.adjustment.kind for a in applied] == ["discount", "fee", "tax"]
    assert checkout_total(_cart().subtotal, applied) == Money(130000 - 13000 + 1300 + 500, BDT)
    huge = [a for a in applied if a.adjustment.kind != "discount"]
    huge.insert(0, order_adjustments([("x", Adjustment("discount", "ALL", "All",
                                                       Money(-999999, BDT)))])[0])
    assert checkout_total(_cart().subtotal, huge) == Money(1800, BDT)


# --------------------------------------------------------------------- storefront UI


def test_hook_slot(app, stores, on_a_only):
    on_a_only(make_plugin("shouty", haat_slot=lambda store, name, page: (
        SlotContent(text=f"<b>{store.name} {name} {page.kind}</b>")
        if name == "product_after_price" else None)))
    a_page, b_page = _page(app, stores[0]), _page(app, stores[1])
    assert "&lt;b&gt;Alpha Shop product_after_price product&lt;/b&gt;" in a_page
    assert "<b>" not in a_page
    assert 'class="haat-slot haat-slot-product_after_price"' in a_page
    assert "haat-slot" not in b_page


def test_hook_slot_html_only_when_marked_safe(app, stores, on_a_only):
    on_a_only(make_plugin("marked", haat_slot=lambda store, name, page: (
        SlotContent(html=Markup("<strong>Eid sale</strong>")) if name == "header" else None)))
    assert "<strong>Eid sale</strong>" in _page(app, stores[0], "/")
    with pytest.raises(TypeError, match="Markup"):
        SlotContent(html="<script>alert(1)</script>")


def test_hook_assets(app, stores, on_a_only):
    on_a_only(make_plugin("styled", haat_assets=lambda store, page: [
        Asset("css", "/apps/styled/bar.css"), Asset("css", "/apps/styled/bar.css"),
        Asset("js", "https://evil.example/x.js"), Asset("js", "/apps/styled/bar.js")]))
    page = _page(app, stores[0], "/")
    assert page.count('href="/apps/styled/bar.css"') == 1
    assert '<script src="/apps/styled/bar.js" defer></script>' in page
    assert "evil.example" not in page
    assert "bar.css" not in _page(app, stores[1], "/")


def test_hook_template_context(app, stores, on_a_only):
    on_a_only(make_plugin("ctx", haat_template_context=lambda store, page: {
        "greeting": f"hello {store.slug}"}))
    for tenant, expected in ((stores[0], "hello alpha-shop"), (stores[1], "")):
        with app.test_request_context("/", base_url=f"http://{tenant.slug}.localhost"):
            app.preprocess_request()
            rendered = render_template_string(
                "{{ plugin_context.get('ctx', {}).get('greeting', '') }}")
            assert rendered == expected


def test_hook_trust_badges(app, stores, on_a_only):
    on_a_only(make_plugin("badger", haat_trust_badges=lambda store, placement, page: [
        Badge("cod", "Cash on delivery <available>"),
        Badge("cod", "duplicate key is shown once"),
        Badge("returns", "7-day returns", url="/pages/returns")] if placement == "product"
        else []))
    page = _page(app, stores[0])
    assert "Cash on delivery &lt;available&gt;" in page
    assert "duplicate key" not in page
    assert '<a href="/pages/returns">7-day returns</a>' in page
    assert "trust-badges" not in _page(app, stores[1])


# ------------------------------------------------------------------------------ SEO


def test_hook_head_tags(app, stores, on_a_only):
    on_a_only(make_plugin("seo-lite", haat_head_tags=lambda store, page: [
        MetaTag(name="description", content='Handmade "kantha" & more'),
        MetaTag(property="og:type", content="product"),
        MetaTag(rel="alternate", href="/?lang=hy", hreflang="hy")]))
    page = _page(app, stores[0])
    assert '<meta name="description" content="Handmade &#34;kantha&#34; &amp; more">' in page
    assert '<meta property="og:type" content="product">' in page
    assert '<link rel="alternate" href="/?lang=hy" hreflang="hy">' in page
    assert "og:type" not in _page(app, stores[1])


def test_hook_structured_data(app, stores, on_a_only):
    on_a_only(make_plugin("ld", haat_structured_data=lambda store, page: [StructuredData({
        "@context": "https://schema.org", "@type": "OnlineStore",
        "name": "</script><script>alert(1)</script>"})]))
    page = _page(app, stores[0])
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0])["name"] == "</script><script>alert(1)</script>"
    assert "alert(1)</script>" not in page.split("application/ld+json", 1)[1].split(
        "</script>", 1)[0]
    assert "application/ld+json" not in _page(app, stores[1])


def test_hook_sitemap_entries(app_ctx, stores, on_a_only, store_plugins):
    on_a_only(make_plugin("mapper", haat_sitemap_entries=lambda store: [
        SitemapEntry(path="/products/gift-card")]))
    found = store_plugins(stores[0]).contribute("haat_sitemap_entries")
    assert [e.path for c in found for e in c.value] == ["/products/gift-card"]
    assert store_plugins(stores[1]).contribute("haat_sitemap_entries") == []


def test_hook_robots_rules(app_ctx, stores, on_a_only, store_plugins):
    on_a_only(make_plugin("robots", haat_robots_rules=lambda store: [
        RobotsRule(disallow=("/cart", "/checkout"))]))
    found = store_plugins(stores[0]).contribute("haat_robots_rules")
    assert found[0].value[0].disallow == ("/cart", "/checkout")
    assert store_plugins(stores[1]).contribute("haat_robots_rules") == []


# ---------------------------------------------------------------------------- admin


def test_hook_admin_menu(app, stores, on_a_only):
    from core.pluginhost.web import admin_menu

    on_a_only(make_plugin("reports", haat_admin_menu=lambda store: [
        AdminMenuItem("Reports", "/admin/apps/reports"),
        AdminMenuItem("Phishing", "https://evil.example/login")]))
    for tenant, expected in ((stores[0], ["Reports"]), (stores[1], [])):
        with app.test_request_context("/admin/", base_url=f"http://{tenant.slug}.localhost"):
            app.preprocess_request()
            assert [item.label for _p, item in admin_menu()] == expected


def test_hook_blueprints(stores, enable_plugin, app, monkeypatch):
    point = EntryPoint(name="sample-pages", value="plugin_samples:blueprint_plugin",
                       group="haat.plugins")
    monkeypatch.setattr("core.pluginhost.manager.entry_points", lambda group: [point])
    worker = create_app({**{k: app.config[k] for k in (
        "TESTING", "DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "HAAT_INSTANCE_DIR",
        "HAAT_MEDIA_DIR", "HAAT_PLATFORM_DOMAIN") if k in app.config}})
    assert "sample-pages" in worker.extensions["haat_plugins"].installed
    with worker.app_context():
        from core.pluginhost.state import set_enabled

        set_enabled(stores[0].id, "sample-pages", True)
        db.session.commit()
    a = client_for(worker, "alpha-shop.localhost").get("/apps/sample/hello")
    assert a.status_code == 200
    assert a.get_data(as_text=True) == "hello from the sample plugin"
    assert client_for(worker, "beta-shop.localhost").get("/apps/sample/hello").status_code == 404
    assert client_for(worker, "localhost").get("/apps/sample/hello").status_code == 404


# ---------------------------------------------------------- lifecycle, after commit


@pytest.fixture
def recorder(on_a_only):
    """Install a plugin implementing ``hook`` that records what it received."""
    received: list[tuple[str, dict]] = []

    def install(hook: str, argnames: tuple[str, ...]) -> list[tuple[str, dict]]:
        namespace: dict = {}
        exec(  # noqa: S102 - builds a hook impl with the spec's exact argument names
            f"def impl({', '.join(argnames)}):\n"
            f"    received.append(({hook!r}, dict(locals())))\n",
            {"received": received}, namespace)
        on_a_only(make_plugin("recorder", **{hook: namespace["impl"]}))
        return received

    return install


def _check_event(app, stores, recorder, hook: str, **payload):
    spec = getattr(app.extensions["haat_plugins"].pm.hook, hook).spec
    received = recorder(hook, tuple(spec.argnames))
    a, b = stores
    for tenant in (a, b):
        with app.app_context(), tenant_scope(tenant.id):
            delivered_before = len(received)
            events.emit(hook, tenant.id, **payload)
            db.session.commit()
            assert len(received) == delivered_before  # not during the transaction
    # Delivered after the commit, when each app context ended: only to store A.
    assert len(received) == 1
    name, arguments = received[0]
    assert name == hook
    assert arguments["store"].slug == "alpha-shop"
    for key, value in payload.items():
        assert arguments[key] == value
    # A rolled-back event is never delivered.
    with app.app_context(), tenant_scope(a.id):
        events.emit(hook, a.id, **payload)
        db.session.rollback()
    assert len(received) == 1


PRODUCT = ProductSnapshot(id=1, handle="gift-card", title="Gift card", description="",
                          price=Money(100000, BDT), compare_at_price=None, stock=4,
                          status="active")


def test_hook_product_saved(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_product_saved", product=PRODUCT, created=True)


def test_hook_product_deleted(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_product_deleted", product_id=1, handle="x")


def test_hook_stock_changed(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_stock_changed", product_id=1, stock=0)


def test_hook_collection_saved(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_collection_saved",
                 collection=CollectionSnapshot(id=1, handle="bestsellers", title="Best"))


def test_hook_cart_updated(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_cart_updated", cart=_cart())


def test_hook_customer_created(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_customer_created",
                 customer=CustomerSnapshot(id=1, phone="+8801711000000"))


def test_hook_order_placed(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_placed", order=_order())


def test_hook_order_paid(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_paid", order=_order())


def test_hook_order_fulfilled(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_fulfilled", order=_order())


def test_hook_order_shipped(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_shipped", order=_order(),
                 tracking_url="/track/123")


def test_hook_order_cancelled(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_cancelled", order=_order())


def test_hook_order_refunded(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_order_refunded", order=_order(),
                 amount=Money(5000, BDT))


def test_hook_store_reindex(app, stores, recorder):
    _check_event(app, stores, recorder, "haat_store_reindex")


def test_hook_store_deleted(app, stores, install_plugin):
    received = []
    install_plugin(make_plugin("cleaner", haat_store_deleted=lambda store_id, slug:
                               received.append((store_id, slug))))
    result = app.test_cli_runner().invoke(args=["tenants", "delete", "beta-shop", "--yes"])
    assert result.exit_code == 0, result.output
    assert received == [(stores[1].id, "beta-shop")]
    with app.app_context(), platform_scope():
        assert db.session.get(type(stores[1]), stores[1].id) is None


def test_plugin_links_never_carry_script_urls(app, stores, on_a_only):
    on_a_only(make_plugin(
        "linky",
        haat_slot=lambda store, name, page: [
            SlotContent(text="Sale", url="javascript:alert(1)"),
            SlotContent(text="Shop", url="https://example.com/sale")] if name == "header"
        else None,
        haat_trust_badges=lambda store, placement, page: [
            Badge("map", "Find us", url=" JavaScript:alert(2)")] if placement == "product"
        else []))
    page = _page(app, stores[0])
    assert "javascript" not in page.lower()
    assert '<a href="https://example.com/sale">Shop</a>' in page
    assert ">Sale</div>" in page and ">Find us</li>" in page  # kept as plain text


def test_events_survive_a_rolled_back_savepoint_in_a_committed_transaction(app, stores,
                                                                           recorder):
    received = recorder("haat_stock_changed", ("store", "product_id", "stock"))
    a = stores[0]
    with app.app_context(), tenant_scope(a.id):
        events.emit("haat_stock_changed", a.id, product_id=1, stock=3)
        savepoint = db.session.begin_nested()
        savepoint.rollback()  # e.g. a failed optional step inside the same unit of work
        db.session.commit()
    assert [args["stock"] for _name, args in received] == [3]
