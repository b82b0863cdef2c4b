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


def test_owner_publishes_settings_and_the_storefront_uses_them(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, "action": "publish",
                                                         "hero_image": (
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
        **VALID, "home_product_count": "১২", "action": "publish"}).status_code == 303
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


# ------------------------------------------------- drafts, preview and publishing

DRAFT = {**VALID, "accent": "#aa3300", "hero_title": "Draft hero line"}
PREVIEW_HOME = "/?theme_preview=1"


def _draft(app, store, theme="default"):
    with app.app_context(), tenant_scope(store.id):
        row = db.session.scalar(select(ThemeSettings).where(ThemeSettings.theme == theme))
        return dict(row.draft) if row is not None and row.draft is not None else None


def _content_version(app, store) -> int:
    from tenants import Tenant, platform_scope

    with app.app_context(), platform_scope():
        return db.session.get(Tenant, store.id).content_version


def _cached_pages(app) -> list[str]:
    cache = app.extensions["haat_page_cache"]
    with cache._lock:
        return list(cache._entries.values())


def _is_draft(html: str) -> bool:
    return "--accent:#aa3300" in html and "Draft hero line" in html


def _is_published_default(html: str) -> bool:
    return "--accent:#0f5f58" in html and "Draft hero line" not in html


@pytest.fixture
def page_cache_on(app, monkeypatch):
    app.extensions["haat_page_cache"].clear()
    yield
    app.extensions["haat_page_cache"].clear()


def test_a_draft_is_seen_by_staff_in_the_preview_and_never_by_shoppers(
        app, two_stores, store_client, page_cache_on):
    from core.staff.models import StaffUser

    alpha = two_stores[0]
    shopper = store_client("alpha-shop")
    assert _is_published_default(shopper.get("/").get_data(as_text=True))  # now cached
    version = _content_version(app, alpha)

    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**DRAFT, "action": "draft"})
    assert response.status_code == 303
    assert _settings(app, alpha) == {}  # nothing published
    assert _draft(app, alpha)["accent"] == "#aa3300"
    # A draft does not retire the store's cached pages: shoppers see nothing new.
    assert _content_version(app, alpha) == version

    for path in ("/", PREVIEW_HOME, "/products/mug", "/products/mug?theme_preview=1"):
        page = shopper.get(path)
        assert _is_published_default(page.get_data(as_text=True)), path
    # The owner's own storefront, outside the preview, is the shoppers' one.
    assert _is_published_default(owner.get("/").get_data(as_text=True))

    preview = owner.get(PREVIEW_HOME)
    html = preview.get_data(as_text=True)
    assert _is_draft(html)
    assert "no-store" in preview.headers["Cache-Control"]
    assert "private" in preview.headers["Cache-Control"]
    assert preview.headers["X-Robots-Tag"] == "noindex"
    # Links keep the preview on, so the merchant can click around it.
    assert 'href="/products/mug?theme_preview=1"' in html
    assert 'href="/collections/all?theme_preview=1"' in html
    # Opened on its own (not in the editor's frame), it says it is a preview.
    assert "theme-preview-banner" in html and 'href="/admin/theme"' in html
    framed = owner.get(PREVIEW_HOME, headers={"Sec-Fetch-Dest": "iframe"})
    assert _is_draft(framed.get_data(as_text=True))
    assert "theme-preview-banner" not in framed.get_data(as_text=True)
    assert "--accent:#aa3300" in owner.get("/products/mug?theme_preview=1").get_data(as_text=True)

    # Any signed-in member of the store's staff sees the draft too.
    with app.app_context(), tenant_scope(alpha.id):
        helper = StaffUser(email="helper@alpha-shop.example", role="staff")
        helper.set_password(PASSWORD)
        db.session.add(helper)
        db.session.commit()
    staff = store_client("alpha-shop")
    staff.post("/admin/login", data={"email": "helper@alpha-shop.example", "password": PASSWORD})
    assert _is_draft(staff.get(PREVIEW_HOME).get_data(as_text=True))

    # No draft-rendered page was ever stored in the page cache.
    cached = _cached_pages(app)
    assert cached and not any("Draft hero line" in page or "#aa3300" in page for page in cached)
    # And the editor shows the draft, saying it is one.
    form = owner.get("/admin/theme").get_data(as_text=True)
    assert 'value="Draft hero line"' in form and "shoppers do not see these changes" in form


def test_publishing_makes_the_draft_live_and_refreshes_cached_pages(
        app, two_stores, store_client, page_cache_on):
    alpha = two_stores[0]
    shopper = store_client("alpha-shop")
    assert _is_published_default(shopper.get("/").get_data(as_text=True))
    owner = _owner(store_client, "alpha-shop")
    # The live preview keeps an uploaded hero image in the draft...
    answer = owner.post("/admin/theme/preview", data={**DRAFT, "hero_image": (
        io.BytesIO(_png()), "hero.png")}, content_type="multipart/form-data",
        headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["images"]["hero_image"].startswith("/media/theme/hero-image-")
    assert _is_published_default(shopper.get("/").get_data(as_text=True))
    version = _content_version(app, alpha)

    # ...and "Publish" (the form, sent without the file again) makes all of it live.
    response = owner.post("/admin/theme/settings", data={**DRAFT, "action": "publish"})
    assert response.status_code == 303
    assert _content_version(app, alpha) > version  # the cached pages are retired
    assert _draft(app, alpha) is None
    published = _settings(app, alpha)
    assert published["accent"] == "#aa3300" and published["hero_image"]["key"]
    home = shopper.get("/").get_data(as_text=True)
    assert _is_draft(home) and "/media/theme/hero-image-" in home
    assert "Draft hero line" in shopper.get("/").get_data(as_text=True)  # from the cache now
    # Beta is untouched.
    assert _is_published_default(store_client("beta-shop").get("/").get_data(as_text=True))


def test_discarding_the_draft_goes_back_to_what_shoppers_see(app, two_stores, store_client):
    alpha = two_stores[0]
    owner = _owner(store_client, "alpha-shop")
    owner.post("/admin/theme/settings", data={**VALID, "action": "publish"})
    owner.post("/admin/theme/settings", data={**DRAFT, "action": "draft"})
    assert _is_draft(owner.get(PREVIEW_HOME).get_data(as_text=True))
    assert owner.post("/admin/theme/discard", data={}).status_code == 303
    assert _draft(app, alpha) is None
    assert _settings(app, alpha)["accent"] == "#aa3300"  # VALID's, published before
    preview = owner.get(PREVIEW_HOME).get_data(as_text=True)
    assert "Draft hero line" not in preview and "Fresh from the loom" in preview
    form = owner.get("/admin/theme").get_data(as_text=True)
    assert 'value="Fresh from the loom"' in form and "Draft hero line" not in form


def test_a_bad_hex_colour_is_refused_next_to_its_field_keeping_what_was_typed(
        app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    response = owner.post("/admin/theme/settings", data={**VALID, "accent": "#12zz45",
                                                         "action": "draft"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = re.search(r'<div class="field has-error" data-setting="accent">(.*?)</div>\s*</div>',
                      html, re.S)
    assert field, "the accent field is marked"
    text_box = re.search(r'<input type="text" id="setting-accent"[^>]*>', field.group(1)).group(0)
    assert 'value="#12zz45"' in text_box and 'aria-invalid="true"' in text_box
    assert 'aria-describedby="setting-accent-error setting-accent-help"' in text_box
    error = re.search(r'<p class="error" id="setting-accent-error">([^<]+)</p>', field.group(1))
    assert error and "six hex digits" in error.group(1)
    # The swatch keeps showing a real colour (the saved one) while the text is corrected.
    assert re.search(r'<input type="color" id="setting-accent-picker" name="picker:accent" '
                     r'value="#0f5f58"', html)
    assert _draft(app, two_stores[0]) is None and _settings(app, two_stores[0]) == {}

    # The live preview says the same, keeping every other value it could use.
    answer = owner.post("/admin/theme/preview", data={**DRAFT, "accent": "#12"},
                        headers={"Accept": "application/json"})
    assert answer.status_code == 422
    assert "six hex digits" in answer.json["errors"]["accent"]
    draft = _draft(app, two_stores[0])
    assert "accent" not in draft and draft["hero_title"] == "Draft hero line"


def test_the_colour_swatches_are_colour_pickers_that_work_without_javascript(
        app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    form = owner.get("/admin/theme").get_data(as_text=True)
    for key, colour in (("accent", "#0f5f58"), ("background", "#ffffff"), ("ink", "#1d2327")):
        assert (f'<input type="color" id="setting-{key}-picker" name="picker:{key}" '
                f'value="{colour}"') in form
        assert re.search(rf'<input type="text" id="setting-{key}" name="{key}"[^>]* '
                         rf'value="{colour}"', form)
        assert f'<input type="hidden" name="shown:{key}" value="{colour}">' in form
    # Colours come first, as the theme lists them (not sorted by name).
    legends = re.findall(r"<legend>([^<]+)</legend>", form)
    assert legends.index("Colours") < legends.index("Brand")
    # Only the picker was changed (no JavaScript copied it over): the picker wins.
    picked = {**VALID, "accent": "#0f5f58", "shown:accent": "#0f5f58",
              "picker:accent": "#123456", "action": "draft"}
    assert owner.post("/admin/theme/settings", data=picked).status_code == 303
    assert _draft(app, two_stores[0])["accent"] == "#123456"
    # The text was changed: the text wins.
    typed = {**picked, "accent": "#654321"}
    assert owner.post("/admin/theme/settings", data=typed).status_code == 303
    assert _draft(app, two_stores[0])["accent"] == "#654321"


def test_the_preview_endpoint_without_javascript_opens_the_chosen_page(
        app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    form = owner.get("/admin/theme").get_data(as_text=True)
    assert '<iframe src="/?theme_preview=1"' in form
    assert 'formaction="/admin/theme/preview" formtarget="_blank"' in form
    assert '<option value="/products/mug"' in form  # a product page to preview
    response = owner.post("/admin/theme/preview", data={**DRAFT, "preview_page": "/products/mug"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/products/mug?theme_preview=1"
    assert _draft(app, two_stores[0])["accent"] == "#aa3300"
    # Only the store's own pages: anything else previews the home page.
    for elsewhere in ("//evil.example/", "https://evil.example/", "/admin/staff"):
        response = owner.post("/admin/theme/preview", data={**DRAFT, "preview_page": elsewhere})
        assert response.headers["Location"] == PREVIEW_HOME, elsewhere
    answer = owner.post("/admin/theme/preview", data={**DRAFT, "preview_page": "/products/mug"},
                        headers={"Accept": "application/json"})
    assert answer.json["saved"] is True and answer.json["errors"] == {}
    assert answer.json["preview_url"] == "/products/mug?theme_preview=1"


def test_one_store_s_staff_can_never_preview_or_change_another_s_theme(
        app, two_stores, store_client):
    alpha, beta = two_stores
    beta_owner = _owner(store_client, "beta-shop")
    beta_owner.post("/admin/theme/settings", data={**VALID, "hero_title": "Beta's secret draft",
                                                   "action": "draft"})
    alpha_owner = _owner(store_client, "alpha-shop")
    # Alpha's own preview shows Alpha's (empty) draft, never Beta's.
    assert "Beta's secret draft" not in alpha_owner.get(PREVIEW_HOME).get_data(as_text=True)
    alpha_owner.post("/admin/theme/preview", data={**DRAFT},
                     headers={"Accept": "application/json"})
    assert _draft(app, beta)["hero_title"] == "Beta's secret draft"
    assert _draft(app, alpha)["hero_title"] == "Draft hero line"
    # Alpha's session carried to Beta's host (by hand: the cookie is host-only) is nobody.
    stolen = store_client("beta-shop")
    stolen.set_cookie("session",
                      alpha_owner.get_cookie("session", domain="alpha-shop.localhost").value,
                      domain="beta-shop.localhost")
    assert "Beta's secret draft" not in stolen.get(PREVIEW_HOME).get_data(as_text=True)
    for url in ("/admin/theme/preview", "/admin/theme/settings", "/admin/theme/discard"):
        response = stolen.post(url, data={**DRAFT, "action": "publish"},
                               headers={"Accept": "application/json"})
        assert response.status_code in (302, 401), url
    assert _draft(app, beta)["hero_title"] == "Beta's secret draft"
    assert _settings(app, beta) == {}
    # Beta's shoppers and Beta's cache never saw either draft.
    assert _is_published_default(store_client("beta-shop").get(PREVIEW_HOME).get_data(as_text=True))


def test_staff_who_are_not_owners_may_look_but_not_edit(app, two_stores, store_client):
    from admin_support import add_staff

    add_staff(app, two_stores[0], "packer@alpha-shop.example")
    staff = store_client("alpha-shop")
    staff.post("/admin/login", data={"email": "packer@alpha-shop.example", "password": PASSWORD})
    for url in ("/admin/theme/preview", "/admin/theme/settings", "/admin/theme/discard"):
        assert staff.post(url, data=DRAFT).status_code == 403, url
    assert _draft(app, two_stores[0]) is None


def test_the_preview_endpoint_needs_the_csrf_token(app, two_stores, store_client, monkeypatch):
    owner = _owner(store_client, "alpha-shop")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = owner.get("/admin/theme").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    json = {"Accept": "application/json"}
    for url in ("/admin/theme/preview", "/admin/theme/settings", "/admin/theme/discard"):
        assert owner.post(url, data=DRAFT, headers=json).status_code == 400, url
    assert _draft(app, two_stores[0]) is None
    answer = owner.post("/admin/theme/preview", data={**DRAFT, "csrf_token": token}, headers=json)
    assert answer.status_code == 200 and answer.json["saved"] is True


def test_pages_may_be_framed_by_their_own_origin_only(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    for client, path in ((owner, "/admin/theme"), (owner, PREVIEW_HOME),
                         (store_client("alpha-shop"), "/"),
                         (store_client("alpha-shop"), "/products/mug")):
        response = client.get(path)
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], path


@pytest.mark.parametrize("theme", ["default", "bazaar"])
@pytest.mark.parametrize(("locale", "currency"), [("bn", "BDT"), ("hy", "AMD")])
def test_the_theme_editor_speaks_the_merchant_s_language(app, make_store, add_product,
                                                         store_client, theme, locale, currency):
    """Every label, help text, group, choice and the preview's controls, in each theme."""
    from admin.test_untranslated import english_in

    store = make_store(f"words-{locale}-{theme}", locale=locale, currency=currency,
                       name=f"zq {locale} shop")
    add_product(store, "zq-mug", title="zq mug", collection="zq-kitchen")
    _use(app, store, theme)
    owner = _owner(store_client, store.slug)
    page = owner.get("/admin/theme").get_data(as_text=True)
    assert english_in(page) == []
    for english in ("Accent colour", "Preview", "Publish", "Save draft", "Phone", "Desktop",
                    "Home page", "Rounded", "Three"):
        assert f">{english}<" not in page, english
    # The live preview's own messages too.
    answer = owner.post("/admin/theme/preview", data={"accent": "#12"},
                        headers={"Accept": "application/json"})
    assert answer.json["status"] and not re.search(r"[A-Za-z]{3}", answer.json["status"])
    assert not re.search(r"[A-Za-z]{3}", answer.json["errors"]["accent"].replace("#0f766e", ""))


def test_a_draft_that_changes_nothing_is_no_draft(app, two_stores, store_client):
    owner = _owner(store_client, "alpha-shop")
    owner.post("/admin/theme/settings", data={**VALID, "action": "publish"})
    response = owner.post("/admin/theme/settings", data={**VALID, "action": "draft"},
                          follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert _draft(app, two_stores[0]) is None
    # Typing a colour and then the old one back leaves no draft either.
    json = {"Accept": "application/json"}
    assert owner.post("/admin/theme/preview", data={**VALID, "accent": "#000000"},
                      headers=json).json["draft"] is True
    assert _draft(app, two_stores[0]) == {"accent": "#000000"}
    answer = owner.post("/admin/theme/preview", data=VALID, headers=json)
    assert answer.json["draft"] is False and _draft(app, two_stores[0]) is None
    page = owner.get("/admin/theme").get_data(as_text=True)
    assert re.search(r'<button type="submit" formaction="/admin/theme/discard"[^>]* hidden', page)
