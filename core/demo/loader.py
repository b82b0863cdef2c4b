"""Turns the demo catalogues into real stores, through the same services sign-up uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app

from core.catalog.images import store_image
from core.catalog.models import (
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.catalog.variants import sync_from_variants
from core.db import db
from core.demo.catalogues import DEMO_STORES
from core.demo.images import placeholder_image
from core.demo.spec import DemoProduct, DemoStore
from core.discounts.models import KIND_FIXED, KIND_PERCENTAGE, Discount
from core.money import Money
from core.pages.models import Page
from core.platform.signup import sign_up
from core.pluginhost.settings import to_json, validate_settings
from core.pluginhost.state import enable_defaults, save_settings
from core.sdk import PluginManifest
from core.storage import Storage, get_storage
from core.theming.service import choose_theme, save_theme_values
from tenants import tenant_scope
from tenants.provisioning import find_tenant

DEMO_PASSWORD = "haat-demo-1234"  # noqa: S105 - printed by `make run` on purpose
#: First-party plugins the demo stores switch on (those installed; search indexes the
#: catalogue through a background job).
DEMO_PLUGINS = ("search", "seo", "trust-badges", "reviews", "delivery-updates")


@dataclass(frozen=True)
class DemoResult:
    slug: str
    created: bool
    products: int


def load_demo(progress: Callable[[str], None] = lambda _msg: None) -> list[DemoResult]:
    """Create each demo store that does not exist yet. Safe to run again."""
    results = []
    for spec in DEMO_STORES:
        if find_tenant(spec.slug) is not None:
            results.append(DemoResult(spec.slug, created=False, products=0))
            continue
        progress(f"Creating {spec.slug} …")
        results.append(DemoResult(spec.slug, created=True, products=_create_store(spec)))
    return results


def _create_store(spec: DemoStore) -> int:
    created = sign_up(name=spec.name, slug=spec.slug, email=spec.owner_email,
                      password=DEMO_PASSWORD, locale=spec.locale, currency=spec.currency,
                      commit=False, bengali_digits=spec.bengali_digits,
                      contact_phone=spec.contact_phone, address=spec.address,
                      timezone=spec.timezone, country=spec.country, open=True)
    created.tenant.contact_email = spec.contact_email
    tenant_id = created.tenant.id
    storage = get_storage()
    installed = current_app.extensions["haat_plugins"].installed
    enable_defaults(tenant_id, [name for name in (*DEMO_PLUGINS, *spec.plugins)
                                if name in installed])
    for name, form in spec.plugins.items():
        if name in installed and form:
            _save_plugin_settings(tenant_id, installed[name].manifest, form, spec.currency)
    with tenant_scope(tenant_id):
        _add_coupons(spec)
        choose_theme(spec.theme)
        if spec.theme_settings:
            save_theme_values(spec.theme, spec.theme_settings)
        for position, (handle, (title, body)) in enumerate(spec.pages.items()):
            db.session.add(Page(handle=handle, title=title, body=body, position=position))
        collections = {}
        for position, c in enumerate(spec.collections):
            collections[c.handle] = Collection(handle=c.handle, title=c.title,
                                               description=c.description, position=position)
            db.session.add(collections[c.handle])
        for index, p in enumerate(spec.products):
            product = Product(
                handle=p.handle, title=p.title, description=p.description, sku=p.sku or None,
                price_amount=Money.from_decimal(Decimal(p.price), spec.currency).amount,
                compare_at_amount=(Money.from_decimal(Decimal(p.compare_at_price),
                                                      spec.currency).amount
                                   if p.compare_at_price else None),
                stock=p.stock, tags=",".join(p.tags), video_url=p.video_url,
            )
            db.session.add(product)
            _add_variants(product, p, spec.currency)
            for handle in p.collections:
                db.session.add(CollectionProduct(collection=collections[handle], product=product,
                                                 position=index))
            _add_image(storage, tenant_id, product, p, spec.slug)
        db.session.commit()
    return len(spec.products)


def _save_plugin_settings(tenant_id: int, manifest: PluginManifest, form: dict[str, str],
                          currency: str) -> None:
    """Save a demo plugin's settings through the admin form's own validation."""
    result = validate_settings(manifest, form, currency=currency, stored_secrets={})
    if result.errors:
        raise ValueError(f"demo settings for {manifest.name} are invalid: {result.errors}")
    box = current_app.extensions["haat_secret_box"]
    save_settings(tenant_id, manifest.name, to_json(manifest, result.values),
                  box.encrypt(result.secrets))


def _add_coupons(spec: DemoStore) -> None:
    for code, (kind, value, minimum) in spec.coupons.items():
        amount = 0
        if kind == KIND_PERCENTAGE:
            amount = int(Decimal(value) * 100)  # basis points
        elif kind == KIND_FIXED:
            amount = Money.from_decimal(Decimal(value), spec.currency).amount
        db.session.add(Discount(
            code=code, kind=kind, value=amount,
            min_subtotal=(Money.from_decimal(Decimal(minimum), spec.currency).amount
                          if minimum else None)))


def _add_variants(product: Product, p: DemoProduct, currency: str) -> None:
    """Variants carry the stock and prices; the product keeps the lowest price and the sum."""
    if not p.variants:
        return
    product.option_names = ",".join(p.option_names)
    for position, v in enumerate(p.variants):
        options = (*v.options, "", "")[:3]
        product.variants.append(ProductVariant(
            option1=options[0], option2=options[1], option3=options[2], sku=v.sku or None,
            price_amount=Money.from_decimal(Decimal(v.price), currency).amount,
            stock=v.stock, position=position))
    sync_from_variants(product)


def _add_image(storage: Storage, tenant_id: int, product: Product, p: DemoProduct,
               slug: str) -> None:
    stored = store_image(storage, tenant_id, placeholder_image(f"{slug}/{p.handle}"),
                         stem=f"products/{p.handle}")
    product.images.append(ProductImage(
        storage_key=stored.storage_key, alt=p.title, width=stored.width, height=stored.height,
        widths=",".join(str(w) for w in stored.widths)))
