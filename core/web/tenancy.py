"""Per-request tenancy: resolve the host, enter the store's scope, guard the session."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session

from core.web.app import SHARED_ENDPOINTS
from tenants.context import Scope, activate, deactivate
from tenants.resolution import StoreRef, TenantResolver

SESSION_TENANT_KEY = "_haat_store"


class StoreNotFound(Exception):
    """No store lives at the request's host."""


class StoreSuspended(Exception):
    """The store exists but is suspended."""


def current_store() -> StoreRef | None:
    """The store of this request, or ``None`` on the platform host."""
    return g.get("store")


def _enter_request_scope() -> None:
    g.store = None
    if request.endpoint in SHARED_ENDPOINTS:
        return
    app = current_app
    if app.is_platform_request(request):
        return
    store = app.extensions["haat_resolver"].resolve(request.host)
    if store is None:
        raise StoreNotFound(request.host)
    if not store.is_active:
        raise StoreSuspended(store.slug)
    g.store = store
    g.scope_token = activate(Scope(tenant_id=store.id))
    _bind_session_to_store(store)


def _bind_session_to_store(store: StoreRef) -> None:
    """A session cookie only ever speaks for the store that issued it.

    Cookies are host-only already; this also defeats a cookie copied by hand from
    one store's host to another's (all sessions share the app's signing key).
    """
    owner = session.get(SESSION_TENANT_KEY)
    if owner is not None and owner != store.id:
        session.clear()


def _stamp_session(response: Response) -> Response:
    store = g.get("store")
    if store is not None and session and SESSION_TENANT_KEY not in session:
        session[SESSION_TENANT_KEY] = store.id
    return response


def _leave_request_scope(_exc: BaseException | None) -> None:
    token = g.pop("scope_token", None)
    if token is not None:
        deactivate(token)


def init_app(app: Flask) -> None:
    """Install the resolver and the request hooks."""
    app.extensions["haat_resolver"] = TenantResolver(
        app.config["HAAT_PLATFORM_DOMAIN"],
        ttl=app.config["HAAT_TENANT_CACHE_TTL"],
        maxsize=app.config["HAAT_TENANT_CACHE_SIZE"],
    )
    app.before_request_funcs.setdefault(None, []).insert(0, _enter_request_scope)
    app.after_request(_stamp_session)
    app.teardown_request(_leave_request_scope)
