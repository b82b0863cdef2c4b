"""Limits on coupon guessing at checkout, per cart and per client address.

Each *different* code a cart tries counts once against ``RATELIMIT_COUPON_CART`` (10 an
hour) and ``RATELIMIT_COUPON_CLIENT`` (20 an hour for the client address), both per
store. The checkout page sends the form again on every change, so a code already
counted for this cart is free for ``RECHECK_WINDOW`` (it was checked already). A code
that applied is remembered for the cart for a day: if it stops applying (items taken
out, below the minimum spend) the shopper is told exactly why, since they know it is
real. Everyone else gets the one message for unknown and unusable codes
(``core.discounts.rules``).
"""

from __future__ import annotations

import hashlib

from flask import current_app
from limits import parse, parse_many

from core.cart.models import Cart
from core.web.allowance import allowance_left, use_allowance, use_allowances
from core.web.client_address import client_address
from core.web.tenancy import current_store

#: A code counted for a cart is not counted again for this long.
RECHECK_WINDOW = parse("1 per 10 minutes")
#: A code that applied to a cart is "known" to that cart for this long.
KNOWN_WINDOW = parse("1 per day")


def _cart_key(cart: Cart) -> str:
    # The cart's token, not its id: SQLite may give a deleted cart's id to a new cart.
    # Hashed, so the secret token is not written into the limits storage.
    return hashlib.sha256(cart.token.encode()).hexdigest()[:24]


def _keys(*parts: object) -> tuple[str, ...]:
    store = current_store()
    return ("haat-coupon", str(store.id if store else 0), *(str(p) for p in parts))


class StorefrontCouponGuard:
    """The checkout's :class:`core.checkout.quote.CouponGuard`."""

    def may_check(self, cart: Cart, code: str) -> bool:
        """Count ``code`` for ``cart`` and the client, unless counted lately."""
        recheck = _keys("seen", _cart_key(cart), code)
        if not allowance_left([RECHECK_WINDOW], *recheck):
            return True  # counted within the window: the page is only being refreshed
        config = current_app.config
        if not use_allowances(
                (parse_many(config["RATELIMIT_COUPON_CART"]), _keys("cart", _cart_key(cart))),
                (parse_many(config["RATELIMIT_COUPON_CLIENT"]),
                 _keys("client", client_address()))):
            return False
        use_allowance([RECHECK_WINDOW], *recheck)
        return True

    def known(self, cart: Cart, code: str) -> bool:
        """Whether ``code`` applied to ``cart`` within the last day."""
        return not allowance_left([KNOWN_WINDOW], *_keys("known", _cart_key(cart), code))

    def applied(self, cart: Cart, code: str) -> None:
        """Remember that ``code`` applied to ``cart`` (a second mark is refused, fine)."""
        use_allowance([KNOWN_WINDOW], *_keys("known", _cart_key(cart), code))


guard = StorefrontCouponGuard()
