"""Payments settled outside a request: a gateway's scheduled check of the payments its
shoppers left pending (a closed tab, a provider that did not answer in time).

This is the services layer of the SDK: it calls down into Haat's core, which plugins
never import themselves. Both functions enter the store's scope themselves, so they
work the same from a job, a schedule or a plugin's route, and can only ever touch the
store they were called for.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import db, utcnow
from core.orders import service, states
from core.orders.models import Order
from core.orders.queries import find_order_by_token
from core.orders.snapshots import order_snapshot
from core.sdk.commerce import OrderSnapshot, PaymentResult
from core.sdk.store import StoreInfo, require_store
from tenants import tenant_scope

__all__ = ["apply_payment_result", "orders_awaiting_payment"]

#: The most orders :func:`orders_awaiting_payment` returns at once.
MAX_AWAITING = 500


def orders_awaiting_payment(store: StoreInfo, gateway_id: str, *,
                            older_than: timedelta = timedelta(minutes=2),
                            newer_than: timedelta = timedelta(days=2),
                            limit: int = 100) -> list[OrderSnapshot]:
    """The orders of ``store`` paid with ``gateway_id`` (your ``PaymentGateway.id``) whose
    payment is still pending and that are not cancelled, placed more than
    ``older_than`` and less than ``newer_than`` ago, newest first, at most ``limit`` (up
    to 500): what a scheduled check asks the provider about. Newest first, so that
    payments abandoned long ago never crowd out today's. Two queries, whatever their
    number; ends the session's transaction (commits) before returning."""
    limit = max(1, min(int(limit), MAX_AWAITING))
    now = utcnow()
    with tenant_scope(require_store(store).id):
        orders = db.session.scalars(
            select(Order).where(Order.payment_method == gateway_id,
                                Order.payment_state == states.PENDING,
                                Order.fulfilment_state != states.CANCELLED,
                                Order.created_at <= now - older_than,
                                Order.created_at > now - newer_than)
            .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
            .options(selectinload(Order.lines))).all()
        snapshots = [order_snapshot(order, store) for order in orders]
        db.session.commit()  # end the read transaction; a schedule runs for a while
        return snapshots


def apply_payment_result(store: StoreInfo, gateway_id: str, result: PaymentResult) -> bool:
    """Apply what the provider said about a payment, from a job or a schedule, exactly as
    core applies a :class:`PaymentResult` from ``handle_return`` or ``handle_webhook``:
    once per ``event_id``, never backwards, and only when the amount is the order's
    total in its currency (a mismatch is noted on the timeline instead).

    ``result.order_token`` names the order; an order of another store, or one paid with
    another gateway, is left alone. Returns True when the order changed. Commits the
    database session (your own pending changes with it); ``haat_order_paid`` and the
    shopper's messages follow the commit.
    """
    with tenant_scope(require_store(store).id):
        order = find_order_by_token(result.order_token, with_lines=True)
        if order is None or order.payment_method != gateway_id:
            db.session.commit()
            return False
        changed = service.apply_payment_result(order, result, gateway_id)
        db.session.commit()
        return changed
