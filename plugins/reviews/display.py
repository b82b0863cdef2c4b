"""The storefront's review pages: all reviews of a product (``/reviews/product/<handle>``),
the customer wall (``/reviews``) and the abuse report form
(``POST /reviews/<id>/report``).

Every page is a plain GET page in the store's theme (``render_page``); sorting, the
filter by stars and the pages are links and GET forms, so they work without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, redirect, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.sdk import (
    ProductSnapshot,
    StoreInfo,
    current_locale,
    current_shopper,
    current_store,
    flash_message,
    format_number,
    get_products,
    rate_limit,
    render_page,
    store_session,
)

from . import display_data as data
from .display_text import _
from .models import REPORT_REASONS, ReviewReport
from .tokens import contact_hash

bp = Blueprint("reviews_display", __name__, template_folder="templates")

#: A shopper may send this many reports a minute (each one is a row for the merchant).
REPORTS_PER_MINUTE = "10 per minute"
NOTE_LIMIT = 500


def sort_labels() -> list[tuple[str, str]]:
    """The list's orders and their names, in the shopper's language."""
    return [("newest", _("Newest first")), ("highest", _("Highest rating first")),
            ("lowest", _("Lowest rating first")), ("photos", _("With photos"))]


def reason_labels() -> list[tuple[str, str]]:
    """``REPORT_REASONS`` with their names, in the shopper's language."""
    names = {"spam": _("Spam or advertising"), "offensive": _("Rude, hateful or offensive"),
             "off_topic": _("Not about this product"),
             "private": _("Shares someone's private details"), "other": _("Something else")}
    return [(reason, names[reason]) for reason in REPORT_REASONS]


def write_url(handle: str) -> str:
    """Where a shopper writes a review of ``handle`` (another part of the plugin)."""
    return f"/reviews/write/{quote(handle)}"


def list_url(handle: str) -> str:
    """The page of all of a product's reviews."""
    return f"/reviews/product/{quote(handle)}"


def _int_arg(args: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if low <= value <= high else None


def list_state(args: Mapping[str, str]) -> tuple[str, int | None, int]:
    """``(sort, stars, page)`` from a query string or a form; anything odd is ignored."""
    sort = args.get("sort") or ""
    return (sort if sort in data.SORTS else data.SORTS[0], _int_arg(args, "stars", 1, 5),
            _int_arg(args, "page", 1, 10**6) or 1)


def _lang() -> str:
    """``?lang=`` to keep in the page's links, for a language other than the store's."""
    lang = request.args.get("lang") or ""
    return lang if lang in ("en", "bn", "hy") else ""


def _link(path: str, **params: Any) -> str:
    """``path`` with the list's parameters, leaving out the defaults (so page 1 of the
    newest-first list is the clean URL)."""
    defaults = {"sort": data.SORTS[0], "stars": None, "page": 1, "lang": ""}
    kept = [(k, v) for k, v in params.items() if v not in (None, "") and v != defaults.get(k)]
    return path + ("?" + urlencode(kept) if kept else "")


def _product_or_404(store: StoreInfo, handle: str) -> ProductSnapshot:
    product = data.active_product(store, handle)
    if product is None:
        abort(404)
    return product


def _list_page(product: ProductSnapshot, sort: str, stars: int | None, page: int) -> str:
    store = current_store()
    found = data.review_page(store, product.id, sort=sort, stars=stars, page=page)
    lang = _lang()
    base = list_url(product.handle)
    clean = sort == data.SORTS[0] and stars is None
    canonical = store.url(_link(base, page=found.page, lang=lang).lstrip("/")) if clean else ""
    locale = current_locale()
    if stars:
        heading = _.ngettext("%(num)s review rated %(stars)s out of %(best)s",
                             "%(num)s reviews rated %(stars)s out of %(best)s", found.total,
                             num=format_number(store, found.total, locale),
                             stars=format_number(store, stars, locale),
                             best=format_number(store, 5, locale))
    else:
        heading = dict(sort_labels())[sort]
    return render_page(
        "reviews/show_list.html", title=_("Reviews of %(product)s", product=product.title),
        description=_("What shoppers say about %(product)s.", product=product.title),
        t=_, product=product, data=found, sort=sort, stars=stars, lang=lang,
        sorts=sort_labels(), heading=heading, canonical=canonical,
        write_url=write_url(product.handle),
        report_link_for=lambda review_id: _link(f"/reviews/{review_id}/report", sort=sort,
                                                stars=stars, page=found.page, lang=lang),
        star_link=lambda n: _link(base, stars=n, lang=lang),
        page_link=lambda n: _link(base, sort=sort, stars=stars, page=n, lang=lang))


@bp.get("/reviews/product/<handle>")
def product_reviews(handle: str) -> str:
    """All published reviews of a product: summary, sort, stars filter, pages."""
    product = _product_or_404(current_store(), handle)
    return _list_page(product, *list_state(request.args))


@bp.get("/reviews")
def wall() -> str:
    """The customer wall: the reviews the merchant featured, newest first."""
    store = current_store()
    page = _int_arg(request.args, "page", 1, 10**6) or 1
    found = data.wall_page(store, page)
    lang = _lang()
    shown = [r for r in found.reviews if r.product_id in found.products]
    return render_page(
        "reviews/show_wall.html", title=_("What our customers say"),
        description=_("Reviews from %(store)s's customers.", store=store.name),
        t=_, data=found, shown=shown,
        canonical=store.url(_link("/reviews", page=found.page, lang=lang).lstrip("/")),
        page_link=lambda n: _link("/reviews", page=n, lang=lang))


def reporter_hash(store: StoreInfo) -> str:
    """Who reports, as a hash: the signed-in shopper's contact, else the client address."""
    shopper = current_shopper()
    who = shopper.address if shopper is not None else f"ip:{request.remote_addr or ''}"
    return contact_hash(store.id, who)


def _reported(store: StoreInfo, review_id: int) -> tuple[Any, ProductSnapshot]:
    """The published review of this store and its active product, or 404."""
    review = data.published_review(store, review_id)
    if review is None:
        abort(404)
    products = [p for p in get_products(store, [review.product_id]) if p.status == "active"]
    if not products:
        abort(404)
    return review, products[0]


def _report_page(review: Any, product: ProductSnapshot, args: Any,
                 form: dict[str, str] | None = None,
                 problems: dict[str, str] | None = None) -> str:
    sort, stars, page = list_state(args)
    lang = _lang()
    return render_page(
        "reviews/show_report.html", title=_("Report a review"), t=_, review=review,
        product=product, sort=sort, stars=stars, page=page, reasons=reason_labels(),
        note_limit=NOTE_LIMIT, form=form or {"reason": "", "note": ""},
        problems=problems or {},
        action=_link(f"/reviews/{review.id}/report", lang=lang),
        back=_link(list_url(product.handle), sort=sort, stars=stars, page=page, lang=lang)
        + f"#review-{review.id}")


@bp.get("/reviews/<int:review_id>/report")
def report_form(review_id: int) -> str:
    """The form to report one published review of this store."""
    review, product = _reported(current_store(), review_id)
    return _report_page(review, product, request.args)


@bp.post("/reviews/<int:review_id>/report")
@rate_limit(REPORTS_PER_MINUTE)
def report(review_id: int) -> Response | tuple[str, int]:
    """Report a published review of this store as abusive; one report per reporter."""
    store = current_store()
    review, product = _reported(store, review_id)
    sort, stars, page = list_state(request.form)
    form = {"reason": request.form.get("reason", ""),
            "note": request.form.get("note", "").strip()}
    problems = {}
    if form["reason"] not in REPORT_REASONS:
        problems["reason"] = _("Choose why you are reporting this review.")
    if len(form["note"]) > NOTE_LIMIT:
        problems["note"] = _("Keep the note under %(num)s characters.",
                             num=format_number(store, NOTE_LIMIT, current_locale()))
    if problems:
        return _report_page(review, product, request.form, form, problems), 422
    who = reporter_hash(store)
    try:
        with store_session(store) as session:
            exists = session.scalar(select(ReviewReport.id).where(
                ReviewReport.review_id == review_id, ReviewReport.reporter_hash == who))
            if exists is None:
                session.add(ReviewReport(review_id=review_id, reason=form["reason"],
                                         note=form["note"], reporter_hash=who))
    except IntegrityError:
        pass  # the same reporter twice at once: one report is kept, as wanted
    flash_message(_("Thank you, the shop will look at it."))
    back = _link(list_url(product.handle), sort=sort, stars=stars, page=page,
                 lang=_lang()) + f"#review-{review_id}"
    return redirect(back, code=303)

