"""Orders as plugins see them (``core.sdk.OrderSnapshot``)."""

from __future__ import annotations

from core.money import Money
from core.orders.emails import safe_link
from core.orders.models import Order
from core.sdk import Address, OrderSnapshot, StoreInfo
from core.sdk import CartLine as SdkLine


def order_address(order: Order) -> Address | None:
    """The shipping address copied at purchase."""
    data = order.shipping_address or {}
    if not data.get("country"):
        return None
    return Address(**{key: str(data.get(key, "")) for key in
                      ("country", "region", "city", "line1", "line2", "postcode", "name", "phone")})


def order_snapshot(order: Order, store: StoreInfo) -> OrderSnapshot:
    """Everything about ``order`` a plugin may read (lines must be loaded)."""
    currency = order.currency

    def money(amount: int) -> Money:
        return Money(amount, currency)

    lines = tuple(
        SdkLine(product_id=line.product_id or 0,
                title=line.title + (f" ({line.variant_title})" if line.variant_title else ""),
                quantity=line.quantity, unit_price=money(line.unit_price),
                weight_grams=line.weight_grams, sku=line.sku or None)
        for line in order.lines)
    return OrderSnapshot(
        id=order.id, number=order.number, token=order.token, total=money(order.total),
        payment_state=order.payment_state, fulfilment_state=order.fulfilment_state,
        email=order.email, phone=order.phone, payment_method=order.payment_method,
        lines=lines, address=order_address(order), subtotal=money(order.subtotal),
        discount_total=money(order.discount_total), shipping_total=money(order.shipping_total),
        fee_total=money(order.fee_total), tax_total=money(order.tax_total),
        refunded_total=money(order.refunded_total), shipping_label=order.shipping_label,
        shipping_rate_id=order.shipping_rate_id,
        coupon_code=order.coupon_code, locale=order.locale or store.locale,
        created_at=order.created_at, payment_reference=order.payment_reference or "",
        payment_fields=dict(order.payment_fields or {}),
        status_url=store.url(f"orders/{order.token}"),
        carrier=order.carrier or "", carrier_id=order.carrier_id or "",
        tracking_number=order.tracking_number or "",
        tracking_url=safe_link(order.tracking_url), customer_id=order.customer_id,
    )
