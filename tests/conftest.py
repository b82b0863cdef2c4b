"""Shared fixtures: an app on SQLite (default) or PostgreSQL (``TEST_DATABASE_URL``).

The schema is built by running the real Alembic migrations once per session; each test
then starts from empty tables. ``HAAT_REQUIRE_SYSTEM_DEPS=1`` (set by ``.ci/run``) turns
"component missing" skips into failures.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from core.db import db
from core.testing import build_test_app, dispose, empty_tables, ensure_postgres_database
from tenants import Tenant, platform_scope
from tenants.resolution import invalidate_all

PLATFORM = "localhost"
#: The suite's sample plugin (tests/sample_plugin), registered as if it were installed.
SAMPLE_PLUGIN = "sample_plugin.plugin"
PASSWORD = "correct-horse-battery"


def require_component(available: bool, why: str) -> None:
    """Skip (locally) or fail (in CI) when a system component is missing."""
    if available:
        return
    if os.environ.get("HAAT_REQUIRE_SYSTEM_DEPS") == "1":
        pytest.fail(f"required system component missing: {why}")
    pytest.skip(why)


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tmp_root / 'haat-test.db'}"
    if url.startswith("postgresql"):
        try:
            ensure_postgres_database(url)
        except sa.exc.OperationalError as exc:
            require_component(False, f"PostgreSQL for TEST_DATABASE_URL unreachable: {exc}")
    return url


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for the whole run, with the schema built by the migrations."""
    root = tmp_path_factory.mktemp("haat")
    application = build_test_app(root, _database_url(root), RATELIMIT_ENABLED=True,
                                 HAAT_EXTRA_PLUGINS=(SAMPLE_PLUGIN,))
    yield application
    dispose(application)


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty tables, caches and rate limits before each test that uses the app."""
    if "app" not in request.fixturenames:
        yield
        return
    empty_tables(request.getfixturevalue("app"))
    yield
    invalidate_all()


@pytest.fixture
def isolating(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Contain plugin failures as production does (tests raise them by default), for
    tests of what shoppers and merchants see when a plugin breaks."""
    monkeypatch.setitem(app.config, "HAAT_PLUGIN_ISOLATION", True)


@pytest.fixture
def outbox(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Mail goes to a fresh outbox folder for this test (read it with ``read_outbox``)."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "HAAT_MAIL", "outbox")
    monkeypatch.setitem(app.config, "HAAT_OUTBOX_DIR", str(folder))
    return folder


def read_outbox(folder: Path) -> list[EmailMessage]:
    """The emails in an outbox folder, in the order they were sent (file names start
    with the time); none when nothing was sent yet."""
    if not folder.exists():
        return []
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def read_sms(folder: Path) -> list[dict[str, str]]:
    """The ``.sms`` files of an outbox folder, oldest first: their headers (``To``,
    ``From``, ``Reference``, ``Encoding``, ``Parts``) and ``text``."""
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.glob("*.sms")):
        head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
        entry = dict(line.split(": ", 1) for line in head.splitlines())
        entry["text"] = text.rstrip("\n")
        found.append(entry)
    return found


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


class HostClient(FlaskClient):
    """A test client that sends every request to one host (a store or the platform)."""

    host = PLATFORM

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def client_for(app: Flask, host: str) -> HostClient:
    """A fresh client (own cookie jar) that talks to ``host``."""
    app.test_client_class = HostClient
    client = app.test_client()
    client.host = host
    return client


@pytest.fixture
def platform_client(app: Flask) -> HostClient:
    return client_for(app, PLATFORM)


@pytest.fixture
def make_store(app: Flask) -> Callable[..., Tenant]:
    """Create a store (and owner ``owner@<slug>.example``) through the sign-up service.

    The store is open to shoppers unless ``open=False`` (a new store from the sign-up
    page starts "coming soon")."""
    from core.platform.signup import sign_up

    def make(slug: str, **kwargs: object) -> Tenant:
        kwargs.setdefault("open", True)
        kwargs.setdefault("name", slug.replace("-", " ").title())
        kwargs.setdefault("email", f"owner@{slug}.example")
        kwargs.setdefault("password", PASSWORD)
        with app.app_context():
            created = sign_up(slug=slug, **kwargs)
            with platform_scope():
                tenant = db.session.get(Tenant, created.tenant.id)
                db.session.expunge(tenant)
            return tenant

    return make


@pytest.fixture
def store_client(app: Flask) -> Callable[[str], HostClient]:
    """``store_client("dhaka-crafts")`` -> a client for ``dhaka-crafts.localhost``."""
    return lambda slug: client_for(app, f"{slug}.{PLATFORM}")


@pytest.fixture
def is_postgres(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def seed_catalog(app: Flask) -> Callable[..., dict[str, int]]:
    """Give a store a collection ``bestsellers`` and products; returns handle -> id."""
    from core.catalog.models import Collection, CollectionProduct, Product
    from tenants import tenant_scope

    def seed(tenant: Tenant, titles: dict[str, int], *, price: int = 1000) -> dict[str, int]:
        with app.app_context(), tenant_scope(tenant.id):
            collection = Collection(handle="bestsellers", title=f"{tenant.name} bestsellers")
            db.session.add(collection)
            products = []
            for position, (handle, stock) in enumerate(titles.items()):
                product = Product(handle=handle, title=f"{tenant.name} {handle}",
                                  description=f"Made by {tenant.name}.", price_amount=price,
                                  stock=stock, sku=f"{tenant.slug}-{position}")
                db.session.add(product)
                db.session.add(CollectionProduct(collection=collection, product=product,
                                                 position=position))
                products.append(product)
            db.session.commit()
            return {p.handle: p.id for p in products}

    return seed


def make_plugin(name: str, *, kind: str | None = None, settings: tuple = (),
                **hooks: Callable[..., object]) -> object:
    """An in-test plugin: a module (as real plugins are) with a manifest and hooks."""
    from types import ModuleType

    from core.sdk import PluginManifest, hookimpl

    module = ModuleType(f"test_plugin_{name.replace('-', '_')}")
    module.manifest = PluginManifest(name=name, title=name.replace("-", " ").title(),
                                     kind=kind, settings=settings)
    for hook, function in hooks.items():
        setattr(module, hook, hookimpl(function))
    return module


@pytest.fixture
def install_plugin(app: Flask) -> Iterator[Callable[[object], str]]:
    """Register in-test plugin objects on the app's host; unregistered afterwards."""
    host = app.extensions["haat_plugins"]
    names: list[str] = []

    def install(plugin: object) -> str:
        installed = host.register(plugin)
        assert installed is not None, host.problems[-1]
        names.append(installed.name)
        return installed.name

    yield install
    for name in names:
        host.unregister(name)


@pytest.fixture
def enable_plugin(app: Flask) -> Callable[..., None]:
    """Switch a plugin on for one store, optionally with settings and secrets."""
    from core.pluginhost.settings import to_json
    from core.pluginhost.state import save_settings, set_enabled

    def enable(tenant: Tenant, name: str, settings: dict | None = None,
               secrets: dict | None = None, *, enabled: bool = True) -> None:
        host = app.extensions["haat_plugins"]
        with app.app_context():
            set_enabled(tenant.id, name, enabled, host.exclusive_peers(name))
            if settings is not None or secrets is not None:
                manifest = host.installed[name].manifest
                save_settings(tenant.id, name, to_json(manifest, settings or {}),
                              app.extensions["haat_secret_box"].encrypt(secrets or {}))
            db.session.commit()

    return enable


@pytest.fixture
def store_plugins(app: Flask) -> Callable[[Tenant], object]:
    """``store_plugins(tenant)`` -> the tenant's ``StorePlugins`` (call inside app_ctx)."""
    from core.pluginhost.web import plugins_for_tenant

    return lambda tenant: plugins_for_tenant(tenant.id)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Iterator[list[str]]]:
    """``with count_queries() as statements:`` collects the SQL a block sends."""
    return lambda: statements_of(app)


@pytest.fixture
def add_product(app: Flask) -> Callable[..., int]:
    """Add one active product to a store; returns its id.

    ``variants`` is a list of ``(option1, price, stock)``; ``collection`` a handle that
    is created if missing; ``image=True`` stores a real resized image.
    """
    from sqlalchemy import select

    from core.catalog.images import store_image
    from core.catalog.models import (
        Collection,
        CollectionProduct,
        Product,
        ProductImage,
        ProductVariant,
    )
    from core.demo.images import placeholder_image
    from core.storage import get_storage
    from tenants import tenant_scope

    def add(tenant: Tenant, handle: str, *, title: str | None = None, price: int = 1000,
            stock: int = 10, collection: str | None = None, position: int = 0,
            variants: list[tuple[str, int, int]] | None = None, image: bool = False,
            **fields: object) -> int:
        with app.app_context(), tenant_scope(tenant.id):
            product = Product(handle=handle, title=title or f"{tenant.name} {handle}",
                              price_amount=price, stock=stock, **fields)
            for index, (option, variant_price, variant_stock) in enumerate(variants or ()):
                product.variants.append(ProductVariant(option1=option, price_amount=variant_price,
                                                       stock=variant_stock, position=index))
            if variants:
                product.option_names = "Size"
            db.session.add(product)
            if collection:
                found = db.session.scalar(select(Collection).where(Collection.handle == collection))
                if found is None:
                    found = Collection(handle=collection, title=collection.title())
                    db.session.add(found)
                db.session.add(CollectionProduct(collection=found, product=product,
                                                 position=position))
            if image:
                stored = store_image(get_storage(), tenant.id, placeholder_image(handle, 320),
                                     stem=f"products/{handle}")
                product.images.append(ProductImage(
                    storage_key=stored.storage_key, alt=f"Photo of {handle}",
                    width=stored.width, height=stored.height,
                    widths=",".join(map(str, stored.widths))))
            db.session.commit()
            return product.id

    return add


class MovingClock:
    """A clock a test moves on (``clock.advance(minutes=...)``) instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def moving_clock(monkeypatch: pytest.MonkeyPatch, *targets: str) -> MovingClock:
    """A :class:`MovingClock` standing in for each dotted ``utcnow`` in ``targets``."""
    moving = MovingClock()
    for target in targets:
        monkeypatch.setattr(target, lambda: moving.now)
    return moving


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every pixel decoder Pillow starts (``Image.open`` alone starts none)."""
    from PIL import Image

    started: list[str] = []
    real = Image._getdecoder

    def counting(mode, decoder_name, *args, **kwargs):
        started.append(decoder_name)
        return real(mode, decoder_name, *args, **kwargs)

    monkeypatch.setattr(Image, "_getdecoder", counting)
    return started


@pytest.fixture(scope="module")
def other_worker(app: Flask) -> Iterator[Flask]:
    """A second app on the same database and instance dir: another worker of the node
    (its own page cache, host cache and finished responses; the shared file is common)."""
    from core import create_app

    other = create_app({
        "TESTING": True,
        "HAAT_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HAAT_INSTANCE_DIR": app.config["HAAT_INSTANCE_DIR"],
        "HAAT_MEDIA_DIR": app.config["HAAT_MEDIA_DIR"],
        "HAAT_PLATFORM_DOMAIN": app.config["HAAT_PLATFORM_DOMAIN"],
        "WTF_CSRF_ENABLED": False,
        "HAAT_JOBS": "immediate",
        "HAAT_SIGNUP_CHALLENGE": False,
        "HAAT_EXTRA_PLUGINS": (SAMPLE_PLUGIN,),
    })
    yield other
    with other.app_context():
        db.engine.dispose()


@contextmanager
def statements_of(app: Flask) -> Iterator[list[str]]:
    """The SQL ``app`` sends inside the block."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
