"""The scheduled query: settles the store's bKash payments that stayed pending.

Every five minutes, for each of the store's bKash payments created more than a minute
ago and not settled yet (the shopper closed the tab after paying, or Execute Payment
timed out): Query Payment; ``Completed`` is paid; a payment bKash still shows as
``Initiated`` is executed (bKash completes it only if the shopper authorised it on
bKash's page, and refuses otherwise, so trying is harmless); after ``GIVE_UP`` seconds a
payment that is still not complete is failed.

A schedule has no request to hand its results back through, so it applies them with
``core.sdk.apply_payment_result``, once per event id, as a return would.
"""

from __future__ import annotations

import logging

from core.sdk import PaymentResult, Schedule, StoreInfo, apply_payment_result, get_order

from . import api, payments
from .config import BkashConfig
from .gateway import GATEWAY_ID, execute
from .outcomes import from_query
from .texts import _

log = logging.getLogger(__name__)

#: Leave the shopper a minute to come back by themselves.
MIN_AGE = 60
#: After this, a payment that is not complete is given up (failed). bKash's payment
#: page times out long before; a real sandbox run should confirm the exact window.
GIVE_UP = 24 * 3600
#: Payments looked at per run, oldest first.
BATCH = 50


def apply(store: StoreInfo, result: PaymentResult) -> bool:
    """Hand ``result`` to core, as a return or a webhook would."""
    return apply_payment_result(store, GATEWAY_ID, result)


def resolve_pending(store: StoreInfo) -> None:
    """Query, execute or give up each unsettled bKash payment of ``store``."""
    config = BkashConfig.of(store)
    if not config.ready:
        return
    client = api.Client(store, config)
    now = api.clock()
    waiting = sorted(payments.pending(store).items(),
                     key=lambda item: float(item[1].get("created") or 0))
    for payment_id, record in waiting[:BATCH]:
        age = now - float(record.get("created") or 0)
        if age < MIN_AGE:
            continue
        order = get_order(store, int(record.get("order_id") or 0))
        if (order is None or order.token != record.get("order")
                or order.payment_method != GATEWAY_ID
                or order.payment_state not in ("pending", "failed")):
            payments.settled(store, payment_id)
            continue
        try:
            answer = client.query(payment_id)
        except api.BkashError as exc:
            if exc.code == "2002":  # bKash does not know it (another account's)
                payments.settled(store, payment_id)
            log.warning("bKash query of %s (store %s) failed: %s", payment_id,
                        store.slug, exc.code)
            continue
        status = str(answer.get("transactionStatus") or "")
        if status == "Initiated":
            result = execute(store, order, payment_id, client)
            if result.state == "pending" and age >= GIVE_UP:
                result = from_query(store, order, payment_id, answer, unpaid="expired")
        else:
            result = from_query(store, order, payment_id, answer)
        if result.state != "pending":
            apply(store, result)


SCHEDULES = (
    Schedule("resolve_pending", resolve_pending, "*/5 * * * *",
             title=_.lazy("Pending bKash payments")),
)
