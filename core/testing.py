"""Pytest fixtures for Haat plugin authors (a pytest plugin, loaded as ``haat``).

Installing Haat registers this module through the ``pytest11`` entry point, so a plugin
package's tests can use the fixtures without a ``conftest.py``::

    def test_footer(haat_store, haat_enable_plugin, haat_client):
        shop = haat_store("my-shop", locale="bn", currency="BDT")
        haat_enable_plugin(shop, "my-badges", settings={"message": "Cash on delivery"})
        assert "Cash on delivery" in haat_client(shop).get("/").get_data(as_text=True)

Every fixture name starts with ``haat_`` so that it never clashes with a project's own
fixtures. Nothing here runs unless a test asks for it: the app is built on first use.

* ``haat_app``: one app per test session, on a temporary SQLite file (or
  ``HAAT_TEST_DATABASE_URL``), schema built by the real migrations.
* ``haat_clean``: empties every store table before (and after) a test.
* ``haat_store``: creates a store through the sign-up service (and cleans first).
* ``haat_product``: adds a product (optionally in a collection) to a store.
* ``haat_enable_plugin``: validates settings like the admin would, then switches a
  plugin on for one store.
* ``haat_client``: a Flask test client for one store's host.
* ``haat_register_plugin``: registers an in-test plugin object for one test.

Disable the plugin with ``pytest -p no:haat``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from core.pluginhost.manager import InstalledPlugin, PluginHost
    from tenants.resolution import StoreRef

#: The platform domain of ``haat_app``: stores answer on ``<slug>.localhost``.
PLATFORM_DOMAIN = "localhost"
#: The password of every owner account ``haat_store`` creates.
OWNER_PASSWORD = "haat-test-password"  # noqa: S105 (a throwaway test account)
DATABASE_ENV = "HAAT_TEST_DATABASE_URL"


# ------------------------------------------------------------------------ the app


@pytest.fixture(scope="session")
def haat_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The Haat app for this test session, with every installed plugin discovered.

    Runs on a fresh SQLite file in a temporary folder, or on ``HAAT_TEST_DATABASE_URL``
    when that is set (a PostgreSQL database is created if missing; its tables are
    dropped and rebuilt). The schema is built with the real migrations
    (``flask_migrate.upgrade()``). ``TESTING`` is on (so a raising plugin fails the
    test instead of being isolated), CSRF is off, no plugin is switched on for new
    stores, and stores live at ``<slug>.localhost``.

    Only built when a test asks for it (directly or through another ``haat_`` fixture).
    """
    root = tmp_path_factory.mktemp("haat-plugin-tests")
    app = build_test_app(root, _database_url(root), HAAT_DEFAULT_PLUGINS="")
    yield app
    dispose(app)


def build_test_app(root: Path, database_url: str, **overrides: Any) -> Flask:
    """A TESTING app on ``database_url`` with a schema freshly built by the migrations.

    Whatever an earlier run left in that database is dropped first. Haat's own test
    suite builds its app with this too.
    """
    from flask_migrate import upgrade

    from core import create_app
    from core.db import db

    app = create_app({
        "TESTING": True,
        "HAAT_ENV": "testing",
        "DATABASE_URL": database_url,
        "HAAT_INSTANCE_DIR": str(root / "instance"),
        "HAAT_MEDIA_DIR": str(root / "media"),
        "HAAT_PLATFORM_DOMAIN": PLATFORM_DOMAIN,
        "WTF_CSRF_ENABLED": False,
        "HAAT_JOBS": "immediate",
        # RATELIMIT_ENABLED is left alone: Flask-Limiter's switch is process-wide.
        **overrides,
    })
    with app.app_context():
        drop_everything(db)
        upgrade()
    return app


def dispose(app: Flask) -> None:
    """Close the app's database connections."""
    from core.db import db

    with app.app_context():
        db.engine.dispose()


def _database_url(root: Path) -> str:
    url = os.environ.get(DATABASE_ENV, "")
    if not url:
        return f"sqlite:///{root / 'haat-plugin-tests.db'}"
    if url.startswith(("postgres://", "postgresql")):
        ensure_postgres_database(url)
    return url


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    import sqlalchemy as sa

    from core.config import normalise_database_url

    target = sa.engine.make_url(normalise_database_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": target.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def drop_everything(db: Any) -> None:
    """Drop what an earlier run left, Alembic's version table included."""
    import sqlalchemy as sa

    with db.engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)


# ------------------------------------------------------------------------ clean state


@pytest.fixture
def haat_clean(haat_app: Flask) -> Iterator[None]:
    """Start (and leave) the test with no stores: empties every store table and tenant.

    Also forgets cached host lookups and plugin states and resets rate limits.
    ``haat_store`` uses this, so a test that creates stores starts from empty tables.
    """
    empty_tables(haat_app)
    yield
    empty_tables(haat_app)


def empty_tables(app: Flask) -> None:
    """Delete every store and its rows; forget cached hosts, plugin states, rate limits."""
    from core.db import db
    from core.extensions import limiter
    from tenants import Tenant, platform_scope
    from tenants.provisioning import tenant_owned_tables
    from tenants.resolution import invalidate_all

    with app.app_context():
        with platform_scope():
            for table in tenant_owned_tables():
                db.session.execute(table.delete())
            db.session.execute(Tenant.__table__.delete())
            db.session.commit()
        app.extensions["haat_plugin_states"].clear()
        limiter.reset()
    invalidate_all()


# ------------------------------------------------------------------------ factories


@pytest.fixture
def haat_store(haat_app: Flask, haat_clean: None) -> Callable[..., StoreRef]:
    """Factory: ``haat_store("my-shop", locale="bn", currency="BDT")`` creates a store.

    Goes through the real sign-up service (``core.platform.signup.sign_up``), so the
    store gets its owner ``owner@<slug>.example`` (password ``OWNER_PASSWORD``).
    Keyword arguments are passed on (``name``, ``locale``, ``currency``, ``email``,
    ...). Returns a ``StoreRef``: a detached snapshot with ``id``, ``slug``, ``name``,
    ``locale`` and ``currency``. No plugin is enabled on a new store.
    """
    from core.db import db
    from core.platform.signup import sign_up
    from tenants import Tenant, platform_scope
    from tenants.resolution import StoreRef

    def make(slug: str, **details: Any) -> StoreRef:
        details.setdefault("name", slug.replace("-", " ").title())
        details.setdefault("email", f"owner@{slug}.example")
        details.setdefault("password", OWNER_PASSWORD)
        with haat_app.app_context():
            created = sign_up(slug=slug, **details)
            with platform_scope():
                return StoreRef.of(db.session.get(Tenant, created.tenant.id))

    return make


@pytest.fixture
def haat_product(haat_app: Flask) -> Callable[..., int]:
    """Factory: ``haat_product(store, "tea-cup", price=25000, stock=3)`` adds a product.

    ``price`` is in minor units of the store's currency. ``collection="gifts"`` also
    puts it in that collection (created when missing). Returns the product's id; the
    product page is ``/products/<handle>``.
    """
    from sqlalchemy import select

    from core.catalog.models import Collection, CollectionProduct, Product
    from core.db import db
    from tenants import tenant_scope

    def make(store: Any, handle: str, *, title: str | None = None, price: int = 1000,
             stock: int = 10, description: str = "", collection: str | None = None) -> int:
        with haat_app.app_context(), tenant_scope(_store_id(store)):
            product = Product(handle=handle, title=title or handle.replace("-", " ").title(),
                              description=description, price_amount=price, stock=stock)
            db.session.add(product)
            if collection:
                found = db.session.scalar(select(Collection).where(Collection.handle == collection))
                if found is None:
                    found = Collection(handle=collection,
                                       title=collection.replace("-", " ").title())
                    db.session.add(found)
                db.session.add(CollectionProduct(collection=found, product=product))
            db.session.commit()
            return product.id

    return make


@pytest.fixture
def haat_enable_plugin(haat_app: Flask) -> Callable[..., dict[str, Any]]:
    """Factory: switch an installed plugin on for one store, with settings.

    ``haat_enable_plugin(store, "announcement-bar", settings={"message": "Hi"},
    secrets={"api_key": "sk_test_..."})`` validates the values exactly like the admin's
    settings form would (``core.pluginhost.settings.validate_settings`` against the
    plugin's manifest, in the store's currency) and raises ``AssertionError`` listing
    every field error when they are invalid, or when a name is not a field. Then it
    switches the plugin on (switching off others of an exclusive kind), stores the
    settings and the encrypted secrets, and commits. Returns the effective settings the
    plugin will see through ``store.plugin_settings(name)``.
    """
    from core.db import db
    from core.pluginhost import state
    from core.pluginhost.settings import effective_settings, to_json, validate_settings

    def enable(store: Any, plugin: str, *, settings: Mapping[str, Any] | None = None,
               secrets: Mapping[str, str] | None = None) -> dict[str, Any]:
        __tracebackhide__ = True
        host = _host(haat_app)
        installed = _installed(host, plugin)
        manifest = installed.manifest
        form = {**(settings or {}), **(secrets or {})}
        fields = {f.name for f in manifest.settings}
        unknown = sorted(set(form) - fields)
        if unknown:
            raise AssertionError(
                f"{plugin} has no setting(s) {', '.join(unknown)}; "
                f"its fields are: {', '.join(sorted(fields)) or '(none)'}"
            )
        store_id = _store_id(store)
        currency = getattr(store, "currency", None) or _currency_of(haat_app, store_id)
        result = validate_settings(manifest, form, currency=currency, stored_secrets={})
        if not result.ok:
            errors = "\n".join(f"  {name or '(form)'}: {message}"
                               for name, message in sorted(result.errors.items()))
            raise AssertionError(f"invalid settings for plugin {plugin}:\n{errors}")
        with haat_app.app_context():
            box = haat_app.extensions["haat_secret_box"]
            state.set_enabled(store_id, plugin, True, host.exclusive_peers(plugin))
            state.save_settings(store_id, plugin, to_json(manifest, result.values),
                                box.encrypt(result.secrets))
            db.session.commit()
        return effective_settings(manifest, to_json(manifest, result.values), result.secrets)

    return enable


@pytest.fixture
def haat_client(haat_app: Flask) -> Callable[..., FlaskClient]:
    """Factory: ``haat_client(store)`` -> a Flask test client for ``<slug>.localhost``.

    Every request goes to that store's host; each call gives a new client with its own
    cookie jar. ``store`` may be what ``haat_store`` returned or a slug;
    ``haat_client()`` talks to the platform host (``localhost``).
    """

    def make(store: Any = None) -> FlaskClient:
        domain = haat_app.config["HAAT_PLATFORM_DOMAIN"]
        if store is None:
            host = domain
        else:
            slug = store if isinstance(store, str) else store.slug
            host = f"{slug}.{domain}"
        return _host_client(haat_app, host)

    return make


@pytest.fixture
def haat_register_plugin(haat_app: Flask) -> Iterator[Callable[..., InstalledPlugin]]:
    """Factory: register a plugin object defined in the test; unregistered at teardown.

    ``haat_register_plugin(obj)`` takes a hashable object with a ``manifest`` and
    ``@hookimpl`` functions (a module, a class, or an instance of a class) and registers
    it on the app's plugin host exactly as discovery would, with the same checks.
    Raises ``AssertionError`` with the reason when the host refuses it. Enable it for a
    store with ``haat_enable_plugin`` as usual. Blueprints (``haat_blueprints``) are
    only collected at start-up, so routes of in-test plugins are not served.
    """
    host = _host(haat_app)
    registered: list[str] = []

    def register(plugin: Any, *, distribution: str = "(test)",
                 version: str = "0") -> InstalledPlugin:
        __tracebackhide__ = True
        before = len(host.problems)
        installed = host.register(plugin, distribution=distribution, version=version)
        if installed is None:
            problems = host.problems[before:]
            del host.problems[before:]
            reasons = "; ".join(p.error for p in problems) or "refused"
            raise AssertionError(f"plugin host refused {plugin!r}: {reasons}")
        registered.append(installed.name)
        return installed

    yield register
    for name in reversed(registered):
        host.unregister(name)


# ------------------------------------------------------------------------ helpers


def _host(app: Flask) -> PluginHost:
    return app.extensions["haat_plugins"]


def _installed(host: PluginHost, name: str) -> InstalledPlugin:
    __tracebackhide__ = True
    installed = host.installed.get(name)
    if installed is None:
        problems = "".join(f"\n  {p.entry_point} ({p.distribution}): {p.error}"
                           for p in host.problems)
        raise AssertionError(
            f"plugin {name!r} is not installed. Installed: "
            f"{', '.join(sorted(host.installed)) or '(none)'}. Is its package installed "
            f"(pip install -e .) with a `haat.plugins` entry point named {name!r}?"
            + (f"\nLoad problems:{problems}" if problems else "")
        )
    return installed


def _store_id(store: Any) -> int:
    return store if isinstance(store, int) else store.id


def _currency_of(app: Flask, store_id: int) -> str:
    __tracebackhide__ = True
    from core.db import db
    from tenants import Tenant, platform_scope

    with app.app_context(), platform_scope():
        tenant = db.session.get(Tenant, store_id)
        if tenant is None:
            raise AssertionError(f"no store with id {store_id}")
        return tenant.currency


def _host_client(app: Flask, host: str) -> FlaskClient:
    from flask.testing import FlaskClient

    class HostClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("base_url", f"http://{host}")
            return super().open(*args, **kwargs)

    return HostClient(app, app.response_class, use_cookies=True)
