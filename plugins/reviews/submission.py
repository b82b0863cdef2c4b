"""Writing or editing a review: the one service behind both review forms (a product's
``/reviews/write/<handle>`` and a review request's ``/reviews/r/<token>``).

:func:`submit` checks what the shopper typed, keeps their photos, runs the spam filter,
stores the review (copying the earlier text into ``ReviewRevision`` on an edit), decides
its state from the merchant's settings and refreshes the product's rating.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.sdk import (
    StoreInfo,
    UploadedImage,
    current_locale,
    format_number,
    pages_changed,
    store_session,
)

from . import aggregates, photos, spam
from .models import Review, ReviewRevision, aware, now
from .settings import settings_of
from .writing_text import _

TITLE_LIMIT = 150
BODY_LIMIT = 5000
NAME_LIMIT = 80
#: Control characters other than tab and newline (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Reviewer:
    """Who writes: the customer and order the review is tied to, if any."""

    customer_id: int | None = None
    order_id: int | None = None
    #: ``"c:<customer id>"``, ``"o:<order id>"``, or ``None`` for an anonymous review.
    key: str | None = None
    verified: bool = False
    anonymous: bool = False


@dataclass(frozen=True)
class Draft:
    """What the form sent, cleaned: the text fields as typed (for showing them again)
    and the ids of the review's photos to remove."""

    rating: str = ""
    title: str = ""
    body: str = ""
    author_name: str = ""
    remove: tuple[int, ...] = ()


@dataclass
class Outcome:
    """What :func:`submit` did: the stored review, or the problems by field name
    (``rating``, ``title``, ``body``, ``author_name``, ``photos``, ``form``)."""

    review: Review | None = None
    problems: dict[str, str] = field(default_factory=dict)


def clean(text: str) -> str:
    """Form text without control characters and with Unix newlines, trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def read_form(form: Mapping[str, str], remove: Iterable[str] = ()) -> Draft:
    """A :class:`Draft` from a submitted form (``remove``: the ticked photo ids)."""
    ids = tuple(int(v) for v in remove if str(v).isascii() and str(v).isdigit())
    return Draft(rating=clean(form.get("rating", ""))[:2], title=clean(form.get("title", "")),
                 body=clean(form.get("body", "")), author_name=clean(form.get("author_name", "")),
                 remove=ids)


def draft_of(review: Review) -> Draft:
    """The form's values for editing ``review``."""
    return Draft(str(review.rating), review.title, review.body, review.author_name)


def problems_of(store: StoreInfo, draft: Draft) -> dict[str, str]:
    """What is wrong with the text fields, by field name; empty when nothing is."""
    locale = current_locale()

    def num(n: int) -> str:
        return format_number(store, n, locale)

    problems = {}
    if draft.rating not in {"1", "2", "3", "4", "5"}:
        problems["rating"] = _("Choose a rating from %(low)s to %(high)s stars.",
                               low=num(1), high=num(5))
    if len(draft.title) > TITLE_LIMIT:
        problems["title"] = _("Keep the title to %(count)s characters or fewer.",
                              count=num(TITLE_LIMIT))
    if not draft.body:
        problems["body"] = _("Write a few words about the product.")
    elif len(draft.body) > BODY_LIMIT:
        problems["body"] = _("Keep your review to %(count)s characters or fewer.",
                             count=num(BODY_LIMIT))
    if len(draft.author_name) > NAME_LIMIT:
        problems["author_name"] = _("Keep the name to %(count)s characters or fewer.",
                                    count=num(NAME_LIMIT))
    return problems


def editable(review: Review) -> bool:
    """True while the writer may still change ``review``."""
    until = aware(review.editable_until)
    return until is not None and now() < until


def find_reviews(store: StoreInfo, product_ids: Iterable[int],
                 keys: Iterable[str]) -> dict[int, Review]:
    """The reviews written under any of ``keys``, by product id (one query, photos in
    a second)."""
    ids, wanted = sorted(set(product_ids)), sorted(set(keys))
    if not ids or not wanted:
        return {}
    with store_session(store) as session:
        found = session.scalars(select(Review).where(
            Review.product_id.in_(ids), Review.reviewer_key.in_(wanted))
            .order_by(Review.id)).all()
    # With several customer ids, the oldest review counts (there is normally one).
    reviews: dict[int, Review] = {}
    for review in found:
        reviews.setdefault(review.product_id, review)
    return reviews


def state_for(store: StoreInfo, held: str, previous: str | None) -> str:
    """The review's state: ``held`` by the spam filter, else as the merchant publishes.
    A review the merchant hid stays hidden whatever its writer changes."""
    if previous == "hidden":
        return "hidden"
    if held:
        return "held"
    return "published" if settings_of(store).publishing == "instant" else "pending"


def submit(store: StoreInfo, product_id: int, reviewer: Reviewer, draft: Draft,
           uploads: Sequence[photos.Upload], existing: Review | None = None) -> Outcome:
    """Write ``reviewer``'s review of ``product_id`` (or change ``existing``, theirs)
    from ``draft`` and the uploaded photos. Nothing is stored when there is a problem."""
    problems = problems_of(store, draft)
    if existing is not None and not editable(existing):
        problems["form"] = _("This review can no longer be changed.")
    kept_photos = [p for p in (existing.photos if existing else []) if p.id not in draft.remove]
    if len(kept_photos) + len(uploads) > photos.MAX_PHOTOS:
        problems["photos"] = _("Add at most %(count)s photos.", count=format_number(
            store, photos.MAX_PHOTOS, current_locale()))
    if problems:
        return Outcome(problems=problems)
    try:
        images = photos.save_all(store, uploads)
    except photos.PhotoProblem as refused:
        return Outcome(problems={"photos": str(refused)})
    settings = settings_of(store)
    held = spam.check(store, draft.title, draft.body, settings.blocked_words,
                      exclude_id=existing.id if existing else None, name=draft.author_name)
    try:
        review, previous, removed = _store(store, product_id, reviewer, draft, images,
                                           existing, held)
    except IntegrityError:  # the same shopper's review, saved a moment ago elsewhere
        photos.discard(store, images)
        return Outcome(problems={"form": _("You have already reviewed this product.")})
    photos.discard(store, removed)
    if "published" in (previous, review.status):
        aggregates.refresh(store, [product_id])
        pages_changed(store)  # the review's text is on the product page
    return Outcome(review=review)


def _store(store: StoreInfo, product_id: int, reviewer: Reviewer, draft: Draft,
           images: Sequence[UploadedImage], existing: Review | None,
           held: str) -> tuple[Review, str | None, list[UploadedImage]]:
    """Save the review in one transaction; returns it, its state before, and the
    images of the photos removed (deleted by the caller once this committed)."""
    moment = now()
    removed: list[UploadedImage] = []
    with store_session(store) as session:
        review = session.get(Review, existing.id) if existing is not None else None
        previous = review.status if review is not None else None
        if review is None:
            edit_days = settings_of(store).edit_days
            review = Review(product_id=product_id, reviewer_key=reviewer.key,
                            created_at=moment, anonymous=reviewer.anonymous,
                            editable_until=moment + timedelta(days=edit_days)
                            if edit_days > 0 else None)
            session.add(review)
        elif (review.rating, review.title, review.body, review.author_name) != (
                int(draft.rating), draft.title, draft.body, draft.author_name):
            session.add(ReviewRevision(review_id=review.id, rating=review.rating,
                                       title=review.title, body=review.body,
                                       author_name=review.author_name, replaced_at=moment))
        # A shopper who bought the product since their first review becomes verified.
        if reviewer.verified and not review.verified:
            review.verified = True
            review.order_id = reviewer.order_id
        if review.customer_id is None:
            review.customer_id = reviewer.customer_id
        if review.order_id is None:
            review.order_id = reviewer.order_id
        review.rating = int(draft.rating)
        review.title, review.body = draft.title, draft.body
        review.author_name = draft.author_name
        review.locale = current_locale()
        review.updated_at = moment
        review.status = state_for(store, held, previous)
        review.held_reason = held if review.status == "held" else ""
        if review.status == "published" and previous != "published":
            review.published_at = moment
        for photo in list(review.photos):
            if photo.id in draft.remove:
                removed.append(photo.image)
                review.photos.remove(photo)
        start = max((p.position for p in review.photos), default=-1) + 1
        for offset, image in enumerate(images):
            review.photos.append(photos.row_for(image, product_id, start + offset))
        review.photo_count = len(review.photos)
        session.flush()
    return review, previous, removed


def thanks(review: Review) -> str:
    """What the shopper is told after sending ``review``."""
    if review.status == "published":
        return _("Thank you! Your review is now on the product page.")
    if review.status == "hidden":
        return _("Thank you! Your changes are saved.")
    return _("Thank you! Your review will appear once the shop has checked it.")
