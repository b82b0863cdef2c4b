"""The dashboard at /admin: sales, orders and average order value for today, 7 and 30
days in the store's time zone, compared with the period before; best sellers; low
stock; recent orders; the 30-day chart; the empty state of a new store; a fixed number
of queries; and nothing of another store.

Orders are written straight to the database at known instants and the dashboard's
clock is pinned (``dashboard_queries.now``), so every figure is known in advance.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from admin_support import add_staff, html, insert_orders, sign_in
from core.admin import dashboard_queries
from core.admin.charts import nice_ceiling
from core.db import db
from core.orders.models import Order, OrderLine
from core.orders.numbering import next_order_number
from tenants import Tenant, platform_scope, tenant_scope
from tenants.resolution import invalidate_all

DHAKA = ZoneInfo("Asia/Dhaka")  # UTC+6 all year
#: The pinned "now": 10:00 on 15 March 2025 in Dhaka (04:00 UTC).
NOW = datetime(2025, 3, 15, 10, 0, tzinfo=DHAKA)


@pytest.fixture
def pinned(monkeypatch):
    """Pin the dashboard's clock to ``NOW`` (tests may change it with ``pinned(at)``)."""

    def pin(at: datetime = NOW) -> None:
        monkeypatch.setattr(dashboard_queries, "now", lambda: at.astimezone(UTC))

    pin()
    return pin


def set_zone(app, tenant, name: str) -> None:
    with app.app_context(), platform_scope():
        db.session.get(Tenant, tenant.id).timezone = name
        db.session.commit()
    invalidate_all()


def local(day_offset: int, hour: int, minute: int = 0, zone=DHAKA, today=NOW) -> datetime:
    """An instant ``day_offset`` days from the pinned day at ``hour:minute`` local time."""
    day = today.date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def add_order(app, tenant, at: datetime, total: int, *, lines=(), **fields) -> int:
    """One order placed at ``at`` for ``total``; ``lines`` are (product_id, title, qty, sum)."""
    with app.app_context(), tenant_scope(tenant.id):
        order = Order(number=next_order_number(), token=secrets.token_urlsafe(24),
                      idempotency_key=secrets.token_hex(16), currency=tenant.currency,
                      email="buyer@example.com", payment_method="manual",
                      subtotal=total, total=total, created_at=at, **fields)
        for product_id, title, quantity, line_total in lines or [(None, "Thing", 1, total)]:
            order.lines.append(OrderLine(product_id=product_id, title=title, quantity=quantity,
                                         unit_price=line_total // quantity,
                                         line_total=line_total))
        db.session.add(order)
        db.session.commit()
        return order.id


def period(page: str, key: str) -> dict[str, str]:
    """The figures of one period box: ``{"sales": "BDT90.00", "orders": "4", ...}``."""
    box = re.search(rf'id="period-{key}".*?</section>', page, re.S)
    assert box, key
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', box.group(0)))
    figures["changes"] = re.findall(r'class="delta[^"]*">([^<]*)</span>', box.group(0))
    return figures


def money(amount: int) -> str:
    """An amount as the dashboard writes BDT in English (minor units in): BDT1,500.00."""
    return f"BDT{amount / 100:,.2f}"


def bars(page: str) -> list[tuple[str, int]]:
    return [(day, int(amount)) for day, amount in
            re.findall(r'<rect class="chart-bar"[^>]*data-day="([\d-]+)" data-amount="(\d+)"',
                       page)]


# ----------------------------------------------------------------------- access


def test_signed_out_visitors_are_sent_to_sign_in(app, shops, store_client):
    response = store_client("dhaka-shop").get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.location


def test_staff_see_the_dashboard_too(app, shops, store_client, pinned):
    add_order(app, shops["a"], local(0, 9), 150_000)
    add_staff(app, shops["a"], "helper@dhaka-shop.example")
    page = html(sign_in(store_client, shops["a"], "helper@dhaka-shop.example").get("/admin/"))
    assert period(page, "today")["sales"] == money(150_000)


# ----------------------------------------------------------------- empty state


def test_a_new_store_is_told_what_to_do_next(app, make_store, store_client):
    store = make_store("new-shop", currency="BDT", open=False)  # as from the sign-up page
    response = sign_in(store_client, store).get("/admin/")
    page = html(response)
    assert response.status_code == 200
    assert "Get your store ready" in page and "0 of 6 done" in page
    assert steps(page) == {key: "no" for key in STEPS}
    assert "Add products" in page and "Set up delivery" in page and "Set up payments" in page
    for link in ("/admin/products", "/admin/shipping", "/admin/payments", "/admin/theme",
                 "/admin/settings/domains", "/admin/settings/status"):
        assert f'href="{link}"' in page, link
    assert "No orders yet" in page
    assert "<svg" not in page and 'id="period-today"' not in page
    assert "ways to pay" not in page  # no payment plugin switched on yet
    # Not open yet: a "Coming soon" badge, and no link to share (it shows the
    # coming-soon page) until the store opens.
    assert 'id="store-coming-soon"' in page and "Share your store link" not in page
    opened = make_store("open-shop", currency="BDT")
    page = html(sign_in(store_client, opened).get("/admin/"))
    assert "Share your store link" in page and "http://open-shop.localhost/" in page
    assert 'id="store-coming-soon"' not in page


def test_the_getting_started_list_marks_payments_done_once_a_way_to_pay_is_on(
        app, shops, store_client):
    """The shops fixture switches on the in-test ways to pay (manual, wallet, card)."""
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    assert "Done: 3 ways to pay" in page


# ---------------------------------------------------------------- getting started

STEPS = ("products", "shipping", "payments", "theme", "domain", "open")


def steps(page: str) -> dict[str, str]:
    """The getting-started list: ``{"products": "yes", "shipping": "no", ...}``."""
    return dict(re.findall(r'data-step="(\w+)" data-done="(yes|no)"', page))


def test_each_step_is_done_from_the_store_s_own_data(
        app, make_store, add_product, install_plugin, enable_plugin, gateways, store_client):
    from checkout_support import payment_plugin, shipping_plugin
    from core.theming.service import save_theme_values
    from tenants.provisioning import add_domain

    install_plugin(shipping_plugin())
    install_plugin(payment_plugin(*gateways.values()))
    store = make_store("new-shop", currency="BDT", open=False)
    owner = sign_in(store_client, store)

    def done() -> list[str]:
        return [key for key, state in steps(html(owner.get("/admin/"))).items()
                if state == "yes"]

    add_product(store, "kantha", title="Kantha")
    assert done() == ["products"]
    enable_plugin(store, "test-courier")
    assert done() == ["products", "shipping"]
    enable_plugin(store, "test-pay")
    assert done() == ["products", "shipping", "payments"]
    with app.app_context(), tenant_scope(store.id):
        save_theme_values("default", {"accent": "#aa3300"})
        db.session.commit()
    assert done() == ["products", "shipping", "payments", "theme"]
    with app.app_context():
        add_domain(store, "shop.example.com")
        db.session.commit()
    page = html(owner.get("/admin/"))
    assert steps(page)["domain"] == "yes" and "Added: create its DNS record" in page
    assert "5 of 6 done" in page
    # Opening the store is the last step: then the list has done its work and goes.
    owner.post("/admin/settings/status/open", data={"open": "1"})
    page = html(owner.get("/admin/"))
    assert steps(page) == {} and "Get your store ready" not in page
    assert 'id="store-coming-soon"' not in page


def test_choosing_another_theme_counts_as_done(app, make_store, store_client):
    from core.theming.service import choose_theme

    store = make_store("new-shop", open=False)
    with app.app_context(), tenant_scope(store.id):
        choose_theme("bazaar")
        db.session.commit()
    assert steps(html(sign_in(store_client, store).get("/admin/")))["theme"] == "yes"


def test_staff_see_the_list_but_the_owner_s_steps_are_the_owner_s(
        app, make_store, store_client):
    store = make_store("new-shop", open=False)
    add_staff(app, store, "helper@new-shop.example")
    page = html(sign_in(store_client, store, "helper@new-shop.example").get("/admin/"))
    assert len(steps(page)) == 6
    assert 'href="/admin/products"' in page  # staff add products too
    assert 'href="/admin/settings/status"' not in page
    assert page.count("The store owner does this.") == 5
    assert "Hide this list" not in page


def test_the_owner_may_hide_the_list_and_show_it_again(app, make_store, store_client):
    store = make_store("new-shop", open=False)
    owner = sign_in(store_client, store)
    hidden = owner.post("/admin/setup-list", data={"hidden": "1"}, follow_redirects=True)
    page = html(hidden)
    assert steps(page) == {} and "Show the getting-started list" in page
    shown = html(owner.post("/admin/setup-list", data={"hidden": "0"}, follow_redirects=True))
    assert len(steps(shown)) == 6 and "Hide this list" in shown
    add_staff(app, store, "helper@new-shop.example")
    helper = sign_in(store_client, store, "helper@new-shop.example")
    assert helper.post("/admin/setup-list", data={"hidden": "1"}).status_code == 403
    assert len(steps(html(owner.get("/admin/")))) == 6


def test_another_store_s_data_never_ticks_a_step(app, make_store, add_product, store_client):
    from tenants.provisioning import add_domain

    mine = make_store("new-shop", open=False)
    theirs = make_store("other-shop")
    add_product(theirs, "lamp")
    with app.app_context():
        add_domain(theirs, "lamps.example.com")
        db.session.commit()
    owner = sign_in(store_client, mine)
    assert steps(html(owner.get("/admin/"))) == {key: "no" for key in STEPS}
    # ... nor does hiding one store's list hide another's.
    owner.post("/admin/setup-list", data={"hidden": "1"})
    other = sign_in(store_client, theirs)
    assert len(steps(html(other.get("/admin/")))) == 6


def test_the_list_costs_the_same_queries_for_one_or_many_products_and_domains(
        app, make_store, add_product, store_client, count_queries):
    from tenants.provisioning import add_domain

    store = make_store("new-shop", open=False)
    owner = sign_in(store_client, store)
    add_product(store, "first")
    owner.get("/admin/")  # warm the store and plugin caches
    with count_queries() as few:
        assert steps(html(owner.get("/admin/")))["products"] == "yes"
    for number in range(20):
        add_product(store, f"more-{number}")
    with app.app_context():
        for number in range(5):
            add_domain(store, f"shop{number}.example.com")
        db.session.commit()
    owner.get("/admin/")
    with count_queries() as many:
        page = html(owner.get("/admin/"))
    assert steps(page)["domain"] == "yes"
    assert len(few) == len(many), many
    # The whole list is one query (products, theme, domains and the "hidden" switch).
    assert sum("theme_settings" in sql and "domains" in sql for sql in many) == 1


# --------------------------------------------------------------------- figures


def test_figures_for_today_7_and_30_days_in_the_store_time_zone(
        app, shops, store_client, pinned):
    a, b = shops["a"], shops["b"]
    set_zone(app, a, "Asia/Dhaka")
    add_order(app, a, local(0, 0, 30), 100_000, payment_state="paid")      # today 00:30
    add_order(app, a, local(-1, 23, 30), 200_000)    # 23:30 yesterday: not today
    add_order(app, a, local(-1, 9), 400_000)         # yesterday before 10:00: compared
    add_order(app, a, local(0, 8), 5_000_000, fulfilment_state="cancelled")
    add_order(app, a, local(-5, 12), 300_000, refunded_total=100_000,
              payment_state="partially_refunded")
    add_order(app, a, local(-6, 12), 700_000, fulfilment_state="returned")  # refused at door
    add_order(app, a, local(-10, 12), 600_000)       # in the 7 days before, and in 30
    add_order(app, a, local(-40, 12), 1_600_000, payment_state="paid")  # the 30 days before
    add_order(app, a, local(-70, 12), 9_900_000)     # before both
    add_order(app, b, local(0, 9), 9_999_900, payment_state="paid")    # another store
    page = html(sign_in(store_client, a).get("/admin/"))

    today = period(page, "today")
    assert (today["sales"], today["paid"], today["orders"], today["average"]) == (
        money(100_000), money(100_000), "1", money(100_000))
    assert today["changes"][0] == "−75%"  # ৳1,000 against ৳4,000 by 10:00 yesterday

    week = period(page, "7")
    assert (week["sales"], week["paid"], week["orders"], week["average"]) == (
        money(900_000), money(300_000), "4", money(225_000))
    assert week["changes"][:2] == ["+50%", "+300%"]  # ৳9,000 vs ৳6,000; 4 orders vs 1

    month = period(page, "30")
    assert (month["sales"], month["orders"]) == (money(1_500_000), "5")
    assert month["changes"][0] == "−6%"  # ৳15,000 vs ৳16,000
    assert "Asia/Dhaka" in page


def test_the_same_orders_in_another_time_zone_fall_on_other_days(
        app, shops, store_client, pinned):
    # 23:30 yesterday in Dhaka is 17:30 UTC yesterday; in UTC it is also yesterday, but
    # 00:30 today in Dhaka is still yesterday (18:30) in UTC.
    add_order(app, shops["a"], local(0, 0, 30), 100_000)
    client = sign_in(store_client, shops["a"])
    set_zone(app, shops["a"], "UTC")
    assert period(html(client.get("/admin/")), "today")["orders"] == "0"
    set_zone(app, shops["a"], "Asia/Dhaka")
    assert period(html(client.get("/admin/")), "today")["orders"] == "1"


def test_an_unknown_time_zone_name_is_utc(app, shops, store_client, pinned):
    add_order(app, shops["a"], local(0, 0, 30), 100_000)  # 18:30 UTC yesterday
    set_zone(app, shops["a"], "Mars/Olympus")
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    assert period(page, "today")["orders"] == "0" and period(page, "7")["orders"] == "1"


def test_figures_use_bengali_digits_when_the_store_asks(app, shops, store_client, pinned):
    with app.app_context(), platform_scope():
        row = db.session.get(Tenant, shops["a"].id)
        row.locale, row.bengali_digits = "bn", True
        db.session.commit()
    invalidate_all()
    for _ in range(12):
        add_order(app, shops["a"], local(0, 9), 100_000)
    add_order(app, shops["a"], local(-10, 12), 100_000)  # before the last 7 days
    add_order(app, shops["a"], local(-40, 12), 100_000)  # before the last 30 days
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    today = period(page, "today")
    assert today["orders"] == "১২"
    assert "১২,০০০.০০" in today["sales"] and not re.search(r"[0-9]", today["sales"])
    # "গত 7 দিন" mixed Latin digits into a Bengali page: the days are numbers too.
    for key, days in (("7", "৭"), ("30", "৩০")):
        heading = re.search(rf'id="period-{key}-title">([^<]*)<', page)[1]
        box = re.search(rf'id="period-{key}".*?</section>', page, re.S)[0]
        against = re.findall(r'<span class="muted">([^<]*)</span>', box)
        assert days in heading and not re.search(r"[0-9]", heading), heading
        assert against and all(days in text and not re.search(r"[0-9]", text)
                               for text in against), against
    chart = re.search(r'id="sales-chart-heading">([^<]*)<', page)[1]
    assert "৩০" in chart and not re.search(r"[0-9]", chart)
    summary = re.search(r'<desc id="sales-chart-desc">([^<]*)</desc>', page)[1]
    assert "২৮ দিন" in summary  # the days without sales
    assert not re.search(r"[0-9]", re.search(r'id="sales-chart-title">([^<]*)<', page)[1])


# ----------------------------------------------------------------------- chart


def test_the_chart_has_one_bar_per_local_day_with_empty_days_at_zero(
        app, shops, store_client, pinned):
    set_zone(app, shops["a"], "Asia/Dhaka")
    add_order(app, shops["a"], local(0, 0, 30), 100_000)
    add_order(app, shops["a"], local(-1, 23, 30), 200_000)
    add_order(app, shops["a"], local(-1, 1), 50_000)
    add_order(app, shops["a"], local(-29, 0, 0), 70_000)   # the chart's first day
    add_order(app, shops["a"], local(-30, 23, 59), 80_000)  # the day before it
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    drawn = bars(page)
    days = [(NOW.date() - timedelta(days=29 - i)).isoformat() for i in range(30)]
    assert [day for day, _amount in drawn] == days
    amounts = dict(drawn)
    assert amounts[days[-1]] == 100_000 and amounts[days[-2]] == 250_000
    assert amounts[days[0]] == 70_000
    assert sum(amounts.values()) == 420_000  # every other day is drawn at zero
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "Sales per day, last 30 days" in svg
    assert "The best day was 14 Mar with BDT2,500.00" in svg
    # Axis labels in the store's currency, and the same figures as a table.
    assert re.search(r'class="chart-y"[^>]*><span>BDT[\d,.]+</span>', page)
    table = re.search(r'<details class="chart-table">.*?</details>', page, re.S).group(0)
    assert table.count("<tr>") == 31 and "14 Mar" in table and "BDT2,500.00" in table


def test_chart_days_follow_daylight_saving_time(app, shops, store_client, pinned):
    new_york = ZoneInfo("America/New_York")  # clocks went forward on 9 March 2025
    pinned(datetime(2025, 3, 10, 12, 0, tzinfo=new_york))
    set_zone(app, shops["a"], "America/New_York")
    at = datetime(2025, 3, 10, 12, 0, tzinfo=new_york)
    add_order(app, shops["a"], local(-1, 0, 30, zone=new_york, today=at), 10_000)  # EST
    add_order(app, shops["a"], local(-1, 23, 30, zone=new_york, today=at), 20_000)  # EDT
    add_order(app, shops["a"], local(-2, 23, 30, zone=new_york, today=at), 40_000)
    amounts = dict(bars(html(sign_in(store_client, shops["a"]).get("/admin/"))))
    assert len(amounts) == 30
    assert (amounts["2025-03-09"], amounts["2025-03-08"], amounts["2025-03-10"]) == (
        30_000, 40_000, 0)


def test_nice_ceilings_for_the_axis():
    assert [nice_ceiling(v) for v in (0, 1, 3, 7, 11, 21, 26, 180, 99_999, 250_001)] == [
        1, 1, 5, 10, 20, 25, 50, 200, 100_000, 500_000]


# -------------------------------------------------------------------- products


def test_best_sellers_by_units_and_by_revenue(app, shops, store_client, add_product, pinned):
    a = shops["a"]
    shawl = add_product(a, "shawl", title="Shawl", price=50_000)
    saree = add_product(a, "saree", title="Saree", price=900_000)
    lamp = add_product(a, "lamp", title="Lamp", price=20_000)
    add_order(app, a, local(-2, 12), 0, lines=[(shawl, "Shawl", 3, 150_000),
                                               (saree, "Saree", 1, 900_000)])
    add_order(app, a, local(-20, 12), 0, lines=[(shawl, "Shawl", 2, 100_000),
                                                (saree, "Saree", 1, 900_000),
                                                (lamp, "Lamp", 1, 20_000)])
    add_order(app, a, local(-1, 12), 0, fulfilment_state="cancelled",
              lines=[(lamp, "Lamp", 50, 1_000_000)])
    add_order(app, a, local(-40, 12), 0, lines=[(lamp, "Lamp", 90, 1_800_000)])
    page = html(sign_in(store_client, a).get("/admin/"))

    def listed(list_id: str) -> list[str]:
        block = re.search(rf'id="{list_id}">(.*?)</ol>', page, re.S).group(1)
        return [re.sub(r"<[^>]+>", "", item).split()[0]
                for item in re.findall(r"<li>(.*?)</li>", block, re.S)]

    assert listed("top-by-units") == ["Shawl", "Saree", "Lamp"]
    assert listed("top-by-revenue") == ["Saree", "Shawl", "Lamp"]
    assert "5 sold" in page and money(1_800_000) in page


def test_low_stock_lists_active_products_and_variants_sold_out_first(
        app, shops, store_client, add_product, pinned):
    a = shops["a"]  # the shop's Kantha has 5 in stock: at the threshold
    add_product(a, "mug", title="Mug", stock=0)
    add_product(a, "plate", title="Plate", stock=3)
    add_product(a, "bowl", title="Bowl", stock=6)
    add_product(a, "secret", title="Draft thing", stock=0, status="draft")
    add_product(a, "shirt", title="Shirt", stock=52, variants=[("S", 1000, 2), ("M", 1000, 50)])
    add_product(shops["b"], "their-mug", title="Their mug", stock=0)
    add_order(app, a, local(0, 9), 1000)
    page = html(sign_in(store_client, a).get("/admin/"))
    block = re.search(r'id="low-stock-list">(.*?)</ul>', page, re.S).group(1)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip()
            for row in re.findall(r"<li>(.*?)</li>", block, re.S)]
    assert rows == ["Mug Sold out", "Shirt (S) 2 left", "Plate 3 left", "Kantha 5 left"]


# ---------------------------------------------------------------------- orders


def test_recent_orders_are_the_last_ten_with_links(app, shops, store_client, pinned):
    ids = insert_orders(app, shops["a"], 12)
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    block = re.search(r'class="card recent-orders".*?</section>', page, re.S).group(0)
    linked = [int(i) for i in re.findall(r'href="/admin/orders/(\d+)"', block)]
    assert linked == sorted(ids, reverse=True)[:10]


def test_the_dashboard_costs_the_same_queries_for_5_or_50_orders(
        app, shops, store_client, add_product, count_queries, pinned):
    client = sign_in(store_client, shops["a"])
    for offset in range(5):
        add_order(app, shops["a"], local(-offset, 9), 10_000)
    client.get("/admin/")  # warm the store and plugin caches
    with count_queries() as few:
        assert sum(amount for _day, amount in bars(html(client.get("/admin/")))) == 50_000
    for offset in range(45):
        add_order(app, shops["a"], local(-(offset % 30), 11), 10_000)
    with count_queries() as many:
        page = html(client.get("/admin/"))
    assert period(page, "30")["orders"] == "50"
    assert len(few) == len(many) <= 12, many


def test_store_b_orders_and_products_never_show_in_store_a(
        app, shops, store_client, add_product, pinned):
    b = shops["b"]
    theirs = add_product(b, "their-lamp", title="Their lamp", stock=1)
    add_order(app, b, local(0, 9), 7_777_700, payment_state="paid",
              lines=[(theirs, "Their lamp", 7, 7_777_700)])
    add_order(app, shops["a"], local(0, 9), 100_000)
    page = html(sign_in(store_client, shops["a"]).get("/admin/"))
    today = period(page, "today")
    assert (today["sales"], today["orders"], today["paid"]) == (money(100_000), "1", money(0))
    assert "Their lamp" not in page and "77,777" not in page
    assert sum(amount for _day, amount in bars(page)) == 100_000


def test_day_start_is_local_midnight():
    assert dashboard_queries.day_start(date(2025, 3, 15), DHAKA) == datetime(
        2025, 3, 14, 18, 0, tzinfo=UTC)
