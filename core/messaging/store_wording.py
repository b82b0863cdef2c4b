"""A store's saved wordings, and the standard wording they start from.

:func:`saved_wording` finds the store's own text of a message (per event, channel and
language); :func:`fill_wording` fills each of its parts in; :func:`standard_wording`
writes the text Haat sends when there is none, in the template language, for the
editor to start from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import force_locale
from sqlalchemy import select

from core.db import db
from core.i18n import normalise_locale
from core.messaging.models import MessageTemplate
from core.messaging.texts import ORDER_EVENTS, code_subject, code_text, sms_source
from core.messaging.wording import (
    PLACEHOLDERS,
    EmptyWording,
    fields_of,
    placeholders_for,
    render_wording,
)


def saved_wording(tenant_id: int, event: str, channel: str,
                  locale: str) -> MessageTemplate | None:
    """The store's own wording of ``event`` by ``channel`` in ``locale``, if it has one."""
    return db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.tenant_id == tenant_id, MessageTemplate.event == event,
        MessageTemplate.channel == channel,
        MessageTemplate.locale == normalise_locale(locale)))


def parts_of(wording: MessageTemplate) -> dict[str, str]:
    """A saved wording's parts: ``{"subject": …, "heading": …, "body": …}``."""
    return {"subject": wording.subject, "heading": wording.heading, "body": wording.body}


class WordingError(ValueError):
    """A part of a wording that cannot be sent: ``field`` names it, ``empty`` says it
    came out empty (rather than breaking the rules)."""

    def __init__(self, field: str, *, empty: bool) -> None:
        super().__init__(f"the {field} {'came out empty' if empty else 'does not render'}")
        self.field, self.empty = field, empty


def fill_wording(event: str, channel: str, parts: Mapping[str, str],
                 values: Mapping[str, Any]) -> dict[str, str]:
    """Each part of a wording of ``event`` by ``channel`` filled from ``values``:
    ``{"subject": …, "heading": …, "body": …}`` for an email, ``{"body": …}`` for an
    SMS. Raises :class:`WordingError` (a ``ValueError``) when a part breaks the rules
    or comes out empty; a heading that comes out empty is no heading."""
    filled: dict[str, str] = {}
    for field in fields_of(event, channel):
        text = parts.get(field) or ""
        allowed = {name: values[name] for name in placeholders_for(event, field)
                   if name in values}
        try:
            filled[field] = render_wording(text, allowed, one_line=field != "body")
        except EmptyWording as exc:
            if field != "heading":
                raise WordingError(field, empty=True) from exc
            filled[field] = ""  # the email then starts with its message
        except ValueError as exc:
            if field == "heading" and not text.strip():
                filled[field] = ""
                continue
            raise WordingError(field, empty=False) from exc
    return filled


def standard_wording(event: str, channel: str, locale: str) -> dict[str, str]:
    """The text Haat sends for ``event`` by ``channel`` in ``locale`` when the store has
    none of its own, written in the template language: ``{field: text}`` for each of
    :func:`~core.messaging.wording.fields_of`."""
    from core.orders.emails import email_source

    names = PLACEHOLDERS[event]
    with force_locale(normalise_locale(locale)):
        if channel == "sms":
            return {"body": sms_source(event, names)}
        if event == "sign_in_code":
            return {"subject": code_subject("{{ store }}"),
                    "body": code_text("{{ store }}", "{{ code }}")}
        blocks = email_source(ORDER_EVENTS[event], names)
    return {"subject": blocks["subject"], "heading": blocks["heading"], "body": blocks["intro"]}
