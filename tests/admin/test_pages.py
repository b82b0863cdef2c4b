"""The store's pages: list, create, edit (a new handle keeps the old address with a
301), delete with a confirmation, the standard policy drafts, the storefront footer,
owners only, CSRF, and store isolation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from admin_support import add_staff, html, sign_in
from core.db import db
from core.pages.models import Page
from tenants import tenant_scope

VALID = {"title": "Refund policy", "handle": "", "body": "Returns within 7 days.",
         "published": "y", "in_footer": "y", "position": "1"}


def pages_of(app, tenant) -> list[Page]:
    with app.app_context(), tenant_scope(tenant.id):
        rows = list(db.session.scalars(select(Page).order_by(Page.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def add_page(app, tenant, handle, **values) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        page = Page(handle=handle, title=values.pop("title", handle.title()),
                    body=values.pop("body", "Text."), **values)
        db.session.add(page)
        db.session.commit()
        return page.id


def footer_links(page: str) -> list[str]:
    footer = page.split('<footer class="site-footer">', 1)[1]
    return re.findall(r'<a href="/pages/([^"]+)">', footer)


def titles_listed(page: str) -> list[str]:
    return re.findall(r'/admin/pages/\d+">([^<]+)</a></td>', page)


def test_an_empty_list_offers_the_standard_pages(app, shops, store_client):
    page = html(sign_in(store_client, shops["a"]).get("/admin/pages"))
    assert "No pages yet." in page
    assert 'action="/admin/pages/standard"' in page and 'href="/admin/pages/new"' in page


def test_creating_a_page_puts_it_in_the_storefront_footer(app, shops, store_client):
    shopper = store_client("dhaka-shop")
    assert footer_links(html(shopper.get("/"))) == []  # cached now
    owner = sign_in(store_client, shops["a"])
    body = '<h2>Returns</h2><p onclick="x()">Within 7 days.</p><script>bad()</script>'
    created = owner.post("/admin/pages/new", data={**VALID, "body": body})
    assert created.status_code == 303
    [page] = pages_of(app, shops["a"])
    assert (page.title, page.handle, page.published, page.in_footer, page.position) == (
        "Refund policy", "refund-policy", True, True, 1)
    assert page.body == "<h2>Returns</h2><p>Within 7 days.</p>"  # sanitised with nh3
    assert created.location.endswith(f"/admin/pages/{page.id}")
    assert "Page “Refund policy” saved." in html(owner.get(created.location))
    home = html(shopper.get("/"))
    assert footer_links(home) == ["refund-policy"]
    shown = html(shopper.get("/pages/refund-policy"))
    assert "<h2>Returns</h2>" in shown and "bad()" not in shown


def test_plain_text_is_kept_as_typed_and_shown_as_paragraphs(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    owner.post("/admin/pages/new", data={**VALID, "title": "About us",
                                         "body": "We sell 2 < 3 things.\r\n\r\nSince 1990."})
    [page] = pages_of(app, shops["a"])
    assert page.body == "We sell 2 < 3 things.\n\nSince 1990."
    shown = html(store_client("dhaka-shop").get("/pages/about-us"))
    assert "<p>We sell 2 &lt; 3 things.</p>" in shown and "<p>Since 1990.</p>" in shown


def test_drafts_and_pages_left_out_of_the_footer(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    owner.post("/admin/pages/new", data={**VALID, "title": "Draft", "published": ""})
    owner.post("/admin/pages/new", data={**VALID, "title": "Hidden", "in_footer": ""})
    owner.post("/admin/pages/new", data={**VALID, "title": "Zeta", "position": "0"})
    shopper = store_client("dhaka-shop")
    assert footer_links(html(shopper.get("/"))) == ["zeta"]
    assert shopper.get("/pages/draft").status_code == 404
    assert shopper.get("/pages/hidden").status_code == 200
    listing = html(owner.get("/admin/pages"))
    assert titles_listed(listing) == ["Zeta", "Draft", "Hidden"]  # by position, then title
    assert 'data-published="0"' in listing and "Not linked" in listing


def test_a_position_in_bengali_digits_is_the_same_position(app, shops, store_client):
    owner = sign_in(store_client, shops["a"])
    assert owner.post("/admin/pages/new", data={**VALID, "position": "১২"}).status_code == 303
    assert [p.position for p in pages_of(app, shops["a"])] == [12]


def test_a_new_handle_keeps_the_old_address_with_a_301(app, shops, store_client):
    page_id = add_page(app, shops["a"], "returns", title="Returns")
    shopper = store_client("dhaka-shop")
    assert shopper.get("/pages/returns").status_code == 200
    owner = sign_in(store_client, shops["a"])
    form = html(owner.get(f"/admin/pages/{page_id}"))
    assert 'value="returns"' in form and 'value="Returns"' in form
    saved = owner.post(f"/admin/pages/{page_id}", data={
        **VALID, "title": "Returns", "handle": "Refund-Policy"})
    assert saved.status_code == 303
    assert pages_of(app, shops["a"])[0].handle == "refund-policy"
    moved = shopper.get("/pages/returns?from=email")
    assert moved.status_code == 301
    assert moved.location.endswith("/pages/refund-policy?from=email")
    assert shopper.get("/pages/refund-policy").status_code == 200


def test_a_handle_is_unique_in_the_store(app, shops, store_client):
    add_page(app, shops["a"], "refund-policy")
    other = add_page(app, shops["a"], "about")
    add_page(app, shops["b"], "contact")
    owner = sign_in(store_client, shops["a"])
    taken = owner.post(f"/admin/pages/{other}", data={**VALID, "handle": "refund-policy"})
    assert taken.status_code == 422
    assert "Another page uses this handle." in html(taken)
    # An empty handle is made from the title and made unique; B's handles do not count.
    owner.post("/admin/pages/new", data=VALID)
    owner.post("/admin/pages/new", data={**VALID, "title": "Contact"})
    assert [p.handle for p in pages_of(app, shops["a"])] == [
        "refund-policy", "about", "refund-policy-2", "contact"]


BAD_INPUT = [
    ({"title": "  "}, "title", "Enter a title"),
    ({"title": "x" * 201}, "title", "Use at most 200 characters."),
    ({"handle": "refund policy"}, "handle", "Use lower-case letters, digits and single"),
    ({"handle": "a" * 121}, "handle", "Use at most 120 characters."),
    ({"position": "first"}, "position", "Enter a whole number from 0 to 9,999."),
    ({"position": "-1"}, "position", "Enter a whole number from 0 to 9,999."),
    # "²".isdigit() is true but int() refuses it (it was a 500).
    ({"position": "²"}, "position", "Enter a whole number from 0 to 9,999."),
    ({"body": "x" * 100_001}, "body", "Use at most 100,000 characters."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_explained_next_to_its_field_and_kept(
        app, shops, store_client, changes, field, message):
    owner = sign_in(store_client, shops["a"])
    typed = {**VALID, "title": "Typed title", "body": "Typed body", **changes}
    response = owner.post("/admin/pages/new", data=typed)
    page = html(response)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error" role="alert">([^<]*)</p>', page)
    assert error and error.group(1).startswith(message), page
    assert "Nothing was saved." in page
    if field in ("handle", "position"):
        assert f'value="{typed[field].strip()}"' in page
    if field != "title":
        assert 'value="Typed title"' in page
    if field != "body":
        assert "Typed body</textarea>" in page
    assert pages_of(app, shops["a"]) == []


def test_standard_policy_pages_are_added_once_as_drafts(app, shops, store_client):
    add_page(app, shops["a"], "privacy-policy", title="Our privacy", position=4)
    owner = sign_in(store_client, shops["a"])
    added = owner.post("/admin/pages/standard")
    assert added.status_code == 303
    pages = pages_of(app, shops["a"])
    assert [(p.handle, p.published, p.position) for p in pages] == [
        ("privacy-policy", True, 4), ("refund-policy", False, 5),
        ("terms-of-service", False, 6), ("shipping-policy", False, 7)]
    assert pages[0].title == "Our privacy"  # the merchant's own page is left alone
    assert all(len(p.body) > 200 for p in pages[1:])
    listing = html(owner.get("/admin/pages"))
    assert "Added 3 drafts: Refund policy, Terms of service, Shipping policy." in listing
    assert footer_links(html(store_client("dhaka-shop").get("/"))) == ["privacy-policy"]
    again = owner.post("/admin/pages/standard")
    assert "already have all the standard policy pages" in html(owner.get(again.location))
    assert len(pages_of(app, shops["a"])) == 4


def test_deleting_asks_first(app, shops, store_client):
    page_id = add_page(app, shops["a"], "about", title="About us", published=True)
    owner = sign_in(store_client, shops["a"])
    confirm = html(owner.get(f"/admin/pages/{page_id}/delete"))
    assert "Delete the page “About us”?" in confirm
    assert len(pages_of(app, shops["a"])) == 1
    deleted = owner.post(f"/admin/pages/{page_id}/delete")
    assert deleted.status_code == 303
    assert "Page “About us” deleted." in html(owner.get(deleted.location))
    assert pages_of(app, shops["a"]) == []
    assert store_client("dhaka-shop").get("/pages/about").status_code == 404
    assert owner.get(f"/admin/pages/{page_id}").status_code == 404


def test_fifty_pages_to_a_screen_in_two_queries(app, shops, store_client, count_queries):
    with app.app_context(), tenant_scope(shops["a"].id):
        db.session.add_all(Page(handle=f"page-{n:02}", title=f"Page {n:02}", position=n)
                           for n in range(55))
        db.session.commit()
    owner = sign_in(store_client, shops["a"])
    owner.get("/admin/pages")  # warm up per-process caches
    with count_queries() as statements:
        first = html(owner.get("/admin/pages"))
    assert len(titles_listed(first)) == 50 and titles_listed(first)[0] == "Page 00"
    page_queries = [s for s in statements if "pages" in s]
    assert len(page_queries) == 2, page_queries  # the count and one page of rows
    second = html(owner.get("/admin/pages?page=2"))
    assert titles_listed(second) == [f"Page {n}" for n in range(50, 55)]


def test_only_the_owner_manages_pages(app, shops, store_client):
    page_id = add_page(app, shops["a"], "about")
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    staff = sign_in(store_client, shops["a"], "helper@dhaka-shop.example")
    for path in ("/admin/pages", "/admin/pages/new", f"/admin/pages/{page_id}",
                 f"/admin/pages/{page_id}/delete"):
        assert staff.get(path).status_code == 403, path
    for path in ("/admin/pages/new", f"/admin/pages/{page_id}"):
        assert staff.post(path, data=VALID).status_code == 403
    assert staff.post(f"/admin/pages/{page_id}/delete").status_code == 403
    assert staff.post("/admin/pages/standard").status_code == 403
    assert [p.handle for p in pages_of(app, shops["a"])] == ["about"]


def test_every_form_needs_its_csrf_token(app, shops, store_client):
    page_id = add_page(app, shops["a"], "about")
    owner = sign_in(store_client, shops["a"])
    for path in ("/admin/pages", f"/admin/pages/{page_id}", f"/admin/pages/{page_id}/delete"):
        page = html(owner.get(path))
        assert page.count('name="csrf_token"') >= page.count('method="post"') > 1, path
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [owner.post("/admin/pages/new", data=VALID),
                 owner.post(f"/admin/pages/{page_id}", data={**VALID, "handle": "x"}),
                 owner.post(f"/admin/pages/{page_id}/delete"),
                 owner.post("/admin/pages/standard")]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [p.status_code for p in posts] == [400, 400, 400, 400]
    assert [p.handle for p in pages_of(app, shops["a"])] == ["about"]


def test_store_a_cannot_see_or_touch_store_b_pages(app, shops, store_client):
    theirs = add_page(app, shops["b"], "b-secret", title="B secret")
    add_page(app, shops["a"], "a-own", title="A own")
    owner = sign_in(store_client, shops["a"])
    assert titles_listed(html(owner.get("/admin/pages"))) == ["A own"]
    for path in (f"/admin/pages/{theirs}", f"/admin/pages/{theirs}/delete"):
        assert owner.get(path).status_code == 404
    assert owner.post(f"/admin/pages/{theirs}", data={**VALID, "title": "Hijacked"}
                      ).status_code == 404
    assert owner.post(f"/admin/pages/{theirs}/delete").status_code == 404
    [page] = pages_of(app, shops["b"])
    assert (page.handle, page.title) == ("b-secret", "B secret")
