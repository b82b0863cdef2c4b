"""Storefront pages over HTTP: each shows its own store's data, in the theme, with slots."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conftest import make_plugin
from core.catalog.models import STATUS_DRAFT, Product
from core.db import db
from core.pages.models import Page
from core.sdk import SearchHit, SearchResults, SlotContent
from tenants import tenant_scope


@pytest.fixture
def two_stores(make_store, add_product):
    """Two stores with identical handles but different titles and prices."""
    a = make_store("alpha-shop", name="Alpha Shop", currency="USD")
    b = make_store("beta-shop", name="Beta Shop", currency="USD")
    for store, price in ((a, 1500), (b, 9900)):
        add_product(store, "mug", title=f"{store.name} mug", price=price, collection="kitchen")
        add_product(store, "bowl", title=f"{store.name} bowl", price=price + 100,
                    collection="kitchen", position=1)
    return a, b


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/collections/kitchen", "/collections/all",
                                  "/products/mug"])
def test_each_page_shows_only_its_own_store(two_stores, store_client, path):
    alpha = _text(store_client("alpha-shop").get(path))
    beta = _text(store_client("beta-shop").get(path))
    assert "Alpha Shop mug" in alpha and "Beta" not in alpha
    assert "Beta Shop mug" in beta and "Alpha" not in beta
    assert "$15.00" in alpha and "$99.00" not in alpha


def test_collection_sorts_filters_and_paginates(make_store, add_product, store_client):
    store = make_store("alpha-shop", currency="USD")
    for i, (title, price, stock) in enumerate([("Cedar", 300, 0), ("Apple", 500, 4),
                                              ("Birch", 100, 9)]):
        add_product(store, title.lower(), title=title, price=price, stock=stock,
                    collection="trees", position=i)
    client = store_client("alpha-shop")

    def titles(query: str) -> list[str]:
        html = _text(client.get(f"/collections/trees{query}"))
        return re.findall(r'<span class="card-title">([^<]+)</span>', html)

    assert titles("") == ["Cedar", "Apple", "Birch"]  # featured = the merchant's order
    assert titles("?sort=price-asc") == ["Birch", "Cedar", "Apple"]
    assert titles("?sort=price-desc") == ["Apple", "Cedar", "Birch"]
    assert titles("?sort=name") == ["Apple", "Birch", "Cedar"]
    assert titles("?sort=newest") == ["Birch", "Apple", "Cedar"]
    assert titles("?available=1&sort=name") == ["Apple", "Birch"]
    assert titles("?sort=nonsense") == ["Cedar", "Apple", "Birch"]
    assert "3 products" in _text(client.get("/collections/trees"))


def test_pagination_links_keep_sort_and_filter(make_store, add_product, store_client):
    from core.storefront import queries

    store = make_store("alpha-shop")
    for i in range(queries.PAGE_SIZE + 2):
        add_product(store, f"p{i}", stock=5, collection="all-things", position=i)
    client = store_client("alpha-shop")
    first = _text(client.get("/collections/all-things?sort=name&available=1"))
    assert "Page 1 of 2" in first
    link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "page=2" in link and "sort=name" in link and "available=1" in link
    second = _text(client.get(link))
    assert len(re.findall(r'class="product-card"', second)) == 2
    assert client.get("/collections/all-things?page=99999999999999").status_code == 200


def test_product_page_states_stock_and_disables_sold_out(make_store, add_product,
                                                        store_client):
    store = make_store("alpha-shop", currency="USD")
    add_product(store, "plenty", stock=40, compare_at_amount=2500, price=2000)
    add_product(store, "few", stock=3)
    add_product(store, "none", stock=0)
    client = store_client("alpha-shop")
    plenty = _text(client.get("/products/plenty"))
    assert "In stock" in plenty
    assert re.search(r"<s class=\"compare-at\">.*\$25\.00</s>", plenty)
    assert not re.search(r'class="button add-button"\s+disabled', plenty)
    assert "Only 3 left" in _text(client.get("/products/few"))
    sold_out = _text(client.get("/products/none"))
    assert "Out of stock" in sold_out
    assert re.search(r'class="button add-button" disabled', sold_out)


def test_product_with_variants_offers_a_choice(make_store, add_product, store_client):
    store = make_store("alpha-shop", currency="USD")
    add_product(store, "shirt", variants=[("S", 1000, 0), ("M", 1200, 2), ("L", 1400, 5)])
    html = _text(store_client("alpha-shop").get("/products/shirt"))
    select_box = re.search(r'<select id="variant" name="variant_id".*?</select>', html, re.S)
    assert select_box, "no variant picker"
    options = re.findall(r"<option [^>]*>([^<]+)</option>", select_box.group(0))
    assert [o.split(" (")[0] for o in options] == ["S", "M", "L"]
    assert re.search(r'<option [^>]*disabled>S \(sold out\)', select_box.group(0))
    assert 'selected' in re.search(r'<option [^>]*>M</option>', select_box.group(0)).group(0)
    assert "$12.00" in re.search(r"data-price-block>(.*?)</p>", html, re.S).group(1)


def _options(html: str) -> dict[str, dict[str, str]]:
    """The variant picker's options by title: their attributes (and ``text``)."""
    select_box = re.search(r'<select id="variant" name="variant_id".*?</select>', html, re.S)
    assert select_box, "no variant picker"
    found = {}
    for attributes, text in re.findall(r"<option ([^>]*)>([^<]+)</option>", select_box.group(0)):
        values = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        found[text.split(" (")[0]] = {**values, "text": text,
                                      "selected": " selected" in f" {attributes}"}
    return found


def _stock_badge(html: str) -> str:
    badge = re.search(r'<p class="product-stock" id="product-stock" data-stock '
                      r'aria-live="polite">(.*?)</p>', html, re.S)
    assert badge, "no live stock badge"
    return badge.group(1).strip()


def test_each_option_carries_its_stock_and_the_badge_shows_the_one_chosen(
        make_store, add_product, store_client, app):
    """The stock shown follows the option: each <option> carries its own (for
    storefront.js), and ``?variant=`` is the page of one option, badge included."""
    from core.catalog.models import ProductVariant

    store = make_store("alpha-shop", currency="USD")
    # The product's own stock is the total (14): never the number shown for an option.
    add_product(store, "shirt", stock=14,
                variants=[("S", 1000, 0), ("M", 1200, 3), ("L", 1400, 11)])
    add_product(store, "cap", variants=[("One size", 500, 7)])
    with app.app_context(), tenant_scope(store.id):
        ids = {v.option1: v.id for v in db.session.scalars(select(ProductVariant))}
    client = store_client("alpha-shop")

    html = _text(client.get("/products/shirt"))
    options = _options(html)
    assert {size: (o["data-stock"], o["data-stock-state"], o["data-stock-text"])
            for size, o in options.items()} == {
        "S": ("0", "out", "Out of stock"), "M": ("3", "low", "Only 3 left"),
        "L": ("11", "in", "In stock")}
    assert "$14.00" in options["L"]["data-price-html"]
    assert options["M"]["selected"]  # the first in stock
    assert _stock_badge(html) == '<span class="stock stock-low">Only 3 left</span>'
    assert 'aria-describedby="product-stock"' in html  # the picker is described by it
    assert "Only 14 left" not in html and "14" not in _stock_badge(html)

    chosen = _text(client.get(f"/products/shirt?variant={ids['L']}"))
    assert _options(chosen)["L"]["selected"] and not _options(chosen)["M"]["selected"]
    assert _stock_badge(chosen) == '<span class="stock stock-in">In stock</span>'
    assert "$14.00" in re.search(r"data-price-block>(.*?)</p>", chosen, re.S).group(1)
    assert 'data-max="11"' in chosen  # the most of L one can add
    sold_out = _text(client.get(f"/products/shirt?variant={ids['S']}"))
    assert _stock_badge(sold_out) == '<span class="stock stock-out">Out of stock</span>'
    assert re.search(r'class="button add-button" disabled', sold_out)
    # Nonsense, or another product's option: the product as usual.
    for query in ("?variant=abc", f"?variant={ids['One size']}", "?variant=99999999",
                  "?variant=%C2%B2"):
        page = _text(client.get(f"/products/shirt{query}"))
        assert _options(page)["M"]["selected"], query
        assert _stock_badge(page) == '<span class="stock stock-low">Only 3 left</span>'


def test_description_is_sanitised_and_video_waits_for_the_shopper(make_store, add_product,
                                                                  store_client):
    store = make_store("alpha-shop")
    add_product(store, "lamp",
                description='<p>Warm <strong>light</strong></p><script>alert(1)</script>'
                            '<a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)>',
                video_url="https://youtu.be/dQw4w9WgXcQ")
    html = _text(store_client("alpha-shop").get("/products/lamp"))
    description = re.search(r'<div class="description">(.*?)</div>', html, re.S).group(1)
    assert "<strong>light</strong>" in description
    assert "<script" not in description and "javascript:" not in description
    assert "onerror" not in description
    # No request to YouTube until the shopper clicks: a link, not an iframe.
    assert "<iframe" not in html
    assert 'data-video-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


def test_related_products_share_a_collection_and_stay_in_the_store(two_stores, add_product,
                                                                  store_client):
    a, _b = two_stores
    add_product(a, "spoon", title="Alpha spoon", collection="cutlery")
    html = _text(store_client("alpha-shop").get("/products/mug"))
    related = re.search(r'<section class="related".*?</section>', html, re.S).group(0)
    assert "Alpha Shop bowl" in related
    assert "Alpha Shop mug" not in related  # not itself
    assert "Alpha spoon" not in related  # another collection
    assert "Beta" not in related


def test_images_are_responsive_and_lazy(make_store, add_product, store_client):
    store = make_store("alpha-shop")
    add_product(store, "mug", image=True, collection="kitchen")
    add_product(store, "cup", image=True, collection="kitchen")
    client = store_client("alpha-shop")
    html = _text(client.get("/products/mug"))
    main = re.search(r'<figure class="gallery-main"[^>]*>(.*?)</figure>', html, re.S).group(1)
    assert re.search(r'<source type="image/webp" srcset="/media/products/mug-160\.webp 160w, '
                     r'/media/products/mug-320\.webp 320w"', main)
    assert 'fetchpriority="high"' in main and 'loading="lazy"' not in main
    card = re.search(r'<section class="related".*?</section>', html, re.S).group(0)
    assert 'loading="lazy"' in card
    webp = client.get("/media/products/mug-320.webp")
    assert webp.status_code == 200 and webp.data[8:12] == b"WEBP"


def test_card_and_image_urls_are_the_ones_url_for_builds(make_store, add_product,
                                                         store_client, app):
    # Cards and pictures build their URLs by formatting (core.web.urls.url_with); a
    # handle or key that URL quoting changes must come out as url_for writes it.
    from flask import url_for

    from core.catalog.models import ProductImage

    store = make_store("alpha-shop")
    add_product(store, "mug", image=True, collection="kitchen")
    odd = add_product(store, "চায়ের-কাপ", collection="kitchen", position=1)
    with app.app_context(), tenant_scope(store.id):  # a key from before keys were checked
        db.session.add(ProductImage(product_id=odd, storage_key="products/tea cup#1.jpg",
                                    width=320, height=320, widths="160"))
        db.session.commit()
    html = _text(store_client("alpha-shop").get("/collections/kitchen"))
    with app.test_request_context("/", base_url="http://alpha-shop.localhost"):
        for handle, key in (("mug", "products/mug-160.webp"),
                            ("চায়ের-কাপ", "products/tea cup#1-160.webp")):
            assert f'href="{url_for("storefront.product", handle=handle)}"' in html
            assert f'{url_for("storefront.media", key=key)} 160w' in html
    assert "/products/%E0%A6%9A" in html and "/media/products/tea%20cup%231-160.webp" in html


def test_merchant_pages_and_footer_links(make_store, store_client, app):
    a = make_store("alpha-shop")
    b = make_store("beta-shop")
    for store in (a, b):
        with app.app_context(), tenant_scope(store.id):
            db.session.add(Page(handle="returns", title=f"{store.name} returns",
                                body="Send it back within <b>7 days</b>.<script>x()</script>"))
            db.session.add(Page(handle="secret", title="Draft", body="", published=False))
            db.session.commit()
    client = store_client("alpha-shop")
    page = _text(client.get("/pages/returns"))
    assert "Alpha Shop returns" in page and "Beta" not in page
    assert "<b>7 days</b>" in page and "<script>x()" not in page
    assert client.get("/pages/secret").status_code == 404
    footer = re.search(r'<footer class="site-footer">.*</footer>', _text(client.get("/")), re.S)
    assert 'href="/pages/returns"' in footer.group(0)
    assert 'href="/pages/secret"' not in footer.group(0)


def test_unknown_pages_get_the_store_themed_404(two_stores, store_client):
    for path in ("/products/nope", "/collections/nope", "/pages/nope", "/no/such/path"):
        response = store_client("alpha-shop").get(path)
        assert response.status_code == 404
        html = _text(response)
        assert "Page not found" in html
        assert 'class="site-header"' in html and "Alpha Shop" in html


def test_a_nul_character_in_a_url_or_form_is_a_clear_400_not_a_500(
        two_stores, store_client):
    """PostgreSQL refuses text holding NUL; no browser sends one."""
    client = store_client("alpha-shop")
    for path in ("/products/a%00b", "/collections/x%00", "/pages/%00", "/search?q=a%00b",
                 "/admin/products?q=%00"):
        assert client.get(path).status_code == 400, path
    assert client.post("/cart/add", data={"product_id": "1\x00"}).status_code == 400
    assert client.get("/products/mug").status_code == 200


def test_draft_products_are_not_shown(two_stores, store_client, app):
    a, _ = two_stores
    with app.app_context(), tenant_scope(a.id):
        db.session.scalar(select(Product).where(Product.handle == "mug")).status = STATUS_DRAFT
        db.session.commit()
    client = store_client("alpha-shop")
    assert client.get("/products/mug").status_code == 404
    assert "Alpha Shop mug" not in _text(client.get("/collections/all"))


# --------------------------------------------------------------------- search


def test_without_a_search_plugin_there_is_no_box_and_search_says_so(two_stores, store_client):
    client = store_client("alpha-shop")
    assert 'role="search"' not in _text(client.get("/"))
    response = client.get("/search?q=mug")
    assert response.status_code == 404
    assert "This store does not offer search" in _text(response)


class _FakeBackend:
    """Returns every id it is told about, including ones of other stores."""

    def __init__(self, ids, fail=False):
        self.ids, self.fail, self.seen = ids, fail, []

    def query(self, store, query):
        if self.fail:
            raise ConnectionError("search server down")
        self.seen.append((store.slug, query.text))
        hits = tuple(SearchHit(product_id=i, handle="", title="") for i in self.ids)
        return SearchResults(hits=hits, total=len(hits))

    def index(self, store, products): ...

    def remove(self, store, product_ids): ...

    def clear(self, store): ...

    def suggest(self, store, text, limit=8):
        return ()


def _search_plugin(install_plugin, enable_plugin, store, backend):
    plugin = make_plugin("test-search", kind="search",
                         haat_search_backend=lambda store: backend)
    install_plugin(plugin)
    enable_plugin(store, "test-search")


def test_search_uses_the_store_backend_and_never_shows_another_stores_products(
        two_stores, store_client, install_plugin, enable_plugin, app):
    a, b = two_stores
    with app.app_context():
        with tenant_scope(b.id):
            beta_mug = db.session.scalar(select(Product.id).where(Product.handle == "mug"))
        with tenant_scope(a.id):
            alpha_mug = db.session.scalar(select(Product.id).where(Product.handle == "mug"))
    backend = _FakeBackend([beta_mug, alpha_mug])
    _search_plugin(install_plugin, enable_plugin, a, backend)
    client = store_client("alpha-shop")
    assert 'role="search"' in _text(client.get("/"))
    html = _text(client.get("/search?q=mug"))
    assert backend.seen == [("alpha-shop", "mug")]
    results = re.findall(r'<span class="card-title">([^<]+)</span>', html)
    assert results == ["Alpha Shop mug"]  # B's id from a misbehaving backend is dropped
    assert store_client("beta-shop").get("/search?q=mug").status_code == 404  # B has none


def test_a_failing_search_backend_gives_a_polite_page(two_stores, store_client,
                                                      install_plugin, enable_plugin,
                                                      isolating):
    _search_plugin(install_plugin, enable_plugin, two_stores[0],
                   _FakeBackend([], fail=True))
    response = store_client("alpha-shop").get("/search?q=mug")
    assert response.status_code == 503
    html = _text(response)
    assert "Search is not available right now" in html
    assert 'class="cart-link"' in html  # the rest of the page works


# ---------------------------------------------------------------------- slots


def test_slots_render_plugin_content_in_place_and_escaped(two_stores, store_client,
                                                          install_plugin, enable_plugin):
    def slot(store, name, page):
        if name == "product_after_price":
            return SlotContent(text="<b>Free delivery</b>")
        if name == "footer":
            return SlotContent(text="Footer note")
        return None

    install_plugin(make_plugin("test-slots", haat_slot=slot))
    enable_plugin(two_stores[0], "test-slots")
    html = _text(store_client("alpha-shop").get("/products/mug"))
    price_at = html.index("data-price-block")
    slot_at = html.index("haat-slot-product_after_price")
    form_at = html.index('class="add-to-cart"')
    assert price_at < slot_at < form_at
    assert "&lt;b&gt;Free delivery&lt;/b&gt;" in html and "<b>Free delivery</b>" not in html
    footer = html[html.index('<footer class="site-footer">'):]
    assert "Footer note" in footer
    assert "Free delivery" not in _text(store_client("beta-shop").get("/products/mug"))
