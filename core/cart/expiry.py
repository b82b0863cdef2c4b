"""Abandoned carts are deleted after ``HAAT_CART_MAX_AGE_DAYS`` days untouched.

A cart row exists only once a shopper has put something in it (``add_to_cart``); it is
deleted when the order is placed, and nothing else refers to it (orders and pending
payments keep their own copies of the lines). Carts are anonymous: they hang on the
shopper's cookie, not on a customer account, so one rule covers them all: a cart whose
``updated_at`` (any change to it) is older than the limit is deleted with its lines.
The cookie lasts 60 days, so a limit of 60 or more loses nothing a shopper could
still reach.

Who runs it: every jobs worker, once an hour (a Huey periodic task, ``core/jobs.py``),
for all stores; ``haat carts expire`` runs it by hand, for all stores or one. The
platform-wide run is tenant-safe because it decides by age alone and deletes whole
carts with their own lines; it works in batches so that a backlog never holds one
long transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select

from core.cart.models import Cart
from core.db import db, utcnow
from tenants import platform_scope, tenant_scope

#: Carts deleted per transaction.
BATCH = 1000


def max_age() -> timedelta:
    """``HAAT_CART_MAX_AGE_DAYS`` as a duration (at least one day)."""
    return timedelta(days=max(int(current_app.config["HAAT_CART_MAX_AGE_DAYS"]), 1))


def expire_carts(older_than: timedelta | None = None, *, store_id: int | None = None,
                 now: datetime | None = None) -> int:
    """Delete carts untouched for longer than ``older_than`` (default :func:`max_age`),
    in every store or only in ``store_id``; returns how many. Commits per batch."""
    cutoff = (now or utcnow()) - (older_than or max_age())
    deleted = 0
    while True:
        with _scope(store_id):
            ids = list(db.session.scalars(select(Cart.id).where(Cart.updated_at < cutoff)
                                          .order_by(Cart.id).limit(BATCH)))
            if ids:
                # Age checked again: a cart changed since the read is kept. Lines go
                # with their cart (ON DELETE CASCADE; core turns SQLite's foreign keys on).
                db.session.execute(delete(Cart).where(Cart.id.in_(ids),
                                                      Cart.updated_at < cutoff),
                                   execution_options={"synchronize_session": False})
            db.session.commit()
        deleted += len(ids)
        if len(ids) < BATCH:
            return deleted


def _scope(store_id: int | None) -> AbstractContextManager[None]:
    return platform_scope() if store_id is None else tenant_scope(store_id)


def expire_carts_now(app: Flask) -> int:
    """What the hourly periodic task runs: :func:`expire_carts` for all stores."""
    with app.app_context():
        return expire_carts()
