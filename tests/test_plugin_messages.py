"""Plugins send messages through core's layer (``core.sdk.send_message``): the store's
own channels, logged on the customer's page, once per key, never as another store."""

from __future__ import annotations

import pytest

from admin_support import html, make_gateways, open_shops, place, sign_in
from conftest import make_plugin, read_outbox, read_sms
from core.pluginhost.web import plugins_for_tenant
from core.sdk import send_message

PLUGIN = "thank-you"


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, outbox):
    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())

    def thank(store, order):
        send_message(store, PLUGIN, to=order.phone or order.email,
                     text=f"Thank you for order #{order.number}!", key=f"paid:{order.id}",
                     customer_id=order.customer_id)

    install_plugin(make_plugin(PLUGIN, haat_order_paid=thank))
    enable_plugin(shops["a"], PLUGIN)
    return shops


def info(app, tenant):
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def test_a_plugins_message_goes_by_sms_and_is_logged_on_the_customer(app, shops,
                                                                     store_client, outbox):
    order = place(app, shops)
    client = sign_in(store_client, shops["a"])
    assert client.post(f"/admin/orders/{order.id}/mark-paid").status_code == 303

    thanks = [s for s in read_sms(outbox) if s["text"].startswith("Thank you")]
    assert [(s["To"], s["text"]) for s in thanks] == [
        ("+8801712345678", f"Thank you for order #{order.number}!")]
    page = html(client.get(f"/admin/customers/{order.customer_id}"))
    assert f"From the plugin {PLUGIN}" in page and "Thank you for order" in page


def test_the_same_key_sends_once(app, shops, outbox):
    store = info(app, shops["a"])
    with app.app_context():
        assert send_message(store, PLUGIN, to="01812345678", text="Hello", key="k1") is True
        assert send_message(store, PLUGIN, to="01812345678", text="Hello", key="k1") is False
    assert len([s for s in read_sms(outbox) if s["text"] == "Hello"]) == 1


def test_an_email_address_gets_an_email_with_the_subject(app, shops, outbox):
    store = info(app, shops["a"])
    with app.app_context():
        send_message(store, PLUGIN, to="Asha@Example.com", text="Your gift card is ready.",
                     subject="A gift for you", key="gift")
    [message] = read_outbox(outbox)
    assert message["Subject"] == "A gift for you"
    assert message["To"].addresses[0].addr_spec == "asha@example.com"


@pytest.mark.parametrize(("fields", "problem"), [
    ({"to": "not a phone"}, "neither a phone number nor an email"),
    ({"text": "  "}, "text is empty"),
    ({"text": "অ" * 700}, "at most 10 parts"),
    ({"key": "k" * 151}, "key must be"),
    ({"plugin": "nobody"}, "not an installed plugin"),
])
def test_bad_arguments_raise_a_clear_error(app, shops, fields, problem):
    store = info(app, shops["a"])
    arguments = {"plugin": PLUGIN, "to": "01812345678", "text": "Hi", "key": "k", **fields}
    with app.app_context(), pytest.raises(ValueError, match=problem):
        send_message(store, arguments.pop("plugin"), **arguments)


def test_a_customer_of_another_store_is_refused(app, shops):
    order_b = place(app, shops, "b")
    store_a = info(app, shops["a"])
    with app.app_context(), pytest.raises(ValueError, match="not a customer of this store"):
        send_message(store_a, PLUGIN, to="01812345678", text="Hi", key="x",
                     customer_id=order_b.customer_id)


# ------------------------------------------------------------ marketing consent


def test_a_plugin_sends_news_only_with_consent_and_its_link_stops_them(
        app, make_store, add_product, install_plugin, enable_plugin, outbox, store_client):
    import re

    from conftest import client_for
    from core.sdk import marketing_allowed, unsubscribe_url

    shops = open_shops(app, make_store, add_product, install_plugin, enable_plugin,
                       make_gateways())

    def offer(store, order):
        if marketing_allowed(store, order.customer_id, "sms"):
            send_message(store, "offers", to=order.phone,
                         text=f"10% off your next order. Stop these: "
                              f"{unsubscribe_url(store, order.customer_id, 'sms')}",
                         key=f"offer:{order.id}", customer_id=order.customer_id)

    install_plugin(make_plugin("offers", haat_order_paid=offer))
    enable_plugin(shops["a"], "offers")
    owner = sign_in(store_client, shops["a"])

    def paid_order(**form) -> None:
        order = place(app, shops, **form)
        assert owner.post(f"/admin/orders/{order.id}/mark-paid").status_code == 303

    def offers() -> list[str]:
        return [s["text"] for s in read_sms(outbox) if s["text"].startswith("10% off")]

    paid_order()  # no box ticked: no news
    assert offers() == []
    paid_order(marketing="y")
    [sent] = offers()
    link = re.search(r"http://dhaka-shop\.localhost(/unsubscribe/\S+)", sent).group(1)

    shopper = client_for(app, "dhaka-shop.localhost")
    page = html(shopper.get(link))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert shopper.post(link, data={"csrf_token": token}).status_code == 200
    paid_order()
    assert len(offers()) == 1  # withdrawn: the plugin sent nothing more


def test_consent_questions_stay_inside_the_store(app, shops):
    from core.sdk import marketing_allowed, unsubscribe_url

    order_b = place(app, shops, "b", marketing="y")
    store_a, store_b = info(app, shops["a"]), info(app, shops["b"])
    with app.app_context():
        assert marketing_allowed(store_b, order_b.customer_id, "sms") is True
        assert marketing_allowed(store_a, order_b.customer_id, "sms") is False
        with pytest.raises(ValueError, match="not a customer of this store"):
            unsubscribe_url(store_a, order_b.customer_id, "sms")
        with pytest.raises(ValueError, match="channel"):
            marketing_allowed(store_b, order_b.customer_id, "fax")
        assert unsubscribe_url(store_b, order_b.customer_id, "email").startswith(
            "http://other-shop.")
