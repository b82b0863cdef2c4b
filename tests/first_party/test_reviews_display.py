"""Reviews on the storefront, through HTTP on store hosts: the product page's stars and
section (cached for everyone), its JSON-LD read with extruct, the list of a product's
reviews (sort, stars, pages), the customer wall, abuse reports, the themes' product
cards, Bengali digits, fixed query counts and isolation between stores."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import extruct
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from core.db import db
from core.demo.images import placeholder_image
from core.pluginhost.translations import untranslated
from core.pluginhost.web import plugins_for_tenant
from core.sdk import pages_changed, save_image, store_session
from core.theming.service import choose_theme
from plugins.reviews import aggregates
from plugins.reviews.models import Review, ReviewPhoto, ReviewReport
from tenants import tenant_scope

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


# ------------------------------------------------------------------------ helpers


def info(app, tenant):
    """The StoreInfo the store's hooks get (its plugins on)."""
    with app.app_context():
        return plugins_for_tenant(tenant.id).info


def add_reviews(app, tenant, product_id, specs, *, photos=0):
    """Insert reviews (dicts of Review fields; ``rating`` at least) oldest first, give
    the first ``photos`` published ones a real photo, and recount as the admin would.
    Returns the new ids in order."""
    store = info(app, tenant)
    ids = []
    with app.app_context():
        with store_session(store) as session:
            rows = []
            for n, spec in enumerate(specs):
                values = {"status": "published", "author_name": f"Shopper {n}",
                          "body": f"Review body {n}", "title": f"Title {n}",
                          "created_at": START + timedelta(hours=n), **spec}
                if values["status"] == "published":
                    values.setdefault("published_at", values["created_at"])
                rows.append(Review(product_id=product_id, **values))
            session.add_all(rows)
            session.flush()
            ids = [r.id for r in rows]
            with_photos = [r for r in rows if r.status == "published"][:photos]
        for review in with_photos:
            image = save_image(store, "reviews", placeholder_image(f"r{review.id}", 400))
            with store_session(store) as session:
                session.add(ReviewPhoto(review_id=review.id, product_id=product_id,
                                        storage_key=image.key, width=image.width,
                                        height=image.height,
                                        widths=",".join(str(w) for w in image.widths),
                                        created_at=review.created_at))
                session.get(Review, review.id).photo_count = 1
        aggregates.refresh(store, [product_id])
    return ids


def ratings(*values, **fields):
    return [{"rating": v, **fields} for v in values]


def tree(response, status=200):
    assert response.status_code == status, (response.status_code, response.get_data()[:500])
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def texts(nodes):
    return [" ".join(n.get_text().split()) for n in nodes]


def json_ld(response, url):
    return extruct.extract(response.get_data(as_text=True), base_url=url,
                           syntaxes=["json-ld"], uniform=False)["json-ld"]


def typed(items, kind):
    return [i for i in items if i.get("@type") == kind]


@pytest.fixture
def shop(make_store, enable_plugin):
    tenant = make_store("alpha-shop")
    enable_plugin(tenant, "reviews")
    return tenant


@pytest.fixture
def client(shop, store_client):
    return store_client("alpha-shop")


# -------------------------------------------------------------- the product page


def test_a_product_without_reviews_invites_the_first(app, shop, client, add_product):
    add_product(shop, "teapot", title="Teapot")
    page = tree(client.get("/products/teapot?lang=en"))
    assert not page.select(".rv-summary-link")
    section = page.select_one("#reviews")
    assert section.get("aria-labelledby") == "reviews-title"
    assert "No reviews yet" in section.get_text()
    assert section.select("a.button")[0].get("href") == "/reviews/write/teapot"
    assert not section.select(".rv-review")


def test_the_product_page_shows_stars_figures_photos_and_newest_reviews(
        app, shop, client, add_product):
    pid = add_product(shop, "teapot", title="Teapot")
    add_reviews(app, shop, pid, ratings(5, 5, 4, 1, 5, 4, 5), photos=2)
    with app.app_context(), store_session(info(app, shop)) as session:
        newest = session.scalars(select(Review).order_by(Review.id.desc())).first()
        newest.verified, newest.reply = True, "Thank you!\nCome again."
    pages_changed_now(app, shop)
    page = tree(client.get("/products/teapot?lang=en"))

    link = page.select(".rv-summary-link")[0]
    assert link.get("href") == "#reviews"
    assert " ".join(link.get_text().split()).startswith("4.1 ★★★★★ (7 reviews)")
    assert "Rated 4.1 out of 5, 7 reviews" in link.select(".visually-hidden")[0].get_text()
    section = page.select_one("#reviews")
    shown = section.select(".rv-review")
    assert len(shown) == 5
    assert texts(s.select(".rv-review-title")[0] for s in shown) == [
        "Title 6", "Title 5", "Title 4", "Title 3", "Title 2"]
    first = shown[0]
    assert first.select(".rv-verified")[0].get_text() == "Verified buyer"
    assert first.select(".rv-reply-body")[0].get_text() == "Thank you!\nCome again."
    assert first.select("time")[0].get("datetime") == "2026-11-01"
    gallery = section.select(".rv-gallery a.rv-photo")
    assert len(gallery) == 2
    assert all(a.get("href").startswith("http://alpha-shop.localhost/media/plugins/reviews/")
               for a in gallery)
    img = gallery[0].select("img")[0]
    assert img.get("loading") == "lazy"
    assert ".webp" in gallery[0].select("source")[0].get("srcset")
    assert client.get(gallery[0].get("href").replace("http://alpha-shop.localhost", "")
                      ).status_code == 200
    actions = [a.get("href") for a in section.select(".rv-actions a")]
    assert actions == ["/reviews/product/teapot", "/reviews/write/teapot"]
    assert "See all 7 reviews" in section.get_text()
    css = [link.get("href") for link in page.select("head link[rel=stylesheet]")]
    assert "/reviews/static/show.css" in css
    assert client.get("/reviews/static/show.css").status_code == 200


def pages_changed_now(app, tenant):
    with app.app_context():
        pages_changed(info(app, tenant))


def test_the_distribution_has_the_right_figures(app, shop, client, add_product):
    pid = add_product(shop, "teapot")
    add_reviews(app, shop, pid, ratings(5, 5, 4, 1, 5))
    bars = tree(client.get("/products/teapot?lang=en")).select("#reviews .rv-bar")
    figures = [(b.select(".rv-bar-label")[0].get_text(), b.select(".rv-bar-count")[0].get_text(),
                b.select(".rv-bar-fill")[0].get("style")) for b in bars]
    assert figures == [("5 stars", "3", "width: 60%"), ("4 stars", "1", "width: 20%"),
                       ("3 stars", "0", "width: 0%"), ("2 stars", "0", "width: 0%"),
                       ("1 star", "1", "width: 20%")]
    assert texts(b.select(".visually-hidden")[0] for b in bars)[0] == "3 reviews (60%)"


def test_waiting_held_and_hidden_reviews_are_never_shown(app, shop, client, add_product):
    pid = add_product(shop, "teapot")
    add_reviews(app, shop, pid, [
        {"rating": 4, "title": "Shown"},
        {"rating": 1, "title": "Pending one", "status": "pending", "featured": True},
        {"rating": 1, "title": "Held one", "status": "held", "featured": True},
        {"rating": 1, "title": "Hidden one", "status": "hidden", "featured": True}])
    for path in ("/products/teapot?lang=en", "/reviews/product/teapot?lang=en",
                 "/reviews/product/teapot?stars=1", "/reviews?lang=en"):
        body = client.get(path).get_data(as_text=True)
        for title in ("Pending one", "Held one", "Hidden one"):
            assert title not in body, (path, title)
    page = tree(client.get("/products/teapot?lang=en"))
    assert "(1 review)" in page.select(".rv-summary-link")[0].get_text()
    assert texts(page.select("#reviews .rv-review-title")) == ["Shown"]


def test_a_cached_product_page_shows_a_review_once_it_is_approved(app, shop, client,
                                                                  add_product):
    pid = add_product(shop, "teapot")
    add_reviews(app, shop, pid, ratings(5))
    assert "Fresh praise" not in client.get("/products/teapot").get_data(as_text=True)
    (new,) = add_reviews(app, shop, pid, [{"rating": 3, "title": "Fresh praise",
                                           "status": "pending"}])
    assert "Fresh praise" not in client.get("/products/teapot").get_data(as_text=True)
    store = info(app, shop)
    with app.app_context():  # the merchant approves it, as the admin does
        with store_session(store) as session:
            review = session.get(Review, new)
            review.status, review.published_at = "published", datetime.now(UTC)
        aggregates.refresh(store, [pid])
        pages_changed(store)
    page = tree(client.get("/products/teapot"))
    assert "Fresh praise" in texts(page.select("#reviews .rv-review-title"))
    assert "(2 reviews)" in page.select(".rv-summary-link")[0].get_text()


# ------------------------------------------------------------------------ JSON-LD


def test_json_ld_has_the_aggregate_rating_and_the_reviews(app, shop, client, add_product,
                                                          enable_plugin):
    enable_plugin(shop, "seo")
    pid = add_product(shop, "teapot", title="Teapot")
    add_reviews(app, shop, pid, [
        {"rating": 5, "author_name": "Rahima", "body": "Lovely glaze."},
        {"rating": 4, "author_name": "Aram", "body": "Pours well."},
        {"rating": 2, "anonymous": True, "author_name": "", "body": "Chipped lid."}])
    url = "http://alpha-shop.localhost/products/teapot"
    items = json_ld(client.get("/products/teapot?lang=en"), url)
    (product,) = typed(items, "Product")
    rating = product["aggregateRating"]
    assert (rating["ratingValue"], rating["reviewCount"]) == ("3.67", 3)
    reviews = typed(items, "Review")
    assert [(r["author"]["@type"], r["author"]["name"], r["reviewRating"]["ratingValue"],
             r["reviewRating"]["bestRating"], r["reviewBody"]) for r in reviews] == [
        ("Person", "Anonymous", 2, 5, "Chipped lid."),
        ("Person", "Aram", 4, 5, "Pours well."),
        ("Person", "Rahima", 5, 5, "Lovely glaze.")]
    for review in reviews:
        assert review["itemReviewed"]["@id"] == product["@id"] == f"{url}#product"
        assert review["itemReviewed"]["name"] == "Teapot"
        assert review["datePublished"] == "2026-11-01"


def test_json_ld_stands_on_its_own_without_the_seo_plugin(app, shop, client, add_product):
    pid = add_product(shop, "teapot", title="Teapot")
    add_reviews(app, shop, pid, ratings(*([4] * 7)))
    items = json_ld(client.get("/products/teapot"), "http://alpha-shop.localhost/")
    assert not typed(items, "Product")
    reviews = typed(items, "Review")
    assert len(reviews) == 5
    assert reviews[0]["itemReviewed"]["@type"] == "Product"
    assert reviews[0]["itemReviewed"]["name"] == "Teapot"


# ---------------------------------------------------------------- the review list


def list_titles(client, query=""):
    page = tree(client.get(f"/reviews/product/teapot?lang=en{query}"))
    return page, texts(page.select(".rv-review-title"))


def test_the_list_sorts_filters_and_pages(app, shop, client, add_product):
    pid = add_product(shop, "teapot")
    values = [(n % 5) + 1 for n in range(23)]  # 1,2,3,4,5,1,... oldest first
    add_reviews(app, shop, pid, ratings(*values), photos=3)
    page, titles = list_titles(client)
    assert titles == [f"Title {n}" for n in range(22, 12, -1)]
    pager = page.select(".rv-pager a")
    assert [a.get_text() for a in pager] == ["1", "2", "3", "Next"]
    assert pager[0].get("aria-current") == "page"
    assert page.select("link[rel=canonical]")[0].get("href") == \
        "http://alpha-shop.localhost/reviews/product/teapot?lang=en"
    assert not page.select("meta[name=robots]")

    page, titles = list_titles(client, "&page=3")
    assert titles == ["Title 2", "Title 1", "Title 0"]
    assert page.select("link[rel=canonical]")[0].get("href").endswith("?page=3&lang=en")
    assert [a.get_text() for a in page.select(".rv-pager a")] == ["Previous", "1", "2", "3"]

    page, titles = list_titles(client, "&sort=highest")
    stars = [int(t.split()[-1]) for t in texts(page.select(".rv-review-title"))]
    assert titles[:4] == ["Title 19", "Title 14", "Title 9", "Title 4"]  # the 5s, newest first
    assert page.select("meta[name=robots]")[0].get("content") == "noindex, follow"
    assert not page.select("link[rel=canonical]")
    assert len(stars) == 10

    _page, titles = list_titles(client, "&sort=lowest")
    assert titles[:5] == ["Title 0", "Title 5", "Title 10", "Title 15", "Title 20"]  # the 1s

    page, titles = list_titles(client, "&stars=4")
    assert titles == ["Title 18", "Title 13", "Title 8", "Title 3"]
    assert page.select("h2.rv-results")[0].get_text() == "4 reviews rated 4 out of 5"
    assert not page.select(".rv-pager")
    assert page.select("#rv-stars option[selected]")[0].get_text() == "4 stars (4)"

    _page, titles = list_titles(client, "&sort=photos")
    assert titles == ["Title 2", "Title 1", "Title 0"]
    _page, titles = list_titles(client, "&sort=photos&stars=2")
    assert titles == ["Title 1"]
    # Nonsense is ignored, never a 500: the first page, newest first.
    _page, titles = list_titles(client, "&sort=<x>&stars=9&page=-1")
    assert titles[0] == "Title 22"
    _page, titles = list_titles(client, "&page=99")
    assert titles == ["Title 2", "Title 1", "Title 0"]


def test_the_list_of_a_product_without_reviews_or_unknown_product(app, shop, client,
                                                                  add_product):
    add_product(shop, "teapot")
    add_product(shop, "draft-pot", status="draft")
    page = tree(client.get("/reviews/product/teapot?lang=en"))
    assert "No reviews yet" in page.select(".rv-empty")[0].get_text()
    assert client.get("/reviews/product/nothing-here").status_code == 404
    assert client.get("/reviews/product/draft-pot").status_code == 404


# ------------------------------------------------------------------------ the wall


def test_the_wall_shows_only_featured_published_reviews(app, shop, client, add_product):
    empty = tree(client.get("/reviews?lang=en"))
    assert empty.select("h1")[0].get_text() == "What our customers say"
    assert "nothing here yet" in empty.select(".rv-empty")[0].get_text()
    pid = add_product(shop, "teapot", title="Teapot")
    cup = add_product(shop, "cup", title="Cup")
    add_reviews(app, shop, pid, [{"rating": 5, "title": "Chosen", "featured": True},
                                 {"rating": 4, "title": "Not chosen"},
                                 {"rating": 1, "title": "Waiting", "featured": True,
                                  "status": "pending"}])
    add_reviews(app, shop, cup, [{"rating": 5, "title": f"Cup {n}", "featured": True}
                                 for n in range(11)])
    page = tree(client.get("/reviews?lang=en"))
    titles = texts(page.select(".rv-review-title"))
    assert titles == [f"Cup {n}" for n in range(10, 0, -1)]
    assert page.select(".rv-review-product a")[0].get("href") == "/products/cup"
    assert page.select("link[rel=canonical]")[0].get("href") == \
        "http://alpha-shop.localhost/reviews?lang=en"
    page = tree(client.get("/reviews?page=2&lang=en"))
    assert texts(page.select(".rv-review-title")) == ["Cup 0", "Chosen"]
    assert texts(page.select(".rv-review-product")) == ["Cup", "Teapot"]


# ------------------------------------------------------------------------ reports


def test_a_report_is_kept_once_per_reporter(app, shop, client, add_product):
    pid = add_product(shop, "teapot")
    (rid,) = add_reviews(app, shop, pid, ratings(1))
    page = tree(client.get("/reviews/product/teapot?sort=lowest&lang=en"))
    link = page.select(f"#review-{rid} .rv-report a")[0]
    assert link.get("href") == f"/reviews/{rid}/report?sort=lowest&lang=en"
    assert link.get("rel") == ["nofollow"]
    form_page = tree(client.get(link.get("href")))
    assert "noindex" in form_page.select_one("meta[name=robots]").get("content")
    form = form_page.select("form.rv-report-form")[0]
    assert form.get("action") == f"/reviews/{rid}/report?lang=en"
    assert form.select("fieldset legend")
    assert form.select_one("input[name=sort]").get("value") == "lowest"
    assert {i.get("value") for i in form.select("input[name=reason]")} == {
        "spam", "offensive", "off_topic", "private", "other"}

    sent = client.post(f"/reviews/{rid}/report",
                       data={"reason": "spam", "note": "Ad", "sort": "lowest", "page": "1"})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/reviews/product/teapot?sort=lowest#review-{rid}")
    assert "Thank you, the shop will look at it." in client.get(
        sent.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/reviews/{rid}/report", data={"reason": "other"})
    assert again.status_code == 303
    with app.app_context(), store_session(info(app, shop)) as session:
        reports = session.scalars(select(ReviewReport)).all()
        assert [(r.review_id, r.reason, r.note) for r in reports] == [(rid, "spam", "Ad")]
        assert len(reports[0].reporter_hash) == 64


def test_a_report_without_a_reason_comes_back_with_the_note_kept(app, shop, client,
                                                                  add_product):
    pid = add_product(shop, "teapot")
    (rid,) = add_reviews(app, shop, pid, ratings(2))
    refused = client.post(f"/reviews/{rid}/report?lang=en",
                          data={"reason": "bogus", "note": "Keep <me>"})
    page = tree(refused, 422)
    form = page.select("form.rv-report-form")[0]
    error = form.select(".field-error")[0]
    assert error.get("role") == "alert"
    assert error.get("id") == "report-reason-error"
    assert form.select("input[name=reason]")[0].get("aria-describedby") == error.get("id")
    assert form.select("textarea")[0].get_text() == "Keep <me>"
    long = client.post(f"/reviews/{rid}/report", data={"reason": "spam", "note": "x" * 501})
    assert tree(long, 422).select("#report-note-error")
    assert client.get(f"/reviews/{rid + 1000}/report").status_code == 404
    with app.app_context(), store_session(info(app, shop)) as session:
        assert session.scalars(select(ReviewReport)).all() == []


def test_reports_of_unpublished_reviews_are_404_and_reports_are_rate_limited(
        app, shop, client, add_product):
    pid = add_product(shop, "teapot")
    shown, waiting = add_reviews(app, shop, pid, [{"rating": 3},
                                                  {"rating": 1, "status": "pending"}])
    assert client.post(f"/reviews/{waiting}/report", data={"reason": "spam"}).status_code == 404
    assert client.post("/reviews/999999/report", data={"reason": "spam"}).status_code == 404
    codes = [client.post(f"/reviews/{shown}/report", data={"reason": "spam"}).status_code
             for _ in range(12)]
    assert codes[:8] == [303] * 8 and codes[-1] == 429


# ------------------------------------------------------------------ XSS, digits


def test_script_in_names_titles_bodies_and_replies_is_inert(app, shop, client, add_product,
                                                           enable_plugin):
    enable_plugin(shop, "seo")
    pid = add_product(shop, "teapot")
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    add_reviews(app, shop, pid, [{"rating": 5, "author_name": evil, "title": evil,
                                  "body": evil + "</script>", "reply": evil,
                                  "featured": True}])
    for path in ("/products/teapot", "/reviews/product/teapot", "/reviews"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert "<script>alert(1)" not in body and "<img src=x" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
        assert not tree(response).select("[onerror]"), path
    items = json_ld(client.get("/products/teapot"), "http://alpha-shop.localhost/")
    assert typed(items, "Review")[0]["author"]["name"] == evil


def test_a_bengali_store_writes_its_own_digits(app, make_store, enable_plugin,
                                               store_client, add_product):
    shop = make_store("dhaka-shop", locale="bn", currency="BDT", bengali_digits=True)
    enable_plugin(shop, "reviews")
    pid = add_product(shop, "kantha", collection="all-things")
    add_reviews(app, shop, pid, ratings(*([5] * 11), 4))
    client = store_client("dhaka-shop")
    page = tree(client.get("/products/kantha"))
    assert page.select(".rv-average")[0].get_text() == "৪.৯"
    assert "১২" in page.select(".rv-summary-link .rv-count")[0].get_text()
    assert page.select("#reviews .rv-bar-count")[0].get_text() == "১১"
    card = tree(client.get("/collections/all-things")).select(".product-card .card-rating")[0]
    assert card.select(".card-rating-count")[0].get_text() == "১২"
    listing = tree(client.get("/reviews/product/kantha"))
    assert [a.get_text() for a in listing.select(".rv-pager a")][:2] == ["১", "২"]
    translated = tree(client.get("/reviews/product/kantha"))
    assert translated.select("label[for=rv-sort]")[0].get_text() == "সাজান"


# --------------------------------------------------------------------- cards


@pytest.mark.parametrize("theme", ["default", "bazaar"])
def test_cards_show_stars_and_the_count(app, shop, client, add_product, theme):
    with app.app_context(), tenant_scope(shop.id):
        choose_theme(theme)
        db.session.commit()
    rated = add_product(shop, "teapot", title="Teapot", collection="kitchen")
    add_product(shop, "cup", title="Cup", collection="kitchen", position=1)
    add_reviews(app, shop, rated, ratings(5, 4, 4))
    for path in ("/collections/kitchen?lang=en", "/?lang=en"):
        page = tree(client.get(path))
        cards = {c.select(".card-title")[0].get_text(): c for c in page.select(".product-card")}
        assert not cards["Cup"].select(".card-rating"), path
        rating = cards["Teapot"].select(".card-rating")[0]
        assert rating.select(".card-rating-count")[0].get_text() == "3"
        assert rating.select(".card-stars")[0].get("aria-hidden") == "true"
        assert rating.select(".visually-hidden")[0].get_text() == "Rated 4.3 out of 5, 3 reviews"


# -------------------------------------------------------------- query counts


def test_pages_cost_the_same_queries_whatever_the_number_of_reviews(
        app, shop, client, add_product, count_queries):
    few = add_product(shop, "few")
    many = add_product(shop, "many")
    add_reviews(app, shop, few, ratings(5, 4), photos=1)
    add_reviews(app, shop, many, [{"rating": 1 + n % 5, "featured": True} for n in range(30)],
                photos=9)
    with app.app_context(), store_session(info(app, shop)) as session:
        for review in session.scalars(select(Review).where(Review.product_id == few)):
            review.featured = True

    def cost(path):
        client.get(path)  # warm caches (store, plugins, the handle)
        pages_changed_now(app, shop)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        # Rendered afresh: the reviews were read on this request, not served from a cache.
        assert any("FROM reviews_reviews" in sql for sql in statements), path
        return len(statements)

    assert cost("/products/few") == cost("/products/many")
    assert cost("/reviews/product/few") == cost("/reviews/product/many")
    assert cost("/reviews/product/few?sort=photos") == cost("/reviews/product/many?sort=photos")
    assert cost("/reviews?page=1") == cost("/reviews?page=2")


# ------------------------------------------------------------------- isolation


def test_another_stores_reviews_photos_and_wall_never_show(app, shop, client, make_store,
                                                          enable_plugin, add_product,
                                                          store_client):
    other = make_store("beta-shop")
    enable_plugin(other, "reviews")
    add_product(shop, "teapot")
    theirs = add_product(other, "teapot")
    (their_review,) = add_reviews(app, other, theirs, [
        {"rating": 5, "title": "Beta secret", "featured": True}], photos=1)
    beta = tree(store_client("beta-shop").get("/products/teapot"))
    assert "Beta secret" in beta.get_text()
    for path in ("/products/teapot", "/reviews/product/teapot", "/reviews"):
        body = client.get(path).get_data(as_text=True)
        assert "Beta secret" not in body and "/media/plugins/reviews/" not in body, path
    assert client.post(f"/reviews/{their_review}/report",
                       data={"reason": "spam"}).status_code == 404
    with app.app_context(), store_session(info(app, other)) as session:
        assert session.scalars(select(ReviewReport)).all() == []
    # A store that has not switched reviews on has none of these pages.
    make_store("gamma-shop")
    assert store_client("gamma-shop").get("/reviews").status_code == 404


# ------------------------------------------------------------------ translations


def test_every_display_message_is_translated():
    mine = ("display", "templates/reviews/show_", "translations/bn/LC_MESSAGES/display.po",
            "translations/hy/LC_MESSAGES/display.po")
    missing = [str(u) for u in untranslated("plugins.reviews") if u.where.startswith(mine)]
    assert missing == []


def test_the_wall_is_linked_from_the_footer_and_listed_in_the_sitemap(
        app, shop, client, add_product, enable_plugin, make_store, store_client):
    """Only once the merchant has chosen a review for it; and only this store's."""
    enable_plugin(shop, "seo")
    pid = add_product(shop, "teapot", title="Teapot")
    add_product(shop, "kettle", title="Kettle")
    assert not tree(client.get("/?lang=en")).select("footer a[href='/reviews']")
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/reviews" not in sitemap
    [review] = add_reviews(app, shop, pid, ratings(5))
    with app.app_context(), store_session(info(app, shop)) as session:
        session.get(Review, review).featured = True
    pages_changed_now(app, shop)
    footer = tree(client.get("/?lang=en")).select("footer a[href='/reviews']")
    assert texts(footer) == ["What our customers say"]
    sitemap = "".join(client.get(path).get_data(as_text=True)
                      for path in ("/sitemap.xml", "/sitemap-1.xml"))
    assert "http://alpha-shop.localhost/reviews<" in sitemap
    assert "http://alpha-shop.localhost/reviews/product/teapot<" in sitemap
    assert "/reviews/product/kettle" not in sitemap
    other = make_store("beta-wall")
    enable_plugin(other, "reviews")
    assert not tree(store_client("beta-wall").get("/?lang=en")).select(
        "footer a[href='/reviews']")


def _wall_queries(statements):
    # SQLite says ``featured IS 1``, PostgreSQL ``featured IS true``.
    return [s for s in statements if "FROM reviews_reviews" in s
            and re.search(r"featured IS (1|true)", s)]


def test_the_wall_link_is_remembered_per_store_until_its_pages_change(
        app, shop, client, add_product, make_store, enable_plugin, store_client,
        count_queries):
    """Every page's footer asks whether the wall has a review: asked once per store,
    never answered with another store's wall, and changed at once by featuring."""
    pid = add_product(shop, "teapot")
    add_product(shop, "kettle")
    [review] = add_reviews(app, shop, pid, ratings(5))
    with app.app_context(), store_session(info(app, shop)) as session:
        session.get(Review, review).featured = True
    pages_changed_now(app, shop)
    other = make_store("beta-shop")
    enable_plugin(other, "reviews")
    add_product(other, "teapot")
    beta = store_client("beta-shop")

    def wall_link(some_client, path):
        return bool(tree(some_client.get(path)).select("footer a[href='/reviews']"))

    with count_queries() as statements:
        assert wall_link(client, "/products/teapot")
        assert not wall_link(beta, "/products/teapot")
    assert len(_wall_queries(statements)) == 2
    with count_queries() as statements:  # other pages, not cached yet: no question asked
        assert wall_link(client, "/products/kettle")
        assert not wall_link(beta, "/?lang=en")
    assert _wall_queries(statements) == []
    with app.app_context(), store_session(info(app, shop)) as session:
        session.get(Review, review).featured = False
    pages_changed_now(app, shop)
    assert not wall_link(client, "/products/kettle")
    assert not wall_link(beta, "/products/teapot")
