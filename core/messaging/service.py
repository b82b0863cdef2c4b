"""Queueing a store event's messages, and delivering each one once from a job.

``queue_order_messages(order, event)`` runs inside the transaction that changed the
order. It decides who gets what (email when the shopper gave one, SMS when they gave
only a phone, both when the store asks for SMS with email), writes one
:class:`~core.messaging.models.Message` row per channel, and queues
:func:`deliver_message` for after the commit. A rollback drops both.

``deliver_message`` claims its row (``queued`` -> ``sending``, compare-and-set,
committed) before it hands anything to a mailer or gateway, so a job that runs twice
(a retry, two workers) sends once. Rendering happens before the claim is used: a
template that fails marks the message failed and nothing half-made leaves. A gateway
that says "try later" puts the row back to ``queued`` and queues another attempt with a
growing delay, up to :data:`MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from flask import current_app, g
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from core.db import db, utcnow
from core.i18n import format_money, format_number, normalise_locale
from core.mail import MailRejected, build_message, mailer_from_config, send_mail, sender_address
from core.messaging.alert_texts import alert_subject, alert_text
from core.messaging.models import FAILED, QUEUED, SENDING, SENT, Message, MessageTemplate
from core.messaging.phones import to_e164
from core.messaging.sms import MAX_PARTS, OutboxGateway, sms_size, store_gateway
from core.messaging.store_wording import fill_wording, parts_of, saved_wording
from core.messaging.texts import ORDER_EVENTS, code_subject, code_text, sms_text
from core.money import Money
from core.orders import timeline
from core.orders.emails import InvalidAddress, order_message, render_order_email, safe_link
from core.orders.models import Order, OrderEvent
from core.pluginhost.events import enqueue_after_commit
from core.pluginhost.runtime import reraise_unless_isolating
from core.sdk import SmsMessage, SmsNotSent, StoreInfo
from tenants.models import Tenant
from tenants.provisioning import find_tenant_by_id

log = logging.getLogger("haat.messaging")

#: The event of one-time codes (sign-in, order lookup).
SIGN_IN_CODE = "sign_in_code"
#: Events of alerts to the store's own people: ``alert_<name>`` (core/messaging/alerts.py).
ALERT_PREFIX = "alert_"
#: Attempts per message before it is marked failed (the first try included).
MAX_ATTEMPTS = 5
#: Seconds before the second attempt; each later one waits twice as long.
FIRST_RETRY_DELAY = 60

# Why core did not send a message: codes, which the admin shows in the merchant's
# language (core/messaging/labels.py). A gateway's own reason is kept as it said it.
NOT_A_MOBILE = "not-a-mobile-number"
NOT_AN_EMAIL = "not-an-email-address"
ORDER_GONE = "order-gone"
TEMPLATE_FAILED = "template-failed"
MAIL_SERVER_DOWN = "mail-server-unavailable"
TOO_LONG = "too-many-sms-parts"
NO_GATEWAY = "no-sms-gateway"
GATEWAY_BROKE = "sms-gateway-error"
SEND_ERROR = "send-error"


def queue_order_messages(order: Order, event: str, *, amount: int | None = None) -> None:
    """Queue the shopper's messages about ``event`` (a key of :data:`ORDER_EVENTS`)
    for after the current transaction commits.

    ``amount`` (minor units) is the refund of an ``order_refunded`` event. Queueing
    the same event twice for an order adds nothing (a refund is told once per new
    refunded total).
    """
    if event not in ORDER_EVENTS:
        raise ValueError(f"unknown order event {event!r}")
    tenant = store_row(order.tenant_id)
    country = (order.shipping_address or {}).get("country") or (tenant.country if tenant else "")
    wanted: list[tuple[str, str, str]] = []  # channel, recipient, why not sendable
    if order.email:
        wanted.append(("email", order.email.strip(), ""))
    if order.phone and (not order.email or (tenant is not None and tenant.sms_with_email)):
        number = to_e164(order.phone, country)
        wanted.append(("sms", number or order.phone.strip()[:254],
                       "" if number else NOT_A_MOBILE))
    suffix = f":{order.refunded_total}" if event == "order_refunded" else ""
    chosen = order.customer.locale if order.customer is not None else ""
    for channel, recipient, problem in wanted:
        key = f"order:{order.id}:{event}:{channel}{suffix}"
        if db.session.scalar(select(Message.id).where(Message.key == key)) is not None:
            continue
        message = Message(tenant_id=order.tenant_id, key=key, event=event, channel=channel,
                          recipient=recipient, customer_id=order.customer_id,
                          order_id=order.id, locale=chosen or order.locale or "",
                          data={"amount": amount} if amount is not None else {})
        if problem:
            message.status, message.error = FAILED, problem
        db.session.add(message)
        if not problem:
            enqueue_after_commit(deliver_message, order.tenant_id, key)


def store_row(tenant_id: int) -> Tenant | None:
    """The store's row, read once per request or job (kept on ``g``)."""
    cache = g.setdefault("haat_messaging_tenants", {})
    if tenant_id not in cache:
        # Read outside the tenant scope; the caller's pending rows must not flush there.
        with db.session.no_autoflush:
            cache[tenant_id] = find_tenant_by_id(tenant_id)
    return cache[tenant_id]


@dataclass(frozen=True)
class _Outcome:
    status: str  # SENT, FAILED or QUEUED (try again)
    provider: str = ""
    provider_ref: str = ""
    error: str = ""


class _Unrenderable(Exception):
    """The message could not be made (its order is gone, a template failed)."""


def queue_order_link(order: Order, channel: str, address: str) -> None:
    """Send the link to ``order``'s page to ``address`` (the phone or email the shopper
    typed in the order lookup, which matched the order) after the commit."""
    key = f"order:{order.id}:order_link:{channel}:{secrets.token_hex(6)}"
    db.session.add(Message(tenant_id=order.tenant_id, key=key, event="order_link",
                           channel=channel, recipient=address, customer_id=order.customer_id,
                           order_id=order.id, locale=order.locale or ""))
    enqueue_after_commit(deliver_message, order.tenant_id, key)


#: Events of messages plugins send (``core.sdk.send_message``): ``plugin:<name>``.
PLUGIN_PREFIX = "plugin:"


def queue_plugin_message(tenant_id: int, plugin: str, channel: str, address: str, *,
                         text: str, subject: str, key: str,
                         customer_id: int | None = None) -> bool:
    """Write a plugin's finished message in its own transaction and queue it at once;
    False when ``key`` was already used (nothing new is sent)."""
    from sqlalchemy.exc import IntegrityError

    from core.customers.models import Customer
    from core.pluginhost.datastore import open_store_session

    full_key = f"{PLUGIN_PREFIX}{plugin}:{key}"
    if len(full_key) > 200:
        raise ValueError("the plugin's name and the key are too long together "
                         "(at most 200 characters)")
    try:
        with open_store_session(tenant_id) as session:
            if customer_id is not None and session.get(Customer, customer_id) is None:
                raise ValueError(f"customer {customer_id} is not a customer of this store")
            if session.scalar(select(Message.id).where(Message.key == full_key)) is not None:
                return False
            session.add(Message(tenant_id=tenant_id, key=full_key,
                                event=f"{PLUGIN_PREFIX}{plugin}"[:40], channel=channel,
                                recipient=address, customer_id=customer_id, subject=subject,
                                body=text))
    except IntegrityError:  # the same key, queued at the same moment by another worker
        return False
    current_app.extensions["haat_jobs"].enqueue(deliver_message, tenant_id, full_key)
    return True


def can_resend(message: Message) -> bool:
    """Whether staff may send ``message`` again: a message about an order, once it is
    sent or has failed, to an address that is still there (erasing an account blanks
    it). Never a code (its text is masked, and the shopper asks for a new one), an
    alert, a test, or a plugin's message (core cannot tell whether it was news the
    shopper has since stopped)."""
    return (message.event in ORDER_EVENTS and message.status in (SENT, FAILED)
            and bool(message.recipient) and message.order_id is not None)


def queue_resend(message: Message) -> Message:
    """Queue a copy of ``message`` to the same address for after the commit, made again
    from the order as it is now. The copy is logged as a message of its own."""
    if not can_resend(message):
        raise ValueError(f"message {message.id} cannot be sent again")
    key = f"resend:{message.id}:{secrets.token_hex(8)}"
    copy = Message(tenant_id=message.tenant_id, key=key, event=message.event,
                   channel=message.channel, recipient=message.recipient,
                   customer_id=message.customer_id, order_id=message.order_id,
                   locale=message.locale, data=dict(message.data or {}))
    db.session.add(copy)
    enqueue_after_commit(deliver_message, message.tenant_id, key)
    return copy


#: Events of test messages from the message editor: ``test:<event>``.
TEST_PREFIX = "test:"


def queue_test_message(tenant_id: int, event: str, channel: str, address: str, *,
                       subject: str, text: str, html: str = "") -> None:
    """Send a staff member's test of ``event``'s message, finished as previewed, to
    their own ``address`` after the commit. It is logged like any message, on no
    customer's record."""
    key = f"{TEST_PREFIX}{event}:{channel}:{secrets.token_hex(8)}"
    db.session.add(Message(tenant_id=tenant_id, key=key, event=f"{TEST_PREFIX}{event}"[:40],
                           channel=channel, recipient=address, subject=subject[:300],
                           body=text, data={"html": html} if html else {}))
    enqueue_after_commit(deliver_message, tenant_id, key)


def queue_code_message(contact_channel: str, address: str, code: str, *, code_id: int,
                       tenant_id: int, customer_id: int | None, locale: str) -> None:
    """Queue a one-time sign-in code to ``address`` for after the commit.

    The code travels only in the job's arguments and the message itself: the log
    keeps the text with the code masked, so staff reading it cannot sign in as the
    shopper.
    """
    key = f"code:{code_id}:{contact_channel}"
    db.session.add(Message(tenant_id=tenant_id, key=key, event=SIGN_IN_CODE,
                           channel=contact_channel, recipient=address,
                           customer_id=customer_id, locale=locale))
    enqueue_after_commit(deliver_message, tenant_id, key, code)


def deliver_message(store: StoreInfo, key: str, secret: str = "") -> None:
    """Send the message ``key`` of ``store`` if nobody has yet (a background job).

    ``secret`` is a one-time code to put into the text (never stored with it)."""
    message = db.session.scalar(select(Message).where(Message.key == key))
    if message is None:
        log.info("message %s of store %s not found; nothing sent", key, store.id)
        return
    claimed = db.session.execute(
        update(Message).where(Message.id == message.id, Message.status == QUEUED)
        .values(status=SENDING, attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:  # sent, failed, or another worker has it: never twice
        log.info("message %s of store %s is already %s", key, store.id, message.status)
        return
    db.session.refresh(message)
    try:
        outcome = _send(store, message, secret)
    except _Unrenderable as exc:
        outcome = _Outcome(FAILED, error=str(exc)[:500])
    except Exception as exc:  # a bug or bad settings: say so, never leave it "sending"
        log.exception("message %s of store %s could not be sent", key, store.id)
        db.session.rollback()
        message = db.session.get(Message, message.id)
        reraise_unless_isolating(exc)
        outcome = _Outcome(FAILED, error=SEND_ERROR)
    _finish(store, message, outcome, secret)


def _finish(store: StoreInfo, message: Message, outcome: _Outcome, secret: str) -> None:
    # A sign-in code is not retried: by the next try it may have expired, and the
    # shopper asks again anyway.
    retry = (outcome.status == QUEUED and message.attempts < MAX_ATTEMPTS
             and message.event != SIGN_IN_CODE)
    status = QUEUED if retry else (FAILED if outcome.status == QUEUED else outcome.status)
    message.status, message.error = status, outcome.error[:500]
    message.provider = outcome.provider or message.provider
    message.provider_ref = outcome.provider_ref[:200]
    if status == SENT:
        message.sent_at = utcnow()
    _note_on_order(message)
    db.session.commit()
    if retry:
        delay = FIRST_RETRY_DELAY * 2 ** (message.attempts - 1)
        current_app.extensions["haat_jobs"].enqueue_after(delay, deliver_message,
                                                          store.id, message.key, secret)


def _note_on_order(message: Message) -> None:
    if message.order_id is None or message.status == QUEUED:
        return
    if message.event.startswith(ALERT_PREFIX):  # the merchant's own alerts: not a step
        return
    if message.status == SENT:
        kind = f"{message.channel}_sent"
        text = timeline.message_sent(message.event, message.channel, message.recipient)
    else:
        kind = f"{message.channel}_failed"
        text = timeline.message_not_sent(message.event, message.channel, message.recipient,
                                         message.error)
    db.session.add(OrderEvent(order_id=message.order_id, kind=kind, actor="system",
                              **timeline.entry_columns(text)))


def _send(store: StoreInfo, message: Message, secret: str) -> _Outcome:
    if message.event == SIGN_IN_CODE:
        return _send_code(store, message, secret)
    if message.event.startswith(ALERT_PREFIX):
        return _send_alert(store, message)
    if message.event.startswith((PLUGIN_PREFIX, TEST_PREFIX)):
        return _send_as_written(store, message)
    order = db.session.scalar(select(Order).where(Order.id == message.order_id)
                              .options(selectinload(Order.lines)))
    if order is None:
        raise _Unrenderable(ORDER_GONE)
    if message.channel == "email":
        return _send_email(store, message, order)
    return _send_sms(store, message, order)


def _send_email(store: StoreInfo, message: Message, order: Order) -> _Outcome:
    kind = ORDER_EVENTS[message.event]
    refund = _refund_text(store, order, message)
    wording = _email_wording(store, message, order, refund)
    try:
        rendered = render_order_email(store, order, kind, extra={"refund_amount": refund},
                                      locale=message.locale, wording=wording)
        email: EmailMessage = order_message(store, rendered, order, message.recipient)
    except InvalidAddress as exc:
        raise _Unrenderable(NOT_AN_EMAIL) from exc
    except Exception as exc:  # a broken template must not become half a message
        log.exception("could not render the %s email of order %s", kind, order.id)
        raise _Unrenderable(TEMPLATE_FAILED) from exc
    message.subject, message.body = rendered.subject[:300], rendered.text
    return _mail(email, message)


def _email_wording(store: StoreInfo, message: Message, order: Order,
                   refund: str) -> dict[str, str] | None:
    """The store's own subject, heading and message for this email, filled in; None
    when it has none, or when it does not render (the standard email goes)."""
    saved = saved_wording(store.id, message.event, "email",
                          _locale(store, order, message.locale))
    if saved is None:
        return None
    values = order_values(store, order, refund_amount=refund, locale=message.locale)
    try:
        return fill_wording(message.event, "email", parts_of(saved), values)
    except ValueError:
        log.warning("store %s: its %s email does not render; the standard one was sent",
                    store.id, message.event)
        return None


def _mail(email: EmailMessage, message: Message) -> _Outcome:
    provider = type(mailer_from_config(current_app.config)).__name__.removesuffix("Mailer")
    try:
        send_mail(email)
    except MailRejected as exc:
        return _Outcome(FAILED, provider.lower(), error=str(exc))
    except (OSError, TimeoutError) as exc:  # the server is down or slow: later
        log.warning("mail server unavailable for message %s: %s", message.key, exc)
        return _Outcome(QUEUED, provider.lower(), error=MAIL_SERVER_DOWN)
    return _Outcome(SENT, provider.lower(), provider_ref=str(email["Message-ID"] or ""))


def _refund_text(store: StoreInfo, order: Order, message: Message) -> str:
    amount = (message.data or {}).get("amount")
    if message.event != "order_refunded" or not isinstance(amount, int):
        return ""
    return _money(store, order, amount, message.locale)


def _money(store: StoreInfo, order: Order, amount: int, message_locale: str = "") -> str:
    tenant = store_row(store.id)
    return format_money(Money(amount, order.currency), _locale(store, order, message_locale),
                        bengali_digits=bool(tenant and tenant.bengali_digits))


def _locale(store: StoreInfo, order: Order, chosen: str = "") -> str:
    return normalise_locale(chosen or order.locale or store.locale)


def _order_number(order: Order) -> str:
    """``#1001``: in Latin digits, as the order page, the emails and the admin show it
    (the shopper compares them, and types it into the order lookup)."""
    return f"#{order.number}"


def order_values(store: StoreInfo, order: Order, *, refund_amount: str = "",
                 locale: str = "") -> dict[str, Any]:
    """Every order placeholder (:data:`~core.messaging.wording.PLACEHOLDERS`) filled
    for ``order``, formatted for ``locale`` (else the order's language)."""
    locale = _locale(store, order, locale)
    return {
        "store": store.name,
        "name": " ".join(str((order.shipping_address or {}).get("name") or "").split()),
        "number": _order_number(order),
        "total": _money(store, order, order.total, locale),
        "link": store.url(f"orders/{order.token}"),
        "payment": order.payment_label or order.payment_method,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "tracking_url": safe_link(order.tracking_url),
        "refund_amount": refund_amount,
        "awaiting_payment": order.payment_state == "pending"
        and bool((order.payment_instructions or "").strip()),
    }


def render_order_sms(store: StoreInfo, order: Order, event: str, *,
                     refund_amount: str = "", locale: str = "",
                     wording: MessageTemplate | None = None) -> str:
    """The SMS text about ``event`` for ``order``, in ``locale`` (the shopper's chosen
    language), else the order's: the store's own ``wording`` when it has one that
    renders, else the standard text."""
    locale = _locale(store, order, locale)
    values = order_values(store, order, refund_amount=refund_amount, locale=locale)
    if wording is not None:
        try:
            return fill_wording(event, "sms", parts_of(wording), values)["body"]
        except ValueError:
            log.warning("store %s: its %s SMS in %s does not render; the standard text "
                        "was sent", store.id, event, locale)
    with force_locale(locale):
        return sms_text(event, values)


def _send_sms(store: StoreInfo, message: Message, order: Order) -> _Outcome:
    wording = saved_wording(store.id, message.event, "sms",
                            _locale(store, order, message.locale))
    try:
        text = render_order_sms(store, order, message.event, locale=message.locale,
                                refund_amount=_refund_text(store, order, message),
                                wording=wording)
    except Exception as exc:
        log.exception("could not render the %s SMS of order %s", message.event, order.id)
        raise _Unrenderable(TEMPLATE_FAILED) from exc
    return _sms(store, message, text, text)


def _sms(store: StoreInfo, message: Message, text: str, logged: str) -> _Outcome:
    """Send ``text`` to the message's phone; the log keeps ``logged``."""
    from core.pluginhost.web import plugins_for_tenant

    size = sms_size(text)
    message.body, message.parts = logged, size.parts
    if size.parts > MAX_PARTS:
        return _Outcome(FAILED, error=TOO_LONG)
    gateway = store_gateway(store, plugins_for_tenant(store.id))
    if gateway is None:
        return _Outcome(FAILED, error=NO_GATEWAY)
    provider = str(getattr(gateway, "id", "") or "sms")[:64]
    sms = SmsMessage(to=message.recipient, text=text, unicode=size.unicode, parts=size.parts,
                     reference=f"haat-{store.id}-{message.id}",
                     sender_id=str(getattr(gateway, "sender_id", "") or ""))
    try:
        receipt = gateway.send_sms(sms)
    except SmsNotSent as exc:
        return _Outcome(QUEUED if exc.retry else FAILED, provider, error=exc.reason)
    except Exception as exc:  # a plugin's bug: it may or may not have sent; never again
        if not isinstance(gateway, OutboxGateway):
            log.exception("SMS gateway %s failed for store %s", provider, store.id)
        reraise_unless_isolating(exc)
        return _Outcome(FAILED, provider, error=GATEWAY_BROKE)
    return _Outcome(SENT, provider, provider_ref=str(receipt.provider_id or ""))


def _code_texts(store: StoreInfo, message: Message, code: str) -> tuple[str, str]:
    """The subject and text carrying ``code``, in the shopper's language: the store's
    own wording when it has one that renders, else the standard text."""
    locale = normalise_locale(message.locale or store.locale)
    saved = saved_wording(store.id, SIGN_IN_CODE, message.channel, locale)
    if saved is not None:
        try:
            filled = fill_wording(SIGN_IN_CODE, message.channel, parts_of(saved),
                                  {"store": store.name, "code": code})
            with force_locale(locale):
                return filled.get("subject") or code_subject(store.name), filled["body"]
        except ValueError:
            log.warning("store %s: its sign-in code %s does not render; the standard text "
                        "was sent", store.id, message.channel)
    with force_locale(locale):
        text = code_text(store.name, code)
        subject = code_subject(store.name)
    return subject, text


def _send_code(store: StoreInfo, message: Message, code: str) -> _Outcome:
    if not code:  # a job without its code (it cannot be rebuilt from the hash)
        raise _Unrenderable(TEMPLATE_FAILED)
    subject, text = _code_texts(store, message, code)
    masked = text.replace(code, "•" * len(code))
    if message.channel == "email":
        # A code never rides in a subject line: previews show it, and the log keeps it.
        subject = subject.replace(code, "•" * len(code))
        return _plain_email(store, message, subject, text, masked)
    return _sms(store, message, text, masked)


def _send_alert(store: StoreInfo, message: Message) -> _Outcome:
    from core.admin.language import admin_translations  # staff read the admin's words
    from core.catalog.models import Product

    alert = message.event.removeprefix(ALERT_PREFIX)
    data = message.data or {}
    context: dict[str, Any] = {"store": store.name}
    order = None
    if message.order_id is not None:
        order = db.session.get(Order, message.order_id)
        if order is None:
            raise _Unrenderable(ORDER_GONE)
        context.update(number=_order_number(order),
                       link=store.url(f"admin/orders/{order.id}"),
                       payment=order.payment_label or order.payment_method)
    if alert == "low_stock":
        product = db.session.get(Product, data.get("product_id") or 0)
        if product is None:
            raise _Unrenderable(TEMPLATE_FAILED)
        context.update(product=product.title, link=store.url(f"admin/products/{product.id}"))
    locale = normalise_locale(message.locale or store.locale)
    tenant = store_row(store.id)
    digits = bool(tenant and tenant.bengali_digits)
    try:
        with force_locale(locale), admin_translations():
            if order is not None:
                context["total"] = format_money(Money(order.total, order.currency), locale,
                                                bengali_digits=digits)
            context["count"] = format_number(int(data.get("stock") or 0), locale,
                                             bengali_digits=digits)
            subject, text = alert_subject(alert, context), alert_text(alert, context)
    except Exception as exc:
        log.exception("could not render the %s alert of store %s", alert, store.id)
        raise _Unrenderable(TEMPLATE_FAILED) from exc
    if message.channel == "sms":
        return _sms(store, message, text, text)
    return _plain_email(store, message, subject, text, text)


def _send_as_written(store: StoreInfo, message: Message) -> _Outcome:
    """A message finished when it was queued (a plugin's, or a test from the message
    editor): its text, subject and HTML as written."""
    if message.channel == "sms":
        return _sms(store, message, message.body, message.body)
    html = str((message.data or {}).get("html") or "")
    return _plain_email(store, message, message.subject or store.name, message.body,
                        message.body, html=html)


def _plain_email(store: StoreInfo, message: Message, subject: str, text: str,
                 logged: str, *, html: str = "") -> _Outcome:
    """Send an email from the store (plain text, with ``html`` as its alternative when
    given); the log keeps ``subject`` and ``logged``."""
    message.subject, message.body = subject[:300], logged
    try:
        email = build_message(subject=subject, sender=sender_address(store.name),
                              to=Address(addr_spec=message.recipient), text=text,
                              html=html or None)
    except (ValueError, IndexError) as exc:
        raise _Unrenderable(NOT_AN_EMAIL) from exc
    return _mail(email, message)
