"""A store's sitemap, built once per content version and served from disk.

Building walks the whole catalogue (every plugin's ``haat_sitemap_entries``), so a
request never does it while a built copy exists (:mod:`core.storefront.sitemap_files`):

* a copy as new as the store's ``content_version`` and ``plugins_version`` (and younger
  than ``HAAT_SITEMAP_MAX_AGE``, which bounds how stale plugin entries such as reviews
  can get) is served as it is, whatever the query string;
* an older copy is served while one rebuild job is queued (however many requests see
  it stale, only the first queues the job);
* with no copy at all, one request builds it under the store's lock; requests that come
  meanwhile get :class:`~core.storefront.sitemap_files.BuildInProgress` (a 503 asking
  crawlers to retry) at once, so none of them walks the catalogue or waits on the lock.

Copies are written with a placeholder for the origin (scheme and host), filled in per
request, so every host of a store (its subdomain, its custom domains, any port) shares
one copy and none of them can force a rebuild.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Flask, current_app, request

from core.pluginhost.runtime import StorePlugins
from core.pluginhost.web import plugins_for_tenant
from core.sdk import SitemapEntry, StoreInfo
from core.storefront.sitemap_files import Built, SitemapFiles
from core.web.budgets import spend
from tenants.provisioning import find_tenant_by_id

log = logging.getLogger("haat.sitemap")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Stands for ``scheme://host`` in stored files; a NUL never occurs in a URL path.
ORIGIN = "\x00origin\x00"
INDEX = "sitemap.xml"


def part_name(number: int) -> str:
    """The file name of one part of a large sitemap."""
    return f"sitemap-{number}.xml"


def sitemap_files(app: Flask | None = None) -> SitemapFiles:
    """The app's store of built sitemaps (``HAAT_SITEMAP_DIR``)."""
    config = (app or current_app).config
    root = config.get("HAAT_SITEMAP_DIR") or str(Path(config["HAAT_INSTANCE_DIR"]) / "sitemaps")
    return SitemapFiles(root)


def has_sitemap(plugins: StorePlugins | None) -> bool:
    """Whether an enabled plugin of the store provides sitemap entries."""
    return bool(plugins and plugins.hooks.caller("haat_sitemap_entries").get_hookimpls())


def _limit() -> int:
    return max(1, int(current_app.config["HAAT_SITEMAP_LIMIT"]))


# ------------------------------------------------------------------------ building


def _entries(plugins: StorePlugins) -> list[SitemapEntry]:
    """Every plugin's entries, same-origin paths only, each path once."""
    seen: OrderedDict[str, SitemapEntry] = OrderedDict()
    for contribution in plugins.contribute("haat_sitemap_entries"):
        for entry in contribution.value or ():
            if (isinstance(entry, SitemapEntry) and entry.path.startswith("/")
                    and not entry.path.startswith("//") and "\x00" not in entry.path
                    and entry.path not in seen):
                seen[entry.path] = entry
    return list(seen.values())


def _lastmod(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _urlset(entries: list[SitemapEntry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for entry in entries:
        parts = [f"<loc>{ORIGIN}{escape(entry.path)}</loc>"]
        if entry.lastmod is not None:
            parts.append(f"<lastmod>{_lastmod(entry.lastmod)}</lastmod>")
        if entry.changefreq:
            parts.append(f"<changefreq>{escape(entry.changefreq)}</changefreq>")
        if entry.priority is not None:
            parts.append(f"<priority>{entry.priority}</priority>")
        lines.append(f"<url>{''.join(parts)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines)


def _index(chunks: list[list[SitemapEntry]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for number, chunk in enumerate(chunks, start=1):
        stamps = [_lastmod(e.lastmod) for e in chunk if e.lastmod is not None]
        lastmod = f"<lastmod>{max(stamps)}</lastmod>" if stamps else ""
        lines.append(f"<sitemap><loc>{ORIGIN}/{part_name(number)}</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines)


def render_files(entries: list[SitemapEntry], limit: int) -> dict[str, bytes]:
    """``sitemap.xml`` alone, or an index and its ``sitemap-<n>.xml`` parts when there
    are more than ``limit`` entries."""
    chunks = [entries[i:i + limit] for i in range(0, len(entries), limit)] or [[]]
    if len(chunks) == 1:
        return {INDEX: _urlset(chunks[0]).encode()}
    files = {INDEX: _index(chunks).encode()}
    files.update({part_name(n): _urlset(chunk).encode()
                  for n, chunk in enumerate(chunks, start=1)})
    return files


def build(store_id: int) -> Built:
    """Walk the store's sitemap entries now and store them as its newest copy.

    The versions are read before the walk: a change made during it bumps them again,
    so the next request sees this copy as stale and queues another build."""
    tenant = find_tenant_by_id(store_id)
    if tenant is None:
        raise LookupError(f"no store with id {store_id}")
    versions = (tenant.content_version, tenant.plugins_version)
    limit = _limit()
    files = render_files(_entries(plugins_for_tenant(store_id)), limit)
    log.info("sitemap of store %s built (content %s, plugins %s)", store_id, *versions)
    return sitemap_files().write(store_id, *versions, limit, files)


def _fresh(built: Built | None, content_version: int, plugins_version: int) -> bool:
    return (built is not None and built.covers(content_version, plugins_version)
            and built.age() < current_app.config["HAAT_SITEMAP_MAX_AGE"])


def rebuild(store: StoreInfo) -> None:
    """The job: build the store's sitemap unless a fresh copy appeared meanwhile."""
    files = sitemap_files()
    try:
        with files.building(store.id):
            tenant = find_tenant_by_id(store.id)
            if tenant is not None and not _fresh(files.newest(store.id, _limit()),
                                                 tenant.content_version,
                                                 tenant.plugins_version):
                build(store.id)
    finally:
        files.release_rebuild(store.id)


# ------------------------------------------------------------------------ serving


def copy_for(store_id: int, content_version: int, plugins_version: int) -> Built:
    """The copy to serve for a store at these versions (see the module's docstring)."""
    files, limit = sitemap_files(), _limit()
    built = files.newest(store_id, limit)
    if built is None:
        # Never wait on another request's build: a flood would hold every worker thread
        # on the lock. Those requests get BuildInProgress (503, "try again shortly").
        with files.building(store_id, wait=False):
            built = files.newest(store_id, limit)
            if built is None:
                # Building walks the whole catalogue inside this request: counted against
                # the store's budget (a friendly 429 past it; see core.web.budgets).
                spend("sitemap", store_id)
                built = build(store_id)
    if not _fresh(built, content_version, plugins_version) and files.claim_rebuild(store_id):
        try:
            current_app.extensions["haat_jobs"].enqueue_bulk(rebuild, store_id)
        except Exception:
            files.release_rebuild(store_id)
            raise
        # A queue that runs jobs at once (tests) has just built a newer copy.
        built = files.newest(store_id, limit) or built
    return built


def body(built: Built, name: str) -> bytes | None:
    """One file of a copy with this request's origin filled in, or ``None``."""
    raw = built.read(name)
    if raw is None:
        return None
    origin = escape(request.host_url.rstrip("/")).encode()
    return raw.replace(ORIGIN.encode(), origin)


def serve(store_id: int, content_version: int, plugins_version: int, name: str
          ) -> bytes | None:
    """The file ``name`` of the store's sitemap for this request, or ``None`` (404).

    A copy another worker pruned just after it was picked is picked again, once."""
    for _attempt in range(2):
        built = copy_for(store_id, content_version, plugins_version)
        found = body(built, name)
        if found is not None or built.folder.is_dir():
            return found
    return None
