"""Haat: one Flask application that hosts many stores.

``create_app`` is the whole start-up, step by step: configuration, extensions,
tenancy, blueprints and the command line.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Haat application. ``config`` overrides values from the environment."""
    from core import cli, database, extensions, jobs
    from core import config as settings
    from core.accounts import address_views  # noqa: F401 (its routes join accounts_bp)
    from core.accounts.views import bp as accounts_bp
    from core.admin import admin_blueprints
    from core.admin import auth as admin_auth
    from core.admin import language as admin_language
    from core.admin import navigation as admin_navigation
    from core.catalog import events as catalog_events
    from core.catalog import redirects
    from core.catalog.images import configure_pillow
    from core.platform.views import bp as platform_bp
    from core.pluginhost import web as plugin_web
    from core.storefront import coming_soon, page_cache, shared_responses
    from core.storefront.views import bp as storefront_bp
    from core.web import (
        assets,
        budgets,
        compression,
        csrf,
        errors,
        framing,
        health,
        logging_setup,
        templating,
        tenancy,
    )
    from core.web.app import Haat
    from tenants import scoping
    from tenants.resolution import install_invalidation

    values = settings.load_config(config)
    app = Haat("core", instance_path=values["HAAT_INSTANCE_DIR"])
    app.config.update(values)
    logging_setup.init_app(app)

    database.init_app(app)
    scoping.install_guards()
    install_invalidation()
    extensions.csrf.init_app(app)
    csrf.init_app(app)  # replaces Flask-WTF's default check (core/web/csrf.py)
    extensions.babel.init_app(app, locale_selector=templating.select_locale)
    extensions.limiter.init_app(app)
    admin_auth.init_app(app)
    admin_navigation.init_app(app)
    admin_language.init_app(app)

    tenancy.init_app(app)
    errors.init_app(app)
    budgets.init_app(app)
    templating.init_app(app)
    assets.init_app(app)
    page_cache.install(app)
    redirects.install()
    catalog_events.install()
    compression.init_app(app)
    framing.init_app(app)
    plugin_web.init_app(app)
    coming_soon.init_app(app)
    jobs.init_app(app)
    # Pillow's own bomb and truncation guards follow the configured pixel limit.
    configure_pillow(app.config["HAAT_MAX_IMAGE_PIXELS"])

    app.register_blueprint(health.bp)
    app.register_blueprint(platform_bp)
    app.register_blueprint(storefront_bp)
    app.register_blueprint(accounts_bp)
    for admin_blueprint in admin_blueprints():
        app.register_blueprint(admin_blueprint)

    cli.init_app(app)
    # In front of everything above, behind the proxy fix-up (it keys on scheme and host).
    shared_responses.install(app)
    if app.config["HAAT_TRUSTED_PROXIES"]:  # outermost, so every layer sees the real client
        hops = app.config["HAAT_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
