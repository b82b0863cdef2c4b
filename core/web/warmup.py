"""Prepare a process once, so that the workers forked from it start warm.

A worker's first requests used to cost hundreds of milliseconds: Jinja compiled every
template it met, SQLAlchemy compiled every statement, Flask-Babel read each
catalogue, and the plugin host and assets were set up. gunicorn recycled workers every
few thousand requests, so each recycling showed up in the slowest 1% of requests.

With ``preload_app`` (``gunicorn.conf.py``) the application is built once in the
gunicorn master, and :func:`warm_up` runs there before any worker is forked: it
compiles every template, configures the ORM mappers, and serves a few real pages of
one open store in each language, which fills SQLAlchemy's statement cache and the
translation catalogues. Workers inherit all of that through ``fork`` (copy-on-write).

What must not cross a fork is left behind: the page cache and host cache are
emptied, and database connections are closed (:func:`after_fork` closes nothing the
parent still uses, it only forgets the pool a child inherited). Warming up never stops
the server: anything that fails is logged and skipped.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import configure_mappers

log = logging.getLogger("haat.warmup")

#: Storefront paths served once per language on one open store.
_STORE_PATHS = ("/", "/collections/all", "/cart")


@dataclass
class WarmUpReport:
    """What :func:`warm_up` did: counts, and the steps that failed (with why)."""

    templates: int = 0
    pages: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def warm_up(app: Flask) -> WarmUpReport:
    """Compile templates, configure mappers and serve sample pages in this process,
    then leave no connection, cached page or cached host behind."""
    started = time.perf_counter()
    report = WarmUpReport()
    for step in (_configure_mappers, _compile_templates, _serve_sample_pages):
        try:
            step(app, report)
        except Exception as exc:  # warming up is best effort
            report.failures.append(f"{step.__name__.lstrip('_')}: {exc!r}")
            log.warning("warm-up step %s failed: %r", step.__name__, exc)
    _leave_nothing_behind(app)
    report.seconds = time.perf_counter() - started
    log.info("warmed up in %.2f s: %d templates, %d pages", report.seconds,
             report.templates, report.pages)
    return report


def after_fork(app: Flask) -> None:
    """In a freshly forked worker: forget the database connections the parent may hold
    (``close=False``: closing them here would close the parent's too)."""
    from core.db import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def _configure_mappers(_app: Flask, _report: WarmUpReport) -> None:
    configure_mappers()


def _compile_templates(app: Flask, report: WarmUpReport) -> None:
    """Every template, by each name it is rendered under: ``@<theme>/<path>`` for each
    theme's storefront templates (see :mod:`core.theming.loader`), and the plain name for
    the rest (admin, accounts, plugins)."""
    from core.theming.loader import theme_template
    from core.theming.registry import available_themes

    env = app.jinja_env
    names = set(env.list_templates())
    themed_paths = {path for theme in available_themes().values() for path in _theme_paths(theme)}
    for theme in available_themes().values():
        names.update(theme_template(theme.name, path) for path in themed_paths)
    for name in sorted(names):
        if not name.endswith((".html", ".txt", ".xml", ".svg", ".js")):
            continue
        try:
            env.get_template(name)
        except Exception as exc:  # a broken template must not stop the rest
            log.debug("template %s not compiled: %r", name, exc)
            continue
        report.templates += 1


def _theme_paths(theme: object) -> list[str]:
    folder = theme.templates_dir  # type: ignore[attr-defined]
    return [path.relative_to(folder).as_posix() for path in folder.rglob("*")
            if path.is_file()]


def _serve_sample_pages(app: Flask, report: WarmUpReport) -> None:
    """A few pages of one open store, in each language: they run the code paths every
    worker needs (resolution, plugins, themes, queries, translations)."""
    from core.db import db
    from core.i18n import SUPPORTED_LOCALES
    from tenants.context import platform_scope
    from tenants.models import TENANT_ACTIVE, Tenant

    with app.app_context(), platform_scope():
        slug = db.session.scalar(
            select(Tenant.slug).where(Tenant.status == TENANT_ACTIVE, Tenant.open.is_(True))
            .order_by(Tenant.id).limit(1))
        db.session.remove()
    if slug is None:  # an empty platform: templates are compiled, nothing else to do
        return
    host = f"{slug}.{app.config['HAAT_PLATFORM_DOMAIN']}"
    client = app.test_client()
    for locale in SUPPORTED_LOCALES:
        for path in _STORE_PATHS:
            response = client.get(f"{path}?lang={locale}", headers={"Host": host})
            report.pages += response.status_code < 500
        product = _first_product_path(client, host, locale)
        if product:
            response = client.get(product, headers={"Host": host})
            report.pages += response.status_code < 500
        response = client.get(f"/admin/login?lang={locale}", headers={"Host": host})
        report.pages += response.status_code < 500


def _first_product_path(client: object, host: str, locale: str) -> str | None:
    page = client.get(f"/collections/all?lang={locale}",  # type: ignore[attr-defined]
                      headers={"Host": host}).get_data(as_text=True)
    marker = 'href="/products/'
    start = page.find(marker)
    if start < 0:
        return None
    end = page.find('"', start + len('href="'))
    return page[start + len('href="'):end]


def _leave_nothing_behind(app: Flask) -> None:
    from core.db import db
    from tenants.resolution import invalidate_all

    cache = app.extensions.get("haat_page_cache")
    if cache is not None:
        cache.clear()
    invalidate_all()
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
