"""The Stripe payment gateway: Checkout Sessions, returns, webhooks and refunds.

Card data never reaches Haat: the shopper pays on Stripe's hosted Checkout page. The
order is marked paid from a signed webhook or when the shopper comes back, and in
both cases only from what Stripe itself says about the session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe

from core.sdk import (
    Money,
    OrderSnapshot,
    PaymentResult,
    PaymentStart,
    PluginCheckoutError,
    RefundResult,
    StoreInfo,
    WebhookResult,
)

from . import api
from .amounts import AmountNotPayable, from_stripe, to_stripe
from .checkout import checkout_key, refund_key, session_params
from .config import PLUGIN, StripeConfig
from .events import object_id, results_for
from .texts import _, text

log = logging.getLogger(__name__)

GATEWAY_ID = "stripe"
#: Seconds a signed webhook stays acceptable (Stripe's own default), and how far ahead
#: of our clock its signature may be dated (clock skew; stripe-python checks only the past).
TOLERANCE = 300
SIGNATURE_HEADER = "Stripe-Signature"
#: Webhook bodies that are signed but are not an event object fail in these ways.
_BAD_BODY = (ValueError, TypeError, AttributeError)


@dataclass(frozen=True)
class StripeGateway:
    """Card payments through Stripe Checkout, for one store's checkout."""

    label: str
    description: str = ""
    id: str = GATEWAY_ID
    method: str = "card"
    brand: str = "Stripe"
    refunds: bool = True

    # ------------------------------------------------------------------ start

    def start(self, store: StoreInfo, order: OrderSnapshot) -> PaymentStart:
        """Create (once per order) a Checkout Session and send the shopper to it."""
        locale = order.locale or store.locale
        config = StripeConfig.of(store)
        if not config.ready:
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail="Stripe keys are not set")
        try:
            amount = to_stripe(order.total)
            if amount <= 0:
                raise AmountNotPayable("nothing to pay")
        except AmountNotPayable as exc:
            raise PluginCheckoutError(text(locale, "not_payable"), plugin=PLUGIN,
                                      detail=str(exc)) from None
        try:
            session = api.client(config.secret_key).v1.checkout.sessions.create(
                session_params(store, order, amount, config),
                options={"idempotency_key": checkout_key(store, order)},
            )
        except stripe.StripeError as exc:
            detail = api.describe(exc)
            log.warning("Stripe Checkout for order %s of store %s failed: %s",
                        order.number, store.slug, detail)
            # "from None": Stripe's exception text quotes part of a rejected key.
            raise PluginCheckoutError(text(locale, "start_failed"), plugin=PLUGIN,
                                      detail=detail) from None
        return PaymentStart(redirect_url=session.url, reference=session.id)

    # ----------------------------------------------------------------- return

    def handle_return(self, store: StoreInfo, order: OrderSnapshot,
                      params: Mapping[str, str]) -> PaymentResult:
        """Ask Stripe about the session the shopper comes back from; trust nothing else."""
        locale = order.locale or store.locale
        waiting = PaymentResult(order.token, "pending", message=text(locale, "waiting"))
        session_id = str(params.get("session_id") or "")
        if not session_id.startswith("cs_"):
            reference = order.payment_reference
            session_id = reference if reference.startswith("cs_") else ""
        config = StripeConfig.of(store)
        if not session_id or not config.secret_key:
            return waiting
        try:
            session = api.client(config.secret_key).v1.checkout.sessions.retrieve(
                session_id).to_dict()
        except stripe.StripeError as exc:
            # The webhook will still tell; the order page keeps saying "waiting".
            log.warning("Stripe session lookup for order %s of store %s failed: %s",
                        order.number, store.slug, api.describe(exc))
            return waiting
        return self._returned(store, order, session, waiting)

    def _returned(self, store: StoreInfo, order: OrderSnapshot,
                  session: Mapping[str, Any], waiting: PaymentResult) -> PaymentResult:
        locale = order.locale or store.locale
        metadata = session.get("metadata") or {}
        if (session.get("client_reference_id") != order.token
                or metadata.get("haat_order") != order.token
                or metadata.get("haat_store") != str(store.id)):
            return PaymentResult(order.token, "pending",
                                 message=text(locale, "not_this_order"))
        reference = object_id(session.get("payment_intent"))
        if session.get("payment_status") == "paid":
            paid = from_stripe(int(session.get("amount_total") or 0),
                               str(session.get("currency") or ""))
            if paid != order.total:
                log.warning("Stripe session %s of store %s paid %s for an order of %s",
                            session.get("id"), store.slug, paid, order.total)
                return PaymentResult(order.token, "pending",
                                     message=text(locale, "not_this_order"))
            return PaymentResult(order.token, "paid", provider_reference=reference,
                                 amount=paid)
        if session.get("status") == "expired":
            return PaymentResult(order.token, "failed", provider_reference=reference,
                                 message=text(locale, "expired"))
        return PaymentResult(order.token, "pending", provider_reference=reference,
                             message=waiting.message)

    # ---------------------------------------------------------------- webhook

    def handle_webhook(self, store: StoreInfo, payload: bytes,
                       headers: Mapping[str, str]) -> WebhookResult:
        """Verify the signature on the raw body, then read the event; no API calls."""
        config = StripeConfig.of(store)
        if not config.webhook_secret:
            log.warning("Stripe webhook for store %s refused: no signing secret is set",
                        store.slug)
            return WebhookResult(status=400)
        signature = _header(headers, SIGNATURE_HEADER)
        if _dated_ahead(signature, time.time()):
            log.warning("Stripe webhook for store %s refused: signed in the future",
                        store.slug)
            return WebhookResult(status=400)
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, config.webhook_secret,
                tolerance=TOLERANCE, api_key=config.secret_key or None)
        except (stripe.SignatureVerificationError, *_BAD_BODY) as exc:
            log.warning("Stripe webhook for store %s refused: %s", store.slug,
                        type(exc).__name__)
            return WebhookResult(status=400)
        return WebhookResult(status=200, results=results_for(event.to_dict(), store.id))

    # ----------------------------------------------------------------- refund

    def refund(self, store: StoreInfo, order: OrderSnapshot, amount: Money) -> RefundResult:
        """Refund ``amount`` of the order's payment through Stripe; never raises.

        The messages are for the merchant, in the language of the moment (the admin's:
        refunds are made from the order page)."""
        config = StripeConfig.of(store)
        if not config.secret_key:
            return RefundResult(False, amount, message=_(
                "Stripe is not set up: add the secret key in the Stripe settings."))
        if amount.currency != order.total.currency or amount.amount <= 0:
            return RefundResult(False, amount, message=_(
                "Enter an amount above zero in the order's currency."))
        try:
            value = to_stripe(amount)
        except AmountNotPayable:
            return RefundResult(False, amount, message=_(
                "Stripe cannot refund exactly %(amount)s.", amount=amount))
        client = api.client(config.secret_key)
        try:
            intent = _payment_intent(client, store, order)
            if not intent:
                return RefundResult(False, amount, message=_(
                    "This order has no Stripe payment to refund."))
            refund = client.v1.refunds.create(
                {"payment_intent": intent, "amount": value,
                 "metadata": {"haat_store": str(store.id), "haat_order": order.token}},
                options={"idempotency_key": refund_key(store, order, amount.amount)},
            )
        except stripe.StripeError as exc:
            log.warning("Stripe refund for order %s of store %s failed: %s",
                        order.number, store.slug, api.describe(exc))
            return RefundResult(False, amount, message=api.refund_message(exc))
        return _refund_result(refund.to_dict(), amount)


def _refund_result(refund: Mapping[str, Any], asked: Money) -> RefundResult:
    status = refund.get("status")
    amount = (from_stripe(refund["amount"], refund["currency"])
              if isinstance(refund.get("amount"), int) and refund.get("currency") else asked)
    reference = str(refund.get("id") or "")
    if status in ("failed", "canceled"):
        # The status is Stripe's word, as its dashboard shows it.
        return RefundResult(False, amount, provider_reference=reference, message=_(
            "Stripe could not send the refund (%(status)s).", status=status))
    if status == "pending":
        message = _("Stripe is sending the refund; it can take a few days to arrive.")
    elif status == "requires_action":
        message = _("Stripe needs the shopper's bank details for this refund; see the "
                    "payment in Stripe's dashboard.")
    else:
        message = ""
    return RefundResult(True, amount, provider_reference=reference, message=message)


def _payment_intent(client: stripe.StripeClient, store: StoreInfo,
                    order: OrderSnapshot) -> str:
    """The order's PaymentIntent id: the reference once paid, else from its session."""
    reference = order.payment_reference
    if reference.startswith("pi_"):
        return reference
    if not reference.startswith("cs_"):
        return ""
    session = client.v1.checkout.sessions.retrieve(reference).to_dict()
    metadata = session.get("metadata") or {}
    if (session.get("client_reference_id") != order.token
            or metadata.get("haat_store") != str(store.id)):
        return ""
    return object_id(session.get("payment_intent"))


def _dated_ahead(signature: str | None, now: float) -> bool:
    """True when the ``t=`` of a ``Stripe-Signature`` header is more than
    :data:`TOLERANCE` seconds after ``now``: a signature made for later (a signing key
    leaked and used ahead) would otherwise stay valid until that time plus the
    tolerance. A header without a readable ``t=`` is left to ``construct_event``."""
    for item in (signature or "").split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t":
            try:
                return int(value) > now + TOLERANCE
            except ValueError:
                return False
    return False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header by name, whatever its case."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.casefold()
    return next((v for k, v in headers.items() if k.casefold() == wanted), None)
