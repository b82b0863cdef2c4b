"""Cart rules: what may go in a cart, and how much of it.

Every function works on the current store (the tenant scope filters every query),
so a product id or line id of another store is simply "not found". Nothing here
trusts the form: ids and quantities arrive as the raw strings the shopper sent.
Callers commit; :func:`add_to_cart` and friends only change the session.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.cart.models import Cart, CartLine
from core.catalog.models import STATUS_ACTIVE, Product, ProductImage, ProductVariant
from core.db import db
from core.i18n import to_ascii_digits
from core.money import Money
from core.pluginhost.events import emit
from core.sdk import CartLine as SdkCartLine
from core.sdk import CartSnapshot
from tenants.context import require_tenant_id

MAX_LINE_QUANTITY = 99
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: "²".isdigit() is true but int() refuses it
TOKEN_BYTES = 24
_MAX_ID = 2**31 - 1


class CartError(ValueError):
    """Bad cart input. ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Shopper:
    """Who is changing a cart: their cart cookie, their language and the store currency."""

    token: str | None
    locale: str
    currency: str
    #: Formats counts in messages (the store may use Bengali digits).
    number: Callable[[int], str] = str


@dataclass(frozen=True)
class CartLineView:
    """One line as the cart page shows it."""

    id: int
    product_id: int
    handle: str
    title: str
    variant_title: str
    image: ProductImage | None
    unit_price: int
    quantity: int
    available: int  # how many the store can sell right now

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartView:
    """A cart's contents for templates: amounts are minor units of the store currency."""

    token: str | None
    lines: tuple[CartLineView, ...] = ()

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def new_token() -> str:
    """A fresh, unguessable cart token for the cookie."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def parse_quantity(raw: object, *, allow_zero: bool = False,
                   number: Callable[[int], str] = str) -> int:
    """The quantity a shopper typed (in any digits: ``৩`` is 3), as an int from 1 (or 0)
    to :data:`MAX_LINE_QUANTITY`."""
    text = to_ascii_digits(str(raw if raw is not None else "").strip())
    low = 0 if allow_zero else 1
    if not _DIGITS.fullmatch(text) or not (low <= int(text) <= MAX_LINE_QUANTITY):
        raise CartError(_("Enter a quantity from %(low)s to %(high)s.", low=number(low),
                          high=number(MAX_LINE_QUANTITY)), "quantity")
    return int(text)


def parse_id(raw: object, field: str, message: str) -> int:
    """A row id the shopper sent, or :class:`CartError` with ``message``."""
    text = str(raw if raw is not None else "").strip()
    if not _DIGITS.fullmatch(text) or not (1 <= int(text) <= _MAX_ID):
        raise CartError(message, field)
    return int(text)


def plausible_token(token: str | None) -> bool:
    """Whether ``token`` could name a cart at all (else no query is needed to know
    there is none)."""
    return bool(token) and len(token or "") <= 64  # the column's width; longer is never ours


def find_cart(token: str | None, *, with_lines: bool = False) -> Cart | None:
    """The current store's cart with ``token``, or ``None``; ``with_lines`` loads its
    lines with their products, variants and images (two statements)."""
    if not plausible_token(token):
        return None
    query = select(Cart).where(Cart.token == token)
    if not with_lines:
        return db.session.scalar(query)
    # Two statements whatever the number of lines: the cart joined to its lines, their
    # products and variants (one row per line), then the products' images.
    lines = joinedload(Cart.lines)
    query = query.options(lines.joinedload(CartLine.product).selectinload(Product.images),
                          lines.joinedload(CartLine.variant))
    return db.session.execute(query).unique().scalar_one_or_none()


def _line_view(line: CartLine) -> CartLineView:
    product, variant = line.product, line.variant
    source = variant or product
    # The variant's own photo (the blue one for "Blue"), else the product's main one.
    own = next((i for i in product.images if variant and i.id == variant.image_id), None)
    return CartLineView(
        id=line.id, product_id=product.id, handle=product.handle, title=product.title,
        variant_title=variant.title if variant else "",
        image=own or (product.images[0] if product.images else None),
        unit_price=source.price_amount, quantity=line.quantity,
        available=source.stock if product.status == STATUS_ACTIVE else 0,
    )


def cart_totals(token: str | None) -> tuple[int, int]:
    """``(item count, subtotal)`` of the cart behind ``token`` in one query (for the
    header on every page); ``(0, 0)`` without a cart."""
    if not plausible_token(token):
        return 0, 0
    unit_price = func.coalesce(ProductVariant.price_amount, Product.price_amount)
    row = db.session.execute(
        select(func.coalesce(func.sum(CartLine.quantity), 0),
               func.coalesce(func.sum(CartLine.quantity * unit_price), 0))
        .select_from(CartLine)
        .join(Cart, Cart.id == CartLine.cart_id)
        .join(Product, Product.id == CartLine.product_id)
        .outerjoin(ProductVariant, ProductVariant.id == CartLine.variant_id)
        .where(Cart.token == token)
    ).one()
    return int(row[0]), int(row[1])


def cart_view(token: str | None) -> CartView:
    """The cart behind ``token`` ready to show (a fixed number of queries)."""
    return view_of(find_cart(token, with_lines=True))


def view_of(cart: Cart | None) -> CartView:
    """A cart loaded with its lines (``find_cart(..., with_lines=True)``), ready to show."""
    if cart is None:
        return CartView(token=None)
    return CartView(token=cart.token, lines=tuple(_line_view(line) for line in cart.lines))


def _sellable(product_raw: object, variant_raw: object) -> tuple[Product, ProductVariant | None]:
    gone = _("Sorry, that product is not available.")
    product_id = parse_id(product_raw, "product_id", gone)
    product = db.session.scalar(
        select(Product).where(Product.id == product_id, Product.status == STATUS_ACTIVE)
        .options(selectinload(Product.variants))
    )
    if product is None:
        raise CartError(gone, "product_id")
    if not product.variants:
        if variant_raw not in (None, ""):
            raise CartError(_("Sorry, that option is not available."), "variant_id")
        return product, None
    variant_id = parse_id(variant_raw, "variant_id", _("Choose an option."))
    variant = next((v for v in product.variants if v.id == variant_id), None)
    if variant is None:
        raise CartError(_("Sorry, that option is not available."), "variant_id")
    return product, variant


def _check_stock(stock: int, wanted: int, already: int, number: Callable[[int], str]) -> None:
    if stock <= 0:
        raise CartError(_("Sorry, this is sold out."), "quantity")
    if wanted > stock:
        if already:
            raise CartError(_("Only %(stock)s left, and %(already)s are in your cart already.",
                              stock=number(stock), already=number(already)), "quantity")
        raise CartError(_("Only %(stock)s left.", stock=number(stock)), "quantity")


def add_to_cart(shopper: Shopper, product_raw: object, variant_raw: object,
                quantity_raw: object) -> CartLine:
    """Add a product (or variant) to the shopper's cart, creating the cart if needed.

    Raises :class:`CartError` and changes nothing when the input is bad or the stock
    is short. Returns the changed line; ``line.cart.token`` may be new.
    """
    quantity = parse_quantity(quantity_raw, number=shopper.number)
    product, variant = _sellable(product_raw, variant_raw)
    cart = find_cart(shopper.token, with_lines=True)
    existing = None
    if cart is not None:
        existing = next((line for line in cart.lines if line.product_id == product.id
                         and line.variant_id == (variant.id if variant else None)), None)
    already = existing.quantity if existing else 0
    _check_stock((variant or product).stock, already + quantity, already, shopper.number)
    if already + quantity > MAX_LINE_QUANTITY:
        raise CartError(_("You can buy at most %(high)s of one item.",
                          high=shopper.number(MAX_LINE_QUANTITY)), "quantity")
    if cart is None:
        cart = Cart(token=new_token(), locale=shopper.locale)
        db.session.add(cart)
    if existing is not None:
        existing.quantity += quantity
    else:
        existing = CartLine(product=product, variant=variant, quantity=quantity)
        cart.lines.append(existing)
    _touch(cart, shopper)
    return existing


def _owned_line(cart: Cart | None, line_raw: object) -> CartLine:
    missing = _("That item is no longer in your cart.")
    line_id = parse_id(line_raw, "line", missing)
    line = next((line for line in cart.lines if line.id == line_id), None) if cart else None
    if line is None:
        raise CartError(missing, "line")
    return line


def update_quantity(shopper: Shopper, line_raw: object, quantity_raw: object) -> Cart:
    """Set a line's quantity; 0 removes it. Raises :class:`CartError` on bad input."""
    cart = find_cart(shopper.token, with_lines=True)
    line = _owned_line(cart, line_raw)
    quantity = parse_quantity(quantity_raw, allow_zero=True, number=shopper.number)
    assert cart is not None  # _owned_line found a line in it
    if quantity == 0:
        cart.lines.remove(line)
    else:
        if quantity > line.quantity:  # lowering is always allowed, even below new stock
            stock = (line.variant or line.product).stock
            if line.product.status != STATUS_ACTIVE:
                stock = 0
            _check_stock(stock, quantity, 0, shopper.number)
        line.quantity = quantity
    _touch(cart, shopper)
    return cart


def remove_line(shopper: Shopper, line_raw: object) -> Cart:
    """Remove one line from the cart. Raises :class:`CartError` when it is not there."""
    cart = find_cart(shopper.token, with_lines=True)
    line = _owned_line(cart, line_raw)
    assert cart is not None
    cart.lines.remove(line)
    _touch(cart, shopper)
    return cart


def _touch(cart: Cart, shopper: Shopper) -> None:
    if shopper.locale:
        cart.locale = shopper.locale
    db.session.flush()
    emit("haat_cart_updated", require_tenant_id(), cart=snapshot(cart, shopper.currency))


def line_weight(line: CartLine) -> int:
    """Grams of one item of the line (a variant's own weight, else the product's)."""
    if line.variant is not None and line.variant.weight_grams is not None:
        return line.variant.weight_grams
    return line.product.weight_grams or 0


def snapshot(cart: Cart, currency: str) -> CartSnapshot:
    """The SDK's view of a cart, for the ``haat_cart_updated`` hook."""
    code = currency
    lines = tuple(
        SdkCartLine(product_id=line.product_id,
                    title=line.product.title + (f" ({line.variant.title})" if line.variant else ""),
                    quantity=line.quantity,
                    unit_price=Money((line.variant or line.product).price_amount, code),
                    weight_grams=line_weight(line),
                    sku=(line.variant.sku if line.variant else line.product.sku))
        for line in cart.lines
    )
    subtotal = Money(sum(line.unit_price.amount * line.quantity for line in lines), code)
    return CartSnapshot(token=cart.token, lines=lines, subtotal=subtotal)
