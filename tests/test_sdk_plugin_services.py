"""The SDK services added for the reviews plugin, through the doors plugins use:
``save_image`` and friends, ``get_order`` and ``customer_orders``, and the
``haat_dashboard_panels`` hook on the admin dashboard. Each keeps to its store."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from PIL import Image
from test_order_emails import place_order

from admin_support import sign_in
from conftest import make_plugin
from core.customers.models import Customer
from core.db import db
from core.sdk import (
    DashboardPanel,
    ImageRejected,
    Markup,
    UploadedImage,
    customer_orders,
    delete_image,
    format_number,
    get_order,
    image_srcset,
    image_url,
    product_by_handle,
    save_image,
    shopper_contact,
)
from tenants import tenant_scope


@pytest.fixture
def photographer(install_plugin):
    return install_plugin(make_plugin("test-photos"))


@pytest.fixture
def shops(make_store, enable_plugin, photographer):
    alpha = make_store("alpha-photos", currency="BDT")
    beta = make_store("beta-photos", currency="BDT")
    for store in (alpha, beta):
        enable_plugin(store, photographer)
    return alpha, beta


def _jpeg(width: int = 700, height: int = 500) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --------------------------------------------------------------------------- photos


def test_a_saved_photo_is_resized_and_served_only_on_its_store(app, shops, store_plugins,
                                                              store_client):
    alpha, _beta = shops
    with app.app_context():
        store = store_plugins(alpha).info
        image = save_image(store, "test-photos", _jpeg())
        original = image_url(store, image)
        small = image_url(store, image, 320, "webp")
        srcset = image_srcset(store, image)
    assert (image.width, image.height, image.widths) == (700, 500, (160, 320, 480, 640))
    assert image.key.startswith("plugins/test-photos/") and image.key.endswith(".jpg")
    assert srcset.count("w, ") == 3 and srcset.endswith("-640.webp 640w")
    served = store_client("alpha-photos").get(_path(original))
    assert served.status_code == 200
    assert Image.open(io.BytesIO(served.data)).size == (700, 500)
    assert store_client("alpha-photos").get(_path(small)).mimetype == "image/webp"
    assert store_client("beta-photos").get(_path(original)).status_code == 404


def test_a_deleted_photo_is_gone_with_its_copies(app, shops, store_plugins, store_client):
    alpha, _beta = shops
    with app.app_context():
        store = store_plugins(alpha).info
        image = save_image(store, "test-photos", _jpeg(400, 300))
        urls = [image_url(store, image)] + [image_url(store, image, w) for w in image.widths]
        delete_image(store, image)
        delete_image(store, image)  # twice is fine
    client = store_client("alpha-photos")
    assert [client.get(_path(url)).status_code for url in urls] == [404] * len(urls)


@pytest.mark.parametrize("data, message", [
    (b"", "ফাইলটি খালি।"),
    (b"not a picture at all", "এই ফাইলটি এমন ছবি নয়"),
])
def test_an_unusable_upload_is_refused_in_the_shoppers_language(app, shops, store_plugins,
                                                                data, message):
    alpha, _beta = shops
    with app.test_request_context(), force_locale("bn"):
        with pytest.raises(ImageRejected) as refused:
            save_image(store_plugins(alpha).info, "test-photos", data)
        assert message in str(refused.value)


def test_a_truncated_photo_and_lowered_limits_are_refused(app, shops, store_plugins):
    alpha, _beta = shops
    data = _jpeg()
    with app.app_context():
        store = store_plugins(alpha).info
        with pytest.raises(ImageRejected, match="damaged or incomplete"):
            save_image(store, "test-photos", data[: len(data) // 2])
        with pytest.raises(ImageRejected, match="too many pixels"):
            save_image(store, "test-photos", data, max_pixels=100_000)
        with pytest.raises(ImageRejected, match="larger than"):
            save_image(store, "test-photos", data, max_bytes=1000)
        with pytest.raises(ValueError, match="not an installed plugin"):
            save_image(store, "nobody", data)
        with pytest.raises(ValueError, match="no copy 333"):
            image_url(store, UploadedImage("plugins/x/a.jpg", 700, 500, (160, 320)), 333)


# --------------------------------------------------------------------------- orders


def _customer(app, tenant, phone: str) -> int:
    with app.app_context(), tenant_scope(tenant.id):
        customer = Customer(key=phone, phone=phone, name="Asha")
        db.session.add(customer)
        db.session.commit()
        return customer.id


def test_orders_are_read_newest_first_and_never_from_another_store(app, shops, store_plugins,
                                                                    count_queries):
    alpha, beta = shops
    asha = _customer(app, alpha, "+8801711000001")
    first = place_order(app, alpha, customer_id=asha, email="")
    second = place_order(app, alpha, customer_id=asha, email="",
                         lines=(("Jamdani", "Red", 1, 500000), ("Kantha", "", 2, 90000)))
    stranger = place_order(app, beta)
    with app.app_context():
        store = store_plugins(alpha).info
        assert get_order(store, first).id == first
        assert get_order(store, stranger) is None
        with count_queries() as statements:
            orders = customer_orders(store, [asha])
        assert [o.id for o in orders] == [second, first]
        assert [line.title for line in orders[0].lines] == ["Jamdani (Red)", "Kantha"]
        assert len(statements) == 2
        assert customer_orders(store, []) == []
        beta_customer = _customer(app, beta, "+8801711000002")
        place_order(app, beta, customer_id=beta_customer)
        assert customer_orders(store, [beta_customer]) == []
        with pytest.raises(ValueError):
            customer_orders(store, [asha], limit=0)
        with pytest.raises(TypeError):
            get_order(store, "1")


# ------------------------------------------------------------------ dashboard panels


def test_hook_dashboard_panels(app, shops, install_plugin, enable_plugin, isolating,
                               store_client):
    """Plugins add panels to the dashboard: escaped, same-origin links only, a raising
    plugin left out, and only on the stores that have the plugin on."""
    alpha, beta = shops

    def panels(store):
        return [DashboardPanel("Reviews", Markup("<p class='figure'>{}</p>").format(
                                   "<b>3</b> new"), url="/admin/reviews",
                               link_text="See all reviews"),
                DashboardPanel("Elsewhere", "<script>x</script>", url="https://evil.example/")]

    def broken(store):
        raise RuntimeError("the plugin's database is down")

    install_plugin(make_plugin("test-panels", haat_dashboard_panels=panels))
    install_plugin(make_plugin("test-broken-panels", haat_dashboard_panels=broken))
    enable_plugin(alpha, "test-panels")
    enable_plugin(alpha, "test-broken-panels")
    page = sign_in(store_client, alpha).get("/admin/").get_data(as_text=True)
    assert '<h2 id="panel-1-heading">Reviews</h2>' in page
    assert '<a href="/admin/reviews">See all reviews</a>' in page
    assert "<p class='figure'>&lt;b&gt;3&lt;/b&gt; new</p>" in page  # plugin escaped it
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "evil.example" not in page
    other = sign_in(store_client, beta).get("/admin/").get_data(as_text=True)
    assert "panel-1-heading" not in other


# ------------------------------------------------------------- contacts and numbers


def test_shopper_contact_reads_phones_in_the_stores_country(app, make_store, store_plugins):
    dhaka = make_store("contact-dhaka", country="BD", currency="BDT")
    yerevan = make_store("contact-yerevan", country="AM", currency="AMD")
    with app.app_context():
        bd, am = store_plugins(dhaka).info, store_plugins(yerevan).info
        assert shopper_contact(bd, "01711-000000") == "+8801711000000"
        assert shopper_contact(bd, "+880 1711 000000") == "+8801711000000"
        assert shopper_contact(bd, "০১৭১১০০০০০০") == "+8801711000000"
        assert shopper_contact(am, "091 234567") == "+37491234567"
        assert shopper_contact(am, " Ani@Example.AM ") == "ani@example.am"
        assert shopper_contact(bd, "not a contact") is None


def test_format_number_writes_a_rating_in_the_stores_digits(app, make_store, store_plugins):
    from decimal import Decimal

    dhaka = make_store("digits-dhaka", locale="bn", bengali_digits=True, currency="BDT")
    with app.app_context():
        store = store_plugins(dhaka).info
        assert format_number(store, Decimal("4.5")) == "৪.৫"
        assert format_number(store, Decimal("4.5"), "hy") == "4,5"
        assert format_number(store, 1250, "en") == "1,250"


def test_product_by_handle_finds_only_the_stores_own(app, shops, add_product, store_plugins):
    alpha, beta = shops
    add_product(alpha, "shared-handle", title="Alpha's jug", status="draft")
    add_product(beta, "shared-handle", title="Beta's jug")
    with app.app_context():
        found = product_by_handle(store_plugins(alpha).info, "shared-handle")
        assert (found.title, found.status) == ("Alpha's jug", "draft")
        assert product_by_handle(store_plugins(beta).info, "shared-handle").title == "Beta's jug"
        assert product_by_handle(store_plugins(alpha).info, "no-such-jug") is None
        assert product_by_handle(store_plugins(alpha).info, "x" * 500) is None
