"""Creating, suspending, resuming and deleting stores.

These functions work across stores, so each one runs inside ``platform_scope()``.
They flush but do not commit: the caller owns the transaction.

Deleting a store empties every store-owned table the database has. Layers above
(the plugin host) tell this one about tables it cannot know by itself, through
:func:`register_table_filter` and :func:`register_table_source`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, Table, TableClause, delete, inspect, select

from core.db import db
from core.i18n import SUPPORTED_LOCALES
from core.money import UnknownCurrency, minor_units
from core.storage import get_storage
from tenants.context import platform_scope
from tenants.models import TENANT_ACTIVE, TENANT_SUSPENDED, Domain, Tenant
from tenants.resolution import mark_routing_changed, normalise_host

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 40
RESERVED_SLUGS = frozenset(
    {
        "account", "accounts", "admin", "administrator", "api", "app", "apps", "assets",
        "auth", "billing", "blog", "cdn", "checkout", "dashboard", "dev", "docs", "email",
        "files", "ftp", "haat", "help", "imap", "img", "login", "logout", "mail", "media",
        "ns1", "ns2", "platform", "pop", "pop3", "root", "search", "signup", "smtp",
        "stage", "staging", "static", "status", "store", "stores", "support", "test",
        "www", "www1", "www2",
    }
)


class ProvisioningError(ValueError):
    """A store could not be created or changed; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a store, or ``None`` when it can: a lazy string of the
    admin catalogue, in the sign-up page's language (English in the CLI)."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        return _l("Use %(min)s to %(max)s characters.", min=SLUG_MIN, max=SLUG_MAX)
    if slug != slug.lower() or not SLUG_PATTERN.match(slug):
        return _l("Use lowercase letters, digits and single hyphens; start and end with a "
                  "letter or digit.")
    if slug in RESERVED_SLUGS or slug.startswith("xn--"):
        return _l("“%(slug)s” is reserved. Please choose another address.", slug=slug)
    return None


def slug_taken(slug: str) -> bool:
    """True when a store already uses ``slug``."""
    with platform_scope():
        return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None


def create_tenant(
    *,
    slug: str,
    name: str,
    locale: str = "en",
    currency: str = "USD",
    **details: object,
) -> Tenant:
    """Add a store row and flush it. Raises ``ProvisioningError`` for a bad or taken slug.

    A concurrent sign-up for the same slug loses on the unique constraint at flush
    (``IntegrityError``); the caller rolls back and reports the slug as taken.
    """
    problem = slug_problem(slug)
    if problem:
        raise ProvisioningError("slug", problem)
    if not name.strip():
        raise ProvisioningError("name", "Give your store a name.")
    try:
        minor_units(currency)
    except UnknownCurrency as exc:
        raise ProvisioningError("currency", f"{currency!r} is not a currency we know.") from exc
    if locale not in SUPPORTED_LOCALES:
        raise ProvisioningError("locale", f"Choose one of: {', '.join(SUPPORTED_LOCALES)}.")
    tenant = Tenant(slug=slug, name=name.strip(), locale=locale, currency=currency, **details)
    with platform_scope():
        if slug_taken(slug):
            raise ProvisioningError("slug", _l("That address is taken. Please choose another."))
        db.session.add(tenant)
        db.session.flush()
    return tenant


def find_tenant(slug: str) -> Tenant | None:
    """The store with ``slug``, or ``None``."""
    with platform_scope():
        return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def find_tenant_by_id(tenant_id: int) -> Tenant | None:
    """The store with this id, or ``None``."""
    with platform_scope():
        return db.session.get(Tenant, tenant_id)


def set_status(tenant: Tenant, status: str) -> None:
    """Suspend or resume a store; suspended stores answer 503 to shoppers."""
    if status not in (TENANT_ACTIVE, TENANT_SUSPENDED):
        raise ProvisioningError("status", f"Unknown status {status!r}.")
    with platform_scope():
        tenant.status = status
        db.session.flush()


def add_domain(tenant: Tenant, hostname: str, *, verified: bool = False) -> Domain:
    """Attach a custom host name to a store.

    Refused when a store already holds the name verified, or this store has it already;
    other stores' unverified claims do not count (they are released once one is verified).
    """
    name = normalise_host(hostname)
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+", name):
        raise ProvisioningError("hostname", f"“{hostname}” is not a valid host name.")
    with platform_scope():
        holders = db.session.execute(select(Domain.tenant_id, Domain.verified)
                                     .where(Domain.hostname == name)).all()
        if any(verified or owner == tenant.id for owner, verified in holders):
            raise ProvisioningError("hostname", f"{name} is already connected to a store.")
        domain = Domain(tenant_id=tenant.id, hostname=name, verified=verified)
        db.session.add(domain)
        db.session.flush()
    return domain


#: ``keep(table name)``: False leaves a table of the metadata out of
#: :func:`tenant_owned_tables` (the plugin host: tables of plugins this app has not
#: installed).
TableFilter = Callable[[str], bool]
#: ``find(connection, names of the database's tables)``: more store-owned tables the
#: database has but the metadata does not describe, children before parents.
TableSource = Callable[[Connection, Iterable[str]], list[TableClause]]
_table_filters: list[TableFilter] = []
_table_sources: list[TableSource] = []


def register_table_filter(keep: TableFilter) -> None:
    """Let ``keep`` leave tables out of :func:`tenant_owned_tables` (idempotent)."""
    if keep not in _table_filters:
        _table_filters.append(keep)


def register_table_source(find: TableSource) -> None:
    """Let ``find`` name more tables for :func:`stored_tenant_tables` (idempotent)."""
    if find not in _table_sources:
        _table_sources.append(find)


def tenant_owned_tables() -> list[Table]:
    """Every table of the metadata with a ``tenant_id``, children before parents (a
    safe delete order), less those a registered filter leaves out."""
    return [t for t in reversed(db.metadata.sorted_tables)
            if "tenant_id" in t.c and all(keep(t.name) for keep in _table_filters)]


def stored_tenant_tables(connection: Connection) -> list[TableClause]:
    """The store-owned tables of the database behind ``connection``, children before
    parents: the registered sources' tables first (plugins' tables that no model here
    describes), then every table of the metadata with a ``tenant_id`` that the
    database has. A declared table the database lacks (a plugin installed but not
    migrated yet) is left out instead of failing the delete."""
    existing = set(inspect(connection).get_table_names())
    declared = [t for t in reversed(db.metadata.sorted_tables)
                if "tenant_id" in t.c and t.name in existing]
    known = {t.name for t in declared}
    extra = [table for find in _table_sources for table in find(connection, existing)
             if table.name not in known]
    return [*extra, *declared]


def delete_tenant(tenant: Tenant) -> dict[str, int]:
    """Delete a store for good: its rows (committed), then its files.

    Unlike the other functions here this one commits, because the files must only go
    once the rows are gone for certain. Returns rows deleted per table. Other stores
    are untouched: every statement carries an explicit ``tenant_id`` filter.
    """
    tenant_id = tenant.id
    counts = delete_tenant_rows(tenant_id)
    db.session.commit()
    get_storage().delete_tenant(tenant_id)
    return counts


def delete_tenant_rows(tenant_id: int) -> dict[str, int]:
    """Delete every row of one store, table by table; returns rows deleted per table.

    Uses Core DELETE statements with an explicit ``tenant_id`` filter so that the
    delete order is under our control on both SQLite and PostgreSQL.
    """
    counts: dict[str, int] = {}
    with platform_scope():
        for table in stored_tenant_tables(db.session.connection()):
            result = db.session.execute(delete(table).where(table.c.tenant_id == tenant_id))
            counts[table.name] = result.rowcount or 0
        db.session.execute(delete(Tenant.__table__).where(Tenant.__table__.c.id == tenant_id))
    mark_routing_changed(db.session)
    return counts
