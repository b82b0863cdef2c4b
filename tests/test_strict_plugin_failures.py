"""Under ``TESTING`` a plugin that raises fails the test with its own exception, on every
path a plugin reaches; with ``HAAT_PLUGIN_ISOLATION`` on (production) the shopper gets
the polite message instead and the failure is recorded for the owner.

Proved through the doors a plugin author uses: ``haat_register_plugin`` and
``haat_checkout`` (plus ``haat_client``, ``haat_admin_client``), and the suite's own
fixtures for core's tests.
"""

from __future__ import annotations

import pytest

from checkout_support import checkout_form
from conftest import make_plugin
from core.sdk import (
    Money,
    PluginManifest,
    ShippingRate,
    SlotContent,
    hookimpl,
    run_later,
)
from core.testing import CheckoutRefusedError
from kit_providers import CashOnDelivery, UntrackedCourier

PLUGIN = "faulty"
POLITE = ("This option is not available right now. Please choose another or try again "
          "in a few minutes.")


class PluginBug(Exception):
    """The plugin's own mistake; a test must see this, not a polite message."""


def broken_job(store, order_number):
    """A job the plugin queues with run_later (module level, as jobs must be)."""
    raise PluginBug(f"job failed for order {order_number}")


class Courier(UntrackedCourier):
    id = "faulty-courier"
    label = "Courier"

    def __init__(self, plugin):
        self.plugin = plugin

    def quote(self, store, cart, address):
        self.plugin.trip("quote")
        return [ShippingRate(id="standard", label="Standard",
                             amount=Money(6000, store.currency), carrier=self.id)]


class Cash(CashOnDelivery):
    id = "faulty-cash"

    def __init__(self, plugin):
        self.plugin = plugin

    def start(self, store, order):
        self.plugin.trip("start")
        return super().start(store, order)


class Faulty:
    """A working courier-and-payment plugin that raises ``PluginBug`` at one place."""

    manifest = PluginManifest(name=PLUGIN, title="Faulty")

    def __init__(self, broken_at):
        self.broken_at = broken_at

    def trip(self, place):
        if place == self.broken_at:
            raise PluginBug(f"bug in {place}")

    @hookimpl
    def haat_shipping_carriers(self, store):
        self.trip("haat_shipping_carriers")
        return [Courier(self)]

    @hookimpl
    def haat_payment_gateways(self, store, checkout):
        self.trip("haat_payment_gateways")
        return [Cash(self)]

    @hookimpl
    def haat_checkout_adjustments(self, store, checkout):
        self.trip("haat_checkout_adjustments")
        return []

    @hookimpl
    def haat_checkout_validate(self, store, checkout):
        self.trip("haat_checkout_validate")
        return []

    @hookimpl
    def haat_slot(self, store, name, page):
        if name == "footer":
            self.trip("haat_slot")
            return SlotContent(text="Faulty footer")
        return None

    @hookimpl
    def haat_order_placed(self, store, order):
        self.trip("haat_order_placed")
        if self.broken_at == "run_later":
            run_later(store, broken_job, order.number)


#: Every place, and the error the checkout shows for it in production (the field, and
#: the message), or ``None`` when the order is placed anyway.
CHECKOUT_PATHS = {
    "haat_checkout_adjustments": ("form", POLITE),
    "haat_checkout_validate": ("form", POLITE),
    "haat_shipping_carriers": ("shipping_rate", POLITE),
    "haat_payment_gateways": ("payment_method", POLITE),
    "quote": ("shipping_rate", "Delivery prices are not available right now. Please try "
                               "again in a few minutes."),
    "start": None,
    "haat_order_placed": None,
    "run_later": None,
}


@pytest.fixture
def faulty_shop(haat_store, haat_register_plugin, haat_enable_plugin, haat_product):
    """``faulty_shop("quote")``: a store with the plugin broken there, and a product."""

    def make(broken_at):
        haat_register_plugin(Faulty(broken_at))
        store = haat_store("faulty-shop", currency="BDT")
        haat_enable_plugin(store, PLUGIN)
        return store, haat_product(store, "kantha", price=150000, stock=5)

    return make


# ------------------------------------------------------------------------- TESTING


def test_a_raising_checkout_hook_fails_its_test(faulty_shop, haat_checkout):
    """The issue's case: a fee hook that raises must not quietly drop the fee."""
    store, kantha = faulty_shop("haat_checkout_adjustments")
    with pytest.raises(PluginBug, match="bug in haat_checkout_adjustments"):
        haat_checkout(store, [kantha])


@pytest.mark.parametrize("broken_at", sorted(CHECKOUT_PATHS))
def test_every_checkout_path_raises_the_plugins_own_error(faulty_shop, haat_checkout,
                                                          broken_at):
    store, kantha = faulty_shop(broken_at)
    expected = "job failed for order" if broken_at == "run_later" else f"bug in {broken_at}"
    with pytest.raises(PluginBug, match=expected):
        haat_checkout(store, [kantha])


@pytest.mark.parametrize("broken_at", ["haat_order_placed", "run_later"])
def test_an_error_raised_after_the_commit_leaves_no_transaction_open(faulty_shop, haat_app,
                                                                     haat_checkout,
                                                                     broken_at):
    """Lifecycle hooks run as the request's app context ends; when one raises, the
    session clean-up after it must still happen, or the connection stays "idle in
    transaction" and holds its locks (on PostgreSQL the next migration then waits
    forever)."""
    from core.db import db

    store, kantha = faulty_shop(broken_at)
    with haat_app.app_context():
        pool = db.engine.pool
    checked_out = pool.checkedout()
    with pytest.raises(PluginBug):
        haat_checkout(store, [kantha])
    assert pool.checkedout() == checked_out


def test_a_raising_slot_fails_the_page(faulty_shop, haat_client):
    store, _kantha = faulty_shop("haat_slot")
    with pytest.raises(PluginBug, match="bug in haat_slot"):
        haat_client(store).get("/")


def test_a_raising_catalogue_hook_fails_the_fixture_that_saved(haat_store,
                                                               haat_register_plugin,
                                                               haat_enable_plugin,
                                                               haat_product):
    def saved(store, product, created):
        raise PluginBug(f"cannot index {product.handle}")

    haat_register_plugin(make_plugin("indexer", haat_product_saved=saved))
    store = haat_store("faulty-shop")
    haat_enable_plugin(store, "indexer")
    with pytest.raises(PluginBug, match="cannot index kantha"):
        haat_product(store, "kantha")


# ------------------------------------------------------------------ the suite's own


def test_the_suites_fixtures_see_a_raising_checkout_hook(app, make_store, add_product,
                                                         install_plugin, enable_plugin,
                                                         store_client):
    install_plugin(Faulty("haat_checkout_validate"))
    store = make_store("faulty-shop", currency="BDT")
    enable_plugin(store, PLUGIN)
    product_id = add_product(store, "kantha", price=150000)
    client = store_client(store.slug)
    assert client.post("/cart/add", data={"product_id": str(product_id)}).status_code == 303
    form = checkout_form(client, shipping_rate="faulty-courier:standard",
                         payment_method="faulty-cash")
    with pytest.raises(PluginBug, match="bug in haat_checkout_validate"):
        client.post("/checkout", data=form)


def test_the_suites_fixtures_see_a_raising_job(app, make_store, install_plugin,
                                               enable_plugin):
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    install_plugin(Faulty("run_later"))
    store = make_store("faulty-shop")
    enable_plugin(store, PLUGIN)
    with app.app_context(), tenant_scope(store.id):
        info = plugins_for_tenant(store.id).info
        with pytest.raises(PluginBug, match="job failed for order 7"):
            run_later(info, broken_job, 7)


# -------------------------------------------------------------------- production


@pytest.fixture
def isolated(haat_app, monkeypatch):
    """Production's behaviour: a plugin's failure is contained."""
    monkeypatch.setitem(haat_app.config, "HAAT_PLUGIN_ISOLATION", True)


@pytest.mark.parametrize("broken_at", sorted(p for p, e in CHECKOUT_PATHS.items() if e))
def test_in_production_the_shopper_is_told_politely(isolated, faulty_shop, haat_checkout,
                                                    broken_at):
    store, kantha = faulty_shop(broken_at)
    field, message = CHECKOUT_PATHS[broken_at]
    with pytest.raises(CheckoutRefusedError) as refused:
        haat_checkout(store, [kantha], shipping_rate="faulty-courier:standard",
                      payment_method="faulty-cash")
    assert refused.value.errors[field] == message
    assert "bug in" not in refused.value.response.get_data(as_text=True)


@pytest.mark.parametrize("broken_at", sorted(p for p, e in CHECKOUT_PATHS.items() if not e))
def test_in_production_the_order_is_placed_and_the_owner_sees_the_failure(
        isolated, faulty_shop, haat_checkout, haat_admin_client, broken_at):
    store, kantha = faulty_shop(broken_at)
    placed = haat_checkout(store, [kantha])

    assert placed.order.total == Money(150000 + 6000, "BDT")  # nothing dropped
    page = placed.client.get(placed.url).get_data(as_text=True)
    assert f"#{placed.number}" in page
    assert "bug in" not in page and "job failed" not in page
    owner = haat_admin_client(store)
    if broken_at == "start":  # the order waits for payment; its timeline says why
        order_page = owner.get(f"/admin/orders/{placed.id}").get_data(as_text=True)
        assert "The payment provider failed." in order_page
        assert "Pay the courier." not in page
    else:  # a lifecycle hook: counted against the plugin on the owner's plugins page
        # (jobs run at once here, so a job's failure surfaces in the hook that queued it;
        # a worker would retry it instead)
        plugins = owner.get("/admin/plugins").get_data(as_text=True)
        assert "haat_order_placed" in plugins
        assert "PluginBug" in plugins


def test_in_production_a_raising_slot_costs_only_its_own_part(isolated, faulty_shop,
                                                              haat_client):
    store, _kantha = faulty_shop("haat_slot")
    page = haat_client(store).get("/")
    assert page.status_code == 200
    assert "Faulty footer" not in page.get_data(as_text=True)
    assert "Faulty Shop" in page.get_data(as_text=True)


def test_working_plugin_contributes_on_every_path(faulty_shop, haat_checkout, haat_client):
    """The same plugin with nothing broken: the paths above really run its code."""
    store, kantha = faulty_shop("nowhere")
    assert "Faulty footer" in haat_client(store).get("/").get_data(as_text=True)
    placed = haat_checkout(store, [kantha])
    assert placed.order.shipping_total == Money(6000, "BDT")
    assert "Pay the courier." in placed.client.get(placed.url).get_data(as_text=True)
