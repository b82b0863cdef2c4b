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
* ``haat_product``: adds a product (weight, variants, photos, a collection) to a store.
* ``haat_coupon``: adds a coupon code (percentage, fixed amount or free delivery).
* ``haat_enable_plugin``: validates settings like the admin would, then switches a
  plugin on for one store.
* ``haat_client``: a Flask test client for one store's host.
* ``haat_admin_client``: a client signed in to a store's admin as its owner or staff.
* ``haat_checkout``: places an order through the storefront's checkout form.
* ``haat_disable_plugin``: switches a plugin off for one store (its data stays).
* ``haat_store_info``: the ``core.sdk.StoreInfo`` a hook or a job of that store gets.
* ``haat_register_plugin``: registers an in-test plugin object for one test.

``assert_translated(package)`` fails a test when a plugin's catalogue lacks a Bengali or
Armenian translation of any message its code, templates or catalogues use.

Under ``TESTING`` a plugin that raises fails the test with its own exception, on every
path: pages, checkout hooks, carriers' quotes, gateways, lifecycle hooks and jobs.
docs/testing-plugins.md describes every fixture with examples.

Disable the plugin with ``pytest -p no:haat``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from core.testkit.checkout import CheckoutRefusedError, PlacedOrder

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

__all__ = ["DATABASE_ENV", "OWNER_PASSWORD", "PLATFORM_DOMAIN", "CheckoutRefusedError",
           "PlacedOrder", "assert_translated", "build_test_app", "dispose", "drop_everything",
           "empty_tables", "ensure_postgres_database"]


def assert_translated(package: str, languages: Sequence[str] = ("bn", "hy")) -> None:
    """Fail, naming each one, when a message of ``package`` has no translation.

    ``package`` is the dotted name of the package that holds the plugin's
    ``translations`` folder (what ``PluginText(__package__)`` was given). A message
    counts when the plugin's code or templates use it (``_("...")``, ``_.lazy(...)``,
    ``_.ngettext(...)``) or a catalogue lists it; it is translated when a ``.po`` file of
    each of ``languages`` has a non-empty, non-fuzzy translation with the same
    ``%(name)s`` placeholders. Use it in one test of the plugin::

        def test_every_message_is_translated():
            assert_translated("haat_my_badges")
    """
    __tracebackhide__ = True
    from core.pluginhost.translations import assert_translated as check

    check(package, languages)



# ------------------------------------------------------------------------ the app


@pytest.fixture(scope="session")
def haat_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The Haat app for this test session, with every installed plugin discovered.

    Runs on a fresh SQLite file in a temporary folder, or on ``HAAT_TEST_DATABASE_URL``
    when that is set (a PostgreSQL database is created if missing; its tables are
    dropped and rebuilt). The schema is built with the real migrations: core's and the
    branch of every installed plugin that has ``migrations``. ``TESTING`` is on (so a
    raising plugin fails the test with its own exception instead of being isolated),
    CSRF is off, jobs run at once in the caller (``HAAT_JOBS=immediate``), no plugin is
    switched on for new stores, and stores live at ``<slug>.localhost``.

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
        # Like CSRF, the sign-up challenge is off; tests of the challenge switch it on.
        "HAAT_SIGNUP_CHALLENGE": False,
        # RATELIMIT_ENABLED is left alone: Flask-Limiter's switch is process-wide.
        **overrides,
    })
    with app.app_context():
        drop_everything(db)
        upgrade(revision="heads")
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
    """Delete every store and its rows; forget cached hosts, pages, responses, plugin
    states and rate limits."""
    from core.db import db
    from core.extensions import limiter
    from tenants import Tenant, platform_scope
    from tenants.provisioning import stored_tenant_tables
    from tenants.resolution import invalidate_all

    with app.app_context():
        with platform_scope():
            # The tables the database has (a plugin's unmigrated model has none).
            for table in stored_tenant_tables(db.session.connection()):
                db.session.execute(table.delete())
            db.session.execute(Tenant.__table__.delete())
            db.session.commit()
        app.extensions["haat_plugin_states"].clear()
        limiter.reset()
    for cache in ("haat_page_cache", "haat_search_cache", "haat_shared_responses"):
        if cache in app.extensions:
            app.extensions[cache].clear()
    invalidate_all()


# ------------------------------------------------------------------------ factories


@pytest.fixture
def haat_store(haat_app: Flask, haat_clean: None) -> Callable[..., StoreRef]:
    """Factory: ``haat_store("my-shop", locale="bn", currency="BDT")`` creates a store.

    Goes through the real sign-up service (``core.platform.signup.sign_up``), so the
    store gets its owner ``owner@<slug>.example`` (password ``OWNER_PASSWORD``).
    Keyword arguments are passed on: ``name``, ``locale`` (en, bn, hy), ``currency``
    (ISO 4217), ``country`` (ISO 3166 alpha-2; by default the one country of the
    currency, if there is one), ``bengali_digits`` (True shows numbers as ০-৯ on Bengali
    pages), ``email``, ``password`` and ``open`` (default True: shoppers can browse; a
    store from the sign-up page starts "coming soon", which ``open=False`` gives you).
    Returns a ``StoreRef``: a detached snapshot with
    ``id``, ``slug``, ``name``, ``locale``, ``currency``, ``country`` and
    ``bengali_digits``. No plugin is enabled on a new store. For the ``StoreInfo`` that
    hooks receive, use ``haat_store_info``.
    """
    from core.db import db
    from core.platform.signup import sign_up
    from tenants import Tenant, platform_scope
    from tenants.resolution import StoreRef

    def make(slug: str, **details: Any) -> StoreRef:
        details.setdefault("open", True)
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

    The product is checked by the admin's product form and saved by the admin's own
    code, so it is exactly what a merchant could have made (an invalid value raises
    ``AssertionError`` naming each field, as the form would show it). Returns the
    product's id; the product page is ``/products/<handle>``. Keyword arguments:

    * ``title`` (default: from the handle), ``description``, ``tags`` (a list),
      ``status`` (``"active"`` or ``"draft"``), ``sku``;
    * ``price`` and ``compare_at`` in minor units of the store's currency (``price``
      default 1000), ``stock`` (default 10), ``weight_grams`` of one item (default 0);
    * ``collection="gifts"`` also puts it in that collection (created when missing);
    * ``variants``: a list of mappings, one per variant, with ``options`` (``"M"`` or
      ``("M", "Red")``) and optionally ``price``, ``compare_at``, ``stock`` (default:
      the product's ``price`` and ``stock``), ``sku`` and ``weight_grams`` (``None``:
      the product's weight). ``option_names`` names the options (default ``("Size",)``,
      ``("Size", "Colour")``, ... by how many values the variants have). With variants
      the product's price is the cheapest variant's and its stock their total;
    * ``images``: a number of photos to make (small JPEGs drawn with Pillow), or a list
      of image files' bytes. They go through core's image pipeline and are stored with
      their resized copies like an upload in the admin, so ``ProductSnapshot.image_urls``
      and the storefront's ``<img srcset>`` show them.

    Example::

        tee = haat_product(shop, "tee", weight_grams=200, option_names=("Size",),
                           variants=[{"options": "M", "price": 50000, "stock": 3},
                                     {"options": "XL", "price": 55000, "stock": 0,
                                      "sku": "TEE-XL", "weight_grams": 260}],
                           images=2)
    """
    from core.testkit.catalog import make_product
    from tenants import tenant_scope

    def make(store: Any, handle: str, *, title: str | None = None, price: int = 1000,
             stock: int = 10, description: str = "", collection: str | None = None,
             weight_grams: int = 0, compare_at: int | None = None, sku: str | None = None,
             status: str = "active", tags: Sequence[str] = (),
             option_names: Sequence[str] = (), variants: Sequence[Mapping[str, Any]] = (),
             images: int | Sequence[bytes] = 0) -> int:
        __tracebackhide__ = True
        store_id = _store_id(store)
        currency = getattr(store, "currency", None) or _currency_of(haat_app, store_id)
        with haat_app.app_context(), tenant_scope(store_id):
            return make_product(
                store_id, currency, handle, title=title, description=description,
                price=price, compare_at=compare_at, stock=stock, sku=sku,
                weight_grams=weight_grams, status=status, tags=tags,
                option_names=option_names, variants=variants, images=images,
                collection=collection)

    return make


@pytest.fixture
def haat_coupon(haat_app: Flask) -> Callable[..., int]:
    """Factory: ``haat_coupon(store, "EID10", percent=10)`` adds a coupon code; returns
    its id.

    Exactly one kind: ``percent=12.5`` (0.01 to 100), ``amount=5000`` (minor units of
    the store's currency taken off the goods) or ``free_delivery=True`` (every delivery
    option becomes free). Limits, all optional: ``min_subtotal`` (minor units),
    ``usage_limit`` (orders in all), ``per_customer_limit`` (orders per shopper, known
    by email or phone), ``starts`` and ``ends`` (a ``date`` means 00:00 UTC that day,
    as in the admin; or an aware ``datetime``), ``active`` (default ``True``). The code
    is stored upper case; shoppers may type it in any case. Values the admin's
    discount form would refuse raise ``AssertionError``. Shoppers use it through the
    checkout's ``coupon`` field (``haat_checkout(..., coupon="eid10")``).
    """
    from sqlalchemy import select

    from core.db import db
    from core.discounts.models import Discount
    from core.testkit.coupons import coupon_values
    from tenants import tenant_scope

    def make(store: Any, code: str, *, percent: float | Decimal | str | None = None,
             amount: int | None = None, free_delivery: bool = False,
             min_subtotal: int | None = None, usage_limit: int | None = None,
             per_customer_limit: int | None = None, starts: date | datetime | None = None,
             ends: date | datetime | None = None, active: bool = True) -> int:
        __tracebackhide__ = True
        values = coupon_values(code, percent=percent, amount=amount,
                               free_delivery=free_delivery, min_subtotal=min_subtotal,
                               usage_limit=usage_limit, per_customer_limit=per_customer_limit,
                               starts=starts, ends=ends, active=active)
        with haat_app.app_context(), tenant_scope(_store_id(store)):
            if db.session.scalar(select(Discount.id).where(Discount.code == values["code"])):
                raise AssertionError(f"the store already has a coupon {values['code']}")
            discount = Discount(**values)
            db.session.add(discount)
            db.session.commit()
            return discount.id

    return make


@pytest.fixture
def haat_admin_client(haat_app: Flask) -> Callable[..., FlaskClient]:
    """Factory: ``haat_admin_client(store)`` -> a client signed in to the store's
    ``/admin`` as its owner; ``role="staff"`` signs in as a staff member instead.

    Signs in through the real sign-in form (``POST /admin/login``), so the session is
    the one a person gets. The owner is the one ``haat_store`` made
    (``owner@<slug>.example``, password ``OWNER_PASSWORD``); for a store made with
    another email or password pass ``email=`` and ``password=``. For ``"staff"`` a staff
    member ``staff@<slug>.example`` (password ``OWNER_PASSWORD``) is added on first use,
    unless ``email=`` names one. Raises ``AssertionError`` with the page's message when
    the sign-in is refused. Each call gives a new client with its own cookies::

        page = haat_admin_client(shop, role="staff").get("/admin/plugins")
        assert page.status_code == 403  # plugins are the owner's business
    """
    from core.testkit.admin import ROLES, ensure_staff, owner_email, sign_in, staff_email
    from tenants import tenant_scope

    def make(store: Any, role: str = "owner", *, email: str | None = None,
             password: str = OWNER_PASSWORD) -> FlaskClient:
        __tracebackhide__ = True
        if role not in ROLES:
            raise AssertionError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        store_id = _store_id(store)
        slug = _slug_of(haat_app, store)
        with haat_app.app_context(), tenant_scope(store_id):
            if role == "staff":
                email = email or staff_email(slug)
                ensure_staff(store_id, email, password)
            else:
                email = email or owner_email(store_id)
                if email is None:
                    raise AssertionError(f"store {slug} has no owner account")
        client = _host_client(haat_app, f"{slug}.{haat_app.config['HAAT_PLATFORM_DOMAIN']}")
        sign_in(client, email, password, role)
        return client

    return make


@pytest.fixture
def haat_checkout(haat_app: Flask) -> Callable[..., PlacedOrder]:
    """Factory: place an order like a shopper, through the storefront's pages.

    ``haat_checkout(store, [product_id])`` adds the items to a cart (``POST
    /cart/add``), opens ``/checkout``, fills in the form with the documented field
    names, lets the summary update (``action=update``, as the page's script does) and
    presses "Place order" (``action=place``). Returns a ``PlacedOrder``: ``order`` (the
    ``OrderSnapshot`` plugins get), ``id``, ``number``, ``token``, ``url`` (the
    shopper's order page), ``response`` (the 303 that placing answered) and ``client``
    (the shopper's client, cookies included).

    ``items``: a product id, or a list of product ids, ``(product id, quantity)`` or
    ``(product id, quantity, variant)`` where the variant is its id or its title
    (``"M"``, ``"M / Red"``). Keyword arguments, each a field of the form:

    * ``address``: a mapping of ``name``, ``country``, ``region``, ``city``, ``line1``,
      ``line2``, ``postcode`` over a default address (Dhaka for BDT stores, Yerevan for
      AMD ones, Dhaka otherwise);
    * ``email`` (default ``shopper@example.com``; ``""`` for none), ``phone`` (default
      a local mobile number; ``""`` for none), ``note``;
    * ``shipping_rate``: ``"<carrier id>:<rate id>"``; default: what the page picks
      (the first option offered);
    * ``payment_method``: a gateway id; default: what the page picks (the only way to
      pay, when there is one);
    * ``payment_fields``: the chosen gateway's fields by name (sent as
      ``payment-<gateway id>-<name>``);
    * ``coupon``: a code;
    * ``client``: a client to use (e.g. one with items in its cart already).

    When the checkout refuses, it raises ``CheckoutRefusedError`` (an
    ``AssertionError``) listing every field error the page shows and the options it
    offered; its ``errors`` is ``{field: message}``::

        with pytest.raises(CheckoutRefusedError) as refused:
            haat_checkout(shop, [kantha], phone="")
        assert refused.value.errors["phone"] == "The courier needs your phone number."
    """
    from core.testkit.checkout import run_checkout

    def place(store: Any, items: int | Sequence[int | tuple[Any, ...]], *,
              address: Mapping[str, str] | None = None, email: str = "shopper@example.com",
              phone: str | None = None, shipping_rate: str | None = None,
              payment_method: str | None = None,
              payment_fields: Mapping[str, str] | None = None, coupon: str = "",
              note: str = "", client: FlaskClient | None = None) -> PlacedOrder:
        __tracebackhide__ = True
        store_id = _store_id(store)
        currency = getattr(store, "currency", None) or _currency_of(haat_app, store_id)
        if client is None:
            slug = _slug_of(haat_app, store)
            client = _host_client(haat_app,
                                  f"{slug}.{haat_app.config['HAAT_PLATFORM_DOMAIN']}")
        return run_checkout(haat_app, client, store_id, currency, items, address=address,
                            email=email, phone=phone, shipping_rate=shipping_rate,
                            payment_method=payment_method, payment_fields=payment_fields,
                            coupon=coupon, note=note)

    return place


@pytest.fixture
def haat_enable_plugin(haat_app: Flask) -> Callable[..., dict[str, Any]]:
    """Factory: switch an installed plugin on for one store, with settings.

    ``haat_enable_plugin(store, "announcement-bar", settings={"message": "Hi"},
    secrets={"api_key": "sk_test_..."})`` validates the values exactly like the admin's
    settings form would (``core.pluginhost.settings.validate_settings`` against the
    plugin's manifest, in the store's currency) and raises ``AssertionError`` listing
    every field error when they are invalid, or when a name is not a field. An optional
    setting left out gets its default, check boxes (``BoolField``) included; pass
    ``False`` (or ``"0"``) for an unticked box. Then it switches the plugin on
    (switching off others of an exclusive kind), stores the settings and the encrypted
    secrets, and commits. Returns the effective settings the plugin will see through
    ``store.plugin_settings(name)``.
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


@pytest.fixture
def haat_disable_plugin(haat_app: Flask) -> Callable[..., None]:
    """Factory: ``haat_disable_plugin(store, "my-badges")`` switches a plugin off for one
    store, as the owner's switch on ``/admin/plugins`` does. Its settings, tables and
    stored values stay; its routes answer 404 and its hooks and schedules stop for that
    store."""
    from core.db import db
    from core.pluginhost import state

    def disable(store: Any, plugin: str) -> None:
        __tracebackhide__ = True
        _installed(_host(haat_app), plugin)
        with haat_app.app_context():
            state.set_enabled(_store_id(store), plugin, False)
            db.session.commit()

    return disable


@pytest.fixture
def haat_store_info(haat_app: Flask) -> Callable[..., Any]:
    """Factory: ``haat_store_info(store)`` -> the ``core.sdk.StoreInfo`` that the store's
    hooks and jobs receive right now (its enabled plugins and their settings included;
    ``base_url`` on ``<slug>.localhost``). Use it to call a hook function, a schedule's
    function or ``core.sdk.store_session`` directly (inside ``haat_app.app_context()``).
    Ask again after changing the store's plugins or settings: it is a snapshot."""

    def info(store: Any) -> Any:
        from core.pluginhost.web import plugins_for_tenant
        from tenants import tenant_scope

        store_id = _store_id(store)
        with haat_app.app_context(), tenant_scope(store_id):
            return plugins_for_tenant(store_id).info

    return info


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


def _slug_of(app: Flask, store: Any) -> str:
    __tracebackhide__ = True
    slug = getattr(store, "slug", None)
    if slug:
        return slug
    from core.db import db
    from tenants import Tenant, platform_scope

    with app.app_context(), platform_scope():
        tenant = db.session.get(Tenant, _store_id(store))
        if tenant is None:
            raise AssertionError(f"no store with id {store}")
        return tenant.slug


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
