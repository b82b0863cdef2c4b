"""The message editor at ``/admin/settings/messages`` (owners only): the store's own
wording of each message to shoppers, per event, channel and language.

Each message starts as Haat's standard text, written in the template language
(:mod:`core.messaging.wording`). The owner changes it, previews it against a sample
order (an SMS shows its characters, encoding, parts and estimated cost), sends a test
to their own email or phone, saves it, or goes back to the standard text. Nothing is
saved while any part has a problem: each problem is shown next to its field and the
text stays as typed. A text saved equal to the standard one is not kept, so it
follows Haat's own corrections and translations.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.admin.auth import owner_required
from core.admin.language import admin_page_language, shopper_translations
from core.db import db
from core.i18n import LOCALE_NAMES, SUPPORTED_LOCALES, format_number
from core.messaging.labels import CHANNEL_LABELS, EVENT_LABELS, PLACEHOLDER_LABELS
from core.messaging.models import MessageTemplate
from core.messaging.phones import to_e164
from core.messaging.preview import Preview, preview_message, sample_order
from core.messaging.service import queue_test_message
from core.messaging.sms import MAX_PARTS, part_cost
from core.messaging.store_wording import (
    WordingError,
    parts_of,
    saved_wording,
    standard_wording,
)
from core.messaging.wording import (
    CHANNELS,
    CONDITIONS,
    EDITABLE_EVENTS,
    MAX_IF_DEPTH,
    PLACEHOLDERS,
    REQUIRED,
    Problem,
    fields_of,
    max_length,
    placeholders_for,
    problems_in,
)
from core.money import Money
from core.pluginhost.web import plugins_for_request
from core.web.allowance import use_allowance
from core.web.tenancy import current_store

bp = Blueprint("admin_messages", __name__, url_prefix="/admin/settings/messages")

#: Test sends per staff member (an SMS costs the merchant money).
TESTS_PER_PERSON = "10 per hour"
FIELD_LABELS = {"subject": _l("Subject"), "heading": _l("Heading"), "body": _l("Message")}


@dataclass(frozen=True)
class Row:
    """One message on the overview: which languages have the store's own wording."""

    event: str
    channel: str
    own: tuple[str, ...]


def _language(value: str | None) -> str:
    store = current_store()
    return value if value in SUPPORTED_LOCALES else store.locale


def _number(value: int) -> str:
    return format_number(value, admin_page_language(),
                         bengali_digits=current_store().bengali_digits)


# ----------------------------------------------------------------------- views


@bp.get("")
@owner_required
def index() -> str:
    """Every message shoppers get, by channel, with the languages the store has
    reworded."""
    own: dict[tuple[str, str], list[str]] = {}
    for event, channel, locale in db.session.execute(
            select(MessageTemplate.event, MessageTemplate.channel, MessageTemplate.locale)
            .order_by(MessageTemplate.locale)):
        own.setdefault((event, channel), []).append(locale)
    rows = [Row(event, channel, tuple(own.get((event, channel), ())))
            for event in EDITABLE_EVENTS for channel in CHANNELS]
    return render_template("admin/messages/index.html", store=current_store(), rows=rows,
                           event_labels=EVENT_LABELS, channel_labels=CHANNEL_LABELS,
                           locale_names=LOCALE_NAMES, locales=SUPPORTED_LOCALES)


def _check(event: str, channel: str) -> str:
    if event not in EDITABLE_EVENTS or channel not in CHANNELS:
        abort(404)
    return event


def _problem_text(problem: Problem, event: str, field: str, channel: str) -> str:
    """A problem in the owner's words, for the field it belongs to."""
    if problem.kind == "empty":
        return (_("Write the message.") if field == "body"
                else _("Write a subject.") if field == "subject" else _("Write a heading."))
    if problem.kind == "too_long":
        return _("Use at most %(count)s characters.",
                 count=_number(max_length(channel, field)))
    if problem.kind == "syntax":
        return _("Line %(line)s: a {{ placeholder }} or {%% if %%} is not written correctly, "
                 "or an {%% if %%} has no {%% endif %%}.", line=_number(problem.line or 1))
    if problem.kind == "construct":
        return _("Line %(line)s: only placeholders such as {{ number }} and "
                 "{%% if … %%} … {%% endif %%} can be used here.",
                 line=_number(problem.line or 1))
    if problem.kind == "unknown":
        names = ", ".join(("{% if " + name + " %}") if name in CONDITIONS
                          else ("{{ " + name + " }}") for name in placeholders_for(event, field))
        return _("This message has no placeholder {{ %(name)s }}. You can use: %(names)s.",
                 name=problem.name, names=names)
    if problem.kind == "nesting":
        return _("Line %(line)s: at most %(count)s {%% if %%} can stand inside one another.",
                 line=_number(problem.line or 1), count=_number(MAX_IF_DEPTH))
    if problem.kind == "condition":
        return _("{{ %(name)s }} is a yes-or-no value: use it as {%% if %(name)s %%} … "
                 "{%% endif %%}.", name=problem.name)
    return _("The message must include {{ %(name)s }}, outside any {%% if %%}.",
             name=problem.name)


def _typed(event: str, channel: str) -> dict[str, str]:
    """The parts as the owner typed them (line ends made ``\\n``)."""
    return {field: (request.form.get(field) or "").replace("\r\n", "\n")
            for field in fields_of(event, channel)}


def _problems(event: str, channel: str, parts: dict[str, str]) -> dict[str, str]:
    """Each field's first problem, in the owner's words."""
    found: dict[str, str] = {}
    for field in fields_of(event, channel):
        text = parts[field]
        if field == "heading" and not text.strip():
            continue  # no heading is allowed: the email then starts with the message
        required = REQUIRED.get((event, channel), ()) if field == "body" else ()
        problems = problems_in(text, placeholders_for(event, field), required=required,
                               limit=max_length(channel, field))
        if problems:
            found[field] = _problem_text(problems[0], event, field, channel)
    return found


def _preview(event: str, channel: str, language: str, parts: dict[str, str],
             problems: dict[str, str]) -> Preview | None:
    """The message made from a sample order; an SMS too long to send becomes a
    problem of its text."""
    store = plugins_for_request().info  # the StoreInfo the send path renders with
    try:
        with shopper_translations():  # the words shoppers read, not the admin's
            order = sample_order(store, language)
            preview = preview_message(store, event, channel, language, parts, order)
    except WordingError as exc:
        problems.setdefault(exc.field, _(
            "With the sample order this comes out empty. Write text outside the %(tag)s "
            "parts too.", tag="{% if %}") if exc.empty else _(
            "This text cannot be made into a message. Go back to the standard text and "
            "change it step by step."))
        return None
    if preview.size is not None and preview.size.parts > MAX_PARTS:
        problems["body"] = _("This SMS takes %(parts)s parts; the most is %(max)s. "
                             "Make it shorter.", parts=_number(preview.size.parts),
                             max=_number(MAX_PARTS))
    return preview


def _estimated_cost(preview: Preview | None) -> Money | None:
    cost = part_cost(current_store(), plugins_for_request())
    if cost is None or preview is None or preview.size is None:
        return None
    return Money(cost.amount * preview.size.parts, cost.currency)


def _editor(event: str, channel: str, language: str, parts: dict[str, str],
            problems: dict[str, str], status: int = 200,
            preview: Preview | None = None) -> tuple[str, int]:
    if preview is None and not problems:
        preview = _preview(event, channel, language, parts, problems)
    saved = saved_wording(current_store().id, event, channel, language) is not None
    return render_template(
        "admin/messages/edit.html", store=current_store(), event=event, channel=channel,
        language=language, parts=parts, problems=problems, preview=preview,
        fields=fields_of(event, channel), field_labels=FIELD_LABELS,
        limits={field: max_length(channel, field) for field in fields_of(event, channel)},
        placeholders=PLACEHOLDERS[event], placeholder_labels=PLACEHOLDER_LABELS,
        conditions=CONDITIONS,
        event_labels=EVENT_LABELS, channel_labels=CHANNEL_LABELS,
        locale_names=LOCALE_NAMES, locales=SUPPORTED_LOCALES, saved=saved,
        estimated_cost=_estimated_cost(preview), max_parts=MAX_PARTS,
        test_address=_test_address(channel), failed=status == 422), status


@bp.get("/<event>/<channel>")
@owner_required
def edit(event: str, channel: str) -> tuple[str, int]:
    """The wording of one message in one language, with its preview."""
    event = _check(event, channel)
    language = _language(request.args.get("language"))
    saved = saved_wording(current_store().id, event, channel, language)
    parts = parts_of(saved) if saved else _standard(event, channel, language)
    parts = {field: parts.get(field, "") for field in fields_of(event, channel)}
    # A text saved under older rules shows what is wrong with it now (the standard text
    # goes to shoppers meanwhile).
    return _editor(event, channel, language, parts,
                   _problems(event, channel, parts) if saved else {})


@bp.post("/<event>/<channel>")
@owner_required
def save(event: str, channel: str) -> Response | tuple[str, int]:
    """Preview, test, save or reset, as the button pressed says. On any problem
    nothing is saved or sent and the text stays as typed."""
    event = _check(event, channel)
    language = _language(request.form.get("language"))
    action = request.form.get("action", "preview")
    if action == "reset":
        return _reset(event, channel, language)
    parts = _typed(event, channel)
    problems = _problems(event, channel, parts)
    preview = None if problems else _preview(event, channel, language, parts, problems)
    if problems:
        return _editor(event, channel, language, parts, problems, 422)
    if action == "test":
        return _send_test(event, channel, language, parts, preview)
    if action == "save":
        _store(event, channel, language, parts)
        flash(_("Saved. Shoppers who read %(language)s get this text from now on.",
                language=LOCALE_NAMES[language]), "success")
        return redirect(url_for("admin_messages.edit", event=event, channel=channel,
                                language=language), 303)
    return _editor(event, channel, language, parts, problems, preview=preview)


def _standard(event: str, channel: str, language: str) -> dict[str, str]:
    with shopper_translations():  # the words shoppers read, not the admin's
        return standard_wording(event, channel, language)


def _store(event: str, channel: str, language: str, parts: dict[str, str]) -> None:
    """Keep ``parts`` as the store's wording; the same as the standard text keeps
    nothing (the standard text then follows Haat's updates)."""
    store = current_store()
    row = saved_wording(store.id, event, channel, language)
    standard = _standard(event, channel, language)
    if all(parts[field].strip() == standard.get(field, "").strip() for field in parts):
        if row is not None:
            db.session.delete(row)
        db.session.commit()
        return
    if row is None:
        row = MessageTemplate(event=event, channel=channel, locale=language)
        db.session.add(row)
    _fill(row, parts)
    try:
        db.session.commit()
    except IntegrityError:  # someone saved the same message at the same moment: ours wins
        db.session.rollback()
        row = saved_wording(store.id, event, channel, language)
        if row is not None:
            _fill(row, parts)
            db.session.commit()


def _fill(row: MessageTemplate, parts: dict[str, str]) -> None:
    row.subject = parts.get("subject", "").strip()
    row.heading = parts.get("heading", "").strip()
    row.body = parts["body"].strip()
    row.updated_by = current_user.email


def _reset(event: str, channel: str, language: str) -> Response:
    db.session.execute(delete(MessageTemplate).where(
        MessageTemplate.event == event, MessageTemplate.channel == channel,
        MessageTemplate.locale == language))
    db.session.commit()
    flash(_("Back to the standard text."), "success")
    return redirect(url_for("admin_messages.edit", event=event, channel=channel,
                            language=language), 303)


def _test_address(channel: str) -> str:
    """Where the signed-in person's tests go: their email, or their own mobile number
    from Your account → Alerts (``""`` when they have none)."""
    if channel == "email":
        return current_user.email
    return to_e164(current_user.phone or "", current_store().country) or ""


def _send_test(event: str, channel: str, language: str, parts: dict[str, str],
               preview: Preview | None) -> Response | tuple[str, int]:
    address = _test_address(channel)
    problems: dict[str, str] = {}
    if not address:
        problems["test"] = _("Add your mobile number under Your account → Alerts to get "
                             "test SMS.")
    elif not _test_allowed():
        problems["test"] = _("You have sent many tests in the last hour. Try again later.")
    if problems or preview is None:
        return _editor(event, channel, language, parts, problems, 422)
    queue_test_message(current_store().id, event, channel, address, subject=preview.subject,
                       text=preview.text, html=preview.html)
    db.session.commit()
    flash(_("A test was sent to %(address)s. Nothing was saved yet.", address=address),
          "success")
    return _editor(event, channel, language, parts, {}, preview=preview)


def _test_allowed() -> bool:
    return use_allowance([TESTS_PER_PERSON], "haat-message-tests", str(current_store().id),
                         str(current_user.id))
