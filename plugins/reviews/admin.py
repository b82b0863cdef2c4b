"""The merchant's side of reviews: the moderation list and a review's page under
``/admin/reviews``, the CSV export, the admin menu entry and the dashboard panel.

Haat lets only the store's signed-in staff reach these routes; deleting and exporting
are for the owner. The pages are drawn inside the admin with ``render_admin_page``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import case, distinct, func, select
from werkzeug.wrappers import Response

from core.sdk import (
    AdminMenuItem,
    DashboardPanel,
    ProductSnapshot,
    StoreInfo,
    current_locale,
    current_store,
    delete_image,
    flash_message,
    format_number,
    get_products,
    hookimpl,
    owner_required,
    pages_changed,
    render_admin_page,
    store_session,
)

from . import aggregates, i18n
from .admin_csv import export_response
from .manage_text import _
from .models import Review, ReviewReport, ReviewRevision
from .photos import thumb_url
from .requests import now

PLUGIN = "reviews"
PER_PAGE = 25
REPLY_LIMIT = 2000
TABS = ("waiting", "published", "hidden", "reported")
TAB_STATES = {"waiting": ("pending", "held"), "published": ("published",),
              "hidden": ("hidden",)}
TAB_LABELS = {"waiting": _.lazy("Waiting"), "published": _.lazy("Published"),
              "hidden": _.lazy("Hidden"), "reported": _.lazy("Reported")}
STATUS_LABELS = {"pending": _.lazy("Waiting for approval"),
                 "held": _.lazy("Held by the spam filter"),
                 "published": _.lazy("Published"), "hidden": _.lazy("Hidden")}
REPORT_REASONS = {"spam": _.lazy("Spam or advertising"), "offensive": _.lazy("Offensive"),
                  "off_topic": _.lazy("Not about the product"),
                  "private": _.lazy("Shares private information"),
                  "other": _.lazy("Something else")}
#: Why the spam filter held a review, by the code the filter writes.
HELD_REASONS = {"link": _.lazy("It contains a link."),
                "links": _.lazy("It contains a link."),
                "phone": _.lazy("It contains a phone number."),
                "repeated": _.lazy("It repeats the same text."),
                "word": _.lazy("It contains a word from your list.")}
#: Weeks of the dashboard's rating trend.
TREND_WEEKS = 8

bp = Blueprint("reviews_admin", __name__, template_folder="templates")


# ----------------------------------------------------------------- helpers


def held_reason_text(reason: str) -> str:
    """The spam filter's reason in the staff member's language: known codes
    (``link``, ``phone``, ``repeated``, ``word:<word>``) are translated; a sentence is
    looked up in the plugin's main catalogue, else shown as written."""
    parts = []
    for part in (p.strip() for p in re.split(r"[;,\n]", reason or "")):
        if not part:
            continue
        code, _sep, word = part.partition(":")
        if code == "word" and word:
            parts.append(_("It contains “%(word)s”, a word from your list.", word=word))
        elif code in HELD_REASONS:
            parts.append(str(HELD_REASONS[code]))
        else:
            parts.append(i18n._(part))
    return " ".join(dict.fromkeys(parts))


def decimal_text(store: StoreInfo, value: float, locale: str) -> str:
    """``value`` to one decimal place in the store's digits (``4.5``, ``৪.৫``, ``4,5``)."""
    tenths = round(value * 10)
    whole, tenth = divmod(tenths, 10)
    separator = "," if locale == "hy" else "."
    return f"{format_number(store, whole, locale)}{separator}{format_number(store, tenth, locale)}"


def _int_arg(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        return None
    return int(raw)


def _review_or_404(session, review_id: int) -> Review:
    # The store's scope filters every query: another store's id is simply not found.
    review = session.get(Review, review_id)
    if review is None:
        abort(404)
    return review


def _back(review_id: int) -> Response:
    """After an action: back to the list the merchant acted from (``next``, a path of
    the reviews admin only), so approving the queue is one click per review; else to
    the review's page."""
    wanted = request.form.get("next", "")
    if wanted.startswith("/admin/reviews") and "//" not in wanted and "\\" not in wanted:
        return redirect(wanted, code=303)
    return redirect(url_for("reviews_admin.review", review_id=review_id), code=303)


def product_label(products: dict[int, ProductSnapshot], product_id: int) -> str:
    product = products.get(product_id)
    return product.title if product is not None else _("Deleted product (#%(id)s)",
                                                      id=product_id)


# -------------------------------------------------------------------- list


@dataclass(frozen=True)
class Summary:
    """A product's rating summary, ready to show."""

    count: str
    average: str
    bars: tuple[tuple[int, str, int], ...]  # (stars, count, percent)


def product_summary(store: StoreInfo, product_id: int, locale: str) -> Summary | None:
    """The product's precomputed rating summary (``None`` without published reviews)."""
    stat = aggregates.stat_for(store, product_id)
    if stat is None or stat.count <= 0:
        return None
    counts = {5: stat.stars_5, 4: stat.stars_4, 3: stat.stars_3, 2: stat.stars_2,
              1: stat.stars_1}
    return Summary(
        count=format_number(store, stat.count, locale),
        average=decimal_text(store, stat.total / stat.count, locale),
        bars=tuple((n, format_number(store, c, locale), round(100 * c / stat.count))
                   for n, c in counts.items()))


@bp.get("/admin/reviews")
def review_list() -> str:
    """The moderation list: a tab, an optional star and product filter, 25 a page."""
    store = current_store()
    locale = current_locale()
    tab = request.args.get("tab", "waiting")
    tab = tab if tab in TABS else "waiting"
    stars = _int_arg("stars", 1, 5)
    product_id = _int_arg("product", 1, 2**31 - 1)
    page = _int_arg("page", 1, 100_000) or 1
    unresolved = ReviewReport.resolved_at.is_(None)
    with store_session(store) as session:
        query = select(Review)
        if tab == "reported":
            query = query.where(Review.id.in_(
                select(ReviewReport.review_id).where(unresolved)))
        else:
            query = query.where(Review.status.in_(TAB_STATES[tab]))
        if stars:
            query = query.where(Review.rating == stars)
        if product_id:
            query = query.where(Review.product_id == product_id)
        rows = list(session.scalars(
            query.order_by(Review.created_at.desc(), Review.id.desc())
            .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
        by_status = dict(session.execute(
            select(Review.status, func.count(Review.id)).group_by(Review.status)).all())
        reported = session.scalar(
            select(func.count(distinct(ReviewReport.review_id))).where(unresolved)) or 0
        report_counts = dict(session.execute(
            select(ReviewReport.review_id, func.count(ReviewReport.id))
            .where(unresolved, ReviewReport.review_id.in_([r.id for r in rows]))
            .group_by(ReviewReport.review_id)).all()) if rows else {}
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    ids = sorted({r.product_id for r in rows} | ({product_id} if product_id else set()))
    products = {p.id: p for p in get_products(store, ids)} if ids else {}
    tab_counts = {"waiting": by_status.get("pending", 0) + by_status.get("held", 0),
                  "published": by_status.get("published", 0),
                  "hidden": by_status.get("hidden", 0), "reported": reported}

    def link(**changes: object) -> str:
        args = {"tab": tab, "stars": stars, "product": product_id, "page": None, **changes}
        return url_for("reviews_admin.review_list",
                       **{k: v for k, v in args.items() if v not in (None, "")})

    return render_admin_page(
        "reviews/admin_list.html", title=_("Reviews"), t=_, tab=tab, tabs=TABS,
        tab_labels=TAB_LABELS, tab_counts={k: format_number(store, v, locale)
                                           for k, v in tab_counts.items()},
        stars=stars, product_id=product_id, reviews=rows, page=page, more=more,
        link=link, product_label=lambda pid: product_label(products, pid),
        status_label=lambda s: STATUS_LABELS.get(s, s), held_reason=held_reason_text,
        report_counts={k: format_number(store, v, locale) for k, v in report_counts.items()},
        summary=product_summary(store, product_id, locale) if product_id else None,
        summary_product=product_label(products, product_id) if product_id else "",
        thumb=lambda photo: thumb_url(store, photo),
        num=lambda n: format_number(store, n, locale))


# ------------------------------------------------------------------ review


def _review_page(review_id: int, reply: str | None = None, problem: str = "") -> str:
    store = current_store()
    locale = current_locale()
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
        revisions = list(session.scalars(
            select(ReviewRevision).where(ReviewRevision.review_id == review_id)
            .order_by(ReviewRevision.replaced_at.desc(), ReviewRevision.id.desc())))
        reports = list(session.scalars(
            select(ReviewReport).where(ReviewReport.review_id == review_id)
            .order_by(ReviewReport.resolved_at.is_not(None), ReviewReport.created_at.desc())))
    products = {p.id: p for p in get_products(store, [review.product_id])}
    return render_admin_page(
        "reviews/admin_review.html", title=_("Review of %(product)s",
                                             product=product_label(products, review.product_id)),
        t=_, review=review, revisions=revisions, reports=reports,
        status_label=STATUS_LABELS.get(review.status, review.status),
        held_reason=held_reason_text(review.held_reason),
        reason_label=lambda r: REPORT_REASONS.get(r, r),
        reply=review.reply if reply is None else reply, problem=problem,
        reply_limit=REPLY_LIMIT, thumb=lambda photo: thumb_url(store, photo),
        num=lambda n: format_number(store, n, locale))


@bp.get("/admin/reviews/<int:review_id>")
def review(review_id: int) -> str:
    """One review: its text and photos, the actions, the reply, history and reports."""
    return _review_page(review_id)


@bp.post("/admin/reviews/<int:review_id>/status")
def set_status(review_id: int) -> Response:
    """Publish (approve) or hide a review; the product's rating follows."""
    action = request.form.get("action", "")
    wanted = {"publish": "published", "hide": "hidden"}.get(action)
    if wanted is None:
        abort(400)
    store = current_store()
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
        review.status = wanted
        review.updated_at = now()
        if wanted == "published" and review.published_at is None:
            review.published_at = now()
        if wanted == "hidden":
            review.featured = False
        product_id = review.product_id
    aggregates.refresh(store, [product_id])
    flash_message(_("The review is published.") if wanted == "published"
                  else _("The review is hidden."))
    return _back(review_id)


@bp.post("/admin/reviews/<int:review_id>/reply")
def reply(review_id: int) -> Response | tuple[str, int]:
    """Write, change or remove the store's public reply."""
    store = current_store()
    removing = request.form.get("action") == "remove"
    text = "" if removing else request.form.get("reply", "").strip()
    if not removing and not text:
        return _review_page(review_id, text, _("Write a reply, or remove it.")), 422
    if len(text) > REPLY_LIMIT:
        return _review_page(review_id, text, _(
            "Keep the reply to %(count)s characters or fewer.",
            count=format_number(store, REPLY_LIMIT, current_locale()))), 422
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
        review.reply = text
        review.replied_at = now() if text else None
    pages_changed(store)
    flash_message(_("The reply is removed.") if removing else _("The reply is saved."))
    return _back(review_id)


@bp.post("/admin/reviews/<int:review_id>/feature")
def feature(review_id: int) -> Response:
    """Show a published review on the customer wall, or take it off."""
    store = current_store()
    on = request.form.get("featured") == "1"
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
        if on and review.status != "published":
            flash_message(_("Only a published review can be on the customer wall."), "error")
            return _back(review_id)
        review.featured = on
    pages_changed(store)
    flash_message(_("The review is on the customer wall.") if on
                  else _("The review is off the customer wall."))
    return _back(review_id)


@bp.post("/admin/reviews/<int:review_id>/reports/<int:report_id>/resolve")
def resolve_report(review_id: int, report_id: int) -> Response:
    """Mark a shopper's report of this review as dealt with."""
    store = current_store()
    with store_session(store) as session:
        _review_or_404(session, review_id)
        report = session.get(ReviewReport, report_id)
        if report is None or report.review_id != review_id:
            abort(404)
        if report.resolved_at is None:
            report.resolved_at = now()
    flash_message(_("The report is marked as resolved."))
    return _back(review_id)


@bp.get("/admin/reviews/<int:review_id>/delete")
@owner_required
def confirm_delete(review_id: int) -> str:
    """Ask before deleting: it cannot be undone."""
    store = current_store()
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
    return render_admin_page("reviews/admin_delete.html", title=_("Delete this review?"), t=_,
                       review=review)


@bp.post("/admin/reviews/<int:review_id>/delete")
@owner_required
def delete(review_id: int) -> Response:
    """Delete the review, its photos' files, history and reports."""
    store = current_store()
    with store_session(store) as session:
        review = _review_or_404(session, review_id)
        images = [photo.image for photo in review.photos]
        product_id = review.product_id
        session.delete(review)
    for image in images:  # after the commit: a rolled-back delete keeps its files
        delete_image(store, image)
    aggregates.refresh(store, [product_id])
    flash_message(_("The review is deleted."))
    return redirect(url_for("reviews_admin.review_list"), code=303)


@bp.get("/admin/reviews/export.csv")
@owner_required
def export() -> Response:
    """Every review of the store as CSV, streamed."""
    return export_response(current_store(), current_locale())


# ------------------------------------------------------------ menu and panel


@hookimpl
def haat_admin_menu(store: StoreInfo) -> list[AdminMenuItem]:
    """"Reviews" in the admin menu, for owners and staff."""
    return [AdminMenuItem(label=_("Reviews"), url="/admin/reviews", owner_only=False)]


def dashboard_figures(store: StoreInfo, moment: datetime | None = None) -> dict[str, object]:
    """New reviews this week, reviews waiting, and the average of the reviews published
    in each of the last eight weeks (oldest first; ``None`` for a week without any),
    in one query."""
    moment = moment or now()
    starts = [moment - timedelta(weeks=TREND_WEEKS - i) for i in range(TREND_WEEKS + 1)]
    published = Review.status == "published"
    columns = [
        func.coalesce(func.sum(case((Review.created_at >= moment - timedelta(days=7), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((Review.status.in_(("pending", "held")), 1),
                                    else_=0)), 0)]
    for start, end in itertools.pairwise(starts):
        inside = published & (Review.published_at >= start) & (Review.published_at < end)
        columns += [func.coalesce(func.sum(case((inside, Review.rating), else_=0)), 0),
                    func.coalesce(func.sum(case((inside, 1), else_=0)), 0)]
    with store_session(store) as session:
        row = session.execute(select(*columns)).one()
    values = [int(v) for v in row]
    trend = [values[i] / values[i + 1] if values[i + 1] else None
             for i in range(2, len(values), 2)]
    return {"new": values[0], "waiting": values[1], "trend": trend}


def trend_svg(store: StoreInfo, trend: list[float | None], locale: str) -> Markup:
    """Eight bars, one per week, with the averages written out for screen readers."""
    width, gap, height = 14, 4, 50
    label = _("Average rating of the reviews published each week, oldest first: %(list)s",
              list=", ".join(decimal_text(store, v, locale) if v is not None else "–"
                             for v in trend))
    bars = []
    for index, value in enumerate(trend):
        weeks = len(trend) - 1 - index
        when = (_("This week") if weeks == 0 else
                _.ngettext("%(num)s week ago", "%(num)s weeks ago", weeks,
                           num=format_number(store, weeks, locale)))
        shown = decimal_text(store, value, locale) if value is not None else _("no reviews")
        bar = 2 if value is None else max(2, round(height * value / 5))
        bars.append(Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="currentColor"'
                           '{}><title>{}: {}</title></rect>').format(
            index * (width + gap), height - bar, width, bar,
            Markup(' opacity="0.3"') if value is None else "", when, shown))
    return Markup('<svg class="reviews-trend" role="img" aria-label="{}" viewBox="0 0 {} {}" '
                  'width="{}" height="{}">{}</svg>').format(
        label, len(trend) * (width + gap), height, len(trend) * (width + gap), height,
        Markup("").join(bars))


@hookimpl
def haat_dashboard_panels(store: StoreInfo) -> list[DashboardPanel]:
    """"Reviews" on the dashboard: new this week, waiting, and the rating trend."""
    locale = current_locale()
    figures = dashboard_figures(store)
    new, waiting = int(figures["new"]), int(figures["waiting"])  # type: ignore[call-overload]
    trend: list[float | None] = figures["trend"]  # type: ignore[assignment]
    html = Markup("<ul><li>{}</li><li>{}</li></ul><p>{}</p>{}").format(
        _.ngettext("%(num)s new review in the last 7 days",
                   "%(num)s new reviews in the last 7 days", new,
                   num=format_number(store, new, locale)),
        _.ngettext("%(num)s review waits for your approval",
                   "%(num)s reviews wait for your approval", waiting,
                   num=format_number(store, waiting, locale)),
        _("Rating trend, last 8 weeks"), trend_svg(store, trend, locale))
    return [DashboardPanel(title=_("Reviews"), html=html, url="/admin/reviews",
                           link_text=_("See all reviews"))]


