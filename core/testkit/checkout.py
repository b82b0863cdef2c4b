"""A shopper's checkout over HTTP, for tests: add to the cart, fill in ``/checkout``,
let the summary update, place the order.

Only the storefront's doors are used (``/cart/add``, ``/checkout`` and the form field
names documented in docs/testing-plugins.md), so every hook on the way runs exactly as
for a real shopper: carriers quote, gateways are offered and started, adjustments and
validation run, lifecycle events fire after the commit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

    from core.sdk import OrderSnapshot

#: The address ``haat_checkout`` fills in unless told otherwise, by the store's
#: currency (any other currency gets the Bangladeshi one).
ADDRESSES: dict[str, dict[str, str]] = {
    "BDT": {"name": "Rahima Begum", "country": "BD", "region": "Dhaka", "city": "Dhaka",
            "line1": "House 12, Road 5, Dhanmondi", "line2": "", "postcode": "1205"},
    "AMD": {"name": "Anahit Petrosyan", "country": "AM", "region": "Yerevan",
            "city": "Yerevan", "line1": "12 Abovyan Street, apt. 5", "line2": "",
            "postcode": "0001"},
}
PHONES = {"BDT": "01712345678", "AMD": "+37491123456"}
#: The address fields of the checkout form.
ADDRESS_FIELDS = ("name", "country", "region", "city", "line1", "line2", "postcode")

_KEY = re.compile(r'name="idempotency_key" value="([^"]*)"')
_TOTAL = re.compile(r'name="expected_total" value="([^"]*)"')
_FIELD_ERROR = re.compile(r'<p class="field-error" id="error-([^"]+)" role="alert">(.*?)</p>',
                          re.S)
_FLASH_ERROR = re.compile(r'<p class="flash flash-error" role="alert">(.*?)</p>', re.S)
_RADIO = re.compile(r'<input type="radio" name="(shipping_rate|payment_method)" '
                    r'value="([^"]*)"([^>]*)>')


class CheckoutRefusedError(AssertionError):
    """The checkout did not place the order. ``errors`` maps each form field (``phone``,
    ``shipping_rate``, ``payment_method``, ``payment_fields.<name>``, ``coupon``, and
    ``form`` or ``cart`` for the page's own messages) to what the shopper was told;
    ``response`` is the page that said it."""

    def __init__(self, message: str, errors: Mapping[str, str], response: TestResponse) -> None:
        super().__init__(message)
        self.errors = dict(errors)
        self.response = response


@dataclass(frozen=True)
class PlacedOrder:
    """An order ``haat_checkout`` placed.

    ``order`` is the ``OrderSnapshot`` plugins get for it (read after placing);
    ``response`` the answer to "Place order" (a 303 to the order's page, or to the
    payment provider's page); ``client`` the shopper's client, with their cookies.
    """

    order: OrderSnapshot
    response: TestResponse
    client: FlaskClient

    @property
    def id(self) -> int:
        return self.order.id

    @property
    def number(self) -> int:
        return self.order.number

    @property
    def token(self) -> str:
        return self.order.token

    @property
    def url(self) -> str:
        """The shopper's order page on the store's host: ``/orders/<token>``."""
        return f"/orders/{self.order.token}"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def page_errors(page: str) -> dict[str, str]:
    """Field name -> message of every error the checkout page shows."""
    errors: dict[str, str] = {}
    for flash in _FLASH_ERROR.findall(page):
        errors.setdefault("cart" if "/cart" in flash else "form", _text(flash))
    for element_id, message in _FIELD_ERROR.findall(page):
        name = element_id.replace("payment_fields-", "payment_fields.", 1)
        errors[name] = _text(message)
    return errors


def offered(page: str) -> dict[str, list[tuple[str, bool, bool]]]:
    """``shipping_rate`` / ``payment_method`` -> ``(value, checked, disabled)`` options."""
    found: dict[str, list[tuple[str, bool, bool]]] = {"shipping_rate": [], "payment_method": []}
    for name, value, rest in _RADIO.findall(page):
        found[name].append((html.unescape(value), " checked" in rest, " disabled" in rest))
    return found


def _options_text(page: str) -> str:
    choices = offered(page)

    def listed(name: str) -> str:
        values = [value + (" (unavailable)" if disabled else "")
                  for value, _checked, disabled in choices[name]]
        return ", ".join(values) or "(none)"

    return (f"\nDelivery options offered (shipping_rate=): {listed('shipping_rate')}"
            f"\nWays to pay offered (payment_method=): {listed('payment_method')}")


def _checked(page: str, name: str) -> str:
    return next((value for value, checked, _d in offered(page)[name] if checked), "")


def _cart_items(app: Flask, store_id: int,
                items: int | Sequence[int | tuple[Any, ...]]) -> list[tuple[int, int, int | None]]:
    """``(product id, quantity, variant id)`` for each item; a variant given by its
    title (``"M / Red"``) is looked up among the product's variants."""
    __tracebackhide__ = True
    from sqlalchemy import select

    from core.catalog.models import ProductVariant
    from core.db import db
    from tenants import tenant_scope

    wanted = [items] if isinstance(items, int) else list(items)
    if not wanted:
        raise AssertionError("haat_checkout needs at least one item to put in the cart")
    result = []
    for item in wanted:
        parts = (item,) if isinstance(item, int) else tuple(item)
        if not 1 <= len(parts) <= 3:
            raise AssertionError(f"cart item {item!r}: use a product id, (product id, "
                                 "quantity) or (product id, quantity, variant)")
        product_id = parts[0]
        quantity = parts[1] if len(parts) > 1 else 1
        variant = parts[2] if len(parts) > 2 else None
        if isinstance(variant, str):
            with app.app_context(), tenant_scope(store_id):
                variants = {v.title: v.id for v in db.session.scalars(
                    select(ProductVariant).where(ProductVariant.product_id == product_id))}
            if variant not in variants:
                raise AssertionError(f"product {product_id} has no variant {variant!r}; its "
                                     f"variants: {', '.join(variants) or '(none)'}")
            variant = variants[variant]
        result.append((int(product_id), int(quantity), variant))
    return result


def _add_to_cart(client: FlaskClient, items: list[tuple[int, int, int | None]]) -> None:
    __tracebackhide__ = True
    for product_id, quantity, variant_id in items:
        response = client.post("/cart/add", headers={"Accept": "application/json"}, data={
            "product_id": str(product_id), "variant_id": str(variant_id or ""),
            "quantity": str(quantity)})
        if response.status_code != 200:
            said = response.get_json(silent=True) or {}
            raise AssertionError(
                f"adding product {product_id} (variant {variant_id}) x{quantity} to the cart "
                f"was refused: HTTP {response.status_code} "
                f"{said.get('field', '')}: {said.get('error', '')}")


def run_checkout(app: Flask, client: FlaskClient, store_id: int, currency: str,
                 items: int | Sequence[int | tuple[Any, ...]], *,
                 address: Mapping[str, str] | None, email: str, phone: str | None,
                 shipping_rate: str | None, payment_method: str | None,
                 payment_fields: Mapping[str, str] | None, coupon: str,
                 note: str) -> PlacedOrder:
    """Fill the cart and the checkout form like a shopper and place the order.

    Raises :class:`CheckoutRefusedError` with the page's field errors when the checkout
    refuses it, and ``AssertionError`` for anything else that is not a placed order.
    """
    __tracebackhide__ = True
    _add_to_cart(client, _cart_items(app, store_id, items))
    opened = client.get("/checkout")
    if opened.status_code != 200:
        raise AssertionError(f"GET /checkout answered {opened.status_code} "
                             f"{opened.headers.get('Location', '')}")
    key = _KEY.search(opened.get_data(as_text=True))
    assert key, "the checkout page has no idempotency_key field"
    base = ADDRESSES.get(currency, ADDRESSES["BDT"])
    form = {**base, **(address or {}), "email": email,
            "phone": PHONES.get(currency, PHONES["BDT"]) if phone is None else phone,
            "coupon": coupon, "note": note, "idempotency_key": key.group(1)}
    unknown = sorted(set(address or {}) - set(ADDRESS_FIELDS))
    if unknown:
        raise AssertionError(f"address has unknown field(s) {', '.join(unknown)}; the "
                             f"address fields are {', '.join(ADDRESS_FIELDS)}")
    if shipping_rate is not None:
        form["shipping_rate"] = shipping_rate
    if payment_method is not None:
        form["payment_method"] = payment_method
    # The summary first, as the page's script does on every change: it shows the
    # delivery options and ways to pay, the defaults picked and the total to confirm.
    updated = client.post("/checkout", data={**form, "action": "update"})
    page = updated.get_data(as_text=True)
    if updated.status_code != 200:
        raise AssertionError(f"updating the checkout answered {updated.status_code}")
    form["shipping_rate"] = shipping_rate or _checked(page, "shipping_rate")
    form["payment_method"] = payment_method or _checked(page, "payment_method")
    for name, value in (payment_fields or {}).items():
        form[f"payment-{form['payment_method']}-{name}"] = value
    total = _TOTAL.search(page)
    placed = client.post("/checkout", data={**form, "action": "place",
                                            "expected_total": total.group(1) if total else ""})
    if placed.status_code == 422:
        shown = placed.get_data(as_text=True)
        errors = page_errors(shown)
        lines = "\n".join(f"  {name}: {message}" for name, message in errors.items())
        raise CheckoutRefusedError(
            f"the checkout refused the order:\n{lines or '  (no message shown)'}"
            + _options_text(shown), errors, placed)
    location = placed.headers.get("Location", "")
    if placed.status_code != 303 or location.endswith("/cart"):
        raise AssertionError(f"placing the order answered {placed.status_code} {location}")
    return PlacedOrder(order=_snapshot(app, store_id, key.group(1)), response=placed,
                       client=client)


def _snapshot(app: Flask, store_id: int, key: str) -> OrderSnapshot:
    __tracebackhide__ = True
    from sqlalchemy import select

    from core.db import db
    from core.orders.models import Order
    from core.orders.snapshots import order_snapshot
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    with app.app_context(), tenant_scope(store_id):
        order = db.session.scalar(select(Order).where(Order.idempotency_key == key))
        if order is None:
            raise AssertionError("the checkout answered as if placed, but no order has "
                                 "this form's idempotency key")
        return order_snapshot(order, plugins_for_tenant(store_id).info)
