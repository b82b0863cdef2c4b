"""The merchant's side of reviews, through ``/admin/reviews`` on the store's host:
the moderation tabs and actions, replies, the customer wall, deleting with its photos,
the CSV export, staff against owner, the Bengali admin, the dashboard panel, and that
one store's admin never sees nor touches another store's reviews.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from admin_support import add_staff, sign_in, use_admin_catalogue
from core.db import db
from core.demo.images import placeholder_image
from core.pluginhost.translations import untranslated
from core.sdk import image_url, save_image
from core.testing import assert_translated
from plugins.reviews import admin as reviews_admin
from plugins.reviews import aggregates
from plugins.reviews.manage_text import _
from plugins.reviews.models import ProductRatingStat, Review, ReviewPhoto, ReviewReport
from tenants import tenant_scope

PLUGIN = "reviews"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def shops(make_store, add_product, enable_plugin):
    a = make_store("rv-adm-a", currency="BDT", country="BD", name="Dhaka Crafts")
    b = make_store("rv-adm-b", currency="BDT", country="BD", name="Other Shop")
    for tenant in (a, b):
        enable_plugin(tenant, PLUGIN)
    products = {"kantha": add_product(a, "kantha", title="Kantha quilt"),
                "jamdani": add_product(a, "jamdani", title="Jamdani sari"),
                "lamp": add_product(b, "lamp", title="Brass lamp")}
    return a, b, products


def add_review(app, tenant, product_id, *, rating=4, status="pending", **fields) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        review = Review(product_id=product_id, rating=rating, status=status,
                        title=fields.pop("title", "Lovely"), body=fields.pop("body", "Soft."),
                        author_name=fields.pop("author_name", "Rahima"),
                        reviewer_key=fields.pop("reviewer_key", None),
                        published_at=NOW if status == "published" else None, **fields)
        db.session.add(review)
        db.session.commit()
        return review.id


def review_row(app, tenant, review_id) -> Review | None:
    with app.app_context(), tenant_scope(tenant.id):
        review = db.session.get(Review, review_id)
        if review is not None:
            db.session.expunge(review)
        return review


def stat(app, tenant, product_id) -> tuple[int, int] | None:
    with app.app_context(), tenant_scope(tenant.id):
        row = db.session.scalar(select(ProductRatingStat)
                                .where(ProductRatingStat.product_id == product_id))
        return (row.count, row.total) if row else None


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_admin_routes_need_the_stores_staff(shops, store_client):
    a, _b, _products = shops
    response = store_client(a.slug).get("/admin/reviews")
    assert response.status_code in (302, 303) and "/admin/login" in response.location


def test_the_tabs_sort_reviews_by_state_with_the_spam_reason(app, shops, store_client):
    a, _b, p = shops
    add_review(app, a, p["kantha"], title="Waiting one")
    add_review(app, a, p["kantha"], title="Held one", status="held",
                      held_reason="link,word:besto")
    add_review(app, a, p["jamdani"], title="Shown one", status="published")
    add_review(app, a, p["jamdani"], title="Hidden one", status="hidden")
    owner = sign_in(store_client, a)
    page = text(owner.get("/admin/reviews"))
    assert "Waiting one" in page and "Held one" in page
    assert "Shown one" not in page and "Hidden one" not in page
    assert "It contains a link." in page and "It contains “besto”, a word from your list." in page
    assert "Kantha quilt" in page and "Waiting (2)" in page and "Published (1)" in page
    assert page.index("Held one") < page.index("Waiting one")  # newest first (higher id)
    published = text(owner.get("/admin/reviews?tab=published"))
    assert "Shown one" in published and "Waiting one" not in published
    assert "Hidden one" in text(owner.get("/admin/reviews?tab=hidden"))


def test_approving_and_hiding_move_the_rating(app, shops, store_client):
    a, _b, p = shops
    first = add_review(app, a, p["kantha"], rating=5)
    second = add_review(app, a, p["kantha"], rating=2, status="held", held_reason="phone")
    owner = sign_in(store_client, a)
    done = owner.post(f"/admin/reviews/{first}/status", data={"action": "publish"})
    assert done.status_code == 303 and done.location.endswith(f"/admin/reviews/{first}")
    assert review_row(app, a, first).status == "published"
    assert review_row(app, a, first).published_at is not None
    assert stat(app, a, p["kantha"]) == (1, 5)
    assert owner.post(f"/admin/reviews/{second}/status",
                      data={"action": "publish"}).status_code == 303
    assert stat(app, a, p["kantha"]) == (2, 7)
    assert owner.post(f"/admin/reviews/{first}/status",
                      data={"action": "hide"}).status_code == 303
    assert review_row(app, a, first).status == "hidden"
    assert stat(app, a, p["kantha"]) == (1, 2)
    assert "The review is hidden." in text(owner.get(f"/admin/reviews/{first}"))
    assert owner.post(f"/admin/reviews/{first}/status",
                      data={"action": "explode"}).status_code == 400


def test_a_reply_is_saved_escaped_checked_and_removed(app, shops, store_client):
    a, _b, p = shops
    review_id = add_review(app, a, p["kantha"], status="published",
                           title="<img src=x onerror=alert(1)>", author_name="<b>Bad</b>")
    staff_email = "helper@rv-adm-a.example"
    add_staff(app, a, staff_email)
    staff = sign_in(store_client, a, staff_email)
    refused = staff.post(f"/admin/reviews/{review_id}/reply", data={"reply": "  "})
    assert refused.status_code == 422
    page = text(refused)
    assert 'class="field-error" id="reply-error" role="alert"' in page
    assert 'aria-invalid="true" aria-describedby="reply-error"' in page
    too_long = staff.post(f"/admin/reviews/{review_id}/reply", data={"reply": "x" * 2001})
    assert too_long.status_code == 422 and "x" * 2001 + "</textarea>" in text(too_long)

    reply = "Thank you! <script>alert(1)</script>"
    assert staff.post(f"/admin/reviews/{review_id}/reply",
                      data={"reply": reply}).status_code == 303
    assert review_row(app, a, review_id).reply == reply
    page = text(staff.get(f"/admin/reviews/{review_id}"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "<b>Bad</b>" not in page
    assert staff.post(f"/admin/reviews/{review_id}/reply",
                      data={"action": "remove"}).status_code == 303
    row = review_row(app, a, review_id)
    assert (row.reply, row.replied_at) == ("", None)


def test_the_customer_wall_takes_only_published_reviews(app, shops, store_client):
    a, _b, p = shops
    waiting = add_review(app, a, p["kantha"])
    shown = add_review(app, a, p["kantha"], status="published")
    owner = sign_in(store_client, a)
    owner.post(f"/admin/reviews/{waiting}/feature", data={"featured": "1"})
    assert review_row(app, a, waiting).featured is False
    owner.post(f"/admin/reviews/{shown}/feature", data={"featured": "1"})
    assert review_row(app, a, shown).featured is True
    owner.post(f"/admin/reviews/{shown}/feature", data={"featured": "0"})
    assert review_row(app, a, shown).featured is False


def test_reports_are_listed_and_resolved(app, shops, store_client):
    a, _b, p = shops
    review_id = add_review(app, a, p["kantha"], status="published", title="Reported one")
    add_review(app, a, p["kantha"], status="published", title="Quiet one")
    with app.app_context(), tenant_scope(a.id):
        report = ReviewReport(review_id=review_id, reason="offensive", reporter_hash="h1",
                              note="<i>rude</i>")
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    owner = sign_in(store_client, a)
    listed = text(owner.get("/admin/reviews?tab=reported"))
    assert "Reported one" in listed and "Quiet one" not in listed and "Reported (1)" in listed
    page = text(owner.get(f"/admin/reviews/{review_id}"))
    assert "Offensive" in page and "&lt;i&gt;rude&lt;/i&gt;" in page
    assert owner.post(f"/admin/reviews/{review_id}/reports/{report_id}/resolve"
                      ).status_code == 303
    assert "Reported one" not in text(owner.get("/admin/reviews?tab=reported"))


def test_deleting_removes_the_review_and_its_photo_files(app, shops, store_client,
                                                        store_plugins):
    a, _b, p = shops
    review_id = add_review(app, a, p["kantha"], status="published", rating=5)
    with app.app_context():
        info = store_plugins(a).info
        image = save_image(info, PLUGIN, placeholder_image("review-photo", 400))
        photo_url = image_url(info, image)
        with tenant_scope(a.id):
            db.session.add(ReviewPhoto(review_id=review_id, product_id=p["kantha"],
                                       storage_key=image.key, width=image.width,
                                       height=image.height,
                                       widths=",".join(map(str, image.widths))))
            db.session.get(Review, review_id).photo_count = 1
            db.session.commit()
    shopper = store_client(a.slug)
    path = photo_url.split("localhost", 1)[1]
    assert shopper.get(path).status_code == 200

    staff_email = "helper@rv-adm-a.example"
    add_staff(app, a, staff_email)
    staff = sign_in(store_client, a, staff_email)
    assert staff.get(f"/admin/reviews/{review_id}/delete").status_code == 403
    assert staff.post(f"/admin/reviews/{review_id}/delete").status_code == 403
    assert review_row(app, a, review_id) is not None

    owner = sign_in(store_client, a)
    confirm = text(owner.get(f"/admin/reviews/{review_id}/delete"))
    assert "This cannot be undone." in confirm and 'method="post"' in confirm
    done = owner.post(f"/admin/reviews/{review_id}/delete")
    assert done.status_code == 303
    assert review_row(app, a, review_id) is None
    with app.app_context(), tenant_scope(a.id):
        assert db.session.scalar(select(ReviewPhoto.id)) is None
    assert shopper.get(path).status_code == 404
    assert stat(app, a, p["kantha"]) is None


def test_the_csv_holds_every_review_guarded_against_formulas(app, shops, store_client):
    a, b, p = shops
    add_review(app, a, p["kantha"], rating=5, status="published", title="=HYPERLINK(1)",
               body="+SUM(A1)", author_name="@evil", reply="-1", verified=True)
    add_review(app, a, p["jamdani"], rating=3, title="ভালো", body="line one\nline two")
    add_review(app, b, p["lamp"], title="Other store's")
    owner = sign_in(store_client, a)
    response = owner.get("/admin/reviews/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Product handle", "Product", "Rating", "Title"]
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[:6] == ["kantha", "Kantha quilt", "5", "'=HYPERLINK(1)", "'+SUM(A1)",
                         "'@evil"]
    assert first[6:8] == ["published", "1"] and first[11] == "'-1"
    assert second[:5] == ["jamdani", "Jamdani sari", "3", "ভালো", "line one\nline two"]
    assert "Other store's" not in raw.decode("utf-8")
    staff_email = "helper@rv-adm-a.example"
    add_staff(app, a, staff_email)
    assert sign_in(store_client, a, staff_email).get(
        "/admin/reviews/export.csv").status_code == 403


def test_another_stores_reviews_are_out_of_reach(app, shops, store_client):
    a, b, p = shops
    theirs = add_review(app, b, p["lamp"], title="Their secret review", status="published")
    owner = sign_in(store_client, a)
    assert "Their secret review" not in text(owner.get("/admin/reviews?tab=published"))
    assert owner.get(f"/admin/reviews/{theirs}").status_code == 404
    for action, data in (("status", {"action": "hide"}), ("reply", {"reply": "Hi"}),
                         ("feature", {"featured": "0"}), ("delete", {})):
        assert owner.post(f"/admin/reviews/{theirs}/{action}", data=data).status_code == 404
    row = review_row(app, b, theirs)
    assert (row.status, row.reply, row.featured) == ("published", "", False)
    # B's own admin still sees and reaches it.
    assert "Their secret review" in text(sign_in(store_client, b).get(
        "/admin/reviews?tab=published"))


def test_filters_paging_and_the_products_summary(app, shops, store_client, count_queries,
                                                 store_plugins):
    a, _b, p = shops
    for n in range(27):
        add_review(app, a, p["kantha"] if n % 2 else p["jamdani"], rating=n % 5 + 1,
                   status="published", title=f"Review number {n:02d}")
    with app.app_context():
        aggregates.refresh(store_plugins(a).info, [p["kantha"], p["jamdani"]])
    owner = sign_in(store_client, a)
    owner.get("/admin/reviews?tab=published")  # warm caches
    with count_queries() as first_page:
        page = text(owner.get("/admin/reviews?tab=published"))
    titles = re.findall(r"Review number (\d\d)", page)
    assert len(titles) == 25 and titles[0] == "26" and 'rel="next"' in page
    with count_queries() as second_page:
        rest = text(owner.get("/admin/reviews?tab=published&page=2"))
    assert re.findall(r"Review number (\d\d)", rest) == ["01", "00"]
    assert len(first_page) == len(second_page)  # no query per review
    five = text(owner.get("/admin/reviews?tab=published&stars=5"))
    assert set(re.findall(r"Review number (\d\d)", five)) == {"04", "09", "14", "19", "24"}
    mine = text(owner.get(f"/admin/reviews?tab=published&product={p['kantha']}"))
    assert set(int(n) % 2 for n in re.findall(r"Review number (\d\d)", mine)) == {1}
    # 13 reviews of the kantha quilt: ratings 2,4,1,3,5,... summed.
    total = sum(n % 5 + 1 for n in range(27) if n % 2)
    assert f"{total / 13:.1f} out of 5 from 13 published reviews" in mine


def test_the_admin_speaks_bengali(app, make_store, add_product, enable_plugin, store_client,
                                 tmp_path, monkeypatch):
    # The admin is shown in Bengali once it has a compiled Bengali catalogue.
    use_admin_catalogue(app, monkeypatch, tmp_path, "bn", {"Orders": "অর্ডার"})
    shop = make_store("rv-adm-bn", currency="BDT", country="BD", locale="bn",
                      bengali_digits=True)
    enable_plugin(shop, PLUGIN)
    product = add_product(shop, "kantha")
    for _n in range(12):
        add_review(app, shop, product)
    page = text(sign_in(store_client, shop).get("/admin/reviews"))
    assert _.gettext("Waiting", locale="bn") + " (১২)" in page
    assert _.gettext("Download all reviews (CSV)", locale="bn") in page


def test_the_dashboard_panel_counts_and_draws_the_trend(app, shops, store_plugins,
                                                       monkeypatch):
    a, b, p = shops
    monkeypatch.setattr(reviews_admin, "now", lambda: NOW)
    add_review(app, a, p["kantha"], created_at=NOW - timedelta(days=1))           # new, waiting
    add_review(app, a, p["kantha"], status="held", created_at=NOW - timedelta(days=30))
    for days, rating in ((2, 5), (3, 4), (20, 2), (60, 5)):  # the last is too old
        review_id = add_review(app, a, p["jamdani"], rating=rating, status="published",
                               created_at=NOW - timedelta(days=days))
        with app.app_context(), tenant_scope(a.id):
            db.session.get(Review, review_id).published_at = NOW - timedelta(days=days)
            db.session.commit()
    add_review(app, b, p["lamp"], created_at=NOW)  # another store's
    with app.app_context():
        info = store_plugins(a).info
        figures = reviews_admin.dashboard_figures(info)
        (panel,) = reviews_admin.haat_dashboard_panels(info)
    assert figures["new"] == 3 and figures["waiting"] == 2
    assert figures["trend"] == [None, None, None, None, None, 2.0, None, 4.5]
    assert panel.url == "/admin/reviews" and panel.title == "Reviews"
    html = str(panel.html)
    assert "3 new reviews in the last 7 days" in html
    assert "2 reviews wait for your approval" in html
    assert 'role="img"' in html and "4.5" in html and "<title>This week: 4.5</title>" in html


def test_the_dashboard_shows_the_panel_to_staff(app, shops, store_client):
    a, _b, p = shops
    add_review(app, a, p["kantha"], title="<script>x</script>")
    add_staff(app, a, "helper@rv-adm-a.example")
    page = text(sign_in(store_client, a, "helper@rv-adm-a.example").get("/admin/"))
    assert "1 review waits for your approval" in page
    assert 'href="/admin/reviews"' in page and 'class="reviews-trend"' in page
    assert "<script>x</script>" not in page


def test_the_menu_links_the_reviews_for_staff_too(app, shops, store_plugins):
    a, _b, _p = shops
    with app.app_context():
        (item,) = reviews_admin.haat_admin_menu(store_plugins(a).info)
    assert (item.url, item.owner_only) == ("/admin/reviews", False)


def test_every_admin_word_is_translated():
    mine = ("admin.py", "admin_csv.py", "admin_list.html", "admin_review.html",
            "admin_delete.html", "manage.po")
    missing = [u for u in untranslated("plugins.reviews")
               if u.where.split(":")[0].endswith(mine)]
    assert missing == []


def test_every_word_of_the_plugin_is_in_bengali_and_armenian():
    """Settings, storefront, forms, messages and admin: every catalogue of the plugin."""
    assert_translated("plugins.reviews")
