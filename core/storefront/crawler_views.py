"""``/robots.txt`` and ``/sitemap.xml`` for each store.

Core writes the files; plugins (the SEO plugin) supply the URLs through
``haat_sitemap_entries`` and extra rules through ``haat_robots_rules``. A sitemap with
more URLs than ``HAAT_SITEMAP_LIMIT`` becomes an index of ``/sitemap-<n>.xml`` files,
each under the protocol's 50,000-URL limit. Both are cached with the store's pages
(``core.storefront.page_cache``), so a large catalogue is walked once per change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape

from flask import abort, current_app, g, request
from werkzeug.wrappers import Response

from core.pluginhost.web import plugins_for_request
from core.sdk import RobotsRule, SitemapEntry
from core.storefront.views import bp
from core.web.budgets import spend
from core.web.tenancy import current_store

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Paths no crawler needs, whatever plugins say.
CORE_DISALLOW = ("/admin", "/cart", "/checkout", "/search", "/orders/")


def _lastmod(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _entries() -> list[SitemapEntry] | None:
    """Every plugin's entries for this store, same-origin paths only, each path once;
    ``None`` when no enabled plugin provides a sitemap."""
    if "haat_sitemap" in g:
        return g.haat_sitemap
    plugins = plugins_for_request()
    if plugins is None or not plugins.hooks.caller("haat_sitemap_entries").get_hookimpls():
        g.haat_sitemap = None
        return None
    seen: OrderedDict[str, SitemapEntry] = OrderedDict()
    for contribution in plugins.contribute("haat_sitemap_entries"):
        for entry in contribution.value or ():
            if (isinstance(entry, SitemapEntry) and entry.path.startswith("/")
                    and not entry.path.startswith("//") and entry.path not in seen):
                seen[entry.path] = entry
    g.haat_sitemap = list(seen.values())
    return g.haat_sitemap


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _urlset(entries: Iterable[SitemapEntry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for entry in entries:
        parts = [f"<loc>{escape(_absolute(entry.path))}</loc>"]
        if entry.lastmod is not None:
            parts.append(f"<lastmod>{_lastmod(entry.lastmod)}</lastmod>")
        if entry.changefreq:
            parts.append(f"<changefreq>{escape(entry.changefreq)}</changefreq>")
        if entry.priority is not None:
            parts.append(f"<priority>{entry.priority}</priority>")
        lines.append(f"<url>{''.join(parts)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines)


def _xml(body: str) -> Response:
    response = Response(body, mimetype="application/xml")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _chunks(entries: list[SitemapEntry]) -> list[list[SitemapEntry]]:
    limit = max(1, int(current_app.config["HAAT_SITEMAP_LIMIT"]))
    return [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]


def _newest(entries: list[SitemapEntry]) -> str:
    stamps = [_lastmod(e.lastmod) for e in entries if e.lastmod is not None]
    return max(stamps) if stamps else ""


def _cached(build: Callable[[], str]) -> str:
    from core.storefront.page_cache import PageCache, cache_key

    key = cache_key()
    cache: PageCache = current_app.extensions["haat_page_cache"]
    body = cache.get(key) if key else None
    if body is None:
        # Building walks the whole catalogue: a per-store budget (429 past it), so a
        # flood of uncached sitemap requests cannot hold the machine for other stores.
        spend("sitemap")
        body = build()
        if key:
            cache.set(key, body)
    return body


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The store's sitemap, or an index of its parts when it is large."""

    def build() -> str:
        entries = _entries()
        if entries is None:
            abort(404)
        chunks = _chunks(entries)
        if len(chunks) == 1:
            return _urlset(chunks[0])
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 f'<sitemapindex xmlns="{SITEMAP_NS}">']
        for number, chunk in enumerate(chunks, start=1):
            newest = _newest(chunk)
            lastmod = f"<lastmod>{newest}</lastmod>" if newest else ""
            lines.append(f"<sitemap><loc>{escape(_absolute(f'/sitemap-{number}.xml'))}</loc>"
                         f"{lastmod}</sitemap>")
        lines.append("</sitemapindex>")
        return "\n".join(lines)

    return _xml(_cached(build))


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """One part of a large sitemap."""

    def build() -> str:
        entries = _entries()
        chunks = _chunks(entries) if entries is not None else []
        if len(chunks) < 2 or not 1 <= number <= len(chunks):
            abort(404)
        return _urlset(chunks[number - 1])

    return _xml(_cached(build))


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
    """Crawler rules: core's own, then every enabled plugin's, and the sitemap."""
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
    if current_store().open and plugins is not None \
            and plugins.hooks.caller("haat_sitemap_entries").get_hookimpls():
        body += f"\nSitemap: {_absolute('/sitemap.xml')}\n"
    response = Response(body, mimetype="text/plain")
    response.cache_control.max_age = 3600
    return response
