"""The nightly schedule "forget_old_items", run through the door operators use:
``haat jobs tick --at ...`` (a jobs worker does the same every minute). The test app
runs jobs at once (``HAAT_JOBS=immediate``), so the runs happen inside the command.

The first tick creates each store's timetable (a time of its night, within a day); a
tick a day later finds the runs due and runs them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from haat_wishlist.plugin import manifest
from wishlist_support import PLUGIN, add_row, age, html, key_of, listed, rows, save, token

RUN = f"{PLUGIN}/forget_old_items"


def tick(app, at: datetime):
    """``haat jobs tick --at <at>``; returns the command's output."""
    result = app.test_cli_runner().invoke(args=["jobs", "tick", "--at", at.isoformat()])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def ran(output: str) -> dict[str, str]:
    """``{store slug: outcome}`` of the wishlist runs a tick reports."""
    return {slug: outcome for slug, outcome in
            re.findall(rf"^ran {RUN} for store (\S+) .*: (\w+)", output, re.M)}


@pytest.fixture
def stores(haat_store, haat_enable_plugin):
    """A keeps saved items 30 days, B the default 90; C has the plugin off."""
    a = haat_store("shop-a")
    b = haat_store("shop-b")
    c = haat_store("shop-c")
    haat_enable_plugin(a, PLUGIN, settings={"keep_days": 30})
    haat_enable_plugin(b, PLUGIN)
    return a, b, c


def test_the_schedule_is_declared_daily():
    (schedule,) = manifest.schedules
    assert (schedule.name, schedule.when) == ("forget_old_items", "daily")
    assert str(schedule.title) == "Forget products saved long ago"
    assert schedule.problems() == []


def test_forgets_old_items_only_past_each_stores_setting(haat_app, stores, haat_product,
                                                         haat_client):
    a, b, c = stores
    products = {store.slug: [haat_product(store, f"item-{n}") for n in range(3)]
                for store in (a, b, c)}
    shopper = haat_client(a)
    for product in products["shop-a"]:
        save(shopper, product)
    fresh, month_old, old = products["shop-a"]
    age(haat_app, a, month_old, 29)  # inside A's 30 days
    age(haat_app, a, old, 31)        # past them
    b_kept, b_old, b_older = products["shop-b"]
    for product, days in ((b_kept, 31), (b_old, 91), (b_older, 400)):
        add_row(haat_app, b, "b" * 64, product, age_days=days)
    # C has the plugin off: its rows wait untouched, however old.
    add_row(haat_app, c, "c" * 64, products["shop-c"][0], age_days=1000)

    now = datetime.now(UTC)
    assert tick(haat_app, now).strip() == "nothing due"  # the timetables are made
    output = tick(haat_app, now + timedelta(days=1, minutes=1))
    assert ran(output) == {"shop-a": "ok", "shop-b": "ok"}

    assert listed(shopper) == [fresh, month_old]
    assert [product for _shopper, product in rows(haat_app, b)] == [b_kept]
    assert [product for _shopper, product in rows(haat_app, c)] == [products["shop-c"][0]]
    # Once a day: the same moment again finds nothing due.
    assert tick(haat_app, now + timedelta(days=1, minutes=1)).strip() == "nothing due"


def test_a_store_that_switches_the_plugin_off_keeps_its_items(haat_app, stores, haat_product,
                                                              haat_enable_plugin,
                                                              haat_admin_client):
    a, _b, _c = stores
    old = haat_product(a, "old-cup")
    add_row(haat_app, a, "a" * 64, old, age_days=365)
    now = datetime.now(UTC)
    tick(haat_app, now)
    switched = haat_admin_client(a).post(f"/admin/plugins/{PLUGIN}/toggle",
                                         data={"enabled": "0"})
    assert switched.status_code in (302, 303), switched.status_code
    output = tick(haat_app, now + timedelta(days=1, minutes=1))
    assert "shop-a" not in ran(output)
    assert rows(haat_app, a) == [("a" * 64, old)]


def test_the_admin_shows_the_schedule_in_the_merchants_language(haat_store,
                                                                haat_enable_plugin,
                                                                haat_admin_client):
    dhaka = haat_store("dhaka-shop", locale="bn", currency="BDT")
    haat_enable_plugin(dhaka, PLUGIN)
    page = html(haat_admin_client(dhaka).get(f"/admin/plugins/{PLUGIN}"))
    assert "অনেক দিন আগে রাখা পণ্য তালিকা থেকে সরানো" in page  # the schedule's title
    assert "রাখা পণ্য তালিকায় থাকবে (দিন)" in page  # keep_days' label
    assert "পণ্যের পাতায় “পরে কেনার জন্য রাখুন” বোতামটি দেখান" in page  # show_button


def test_a_fresh_save_survives_the_nightly_run(haat_app, stores, haat_product,
                                                           haat_client):
    a, _b, _c = stores
    cup = haat_product(a, "cup")
    shopper = haat_client(a)
    save(shopper, cup)
    now = datetime.now(UTC)
    tick(haat_app, now)
    tick(haat_app, now + timedelta(days=1, minutes=1))
    assert rows(haat_app, a) == [(key_of(token(shopper, a)), cup)]
