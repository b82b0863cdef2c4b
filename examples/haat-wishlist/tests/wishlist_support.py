"""Helpers for the wishlist's tests: reading pages, the shopper's cookie, and the
plugin's own rows.

Only Haat's public doors are used: the storefront over HTTP (``haat_client``), the
plugin's own modules, and ``core.sdk`` for its own table (``store_session``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from haat_wishlist.models import WishlistItem
from haat_wishlist.shopper import COOKIE
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from core.sdk import StoreInfo, store_session

PLUGIN = "wishlist"
PAGE = "/wishlist"
ADD = "/wishlist/add"
REMOVE = "/wishlist/remove"


def html(response: Any, status: int = 200) -> str:
    """The page's text, after checking its status."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, text[:2000])
    return text


def host(store: Any) -> str:
    return f"{store.slug}.localhost"


def save(client: Any, product_id: Any, **extra: str) -> Any:
    """Press "Save for later" (the product page's form)."""
    return client.post(ADD, data={"product_id": str(product_id), **extra})


def remove(client: Any, product_id: Any) -> Any:
    """Press "Remove" on the wishlist page."""
    return client.post(REMOVE, data={"product_id": str(product_id)})


def listed(client: Any) -> list[int]:
    """The product ids on the shopper's wishlist page, in the page's order."""
    return [int(found) for found in
            re.findall(r'data-wishlist-item="(\d+)"', html(client.get(PAGE)))]


def token(client: Any, store: Any) -> str | None:
    """The shopper's wishlist token (the cookie's value), ``None`` without a cookie."""
    cookie = client.get_cookie(COOKIE, domain=host(store))
    return cookie.value if cookie else None


def key_of(token_value: str) -> str:
    """What the table stores for a shopper: the token's SHA-256."""
    return hashlib.sha256(token_value.encode()).hexdigest()


def store_info(store: Any) -> StoreInfo:
    """A ``StoreInfo`` for a store ``haat_store`` made, to use the SDK's data functions
    (``store_session``) in a test. Only ``id`` matters to them."""
    return StoreInfo(id=store.id, slug=store.slug, name=store.name, locale=store.locale,
                     currency=store.currency, base_url=f"http://{host(store)}/")


def rows(app: Any, store: Any) -> list[tuple[str, int]]:
    """``(shopper, product_id)`` of every row of the store, oldest first."""
    with app.app_context(), store_session(store_info(store)) as session:
        return [tuple(row) for row in session.execute(
            select(WishlistItem.shopper, WishlistItem.product_id)
            .order_by(WishlistItem.created_at, WishlistItem.id))]


def add_row(app: Any, store: Any, shopper: str, product_id: int, *, age_days: float = 0) -> None:
    """Put a row straight into the store's table, saved ``age_days`` ago."""
    with app.app_context(), store_session(store_info(store)) as session:
        session.add(WishlistItem(shopper=shopper, product_id=product_id,
                                 created_at=datetime.now(UTC) - timedelta(days=age_days)))


def age(app: Any, store: Any, product_id: int, days: float) -> None:
    """Make every row of ``product_id`` in the store ``days`` old."""
    with app.app_context(), store_session(store_info(store)) as session:
        session.execute(update(WishlistItem).where(WishlistItem.product_id == product_id)
                        .values(created_at=datetime.now(UTC) - timedelta(days=days)))


@contextmanager
def counting_queries() -> Iterator[Callable[[], int]]:
    """Count the SQL statements run inside the block: ``with counting_queries() as n:``."""
    seen = 0

    def before(*_args: Any) -> None:
        nonlocal seen
        seen += 1

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield lambda: seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)
