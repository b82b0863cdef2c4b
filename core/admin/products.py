"""Products at ``/admin/products``: list, create, edit, delete, variants and images.

Owners and staff both manage the catalogue. The form is parsed and checked in
``core.admin.product_form``; rows change through ``core.catalog.editing``. A form
with mistakes is answered 422 with every typed value kept and nothing saved. Photos
sent with any post are kept as staged images (``core.catalog.staging``) and listed in
the form again, so that nothing chosen is ever lost; saving attaches them. The helper
buttons of the variant table (add a row, remove a row, make every combination) only
re-draw the form, with a neutral note: they are a step, not a failed save. The
editor's script (``core/static/admin/product_editor.js``) does those steps in the page
and sends each photo to ``/admin/products/photos`` the moment it is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from core.admin import product_form as pf
from core.admin.busy import wait_message
from core.admin.listing import page_number, paginate, query_args
from core.catalog import editing, staging
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
    StagedImage,
)
from core.catalog.richtext import editor_html
from core.db import db
from core.i18n import to_ascii_digits
from core.storage import get_storage
from core.storefront.media import placeholder_url
from core.web.budgets import try_spend
from core.web.templating import ngettext, number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_products", __name__, url_prefix="/admin/products")

#: The most images one product can have.
MAX_IMAGES = pf.MAX_IMAGES
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


def thumbnail_url(image: ProductImage | StagedImage) -> str:
    """The smallest stored copy of ``image``, for lists and the form (a placeholder while
    its job is still making the copies)."""
    if image.processing:
        return placeholder_url()
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


@dataclass(frozen=True)
class Photo:
    """One photo in the editor's list: saved, or chosen and not saved yet (staged)."""

    #: What a variant's photo choice sends for it: the image id, or ``s<staged id>``.
    value: str
    #: The start of its fields' names: ``image-<id>`` or ``staged-<id>``.
    prefix: str
    thumbnail: str
    #: Alt text and position as typed (or saved).
    alt: str
    position: str
    #: The file's name, for a photo not saved yet.
    name: str = ""
    staged: bool = False
    #: The page that deletes a saved photo.
    delete_url: str = ""
    #: A job is still making its copies (the thumbnail is a grey placeholder till then).
    processing: bool = False


def _typed_position(text: str) -> int | None:
    text = to_ascii_digits(text.strip())
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def _photos(form: pf.ProductForm, product: Product | None) -> list[Photo]:
    """The saved and the staged photos in the order their positions say (as typed)."""
    photos: list[Photo] = []
    for image in product.images if product else ():
        typed = form.images.get(image.id, {})
        photos.append(Photo(
            value=str(image.id), prefix=f"image-{image.id}", thumbnail=thumbnail_url(image),
            alt=typed.get("alt", image.alt), position=typed.get("position",
                                                                str(image.position + 1)),
            delete_url=url_for("admin_products.delete_image", product_id=product.id,
                               image_id=image.id), processing=image.processing))
    for staged_id, typed in form.staged.items():
        row = form.staged_rows.get(staged_id)
        if row is None:
            continue
        photos.append(Photo(
            value=f"s{row.id}", prefix=f"staged-{row.id}", thumbnail=thumbnail_url(row),
            alt=typed.get("alt", ""), position=typed.get("position", str(len(photos) + 1)),
            name=row.name, staged=True, processing=row.processing))
    last = len(photos) + 1
    order = sorted(range(len(photos)),
                   key=lambda i: (_typed_position(photos[i].position) or last, i))
    return [photos[i] for i in order]


def _form_page(form: pf.ProductForm, product: Product | None, status_code: int = 200, *,
               failed: bool = False, posted: bool = False) -> tuple[str, int]:
    """The editor. ``failed``: a save was refused (the "nothing was saved" banner);
    ``posted``: the page shows what was typed, not what is saved (the script then warns
    before leaving it)."""
    photos = _photos(form, product)
    body = render_template(
        "admin/products/form.html", store=current_store(), form=form, product=product,
        collections=_collections(), status_labels=STATUS_LABELS, limits=pf,
        max_variants=editing.MAX_VARIANTS, max_images=MAX_IMAGES,
        max_image_mb=MAX_UPLOAD_BYTES // (1024 * 1024), accepted_images=ACCEPTED_IMAGES,
        photos=photos, failed=failed, posted=posted,
        description_html=editor_html(form.value("description")))
    return body, status_code


def _helper_action(form: pf.ProductForm, action: str) -> bool:
    """Run a variant-table or photo-list button; False when ``action`` is not one (it
    is Save)."""
    if action == "add_variant":
        pf.add_variant_row(form)
    elif action.startswith("remove_variant:"):
        number = action.partition(":")[2]
        if number.isascii() and number.isdigit():
            pf.remove_variant_row(form, int(number))
    elif action == "combine":
        pf.make_combinations(form)
    elif action.startswith("remove_staged:"):
        number = action.partition(":")[2]
        if number.isascii() and number.isdigit() and len(number) < 12:
            form.staged.pop(int(number), None)
            row = form.staged_rows.pop(int(number), None)
            if row is not None:
                staging.discard(get_storage(), current_store().id, [row])
            for variant in form.variants:  # rows that showed it show no photo now
                if variant.get("image") == f"s{number}":
                    variant.values["image"] = ""
    else:
        return False
    return True


def _uploaded_files() -> list[tuple[str, bytes]]:
    return [(upload.filename or "", upload.read())
            for upload in request.files.getlist("images") if upload.filename]


def _image_stem(form_or_post: Any) -> str:
    """The start of new photos' file names: the handle typed, else made from the title."""
    handle = (form_or_post.get("handle") or "").strip()
    return handle_from_title(handle or form_or_post.get("title") or "", "product")


def _keep_photos(form: pf.ProductForm, product: Product | None) -> None:
    """Find the photos the form lists as chosen earlier, and stage those posted now
    (committed at once, so they outlive a form with mistakes)."""
    form.staged_rows = staging.staged_by_id(form.staged)
    gone = [staged_id for staged_id in form.staged if staged_id not in form.staged_rows]
    for staged_id in gone:
        del form.staged[staged_id]
    if gone:
        form.upload_errors.append(ngettext(
            "A photo chosen earlier is no longer kept; please choose it again.",
            "%(num)s photos chosen earlier are no longer kept; please choose them again.",
            len(gone)))
    files = _uploaded_files()
    if not files:
        return
    wait = try_spend("images")
    if wait:  # the store's photo budget is used up: nothing decoded, the form is kept
        form.upload_errors.append(wait_message(wait))
        g.haat_budget_wait = wait
        return
    store = current_store()
    count = (len(product.images) if product else 0) + len(form.staged)
    room = max(0, MAX_IMAGES - count)
    if len(files) > room:
        form.upload_errors.append(_(
            "A product can have at most %(n)s images; %(left)s of the photos you chose were "
            "not added.", n=number_filter(MAX_IMAGES),
            left=number_filter(len(files) - room)))
        files = files[:room]
    rows, refused = staging.stage_files(get_storage(), store.id, _image_stem(form.data), files)
    form.upload_errors.extend(refused)
    for offset, row in enumerate(rows, start=count + 1):
        form.staged[row.id] = {"alt": "", "position": str(offset)}
        form.staged_rows[row.id] = row
    db.session.commit()
    staging.process_later(store.id, rows)  # cleaning and resizing run in a job
    staging.remove_stale(get_storage(), store.id)


def _submit(product: Product | None) -> Response | tuple[str, int]:
    """Check the posted form and save it, or show it again with what is wrong."""
    store = current_store()
    form = pf.form_from_post(request.form)
    _keep_photos(form, product)
    if _helper_action(form, request.form.get("action", "save")):
        return _form_page(form, product, 422 if form.failed else 200, posted=True)

    collection_ids = {c.id for c in _collections()}
    values = pf.check_form(form, store.currency, product, collection_ids)
    if values is None or form.failed:
        wait = g.get("haat_budget_wait")
        if wait:
            body, _status = _form_page(form, product, 429, failed=True, posted=True)
            return Response(body, status=429, headers={"Retry-After": str(wait)})
        return _form_page(form, product, 422, failed=True, posted=True)
    try:
        saved = editing.save_product(product, values, form.staged_rows)
        db.session.commit()
        # A photo's job may have read its rows before this commit: check once more.
        staging.mark_when_ready(store.id, saved.images)
    except IntegrityError:  # another request took the handle or SKU meanwhile
        db.session.rollback()
        form.errors["handle"] = _("Another product took this handle or SKU a moment ago. "
                                  "Please check them and save again.")
        form.staged_rows = staging.staged_by_id(form.staged)
        return _form_page(form, _product_or_404(product.id) if product else None, 422,
                          failed=True, posted=True)
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


# ------------------------------------------------------------- photos chosen


@bp.post("/photos")
@login_required
def stage_photos() -> tuple[Response, int]:
    """The editor's script sends each photo here the moment it is chosen: it is stored
    as a staged image and the answer (JSON) names it for the form (``s<id>``)."""
    store = current_store()
    files = _uploaded_files()[:MAX_IMAGES]
    if not files:
        return jsonify(photos=[], errors=[_("Choose a photo to add.")]), 400
    wait = try_spend("images")
    if wait:
        response = jsonify(photos=[], errors=[wait_message(wait)])
        response.headers["Retry-After"] = str(wait)
        return response, 429
    rows, refused = staging.stage_files(get_storage(), store.id, _image_stem(request.form),
                                        files)
    db.session.commit()
    staging.process_later(store.id, rows)
    staging.remove_stale(get_storage(), store.id)
    return jsonify(
        photos=[{"id": row.id, "value": f"s{row.id}", "name": row.name,
                 "thumbnail": thumbnail_url(row)} for row in rows],
        errors=refused), 200 if rows else 422


@bp.post("/photos/<id:staged_id>/delete")
@login_required
def unstage_photo(staged_id: int) -> tuple[str, int]:
    """A photo chosen in the editor and taken out again before saving."""
    row = staging.staged_by_id([staged_id]).get(staged_id)
    if row is None:
        abort(404)
    staging.discard(get_storage(), current_store().id, [row])
    return "", 204


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
