"""Keeping a product's listing fields in step with its variants."""

from __future__ import annotations

from core.catalog.models import Product


def sync_from_variants(product: Product) -> None:
    """With variants, the product row shows the cheapest variant's price and compare-at
    price and the variants' total stock (listings, sorting and filters read these)."""
    if not product.variants:
        return
    cheapest = min(product.variants, key=lambda v: (v.price_amount, v.position))
    product.price_amount = cheapest.price_amount
    product.compare_at_amount = cheapest.compare_at_amount
    product.stock = sum(v.stock for v in product.variants)
