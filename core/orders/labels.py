"""An order's states, and the moves they refuse, in the merchant's words.

The states stay machine values in the database (``core.orders.states``); these are
what the admin shows. They are lazy strings of the admin's catalogue (domain
"admin"): translated when shown, so an error raised by ``core.orders.service`` reads
in the merchant's language on an admin page, and in English anywhere else. Timeline
entries keep codes, not these words, and are translated when shown
(``core.orders.timeline``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from core.orders import states

PAYMENT_LABELS = {
    states.PENDING: _l("Pending"), states.AUTHORISED: _l("Authorised"), states.PAID: _l("Paid"),
    states.PARTIALLY_REFUNDED: _l("Partially refunded"), states.REFUNDED: _l("Refunded"),
    states.FAILED: _l("Failed"),
}
FULFILMENT_LABELS = {
    states.UNFULFILLED: _l("Unfulfilled"), states.FULFILLED: _l("Packed"),
    states.SHIPPED: _l("Shipped"), states.DELIVERED: _l("Delivered"),
    states.CANCELLED: _l("Cancelled"), states.RETURNED: _l("Returned"),
}

#: What a carrier reported about a parcel (``core.sdk.TRACKING_STATUSES``).
TRACKING_LABELS = {
    "booked": _l("Booked"), "picked_up": _l("Picked up"), "in_transit": _l("In transit"),
    "out_for_delivery": _l("Out for delivery"),
    "delivery_failed": _l("Delivery attempt failed"), "delivered": _l("Delivered"),
    "returning": _l("Returning to you"), "returned": _l("Returned"),
}


def tracking_status_label(status: str) -> str:
    """A tracking status in the merchant's words ("In transit")."""
    return str(TRACKING_LABELS.get(status, status.replace("_", " ")))


#: Why a move is refused, by (machine, wanted state); ``%(state)s`` is the current one.
_REFUSALS = {
    ("payment", states.PAID): _l("This payment is %(state)s; it cannot be marked as paid now."),
    ("payment", states.FAILED): _l("This payment is %(state)s; it cannot be rejected now."),
    ("payment", states.PARTIALLY_REFUNDED):
        _l("This payment is %(state)s; it cannot be refunded now."),
    ("payment", states.REFUNDED): _l("This payment is %(state)s; it cannot be refunded now."),
    ("fulfilment", states.FULFILLED): _l("This order is %(state)s; it cannot be packed now."),
    ("fulfilment", states.SHIPPED): _l("This order is %(state)s; it cannot be shipped now."),
    ("fulfilment", states.DELIVERED):
        _l("This order is %(state)s; it cannot be marked as delivered now."),
    ("fulfilment", states.CANCELLED): _l("This order is %(state)s; it cannot be cancelled now."),
    ("fulfilment", states.RETURNED):
        _l("This order is %(state)s; it cannot be marked as returned now."),
}
_OTHER_PAYMENT = _l("This payment is %(state)s; it cannot change like that now.")
_OTHER_ORDER = _l("This order is %(state)s; it cannot change like that now.")


def state_label(machine: str, state: str) -> str:
    """The state's name for the merchant, in lower case ("shipped"), for a sentence."""
    labels = PAYMENT_LABELS if machine == "payment" else FULFILMENT_LABELS
    return str(labels.get(state, state.replace("_", " "))).lower()


def refusal(machine: str, current: str, wanted: str,
            sentence: LazyString | None = None) -> LazyString:
    """Why the ``machine`` ("payment" or "fulfilment") cannot go from ``current`` to
    ``wanted`` now, as a lazy string. ``sentence`` (with ``%(state)s``) replaces the
    usual one, e.g. for a button whose move is the same but whose words are not."""
    template = sentence or _REFUSALS.get((machine, wanted)) or (
        _OTHER_PAYMENT if machine == "payment" else _OTHER_ORDER)
    return LazyString(lambda: str(template) % {"state": state_label(machine, current)})
