"""The Stripe plugin through its hooks and gateway, with the real ``stripe`` library.

Stripe's API is played by a local fake (``tests/fakes/stripe_fake.py``; stripe-mock
cannot be installed here), and webhooks are real signed payloads built the way Stripe
signs them. Tests that take ``stripe_api`` also run against Stripe's test mode when
``STRIPE_TEST_SECRET_KEY`` (an ``sk_test_`` key) is set; tests that need the fake's
controls (paying a session, seeing which key was used) take ``fake_api`` and run once.
The lead's HTTP tests through ``POST /payments/stripe/webhook`` come with core's routes.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest
import stripe
from fakes.stripe_fake import Account, Delivery, FakeStripe

from admin_support import html, sign_in
from core.pluginhost.settings import validate_settings
from core.sdk import (
    CartSnapshot,
    CheckoutContext,
    Money,
    OrderSnapshot,
    PaymentGateway,
    PluginCheckoutError,
    StoreInfo,
    payment_methods,
)
from core.testing import assert_translated
from plugins.stripe_checkout import api
from plugins.stripe_checkout.amounts import AmountNotPayable, from_stripe, to_stripe
from plugins.stripe_checkout.gateway import StripeGateway
from plugins.stripe_checkout.plugin import manifest
from plugins.stripe_checkout.texts import TEXTS
from tenants import Tenant, tenant_scope

PLUGIN = "stripe"
TOTAL = Money(150000, "BDT")  # ৳1,500.00


@dataclass(frozen=True)
class Keys:
    publishable: str
    secret: str
    webhook: str

    @classmethod
    def of(cls, account: Account) -> Keys:
        return cls(account.publishable_key, account.secret_key, account.webhook_secret)


@dataclass
class StripeApi:
    """Where Stripe's API is: the fake, or Stripe's test mode (one key for both stores)."""

    kind: str
    a: Keys
    b: Keys
    fake: FakeStripe | None = None

    def client(self, keys: Keys) -> stripe.StripeClient:
        return api.client(keys.secret)


def _fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeApi]:
    with FakeStripe() as fake:
        monkeypatch.setenv(api.ENV_API_BASE, fake.url)
        yield StripeApi("fake", Keys.of(fake.add_account("A")), Keys.of(fake.add_account("B")),
                        fake)


def _test_mode_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeApi]:
    key = os.environ.get("STRIPE_TEST_SECRET_KEY", "")
    if not key:
        pytest.skip("Stripe test mode not configured: set STRIPE_TEST_SECRET_KEY (an "
                    "sk_test_ key) to run these tests against Stripe too")
    if not key.startswith(("sk_test_", "rk_test_")):
        pytest.fail("STRIPE_TEST_SECRET_KEY must be a test-mode key (sk_test_...)")
    monkeypatch.delenv(api.ENV_API_BASE, raising=False)
    publishable = os.environ.get("STRIPE_TEST_PUBLISHABLE_KEY", "pk_test_unused")
    # Webhooks are signed by the tests, so any secret will do.
    yield StripeApi("stripe-test-mode",
                    Keys(publishable, key, f"whsec_{secrets.token_hex(16)}"),
                    Keys(publishable, key, f"whsec_{secrets.token_hex(16)}"))


@pytest.fixture(params=["fake", "stripe-test-mode"])
def stripe_api(request: pytest.FixtureRequest,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeApi]:
    """Stripe's API: the local fake, then Stripe's test mode if configured."""
    if request.param == "fake":
        yield from _fake_api(monkeypatch)
    else:
        yield from _test_mode_api(monkeypatch)


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeApi]:
    """The local fake only, for tests that drive it (pay, refund in the dashboard)."""
    yield from _fake_api(monkeypatch)


@dataclass
class Shop:
    tenant: Tenant
    keys: Keys
    info: StoreInfo


@pytest.fixture
def open_shop(app_ctx, make_store, enable_plugin, store_plugins) -> Callable[..., Shop]:
    """``open_shop(slug, keys)``: a store with the Stripe plugin on and these keys."""

    def make(slug: str, keys: Keys, *, locale: str = "bn", secrets_: dict | None = None,
             **settings: str) -> Shop:
        tenant = make_store(slug, locale=locale, currency="BDT")
        enable_plugin(tenant, PLUGIN,
                      settings={"publishable_key": keys.publishable, **settings},
                      secrets=secrets_ if secrets_ is not None else
                      {"secret_key": keys.secret, "webhook_secret": keys.webhook})
        return Shop(tenant, keys, store_plugins(tenant).info)

    return make


@pytest.fixture
def shops(stripe_api, open_shop) -> tuple[Shop, Shop]:
    return open_shop("dhaka-crafts", stripe_api.a), open_shop("yerevan-rugs", stripe_api.b,
                                                              locale="hy")


@pytest.fixture
def fake_shops(fake_api, open_shop) -> tuple[Shop, Shop]:
    return open_shop("dhaka-crafts", fake_api.a), open_shop("yerevan-rugs", fake_api.b,
                                                            locale="hy")


def _gateways(shop: Shop, store_plugins, locale: str = "") -> list[PaymentGateway]:
    checkout = CheckoutContext(cart=CartSnapshot("cart", (), Money(0, "BDT")), locale=locale)
    found = store_plugins(shop.tenant).checkout("haat_payment_gateways", checkout=checkout)
    return [g for c in found for g in c.value if g.id == "stripe"]


def _gateway(shop: Shop, store_plugins) -> PaymentGateway:
    (gateway,) = _gateways(shop, store_plugins)
    return gateway


def _order(shop: Shop, *, total: Money = TOTAL, number: int = 1001, locale: str = "bn",
           email: str = "shopper@example.com", reference: str = "",
           refunded: Money | None = None) -> OrderSnapshot:
    token = secrets.token_urlsafe(16)
    return OrderSnapshot(
        id=number, number=number, token=token, total=total, payment_state="pending",
        fulfilment_state="unfulfilled", email=email, locale=locale,
        payment_method="stripe", payment_reference=reference,
        refunded_total=refunded if refunded is not None else Money(0, total.currency),
        status_url=shop.info.url(f"/orders/{token}"))


def _deliver(gateway: PaymentGateway, shop: Shop, delivery: Delivery):
    return gateway.handle_webhook(shop.info, delivery.payload, delivery.headers)


# ---------------------------------------------------------------- offer and settings


def test_card_payments_are_offered_only_with_a_secret_key_and_a_webhook_secret(
        open_shop, store_plugins, enable_plugin):
    keys = Keys("pk_test_abc", "sk_test_abc", "whsec_abc")
    ready = open_shop("ready-shop", keys)
    no_webhook = open_shop("no-webhook", keys, secrets_={"secret_key": keys.secret})
    no_keys = open_shop("no-keys", keys, secrets_={})

    assert _gateways(no_webhook, store_plugins) == []
    assert _gateways(no_keys, store_plugins) == []
    gateway = _gateway(ready, store_plugins)
    assert isinstance(gateway, PaymentGateway)
    assert (gateway.id, gateway.method, gateway.brand, gateway.refunds) == (
        "stripe", "card", "Stripe", True)
    assert [g.label for g in payment_methods(ready.info) if g.id == "stripe"] == [
        "কার্ড (Stripe)"]  # the store's language outside a checkout
    for locale, label in (("en", "Card (Stripe)"), ("bn", "কার্ড (Stripe)"),
                          ("hy", "Քարտ (Stripe)")):
        (shown,) = _gateways(ready, store_plugins, locale)
        assert shown.label == label
        assert shown.description == TEXTS[locale]["description"]

    enable_plugin(ready.tenant, PLUGIN, enabled=False)
    assert _gateways(ready, store_plugins) == []


def _check(form: dict[str, str], stored: dict[str, str] | None = None):
    return validate_settings(manifest, form, currency="BDT", stored_secrets=stored or {})


def test_settings_say_what_is_wrong_next_to_each_field():
    good = {"publishable_key": "pk_live_123", "secret_key": "sk_live_456",
            "webhook_secret": "whsec_789", "statement_descriptor_suffix": "DHAKA CRAFTS"}
    result = _check(good)
    assert result.ok
    assert result.secrets == {"secret_key": "sk_live_456", "webhook_secret": "whsec_789"}
    assert "secret_key" not in result.values and "sk_live_456" not in repr(result)

    assert _check({**good, "secret_key": "rk_live_restricted"}).ok
    assert _check({**good, "publishable_key": "sk_live_123"}).errors == {
        "publishable_key": "A publishable key starts with pk_live_ or pk_test_."}
    assert _check({**good, "secret_key": "pk_live_456"}).errors == {
        "secret_key": "A secret key starts with sk_live_ or sk_test_ (rk_live_ or rk_test_ "
                      "for a restricted key)."}
    assert _check({**good, "webhook_secret": "we_123"}).errors == {
        "webhook_secret": "A webhook signing secret starts with whsec_."}
    assert "publishable_key" in _check({**good, "publishable_key": "pk_test_123"}).errors
    assert set(_check({**good, "statement_descriptor_suffix": "<b>x</b>"}).errors) == {
        "statement_descriptor_suffix"}
    assert _check({**good, "statement_descriptor_suffix": "12345"}).errors == {
        "statement_descriptor_suffix": "Include at least one letter."}
    assert "statement_descriptor_suffix" in _check(
        {**good, "statement_descriptor_suffix": "A" * 23}).errors
    # Secrets are write-only: an empty submission keeps what is stored.
    kept = _check({**good, "secret_key": "", "webhook_secret": ""},
                  stored={"secret_key": "sk_live_old", "webhook_secret": "whsec_old"})
    assert kept.ok and kept.secrets == {"secret_key": "sk_live_old",
                                        "webhook_secret": "whsec_old"}


# ------------------------------------------------------------------------- start


def test_start_creates_one_checkout_session_with_the_stores_own_key(stripe_api, shops,
                                                                   store_plugins):
    dhaka, yerevan = shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)

    started = gateway.start(dhaka.info, order)
    again = gateway.start(dhaka.info, order)

    assert started.reference.startswith("cs_")
    assert again == started  # the idempotency key gives back the same session
    session = stripe_api.client(dhaka.keys).v1.checkout.sessions.retrieve(
        started.reference).to_dict()
    assert started.redirect_url == session["url"]
    assert (session["amount_total"], session["currency"]) == (150000, "bdt")
    assert session["client_reference_id"] == order.token
    assert session["metadata"] == {"haat_store": str(dhaka.info.id), "haat_order": order.token}
    assert session["success_url"] == (order.status_url
                                      + "/return?session_id={CHECKOUT_SESSION_ID}")
    assert session["cancel_url"] == order.status_url
    assert session["customer_email"] == "shopper@example.com"
    assert session["payment_status"] == "unpaid"

    assert stripe.api_key is None
    if stripe_api.fake is None:
        return  # what follows is what only the fake can see
    fake = stripe_api.fake
    creates = fake.seen("POST", "/v1/checkout/sessions")
    assert [r.api_key for r in creates] == [dhaka.keys.secret] * 2
    assert {r.idempotency_key for r in creates} == {
        f"haat-{dhaka.info.id}-{order.token}-checkout"}
    assert yerevan.keys.secret not in {r.api_key for r in fake.requests}
    params = creates[0].params
    assert params["line_items"] == [{"quantity": "1", "price_data": {
        "currency": "bdt", "unit_amount": "150000",
        "product_data": {"name": "অর্ডার #1001"}}}]
    assert params["locale"] == "auto"  # Stripe Checkout has no Bengali
    assert params["payment_intent_data"]["metadata"] == session["metadata"]
    assert len(fake.account_of(started.reference).sessions) == 1


def test_each_store_pays_into_its_own_stripe_account(fake_api, fake_shops, store_plugins):
    dhaka, yerevan = fake_shops
    a = _gateway(dhaka, store_plugins).start(dhaka.info, _order(dhaka))
    b = _gateway(yerevan, store_plugins).start(yerevan.info, _order(yerevan, locale="en"))

    assert fake_api.fake.account_of(a.reference).secret_key == dhaka.keys.secret
    assert fake_api.fake.account_of(b.reference).secret_key == yerevan.keys.secret
    assert fake_api.fake.seen("POST")[-1].params["locale"] == "en"


@pytest.mark.parametrize(("total", "unit_amount"), [
    (Money(150050, "BDT"), "150050"),
    (Money(500000, "AMD"), "500000"),
    (Money(1999, "USD"), "1999"),
    (Money(1500, "JPY"), "1500"),   # zero-decimal in Haat and in Stripe
    (Money(2500, "ISK"), "250000"),  # zero-decimal in Haat, two decimals in Stripe
    (Money(12340, "KWD"), "12340"),  # three decimals, last digit 0
])
def test_amounts_are_sent_in_stripes_units(fake_api, fake_shops, store_plugins, total,
                                           unit_amount):
    dhaka, _ = fake_shops
    _gateway(dhaka, store_plugins).start(dhaka.info, _order(dhaka, total=total))
    price = fake_api.fake.seen("POST")[-1].params["line_items"][0]["price_data"]
    assert (price["currency"], price["unit_amount"]) == (total.currency.lower(), unit_amount)
    assert from_stripe(int(unit_amount), price["currency"]) == total


def test_amounts_stripe_cannot_take_exactly_are_refused_before_calling_it(fake_api,
                                                                         fake_shops,
                                                                         store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    for total in (Money(12345, "KWD"), Money(0, "BDT")):
        with pytest.raises(PluginCheckoutError) as caught:
            gateway.start(dhaka.info, _order(dhaka, total=total, locale="en"))
        assert caught.value.shopper_message == TEXTS["en"]["not_payable"]
    assert fake_api.fake.requests == []
    with pytest.raises(AmountNotPayable):
        to_stripe(Money(12345, "KWD"))


def test_stripe_errors_at_start_become_a_message_for_the_shopper(stripe_api, shops,
                                                                 open_shop, store_plugins):
    dhaka, _ = shops
    gateway = _gateway(dhaka, store_plugins)
    with pytest.raises(PluginCheckoutError) as too_small:  # Stripe's minimum is $0.50
        gateway.start(dhaka.info, _order(dhaka, total=Money(10, "USD"), locale="en"))
    assert too_small.value.shopper_message == TEXTS["en"]["start_failed"]
    assert too_small.value.plugin == PLUGIN
    assert "InvalidRequestError" in str(too_small.value)

    wrong = open_shop("wrong-key", replace(stripe_api.a, secret="sk_test_not_a_real_key_0000"),
                      locale="hy")
    with pytest.raises(PluginCheckoutError) as refused:
        _gateway(wrong, store_plugins).start(wrong.info, _order(wrong, locale="hy"))
    assert refused.value.shopper_message == TEXTS["hy"]["start_failed"]
    assert "AuthenticationError" in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__

    keyless = open_shop("keyless", stripe_api.a, secrets_={})  # keys removed after ordering
    with pytest.raises(PluginCheckoutError) as unset:
        gateway.start(keyless.info, _order(keyless, locale="en"))
    assert unset.value.shopper_message == TEXTS["en"]["start_failed"]


def test_an_unreachable_stripe_becomes_a_message_for_the_shopper(fake_api, fake_shops,
                                                                 store_plugins, monkeypatch):
    dhaka, _ = fake_shops
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv(api.ENV_API_BASE, f"http://127.0.0.1:{port}")
    monkeypatch.setattr(api, "RETRIES", 0)  # retries sleep; one refusal is enough here
    with pytest.raises(PluginCheckoutError) as caught:
        _gateway(dhaka, store_plugins).start(dhaka.info, _order(dhaka))
    assert caught.value.shopper_message == TEXTS["bn"]["start_failed"]
    assert "APIConnectionError" in str(caught.value)


# ------------------------------------------------------------------------ return


def test_the_return_asks_stripe_and_trusts_nothing_in_the_address(stripe_api, shops,
                                                                  store_plugins):
    dhaka, yerevan = shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference

    lying = gateway.handle_return(dhaka.info, order, {"session_id": session_id,
                                                      "payment_status": "paid"})
    assert (lying.state, lying.message) == ("pending", TEXTS["bn"]["waiting"])
    by_reference = gateway.handle_return(dhaka.info, replace(order,
                                                             payment_reference=session_id), {})
    assert by_reference.state == "pending"

    other_order = _order(dhaka, number=1002)
    borrowed = gateway.handle_return(dhaka.info, other_order, {"session_id": session_id})
    assert (borrowed.order_token, borrowed.state, borrowed.message) == (
        other_order.token, "pending", TEXTS["bn"]["not_this_order"])
    # Another store cannot take this store's session for one of its orders.
    theirs = _order(yerevan, locale="hy")
    other_store = _gateway(yerevan, store_plugins).handle_return(
        yerevan.info, replace(theirs, token=order.token), {"session_id": session_id})
    assert other_store.state == "pending" and other_store.amount is None
    unknown = gateway.handle_return(dhaka.info, order, {"session_id": "cs_test_nope"})
    assert unknown.state == "pending"


def test_the_return_after_paying_reports_paid_with_the_payment_intent(fake_api, fake_shops,
                                                                      store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference
    fake_api.fake.pay(session_id)

    result = gateway.handle_return(dhaka.info, order, {"session_id": session_id})

    intent = fake_api.fake.session(session_id)["payment_intent"]
    assert (result.state, result.provider_reference, result.amount) == ("paid", intent, TOTAL)
    expired = _order(dhaka, number=1002, locale="en")
    expired_id = gateway.start(dhaka.info, expired).reference
    fake_api.fake.expire(expired_id)
    late = gateway.handle_return(dhaka.info, expired, {"session_id": expired_id})
    assert (late.state, late.message) == ("failed", TEXTS["en"]["expired"])


# ----------------------------------------------------------------------- webhooks


def test_a_signed_completed_event_pays_the_order_without_calling_stripe(fake_api, fake_shops,
                                                                        store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference
    delivery = fake_api.fake.pay(session_id)
    calls = len(fake_api.fake.requests)

    answer = _deliver(gateway, dhaka, delivery)
    lowercase = gateway.handle_webhook(dhaka.info, delivery.payload,
                                       {k.lower(): v for k, v in delivery.headers.items()})

    assert answer.status == 200
    (result,) = answer.results
    assert (result.order_token, result.state, result.event_id) == (
        order.token, "paid", delivery.event_id)
    assert result.provider_reference == fake_api.fake.session(session_id)["payment_intent"]
    assert result.amount == TOTAL
    assert lowercase == answer
    assert len(fake_api.fake.requests) == calls  # answered from the payload alone


def test_bad_signatures_and_stale_timestamps_are_refused(fake_api, fake_shops, open_shop,
                                                         store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    session_id = gateway.start(dhaka.info, _order(dhaka)).reference
    good = fake_api.fake.pay(session_id)
    now = int(time.time())

    refused = {
        "other secret": good.signed("whsec_someone_else"),
        "tampered body": replace(good, payload=good.payload.replace(b"150000", b"1")),
        "stale": good.signed(dhaka.keys.webhook, timestamp=now - 301),
        "no signature": replace(good, headers={}),
        "garbled header": replace(good, headers={"Stripe-Signature": "v1=abc"}),
    }
    for why, delivery in refused.items():
        answer = _deliver(gateway, dhaka, delivery)
        assert (answer.status, answer.results) == (400, ()), why
    assert _deliver(gateway, dhaka, good.signed(dhaka.keys.webhook, now - 240)).status == 200

    unsigned_shop = open_shop("no-secret", dhaka.keys, secrets_={"secret_key":
                                                                 dhaka.keys.secret})
    assert gateway.handle_webhook(unsigned_shop.info, good.payload, good.headers).status == 400


def test_a_signed_body_that_is_not_an_event_is_refused(fake_api, fake_shops, store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    for body in (b"not json", b"[]", b"\xff\xfe"):
        delivery = Delivery("", "", body, {}).signed(dhaka.keys.webhook)
        assert _deliver(gateway, dhaka, delivery).status == 400, body


def test_a_replayed_event_reports_the_same_event_id(fake_api, fake_shops, store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    delivery = fake_api.fake.pay(gateway.start(dhaka.info, _order(dhaka)).reference)

    first, replayed = (_deliver(gateway, dhaka, delivery) for _ in range(2))

    assert first == replayed and first.results[0].event_id == delivery.event_id


def test_delayed_payments_declines_and_expiry(fake_api, fake_shops, store_plugins):
    dhaka, _ = fake_shops
    fake = fake_api.fake
    gateway = _gateway(dhaka, store_plugins)

    def states(delivery: Delivery) -> list[tuple[str, str, str]]:
        answer = _deliver(gateway, dhaka, delivery)
        assert answer.status == 200
        return [(r.order_token, r.state, r.event_id) for r in answer.results]

    clears, bounces, declined, abandoned = (_order(dhaka, number=n) for n in range(1, 5))
    ids = {o.token: gateway.start(dhaka.info, o).reference
           for o in (clears, bounces, declined, abandoned)}

    waiting = fake.complete(ids[clears.token], paid=False)
    assert states(waiting) == [(clears.token, "pending", waiting.event_id)]
    cleared = fake.settle(ids[clears.token])
    assert states(cleared) == [(clears.token, "paid", cleared.event_id)]

    fake.complete(ids[bounces.token], paid=False)
    bounced = fake.settle(ids[bounces.token], succeeded=False)
    assert states(bounced) == [(bounces.token, "failed", bounced.event_id)]

    decline = fake.decline(ids[declined.token])
    (result,) = _deliver(gateway, dhaka, decline).results
    assert (result.order_token, result.state) == (declined.token, "failed")
    assert "Your card was declined." in result.message
    assert result.provider_reference.startswith("pi_")

    expiry = fake.expire(ids[abandoned.token])
    assert states(expiry) == [(abandoned.token, "failed", expiry.event_id)]


def test_refund_events_carry_the_refunded_total_so_far(fake_api, fake_shops, store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference
    fake_api.fake.pay(session_id)

    partial = fake_api.fake.refund_in_dashboard(session_id, 50000)
    full = fake_api.fake.refund_in_dashboard(session_id)

    # Delivered out of order: each still states its own cumulative amount, so core's
    # state machine can refuse the older one instead of adding it up.
    (later,) = _deliver(gateway, dhaka, full).results
    (earlier,) = _deliver(gateway, dhaka, partial).results
    assert (later.state, later.amount, later.event_id) == ("refunded", TOTAL, full.event_id)
    assert (earlier.state, earlier.amount, earlier.event_id) == (
        "partially_refunded", Money(50000, "BDT"), partial.event_id)
    assert later.order_token == earlier.order_token == order.token
    assert later.provider_reference == fake_api.fake.session(session_id)["payment_intent"]


def test_events_of_another_store_or_of_no_interest_change_nothing(fake_api, open_shop,
                                                                  store_plugins):
    # Two stores on one Stripe account: Stripe sends every event to both endpoints,
    # each signed with that endpoint's own secret.
    shared = fake_api.a
    dhaka = open_shop("dhaka-crafts", shared)
    sylhet = open_shop("sylhet-tea", replace(shared, webhook="whsec_sylhet_endpoint"))
    order = _order(dhaka)
    paid = fake_api.fake.pay(_gateway(dhaka, store_plugins).start(dhaka.info,
                                                                  order).reference)
    sylhet_gateway = _gateway(sylhet, store_plugins)

    to_sylhet = sylhet_gateway.handle_webhook(sylhet.info, paid.payload,
                                              paid.signed("whsec_sylhet_endpoint").headers)
    assert (to_sylhet.status, to_sylhet.results) == (200, ())
    assert sylhet_gateway.handle_webhook(sylhet.info, paid.payload,
                                         paid.headers).status == 400  # dhaka's signature

    account = fake_api.fake.accounts[shared.secret]
    unknown = fake_api.fake.event(account, "customer.created", {"id": "cus_1",
                                                                "object": "customer"})
    assert _deliver(_gateway(dhaka, store_plugins), dhaka, unknown).results == ()
    outside_haat = fake_api.fake.event(account, "checkout.session.completed", {
        **paid.event["data"]["object"], "metadata": {}, "client_reference_id": order.token})
    assert _deliver(_gateway(dhaka, store_plugins), dhaka, outside_haat).results == ()


# ------------------------------------------------------------------------ refunds


def test_refunds_go_through_stripe_once_with_the_stores_key(fake_api, fake_shops,
                                                            store_plugins):
    dhaka, yerevan = fake_shops
    fake = fake_api.fake
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference
    fake.pay(session_id)
    intent = fake.session(session_id)["payment_intent"]
    paid = replace(order, payment_reference=intent)  # core keeps the paid reference

    first = gateway.refund(dhaka.info, paid, Money(50000, "BDT"))
    retried = gateway.refund(dhaka.info, paid, Money(50000, "BDT"))
    rest = gateway.refund(dhaka.info, replace(paid, refunded_total=Money(50000, "BDT")),
                          Money(100000, "BDT"))

    assert first.ok and first.amount == Money(50000, "BDT")
    assert first.provider_reference.startswith("re_") and retried == first
    assert rest.ok and rest.provider_reference != first.provider_reference
    refunds = fake.seen("POST", "/v1/refunds")
    assert {r.api_key for r in refunds} == {dhaka.keys.secret}
    assert refunds[0].params["payment_intent"] == intent
    assert refunds[0].params["amount"] == "50000"
    assert len(fake.account_of(intent).refunds) == 2  # the retry was not a new refund
    (result,) = _deliver(gateway, dhaka, fake.charge_refunded(session_id)).results
    assert (result.state, result.amount) == ("refunded", TOTAL)

    too_much = gateway.refund(dhaka.info, replace(paid, refunded_total=TOTAL),
                              Money(100, "BDT"))
    assert not too_much.ok and "already been refunded" in too_much.message
    # Store B cannot refund store A's payment: its key does not reach A's account.
    theirs = _gateway(yerevan, store_plugins).refund(yerevan.info, paid, Money(100, "BDT"))
    assert not theirs.ok and "No such payment_intent" in theirs.message
    assert len(fake.account_of(intent).refunds) == 2


def test_a_refund_finds_the_payment_from_the_checkout_session(fake_api, fake_shops,
                                                              store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    session_id = gateway.start(dhaka.info, order).reference
    fake_api.fake.pay(session_id)

    result = gateway.refund(dhaka.info, replace(order, payment_reference=session_id), TOTAL)

    assert result.ok and result.amount == TOTAL
    assert fake_api.fake.seen("POST", "/v1/refunds")[0].params["payment_intent"] == (
        fake_api.fake.session(session_id)["payment_intent"])


def test_refund_problems_are_messages_never_exceptions(stripe_api, shops, open_shop,
                                                       store_plugins):
    dhaka, _ = shops
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    unpaid = replace(order, payment_reference=gateway.start(dhaka.info, order).reference)

    problems = {
        "not paid yet": gateway.refund(dhaka.info, unpaid, Money(100, "BDT")),
        "no payment": gateway.refund(dhaka.info, order, Money(100, "BDT")),
        "zero": gateway.refund(dhaka.info, unpaid, Money(0, "BDT")),
        "other currency": gateway.refund(dhaka.info, unpaid, Money(100, "USD")),
    }
    for why, result in problems.items():
        assert not result.ok and result.message, why
    assert problems["not paid yet"].message == "This order has no Stripe payment to refund."

    wrong = open_shop("wrong-key", replace(stripe_api.a, secret="sk_test_not_a_real_key_0000"))
    refused = _gateway(wrong, store_plugins).refund(
        wrong.info, replace(unpaid, payment_reference="pi_test_123"), Money(100, "BDT"))
    assert not refused.ok
    assert refused.message == ("Stripe did not accept the secret key in the Stripe "
                               "settings, so the refund was not made.")


# ------------------------------------------------------------------------ secrets


@pytest.fixture
def every_log(caplog, monkeypatch) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG, the stripe library's and urllib3's included.

    Alembic's ``fileConfig`` (run by the migrations when the test app is built) disables
    the loggers that existed then, this plugin's and stripe's among them; switch them
    back on so nothing escapes the check.
    """
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


def test_keys_and_secrets_never_reach_the_logs(stripe_api, shops, open_shop, store_plugins,
                                               every_log):
    caplog = every_log
    dhaka, _ = shops
    wrong_key = "sk_test_not_a_real_key_0000"
    wrong = open_shop("wrong-key", replace(stripe_api.a, secret=wrong_key))
    gateway = _gateway(dhaka, store_plugins)
    order = _order(dhaka)
    started = gateway.start(dhaka.info, order)
    gateway.handle_return(dhaka.info, order, {"session_id": started.reference})
    gateway.handle_webhook(dhaka.info, b"{}", {"Stripe-Signature": "t=1,v1=00"})
    gateway.refund(dhaka.info, replace(order, payment_reference="pi_test_missing"),
                   Money(100, "BDT"))
    with pytest.raises(PluginCheckoutError) as refused:
        _gateway(wrong, store_plugins).start(wrong.info, _order(wrong))
    _gateway(wrong, store_plugins).refund(wrong.info, replace(order,
                                                              payment_reference="pi_x"),
                                          Money(100, "BDT"))

    logged = caplog.text + str(refused.value) + refused.value.shopper_message
    assert "Stripe refund for order" in caplog.text  # the failures were logged ...
    assert "Request to Stripe api" in caplog.text  # ... and so was the library
    for secret in (dhaka.keys.secret, dhaka.keys.webhook, wrong_key, wrong_key[-12:]):
        assert secret not in logged  # ... without the secrets
    assert stripe.api_key is None


# ---------------------------------------------------------- the merchant's language


def test_every_word_for_the_merchant_is_translated():
    assert_translated("plugins.stripe_checkout")


#: Per admin language: the description, the secret key's label, and the message for a
#: publishable key that is not one. "Stripe", the title, is a name in every language.
ADMIN_WORDS = {
    "bn": ("Stripe-এর নিরাপদ চেকআউট পেজে কার্ডে পেমেন্ট", "সিক্রেট কি",
           "পাবলিশেবল কি pk_live_ বা pk_test_ দিয়ে শুরু হয়।"),
    "hy": ("Քարտով վճարումներ Stripe-ի անվտանգ վճարման էջում", "Գաղտնի բանալի",
           "Հրապարակային բանալին սկսվում է pk_live_ կամ pk_test_-ով։"),
    "en": ("Card payments on Stripe&#39;s secure checkout page", "Secret key",
           "A publishable key starts with pk_live_ or pk_test_."),
}


@pytest.mark.parametrize(("locale", "currency"), [("bn", "BDT"), ("hy", "AMD"),
                                                  ("en", "USD")])
def test_the_settings_page_is_in_the_owners_language(make_store, enable_plugin,
                                                     store_client, locale, currency):
    description, label, refusal = ADMIN_WORDS[locale]
    tenant = make_store(f"{locale}-cards", locale=locale, currency=currency)
    enable_plugin(tenant, PLUGIN)
    owner = sign_in(store_client, tenant)
    page = html(owner.get(f"/admin/plugins/{PLUGIN}"))
    assert "<h1>Stripe</h1>" in page
    assert f'<p class="lead">{description}' in page
    assert f'<label for="setting-secret_key">{label}</label>' in page
    if locale != "en":
        assert "Card payments on Stripe" not in page and ">Secret key<" not in page

    refused = owner.post(f"/admin/plugins/{PLUGIN}", data={"publishable_key": "sk_live_1"})
    assert refused.status_code == 422
    assert (f'<p class="error" id="setting-publishable_key-error">{refusal}</p>'
            in html(refused))


def test_refund_messages_are_in_the_merchants_language(open_shop):
    keys = Keys("pk_test_abc", "sk_test_abc", "whsec_abc")
    gateway = StripeGateway(label="Card (Stripe)")
    for slug, locale, message in (
            ("dhaka-no-key", "bn", "Stripe সেট আপ করা হয়নি: Stripe সেটিংসে সিক্রেট কি যোগ করুন।"),
            ("yerevan-no-key", "hy", "Stripe-ը կարգավորված չէ․ ավելացրեք գաղտնի բանալին "
                                     "Stripe-ի կարգավորումներում։"),
            ("london-no-key", "en", "Stripe is not set up: add the secret key in the Stripe "
                                    "settings.")):
        shop = open_shop(slug, keys, locale=locale, secrets_={})
        with tenant_scope(shop.tenant.id):  # the admin's language is the store's here
            refused = gateway.refund(shop.info, _order(shop), TOTAL)
        assert (refused.ok, refused.message) == (False, message)


# ---------------------------------------------------------------------- the fake


def test_the_fake_refuses_what_stripe_refuses(fake_api):
    """The fake's own checks, seen through the real library (so plugin tests can trust
    a 200 from it)."""
    client = api.client(fake_api.a.secret)
    sessions = client.v1.checkout.sessions
    item = {"quantity": 1, "price_data": {"currency": "bdt", "unit_amount": 5000,
                                          "product_data": {"name": "Tea"}}}
    created = sessions.create({"mode": "payment", "line_items": [item]},
                              options={"idempotency_key": "k1"})

    with pytest.raises(stripe.IdempotencyError):
        sessions.create({"mode": "payment", "line_items": [item, item]},
                        options={"idempotency_key": "k1"})
    with pytest.raises(stripe.InvalidRequestError) as missing:
        sessions.create({"line_items": [item]})
    assert (missing.value.code, missing.value.error.param) == ("parameter_missing", "mode")
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        sessions.create({"mode": "payment", "line_items": [item], "colour": "red"})
    assert unknown.value.user_message == "Received unknown parameter: colour"
    with pytest.raises(stripe.InvalidRequestError) as elsewhere:
        api.client(fake_api.b.secret).v1.checkout.sessions.retrieve(created.id)
    assert (elsewhere.value.http_status, elsewhere.value.code) == (404, "resource_missing")
    with pytest.raises(stripe.AuthenticationError):
        api.client("sk_test_unknown").v1.checkout.sessions.retrieve(created.id)
    assert sessions.retrieve(created.id).amount_total == 5000


def test_signatures_dated_too_far_ahead_are_refused(fake_api, fake_shops, store_plugins):
    dhaka, _ = fake_shops
    gateway = _gateway(dhaka, store_plugins)
    session_id = gateway.start(dhaka.info, _order(dhaka)).reference
    good = fake_api.fake.pay(session_id)
    now = int(time.time())
    ahead = _deliver(gateway, dhaka, good.signed(dhaka.keys.webhook, timestamp=now + 3600))
    assert (ahead.status, ahead.results) == (400, ())
    assert _deliver(gateway, dhaka, good.signed(dhaka.keys.webhook, now + 240)).status == 200
