"""Themes: discovery and checks, per-store choice, template fallback, the admin page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from conftest import PASSWORD
from core.db import db
from core.sdk import SLOT_NAMES
from core.theming.models import ThemeSettings
from core.theming.registry import ThemeError, available_themes, load_theme
from core.theming.service import choose_theme
from tenants import tenant_scope
from themes import THEMES_ROOT

# ------------------------------------------------------------------ discovery


def _theme_folder(tmp_path: Path, toml: str, name: str = "sunny") -> Path:
    folder = tmp_path / name
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(toml, encoding="utf-8")
    return folder


def test_a_valid_theme_toml_gives_typed_settings(tmp_path):
    theme = load_theme(_theme_folder(tmp_path, '''
name = "sunny"
version = "0.1.0"
[[settings]]
key = "accent"
type = "colour"
label = "Accent"
default = "#ff8800"
[[settings]]
key = "font"
type = "font"
default = "serif"
'''))
    assert theme.version == "0.1.0"
    assert theme.defaults() == {"accent": "#ff8800", "font": "serif"}
    assert ("serif", "Serif") in theme.setting("font").options


@pytest.mark.parametrize("toml, problem", [
    ('name = "other"\nversion = "1"', "folder name"),
    ('name = "sunny"\nversion = "1"\n[[settings]]\nkey = "x"\ntype = "html"', "unknown type"),
    ('name = "sunny"\nversion = "1"\n[[settings]]\nkey = "Bad Key"\ntype = "text"', "key"),
    ('name = "sunny"\nversion = "1"\n[[settings]]\nkey = "c"\ntype = "choice"\n'
     'default = "z"\noptions = [{value = "a"}]', "not one of its options"),
    ('name = "sunny"\nversion = ', "theme.toml"),
])
def test_broken_themes_are_refused_with_a_reason(tmp_path, toml, problem):
    with pytest.raises(ThemeError, match=problem):
        load_theme(_theme_folder(tmp_path, toml))


def test_the_two_themes_are_installed_and_only_use_documented_slots():
    themes = available_themes()
    assert {"default", "bazaar"} <= set(themes)
    for theme in themes.values():
        for template in theme.templates_dir.rglob("*.html"):
            used = set(re.findall(r'slot\(\s*"([^"]+)"', template.read_text(encoding="utf-8")))
            assert used <= set(SLOT_NAMES), (template, used - set(SLOT_NAMES))
    assert (THEMES_ROOT / "bazaar" / "static" / "theme.css").is_file()


# ------------------------------------------------------------- per-store choice


@pytest.fixture
def two_stores(make_store, add_product):
    a = make_store("alpha-shop", name="Alpha Shop")
    b = make_store("beta-shop", name="Beta Shop")
    for store in (a, b):
        add_product(store, "mug", title=f"{store.name} mug", collection="kitchen")
    return a, b


def _use(app, store, theme):
    with app.app_context(), tenant_scope(store.id):
        choose_theme(theme)
        db.session.commit()


def test_switching_theme_changes_one_store_only(app, two_stores, store_client):
    a, _b = two_stores
    _use(app, a, "bazaar")
    for path in ("/", "/products/mug", "/collections/kitchen", "/cart"):
        alpha = store_client("alpha-shop").get(path).get_data(as_text=True)
        beta = store_client("beta-shop").get(path).get_data(as_text=True)
        assert re.search(r"/assets/themes/bazaar/theme\.[0-9a-f]{12}\.css", alpha), path
        assert "themes/bazaar" not in beta and "/assets/themes/default/theme." in beta, path
        assert 'class="theme-bazaar' in alpha or "theme-bazaar" in alpha
    # A page the bazaar theme does not override comes from the default theme.
    product = store_client("alpha-shop").get("/products/mug").get_data(as_text=True)
    assert 'class="add-to-cart"' in product and "Alpha Shop mug" in product


# ------------------------------------------------------------------ admin page


def _owner(store_client, slug):
    client = store_client(slug)
    assert client.post("/admin/login", data={"email": f"owner@{slug}.example",
                                             "password": PASSWORD}).status_code == 303
    return client


def _png(width=1400, height=600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 20)).save(buffer, format="PNG")
    return buffer.getvalue()


def _settings(app, store, theme="default"):
    with app.app_context(), tenant_scope(store.id):
        row = db.session.scalar(select(ThemeSettings).where(ThemeSettings.theme == theme))
        return dict(row.values) if row else {}


VALID = {"accent": "#aa3300", "background": "#ffffff", "ink": "#111111",
         "body_font": "serif", "heading_font": "rounded", "hero_title": "Fresh from the loom",
         "hero_text": "Hand-woven in Tangail.", "featured_collection": "kitchen",
         "home_product_count": "8", "grid_columns": "3", "header_layout": "centred"}


def test_owner_saves_settings_and_the_storefront_uses_them(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, "hero_image": (
        io.BytesIO(_png()), "hero.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    saved = _settings(app, two_stores[0])
    assert saved["accent"] == "#aa3300" and saved["hero_title"] == "Fresh from the loom"
    assert saved["hero_image"]["widths"][-1] == 1280
    home = store_client("alpha-shop").get("/").get_data(as_text=True)
    assert "--accent:#aa3300" in home and "--accent-contrast:#ffffff" in home
    assert "Fresh from the loom" in home and "header-centred" in home
    assert re.search(r'<img src="/media/theme/hero-image-[0-9a-f]{8}-\d+\.jpg" srcset=', home)
    assert "Fresh from the loom" not in store_client("beta-shop").get("/").get_data(as_text=True)
    assert _settings(app, two_stores[1]) == {}


def test_numbers_may_be_typed_in_bengali_digits(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    form = owner.get("/admin/theme").get_data(as_text=True)
    assert re.search(r'<input type="text" inputmode="numeric" id="setting-home_product_count"',
                     form)  # a number box would empty "১২" in the browser
    assert owner.post("/admin/theme/settings", data={
        **VALID, "home_product_count": "১২"}).status_code == 303
    assert _settings(app, two_stores[0])["home_product_count"] == 12


@pytest.mark.parametrize("field, value, message", [
    ("accent", "red; } body { display:none", "six hex digits"),
    ("body_font", "Comic Sans", "Choose one of the options"),
    ("home_product_count", "500", "24 or less"),
    ("home_product_count", "many", "whole number"),
    ("featured_collection", "not-ours", "one of your collections"),
    ("hero_title", "x" * 121, "at most 120"),
])
def test_bad_settings_are_refused_next_to_the_field_and_nothing_is_saved(
        app, two_stores, store_client, field, value, message):
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'id="setting-{field}-error">([^<]+)<', html)
    assert error and message in error.group(1)
    assert f'id="setting-{field}"' in html and 'aria-invalid="true"' in html
    assert "Hand-woven in Tangail." in html  # other typed values are kept
    assert _settings(app, two_stores[0]) == {}


def test_a_bad_image_is_refused_and_nothing_is_saved(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, "logo": (
        io.BytesIO(b"<svg onload=alert(1)>"), "logo.svg")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert re.search(r'id="setting-logo-error">[^<]*not an image', response.get_data(as_text=True))
    assert _settings(app, two_stores[0]) == {}


def test_choosing_a_theme_and_who_may(app, two_stores, store_client):
    from core.staff.models import StaffUser

    owner = _owner(store_client, "alpha-shop")
    assert owner.post("/admin/theme/choose", data={"theme": "nope"}).status_code == 303
    assert "theme-default" in store_client("alpha-shop").get("/").get_data(as_text=True)
    assert owner.post("/admin/theme/choose", data={"theme": "bazaar"}).status_code == 303
    assert "theme-bazaar" in store_client("alpha-shop").get("/").get_data(as_text=True)
    assert "theme-bazaar" not in store_client("beta-shop").get("/").get_data(as_text=True)

    with app.app_context(), tenant_scope(two_stores[0].id):
        helper = StaffUser(email="helper@alpha-shop.example", role="staff")
        helper.set_password(PASSWORD)
        db.session.add(helper)
        db.session.commit()
    staff = store_client("alpha-shop")
    staff.post("/admin/login", data={"email": "helper@alpha-shop.example",
                                     "password": PASSWORD})
    assert staff.get("/admin/theme").status_code == 403
    assert staff.post("/admin/theme/choose", data={"theme": "default"}).status_code == 403
    # Alpha's owner session means nothing on Beta's host.
    stolen = store_client("beta-shop")
    stolen.set_cookie("session", owner.get_cookie("session", domain="alpha-shop.localhost").value,
                      domain="beta-shop.localhost")
    assert stolen.post("/admin/theme/choose", data={"theme": "bazaar"}).status_code in (302, 303)
    assert "theme-bazaar" not in store_client("beta-shop").get("/").get_data(as_text=True)


def test_the_loader_falls_back_from_theme_to_default_to_app_templates(app):
    with app.app_context():
        env = app.jinja_env
        own = env.get_template("@bazaar/storefront/layout.html")
        assert own.filename.endswith("themes/bazaar/templates/storefront/layout.html")
        inherited = env.get_template("@bazaar/storefront/cart.html")
        assert inherited.filename.endswith("themes/default/templates/storefront/cart.html")
        # Not in any theme: the app's (and plugins' blueprint) folders answer.
        app_level = env.get_template("@bazaar/admin/login.html")
        assert app_level.filename.endswith("core/templates/admin/login.html")
        with pytest.raises(Exception, match="nope"):
            env.get_template("@bazaar/storefront/nope.html")
        with pytest.raises(Exception):
            env.get_template("@bazaar/../../etc/passwd")


def test_an_oversized_upload_is_refused_before_it_is_read(app, two_stores, store_client,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, "logo": (
        io.BytesIO(b"x" * 4096), "logo.png")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert _settings(app, two_stores[0]) == {}
