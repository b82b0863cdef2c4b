"""Products for tests, made by the admin's own code: the product form's checks
(``core.admin.product_form``), the catalogue's save functions and its image pipeline
(``core.catalog.editing``).

So a test product is exactly what a merchant could have saved: its variants keep the
product's price and stock in step, its photos are stored with their resized copies, and
the catalogue events (``haat_product_saved`` ...) reach the plugins after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

#: Option names used when a test gives variants but no ``option_names``.
DEFAULT_OPTION_NAMES = ("Size", "Colour", "Material")
#: The keys a variant mapping may have.
VARIANT_KEYS = frozenset({"options", "price", "compare_at", "stock", "sku", "weight_grams"})
#: Width and height of the photos made when a test asks for ``images=<count>``.
TEST_IMAGE_SIZE = 480


def test_jpeg(label: str, size: int = TEST_IMAGE_SIZE) -> bytes:
    """A small JPEG (``size`` pixels square) with a pattern drawn from ``label``."""
    from core.demo.images import placeholder_image

    return placeholder_image(label, size)


def _variant_options(variant: Mapping[str, Any], number: int) -> tuple[str, ...]:
    __tracebackhide__ = True
    unknown = sorted(set(variant) - VARIANT_KEYS)
    if unknown:
        raise AssertionError(f"variants[{number}] has unknown key(s) {', '.join(unknown)}; "
                             f"use {', '.join(sorted(VARIANT_KEYS))}")
    options = variant.get("options")
    if isinstance(options, str):
        return (options,)
    if not options or not all(isinstance(o, str) for o in options):
        raise AssertionError(f"variants[{number}] needs 'options': a string such as 'M' "
                             "or a tuple such as ('M', 'Red')")
    return tuple(options)


def product_form(*, title: str, handle: str, description: str, price: int,
                 compare_at: int | None, stock: int, sku: str | None, weight_grams: int,
                 status: str, tags: str, option_names: Sequence[str],
                 variants: Sequence[Mapping[str, Any]], collection_ids: Sequence[int],
                 currency: str) -> MultiDict[str, str]:
    """The admin's product form as a merchant would post it (amounts typed in major
    units of ``currency``)."""
    __tracebackhide__ = True
    from core.admin.product_form import amount_text

    form: MultiDict[str, str] = MultiDict({
        "title": title, "handle": handle, "description": description,
        "price": amount_text(price, currency), "compare_at": amount_text(compare_at, currency),
        "stock": str(stock), "sku": sku or "", "weight": str(weight_grams), "status": status,
        "tags": tags, "video_url": "", "seo_title": "", "seo_description": ""})
    for collection_id in collection_ids:
        form.add("collections", str(collection_id))
    rows = [_variant_options(v, n) for n, v in enumerate(variants)]
    names = list(option_names) or list(DEFAULT_OPTION_NAMES[:max((len(r) for r in rows),
                                                                default=0)])
    for index, name in enumerate(names):
        form[f"option{index + 1}_name"] = name
    for number, (variant, options) in enumerate(zip(variants, rows, strict=True)):
        if len(options) != len(names):
            raise AssertionError(f"variants[{number}] has {len(options)} option value(s) "
                                 f"{options!r} but the product has {len(names)} option "
                                 f"name(s) {tuple(names)!r}")
        for index, value in enumerate(options):
            form[f"variant-{number}-option{index + 1}"] = value
        weight = variant.get("weight_grams")
        form[f"variant-{number}-price"] = amount_text(variant.get("price", price), currency)
        form[f"variant-{number}-compare_at"] = amount_text(variant.get("compare_at"), currency)
        form[f"variant-{number}-stock"] = str(variant.get("stock", stock))
        form[f"variant-{number}-sku"] = variant.get("sku") or ""
        form[f"variant-{number}-weight"] = "" if weight is None else str(weight)
    return form


def _field_label(name: str) -> str:
    """``variant-2-price`` -> ``variants[2].price``; other names stay as they are."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == "variant" and parts[1].isdigit():
        return f"variants[{parts[1]}].{'weight_grams' if parts[2] == 'weight' else parts[2]}"
    return {"weight": "weight_grams"}.get(name, name)


def refused(what: str, errors: Mapping[str, str]) -> AssertionError:
    """An ``AssertionError`` naming every field error, one per line."""
    lines = "\n".join(f"  {_field_label(name)}: {message}"
                      for name, message in sorted(errors.items()))
    return AssertionError(f"{what}:\n{lines}")


def make_product(store_id: int, currency: str, handle: str, *, title: str | None,
                 description: str, price: int, compare_at: int | None, stock: int,
                 sku: str | None, weight_grams: int, status: str, tags: Sequence[str],
                 option_names: Sequence[str], variants: Sequence[Mapping[str, Any]],
                 images: int | Sequence[bytes], collection: str | None) -> int:
    """Check and save one product in the current app context, in the store's scope;
    returns its id. Raises ``AssertionError`` listing what the admin would refuse."""
    __tracebackhide__ = True
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from core.admin.product_form import check_form, form_from_post
    from core.catalog import editing
    from core.catalog.models import Collection
    from core.db import db
    from core.storage import get_storage

    title = title or handle.replace("-", " ").title()
    collection_ids: list[int] = []
    if collection:
        found = db.session.scalar(select(Collection).where(Collection.handle == collection))
        if found is None:
            found = Collection(handle=collection, title=collection.replace("-", " ").title())
            db.session.add(found)
            db.session.flush()
        collection_ids.append(found.id)
    posted = product_form(title=title, handle=handle, description=description, price=price,
                          compare_at=compare_at, stock=stock, sku=sku,
                          weight_grams=weight_grams, status=status, tags=", ".join(tags),
                          option_names=option_names, variants=variants,
                          collection_ids=collection_ids, currency=currency)
    form = form_from_post(posted)
    values = check_form(form, currency, None, collection_ids)
    if values is None:
        db.session.rollback()
        raise refused(f"the admin would refuse the product {handle!r}", form.errors)
    photos = ([test_jpeg(f"{handle}-{n}") for n in range(images)]
              if isinstance(images, int) else list(images))
    storage = get_storage()
    uploads = editing.store_uploads(storage, store_id, handle,
                                    [(f"photo-{n + 1}", data) for n, data in enumerate(photos)])
    if uploads.rejected:
        editing.discard_uploads(storage, store_id, uploads)
        db.session.rollback()
        raise AssertionError("images refused: " + "; ".join(uploads.rejected))
    try:
        product = editing.save_product(None, values)
        editing.attach_images(product, uploads)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        editing.discard_uploads(storage, store_id, uploads)
        raise AssertionError(f"product {handle!r} could not be saved: {exc.orig}") from exc
    return product.id
