"""Which store the current code runs for.

A *scope* is set per request by the tenancy middleware, per command by the CLI, and
per block by ``tenant_scope()`` / ``platform_scope()``. The ORM guards in
``tenants.scoping`` read it on every query and flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


class TenantScopeError(RuntimeError):
    """Tenant-owned data was touched with no store in context."""


class CrossTenantWriteError(RuntimeError):
    """A flush tried to write a row that belongs to another store."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Either one store (``tenant_id``) or the whole platform (``platform=True``)."""

    tenant_id: int | None = None
    platform: bool = False


_current: ContextVar[Scope | None] = ContextVar("haat_scope", default=None)


def current_scope() -> Scope | None:
    """The active scope, or ``None`` when no code has set one."""
    return _current.get()


def current_tenant_id() -> int | None:
    """The id of the store in context, or ``None`` (no scope, or platform scope)."""
    scope = _current.get()
    return scope.tenant_id if scope else None


def require_tenant_id() -> int:
    """The id of the store in context; raises ``TenantScopeError`` when there is none."""
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantScopeError("This needs a store in context (use tenant_scope()).")
    return tenant_id


def activate(scope: Scope) -> Token[Scope | None]:
    """Enter ``scope``; pass the returned token to ``deactivate``."""
    return _current.set(scope)


def deactivate(token: Token[Scope | None]) -> None:
    """Restore the scope that was active before ``activate``."""
    _current.reset(token)


@contextmanager
def tenant_scope(tenant_id: int) -> Iterator[None]:
    """Run a block for one store: queries see only its rows, writes go to it."""
    token = activate(Scope(tenant_id=tenant_id))
    try:
        yield
    finally:
        deactivate(token)


@contextmanager
def platform_scope() -> Iterator[None]:
    """Run a block for the whole platform: no tenant filter. Use it visibly and rarely."""
    token = activate(Scope(platform=True))
    try:
        yield
    finally:
        deactivate(token)
