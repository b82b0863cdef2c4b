"""Finding a product of the store by its handle (``/reviews/write/<handle>``).

The SDK reads products by id only, so a handle is found once by walking the store's
active products, and then remembered per process: each later visit costs one read by
id, which also checks that the handle still belongs to that product (a merchant may
rename handles or delete products).
"""

from __future__ import annotations

from collections import OrderedDict

from core.sdk import ProductSnapshot, StoreInfo, get_products, iter_products

#: Handles remembered per process, newest last: (store id, handle) -> product id.
_KNOWN: OrderedDict[tuple[int, str], int] = OrderedDict()
_KNOWN_MAX = 5000


def find_product(store: StoreInfo, handle: str) -> ProductSnapshot | None:
    """``store``'s active product with ``handle``, or ``None``."""
    key = (store.id, handle)
    known = _KNOWN.get(key)
    if known is not None:
        found = get_products(store, [known])
        if found and found[0].handle == handle and found[0].status == "active":
            _KNOWN.move_to_end(key)
            return found[0]
        _KNOWN.pop(key, None)
    for product in iter_products(store):
        if product.handle == handle:
            _KNOWN[key] = product.id
            if len(_KNOWN) > _KNOWN_MAX:
                _KNOWN.popitem(last=False)
            return product
    return None
