"""What plugins read about products: variants with their ids and photos with resized
copies (``core.sdk.VariantSnapshot``, ``core.sdk.ImageSnapshot``), through the SDK's read
functions, as a plugin's page or job would."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.sdk import ImageSnapshot, get_products, iter_products


def test_variants_carry_ids_options_prices_stock_and_weights(haat_app, haat_store,
                                                             haat_product, haat_store_info):
    shop = haat_store("snap-shop", currency="BDT")
    product_id = haat_product(shop, "kurta", price=150000, weight_grams=400,
                              option_names=("Size", "Colour"), variants=(
                                  {"options": ("M", "Indigo"), "price": 150000, "stock": 3,
                                   "sku": "K-M-I"},
                                  {"options": ("L", "Indigo"), "price": 165000, "stock": 0,
                                   "weight_grams": 550}))
    with haat_app.app_context():
        (product,) = get_products(haat_store_info(shop), [product_id])
    assert product.option_names == ("Size", "Colour")
    medium, large = product.variants
    assert (medium.title, medium.options, medium.price.amount, medium.stock, medium.sku) == (
        "M / Indigo", ("M", "Indigo"), 150000, 3, "K-M-I")
    assert (medium.weight_grams, large.weight_grams) == (400, 550)  # the product's, or its own
    assert medium.in_stock and not large.in_stock
    assert medium.id != large.id and product.variant_titles == ("M / Indigo", "L / Indigo")


def test_a_product_without_variants_has_none(haat_app, haat_store, haat_product,
                                             haat_store_info):
    shop = haat_store("plain-shop")
    product_id = haat_product(shop, "mug", weight_grams=300)
    with haat_app.app_context():
        (product,) = list(iter_products(haat_store_info(shop)))
    assert (product.id, product.variants, product.option_names, product.weight_grams) == (
        product_id, (), (), 300)


def test_photos_come_with_resized_copies_that_the_store_serves(haat_app, haat_store,
                                                               haat_product, haat_client,
                                                               haat_store_info):
    shop = haat_store("photo-shop")
    other = haat_store("other-photo-shop")
    product_id = haat_product(shop, "lamp", images=1)
    with haat_app.app_context():
        (product,) = get_products(haat_store_info(shop), [product_id])
        assert get_products(haat_store_info(other), [product_id]) == []
    (image,) = product.images
    assert isinstance(image, ImageSnapshot) and image.url == product.image_urls[0]
    assert image.width > 0 and image.height > 0 and image.sizes
    widths = [width for width, _url in image.sizes]
    assert widths == sorted(widths) and max(widths) <= image.width
    assert image.url_for_width(1) == image.sizes[0][1]
    assert image.url_for_width(10_000) == image.sizes[-1][1]
    assert image.srcset.startswith(f"{image.sizes[0][1]} {image.sizes[0][0]}w")
    client = haat_client(shop)
    for _width, url in image.sizes:
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200 and response.mimetype.startswith("image/")
    # Another store's host does not serve this store's files.
    assert haat_client(other).get(urlsplit(image.sizes[0][1]).path).status_code == 404


def test_a_variant_carries_the_photo_the_merchant_chose_for_it(haat_app, haat_store,
                                                               haat_product, haat_store_info):
    from core.catalog.models import Product
    from core.db import db
    from tenants import tenant_scope

    shop = haat_store("colour-shop")
    product_id = haat_product(shop, "scarf", images=2, option_names=("Colour",), variants=(
        {"options": ("Red",), "price": 1000, "stock": 1},
        {"options": ("Blue",), "price": 1000, "stock": 1}))
    with haat_app.app_context(), tenant_scope(shop.id):
        row = db.session.get(Product, product_id)
        row.variants[1].image_id = row.images[1].id
        db.session.commit()
    with haat_app.app_context():
        (product,) = get_products(haat_store_info(shop), [product_id])
    red, blue = product.variants
    assert red.image is None
    assert blue.image == product.images[1]  # the same photo, with its resized copies
