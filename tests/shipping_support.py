"""Quoting through a store's shipping plugin exactly as checkout does, for the tests of
the first-party shipping plugin and of address matching."""

from __future__ import annotations

from core.sdk import Address, CartLine, CartSnapshot, Money, ShippingCarrier, ShippingRate


def sample_cart(subtotal: str = "500", grams: int = 0, currency: str = "BDT") -> CartSnapshot:
    """A one-line cart worth ``subtotal`` (major units) weighing ``grams``."""
    amount = Money.from_decimal(subtotal, currency)
    return CartSnapshot(token="cart-1", subtotal=amount, lines=(
        CartLine(product_id=1, title="Jamdani sari", quantity=1, unit_price=amount,
                 weight_grams=grams),))


def carrier_of(store_plugins, store) -> tuple[ShippingCarrier, object]:
    """The store's one shipping carrier, asked for as checkout asks, and its StoreInfo."""
    plugins = store_plugins(store)
    carriers = [c for found in plugins.checkout("haat_shipping_carriers") for c in found.value]
    assert len(carriers) == 1
    assert isinstance(carriers[0], ShippingCarrier)
    return carriers[0], plugins.info


def quote(app, store_plugins, store, address: Address,
          with_cart: CartSnapshot | None = None) -> list[ShippingRate]:
    """The rates the store's carrier quotes ``with_cart`` (a ৳500 cart) to ``address``."""
    with app.app_context():
        carrier, info = carrier_of(store_plugins, store)
        return carrier.quote(info, with_cart or sample_cart(), address)


def bdt(major: int) -> Money:
    return Money.from_decimal(major, "BDT")
