"""Shared pieces of the product admin tests: two stores, the form as a browser posts it,
reading rows back and finding messages and values next to fields."""

from __future__ import annotations

import html as html_lib
import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.catalog.models import Product
from core.db import db
from tenants import tenant_scope


def product_form(**values: str) -> dict[str, str]:
    """A valid simple product (৳1,500.00, 5 in stock) with ``values`` changed."""
    data = {"title": "Blue Kantha", "handle": "", "description": "Hand-stitched in Jessore.",
            "price": "1500", "compare_at": "", "sku": "", "stock": "5", "weight": "400",
            "tags": "", "status": "active", "video_url": "", "seo_title": "",
            "seo_description": "", "action": "save"}
    data.update(values)
    return data


def variant_fields(rows: list[dict[str, str]]) -> dict[str, str]:
    """``variant-<n>-<field>`` inputs for each row."""
    fields: dict[str, str] = {}
    for number, row in enumerate(rows):
        for name, value in row.items():
            fields[f"variant-{number}-{name}"] = value
    return fields


def load_products(app, tenant) -> list[Product]:
    """The store's products with variants, images and collections, detached, by id."""
    with app.app_context(), tenant_scope(tenant.id):
        rows = list(db.session.scalars(select(Product).order_by(Product.id).options(
            selectinload(Product.variants), selectinload(Product.images),
            selectinload(Product.memberships))))
        for row in rows:
            for child in (*row.variants, *row.images, *row.memberships):
                db.session.expunge(child)
            db.session.expunge(row)
        return rows


def load_product(app, tenant, product_id) -> Product | None:
    return next((p for p in load_products(app, tenant) if p.id == product_id), None)


def field_error(page: str, name: str) -> str:
    """The message shown next to field ``name`` ("" when there is none)."""
    match = re.search(rf'<p class="error" id="f-{re.escape(name)}-error"[^>]*>(.*?)</p>', page)
    return html_lib.unescape(match[1]) if match else ""


def field_value(page: str, name: str) -> str | None:
    """The value an ``<input>`` or ``<textarea>`` named ``name`` shows."""
    match = re.search(rf'<input [^>]*name="{re.escape(name)}" value="([^"]*)"', page)
    if match:
        return html_lib.unescape(match[1])
    match = re.search(rf'<textarea [^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page,
                      re.S)
    return html_lib.unescape(match[1]) if match else None


def listed_titles(page: str) -> list[str]:
    """Product titles in the admin list, in order."""
    return [html_lib.unescape(t)
            for t in re.findall(r'<a href="/admin/products/\d+">([^<]+)</a>', page)]
