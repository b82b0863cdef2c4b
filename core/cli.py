"""The ``haat`` command: Flask's CLI plus Haat's own command groups.

``haat db upgrade`` (Flask-Migrate), ``haat tenants ...``, ``haat demo``, ``haat run``.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from core import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Haat: many stores, one Flask app.")


def init_app(app: Flask) -> None:
    """Register Haat's command groups on ``app.cli``."""
    from core.catalog.products_cli import products_group
    from core.catalog.search_cli import search_group
    from core.demo.cli import demo_command
    from core.jobs_cli import jobs_group
    from core.platform.cli import tenants_group
    from core.pluginhost.cli import plugin_group

    app.cli.add_command(tenants_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(plugin_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(search_group)
    app.cli.add_command(products_group)
