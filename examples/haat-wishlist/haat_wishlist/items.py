"""Reading and changing wishlists. Every function takes the ``StoreInfo`` it works for
and opens the plugin's own session for that store (``core.sdk.store_session``), so it
can only ever see or touch that store's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from core.sdk import StoreInfo, store_session
from haat_wishlist.models import WishlistItem

#: The most products one shopper can keep on their wishlist in one store.
MAX_ITEMS = 100


class WishlistFull(Exception):
    """The shopper has :data:`MAX_ITEMS` products saved already."""


class ProductGone(Exception):
    """The product was deleted while it was being saved."""


@dataclass(frozen=True)
class SavedItem:
    """One product on a shopper's wishlist."""

    product_id: int
    saved_at: datetime


def saved_items(store: StoreInfo, shopper: str) -> list[SavedItem]:
    """The shopper's saved products, newest first (one query)."""
    with store_session(store) as session:
        rows = session.execute(
            select(WishlistItem.product_id, WishlistItem.created_at)
            .where(WishlistItem.shopper == shopper)
            .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
            .limit(MAX_ITEMS)).all()
    return [SavedItem(product_id, saved_at) for product_id, saved_at in rows]


def _is_saved(store: StoreInfo, shopper: str, product_id: int) -> bool:
    with store_session(store) as session:
        return session.scalar(select(WishlistItem.id).where(
            WishlistItem.shopper == shopper, WishlistItem.product_id == product_id)) is not None


def save(store: StoreInfo, shopper: str, product_id: int) -> bool:
    """Put a product of the store on the shopper's wishlist.

    Returns ``True`` when it was added, ``False`` when it was there already (it then
    moves to the top, and its time on the list starts again). Raises
    :class:`WishlistFull` when the list holds :data:`MAX_ITEMS` products, and
    :class:`ProductGone` when the product was deleted meanwhile. The caller checks
    that ``product_id`` is a product of this store that shoppers can see.
    """
    mine = (WishlistItem.shopper == shopper, WishlistItem.product_id == product_id)
    try:
        with store_session(store) as session:
            again = session.execute(update(WishlistItem).where(*mine)
                                    .values(created_at=datetime.now(UTC))
                                    .execution_options(synchronize_session=False))
            if again.rowcount:
                return False
            count = session.scalar(select(func.count()).select_from(WishlistItem)
                                   .where(WishlistItem.shopper == shopper))
            if count >= MAX_ITEMS:
                raise WishlistFull
            session.add(WishlistItem(shopper=shopper, product_id=product_id))
    except IntegrityError as exc:
        # Saved a moment ago by the same shopper's other tab (the unique constraint),
        # or the product was deleted in between (its foreign key).
        if _is_saved(store, shopper, product_id):
            return False
        raise ProductGone from exc
    return True


def remove(store: StoreInfo, shopper: str, product_id: int) -> bool:
    """Take a product off the shopper's wishlist; ``False`` when it was not on it."""
    with store_session(store) as session:
        result = session.execute(
            delete(WishlistItem)
            .where(WishlistItem.shopper == shopper, WishlistItem.product_id == product_id)
            .execution_options(synchronize_session=False))
    return bool(result.rowcount)


def forget_older_than(store: StoreInfo, days: int, *, now: datetime | None = None) -> int:
    """Delete the store's saved items (every shopper's) saved more than ``days`` days
    before ``now``; returns how many went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    with store_session(store) as session:
        # The session is the store's: Haat adds tenant_id = <store> to this DELETE.
        result = session.execute(
            delete(WishlistItem).where(WishlistItem.created_at < cutoff)
            .execution_options(synchronize_session=False))
    return result.rowcount
