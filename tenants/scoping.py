"""Central tenant isolation for the ORM.

Three guards, installed once per process by ``install_guards()``:

* every ORM SELECT/UPDATE/DELETE that touches a ``TenantOwned`` model gets
  ``tenant_id = <current store>`` added to it, joins and relationship loads included;
* every flush refuses to write a ``TenantOwned`` row of another store (and fills in
  ``tenant_id`` for new rows);
* every loaded ``TenantOwned`` row is checked again, so a hand-written statement
  that slips past the first guard still cannot hand another store's row to a view.

With no scope at all, touching a ``TenantOwned`` model raises ``TenantScopeError``;
platform code opts out explicitly with ``platform_scope()``.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from tenants.context import CrossTenantWriteError, Scope, TenantScopeError, current_scope
from tenants.models import TenantOwned

_installed = False

_NO_SCOPE = (
    "Tenant-owned data ({models}) was touched with no store in context. Run it inside "
    "tenant_scope(tenant_id), or platform_scope() for deliberate platform-wide code."
)


def _tenant_owned_models(state: ORMExecuteState) -> list[str]:
    return [m.class_.__name__ for m in state.all_mappers if issubclass(m.class_, TenantOwned)]


def _filter_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if scope is not None and scope.platform:
        return
    owned = _tenant_owned_models(state)
    if not owned and scope is None:
        return
    if scope is None or scope.tenant_id is None:
        raise TenantScopeError(_NO_SCOPE.format(models=", ".join(owned)))
    tenant_id = scope.tenant_id
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
            track_closure_variables=True,
        )
    )


def _check_write(obj: TenantOwned, scope: Scope | None, is_new: bool) -> None:
    if scope is not None and scope.platform:
        return
    if scope is None or scope.tenant_id is None:
        raise TenantScopeError(_NO_SCOPE.format(models=type(obj).__name__))
    if is_new and obj.tenant_id is None:
        obj.tenant_id = scope.tenant_id
        return
    history = inspect(obj).attrs.tenant_id.history
    owners = {v for v in chain(history.added, history.unchanged, history.deleted) if v is not None}
    if owners != {scope.tenant_id}:
        raise CrossTenantWriteError(
            f"Refusing to write {type(obj).__name__} of store {sorted(owners)} "
            f"while serving store {scope.tenant_id}."
        )


def _guard_flush(session: Session, _context: Any, _instances: Any) -> None:
    scope = current_scope()
    for obj in session.new:
        if isinstance(obj, TenantOwned):
            _check_write(obj, scope, is_new=True)
    for obj in chain(session.dirty, session.deleted):
        if isinstance(obj, TenantOwned):
            _check_write(obj, scope, is_new=False)


def _guard_load(target: TenantOwned, _context: Any) -> None:
    scope = current_scope()
    if scope is None or scope.platform:
        return
    if target.tenant_id != scope.tenant_id:
        raise CrossTenantWriteError(
            f"Loaded {type(target).__name__} of store {target.tenant_id} "
            f"while serving store {scope.tenant_id}."
        )


def install_guards() -> None:
    """Attach the isolation guards to every SQLAlchemy session (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _filter_statement)
    event.listen(Session, "before_flush", _guard_flush)
    event.listen(TenantOwned, "load", _guard_load, propagate=True)
    _installed = True
