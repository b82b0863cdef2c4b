"""``haat carts expire``: delete abandoned carts now (a jobs worker does it hourly)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

carts_group = click.Group("carts", help="Shoppers' carts.")


@carts_group.command("expire")
@click.option("--store", "slug", metavar="SLUG", help="Only this store (default: all).")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete carts untouched for longer than this. "
                   "Default: HAAT_CART_MAX_AGE_DAYS.")
@with_appcontext
def expire(slug: str | None, days: int | None) -> None:
    """Delete carts nobody has changed for a while, with their lines."""
    from core.cart.expiry import expire_carts, max_age
    from tenants.provisioning import find_tenant

    store_id = None
    if slug is not None:
        tenant = find_tenant(slug)
        if tenant is None:
            raise click.ClickException(f"No store with the slug {slug!r}.")
        store_id = tenant.id
    age = timedelta(days=days) if days else max_age()
    deleted = expire_carts(age, store_id=store_id)
    where = f"store {slug}" if slug else "all stores"
    click.echo(f"Deleted {deleted} carts untouched for more than {age.days} days "
               f"({where}).")
