"""A signed-in shopper's address book: saved delivery addresses that checkout starts from.

The book belongs to the contact the shopper proved (see :mod:`core.accounts.identity`),
in one store. It fills itself: signing in adds the newest order's address when the
book is empty, and each order placed while signed in adds its address unless the book
already holds it. The shopper adds, changes, removes and picks the default one on
their account page. One address is the default: the first one saved, until another is
chosen.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from core.accounts.identity import Contact
from core.accounts.models import ShopperAddress
from core.db import db, utcnow
from core.orders.models import Order

#: The fields of a saved address, as the checkout form names them.
FIELDS = ("name", "phone", "country", "region", "city", "line1", "line2", "postcode")
#: The most addresses one book keeps (more is not an address book but a list of orders).
MAX_ADDRESSES = 20


def addresses_of(contact: Contact) -> list[ShopperAddress]:
    """The book, the default first, then the most recently used or added."""
    return list(db.session.scalars(
        select(ShopperAddress).where(ShopperAddress.contact == contact.address)
        .order_by(ShopperAddress.is_default.desc(),
                  ShopperAddress.used_at.desc().nulls_last(),
                  ShopperAddress.id.desc())))


def address_of(contact: Contact, address_id: int) -> ShopperAddress | None:
    """One address of the book, or ``None`` (another shopper's or store's is not found)."""
    return db.session.scalar(select(ShopperAddress).where(
        ShopperAddress.id == address_id, ShopperAddress.contact == contact.address))


def values_of(address: ShopperAddress) -> dict[str, str]:
    """The address as checkout form values."""
    return {name: str(getattr(address, name) or "") for name in FIELDS}


def _same(address: ShopperAddress, values: Mapping[str, str]) -> bool:
    def norm(text: object) -> str:
        return " ".join(str(text or "").split()).casefold()

    return all(norm(getattr(address, name)) == norm(values.get(name)) for name in FIELDS)


def save_address(contact: Contact, values: Mapping[str, str], *,
                 address: ShopperAddress | None = None,
                 make_default: bool = False) -> ShopperAddress:
    """Add ``values`` (checked form values) to the book, or change ``address`` to them.
    The first address of a book is its default. The caller commits."""
    if address is None:
        make_default = make_default or not addresses_of(contact)
        address = ShopperAddress(contact=contact.address)
    for name in FIELDS:
        setattr(address, name, str(values.get(name) or "").strip())
    db.session.add(address)
    if make_default:
        db.session.flush()
        set_default(contact, address)
    return address


def set_default(contact: Contact, address: ShopperAddress) -> None:
    """Make ``address`` the one checkout starts from. The caller commits."""
    db.session.execute(update(ShopperAddress)
                       .where(ShopperAddress.contact == contact.address,
                              ShopperAddress.id != address.id)
                       .values(is_default=False).execution_options(synchronize_session=False))
    address.is_default = True


def remove_address(contact: Contact, address: ShopperAddress) -> None:
    """Take ``address`` out of the book; the default passes to the newest one left.
    The caller commits."""
    was_default = address.is_default
    db.session.delete(address)
    db.session.flush()
    if was_default:
        left = addresses_of(contact)
        if left:
            left[0].is_default = True


def full(contact: Contact) -> bool:
    """The book holds :data:`MAX_ADDRESSES` already."""
    return len(addresses_of(contact)) >= MAX_ADDRESSES


def remember_order_address(contact: Contact, order: Order) -> None:
    """After an order placed while signed in: mark its address as used, adding it to
    the book when the book does not hold it yet and has room. The caller commits."""
    values = _order_values(order)
    if not values.get("line1"):
        return
    book = addresses_of(contact)
    known = next((saved for saved in book if _same(saved, values)), None)
    if known is None:
        if len(book) >= MAX_ADDRESSES:
            return
        known = save_address(contact, values)
    known.used_at = utcnow()


def fill_from_orders(contact: Contact, orders: list[Order]) -> None:
    """On sign-in: an empty book starts with the newest order's address. The caller
    commits."""
    if orders and not addresses_of(contact):
        values = _order_values(orders[0])
        if values.get("line1") and values.get("country"):
            save_address(contact, values)


def _order_values(order: Order) -> dict[str, str]:
    source = {**(order.shipping_address or {}), "phone": order.phone}
    return {name: str(source.get(name) or "") for name in FIELDS}
