"""The shopper's order status page, the return from a payment provider, and the
providers' webhooks.

``/orders/<token>`` needs no account: the token is a 32-character secret, looked up
in the current store only, so a token of store A is simply not found on store B.
The page is never cached and sends no referrer, so the token does not leak into a
courier's tracking site.
"""

from __future__ import annotations

import logging

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.checkout.placement import find_gateway, start_payment, start_problem
from core.countries import country_name
from core.db import db
from core.orders import states
from core.orders.emails import safe_link
from core.orders.models import Order
from core.orders.queries import find_order_by_token
from core.orders.service import apply_payment_result
from core.orders.snapshots import order_snapshot
from core.orders.tracking import journey
from core.pluginhost.runtime import reraise_unless_isolating
from core.pluginhost.web import plugins_for_request
from core.sdk import PaymentResult, StoreInfo
from core.storefront.context import (
    current_locale,
    flash_shopper,
    private_response,
    render_page,
)
from core.storefront.views import bp
from core.web.server_routes import called_by_servers

log = logging.getLogger("haat.payments")
#: Payment states in which the shopper may (try to) pay again.
PAYABLE = frozenset({states.PENDING, states.FAILED})
SHOPPER_EVENTS = frozenset({"placed", "payment_paid", "payment_failed", "fulfilled", "shipped",
                            "delivered", "cancelled", "returned", "payment_refunded",
                            "payment_partially_refunded"})


def _order_or_404(token: str) -> Order:
    order = find_order_by_token(token)
    if order is None:
        abort(404)
    return order


def _store() -> StoreInfo:
    plugins = plugins_for_request()
    assert plugins is not None
    return plugins.info


@bp.get("/orders/<token>")
def order_status(token: str) -> Response:
    """Status, items, totals, payment and shipment of one order."""
    order = _order_or_404(token)
    store = _store()
    gateway = find_gateway(store, order.payment_method)
    can_pay = (order.payment_state in PAYABLE and order.fulfilment_state != states.CANCELLED
               and getattr(gateway, "method", "") == "card")
    timeline = [event for event in order.events if event.kind in SHOPPER_EVENTS]
    code = (order.shipping_address or {}).get("country", "")
    country = country_name(code, current_locale())
    # The parcel's journey as its carrier reported it (only a carrier's parcels have one).
    steps = journey(order.id, locale=current_locale(), timezone=store.timezone,
                    bengali_digits=store.bengali_digits) if order.carrier_id else []
    return private_response(render_page("order_status.html", title=_("Order %(number)s",
                                                              number=f"#{order.number}"),
                                order=order, can_pay=can_pay, timeline=timeline,
                                country=country, page_css="checkout.css",
                                tracking_link=safe_link(order.tracking_url),
                                journey=steps))


@bp.post("/orders/<token>/pay")
def order_pay(token: str) -> Response:
    """Start the payment again (a closed provider page, a declined card)."""
    order = _order_or_404(token)
    if order.payment_state not in PAYABLE or order.fulfilment_state == states.CANCELLED:
        flash_shopper(_("This order needs no payment now."), "error")
        return private_response(redirect(url_for("storefront.order_status", token=token), code=303))
    started = start_payment(order, None, _store())
    db.session.commit()
    if started is not None and started.redirect_url and started.redirect_url.startswith(
            ("https://", "http://")):
        return private_response(redirect(started.redirect_url, code=303))
    flash_shopper(payment_not_started(start_problem(order)), "error")
    return private_response(redirect(url_for("storefront.order_status", token=token), code=303))


def payment_not_started(reason: str | None) -> str:
    """What the shopper reads when the payment could not be started: the gateway's own
    words when it gave some."""
    if reason:
        return _("The payment could not be started: %(reason)s", reason=reason)
    return _("The payment could not be started. Please try again in a few minutes, "
             "or contact the shop.")


@bp.get("/orders/<token>/return")
def order_return(token: str) -> Response:
    """Where a payment provider sends the shopper back; the gateway checks with the
    provider (the query string alone proves nothing)."""
    order = _order_or_404(token)
    store = _store()
    gateway = find_gateway(store, order.payment_method)
    target = redirect(url_for("storefront.order_status", token=token), code=303)
    if gateway is None:
        return private_response(target)
    try:
        result = gateway.handle_return(store, order_snapshot(order, store),
                                       request.args.to_dict())
    except Exception as exc:
        reraise_unless_isolating(exc)
        log.exception("payment return failed for order %s", order.id)
        flash_shopper(_("We could not confirm the payment yet. This page will show it "
                        "once the payment provider tells us."), "error")
        return private_response(target)
    if isinstance(result, PaymentResult):
        apply_payment_result(order, result, order.payment_method)
        db.session.commit()
        messages = {"paid": _("Payment received. Thank you!"),
                    "failed": _("The payment did not go through. You can try again.")}
        if result.state in messages:
            flash_shopper(messages[result.state],
                          "success" if result.state == "paid" else "error")
    return private_response(target)


@bp.post("/payments/<gateway_id>/webhook")
@called_by_servers
def payment_webhook(gateway_id: str) -> Response:
    """A provider's event for this store; the gateway verifies its signature on the raw
    body. Each result is applied once (replays change nothing)."""
    store = _store()
    gateway = find_gateway(store, gateway_id)
    if gateway is None:
        return Response("unknown gateway", status=404, mimetype="text/plain")
    payload = request.get_data(cache=False)
    outcome = gateway.handle_webhook(store, payload, dict(request.headers))
    for result in outcome.results:
        order = find_order_by_token(result.order_token, with_lines=True)
        if order is None or order.payment_method != gateway_id:
            continue
        apply_payment_result(order, result, gateway_id)
        db.session.commit()
    return Response("", status=outcome.status or 200, mimetype="text/plain")
