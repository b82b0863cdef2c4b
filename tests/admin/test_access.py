"""Who may open what in the admin: roles, stores, CSRF, and the account pages
(forgotten password, reset links, changing a password, signing out everywhere).

The role and store tests walk the app's URL map, so admin pages added later are
covered without touching this file (a new kind of URL argument has to be taught to
``ARGUMENT_KINDS`` below, and the test says so).
"""

from __future__ import annotations

import re

import itsdangerous.timed
import pytest
from sqlalchemy import select

from admin_support import add_staff, html, insert_orders, sign_in
from conftest import PASSWORD, client_for, read_outbox
from core.catalog.imports import ProductImport
from core.catalog.models import Collection, Product, StagedImage
from core.customers.models import Customer
from core.db import db
from core.discounts.models import Discount
from core.messaging.models import Message
from core.pages.models import Page
from core.pluginhost.state import set_enabled
from core.staff.models import StaffUser
from plugins.reviews.models import Review, ReviewReport
from tenants import Domain, Tenant, platform_scope, tenant_scope

#: Admin blueprints only owners may use.
OWNER_ONLY = ("admin_settings", "admin_messages", "admin_domains", "admin_pages", "admin_theme",
              "admin_staff", "admin_plugins", "admin_plugin_data")
#: URL argument name -> which seeded row of a store fills it.
ARGUMENT_KINDS = {
    "product_id": "product", "variant_id": "variant", "image_id": "image",
    "collection_id": "collection", "order_id": "order", "customer_id": "customer",
    "discount_id": "discount", "page_id": "page", "domain_id": "domain",
    "user_id": "staff", "staff_id": "staff", "member_id": "staff", "import_id": "import",
    "name": "plugin", "handle": "handle", "event": "message_event",
    "channel": "message_channel", "message_id": "message", "staged_id": "staged",
    "review_id": "review", "report_id": "review_report",
}
#: Arguments not filled from the other store's rows, and why.
SKIPPED_ARGUMENTS = {
    # Emailed links: a signed token, not a row id. Another store's real tokens are
    # tried in test_a_reset_link_of_one_store_does_not_work_on_another and in
    # test_staff.py::test_an_invitation_link_only_works_on_its_own_store.
    "token": "signed link token",
}
#: Arguments that name something every store has (not a row): the page shows A's own.
SHARED_ARGUMENTS = {"name", "event", "channel"}
#: POSTs that end the signed-in session itself (no row of any store is involved);
#: they are exercised in the account tests below.
SESSION_ENDING = {"admin.logout", "admin_account.sign_out_everywhere"}
PLUGIN = "announcement-bar"


# ----------------------------------------------------------------------- helpers


def link_in(message, host: str, kind: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"http://{re.escape(host)}(/admin/{kind}/[\w.\-]+)", text)
    assert found, text
    return found.group(1)


def seed(app, add_product, tenant: Tenant, mark: str) -> dict[str, object]:
    """One row of each kind the admin edits, each carrying ``mark``; kind -> id."""
    product_id = add_product(tenant, f"{mark}-lamp", title=f"{mark} lamp",
                             variants=[("Small", 1000, 3)], image=True,
                             collection=f"{mark}-collection")
    with app.app_context(), tenant_scope(tenant.id):
        product = db.session.get(Product, product_id)
        customer = Customer(key=f"{mark}@buyer.example", email=f"{mark}@buyer.example",
                            name=f"{mark} buyer")
        rows = {
            "customer": customer,
            "discount": Discount(code=f"{mark.upper()}10", kind="percentage", value=1000),
            "page": Page(handle=f"{mark}-policy", title=f"{mark} policy", body=f"{mark} rules"),
            "domain": Domain(hostname=f"{mark}.{tenant.slug}.example"),
            "staff": StaffUser(email=f"{mark}-staff@{tenant.slug}.example", role="staff",
                               password_hash="not-a-hash"),
            "import": ProductImport(filename=f"{mark}.csv", storage_key=f"imports/{mark}.csv"),
            # A photo chosen in the product editor, not saved with a product yet.
            "staged": StagedImage(storage_key=f"products/{mark}-staged.jpg", name=f"{mark}.jpg"),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids: dict[str, object] = {kind: row.id for kind, row in rows.items()}
        ids.update(product=product_id, variant=product.variants[0].id,
                   image=product.images[0].id, handle=product.handle, plugin=PLUGIN,
                   message_event="order_placed", message_channel="sms",
                   collection=db.session.scalar(select(Collection.id)))
    ids["order"] = insert_orders(app, tenant, 1, email=f"{mark}@buyer.example",
                                 customer_id=ids["customer"],
                                 shipping_address={"name": f"{mark} buyer"})[0]
    with app.app_context(), tenant_scope(tenant.id):
        message = Message(key=f"{mark}-message", event="order_placed", channel="email",
                          recipient=f"{mark}@buyer.example", customer_id=ids["customer"],
                          order_id=ids["order"], status="failed", body=f"{mark} text")
        db.session.add(message)
        db.session.commit()
        ids["message"] = message.id
    # The reviews plugin's pages live under /admin too: its rows, with the plugin on.
    with app.app_context():
        set_enabled(tenant.id, "reviews", True)
        db.session.commit()
        with tenant_scope(tenant.id):
            review = Review(product_id=product_id, rating=2, title=f"{mark} review",
                            body=f"{mark} says so", author_name=f"{mark} buyer",
                            status="pending")
            db.session.add(review)
            db.session.flush()
            report = ReviewReport(review_id=review.id, reason="spam", note=f"{mark} report",
                                  reporter_hash="0" * 64)
            db.session.add(report)
            db.session.commit()
            ids.update(review=review.id, review_report=report.id)
    return ids


def admin_rules(app, blueprints: tuple[str, ...] | None = None) -> list:
    """Every store URL rule under /admin (optionally of some blueprints), sorted."""
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/admin")
             and (blueprints is None or rule.endpoint.rpartition(".")[0] in blueprints)]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def fill(rule, ids: dict[str, object]) -> str | None:
    """``rule`` with its arguments filled from ``ids`` (None: skipped on purpose)."""
    unknown = rule.arguments - ARGUMENT_KINDS.keys() - SKIPPED_ARGUMENTS.keys()
    assert not unknown, (f"{rule.rule}: teach ARGUMENT_KINDS in {__file__} which row fills "
                         f"{sorted(unknown)}, or add them to SKIPPED_ARGUMENTS with a reason")
    if rule.arguments & SKIPPED_ARGUMENTS.keys():
        return None
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>",
                  lambda m: str(ids[ARGUMENT_KINDS[m.group(1)]]), rule.rule)


def methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def snapshot(app, tenant: Tenant) -> dict[str, list]:
    """Every row of every store table that belongs to ``tenant``, and its tenant row."""
    tables: dict[str, list] = {}
    with app.app_context(), platform_scope():
        for table in db.metadata.sorted_tables:
            if table.name == "tenants":
                query = select(table).where(table.c.id == tenant.id)
            elif "tenant_id" in table.c:
                query = select(table).where(table.c.tenant_id == tenant.id)
            else:
                continue
            tables[table.name] = sorted(map(repr, db.session.execute(query).all()))
    return tables


#: Fields a form might take another store's rows through.
def post_data(ids: dict[str, object]) -> dict[str, str]:
    data = {f"{kind}_id": str(value) for kind, value in ids.items()}
    data.update(product_ids=str(ids["product"]), collections=str(ids["collection"]),
                role="owner", active="1", confirm="y", understand="y", note="hi",
                title="Changed", email="changed@example.com")
    return data


# -------------------------------------------------------------------------- roles


@pytest.fixture
def stores(app, make_store, add_product):
    a = make_store("alpha-shop")
    b = make_store("beta-shop")
    add_staff(app, a, "packer@alpha-shop.example")
    return {"a": a, "b": b, "a_ids": seed(app, add_product, a, "alpaca"),
            "b_ids": seed(app, add_product, b, "zebra")}


def test_staff_get_403_on_every_owner_only_page(app, stores, store_client):
    rules = admin_rules(app, OWNER_ONLY)
    endpoints = {rule.endpoint for rule in rules}
    assert {"admin_theme.index", "admin_plugins.index", "admin_plugins.settings",
            "admin_plugin_data.delete",
            "admin_staff.index", "admin_staff.invite", "admin_staff.remove"} <= endpoints
    staff = sign_in(store_client, stores["a"], "packer@alpha-shop.example")
    owner = sign_in(store_client, stores["a"])
    before = snapshot(app, stores["a"])
    checked = 0
    for rule in rules:
        url = fill(rule, stores["a_ids"])
        assert url is not None, rule.rule
        for method in methods(rule):
            data = post_data(stores["a_ids"]) if method == "POST" else None
            response = staff.open(url, method=method, data=data)
            assert response.status_code == 403, (method, url, response.status_code)
            checked += 1
        if "GET" in rule.methods and not rule.arguments:
            assert owner.get(url).status_code == 200, url  # the page exists for owners
    assert checked >= 10
    assert snapshot(app, stores["a"]) == before


def test_staff_can_run_the_catalogue_and_orders(app, stores, store_client):
    staff = sign_in(store_client, stores["a"], "packer@alpha-shop.example")
    ids = stores["a_ids"]
    pages = {"admin_orders.index": ("/admin/orders", "alpaca@buyer.example"),
             "admin_orders.detail": (f"/admin/orders/{ids['order']}", "alpaca@buyer.example"),
             "admin_customers.index": ("/admin/customers", "alpaca buyer"),
             "admin_customers.detail": (f"/admin/customers/{ids['customer']}", "alpaca buyer"),
             "admin_discounts.index": ("/admin/discounts", "ALPACA10"),
             "admin_discounts.edit": (f"/admin/discounts/{ids['discount']}", "ALPACA10"),
             "admin_products.index": ("/admin/products", "alpaca lamp"),
             "admin_products.edit": (f"/admin/products/{ids['product']}", "alpaca lamp"),
             "admin_collections.index": ("/admin/collections", "Alpaca-Collection")}
    served = set(app.view_functions)
    assert {"admin_orders.index", "admin_customers.index", "admin_discounts.index"} <= served
    for endpoint, (url, shown) in pages.items():
        if endpoint not in served:  # written by another part of the admin
            continue
        response = staff.get(url)
        assert response.status_code == 200, url
        assert shown.lower() in html(response).lower(), url


# ---------------------------------------------------------------------- stores


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_nobody_of_store_a_reaches_store_b_data_through_any_admin_url(
        app, stores, store_client, who):
    client = sign_in(store_client, stores["a"],
                     "packer@alpha-shop.example" if who == "staff" else None)
    b_ids, b_before = stores["b_ids"], snapshot(app, stores["b"])
    covered = set()
    for rule in admin_rules(app):
        url = fill(rule, b_ids)
        if url is None or rule.endpoint in SESSION_ENDING:
            continue
        for method in methods(rule):
            data = post_data(b_ids) if method == "POST" else None
            response = client.open(url, method=method, data=data)
            body = html(response).lower() + response.headers.get("Location", "")
            assert response.status_code < 500, (method, url)
            assert "zebra" not in body, (method, url)
            if rule.arguments - SHARED_ARGUMENTS and method == "GET":
                assert response.status_code in (403, 404), (method, url, response.status_code)
            covered.add(rule.endpoint)
    assert {"admin_orders.detail", "admin_customers.detail", "admin_discounts.edit",
            "admin_staff.remove", "admin_staff.change_role", "admin_plugins.settings"} <= covered
    assert snapshot(app, stores["b"]) == b_before
    # Still signed in to A throughout: the loop really ran as A's staff.
    assert client.get("/admin/account").status_code == 200


# ------------------------------------------------------------------------ CSRF


def test_every_admin_post_without_a_csrf_token_is_refused_and_changes_nothing(
        app, stores, store_client, monkeypatch):
    owner = sign_in(store_client, stores["a"])
    before = snapshot(app, stores["a"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    posts = 0
    for rule in admin_rules(app):
        url = fill(rule, stores["a_ids"])
        if url is None or "POST" not in rule.methods:
            continue
        response = owner.post(url, data=post_data(stores["a_ids"]))
        assert response.status_code == 400, (url, response.status_code)
        posts += 1
    # The emailed-link forms take a token in the path: refused too.
    for url in ("/admin/reset/whatever", "/admin/invite/whatever", "/admin/forgot"):
        assert owner.post(url, data={"email": "owner@alpha-shop.example"}).status_code == 400
    assert posts >= 20
    assert snapshot(app, stores["a"]) == before
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert owner.get("/admin/account").status_code == 200  # session untouched


# ---------------------------------------------------------- forgotten passwords


@pytest.fixture
def two_shops(make_store):
    return make_store("alpha-shop"), make_store("beta-shop")


def ask_for_reset(client, address: str):
    return client.post("/admin/forgot", data={"email": address})


def test_the_login_page_links_to_forgot_password(app, two_shops):
    page = html(client_for(app, "alpha-shop.localhost").get("/admin/login"))
    assert 'href="/admin/forgot"' in page


def test_forgot_password_answers_alike_whether_or_not_the_account_exists(
        app, two_shops, outbox):
    client = client_for(app, "alpha-shop.localhost")
    known = ask_for_reset(client, " Owner@Alpha-Shop.example ")
    unknown = ask_for_reset(client, "nobody@alpha-shop.example")
    other_store = ask_for_reset(client, "owner@beta-shop.example")
    assert known.status_code == unknown.status_code == other_store.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/admin/login"
    assert "If an account exists for that email, we sent a link" in html(client.get("/admin/login"))
    sent = read_outbox(outbox)
    assert [m["To"] for m in sent] == ["owner@alpha-shop.example"]
    assert "Reset your password for Alpha Shop" in sent[0]["Subject"]
    html_part = sent[0].get_body(preferencelist=("html",)).get_content()
    assert link_in(sent[0], "alpha-shop.localhost", "reset") in html_part


def test_a_bad_email_is_explained_next_to_the_field(app, two_shops, outbox):
    response = ask_for_reset(client_for(app, "alpha-shop.localhost"), "not an email")
    assert response.status_code == 422
    assert "That does not look like an email address." in html(response)
    assert 'value="not an email"' in html(response)
    assert read_outbox(outbox) == []


def test_resetting_sets_the_password_signs_in_and_ends_other_sessions(
        app, two_shops, outbox, store_client):
    a, _b = two_shops
    other_browser = sign_in(store_client, a)
    client = client_for(app, "alpha-shop.localhost")
    ask_for_reset(client, "owner@alpha-shop.example")
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "reset")
    page = client.get(link)
    assert page.status_code == 200
    assert "owner@alpha-shop.example" in html(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"

    problems = {("short-one", "short-one"): "Use at least 10 characters.",
                ("a-long-new-password", "a-different-one!"): "The two passwords are not the same.",
                ("owner@alpha-shop.example",) * 2: "Your password cannot be your email address.",
                ("x" * 201,) * 2: "Use at most 200 characters."}
    for (password, confirm), message in problems.items():
        refused = client.post(link, data={"password": password, "confirm": confirm})
        assert refused.status_code == 422
        assert message in html(refused)
    done = client.post(link, data={"password": "a-long-new-password",
                                   "confirm": "a-long-new-password"})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/"
    assert "owner@alpha-shop.example" in html(client.get("/admin/account"))
    assert other_browser.get("/admin/").status_code == 302  # signed out there
    # The old password is gone, the new one works, and the link is spent.
    fresh = client_for(app, "alpha-shop.localhost")
    assert fresh.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                            "password": PASSWORD}).status_code == 422
    assert fresh.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                            "password": "a-long-new-password"}).status_code == 303
    again = client_for(app, "alpha-shop.localhost").get(link)
    assert again.status_code == 404
    assert "This link does not work any more" in html(again)


def test_using_one_reset_link_spends_the_others(app, two_shops, outbox, monkeypatch):
    client = client_for(app, "alpha-shop.localhost")
    ask_for_reset(client, "owner@alpha-shop.example")
    now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: now(self) + 60)  # asked again a minute later
    ask_for_reset(client, "owner@alpha-shop.example")
    first, second = (link_in(m, "alpha-shop.localhost", "reset") for m in read_outbox(outbox))
    assert first != second
    assert client.get(first).status_code == client.get(second).status_code == 200
    client.post(second, data={"password": "a-long-new-password",
                              "confirm": "a-long-new-password"})
    assert client_for(app, "alpha-shop.localhost").get(first).status_code == 404


def test_a_reset_link_expires_after_an_hour(app, two_shops, outbox, monkeypatch):
    client = client_for(app, "alpha-shop.localhost")
    ask_for_reset(client, "owner@alpha-shop.example")
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "reset")
    now = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: now(self) + 59 * 60)
    assert client.get(link).status_code == 200
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: now(self) + 61 * 60)
    assert client.get(link).status_code == 404
    refused = client.post(link, data={"password": "a-long-new-password",
                                      "confirm": "a-long-new-password"})
    assert refused.status_code == 404
    assert client.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                             "password": PASSWORD}).status_code == 303


def test_a_reset_link_of_one_store_does_not_work_on_another(app, two_shops, outbox):
    ask_for_reset(client_for(app, "alpha-shop.localhost"), "owner@alpha-shop.example")
    link = link_in(read_outbox(outbox)[0], "alpha-shop.localhost", "reset")
    beta = client_for(app, "beta-shop.localhost")
    assert beta.get(link).status_code == 404
    assert beta.post(link, data={"password": "a-long-new-password",
                                 "confirm": "a-long-new-password"}).status_code == 404
    assert beta.get("/admin/").status_code == 302
    # Nor is a tampered token accepted anywhere.
    alpha = client_for(app, "alpha-shop.localhost")
    assert alpha.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")).status_code == 404


def test_forgot_password_is_rate_limited_per_store_and_address(
        app, two_shops, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_FORGOT", "2 per minute")
    client = client_for(app, "alpha-shop.localhost")
    codes = [ask_for_reset(client, "owner@alpha-shop.example").status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert len(read_outbox(outbox)) == 2
    assert client.get("/admin/forgot").status_code == 200  # only asking is limited
    beta = client_for(app, "beta-shop.localhost")
    assert ask_for_reset(beta, "owner@beta-shop.example").status_code == 303


# ----------------------------------------------------------------- own account


def test_the_account_page_shows_who_you_are(app, stores, store_client):
    staff = sign_in(store_client, stores["a"], "packer@alpha-shop.example")
    page = html(staff.get("/admin/account"))
    assert "packer@alpha-shop.example" in page
    assert 'data-role="staff"' in page
    assert client_for(app, "alpha-shop.localhost").get("/admin/account").status_code == 302


def test_changing_your_password_keeps_you_in_and_signs_out_other_devices(
        app, two_shops, store_client):
    a, _b = two_shops
    here = sign_in(store_client, a)
    elsewhere = sign_in(store_client, a)
    wrong = here.post("/admin/account/password", data={
        "current": "not-my-password", "password": "a-long-new-password",
        "confirm": "a-long-new-password"})
    assert wrong.status_code == 422
    assert "That is not your current password." in html(wrong)
    short = here.post("/admin/account/password", data={
        "current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in html(short)
    done = here.post("/admin/account/password", data={
        "current": PASSWORD, "password": "a-long-new-password",
        "confirm": "a-long-new-password"})
    assert done.status_code == 303
    assert here.get("/admin/account").status_code == 200
    assert elsewhere.get("/admin/account").status_code == 302
    fresh = client_for(app, "alpha-shop.localhost")
    assert fresh.post("/admin/login", data={"email": "owner@alpha-shop.example",
                                            "password": "a-long-new-password"}).status_code == 303


def test_sign_out_everywhere_ends_every_session(app, two_shops, store_client):
    a, _b = two_shops
    here = sign_in(store_client, a)
    elsewhere = sign_in(store_client, a)
    response = here.post("/admin/account/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert here.get("/admin/").status_code == 302
    assert elsewhere.get("/admin/").status_code == 302
    assert sign_in(store_client, a).get("/admin/").status_code == 200  # password still works
