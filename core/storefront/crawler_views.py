"""``/robots.txt`` and ``/sitemap.xml`` for each store.

Core writes the files; plugins (the SEO plugin) supply the URLs through
``haat_sitemap_entries`` and extra rules through ``haat_robots_rules``. A sitemap with
more URLs than ``HAAT_SITEMAP_LIMIT`` becomes an index of ``/sitemap-<n>.xml`` files,
each under the protocol's 50,000-URL limit. Sitemaps are built once per content version
and kept on disk for all workers (:mod:`core.storefront.sitemaps`); robots.txt is kept
in the page cache. Neither looks at the query string, so none can make them rebuild.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from flask import abort, current_app, request
from werkzeug.wrappers import Response

from core.pluginhost.web import plugins_for_request
from core.sdk import RobotsRule
from core.storefront import sitemaps
from core.storefront.sitemap_files import BuildInProgress
from core.storefront.views import bp
from core.web.tenancy import current_store

#: Seconds a crawler is asked to wait while a store's first sitemap is being built.
BUILD_RETRY_SECONDS = 30
#: Paths no crawler needs, whatever plugins say.
CORE_DISALLOW = ("/admin", "/cart", "/checkout", "/search", "/orders/")


def _xml(name: str) -> Response:
    store = current_store()
    if not sitemaps.has_sitemap(plugins_for_request()):
        abort(404)
    try:
        found = sitemaps.serve(store.id, store.content_version, store.plugins_version, name)
    except BuildInProgress:
        # The store's first copy is being built by another request: crawlers retry a 503.
        response = Response("The sitemap is being built; try again shortly.\n", status=503,
                            mimetype="text/plain")
        response.headers["Retry-After"] = str(BUILD_RETRY_SECONDS)
        response.cache_control.no_store = True
        return response
    if found is None:
        abort(404)
    response = Response(found, mimetype="application/xml")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The store's sitemap, or an index of its parts when it is large."""
    return _xml(sitemaps.INDEX)


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """One part of a large sitemap (only an index has parts)."""
    return _xml(sitemaps.part_name(number))


def _groups(rules: Iterable[RobotsRule]) -> OrderedDict[str, list[str]]:
    groups: OrderedDict[str, list[str]] = OrderedDict()
    groups["*"] = [f"Disallow: {path}" for path in CORE_DISALLOW]
    for rule in rules:
        agent = (rule.user_agent or "*").strip().replace("\n", " ")
        lines = groups.setdefault(agent, [])
        lines += [f"Allow: {p.strip()}" for p in rule.allow if p.strip().startswith("/")]
        lines += [f"Disallow: {p.strip()}" for p in rule.disallow
                  if p.strip().startswith("/") or p.strip() == ""]
    return groups


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawler rules: core's own, then every enabled plugin's, and the sitemap; kept in
    the page cache per store version and origin, whatever the query string."""
    from core.storefront.page_cache import PageCache, cacheable_host

    cache: PageCache = current_app.extensions["haat_page_cache"]
    host = cacheable_host()  # None for a made-up port: served, never stored
    key = (current_store(), "robots.txt", request.scheme, host)
    caching = bool(current_app.config["HAAT_PAGE_CACHE_SIZE"]) and host is not None
    body = cache.get(key) if caching else None
    if body is None:
        body = _robots_body()
        if caching:
            cache.set(key, body)
    response = Response(body, mimetype="text/plain")
    response.cache_control.max_age = 3600
    return response


def _robots_body() -> str:
    plugins = plugins_for_request()
    rules: list[RobotsRule] = []
    if plugins is not None:
        for contribution in plugins.contribute("haat_robots_rules"):
            rules += [r for r in contribution.value or () if isinstance(r, RobotsRule)]
    blocks = []
    for agent, lines in _groups(rules).items():
        unique = list(OrderedDict.fromkeys(line.replace("\n", " ") for line in lines))
        blocks.append("\n".join([f"User-agent: {agent}", *unique]))
    body = "\n\n".join(blocks) + "\n"
    # A store that is not open names no sitemap (the sitemap is behind its coming-soon
    # page, core.storefront.coming_soon).
    if current_store().open and sitemaps.has_sitemap(plugins):
        body += f"\nSitemap: {request.host_url.rstrip('/')}/{sitemaps.INDEX}\n"
    return body
