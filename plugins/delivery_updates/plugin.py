"""Delivery updates: an SMS (or an email, for shoppers who gave only one) at each step
of the parcel's journey that a courier reports, in the shopper's language.

Couriers report steps with ``core.sdk.record_tracking``; Haat already tells the shopper
when the order ships and when it is delivered. This plugin adds the steps between, and
the parcel coming back: the merchant chooses which. Each step is told once per order
(the message key is the order and the step), however often the courier repeats it.
"""

from __future__ import annotations

import logging

from core.sdk import (
    MultiChoiceField,
    OrderSnapshot,
    PluginManifest,
    StoreInfo,
    TrackingEvent,
    hookimpl,
    send_message,
)

from .texts import MESSAGES, SUBJECTS, TRACK, _, shopper_text

PLUGIN = "delivery-updates"
log = logging.getLogger(__name__)

#: The steps the merchant may choose, in journey order, with their labels.
STEPS = (
    ("picked_up", _.lazy("The courier picked up the parcel")),
    ("in_transit", _.lazy("The parcel is on its way")),
    ("out_for_delivery", _.lazy("The parcel is out for delivery")),
    ("delivery_failed", _.lazy("A delivery attempt failed")),
    ("returned", _.lazy("The parcel came back to the store")),
)
DEFAULT_STEPS = ("picked_up", "out_for_delivery", "delivery_failed", "returned")

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("Delivery updates"),
    description=_.lazy("Tell shoppers by SMS or email when the courier picks up their "
                       "parcel, when it is out for delivery, and if a delivery fails or "
                       "the parcel comes back. Needs a courier plugin that reports "
                       "tracking."),
    settings=(
        MultiChoiceField(
            "steps", _.lazy("Tell the shopper when"), choices=STEPS,
            default=DEFAULT_STEPS,
            help=_.lazy("Haat always tells the shopper when the order ships and when it "
                        "is delivered. Each step is told once per order.")),
    ),
)


def chosen_steps(store: StoreInfo) -> frozenset[str]:
    """The steps this store tells its shoppers about."""
    raw = store.plugin_settings(PLUGIN).get("steps")
    return frozenset(DEFAULT_STEPS if raw is None else raw)


def _digits(store: StoreInfo, text: str) -> str:
    if not store.bengali_digits:
        return text
    return text.translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))


def message_for(store: StoreInfo, order: OrderSnapshot, status: str) -> tuple[str, str]:
    """The text and the email subject for ``status``, in the order's language."""
    locale = order.locale or store.locale
    number = _digits(store, f"#{order.number}")
    link = (shopper_text(TRACK, locale).format(url=order.tracking_url)
            if order.tracking_url and status != "returned" else "")
    text = shopper_text(MESSAGES[status], locale).format(store=store.name, number=number,
                                                         link=link)
    subject = shopper_text(SUBJECTS, locale).format(store=store.name, number=number)
    return text, subject


@hookimpl
def haat_shipment_tracked(store: StoreInfo, order: OrderSnapshot,
                          event: TrackingEvent) -> None:
    """Tell the shopper about a step the merchant chose, once per order and step."""
    if event.status not in MESSAGES or event.status not in chosen_steps(store):
        return
    to = order.phone or order.email
    if not to:
        return
    text, subject = message_for(store, order, event.status)
    try:
        send_message(store, PLUGIN, to=to, text=text, subject=subject,
                     key=f"step:{order.id}:{event.status}", customer_id=order.customer_id)
    except ValueError:  # a contact no channel can reach: nothing to send
        log.info("delivery update for order %s not sent: no reachable contact", order.id)
