"""Operator commands: ``haat tenants create|list|suspend|resume|delete|add-domain``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from core.db import db
from core.platform.signup import sign_up
from core.pluginhost.events import emit
from tenants.context import platform_scope
from tenants.models import TENANT_ACTIVE, TENANT_SUSPENDED, Domain, Tenant
from tenants.provisioning import (
    ProvisioningError,
    add_domain,
    delete_tenant,
    find_tenant,
    set_status,
)


@click.group("tenants", help="Create, list, suspend, resume and delete stores.")
def tenants_group() -> None:
    """Operator commands for stores."""


def _get(slug: str) -> Tenant:
    tenant = find_tenant(slug)
    if tenant is None:
        raise click.ClickException(f"No store with slug {slug!r}.")
    return tenant


@tenants_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Store name shown to shoppers.")
@click.option("--owner-email", required=True)
@click.option("--owner-password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--locale", type=click.Choice(["en", "bn", "hy"]), default="en", show_default=True)
@click.option("--currency", default="USD", show_default=True)
@click.option("--country", default=None, metavar="CODE",
              help="Where the store is, as a two-letter ISO code (BD, AM, US). Default: the "
                   "country of the currency when only one country uses it (BDT: BD, AMD: "
                   "AM), else not set.")
@click.option("--open", "open_now", is_flag=True,
              help="Open the store to shoppers at once. Without it the store starts "
                   "\"coming soon\", as one from the sign-up page does, until its owner "
                   "opens it.")
@with_appcontext
def create(slug: str, name: str, owner_email: str, owner_password: str, locale: str,
           currency: str, country: str | None, open_now: bool) -> None:
    """Create a store and its owner account."""
    try:
        created = sign_up(name=name, slug=slug, email=owner_email, password=owner_password,
                          locale=locale, currency=currency.upper(), country=country,
                          open=open_now)
    except ProvisioningError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    where = f", country {created.tenant.country}" if created.tenant.country else ""
    state = "open" if open_now else "coming soon"
    click.echo(f"Created store {created.tenant.slug} (id {created.tenant.id}{where}, "
               f"{state}).")


@tenants_group.command("list")
@with_appcontext
def list_tenants() -> None:
    """List every store with its status and domains."""
    with platform_scope():
        rows = db.session.execute(
            select(Tenant.id, Tenant.slug, Tenant.status, Tenant.locale, Tenant.currency,
                   Tenant.country, func.count(Domain.id))
            .outerjoin(Domain, Domain.tenant_id == Tenant.id)
            .group_by(Tenant.id).order_by(Tenant.slug)
        ).all()
    if not rows:
        click.echo("No stores yet.")
    for tid, slug, status, locale, currency, country, domains in rows:
        click.echo(f"{tid:>5}  {slug:<40} {status:<10} {locale:<3} {currency} "
                   f"{country or '--'}  domains={domains}")


@tenants_group.command("suspend")
@click.argument("slug")
@with_appcontext
def suspend(slug: str) -> None:
    """Suspend a store: shoppers get a 503 page."""
    _change_status(slug, TENANT_SUSPENDED, "Suspended")


@tenants_group.command("resume")
@click.argument("slug")
@with_appcontext
def resume(slug: str) -> None:
    """Resume a suspended store."""
    _change_status(slug, TENANT_ACTIVE, "Resumed")


def _change_status(slug: str, status: str, done: str) -> None:
    set_status(_get(slug), status)
    db.session.commit()
    click.echo(f"{done} {slug}.")


@tenants_group.command("add-domain")
@click.argument("slug")
@click.argument("hostname")
@click.option("--unverified", is_flag=True, help="Record it without serving it yet.")
@with_appcontext
def add_domain_command(slug: str, hostname: str, unverified: bool) -> None:
    """Connect a custom domain to a store."""
    try:
        domain = add_domain(_get(slug), hostname, verified=not unverified)
    except ProvisioningError as exc:
        raise click.ClickException(exc.message) from exc
    connected = domain.hostname  # read before commit expires the row
    db.session.commit()
    state = "recorded (unverified, not served yet)" if unverified else "now points at"
    click.echo(f"{connected} {state} {slug}.")


@tenants_group.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete(slug: str, yes: bool) -> None:
    """Delete a store with all of its rows and files. Other stores are untouched."""
    tenant = _get(slug)
    if not yes:
        click.confirm(f"Delete {slug} and everything in it? This cannot be undone", abort=True)
    tenant_id = tenant.id
    counts = delete_tenant(tenant)
    # Plugins drop what they keep outside our database (e.g. a search index).
    emit("haat_store_deleted", None, store_id=tenant_id, slug=slug)
    db.session.commit()
    total = sum(counts.values())
    click.echo(f"Deleted {slug}: {total} rows and its files.")
