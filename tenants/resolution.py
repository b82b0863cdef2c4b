"""Host header -> store, cached in process.

``<slug>.<platform domain>`` and verified custom domains resolve to a store; the bare
platform domain (and ``www.`` of it) is the platform itself. Results are cached as
immutable snapshots for ``HAAT_TENANT_CACHE_TTL`` seconds; any commit that changes a
store or a domain clears the cache of this process at once, and other processes
catch up within the TTL.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from core.db import db
from tenants.context import platform_scope
from tenants.models import TENANT_ACTIVE, Domain, Tenant, password_stamp


@dataclass(frozen=True, slots=True)
class StoreRef:
    """A detached, cacheable snapshot of the store a request is for."""

    id: int
    slug: str
    name: str
    status: str
    locale: str
    currency: str
    bengali_digits: bool
    country: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    theme: str = "default"
    timezone: str = "UTC"
    plugins_version: int = 0
    content_version: int = 0
    #: False while the store is "coming soon" (see ``Tenant.open``).
    open: bool = True
    coming_soon_message: str = ""
    #: ``Tenant.entry_stamp``: "" when no storefront password is set.
    entry_stamp: str = ""

    @property
    def is_active(self) -> bool:
        return self.status == TENANT_ACTIVE

    @classmethod
    def of(cls, tenant: Tenant) -> StoreRef:
        return cls.from_row({name: getattr(tenant, name) for name in _TENANT_COLUMNS}
                            | {"storefront_password": tenant.storefront_password})

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoreRef:
        """The snapshot of a ``tenants`` row (a mapping of its columns)."""
        values = {name: row[name] for name in _TENANT_COLUMNS}
        # SQLite hands booleans back as ints, and older rows may hold NULLs.
        values.update(bengali_digits=bool(values["bengali_digits"]), open=bool(values["open"]),
                      country=values["country"] or "",
                      coming_soon_message=values["coming_soon_message"] or "")
        return cls(**values, entry_stamp=password_stamp(row["storefront_password"]))


#: The ``tenants`` columns a snapshot is made of (besides the password, kept as a stamp).
_TENANT_COLUMNS = ("id", "slug", "name", "status", "locale", "currency", "bengali_digits",
                   "country", "contact_email", "contact_phone", "address", "theme",
                   "timezone", "plugins_version", "content_version", "open",
                   "coming_soon_message")
_SNAPSHOT = select(*(Tenant.__table__.c[name] for name in _TENANT_COLUMNS),
                   Tenant.__table__.c.storefront_password)
#: One statement per kind of host, built once: a store's first visit pays only for
#: running it (no ORM entity, no per-statement construction).
_BY_SLUG = _SNAPSHOT.where(Tenant.__table__.c.slug == bindparam("name"))
_BY_DOMAIN = (_SNAPSHOT.join_from(Tenant.__table__, Domain.__table__,
                                  Domain.__table__.c.tenant_id == Tenant.__table__.c.id)
              .where(Domain.__table__.c.hostname == bindparam("name"),
                     Domain.__table__.c.verified.is_(True)))


def normalise_host(host: str) -> str:
    """Lower-case, drop the port and a trailing dot: ``Shop.Example.COM.:8000`` ->
    ``shop.example.com``."""
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal, e.g. [::1]:8000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


class TenantResolver:
    """Resolves normalised hosts to ``StoreRef`` snapshots, with an in-process cache."""

    def __init__(self, platform_domain: str, ttl: int = 5, maxsize: int = 10_000) -> None:
        self.platform_domain = platform_domain.lower().rstrip(".")
        self._cache: TTLCache[str, StoreRef] = TTLCache(maxsize=maxsize, ttl=max(ttl, 0) or 1e-9)
        self._lock = threading.Lock()
        #: Counts invalidations, so a lookup that raced one is not cached.
        self._generation = 0
        _resolvers.add(self)

    def is_platform_host(self, host: str) -> bool:
        """True for the bare platform domain and its ``www.`` alias."""
        name = normalise_host(host)
        return name in (self.platform_domain, f"www.{self.platform_domain}")

    def slug_for_host(self, host: str) -> str | None:
        """The slug in ``<slug>.<platform domain>``, or ``None`` for other hosts."""
        name = normalise_host(host)
        suffix = f".{self.platform_domain}"
        if name.endswith(suffix):
            label = name[: -len(suffix)]
            if label and "." not in label:
                return label
        return None

    def resolve(self, host: str) -> StoreRef | None:
        """The store that serves ``host``, or ``None`` when no store lives there.

        Unknown hosts are not cached, so a store created a moment ago (or in another
        process) answers on its very first request.
        """
        return self.resolve_fresh(host)[0]

    def resolve_fresh(self, host: str, engine: Engine | None = None,
                      ) -> tuple[StoreRef | None, bool]:
        """Like :meth:`resolve`, and whether the store was read from the database just
        now (so its versions are current, not up to ``ttl`` seconds old).

        ``engine``: read through a connection of its own rather than the app's session,
        for code that runs outside any app context (before Flask, in the WSGI stack)."""
        name = normalise_host(host)
        with self._lock:
            cached = self._cache.get(name)
            generation = self._generation
        if cached is not None:
            return cached, False
        found = self._lookup(name) if engine is None else self._lookup_on(engine, name)
        if found is not None:
            with self._lock:
                # A commit that invalidated the cache while this lookup ran may not be
                # in what it read: then the snapshot serves this request but is not kept,
                # or pages would be served from it for up to ``ttl`` seconds.
                if self._generation == generation:
                    self._cache[name] = found
        return found, True

    def peek(self, host: str) -> StoreRef | None:
        """The cached snapshot for ``host``, without a lookup: ``None`` when it is not
        in the cache (or has expired). Safe outside an app context."""
        name = normalise_host(host)
        with self._lock:
            return self._cache.get(name)

    def _lookup(self, name: str) -> StoreRef | None:
        # The session's connection, so the lookup sees this transaction (a store just
        # created in it); a Core statement, so no ORM event or tenant guard runs.
        with platform_scope():
            return self._read(db.session.connection(), name)

    def _lookup_on(self, engine: Engine, name: str) -> StoreRef | None:
        with engine.connect() as connection:
            return self._read(connection, name)

    def _read(self, connection: Connection, name: str) -> StoreRef | None:
        slug = self.slug_for_host(name)
        statement, value = (_BY_SLUG, slug) if slug is not None else (_BY_DOMAIN, name)
        row = connection.execute(statement, {"name": value}).mappings().first()
        return StoreRef.from_row(row) if row is not None else None

    def invalidate(self) -> None:
        """Forget every cached host (called after commits that touch stores/domains)."""
        with self._lock:
            self._cache.clear()
            self._generation += 1


_resolvers: weakref.WeakSet[TenantResolver] = weakref.WeakSet()
_ROUTING_CHANGED = "haat_routing_changed"


def invalidate_all() -> None:
    """Clear the host cache of every resolver in this process."""
    for resolver in list(_resolvers):
        resolver.invalidate()


def mark_routing_changed(session: Session) -> None:
    """Clear the host caches when this session's transaction commits.

    Flushes of ``Tenant``/``Domain`` objects do this on their own; bulk statements
    that bypass the unit of work must call it.
    """
    session.info[_ROUTING_CHANGED] = True


def routing_change_pending(session: Session) -> bool:
    """Whether this session's open transaction changed a store (its versions included)."""
    return bool(session.info.get(_ROUTING_CHANGED))


def bump_content_version(session: Session, tenant_ids: set[int]) -> None:
    """Retire the stores' cached pages: bump ``content_version`` in this transaction
    (the page cache keys on it) and refresh host caches after the commit."""
    session.connection().execute(
        update(Tenant.__table__).where(Tenant.__table__.c.id.in_(tenant_ids))
        .values(content_version=Tenant.__table__.c.content_version + 1))
    mark_routing_changed(session)


def _note_routing_changes(session: Session, _context: Any, _instances: Any) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Tenant | Domain) for obj in touched):
        mark_routing_changed(session)


def _clear_after_commit(session: Session) -> None:
    if session.info.pop(_ROUTING_CHANGED, False):
        invalidate_all()


def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    # A rolled-back savepoint does not undo the outer transaction's changes.
    if not previous_transaction.nested:
        session.info.pop(_ROUTING_CHANGED, None)


_listening = False


def install_invalidation() -> None:
    """Clear host caches whenever a commit changed a store or a domain (idempotent)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "before_flush", _note_routing_changes)
    event.listen(Session, "after_commit", _clear_after_commit)
    event.listen(Session, "after_soft_rollback", _forget_after_rollback)
    _listening = True
