"""Lifecycle events: queued during a transaction, delivered after it commits.

``emit("haat_order_paid", tenant_id, order=...)`` inside a unit of work queues the
event on the session. A commit makes queued events ready; a rollback drops them.
Ready events are delivered when the app context ends (after the response is built,
or when a CLI command finishes), each plugin called alone (isolated).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db
from core.sdk import StoreInfo
from tenants import tenant_scope

_PENDING = "haat_pending_events"
_READY = "haat_ready_events"
_JOB = "haat:job"  # a queued background job, not a hook


def emit(hook_name: str, tenant_id: int | None, **kwargs: Any) -> None:
    """Queue a lifecycle event for delivery after the current transaction commits.

    ``tenant_id`` is the store the event belongs to (``None`` only for
    ``haat_store_deleted``, which goes to every installed plugin).
    """
    db.session.info.setdefault(_PENDING, []).append((hook_name, tenant_id, kwargs))


def emit_lazy(hook_name: str, tenant_id: int,
              build: Callable[[StoreInfo], dict[str, Any] | None]) -> None:
    """Queue an event whose arguments are built at delivery, after the commit.

    ``build(store)`` runs in the store's scope and returns the hook's keyword
    arguments, or ``None`` to drop the event (e.g. the product is gone by then).
    Used where arguments need queries that cannot run inside a flush.
    """
    db.session.info.setdefault(_PENDING, []).append((hook_name, tenant_id, build))


def enqueue_after_commit(func: Callable[..., Any], tenant_id: int, *args: Any) -> None:
    """Queue the background job ``func(store, *args)`` once the current transaction
    commits (a rollback drops it), e.g. an order email that must not go out for an
    order that was never saved."""
    db.session.info.setdefault(_PENDING, []).append((_JOB, tenant_id, (func, args)))


def _promote(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(pending)


def _drop(session: Session, previous_transaction: Any) -> None:
    # A rolled-back savepoint does not undo the outer transaction's events.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def deliver_ready_events(app: Flask | None = None) -> int:
    """Deliver every committed event; returns how many were delivered."""
    from core.pluginhost.web import plugins_for_tenant

    app = app or current_app._get_current_object()
    ready = db.session.info.pop(_READY, [])
    host = app.extensions["haat_plugins"]
    stores: dict[int, Any] = {}  # one plugin relay per store for the whole batch
    for hook_name, tenant_id, kwargs in ready:
        if hook_name == _JOB:
            func, args = kwargs
            app.extensions["haat_jobs"].enqueue(func, tenant_id, *args)
            continue
        if tenant_id is None:
            _deliver_everywhere(host, hook_name, kwargs)
            continue
        with tenant_scope(tenant_id):
            if tenant_id not in stores:
                try:
                    stores[tenant_id] = plugins_for_tenant(tenant_id)
                except LookupError:  # the store was deleted in the meantime
                    stores[tenant_id] = None
            plugins = stores[tenant_id]
            # Nobody listening in this store: do not build snapshots nobody reads.
            if plugins is None or not plugins.hooks.caller(hook_name).get_hookimpls():
                continue
            arguments = kwargs(plugins.info) if callable(kwargs) else kwargs
            if arguments is not None:
                plugins.contribute(hook_name, **arguments)
    return len(ready)


def _deliver_everywhere(host: Any, hook_name: str, kwargs: dict[str, Any]) -> None:
    for impl in getattr(host.pm.hook, hook_name).get_hookimpls():
        try:
            impl.function(*[kwargs[name] for name in impl.argnames])
        except Exception:  # one plugin's cleanup failing must not stop the others
            if not current_app.config["HAAT_PLUGIN_ISOLATION"]:
                raise
            current_app.logger.exception("plugin %s failed in %s", impl.plugin_name, hook_name)


def install(app: Flask) -> None:
    """Hook the queue into SQLAlchemy's transaction events and Flask's teardown."""
    if not event.contains(Session, "after_commit", _promote):
        event.listen(Session, "after_commit", _promote)
        event.listen(Session, "after_soft_rollback", _drop)

    @app.teardown_appcontext
    def _deliver(_exc: BaseException | None) -> None:
        if not db.session.info.get(_READY):
            return
        try:
            deliver_ready_events(app)
            db.session.commit()
        except BaseException:
            # A teardown that raises skips the ones after it, Flask-SQLAlchemy's session
            # clean-up included: end the transaction here, or its connection stays
            # "idle in transaction" holding locks (a plugin raising under TESTING, a
            # queue that is down).
            db.session.rollback()
            db.session.remove()
            raise
