"""The Flask subclass that gives the platform and the stores separate route tables.

The platform's pages (``/``, ``/signup``) and a store's pages (``/``, ``/products/...``,
``/admin``) share paths, so each lives in its own ``werkzeug`` URL map and the request's
host picks the map. A store route simply does not exist on the platform host and vice
versa; ``url_for`` cannot build a link across the two.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from jinja2 import BaseLoader
from werkzeug.routing import IntegerConverter, Map, MapAdapter

from core.theming.loader import ThemedEnvironment, themed_loader

PLATFORM_BLUEPRINTS = frozenset({"platform"})
SHARED_ENDPOINTS = frozenset({"static", "health.healthz"})


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id. Numbers beyond a 32-bit primary key are simply not
    found (404), instead of overflowing the database driver."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=2**31 - 1)


class Haat(Flask):
    """Flask with one route table for the platform host and one for store hosts, and
    templates that resolve through the store's theme (:mod:`core.theming.loader`)."""

    jinja_environment = ThemedEnvironment

    def create_global_jinja_loader(self) -> BaseLoader:  # type: ignore[override]
        return themed_loader(super().create_global_jinja_loader())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Flask's own __init__ registers the static route, so this must exist first.
        self.platform_url_map = Map(converters={"id": IdConverter})
        self._synchronous: weakref.WeakKeyDictionary[Callable[..., Any], bool] = (
            weakref.WeakKeyDictionary())
        super().__init__(*args, **kwargs)
        self.url_map.converters["id"] = IdConverter

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Any = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Register ``rule`` in the store table, the platform table, or both."""
        name = endpoint or (view_func.__name__ if view_func else "")
        blueprint = name.rpartition(".")[0]
        targets = []
        if name in SHARED_ENDPOINTS or blueprint not in PLATFORM_BLUEPRINTS:
            targets.append(self.url_map)
        if name in SHARED_ENDPOINTS or blueprint in PLATFORM_BLUEPRINTS:
            targets.append(self.platform_url_map)
        store_map = self.url_map
        try:
            for table in targets:
                self.url_map = table
                super().add_url_rule(
                    rule, endpoint, view_func, provide_automatic_options, **options
                )
        finally:
            self.url_map = store_map

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks this of every hook and view on every request, and each answer
        inspects the function's code flags. Whether a function is already synchronous
        never changes, so it is remembered, weakly: per-request callbacks
        (``after_this_request``) are forgotten with their request."""
        try:
            known = self._synchronous.get(func)
        except TypeError:  # not weakly referable: asked every time
            return super().ensure_sync(func)
        if known:
            return func
        made = super().ensure_sync(func)
        if known is None:
            self._synchronous[func] = made is func
        return made

    def is_platform_request(self, request: Request) -> bool:
        """True when the request's host is the bare platform domain."""
        return self.extensions["haat_resolver"].is_platform_host(request.host)

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the platform table for the platform host, the store table otherwise."""
        adapter = super().create_url_adapter(request)
        if request is None or adapter is None or not self.is_platform_request(request):
            return adapter
        return self.platform_url_map.bind_to_environ(
            request.environ, server_name=None, subdomain=self.url_map.default_subdomain or ""
        )
