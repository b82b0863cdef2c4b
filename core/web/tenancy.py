"""Per-request tenancy: resolve the host, enter the store's scope, guard the session.

Core keeps the request's :class:`~tenants.resolution.StoreRef` (a cacheable snapshot
with the store's status, theme and cache versions) under ``g.haat_store`` and reads it
through :func:`current_store`. ``g.store`` is for plugins: the request's
``core.sdk.StoreInfo`` (``plugin_settings``, ``enabled_plugins``, ``url``), the very
object their hooks receive, built on first use (see :class:`RequestGlobals`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, request, session
from flask.ctx import _AppCtxGlobals

from core.web.app import SHARED_ENDPOINTS
from tenants.context import Scope, activate, deactivate
from tenants.resolution import StoreRef, TenantResolver

if TYPE_CHECKING:
    from core.sdk import StoreInfo

SESSION_TENANT_KEY = "_haat_store"
#: Where core keeps the request's ``StoreRef`` in ``g`` (private to core).
STORE_REF_KEY = "haat_store"


class StoreNotFound(Exception):
    """No store lives at the request's host."""


class StoreSuspended(Exception):
    """The store exists but is suspended: ``args`` are its slug and its language."""

    @property
    def locale(self) -> str:
        return str(self.args[1]) if len(self.args) > 1 else "en"


class RequestGlobals(_AppCtxGlobals):
    """Flask's ``g``, where ``store`` is the request's ``core.sdk.StoreInfo``.

    ``g.store``, ``g.get("store")`` and ``"store" in g`` all agree: the ``StoreInfo`` on
    a store's host (built once, with the store's plugin state, on first use), ``None``
    elsewhere. It cannot be assigned: core's own snapshot lives in ``g.haat_store``.
    """

    @property
    def store(self) -> StoreInfo | None:
        if self.__dict__.get(STORE_REF_KEY) is None:
            return None
        from core.pluginhost.web import plugins_for_request  # the host sits on tenancy

        plugins = plugins_for_request()
        return plugins.info if plugins is not None else None

    def get(self, name: str, default: Any = None) -> Any:
        if name == "store":
            found = self.store
            return default if found is None else found
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        if name == "store":
            return self.__dict__.get(STORE_REF_KEY) is not None
        return name in self.__dict__

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "store":
            raise AttributeError(
                "g.store is the request's core.sdk.StoreInfo and cannot be assigned; "
                f"core keeps its StoreRef in g.{STORE_REF_KEY}")
        super().__setattr__(name, value)


def current_store() -> StoreRef | None:
    """The store of this request (core's ``StoreRef``), or ``None`` on the platform host."""
    return g.get(STORE_REF_KEY)


#: What requests keep in ``g`` beyond Haat's ``haat_*`` names.
_REQUEST_KEYS = ("theme",)


def _forget_last_request() -> None:
    """A request made inside an app context that is already pushed (a job, a script, a
    test calling the app) shares that context's ``g``: drop what the last request kept
    there (its store's plugins, theme, cart, page caches), so no request inherits
    another store's."""
    for key in [k for k in vars(g) if k.startswith("haat_") or k in _REQUEST_KEYS]:
        g.pop(key, None)


def _enter_request_scope() -> None:
    _forget_last_request()
    g.haat_store = None
    if request.endpoint in SHARED_ENDPOINTS:
        return
    app = current_app
    if app.is_platform_request(request):
        return
    store, fresh = app.extensions["haat_resolver"].resolve_fresh(request.host)
    if store is None:
        raise StoreNotFound(request.host)
    if not store.is_active:
        raise StoreSuspended(store.slug, store.locale)
    g.haat_store = store
    # Read from the database in this request: its plugins_version is current, so the
    # plugin host need not read it again (one query less on a store's first visit).
    g.haat_store_fresh = fresh
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
    store = current_store()
    if store is not None and session and SESSION_TENANT_KEY not in session:
        session[SESSION_TENANT_KEY] = store.id
    return response


def _leave_request_scope(_exc: BaseException | None) -> None:
    token = g.pop("scope_token", None)
    if token is not None:
        deactivate(token)


def init_app(app: Flask) -> None:
    """Install the resolver, the request hooks and ``g`` with its ``store``."""
    app.app_ctx_globals_class = RequestGlobals
    app.extensions["haat_resolver"] = TenantResolver(
        app.config["HAAT_PLATFORM_DOMAIN"],
        ttl=app.config["HAAT_TENANT_CACHE_TTL"],
        maxsize=app.config["HAAT_TENANT_CACHE_SIZE"],
    )
    app.before_request_funcs.setdefault(None, []).insert(0, _enter_request_scope)
    app.after_request(_stamp_session)
    app.teardown_request(_leave_request_scope)
