"""Per-store sequential order numbers (#1001, #1002, ...), gap-free under concurrency."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.orders.models import FIRST_ORDER_NUMBER, OrderCounter


def next_order_number() -> int:
    """Take the store's next order number inside the current transaction.

    The counter row stays locked until the transaction ends, so concurrent orders of
    one store get consecutive numbers, and a rolled-back order gives its number back.
    """
    number = db.session.scalar(
        update(OrderCounter).values(last_number=OrderCounter.last_number + 1)
        .returning(OrderCounter.last_number).execution_options(synchronize_session=False))
    if number is not None:
        return int(number)
    try:  # the store's first order; a racing first order makes this insert fail
        with db.session.begin_nested():
            db.session.add(OrderCounter(last_number=FIRST_ORDER_NUMBER))
    except IntegrityError:
        return next_order_number()
    return FIRST_ORDER_NUMBER
