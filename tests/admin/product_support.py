"""Shared pieces of the product admin tests: two stores, the form as a browser posts it,
reading rows back and finding messages and values next to fields."""

from __future__ import annotations

import html as html_lib
import io
import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.catalog.models import Product
from core.db import db
from core.demo.images import placeholder_image
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


class _FormFields(HTMLParser):
    """What a browser without JavaScript sends for the product form as shown: text and
    hidden inputs, checked boxes, chosen options and textareas (no buttons, no files)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: tuple[str, str] | None = None
        self._chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "data-product-editor" in a:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = (self._select, value)
            if "selected" in a:
                self.fields.append((self._select, value))
                self._chosen = True
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            if not self._chosen and self._first_option:
                self.fields.append(self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_fields(page: str) -> dict[str, str]:
    """The product form of ``page`` as a browser without JavaScript would post it (the
    last value wins for repeated names, which only checkboxes have)."""
    parser = _FormFields()
    parser.feed(page)
    return dict(parser.fields)


def upload(name: str, data: bytes | None = None, *, size: int = 400) -> tuple[io.BytesIO, str]:
    """A file for a multipart form: ``data``, or a generated photo ``size`` pixels wide."""
    return io.BytesIO(data if data is not None else placeholder_image(name, size)), name


def media_files(app, tenant) -> set[str]:
    """Every file kept in the store's media folder, relative to it."""
    root = Path(app.config["HAAT_MEDIA_DIR"]) / str(tenant.id)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def upload_errors(page: str) -> str:
    """The product form's error text next to its photo upload field."""
    start = page.find('id="f-images-error"')
    return page[start:page.find("</div>", start)] if start >= 0 else ""
