"""Central tenant isolation for the ORM.

Three guards, installed once per process by ``install_guards()``:

* every ORM SELECT/UPDATE/DELETE that touches a ``TenantOwned`` model gets
  ``tenant_id = <current store>`` added to it, joins and relationship loads included;
  every INSERT statement (``session.execute(insert(Model), [...])``, Core inserts too)
  must give each row the current store's ``tenant_id`` (it is filled in when missing),
  and no UPDATE may set another store's; an ORM bulk UPDATE by primary key gets the
  store's filter too; and a statement that names a store-owned *table* rather than its
  model (``select(Model.__table__.c.title)``), which the filter cannot see, is refused;
* every flush refuses to write a ``TenantOwned`` row of another store (and fills in
  ``tenant_id`` for new rows);
* every loaded ``TenantOwned`` row is checked again, so a hand-written statement
  that slips past the first guard still cannot hand another store's row to a view.

With no scope at all, touching a ``TenantOwned`` model (or a store-owned table)
raises ``TenantScopeError``; platform code opts out explicitly with
``platform_scope()``. Text SQL (``text(...)``) and statements run on a connection
rather than a session are not seen by these guards.

A SELECT in a store's scope reuses that store's filter option and what was found of
its shape before (keyed by SQLAlchemy's cache key of the filtered statement), so the
guard costs little on pages that run a dozen statements (see ``_filter_select``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain
from threading import Lock
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter, ColumnClause
from sqlalchemy.sql.selectable import AliasedReturnsRows, Select, SelectBase, TableClause

from core.db import db
from tenants.context import CrossTenantWriteError, Scope, TenantScopeError, current_scope
from tenants.models import TenantOwned

_installed = False

_NO_SCOPE = (
    "Tenant-owned data ({models}) was touched with no store in context. Run it inside "
    "tenant_scope(tenant_id), or platform_scope() for deliberate platform-wide code."
)

_TABLE_REFUSED = (
    "A statement on the table {tables} (not its model) would reach every store's rows: "
    "Haat filters store-owned data by model. Use the model class "
    "(select(Model.column), update(Model), delete(Model)), or filter tenant_id yourself "
    "in platform_scope()."
)


def _tenant_owned_models(state: ORMExecuteState) -> list[str]:
    return [m.class_.__name__ for m in state.all_mappers if issubclass(m.class_, TenantOwned)]


def _store_owned(table: TableClause) -> bool:
    """A table whose rows belong to stores: it has ``tenant_id`` (a lightweight
    ``table("name")`` counts by its name)."""
    if "tenant_id" in table.c:
        return True
    known = db.metadata.tables.get(table.name)
    return known is not None and "tenant_id" in known.c


def unfiltered_tables(statement: Any) -> list[str]:
    """Store-owned tables that ``statement`` reads or changes as tables, not through a
    model.

    The query filter adds ``tenant_id = <store>`` for each mapped entity
    (``with_loader_criteria``); a ``Table`` (``Model.__table__``, a reflected or a
    plain ``sa.Table``) gets nothing. So every SELECT in the statement (subqueries
    included) is checked on its own: a plain store-owned table in it is fine only where
    a model of that table appears in the same SELECT (the ORM's own ``session.get()``
    and relationship loads name columns of the entity's table), or where the SELECT
    correlates it to an enclosing SELECT's table rather than reading it again. An alias
    of a plain table, and the target of an UPDATE or DELETE, must come from a model.
    """
    found: set[str] = set()
    # (a SELECT or DML statement, ids of the tables of the enclosing SELECTs it may
    # correlate to)
    stack: list[tuple[Any, frozenset[int]]] = [(statement, frozenset())]
    while stack:
        root, outer = stack.pop()
        seen = _Seen()
        seen.walk(root)
        flagged = {key: name for key, name in seen.plain.items() if key not in seen.models}
        if isinstance(root, Select) and len(seen.froms) > 1 \
                and getattr(root, "_auto_correlate", True):
            # SQL's auto-correlation (SQLAlchemy's rule): a SELECT with several FROMs
            # leaves out those of the enclosing SELECTs; one with a single FROM reads it.
            flagged = {key: name for key, name in flagged.items() if key not in outer}
        if isinstance(root, UpdateBase) and _is_plain_store_table(root.table):
            flagged[id(root.table)] = root.table.name  # UPDATE/DELETE of a bare table
        found.update(flagged.values())
        found.update(seen.aliases)
        inner = outer | seen.froms
        stack.extend((nested, inner if correlates else frozenset())
                     for nested, correlates in seen.nested)
    return sorted(found)


class _Seen:
    """What one SELECT (or DML statement) names itself, its subqueries apart."""

    def __init__(self) -> None:
        self.models: set[int] = set()  # ids of the tables of the models it names
        self.plain: dict[int, str] = {}  # plain store-owned tables: id -> name
        self.froms: set[int] = set()  # ids of every table, alias or subquery it names
        self.aliases: set[str] = set()  # aliases of plain store-owned tables
        self.nested: list[tuple[Any, bool]] = []  # (subquery, may correlate)

    def walk(self, root: Any) -> None:
        stack = list(root.get_children())
        visited: set[int] = set()
        while stack:
            element = stack.pop()
            if id(element) in visited:
                continue
            visited.add(id(element))
            mapper = (getattr(element, "_annotations", None) or {}).get("parentmapper")
            if mapper is not None:
                self.models.update(id(t) for t in mapper.tables)
            if isinstance(element, SelectBase):
                self.nested.append((element, True))
            elif isinstance(element, AliasedReturnsRows):
                self.froms.add(id(element))
                if mapper is not None:
                    continue  # aliased(Model): the filter's
                inner = element.element
                if isinstance(inner, TableClause):
                    if _store_owned(inner):
                        self.aliases.add(inner.name)
                elif isinstance(inner, SelectBase):
                    self.nested.append((inner, False))  # a FROM subquery: read afresh
            elif isinstance(element, TableClause):
                self.froms.add(id(_original(element)))
                if mapper is None and _store_owned(element):
                    self.plain[id(element)] = element.name
            elif isinstance(element, ColumnClause):
                table = element.table
                if isinstance(table, TableClause):
                    self.froms.add(id(_original(table)))
                    if mapper is None and _store_owned(table):
                        self.plain[id(table)] = table.name
                elif table is not None:  # a column of an alias or a subquery
                    stack.append(table)
            else:
                stack.extend(element.get_children())


def _original(element: Any) -> Any:
    """``element`` without ORM annotations (an annotated table is its plain table)."""
    return element._deannotate() if getattr(element, "_annotations", None) else element


def _is_plain_store_table(element: Any) -> bool:
    """A store-owned table that does not come from a model."""
    if "parentmapper" in (getattr(element, "_annotations", None) or {}):
        return False
    return isinstance(element, TableClause) and _store_owned(element)


def _refuse_unfiltered(state: ORMExecuteState, scope: Scope | None) -> None:
    tables = unfiltered_tables(state.statement)
    if not tables:
        return
    if scope is None or scope.tenant_id is None:
        raise TenantScopeError(_NO_SCOPE.format(models=", ".join(tables)))
    raise TenantScopeError(_TABLE_REFUSED.format(tables=", ".join(tables)))


def _filter_statement(state: ORMExecuteState) -> None:
    scope = current_scope()
    if scope is not None and scope.platform:
        return
    if state.is_insert:
        _guard_insert(state, scope)
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_select and scope is not None and scope.tenant_id is not None:
        _filter_select(state, scope.tenant_id)
        return
    _refuse_unfiltered(state, scope)
    if state.is_update and scope is not None and scope.tenant_id is not None:
        _guard_update(state, scope.tenant_id)
    owned = _tenant_owned_models(state)
    if not owned and scope is None:
        return
    if scope is None or scope.tenant_id is None:
        raise TenantScopeError(_NO_SCOPE.format(models=", ".join(owned)))
    state.statement = state.statement.options(_store_filter(scope.tenant_id))


# A page runs a dozen SELECTs, most of them of a shape seen many times before; the two
# memos below spare each one the work that does not depend on the store's rows.

#: The store filter option of each recent store (it is the same for all of a store's
#: statements; the lambda's closure is the store's id, so SQLAlchemy caches the SQL).
_FILTERS: dict[int, Any] = {}
#: What :func:`unfiltered_tables` found in each recent SELECT shape, by its filtered
#: statement's SQLAlchemy cache key: the key SQLAlchemy itself trusts to reuse compiled
#: SQL, which tells tables, models (ORM annotations), aliases, subqueries and
#: correlation apart; bound values (the store's id included) are not part of it.
_SHAPES: dict[Any, list[str]] = {}
_MEMO_SIZE = 2048
_MEMO_LOCK = Lock()  # workers serve requests on threads (gthread)


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    with _MEMO_LOCK:
        if len(memo) >= _MEMO_SIZE:
            memo.pop(next(iter(memo)))  # the oldest
        memo[key] = value


def _store_filter(tenant_id: int) -> Any:
    """The ``with_loader_criteria`` option that keeps every store-owned entity of a
    statement (joins, aliases and relationship loads included) to ``tenant_id``."""
    option = _FILTERS.get(tenant_id)
    if option is None:
        option = with_loader_criteria(
            TenantOwned,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
            track_closure_variables=True,
        )
        _remember(_FILTERS, tenant_id, option)
    return option


def _filter_select(state: ORMExecuteState, tenant_id: int) -> None:
    """A SELECT in a store's scope: refused if it reads a store-owned table rather than
    its model, else filtered to the store."""
    statement = state.statement
    option = _store_filter(tenant_id)
    # A relationship load carries its parent statement's options: this very filter
    # (the same object, so the same store) when the parent was loaded in this scope.
    carried = getattr(statement, "_with_options", ())
    filtered = statement if any(o is option for o in carried) else statement.options(option)
    # Memoised on the statement: SQLAlchemy reuses it when it executes ``filtered``.
    key = filtered._generate_cache_key()
    # The number of known tables too: a plain ``table("name")`` is store-owned by the
    # metadata's table of that name, which a plugin's tables may add later.
    shape = None if key is None else (type(statement), state.is_orm_statement,
                                      len(db.metadata.tables), key.key)
    tables = _SHAPES.get(shape) if shape is not None else None
    if tables is None:
        tables = unfiltered_tables(statement)
        if shape is not None:
            _remember(_SHAPES, shape, tables)
    if tables:
        raise TenantScopeError(_TABLE_REFUSED.format(tables=", ".join(tables)))
    state.statement = filtered


# ------------------------------------------------------------ INSERT and UPDATE statements


def _column_key(key: Any) -> Any:
    return key if isinstance(key, str) else getattr(key, "key", key)


def _value_of(value: Any, table: str) -> Any:
    """The plain value a statement gives ``tenant_id``; refuses SQL expressions."""
    if isinstance(value, BindParameter):
        value = value.effective_value
    if hasattr(value, "__clause_element__") or hasattr(value, "_compiler_dispatch"):
        raise CrossTenantWriteError(
            f"Refusing to write {table} rows whose tenant_id is an SQL expression: give "
            "the store's id, or leave it out (a new row gets the store in scope).")
    return value


def _check_owner(value: Any, tenant_id: int, table: str) -> None:
    if value != tenant_id:
        raise CrossTenantWriteError(
            f"Refusing to write a {table} row of store {value!r} "
            f"while serving store {tenant_id}.")


def _given_rows(statement: Any, table: TableClause) -> Iterator[Mapping[str, Any]]:
    """Each row of an INSERT's own ``values()``, by column key.

    SQLAlchemy has no public reader for them; ``_values`` and ``_multi_values`` are
    what its own ORM bulk insert reads.
    """
    if statement._values:
        yield {_column_key(k): v for k, v in statement._values.items()}
    keys = [c.key for c in table.c]
    for rows in statement._multi_values:
        for row in rows:
            yield ({_column_key(k): v for k, v in row.items()} if isinstance(row, Mapping)
                   else dict(zip(keys, row, strict=False)))


def _conflict_stays_in_store(statement: Any, table: TableClause) -> bool:
    """An ``ON CONFLICT DO UPDATE`` may only meet a row of the same store: its conflict
    target must include ``tenant_id`` (the inserted row's is checked)."""
    clause = getattr(statement, "_post_values_clause", None)
    if clause is None or type(clause).__name__ != "OnConflictDoUpdate":
        return True
    named = getattr(clause, "constraint_target", None)
    if named is not None:
        name = named if isinstance(named, str) else getattr(named, "name", None)
        columns = [set(c.key for c in getattr(k, "columns", ())) for k in
                   (*table.constraints, *getattr(table, "indexes", ())) if k.name == name]
        return any("tenant_id" in found for found in columns)
    elements = getattr(clause, "inferred_target_elements", None) or []
    return "tenant_id" in {_column_key(e) for e in elements}


def _guard_insert(state: ORMExecuteState, scope: Scope | None) -> None:
    """Every row an INSERT writes into a store-owned table belongs to the store in
    scope: a given ``tenant_id`` must be the store's, a missing one is filled in."""
    statement = state.statement
    table = statement.table
    if not isinstance(table, TableClause) or not _store_owned(table):
        return
    if scope is None or scope.tenant_id is None:
        raise TenantScopeError(_NO_SCOPE.format(models=table.name))
    tenant_id = scope.tenant_id
    if statement.select is not None:
        raise CrossTenantWriteError(
            f"Refusing INSERT ... SELECT into {table.name} in a store's scope: the rows "
            "cannot be checked. Insert the rows themselves, or run it in platform_scope() "
            "with tenant_id filtered yourself.")
    if not _conflict_stays_in_store(statement, table):
        raise CrossTenantWriteError(
            f"Refusing an upsert into {table.name} whose ON CONFLICT target does not "
            "include tenant_id: it could change another store's row.")
    inline = list(_given_rows(statement, table))
    for row in inline:
        if "tenant_id" in row:
            _check_owner(_value_of(row["tenant_id"], table.name), tenant_id, table.name)
        elif statement._multi_values:
            raise CrossTenantWriteError(
                f"Refusing a multi-row INSERT into {table.name} with a row that has no "
                "tenant_id: give every row the store's id.")
    given_inline = bool(inline) and "tenant_id" in inline[0]
    params = state.parameters
    if isinstance(params, Mapping):
        params = [params] if params else []
    filled = []
    for row in params or []:
        if "tenant_id" in row:
            _check_owner(_value_of(row["tenant_id"], table.name), tenant_id, table.name)
        elif not given_inline:
            row = {**row, "tenant_id": tenant_id}
        filled.append(row)
    if filled:
        state.parameters = filled if isinstance(state.parameters, list) else filled[0]
    elif not given_inline and not statement._multi_values:
        state.statement = statement.values(tenant_id=tenant_id)


def _guard_update(state: ORMExecuteState, tenant_id: int) -> None:
    """An UPDATE may not hand rows to another store, and an ORM bulk UPDATE by primary
    key (``session.execute(update(Model), [{"id": ..., ...}])``), which the loader
    criteria do not reach, only changes the store's own rows."""
    statement = state.statement
    table = statement.table
    name = getattr(table, "name", "?")
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    given = {_column_key(k): v for k, v in (statement._values or {}).items()}
    for row in (given, *rows):
        if "tenant_id" in row:
            _check_owner(_value_of(row["tenant_id"], name), tenant_id, name)
    mapper = (getattr(table, "_annotations", None) or {}).get("parentmapper")
    if isinstance(params, list) and mapper is not None \
            and issubclass(mapper.class_, TenantOwned):
        state.statement = statement.where(mapper.class_.tenant_id == tenant_id)
        # SQLAlchemy cannot bring loaded objects in step with a by-primary-key UPDATE
        # that has criteria of its own: such objects keep their old values.
        if "synchronize_session" not in state.execution_options:
            state.update_execution_options(synchronize_session=None)


# --------------------------------------------------------------------------- flush


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
