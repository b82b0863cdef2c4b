"""Collections at ``/admin/collections``: create, edit, order products, delete.

Owners and staff both manage collections (catalogue work). The rules:

* title: 1 to 200 characters;
* handle: empty means "make one from the title" (``core.catalog.handles``); a typed
  handle is checked, not rewritten, must be unique among the store's collections and
  cannot be ``all`` (``/collections/all`` is the whole catalogue). Changing it keeps the
  old address working with a 301 (``core.catalog.redirects`` records it on flush);
* description: HTML sanitised with nh3 (``core.catalog.richtext``), at most 20,000
  characters as typed;
* collections are shown in the order of ``position`` (moved with up/down buttons on the
  list), and products inside one in the order of ``CollectionProduct.position``.

Deleting a collection deletes only the grouping: its products stay in the catalogue.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField

from core.admin.listing import page_number, paginate
from core.catalog.handles import handle_from_title, handle_problem, unique_handle
from core.catalog.models import Collection, CollectionProduct, Product
from core.catalog.richtext import sanitize_html
from core.db import db
from core.web.templating import ngettext, number_filter
from core.web.tenancy import current_store

bp = Blueprint("admin_collections", __name__, url_prefix="/admin/collections")

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
#: Handles the storefront uses itself.
RESERVED_HANDLES = frozenset({"all"})
#: How many products a search on the collection page offers to add.
CANDIDATES = 20
MAX_SEARCH = 100
MOVES = ("top", "up", "down", "bottom")
#: Row ids are 32-bit (as the ``<id:…>`` URL converter assumes).
MAX_ID = 2**31 - 1


def _trim(value: str | None) -> str:
    return (value or "").strip()


class CollectionForm(FlaskForm):
    """A collection as the merchant types it; :func:`_clean` checks it."""

    title = StringField(_l("Title"), filters=[_trim])
    handle = StringField(_l("Handle"), filters=[_trim])
    description = TextAreaField(_l("Description"), filters=[_trim])


# ---------------------------------------------------------------------- values


def _clean(form: CollectionForm, collection_id: int | None) -> dict[str, Any] | None:
    """The collection's column values, or ``None`` with each problem next to its field."""
    problems: dict[str, str] = {}
    title = form.title.data or ""
    if not title:
        problems["title"] = _("Enter a title, e.g. Summer sarees.")
    elif len(title) > MAX_TITLE:
        problems["title"] = _("Use at most %(count)s characters.", count=number_filter(MAX_TITLE))
    handle = form.handle.data or ""
    if handle:
        problem = handle_problem(handle)
        if problem is None and handle in RESERVED_HANDLES:
            problem = _("The address /collections/%(handle)s is taken by the store itself. "
                        "Choose another handle.", handle=handle)
        if problem is None and _handle_taken(handle, collection_id):
            problem = _("Another collection uses this handle. Choose another.")
        if problem:
            problems["handle"] = problem
    elif title and "title" not in problems:
        base = handle_from_title(title, fallback="collection")
        handle = unique_handle(Collection, "collection" if base in RESERVED_HANDLES else base,
                               exclude_id=collection_id)
    description = form.description.data or ""
    if len(description) > MAX_DESCRIPTION:
        problems["description"] = _("Use at most %(count)s characters.",
                                    count=number_filter(MAX_DESCRIPTION))
    for name, message in problems.items():
        getattr(form, name).errors.append(message)
    if problems:
        return None
    return {"title": title, "handle": handle, "description": sanitize_html(description)}


def _handle_taken(handle: str, collection_id: int | None) -> bool:
    query = select(Collection.id).where(Collection.handle == handle)
    if collection_id is not None:
        query = query.where(Collection.id != collection_id)
    return db.session.scalar(query) is not None


def _moved(ids: list[int], moving: int, where: str) -> list[int]:
    """``ids`` with ``moving`` moved to the top, up one, down one or to the bottom."""
    order = [i for i in ids if i != moving]
    at = ids.index(moving)
    target = {"top": 0, "up": max(at - 1, 0), "down": min(at + 1, len(order)),
              "bottom": len(order)}[where]
    order.insert(target, moving)
    return order


def _renumber(model: type, ordered: list[tuple[int, int]], new_order: list[int]) -> None:
    """Give the rows of ``model`` positions 0, 1, 2… in ``new_order``; only rows whose
    position changes are written. ``ordered`` is ``[(id, position)]`` as stored."""
    stored = dict(ordered)
    for position, row_id in enumerate(new_order):
        if stored.get(row_id) != position:
            db.session.execute(update(model).where(model.id == row_id)
                               .values(position=position))


# ----------------------------------------------------------------------- views


def _collection_or_404(collection_id: int) -> Collection:
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        abort(404)
    return collection


def _move_choice() -> str:
    where = request.form.get("to", "")
    if where not in MOVES:
        abort(400)
    return where


@bp.get("")
@login_required
def index() -> str:
    """Every collection in the order shoppers see them, with how many products each has."""
    products = (select(func.count(CollectionProduct.id))
                .where(CollectionProduct.collection_id == Collection.id)
                .correlate(Collection).scalar_subquery())
    page = paginate(select(Collection, products.label("products"))
                    .order_by(Collection.position, Collection.title, Collection.id),
                    select(func.count(Collection.id)), page_number(request.args.get("page")),
                    scalars=False)
    return render_template("admin/collections/index.html", store=current_store(), page=page)


def _form_page(form: CollectionForm, collection: Collection | None, status: int = 200,
               **context: Any) -> tuple[str, int]:
    body = render_template("admin/collections/form.html", store=current_store(), form=form,
                           collection=collection, failed=status == 422, **context)
    return body, status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create() -> Response | tuple[str, int]:
    """A new collection, placed after the others."""
    if request.method == "GET":
        return _form_page(CollectionForm(formdata=None), None)
    form = CollectionForm()
    form.validate()
    values = _clean(form, None)
    if values is None:
        return _form_page(form, None, 422)
    last = db.session.scalar(select(func.max(Collection.position)))
    collection = Collection(position=(last + 1) if last is not None else 0, **values)
    db.session.add(collection)
    if not _commit(form):
        return _form_page(form, None, 422)
    flash(_("Collection %(title)s created. Now add products to it.", title=collection.title),
          "success")
    return redirect(url_for("admin_collections.edit", collection_id=collection.id), 303)


def _commit(form: CollectionForm) -> bool:
    """Commit; ``False`` (with the handle marked) when another request took the handle."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.handle.errors.append(_("Another collection uses this handle. Choose another."))
        return False
    return True


def _edit_context(collection: Collection) -> dict[str, Any]:
    """The collection's products (a page of them) and products that could be added."""
    members = paginate(
        select(Product, CollectionProduct.position)
        .join(CollectionProduct, CollectionProduct.product_id == Product.id)
        .where(CollectionProduct.collection_id == collection.id)
        .order_by(CollectionProduct.position, CollectionProduct.id),
        select(func.count(CollectionProduct.id))
        .where(CollectionProduct.collection_id == collection.id),
        page_number(request.args.get("page")), scalars=False)
    search = (request.args.get("q") or "").strip()[:MAX_SEARCH]
    inside = select(CollectionProduct.product_id).where(
        CollectionProduct.collection_id == collection.id)
    candidates = select(Product).where(Product.id.not_in(inside))
    if search:
        candidates = candidates.where(or_(Product.title.icontains(search, autoescape=True),
                                          Product.sku.icontains(search, autoescape=True),
                                          Product.handle.icontains(search, autoescape=True)))
    found = list(db.session.scalars(
        candidates.order_by(Product.created_at.desc(), Product.id.desc()).limit(CANDIDATES)))
    return {"members": members, "search": search, "candidates": found}


@bp.route("/<id:collection_id>", methods=["GET", "POST"])
@login_required
def edit(collection_id: int) -> Response | tuple[str, int]:
    """Change a collection's title, handle and description; its products are listed below
    with buttons to reorder and remove them, and a search to add more."""
    collection = _collection_or_404(collection_id)
    if request.method == "GET":
        form = CollectionForm(formdata=None, data={
            "title": collection.title, "handle": collection.handle,
            "description": collection.description})
        return _form_page(form, collection, **_edit_context(collection))
    form = CollectionForm()
    form.validate()
    values = _clean(form, collection.id)
    if values is None:
        return _form_page(form, collection, 422, **_edit_context(collection))
    old_handle = collection.handle
    for name, value in values.items():
        setattr(collection, name, value)
    if not _commit(form):
        collection = _collection_or_404(collection_id)
        return _form_page(form, collection, 422, **_edit_context(collection))
    if collection.handle != old_handle:
        flash(_("Collection %(title)s saved. Its old address /collections/%(old)s now leads "
                "to the new one.", title=collection.title, old=old_handle), "success")
    else:
        flash(_("Collection %(title)s saved.", title=collection.title), "success")
    return redirect(url_for("admin_collections.edit", collection_id=collection.id), 303)


@bp.post("/<id:collection_id>/move")
@login_required
def move(collection_id: int) -> Response:
    """Move a collection to the top, up, down or to the bottom of the store's list."""
    collection = _collection_or_404(collection_id)
    where = _move_choice()
    ordered = [tuple(row) for row in db.session.execute(
        select(Collection.id, Collection.position)
        .order_by(Collection.position, Collection.title, Collection.id))]
    _renumber(Collection, ordered, _moved([i for i, _p in ordered], collection.id, where))
    db.session.commit()
    flash(_("Collection %(title)s moved.", title=collection.title), "success")
    return redirect(url_for("admin_collections.index", page=request.form.get("page") or None)
                    + f"#collection-{collection.id}", 303)


def _member_ids(form_values: list[str]) -> list[int]:
    ids = []
    for raw in form_values:
        # ASCII only ("²".isdigit() is true but int() refuses it), and no larger than a
        # 32-bit id (PostgreSQL refuses to compare an integer column with more).
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
            abort(404)
        ids.append(int(raw))
    return list(dict.fromkeys(ids))


@bp.post("/<id:collection_id>/products")
@login_required
def add_products(collection_id: int) -> Response:
    """Add the ticked products (``product_id``, repeated) at the end of the collection.
    An id that is not one of the store's products is not found (404)."""
    collection = _collection_or_404(collection_id)
    wanted = _member_ids(request.form.getlist("product_id"))
    if not wanted:
        flash(_("Tick at least one product to add."), "error")
        return redirect(url_for("admin_collections.edit", collection_id=collection.id)
                        + "#add-products", 303)
    found = set(db.session.scalars(select(Product.id).where(Product.id.in_(wanted))))
    if found != set(wanted):
        abort(404)
    inside = set(db.session.scalars(select(CollectionProduct.product_id).where(
        CollectionProduct.collection_id == collection.id,
        CollectionProduct.product_id.in_(wanted))))
    last = db.session.scalar(select(func.max(CollectionProduct.position)).where(
        CollectionProduct.collection_id == collection.id))
    position = (last + 1) if last is not None else 0
    added = 0
    for product_id in wanted:
        if product_id in inside:
            continue
        db.session.add(CollectionProduct(collection_id=collection.id, product_id=product_id,
                                         position=position))
        position += 1
        added += 1
    try:
        db.session.commit()
    except IntegrityError:  # added meanwhile by another request: nothing lost
        db.session.rollback()
    if added:
        flash(ngettext("%(num)s product added to %(title)s.",
                       "%(num)s products added to %(title)s.", added, title=collection.title),
              "success")
    else:
        flash(_("Those products were already in %(title)s.", title=collection.title), "info")
    return redirect(url_for("admin_collections.edit", collection_id=collection.id)
                    + "#collection-products", 303)


def _membership_or_404(collection: Collection, product_id: int) -> CollectionProduct:
    membership = db.session.scalar(select(CollectionProduct).where(
        CollectionProduct.collection_id == collection.id,
        CollectionProduct.product_id == product_id))
    if membership is None:
        abort(404)
    return membership


@bp.post("/<id:collection_id>/products/<id:product_id>/move")
@login_required
def move_product(collection_id: int, product_id: int) -> Response:
    """Move a product to the top, up, down or to the bottom inside the collection."""
    collection = _collection_or_404(collection_id)
    membership = _membership_or_404(collection, product_id)
    where = _move_choice()
    ordered = [tuple(row) for row in db.session.execute(
        select(CollectionProduct.id, CollectionProduct.position)
        .where(CollectionProduct.collection_id == collection.id)
        .order_by(CollectionProduct.position, CollectionProduct.id))]
    _renumber(CollectionProduct, ordered,
              _moved([i for i, _p in ordered], membership.id, where))
    db.session.commit()
    flash(_("Product moved."), "success")
    return redirect(url_for("admin_collections.edit", collection_id=collection.id,
                            page=request.form.get("page") or None)
                    + f"#member-{product_id}", 303)


@bp.post("/<id:collection_id>/products/<id:product_id>/remove")
@login_required
def remove_product(collection_id: int, product_id: int) -> Response:
    """Take a product out of the collection (the product itself stays)."""
    collection = _collection_or_404(collection_id)
    membership = _membership_or_404(collection, product_id)
    title = membership.product.title
    db.session.delete(membership)
    db.session.commit()
    flash(_("%(product)s removed from %(title)s. The product itself is unchanged.",
            product=title, title=collection.title), "success")
    return redirect(url_for("admin_collections.edit", collection_id=collection.id)
                    + "#collection-products", 303)


@bp.route("/<id:collection_id>/delete", methods=["GET", "POST"])
@login_required
def delete(collection_id: int) -> Response | str:
    """Ask first (GET), then delete the collection (POST). Its products stay."""
    collection = _collection_or_404(collection_id)
    if request.method == "GET":
        count = db.session.scalar(select(func.count(CollectionProduct.id)).where(
            CollectionProduct.collection_id == collection.id)) or 0
        return render_template("admin/collections/delete.html", store=current_store(),
                               collection=collection, count=count)
    title = collection.title
    db.session.delete(collection)
    db.session.commit()
    flash(_("Collection %(title)s deleted. Its products are still in your catalogue.",
            title=title), "success")
    return redirect(url_for("admin_collections.index"), 303)

