"""Sending a message to a shopper through the store's channels (services layer)."""

from __future__ import annotations

from core.sdk.store import StoreInfo, require_store

#: The longest text a plugin may send: 10 UCS-2 SMS parts, or a short email.
MAX_SMS_PARTS = 10
MAX_EMAIL_CHARACTERS = 20_000
MAX_KEY = 150


def send_message(store: StoreInfo, plugin: str, *, to: str, text: str, key: str,
                 subject: str = "", customer_id: int | None = None) -> bool:
    """Send ``text`` to ``to`` (a phone number in any spelling, or an email address)
    through the store's own channels, once per ``key``.

    Core does what it does for its own messages: a phone gets an SMS through the store's
    SMS gateway (the outbox folder in development), an email address gets an email from
    the store's name; the message is logged on the customer's page (pass
    ``customer_id``, e.g. ``order.customer_id``) and sent from a job, retried when the
    gateway says "later", never twice. ``text`` (and ``subject``, for email; the store's
    name when empty) is sent as written, so write it in the shopper's language.

    ``key`` makes the call idempotent: the same ``key`` from the same plugin is sent once
    however often you call (use what the message is about: ``f"review-ask:{order.id}"``).
    Returns True when queued, False when ``key`` was already used.

    Raises ``ValueError`` for a ``to`` that is neither a phone number nor an email
    address, an empty ``text``, an SMS longer than 10 parts, an email longer than 20,000
    characters, or a ``key`` of more than 150 characters. A message that is not about
    something the shopper did (news, offers, "come back to your cart") is marketing:
    send it only when :func:`marketing_allowed` says yes, with :func:`unsubscribe_url`
    in its text.
    """
    from flask import current_app

    from core.accounts.identity import read_contact
    from core.messaging.service import queue_plugin_message
    from core.messaging.sms import sms_size

    info = require_store(store)
    if plugin not in current_app.extensions["haat_plugins"].installed:
        raise ValueError(f"{plugin!r} is not an installed plugin; use the `name` of your "
                         "plugin's manifest")
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"key must be 1 to {MAX_KEY} characters")
    text = text.strip()
    if not text:
        raise ValueError("text is empty")
    contact = read_contact(to, info.country)
    if contact is None:
        raise ValueError(f"{to!r} is neither a phone number nor an email address")
    if contact.channel == "sms" and sms_size(text).parts > MAX_SMS_PARTS:
        raise ValueError(f"an SMS may be at most {MAX_SMS_PARTS} parts long")
    if contact.channel == "email" and len(text) > MAX_EMAIL_CHARACTERS:
        raise ValueError(f"an email may be at most {MAX_EMAIL_CHARACTERS} characters long")
    return queue_plugin_message(info.id, plugin, contact.channel, contact.address,
                                text=text, subject=" ".join(subject.split())[:300],
                                key=key, customer_id=customer_id)


#: The channels a shopper consents to marketing by.
MARKETING_CHANNELS = ("sms", "email")


def _customer_in(store: StoreInfo, customer_id: int, channel: str) -> bool:
    from core.customers.models import Customer
    from core.db import db
    from tenants import tenant_scope

    if channel not in MARKETING_CHANNELS:
        raise ValueError(f"channel must be one of {MARKETING_CHANNELS}, not {channel!r}")
    if isinstance(customer_id, bool) or not isinstance(customer_id, int):
        raise TypeError("customer_id must be an int (e.g. order.customer_id)")
    with tenant_scope(store.id):
        return db.session.get(Customer, customer_id) is not None


def marketing_allowed(store: StoreInfo, customer_id: int, channel: str) -> bool:
    """True only when ``store``'s customer ``customer_id`` said yes to news and offers
    by ``channel`` (``"sms"`` or ``"email"``) and has not taken it back since.

    Shoppers say yes only by ticking a box (at checkout or in their account) and say no
    in their account, with the unsubscribe link, or by deleting their account; the
    newest answer holds. A customer of another store, or one who never answered, is
    False. Raises ``ValueError`` for another channel.
    """
    from core.customers.consent import marketing_allowed as holds
    from tenants import tenant_scope

    info = require_store(store)
    if not _customer_in(info, customer_id, channel):
        return False
    with tenant_scope(info.id):
        return holds(customer_id, channel)


def unsubscribe_url(store: StoreInfo, customer_id: int, channel: str) -> str:
    """The link that stops news and offers by ``channel`` for ``store``'s customer
    ``customer_id`` with one click and no sign-in: every marketing message must carry
    it. It never expires. Raises ``ValueError`` for another channel or a customer who
    is not the store's.
    """
    from core.customers.consent import unsubscribe_token

    info = require_store(store)
    if not _customer_in(info, customer_id, channel):
        raise ValueError(f"customer {customer_id} is not a customer of this store")
    return info.url(f"unsubscribe/{unsubscribe_token(info.id, customer_id, channel)}")
