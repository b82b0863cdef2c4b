"""Products at ``/admin/products``: list, create, edit, delete, variants and images.

Owners and staff both manage the catalogue. The form is parsed and checked in
``core.admin.product_form``; rows change through ``core.catalog.editing``. A form
with mistakes is answered 422 with every typed value kept and nothing saved (image
files stored for it are removed again). The helper buttons of the variant table
(add a row, remove a row, make every combination) only re-draw the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from core.admin import product_form as pf
from core.admin.listing import page_number, paginate, query_args
from core.catalog import editing
from core.catalog.handles import handle_from_title
from core.catalog.images import MAX_UPLOAD_BYTES, rendition_key
from core.catalog.models import (
    LOW_STOCK_THRESHOLD,
    STATUS_ACTIVE,
    STATUS_DRAFT,
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.db import db
from core.storage import get_storage
from core.web.templating import number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_products", __name__, url_prefix="/admin/products")

#: The most images one product can have.
MAX_IMAGES = 30
MAX_SEARCH = 100
ACCEPTED_IMAGES = "image/jpeg,image/png,image/webp,image/gif"

STATUS_LABELS = {STATUS_ACTIVE: _l("Active"), STATUS_DRAFT: _l("Draft")}
STOCK_LABELS = {"in": _l("In stock"), "low": _l("Low stock"), "out": _l("Out of stock")}
SORT_LABELS = {
    "newest": _l("Newest first"), "updated": _l("Recently updated"),
    "title": _l("Title A–Z"), "price_low": _l("Price: low to high"),
    "price_high": _l("Price: high to low"), "stock_low": _l("Stock: low to high"),
    "stock_high": _l("Stock: high to low"),
}
_SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "updated": (Product.updated_at.desc(), Product.id.desc()),
    "title": (func.lower(Product.title), Product.id),
    "price_low": (Product.price_amount, Product.id),
    "price_high": (Product.price_amount.desc(), Product.id.desc()),
    "stock_low": (Product.stock, Product.id),
    "stock_high": (Product.stock.desc(), Product.id.desc()),
}


# ------------------------------------------------------------------------ list


@dataclass(frozen=True)
class ProductFilters:
    """What the list is narrowed to and how it is sorted, as typed (``raw``)."""

    raw: dict[str, str]
    collection_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def q(self) -> str:
        return self.raw.get("q", "")

    @property
    def sort(self) -> str:
        return self.raw.get("sort") or "newest"

    @property
    def active(self) -> bool:
        """True when anything narrows the list (sorting does not)."""
        return bool(query_args({k: v for k, v in self.raw.items() if k != "sort"}))


def _filters(args: Any, collections: list[Collection]) -> ProductFilters:
    raw = {name: (args.get(name) or "").strip()[:MAX_SEARCH]
           for name in ("q", "status", "collection", "stock", "sort")}
    errors: dict[str, str] = {}
    if raw["status"] not in ("", *STATUS_LABELS):
        errors["status"] = _("Choose one of the listed statuses.")
    if raw["stock"] not in ("", *STOCK_LABELS):
        errors["stock"] = _("Choose one of the listed stock levels.")
    if raw["sort"] not in ("", *_SORTS):
        errors["sort"] = _("Choose one of the listed sort orders.")
    collection_id = None
    if raw["collection"]:
        ids = {str(c.id): c.id for c in collections}
        collection_id = ids.get(raw["collection"])
        if collection_id is None:
            errors["collection"] = _("Choose one of the listed collections.")
    return ProductFilters(raw=raw, collection_id=collection_id, errors=errors)


def _search(text: str) -> ColumnElement[bool]:
    """Title, SKU, a variant's SKU or a tag contains ``text``."""
    variant_sku = exists(select(ProductVariant.id).where(
        ProductVariant.product_id == Product.id,
        ProductVariant.sku.icontains(text, autoescape=True)))
    return or_(Product.title.icontains(text, autoescape=True),
               Product.sku.icontains(text, autoescape=True),
               Product.tags.icontains(text, autoescape=True), variant_sku)


def _conditions(filters: ProductFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    raw, errors = filters.raw, filters.errors
    if raw["status"] and "status" not in errors:
        conditions.append(Product.status == raw["status"])
    if filters.collection_id is not None:
        conditions.append(Product.memberships.any(
            CollectionProduct.collection_id == filters.collection_id))
    if raw["stock"] and "stock" not in errors:
        conditions.append({"in": Product.stock > 0,
                           "low": (Product.stock > 0) & (Product.stock <= LOW_STOCK_THRESHOLD),
                           "out": Product.stock <= 0}[raw["stock"]])
    if filters.q:
        conditions.append(_search(filters.q))
    return conditions


def _collections() -> list[Collection]:
    return list(db.session.scalars(select(Collection).order_by(
        Collection.position, func.lower(Collection.title), Collection.id)))


def thumbnail_url(image: ProductImage) -> str:
    """The smallest stored copy of ``image``, for lists and the form."""
    widths = image.width_list
    key = rendition_key(image.storage_key, min(widths), "original") if widths \
        else image.storage_key
    return url_for("storefront.media", key=key)


@bp.get("")
@login_required
def index() -> str:
    """Products, newest first, 50 a page: search, filters and sorting. A fixed number of
    queries whatever the page holds (collections, count, rows, images, variants)."""
    collections = _collections()
    filters = _filters(request.args, collections)
    conditions = _conditions(filters)
    sort = filters.sort if filters.sort in _SORTS else "newest"
    page = paginate(
        select(Product).where(*conditions).order_by(*_SORTS[sort])
        .options(selectinload(Product.images), selectinload(Product.variants)),
        select(func.count(Product.id)).where(*conditions),
        page_number(request.args.get("page")))
    return render_template(
        "admin/products/index.html", store=current_store(), page=page, filters=filters,
        args=query_args(filters.raw), status_labels=STATUS_LABELS,
        collection_options=[(c.id, c.title) for c in collections],
        stock_options=_stock_options(), sort_options=SORT_LABELS.items(),
        thumbnail_url=thumbnail_url)


def _stock_options() -> list[tuple[str, str]]:
    """The stock filter's choices; "low" says where low starts."""
    return [(value, _("%(label)s (%(n)s or fewer)", label=label,
                      n=number_filter(LOW_STOCK_THRESHOLD))
             if value == "low" else str(label)) for value, label in STOCK_LABELS.items()]


# ---------------------------------------------------------------- create, edit


def _product_or_404(product_id: int) -> Product:
    """The current store's product (another store's id is simply not found)."""
    product = db.session.scalar(select(Product).where(Product.id == product_id).options(
        selectinload(Product.images), selectinload(Product.variants),
        selectinload(Product.memberships)))
    if product is None:
        abort(404)
    return product


def _form_page(form: pf.ProductForm, product: Product | None,
               status_code: int = 200) -> tuple[str, int]:
    body = render_template(
        "admin/products/form.html", store=current_store(), form=form, product=product,
        collections=_collections(), status_labels=STATUS_LABELS, limits=pf,
        max_variants=editing.MAX_VARIANTS, max_images=MAX_IMAGES,
        max_image_mb=MAX_UPLOAD_BYTES // (1024 * 1024), accepted_images=ACCEPTED_IMAGES,
        thumbnail_url=thumbnail_url, failed=status_code == 422)
    return body, status_code


def _helper_action(form: pf.ProductForm, action: str) -> bool:
    """Run a variant-table button; False when ``action`` is not one (it is Save)."""
    if action == "add_variant":
        pf.add_variant_row(form)
    elif action.startswith("remove_variant:"):
        number = action.partition(":")[2]
        if number.isascii() and number.isdigit():
            pf.remove_variant_row(form, int(number))
    elif action == "combine":
        pf.make_combinations(form)
    else:
        return False
    return True


def _uploaded_files() -> list[tuple[str, bytes]]:
    return [(upload.filename or "", upload.read())
            for upload in request.files.getlist("images") if upload.filename]


def _submit(product: Product | None) -> Response | tuple[str, int]:
    """Check the posted form and save it, or show it again with what is wrong."""
    store = current_store()
    form = pf.form_from_post(request.form)
    files = _uploaded_files()
    if _helper_action(form, request.form.get("action", "save")):
        if files:
            form.upload_errors.append(_("Choose the images again: they are added when you "
                                        "press Save."))
        return _form_page(form, product, 422 if form.failed else 200)

    collection_ids = {c.id for c in _collections()}
    values = pf.check_form(form, store.currency, product, collection_ids)
    storage = get_storage()
    uploads = editing.Uploads()
    if files:
        room = MAX_IMAGES - (len(product.images) if product else 0)
        if len(files) > room:
            form.upload_errors.append(_("A product can have at most %(n)s images; choose "
                                        "%(room)s or fewer.", n=number_filter(MAX_IMAGES),
                                        room=number_filter(max(room, 0))))
        else:
            stem = (values.handle if values and values.handle
                    else handle_from_title(form.value("title"), "product"))
            uploads = editing.store_uploads(storage, store.id, stem, files)
            form.upload_errors.extend(uploads.rejected)
    if values is None or form.failed:
        editing.discard_uploads(storage, store.id, uploads)
        if files and not form.upload_errors:
            form.upload_errors.append(_("Nothing was saved: choose the images again after "
                                        "correcting the form."))
        return _form_page(form, product, 422)
    try:
        saved = editing.save_product(product, values)
        editing.attach_images(saved, uploads)
        db.session.commit()
    except IntegrityError:  # another request took the handle or SKU meanwhile
        db.session.rollback()
        editing.discard_uploads(storage, store.id, uploads)
        form.errors["handle"] = _("Another product took this handle or SKU a moment ago. "
                                  "Please check them and save again.")
        return _form_page(form, _product_or_404(product.id) if product else None, 422)
    flash(_("Product %(title)s saved.", title=saved.title) if product
          else _("Product %(title)s created.", title=saved.title), "success")
    return redirect(url_for("admin_products.edit", product_id=saved.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Response | tuple[str, int]:
    """A new product (active unless set to draft)."""
    if request.method == "GET":
        return _form_page(pf.new_form(), None)
    return _submit(None)


@bp.route("/<id:product_id>", methods=["GET", "POST"])
@login_required
def edit(product_id: int) -> Response | tuple[str, int]:
    """Change a product, its variants and images. Orders placed keep their copies."""
    product = _product_or_404(product_id)
    if request.method == "GET":
        return _form_page(pf.form_from_product(product, current_store().currency), product)
    return _submit(product)


# ---------------------------------------------------------------------- delete


@bp.route("/<id:product_id>/delete", methods=["GET", "POST"])
@login_required
def delete(product_id: int) -> Response | str:
    """Ask first (GET), then delete the product and its image files (POST)."""
    product = _product_or_404(product_id)
    if request.method == "GET":
        return render_template("admin/products/delete.html", store=current_store(),
                               product=product)
    title = product.title
    files = editing.delete_product(product)
    db.session.commit()
    editing.remove_files(get_storage(), current_store().id, files)
    flash(_("Product %(title)s deleted.", title=title), "success")
    return redirect(url_for("admin_products.index"), 303)


@bp.route("/<id:product_id>/images/<id:image_id>/delete", methods=["GET", "POST"])
@login_required
def delete_image(product_id: int, image_id: int) -> Response | str:
    """Ask first (GET), then delete one image and its files (POST)."""
    product = _product_or_404(product_id)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        abort(404)
    if request.method == "GET":
        return render_template("admin/products/delete_image.html", store=current_store(),
                               product=product, image=image, thumbnail_url=thumbnail_url)
    files = editing.delete_product_image(image)
    db.session.commit()
    editing.remove_files(get_storage(), current_store().id, [files])
    flash(_("Image deleted."), "success")
    return redirect(url_for("admin_products.edit", product_id=product.id) + "#images", 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload above ``MAX_CONTENT_LENGTH``: say so instead of a bare error."""
    limit = request.max_content_length or 0
    return render_template("admin/products/too_large.html", store=current_store(),
                           limit_mb=max(1, limit // (1024 * 1024)),
                           image_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
                           back=request.path if request.method == "POST"
                           else url_for("admin_products.index")), 413
