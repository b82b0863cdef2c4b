"""Turns the demo catalogues into real stores, through the same services sign-up uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from core.catalog.models import Collection, CollectionProduct, Product, ProductImage
from core.db import db
from core.demo.catalogues import DEMO_STORES
from core.demo.images import SIZE, placeholder_image
from core.demo.spec import DemoStore
from core.money import Money
from core.platform.signup import sign_up
from core.storage import get_storage
from tenants import tenant_scope
from tenants.provisioning import find_tenant

DEMO_PASSWORD = "haat-demo-1234"  # noqa: S105 - printed by `make run` on purpose


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
                      contact_phone=spec.contact_phone, address=spec.address)
    created.tenant.contact_email = spec.contact_email
    tenant_id = created.tenant.id
    storage = get_storage()
    with tenant_scope(tenant_id):
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
                stock=p.stock, tags=",".join(p.tags),
            )
            db.session.add(product)
            for handle in p.collections:
                db.session.add(CollectionProduct(collection=collections[handle], product=product,
                                                 position=index))
            key = storage.save(tenant_id, f"products/{p.handle}.jpg",
                               placeholder_image(f"{spec.slug}/{p.handle}"))
            db.session.add(ProductImage(product=product, storage_key=key, alt=p.title,
                                        width=SIZE, height=SIZE))
        db.session.commit()
    return len(spec.products)
