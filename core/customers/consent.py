"""Consent to messages, per customer, purpose and channel, with when and where.

Transactional consent (messages about the shopper's own orders and account) is recorded
when they give a phone or email at checkout. Marketing consent (news and offers) is only
ever given by the shopper ticking a box, at checkout or in their account, and is
withdrawn there or with the unsubscribe link that every marketing message must carry.
The log keeps every change; the newest row per purpose and channel is what holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from core.customers.models import CONSENT_PURPOSES, CONSENT_SOURCES, CustomerConsent
from core.db import db

CHANNELS = ("sms", "email")


def current_consents(customer_ids: Iterable[int]) -> dict[tuple[int, str, str], CustomerConsent]:
    """The consent that holds now, by (customer id, purpose, channel), in one query."""
    ids = list(customer_ids)
    if not ids:
        return {}
    newest: dict[tuple[int, str, str], CustomerConsent] = {}
    for row in db.session.scalars(select(CustomerConsent)
                                  .where(CustomerConsent.customer_id.in_(ids))
                                  .order_by(CustomerConsent.id)):
        newest[(row.customer_id, row.purpose, row.channel)] = row
    return newest


def record_consent(customer_id: int, purpose: str, channel: str, granted: bool,
                   source: str, *, now_holding: dict | None = None) -> bool:
    """Log a change of consent; nothing when it already holds. Returns True if logged."""
    if purpose not in CONSENT_PURPOSES or channel not in CHANNELS or source not in CONSENT_SOURCES:
        raise ValueError(f"unknown consent {purpose!r}/{channel!r}/{source!r}")
    holding = (now_holding if now_holding is not None
               else current_consents([customer_id])).get((customer_id, purpose, channel))
    if holding is not None and holding.granted == granted:
        return False
    db.session.add(CustomerConsent(customer_id=customer_id, purpose=purpose, channel=channel,
                                   granted=granted, source=source))
    return True


def marketing_allowed(customer_id: int, channel: str) -> bool:
    """True only when the customer's newest marketing consent for ``channel`` is a yes."""
    holding = current_consents([customer_id]).get((customer_id, "marketing", channel))
    return bool(holding and holding.granted)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="haat-unsubscribe")


def unsubscribe_token(store_id: int, customer_id: int, channel: str) -> str:
    """A token for the unsubscribe link of one customer and channel. It never expires:
    a link in an old message must still work."""
    return _serializer().dumps([store_id, customer_id, channel])


def read_unsubscribe_token(token: str, store_id: int) -> tuple[int, str] | None:
    """(customer id, channel) of a token made for ``store_id``, or ``None``."""
    try:
        found = _serializer().loads(token)
    except BadSignature:
        return None
    if (not isinstance(found, list) or len(found) != 3 or found[0] != store_id
            or not isinstance(found[1], int) or found[2] not in CHANNELS):
        return None
    return found[1], found[2]
