"""Shared pieces of the admin tests (orders, customers, discounts): two stores with the
in-test courier and ways to pay, placing orders like a shopper, signing in as staff."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from checkout_support import Card, Manual, Wallet, checkout_form, payment_plugin, shipping_plugin
from conftest import PASSWORD, client_for
from core.catalog.models import Product
from core.db import db
from core.orders.models import Order, OrderLine
from core.orders.numbering import next_order_number
from core.sdk import RefundResult
from core.staff.models import StaffUser
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

PRICE = 150_000  # ৳1,500.00; shipping inside Dhaka adds ৳70.00


@dataclass
class RefundingCard(Card):
    """A card gateway whose provider refunds (or refuses, with ``refuse_with``)."""

    refunds_made: list = field(default_factory=list)
    refuse_with: str = ""

    def refund(self, store, order, amount):
        if self.refuse_with:
            return RefundResult(ok=False, amount=amount, message=self.refuse_with)
        self.refunds_made.append((order.number, amount))
        return RefundResult(ok=True, amount=amount, message="re_42")


def make_gateways() -> dict:
    """The in-test ways to pay: by hand on delivery, a bKash-like wallet, a card."""
    return {"manual": Manual(), "wallet": Wallet(), "card": RefundingCard()}


def open_shops(app, make_store, add_product, install_plugin, enable_plugin, gateways) -> dict:
    """Two BDT stores with the in-test courier and ways to pay, each selling a Kantha
    (5 in stock); store A has its address and contact details filled in."""
    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(*gateways.values()))
    a = make_store("dhaka-shop", currency="BDT")
    b = make_store("other-shop", currency="BDT")
    for tenant in (a, b):
        enable_plugin(tenant, "test-courier")
        enable_plugin(tenant, "test-pay")
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, a.id)
        row.address, row.contact_email, row.contact_phone = (
            "House 3, Road 7, Dhanmondi, Dhaka", "hello@dhaka-shop.example", "01700000000")
        db.session.commit()
    invalidate_all()
    ids = {"a": add_product(a, "kantha", title="Kantha", price=PRICE, stock=5, sku="KAN-1"),
           "b": add_product(b, "kantha", title="Kantha", price=PRICE, stock=5)}
    return {"a": a, "b": b, "ids": ids}


# ---------------------------------------------------------------------- helpers


def place(app, shops, key="a", quantity=1, **form) -> Order:
    """Place an order like a shopper on store ``key``; returns it (detached)."""
    tenant = shops[key]
    client = client_for(app, f"{tenant.slug}.localhost")
    added = client.post("/cart/add", data={"product_id": str(shops["ids"][key]),
                                           "quantity": str(quantity)})
    assert added.status_code == 303
    placed = client.post("/checkout", data=checkout_form(client, **form))
    assert placed.status_code == 303, placed.get_data(as_text=True)[:500]
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        db.session.expunge(order)
    order.shopper = client
    return order


def reload(app, tenant, order_id) -> Order:
    with app.app_context(), tenant_scope(tenant.id):
        order = db.session.get(Order, order_id)
        kinds = [(e.kind, e.message, e.actor) for e in order.events]
        db.session.expunge(order)
    order.event_log = kinds
    return order


def set_store(app, tenant, **values) -> None:
    """Change store columns (``locale``, ``bengali_digits``, ...) as its settings would."""
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, tenant.id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()
    invalidate_all()


def stock_of(app, tenant, product_id) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        return db.session.get(Product, product_id).stock


def sign_in(store_client, tenant, email=None):
    client = store_client(tenant.slug)
    response = client.post("/admin/login", data={"email": email or f"owner@{tenant.slug}.example",
                                                 "password": PASSWORD})
    assert response.status_code == 303
    return client


def add_staff(app, tenant, email) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        user = StaffUser(email=email, role="staff")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def insert_orders(app, tenant, count, **fields) -> list[int]:
    """``count`` plain orders written straight to the database; returns their ids."""
    with app.app_context(), tenant_scope(tenant.id):
        orders = []
        for _ in range(count):
            number = next_order_number()
            values = {"email": f"buyer{number}@example.com", "phone": "",
                      "payment_method": "manual", "payment_label": "Pay on delivery",
                      "subtotal": 1000, "total": 1000, **fields}
            order = Order(number=number, token=secrets.token_urlsafe(24),
                          idempotency_key=secrets.token_hex(16), currency=tenant.currency,
                          **values)
            order.lines.append(OrderLine(title="Thing", quantity=1, unit_price=1000,
                                         line_total=1000))
            db.session.add(order)
            orders.append(order)
        db.session.commit()
        return [o.id for o in orders]


def html(response) -> str:
    return response.get_data(as_text=True)


def order_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'/admin/orders/\d+">#(\d+)</a>', page)]


def pay_by_card(app, shops) -> Order:
    order = place(app, shops, payment_method="card")
    assert order.shopper.get(f"/orders/{order.token}/return?ok=1").status_code == 303
    assert reload(app, shops["a"], order.id).payment_state == "paid"
    return order


# ------------------------------------------------------------------------- list


def use_admin_catalogue(app, monkeypatch, folder, locale: str, messages: dict) -> None:
    """Point the app's admin catalogue at a compiled one holding only ``messages``
    (``{msgid: text}``, or ``{(singular, plural): (text, text)}``) for ``locale``."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalogue = Catalog(locale=locale, domain="admin")
    for msgid, text in messages.items():
        catalogue.add(msgid, text)
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    (target / "admin.mo").write_bytes(buffer.getvalue())
    domain = app.extensions["haat_admin_domain"]
    monkeypatch.setattr(domain, "_translation_directories", [str(folder)])
    monkeypatch.setattr(domain, "cache", {})  # loaded catalogues are cached per locale
