"""A plugin's own page in the store's theme, and routes that know their store.

The suite's sample plugin "sample-board" serves ``/board`` (tests/sample_plugin/views.py):
the store's notes, a form to leave one and a few of the merchant's products, rendered
with ``core.sdk.render_page``. An in-test "probe" plugin fills slots and head tags and
records what plugins see: ``flask.g.store``, ``current_store()``, ``current_locale()``
and the ``PageContext``.
"""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import force_locale
from markupsafe import Markup
from sample_plugin.models import Note
from sqlalchemy import select

from conftest import make_plugin
from core.db import db
from core.sdk import (
    MetaTag,
    SlotContent,
    StoreInfo,
    csrf_input,
    current_locale,
    current_store,
    get_products,
    render_page,
    run_later,
)
from core.staff.models import StaffUser
from core.theming.service import choose_theme
from tenants import tenant_scope

BOARD = "sample-board"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

#: What the probe plugin saw, by what it looked at.
SEEN: dict[str, list] = {}


def _seen(key: str, value: object) -> None:
    SEEN.setdefault(key, []).append(value)


def probe_plugin() -> object:
    """Fills the header, footer and product slots, adds a head tag, and records what a
    plugin sees of the request while doing so."""

    def slot(store, name, page):
        if name == "header":
            _seen("page", page)
            _seen("locale", current_locale())
            _seen("stores", (g.store, g.get("store"), "store" in g, current_store(), store))
            ids = [int(i) for i in store.plugin_settings(BOARD).get("featured_products",
                                                                     "").split(",") if i]
            _seen("images", [p.image_urls for p in get_products(g.store, ids)])
        if name == "product_after_description":
            return SlotContent(html=Markup(
                '<form class="probe-form" method="post" action="/board">{}'
                '<input type="hidden" name="title" value="From a product page">'
                '<button>Post</button></form>').format(csrf_input()))
        return SlotContent(text=f"probe {name} {page.kind} {page.plugin}", css_class="probe")

    def head_tags(store, page):
        return [MetaTag(name="probe-kind", content=page.kind)]

    def admin_menu(store):
        _seen("admin_locale", current_locale())
        return []

    return make_plugin("probe", haat_slot=slot, haat_head_tags=head_tags,
                       haat_admin_menu=admin_menu)


@pytest.fixture
def shops(app, make_store, add_product, enable_plugin, install_plugin):
    """Dhaka Board (bn, BDT, Bengali digits; the probe on), Yerevan Board (hy, AMD) and
    Plain Shop (the board off), each with a photo product; notes through the page."""
    SEEN.clear()
    install_plugin(probe_plugin())
    dhaka = make_store("dhaka-board", name="Dhaka Board", locale="bn", currency="BDT",
                       bengali_digits=True)
    yerevan = make_store("yerevan-board", name="Yerevan Board", locale="hy", currency="AMD")
    plain = make_store("plain-shop", name="Plain Shop")
    ids = {}
    for tenant in (dhaka, yerevan, plain):
        ids[tenant.slug] = [add_product(tenant, "kantha", title=f"{tenant.name} kantha",
                                        price=125_000, image=True),
                            add_product(tenant, "mug", title=f"{tenant.name} mug",
                                        price=45_000)]
    for tenant in (dhaka, yerevan):
        enable_plugin(tenant, BOARD, settings={
            "featured_products": ",".join(map(str, ids[tenant.slug])),
            "archive_after_days": 30})
    enable_plugin(dhaka, "probe")
    return {"dhaka": dhaka, "yerevan": yerevan, "plain": plain, "ids": ids}


def post_note(client, title: str, body: str = "", **extra: str):
    return client.post("/board", data={"title": title, "body": body, **extra})


def html(response) -> str:
    return response.get_data(as_text=True)


def use_theme(app, tenant, name: str) -> None:
    with app.app_context(), tenant_scope(tenant.id):
        choose_theme(name)
        db.session.commit()


# ------------------------------------------------------------------ in the theme


@pytest.mark.parametrize("theme", ["default", "bazaar"])
def test_the_board_renders_inside_each_theme(app, shops, store_client, theme):
    use_theme(app, shops["dhaka"], theme)
    shopper = store_client("dhaka-board")
    assert post_note(shopper, "Eid hours", "Open 10 to 8.").status_code == 303
    added = shopper.post("/cart/add", data={"product_id": str(shops["ids"]["dhaka-board"][1])})
    assert added.status_code == 303

    page = html(shopper.get("/board?lang=en"))

    assert f'<body class="theme-{theme}' in page
    assert "<title>Message board · Dhaka Board</title>" in page
    assert '<header class="site-header">' in page and '<footer class="site-footer">' in page
    assert 'class="store-name"' in page and "/collections/all" in page  # the theme's nav
    assert "data-cart-count>1<" in page  # the shopper's own cart, not a cached one
    assert re.findall(r'data-locale="(\w+)"', page) == ["bn", "en", "hy"]
    assert 'data-locale="en" aria-current="true"' in page
    # The plugins' slots and head tags, told that this is the board's page.
    assert "probe header plugin sample-board" in page
    assert "probe footer plugin sample-board" in page
    assert '<meta name="probe-kind" content="plugin">' in page
    assert re.search(r"<h1>Message board</h1>", page)
    assert "Eid hours" in page and "Open 10 to 8." in page
    assert "/board/static/board.css" in page
    if theme == "bazaar":
        assert 'class="pattern-strip"' in page and 'class="main-inner"' in page
    # Another shopper gets their own header: plugin pages are never cached.
    assert "data-cart-count>0<" in html(store_client("dhaka-board").get("/board?lang=en"))

    [context] = SEEN["page"][-1:]
    assert (context.kind, context.plugin, context.title) == ("plugin", BOARD, "Message board")
    assert context.canonical_url == "http://dhaka-board.localhost/board?lang=en"
    assert context.breadcrumbs[-1] == ("Message board", "http://dhaka-board.localhost/board")


def test_the_board_speaks_the_shoppers_language_with_the_stores_digits(app, shops,
                                                                       store_client):
    shopper = store_client("dhaka-board")
    for title in ("Eid hours", "New saris"):
        assert post_note(shopper, title).status_code == 303

    bengali = html(shopper.get("/board?lang=bn"))
    assert '<html lang="bn"' in bengali
    assert "<h1>নোটিশ বোর্ড</h1>" in bengali and "একটি নোট লিখুন" in bengali
    assert "২টি নোট" in bengali  # the plugin's plural, in the store's Bengali digits
    assert "১,২৫০.০০৳" in bengali  # the product's price, as the store writes it
    assert 'aria-label="ভাষা"' in bengali  # the theme's own words in the same language
    # The choice sticks: the next page (no ?lang=) is in Bengali too.
    assert "<h1>নোটিশ বোর্ড</h1>" in html(shopper.get("/board"))

    armenian = html(store_client("yerevan-board").get("/board"))
    assert '<html lang="hy"' in armenian
    assert "<h1>Հայտարարությունների տախտակ</h1>" in armenian
    assert "0 գրառում" in armenian and "Դեռ գրառումներ չկան։" in armenian


def test_the_board_answers_404_on_stores_without_the_plugin(app, shops, store_client,
                                                            enable_plugin):
    plain = store_client("plain-shop")
    for response in (plain.get("/board"), post_note(plain, "Hello"),
                     plain.get("/board/static/board.css")):
        assert response.status_code == 404
    assert 'class="site-header"' in html(plain.get("/board"))  # the store's own 404 page

    dhaka = store_client("dhaka-board")
    assert post_note(dhaka, "Kept while off").status_code == 303
    enable_plugin(shops["dhaka"], BOARD, enabled=False)
    assert dhaka.get("/board").status_code == 404
    enable_plugin(shops["dhaka"], BOARD)
    assert "Kept while off" in html(dhaka.get("/board"))


# ------------------------------------------------------------------ the store


def test_g_store_is_the_requests_store_info_and_reads_products_with_photos(
        app, shops, store_client):
    page = store_client("dhaka-board").get("/board")
    assert page.status_code == 200
    # The board itself lists the photo product through get_products(current_store(), ...).
    assert 'src="http://dhaka-board.localhost/media/products/kantha' in html(page)

    [(from_g, from_get, contained, from_sdk, from_hook)] = SEEN["stores"]
    assert isinstance(from_g, StoreInfo) and contained
    assert from_g is from_get is from_sdk is from_hook  # one store object per request
    assert from_g.slug == "dhaka-board" and from_g.bengali_digits
    assert BOARD in from_g.enabled_plugins
    assert from_g.url("/board") == "http://dhaka-board.localhost/board"
    [[with_photo, without]] = SEEN["images"]
    assert with_photo and with_photo[0].startswith("http://dhaka-board.localhost/media/")
    assert without == ()


def test_core_keeps_its_own_store_snapshot_and_the_sdk_refuses_look_alikes(app, shops):
    from core.web.tenancy import current_store as core_store

    with app.test_request_context("/board", base_url="http://dhaka-board.localhost"):
        app.preprocess_request()
        ref = core_store()
        assert ref.slug == "dhaka-board" and not isinstance(ref, StoreInfo)
        assert g.haat_store is ref and isinstance(g.store, StoreInfo)
        with pytest.raises(AttributeError, match="cannot be assigned"):
            g.store = ref
        with pytest.raises(TypeError, match="current_store"):
            get_products(ref, shops["ids"]["dhaka-board"])
    with app.test_request_context("/", base_url="http://localhost"):  # the platform
        app.preprocess_request()
        assert g.store is None and g.get("store", "none") == "none" and "store" not in g
        with pytest.raises(RuntimeError, match="not for a store"):
            current_store()
    with app.app_context(), pytest.raises(RuntimeError, match="needs a request"):
        current_store()


def test_store_a_never_sees_store_b_notes(app, shops, store_client):
    dhaka, yerevan = store_client("dhaka-board"), store_client("yerevan-board")
    assert post_note(dhaka, "Dhaka only", "Pickup in Dhanmondi").status_code == 303
    assert post_note(yerevan, "Yerevan only").status_code == 303
    # Titles are unique per store, not across stores.
    assert post_note(yerevan, "Dhaka only", "A note of our own").status_code == 303

    dhaka_page, yerevan_page = html(dhaka.get("/board")), html(yerevan.get("/board"))
    assert "Dhaka only" in dhaka_page and "Yerevan only" not in dhaka_page
    assert "Pickup in Dhanmondi" not in yerevan_page and "A note of our own" in yerevan_page
    assert dhaka_page.count("data-note") == 1 and yerevan_page.count("data-note") == 2
    assert "Yerevan Board kantha" not in dhaka_page and "Dhaka Board kantha" in dhaka_page


# ------------------------------------------------------------------ the form


def test_the_form_carries_a_csrf_token_and_bad_input_is_explained_next_to_the_field(
        app, shops, store_client, monkeypatch):
    shopper = store_client("dhaka-board")
    page = html(shopper.get("/board?lang=bn"))
    assert TOKEN.search(page).group(1)

    empty = post_note(shopper, "", "Please keep this text")
    body = html(empty)
    assert empty.status_code == 422
    assert ('<p class="field-error" id="note-title-error" role="alert">আপনার নোটের একটি '
            "শিরোনাম দিন।</p>") in body
    assert 'aria-invalid="true" aria-describedby="note-title-error"' in body
    assert ">Please keep this text</textarea>" in body

    long = post_note(shopper, "x" * 201, "Kept again")
    assert long.status_code == 422
    assert "শিরোনামটি ২০০টি অক্ষরের মধ্যে রাখুন।" in html(long)
    assert 'value="' + "x" * 201 + '"' in html(long) and "Kept again" in html(long)

    assert post_note(shopper, "Eid hours").status_code == 303
    again = post_note(shopper, "Eid hours", "Twice")
    assert again.status_code == 422
    assert "এই শিরোনামে একটি নোট বোর্ডে আগে থেকেই আছে।" in html(again)
    # Only the one good note was saved; the redirect's next page thanks the shopper.
    assert html(shopper.get("/board")).count("data-note") == 1

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert post_note(shopper, "No token").status_code == 400
    token = TOKEN.search(html(shopper.get("/board"))).group(1)
    done = post_note(shopper, "With a token", csrf_token=token)
    assert done.status_code == 303
    thanked = html(shopper.get("/board"))
    assert "ধন্যবাদ! আপনার নোট বোর্ডে দেওয়া হয়েছে।" in thanked
    assert thanked.count("data-note") == 2


def test_csrf_input_in_a_cached_page_is_each_shoppers_own(app, shops, store_client,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    first, second = store_client("dhaka-board"), store_client("dhaka-board")
    app.extensions["haat_page_cache"].clear()
    tokens = []
    for n, shopper in enumerate((first, second)):  # the second is served from the page cache
        # A cached page has no token for a visitor without a session; a first post
        # (checked by its origin) gives them one.
        assert TOKEN.search(html(shopper.get("/products/kantha"))) is None
        assert shopper.post("/board", data={"title": f"Hello {n}"},
                            headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
        page = html(shopper.get("/products/kantha"))
        form = re.search(r'<form class="probe-form".*?</form>', page).group(0)
        tokens.append(TOKEN.search(form).group(1))
    assert tokens[0] != tokens[1]
    assert "haat:csrf" not in page  # the marker was filled in
    # Each token works for its own shopper only.
    assert post_note(second, "From a product page", csrf_token=tokens[0]).status_code == 400
    assert post_note(second, "From a product page", csrf_token=tokens[1]).status_code == 303
    assert "From a product page" in html(second.get("/board"))


# ------------------------------------------------------------------ language


def record_locale(store) -> None:
    _seen("job_locale", (store.slug, current_locale()))


def test_current_locale_is_the_shoppers_the_staff_members_or_the_stores(
        app, shops, store_client):
    from admin_support import sign_in

    store_client("dhaka-board").get("/board?lang=hy")
    store_client("dhaka-board").get("/products/kantha?lang=en")
    assert SEEN["locale"][-2:] == ["hy", "en"]

    with app.app_context(), tenant_scope(shops["dhaka"].id):
        owner = db.session.scalar(select(StaffUser))
        owner.locale = "bn"
        db.session.commit()
    admin = sign_in(store_client, shops["dhaka"])
    assert admin.get("/admin/?lang=en").status_code == 200
    assert SEEN["admin_locale"][-1] == "bn"  # the staff member's admin language

    with app.test_request_context("/board?lang=hy", base_url="http://dhaka-board.localhost"):
        app.preprocess_request()
        assert current_locale() == "hy"
        with force_locale("en"):  # e.g. an email in the customer's language
            assert current_locale() == "en"
    for tenant in (shops["dhaka"], shops["yerevan"]):  # a job: the store's default
        with app.app_context(), tenant_scope(tenant.id):
            from core.pluginhost.web import plugins_for_tenant

            run_later(plugins_for_tenant(tenant.id).info, record_locale)
    assert SEEN["job_locale"] == [("dhaka-board", "bn"), ("yerevan-board", "hy")]
    with app.app_context():
        assert current_locale() == "en"  # no store at all


def test_render_page_is_for_a_plugins_own_routes_with_names_of_its_own(app, shops):
    with app.test_request_context("/board", base_url="http://dhaka-board.localhost"):
        app.preprocess_request()
        with pytest.raises(ValueError, match="folder of its own"):
            render_page("storefront/page.html", title="Mine")
        with pytest.raises(TypeError, match="layout"):
            render_page("sample_board/board.html", layout="mine")
    with app.test_request_context("/cart", base_url="http://dhaka-board.localhost"):
        app.preprocess_request()
        with pytest.raises(RuntimeError, match="plugin's own page"):
            render_page("sample_board/board.html")


# ------------------------------------------------------------------ cost


def test_the_board_costs_the_same_queries_for_few_and_many_notes(
        app, shops, store_client, add_product, enable_plugin, count_queries):
    shopper = store_client("yerevan-board")  # no probe plugin: the board's own cost
    shopper.post("/cart/add", data={"product_id": str(shops["ids"]["yerevan-board"][0])})

    def measure() -> int:
        assert shopper.get("/board").status_code == 200  # warm the caches
        counts = []
        for _try in range(2):  # the fewer of two: a host cache entry may expire between
            with count_queries() as statements:
                assert shopper.get("/board").status_code == 200
            counts.append(len(statements))
        return min(counts)

    for n in range(2):
        assert post_note(shopper, f"Note {n}").status_code == 303
    few = measure()
    for n in range(2, 14):
        assert post_note(shopper, f"Note {n}", "Body " * 20).status_code == 303
    more = [add_product(shops["yerevan"], f"extra-{n}", image=(n % 2 == 0)) for n in range(6)]
    enable_plugin(shops["yerevan"], BOARD, settings={
        "featured_products": ",".join(map(str, shops["ids"]["yerevan-board"] + more)),
        "archive_after_days": 30})
    many = measure()
    page = html(shopper.get("/board"))
    assert page.count("data-note") == 14 and page.count('class="board-product"') == 8
    assert many == few
    # The plugin state's version, theme settings, navigation, footer pages, the header's
    # cart, the notes (one query) and the products (products with their images,
    # variants and collections: four), as measured when written.
    assert many <= 10


# ----------------------------------------------------------- a plugin's admin routes


def test_a_plugins_admin_routes_serve_only_the_stores_signed_in_staff(app, shops,
                                                                      store_client):
    from admin_support import add_staff, sign_in

    dhaka, yerevan = shops["dhaka"], shops["yerevan"]
    assert post_note(store_client("dhaka-board"), "Eid hours", "Open till late").status_code == 303

    # A visitor is sent to sign in; nothing of the board is shown.
    visitor = store_client("dhaka-board").get("/admin/board/summary.json")
    assert visitor.status_code == 302 and "/admin/login" in visitor.headers["Location"]
    # Another store's owner, signed in there, is a stranger here (sessions are per host).
    stranger = sign_in(store_client, yerevan)
    stranger.host = "dhaka-board.localhost"
    assert stranger.get("/admin/board/summary.json").status_code == 302

    add_staff(app, dhaka, "clerk@dhaka-board.example")
    clerk = sign_in(store_client, dhaka, "clerk@dhaka-board.example")
    summary = clerk.get("/admin/board/summary.json")
    assert summary.status_code == 200 and summary.get_json() == {"live": 1, "archived": 0}
    # The owner-only export refuses staff (core.sdk.owner_required) and serves the owner.
    assert clerk.get("/admin/board/notes.json").status_code == 403
    owner = sign_in(store_client, dhaka)
    notes = owner.get("/admin/board/notes.json").get_json()["notes"]
    assert [note["title"] for note in notes] == ["Eid hours"]
    # Yerevan's owner sees Yerevan's board: no Dhaka note.
    assert sign_in(store_client, yerevan).get("/admin/board/notes.json").get_json() == {
        "notes": []}


def test_a_plugins_admin_page_is_drawn_inside_the_admin(app, shops, store_client):
    """``render_admin_page``: the admin's menu and frame, the plugin's content escaped,
    only this store's notes, and refused outside ``/admin``."""
    from admin_support import sign_in

    dhaka = shops["dhaka"]
    post_note(store_client("dhaka-board"), "<b>Eid</b> hours", "Open till late")
    page = sign_in(store_client, dhaka).get("/admin/board")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # Dhaka's admin is in Bengali: the frame's words and the plugin's own.
    assert '<body class="admin">' in html and "<h1>নোটিশ বোর্ড</h1>" in html
    assert "দোকান আর এর ক্রেতাদের লেখা নোট।" in html and "সাইন আউট" in html
    assert "<li>&lt;b&gt;Eid&lt;/b&gt; hours</li>" in html
    yerevan = sign_in(store_client, shops["yerevan"]).get("/admin/board").get_data(as_text=True)
    assert "Eid" not in yerevan
    with app.test_request_context("/board", base_url="http://dhaka-board.localhost"):
        from core.sdk import render_admin_page

        with pytest.raises(RuntimeError):
            render_admin_page("sample_board/admin.html", title="x")


def test_a_plugins_form_is_rate_limited_per_store_and_client(app, shops, store_client):
    from sample_plugin.views import NOTES_PER_MINUTE

    allowed = int(NOTES_PER_MINUTE.split()[0])
    client = store_client("dhaka-board")
    for number in range(allowed):
        assert post_note(client, f"Note {number}").status_code == 303
    refused = post_note(client, "One too many")
    assert refused.status_code == 429
    # The page itself stays free, and another store's board counts apart.
    assert client.get("/board").status_code == 200
    assert post_note(store_client("yerevan-board"), "Barev").status_code == 303
    with app.app_context(), tenant_scope(shops["dhaka"].id):
        titles = db.session.scalars(select(Note.title)).all()
    assert "One too many" not in titles and len(titles) == allowed


def test_plugin_pages_are_kept_out_of_shared_caches(shops, store_client):
    client = store_client("dhaka-board")
    page = client.get("/board")
    assert page.status_code == 200 and page.cache_control.private
    # Core's catalogue pages keep their own caching rules.
    assert not client.get("/").cache_control.private
