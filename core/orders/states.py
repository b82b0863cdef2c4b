"""The two state machines of an order: its payment and its fulfilment.

Every change goes through :func:`check_payment` / :func:`check_fulfilment`, which
refuse a move the table does not allow. The tables are the whole rule; the services
in ``core.orders.service`` only add the side effects (restock, events, hooks).
"""

from __future__ import annotations

from collections.abc import Mapping

PENDING = "pending"
AUTHORISED = "authorised"
PAID = "paid"
PARTIALLY_REFUNDED = "partially_refunded"
REFUNDED = "refunded"
FAILED = "failed"
PAYMENT_STATES = (PENDING, AUTHORISED, PAID, PARTIALLY_REFUNDED, REFUNDED, FAILED)

UNFULFILLED = "unfulfilled"
FULFILLED = "fulfilled"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
RETURNED = "returned"
FULFILMENT_STATES = (UNFULFILLED, FULFILLED, SHIPPED, DELIVERED, CANCELLED, RETURNED)

PAYMENT_MOVES: Mapping[str, frozenset[str]] = {
    PENDING: frozenset({AUTHORISED, PAID, FAILED}),
    AUTHORISED: frozenset({PAID, FAILED}),
    # A shopper may pay again after a failed attempt (a new card, a corrected wallet id).
    FAILED: frozenset({PENDING, PAID}),
    PAID: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    PARTIALLY_REFUNDED: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    REFUNDED: frozenset(),
}

FULFILMENT_MOVES: Mapping[str, frozenset[str]] = {
    UNFULFILLED: frozenset({FULFILLED, SHIPPED, CANCELLED}),
    FULFILLED: frozenset({SHIPPED, CANCELLED}),
    SHIPPED: frozenset({DELIVERED, RETURNED}),
    DELIVERED: frozenset({RETURNED}),
    CANCELLED: frozenset(),
    RETURNED: frozenset(),
}

#: States in which the goods are (back) on the shelf: moving here restocks.
RESTOCKING_STATES = frozenset({CANCELLED, RETURNED})
#: Payment states that mean money arrived at some point.
MONEY_RECEIVED = frozenset({PAID, PARTIALLY_REFUNDED, REFUNDED})


class InvalidTransition(ValueError):
    """The order cannot move from its state to the one asked for."""

    def __init__(self, machine: str, current: str, wanted: str) -> None:
        super().__init__(f"{machine}: cannot go from {current} to {wanted}")
        self.machine = machine
        self.current = current
        self.wanted = wanted


def can_move_payment(current: str, wanted: str) -> bool:
    """True when the payment may go from ``current`` to ``wanted``."""
    return wanted in PAYMENT_MOVES.get(current, frozenset())


def can_move_fulfilment(current: str, wanted: str) -> bool:
    """True when the fulfilment may go from ``current`` to ``wanted``."""
    return wanted in FULFILMENT_MOVES.get(current, frozenset())


def check_payment(current: str, wanted: str) -> None:
    """Raise :class:`InvalidTransition` unless the payment move is allowed."""
    if not can_move_payment(current, wanted):
        raise InvalidTransition("payment", current, wanted)


def check_fulfilment(current: str, wanted: str) -> None:
    """Raise :class:`InvalidTransition` unless the fulfilment move is allowed."""
    if not can_move_fulfilment(current, wanted):
        raise InvalidTransition("fulfilment", current, wanted)
