"""``haat search reindex [--store SLUG]``: rebuild stores' search indexes, with progress.

It drives each store's search backend (whatever its enabled search plugin returns from
``haat_search_backend``) directly and synchronously: clear, then index every active
product in batches. Running it twice gives the same index.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from core.catalog.models import STATUS_ACTIVE, Product
from core.db import db
from core.sdk import iter_products
from tenants import Tenant, platform_scope, tenant_scope

BATCH = 500


@click.group("search")
def search_group() -> None:
    """Search indexes."""


def _stores(slug: str | None) -> list[tuple[int, str]]:
    with platform_scope():
        query = select(Tenant.id, Tenant.slug).order_by(Tenant.id)
        if slug:
            query = query.where(Tenant.slug == slug)
        return [(row.id, row.slug) for row in db.session.execute(query)]


@search_group.command("reindex")
@click.option("--store", "slug", help="Only this store (its slug).")
@with_appcontext
def reindex(slug: str | None) -> None:
    """Rebuild the search index of every store that has a search plugin switched on."""
    from core.pluginhost.web import plugins_for_tenant

    stores = _stores(slug)
    if slug and not stores:
        raise click.ClickException(f"no store called {slug!r}")
    for tenant_id, store_slug in stores:
        with tenant_scope(tenant_id):
            plugins = plugins_for_tenant(tenant_id)
            if not plugins.hooks.caller("haat_search_backend").get_hookimpls():
                click.echo(f"{store_slug}: no search plugin switched on, skipped")
                continue
            engine = plugins.first("haat_search_backend")
            total = db.session.scalar(select(func.count()).select_from(Product).where(
                Product.status == STATUS_ACTIVE)) or 0
        engine.clear(plugins.info)
        batch = []
        with click.progressbar(length=total, label=f"{store_slug}: indexing") as bar:
            for product in iter_products(plugins.info, batch_size=BATCH):
                batch.append(product)
                if len(batch) == BATCH:
                    engine.index(plugins.info, batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                engine.index(plugins.info, batch)
                bar.update(len(batch))
        click.echo(f"{store_slug}: {total} products indexed")
