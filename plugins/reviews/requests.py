"""Review requests: a message some days after an order is delivered, with a link to
rate its products, at most one reminder, and a link to never be asked again.

A request is created when the order is delivered and sent by a delayed job; an hourly
schedule sends any request whose time has come that no job sent (a lost job must not
lose the request). Sending is idempotent: the request row is claimed with a
compare-and-set on its state before anything is sent, and core's ``send_message`` keys
(``review-ask:<order>``, ``review-remind:<order>``) send each message once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Blueprint, abort, make_response, redirect
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.sdk import (
    OrderSnapshot,
    Schedule,
    StoreInfo,
    current_store,
    flash_message,
    get_order,
    hookimpl,
    marketing_allowed,
    rate_limit,
    render_page,
    run_after,
    send_message,
    shopper_contact,
    store_session,
)

from . import models
from .manage_text import _
from .models import Review, ReviewOptOut, ReviewRequest, aware
from .settings import settings_of
from .tokens import contact_hash, new_token, token_hash

PLUGIN = "reviews"
#: How long a request's link keeps working after the request is due.
LINK_LIFE = timedelta(days=60)
#: Requests one schedule run sends at most (the rest wait for the next hour).
BATCH = 200
#: Orders whose goods did not stay with the shopper: nothing to review.
GONE_FULFILMENT = ("cancelled", "returned")
GONE_PAYMENT = ("refunded", "failed")
#: Requests that may still send something.
OPEN_STATES = ("scheduled", "sent")

bp = Blueprint("reviews_requests", __name__, template_folder="templates")


def now() -> datetime:
    """The current time (tests move it by replacing this function)."""
    return models.now()


def contact_of(store: StoreInfo, order: OrderSnapshot) -> tuple[str, str] | None:
    """``(channel, contact)`` to ask the order's shopper by: the phone when there is
    one (most shoppers give only a phone), else the email; ``None`` without either.

    The contact is in the form Haat keys shoppers by (``shopper_contact``: a phone in
    E.164 form), so an opt-out holds however the shopper typed it on their next order.
    """
    for channel, typed in (("sms", order.phone), ("email", order.email)):
        contact = shopper_contact(store, typed) if typed.strip() else None
        if contact is not None:
            return channel, contact
    return None


# --------------------------------------------------------------------- hooks


@hookimpl
def haat_order_delivered(store: StoreInfo, order: OrderSnapshot) -> None:
    """Plan the order's review request (once per order) and queue the job that sends it."""
    settings = settings_of(store)
    if not settings.send_requests:
        return
    delay = timedelta(days=settings.request_days)
    due = now() + delay
    reminder = due + timedelta(days=settings.reminder_days) if settings.reminder_days else None
    try:
        with store_session(store) as session:
            if session.scalar(select(ReviewRequest.id)
                              .where(ReviewRequest.order_id == order.id)) is not None:
                return  # delivered twice: the first request stands
            row = ReviewRequest(
                order_id=order.id, customer_id=order.customer_id, state="scheduled",
                # A placeholder no link can match: the real token is made when sending.
                token_hash=token_hash(secrets.token_hex(32)),
                due_at=due, reminder_due_at=reminder,
                expires_at=(reminder or due) + LINK_LIFE)
            session.add(row)
            session.flush()
            request_id = row.id
    except IntegrityError:  # the same delivery reported twice at once
        return
    run_after(store, delay, send_due_request, request_id)


def cancel_for_order(store: StoreInfo, order: OrderSnapshot) -> None:
    """Cancel the order's request: nothing is asked about goods the shopper no longer has."""
    with store_session(store) as session:
        session.execute(update(ReviewRequest)
                        .where(ReviewRequest.order_id == order.id,
                               ReviewRequest.state.in_(OPEN_STATES))
                        .values(state="cancelled"))


@hookimpl
def haat_order_cancelled(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order was cancelled: cancel its review request."""
    cancel_for_order(store, order)


@hookimpl
def haat_order_returned(store: StoreInfo, order: OrderSnapshot) -> None:
    """An order came back: cancel its review request."""
    cancel_for_order(store, order)


# ------------------------------------------------------------------- sending


def send_due_request(store: StoreInfo, request_id: int) -> str:
    """Send what request ``request_id`` owes now: the request, or its one reminder.

    Safe to run any number of times and at any moment (the job, the schedule, a retry):
    before its time it does nothing. Returns what happened (``"sent"``, ``"reminded"``,
    ``"waiting"``, ``"cancelled"``, ``"done"``, ``"nothing"``), for tests and logs.
    """
    moment = now()
    with store_session(store) as session:
        row = session.get(ReviewRequest, request_id)
        if row is None:
            return "nothing"
        state, order_id = row.state, row.order_id
        due, reminder_due = aware(row.due_at), aware(row.reminder_due_at)
        expires = aware(row.expires_at)
    if state == "scheduled":
        stage = "ask"
        if due > moment:
            return "waiting"
    elif state == "sent" and reminder_due is not None:
        stage = "remind"
        if reminder_due > moment:
            return "waiting"
    else:
        return "nothing"
    if PLUGIN not in store.enabled_plugins:
        # Switched off since (jobs run whatever the plugin's state): keep the request
        # as it is; the hourly schedule, which runs only while the plugin is on, sends
        # it if the merchant switches reviews on again.
        return "waiting"
    if expires <= moment or not settings_of(store).send_requests:
        # The merchant switched requests off: what was planned is not sent either.
        return _close(store, request_id, state, "cancelled")
    order = get_order(store, order_id)
    if order is None or order.fulfilment_state in GONE_FULFILMENT \
            or order.payment_state in GONE_PAYMENT:
        return _close(store, request_id, state, "cancelled")
    if all_reviewed(store, order):
        return _close(store, request_id, state, "done")
    contact = contact_of(store, order)
    if contact is None or opted_out(store, contact[1]):
        return _close(store, request_id, state, "cancelled")
    settings = settings_of(store)
    if settings.requests_need_consent and (
            order.customer_id is None
            or not marketing_allowed(store, order.customer_id, contact[0])):
        return _close(store, request_id, state, "cancelled")
    token, hashed = new_token()
    wanted = "sent" if stage == "ask" else "reminded"
    values: dict[str, object] = (
        {"token_hash": hashed, "sent_at": moment} if stage == "ask"
        else {"reminder_token_hash": hashed, "reminded_at": moment})
    # Claim the row first: of two runs at once only one gets to make the token and send.
    with store_session(store) as session:
        claimed = session.execute(
            update(ReviewRequest)
            .where(ReviewRequest.id == request_id, ReviewRequest.state == state)
            .values(state=wanted, **values)).rowcount
    if claimed != 1:
        return "nothing"
    _send(store, order, contact, token, reminder=stage == "remind")
    if stage == "ask" and reminder_due is not None:
        run_after(store, max(reminder_due - moment, timedelta(0)), send_due_request,
                  request_id)
    return wanted


def _close(store: StoreInfo, request_id: int, state: str, wanted: str) -> str:
    with store_session(store) as session:
        session.execute(update(ReviewRequest)
                        .where(ReviewRequest.id == request_id, ReviewRequest.state == state)
                        .values(state=wanted))
    return wanted


def all_reviewed(store: StoreInfo, order: OrderSnapshot) -> bool:
    """True when every product of ``order`` (still in the catalogue) has a review from
    this order or from its customer."""
    wanted = {line.product_id for line in order.lines if line.product_id}
    if not wanted:
        return True
    mine = Review.order_id == order.id
    if order.customer_id is not None:
        mine = or_(mine, Review.customer_id == order.customer_id)
    with store_session(store) as session:
        reviewed = set(session.scalars(select(Review.product_id).where(
            mine, Review.product_id.in_(wanted))))
    return wanted <= reviewed


def opted_out(store: StoreInfo, contact: str) -> bool:
    """True when ``contact`` asked this store never to ask for reviews again."""
    with store_session(store) as session:
        return session.scalar(select(ReviewOptOut.id).where(
            ReviewOptOut.contact_hash == contact_hash(store.id, contact))) is not None


def _send(store: StoreInfo, order: OrderSnapshot, contact: tuple[str, str], token: str, *,
          reminder: bool) -> None:
    """Queue the message, in the order's language, through core's messaging."""
    channel, to = contact
    locale = order.locale or store.locale
    values = {"store": store.name, "number": f"#{order.number}",
              "link": store.url(f"reviews/r/{token}"),
              "stop": store.url(f"reviews/stop/{token}")}
    key = f"review-{'remind' if reminder else 'ask'}:{order.id}"
    if channel == "sms":
        # One link keeps a Bengali SMS (UCS-2, 67 characters a part) at two parts; the
        # page it opens has "Do not ask me for reviews again".
        text = (_.gettext("%(store)s: still time to rate order %(number)s: %(link)s",
                          locale=locale, **values) if reminder else
                _.gettext("%(store)s: how was order %(number)s? Rate it: %(link)s",
                          locale=locale, **values))
        send_message(store, PLUGIN, to=to, text=text, key=key, customer_id=order.customer_id)
        return
    subject = (_.gettext("A reminder: how was your order %(number)s?", locale=locale, **values)
               if reminder else
               _.gettext("How was your order %(number)s?", locale=locale, **values))
    body = "\n\n".join((
        _.gettext("Thank you for shopping at %(store)s. We hope your order %(number)s "
                  "arrived well.", locale=locale, **values),
        _.gettext("Would you rate what you bought? It takes a minute and helps other "
                  "shoppers: %(link)s", locale=locale, **values),
        _.gettext("Do not want these messages? Stop them here: %(stop)s",
                  locale=locale, **values)))
    send_message(store, PLUGIN, to=to, text=body, subject=subject, key=key,
                 customer_id=order.customer_id)


def send_due_requests(store: StoreInfo) -> int:
    """The schedule: send every request and reminder whose time has come (a lost or
    failed job must not lose a request). Returns how many were sent."""
    moment = now()
    with store_session(store) as session:
        ids = list(session.scalars(
            select(ReviewRequest.id)
            .where(or_(
                (ReviewRequest.state == "scheduled") & (ReviewRequest.due_at <= moment),
                (ReviewRequest.state == "sent") & (ReviewRequest.reminder_due_at <= moment)))
            .order_by(ReviewRequest.due_at, ReviewRequest.id).limit(BATCH)))
    return sum(send_due_request(store, request_id) in ("sent", "reminded")
               for request_id in ids)


SCHEDULES = (Schedule("send_requests", send_due_requests, "hourly",
                      title=_.lazy("Review requests")),)


# --------------------------------------------------------------- stop asking


def request_for_token(store: StoreInfo, token: str) -> ReviewRequest | None:
    """The store's request whose link (the request's or the reminder's) carries ``token``."""
    if not token or len(token) > 100:
        return None
    hashed = token_hash(token)
    with store_session(store) as session:
        row = session.scalar(select(ReviewRequest).where(or_(
            ReviewRequest.token_hash == hashed, ReviewRequest.reminder_token_hash == hashed)))
        if row is not None:
            session.expunge(row)
        return row


@bp.get("/reviews/stop/<token>")
@rate_limit("20 per minute; 200 per day", methods=("GET",))
def stop(token: str) -> Response:
    """Ask the shopper to confirm that they want no more review requests. Like the
    link's page, it carries the token: never cached, no referrer (the page says
    ``noindex`` too)."""
    store = current_store()
    if request_for_token(store, token) is None:
        abort(404)
    response = make_response(render_page("reviews/stop_confirm.html",
                                         title=_("Stop review requests"), t=_,
                                         store_name=store.name))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/reviews/stop/<token>")
@rate_limit("10 per minute")
def stop_confirmed(token: str) -> Response:
    """Never ask this contact again, and cancel their open requests."""
    store = current_store()
    row = request_for_token(store, token)
    if row is None:
        abort(404)
    order = get_order(store, row.order_id)
    contact = contact_of(store, order) if order is not None else None
    if contact is not None and not opted_out(store, contact[1]):
        try:
            with store_session(store) as session:
                session.add(ReviewOptOut(contact_hash=contact_hash(store.id, contact[1])))
        except IntegrityError:  # the same shopper tapped twice at once
            pass
    mine = ReviewRequest.id == row.id
    if row.customer_id is not None:
        mine = or_(mine, ReviewRequest.customer_id == row.customer_id)
    with store_session(store) as session:
        # Requests not sent yet are dropped. Those already sent keep their link, which
        # the shopper may be using right now to rate the rest of the order; they only
        # lose their reminder.
        session.execute(update(ReviewRequest)
                        .where(mine, ReviewRequest.state == "scheduled")
                        .values(state="cancelled"))
        session.execute(update(ReviewRequest)
                        .where(mine, ReviewRequest.state == "sent")
                        .values(reminder_due_at=None))
    flash_message(_("Done: %(store)s will not ask you for reviews again.", store=store.name))
    if row.state in ("sent", "reminded"):
        return redirect(store.url(f"reviews/r/{token}"), code=303)
    return redirect(store.url(""), code=303)
