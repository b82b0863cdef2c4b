"""The review forms shoppers use (blueprint ``reviews_write``):

* ``/reviews/write/<handle>``: a signed-in shopper writes or edits their review of one
  product ("verified buyer" when they bought it); a guest may write an anonymous one
  when the merchant allows it, else the page explains how to sign in.
* ``/reviews/r/<token>``: the link of a review-request message, with no sign-in: one
  small form per product of the order, each sent on its own (a shopper on a phone rates
  one product, sees it saved, and moves on or stops; a refused photo costs one form).

Both pages are personal (never cached, no referrer, so the link's token stays put) and
every submission goes through :func:`submission.submit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from flask import Blueprint, abort, current_app, make_response, redirect, request, url_for
from sqlalchemy import update
from werkzeug.wrappers import Response

from core.sdk import (
    OrderSnapshot,
    ProductSnapshot,
    ShopperIdentity,
    StoreInfo,
    current_shopper,
    current_store,
    customer_orders,
    flash_message,
    get_order,
    get_products,
    product_by_handle,
    rate_limit,
    render_page,
    store_session,
)

from . import photos
from .models import Review, ReviewRequest, now
from .requests import request_for_token
from .settings import settings_of
from .submission import (
    BODY_LIMIT,
    NAME_LIMIT,
    TITLE_LIMIT,
    Draft,
    Reviewer,
    aware,
    draft_of,
    editable,
    find_reviews,
    read_form,
    submit,
    thanks,
)
from .writing_text import _

bp = Blueprint("reviews_write", __name__, template_folder="templates")

#: Each submission writes rows and files.
WRITE_LIMIT = "10 per minute; 50 per day"
#: The link's page, shown and sent: a token could be guessed at, so looks count too.
LINK_LIMIT = "20 per minute; 200 per day"
#: Orders in these states never give a "verified buyer" (nor a working request link):
#: the goods did not stay with the shopper, or the money went back.
UNBOUGHT = frozenset({"cancelled", "returned"})
UNPAID = frozenset({"refunded", "failed"})


def kept(order: OrderSnapshot) -> bool:
    """True when the shopper kept what ``order`` bought (so may review it as a buyer)."""
    return order.fulfilment_state not in UNBOUGHT and order.payment_state not in UNPAID
LIMITS = {"title": TITLE_LIMIT, "body": BODY_LIMIT, "author_name": NAME_LIMIT,
          "photos": photos.MAX_PHOTOS}


def _private(body: str, status: int = 200) -> Response:
    """A personal page: never stored by a cache, and no referrer (a request link's
    token must not leave the page)."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _thumb(store: StoreInfo):
    return lambda photo: photos.thumb_url(store, photo)


def _render(template: str, title: str, **context: object) -> str:
    store = current_store()
    # A form larger than this is refused by Haat before any page of ours sees it (413,
    # everything typed lost), so the form says how much fits.
    most = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    limits = {**LIMITS, "upload_mb": max(1, most // (1024 * 1024))}
    return render_page(template, title=title, t=_, limits=limits, thumb=_thumb(store),
                       **context)


# --------------------------------------------------------------- a product's form


def signed_in_reviewer(store: StoreInfo, shopper: ShopperIdentity,
                       product_id: int) -> tuple[Reviewer, str]:
    """The signed-in shopper as a reviewer of ``product_id`` (verified when a delivered
    order of theirs that was not returned or refunded has it), and the name of their newest
    order's address to fill in."""
    orders = customer_orders(store, shopper.customer_ids)
    # Delivered, and kept: an order placed a minute ago (or one that will be cancelled)
    # is not yet a purchase to vouch for.
    bought = next((o for o in orders if kept(o) and o.fulfilment_state == "delivered"
                   and any(line.product_id == product_id for line in o.lines)), None)
    name = next((o.address.name for o in orders if o.address and o.address.name), "")
    if bought is not None and bought.customer_id is not None:
        customer = bought.customer_id
    else:
        customer = min(shopper.customer_ids)
    return Reviewer(customer_id=customer, order_id=bought.id if bought else None,
                    key=f"c:{customer}", verified=bought is not None), name


@bp.route("/reviews/write/<handle>", methods=["GET", "POST"])
@rate_limit(WRITE_LIMIT)
def write(handle: str) -> Response:
    """Write, or edit, a review of one product."""
    store = current_store()
    product = product_by_handle(store, handle)
    if product is None or product.status != "active":
        abort(404)
    shopper = current_shopper()
    known = shopper is not None and bool(shopper.customer_ids)
    if not known and not settings_of(store).allow_anonymous:
        status = 403 if request.method == "POST" else 200
        return _private(_render(
            "reviews/write_sign_in.html", _("Review %(product)s", product=product.title),
            product=product, signed_in=shopper is not None,
            sign_in_url=store.url("account/sign-in") + "?next=" + quote(request.path)), status)
    if known:
        reviewer, name = signed_in_reviewer(store, shopper, product.id)
        keys = [f"c:{i}" for i in shopper.customer_ids]
        existing = find_reviews(store, [product.id], keys).get(product.id)
    else:
        reviewer, name, existing = Reviewer(anonymous=True), "", None
    if request.method == "POST":
        draft = read_form(request.form, request.form.getlist("remove_photo"))
        uploads = photos.uploads_from(request.files.getlist("photos"))
        outcome = submit(store, product.id, reviewer, draft, uploads, existing)
        if outcome.problems:
            return _private(_product_page(product, reviewer, existing, draft,
                                          outcome.problems, bool(uploads)), 422)
        flash_message(thanks(outcome.review))
        return redirect(store.url(f"products/{product.handle}"), code=303)
    draft = draft_of(existing) if existing is not None else Draft(author_name=name)
    return _private(_product_page(product, reviewer, existing, draft, {}, False))


def _product_page(product: ProductSnapshot, reviewer: Reviewer, existing: Review | None,
                  draft: Draft, problems: Mapping[str, str], had_photos: bool) -> str:
    title = (_("Your review of %(product)s", product=product.title) if existing is not None
             else _("Review %(product)s", product=product.title))
    return _render("reviews/write_page.html", title, product=product, reviewer=reviewer,
                   review=existing, draft=draft, problems=problems, had_photos=had_photos,
                   can_edit=existing is None or editable(existing),
                   action=url_for("reviews_write.write", handle=product.handle,
                                  _anchor="write-review"),
                   product_url=current_store().url(f"products/{product.handle}"))


# ------------------------------------------------------------- a request's link


def open_request(store: StoreInfo, token: str) -> tuple[ReviewRequest, OrderSnapshot] | None:
    """The review request whose link (first or reminder) carries ``token``, and its
    order; ``None`` when the link does not work (unknown, expired, cancelled, or the
    order was cancelled or returned)."""
    found = request_for_token(store, token)
    if found is None or found.state == "cancelled" or aware(found.expires_at) <= now():
        return None
    order = get_order(store, found.order_id)
    if order is None or not kept(order):
        return None
    return found, order


def order_reviewer(order: OrderSnapshot) -> Reviewer:
    """The shopper of ``order``, as a verified reviewer."""
    key = f"c:{order.customer_id}" if order.customer_id is not None else f"o:{order.id}"
    return Reviewer(customer_id=order.customer_id, order_id=order.id, key=key, verified=True)


def _mark_done(store: StoreInfo, request_id: int) -> None:
    with store_session(store) as session:
        session.execute(update(ReviewRequest).where(
            ReviewRequest.id == request_id, ReviewRequest.state.not_in(("done", "cancelled")))
            .values(state="done"))


@bp.route("/reviews/r/<token>", methods=["GET", "POST"])
@rate_limit(LINK_LIMIT, methods=("GET", "POST"))
def request_link(token: str) -> Response:
    """Rate each product of an order, from the review request's link."""
    store = current_store()
    found = open_request(store, token)
    if found is None:
        return _private(_render(
            "reviews/write_invalid.html", _("This link is no longer valid"),
            home_url=store.url("")), 404)
    review_request, order = found
    ids = list(dict.fromkeys(line.product_id for line in order.lines if line.product_id))
    products = get_products(store, ids)
    reviewer = order_reviewer(order)
    reviews = find_reviews(store, [p.id for p in products], [reviewer.key])
    drafts = {pid: draft_of(review) for pid, review in reviews.items()}
    name = order.address.name if order.address else ""
    problems: dict[int, Mapping[str, str]] = {}
    had_photos: dict[int, bool] = {}
    if request.method == "POST":
        chosen = request.form.get("product_id", "")
        product = next((p for p in products if str(p.id) == chosen), None)
        if product is None:
            abort(404)
        draft = read_form(request.form, request.form.getlist("remove_photo"))
        uploads = photos.uploads_from(request.files.getlist("photos"))
        outcome = submit(store, product.id, reviewer, draft, uploads, reviews.get(product.id))
        if outcome.problems:
            drafts[product.id], problems[product.id] = draft, outcome.problems
            had_photos[product.id] = bool(uploads)
            return _private(_request_page(token, products, reviews, drafts, name, problems,
                                          had_photos), 422)
        reviews[product.id] = outcome.review
        if all(p.id in reviews for p in products):
            _mark_done(store, review_request.id)
        flash_message(thanks(outcome.review))
        following = next((p.id for p in products if p.id not in reviews), product.id)
        return redirect(url_for("reviews_write.request_link", token=token,
                                _anchor=f"review-{following}"), code=303)
    return _private(_request_page(token, products, reviews, drafts, name, problems, had_photos))


def _request_page(token: str, products: list[ProductSnapshot], reviews: Mapping[int, Review],
                  drafts: Mapping[int, Draft], name: str,
                  problems: Mapping[int, Mapping[str, str]],
                  had_photos: Mapping[int, bool]) -> str:
    return _render("reviews/write_request.html", _("Rate your order"), products=products,
                   reviews=reviews, drafts=drafts, default=Draft(author_name=name),
                   problems=problems, had_photos=had_photos, editable=editable,
                   action=url_for("reviews_write.request_link", token=token),
                   stop_url=url_for("reviews_requests.stop", token=token))
