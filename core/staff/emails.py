"""Emails to staff: an invitation to a store's admin, and a password reset link.

Queued with :func:`queue_staff_email` after the transaction commits and sent by the
job :func:`send_staff_email`, which makes the link's token when it runs (so a retried
job never sends a link that a later change has already spent) and writes it into
``email/staff_invite.*`` or ``email/staff_reset.*`` in the store's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address

from flask import current_app
from flask_babel import force_locale

from core.admin.language import admin_translations
from core.db import db
from core.i18n import normalise_locale
from core.mail import MailRejected, build_message, send_mail, sender_address
from core.pluginhost.events import enqueue_after_commit
from core.sdk import StoreInfo
from core.staff.models import StaffUser
from core.staff.tokens import INVITE, MAX_AGE_SECONDS, RESET, make_token

log = logging.getLogger("haat.staff.emails")

#: Purpose -> (template name, path of the link without its token).
EMAILS: dict[str, tuple[str, str]] = {
    INVITE: ("staff_invite", "/admin/invite/"),
    RESET: ("staff_reset", "/admin/reset/"),
}


@dataclass(frozen=True)
class RenderedEmail:
    """A staff email ready to send."""

    subject: str
    text: str
    html: str


def queue_staff_email(user: StaffUser, purpose: str, base_url: str, inviter: str = "") -> None:
    """Send ``user`` the ``purpose`` email once the current transaction commits.

    ``base_url`` is the store host the request came in on (``https://shop.example/``),
    so the link opens the admin where the merchant uses it.
    """
    if purpose not in EMAILS:
        raise ValueError(f"unknown staff email {purpose!r}")
    enqueue_after_commit(send_staff_email, user.tenant_id, user.id, purpose, base_url, inviter)


def send_staff_email(store: StoreInfo, user_id: int, purpose: str, base_url: str,
                     inviter: str = "") -> None:
    """Job: make a fresh link for ``user_id`` and email it (runs in the store's scope).

    Nothing is sent when the account is gone, or when the invitation was accepted or
    cancelled meanwhile (an invitation) or is still open (a reset).
    """
    user = db.session.get(StaffUser, user_id)
    if user is None or (user.invited_at is not None) != (purpose == INVITE):
        log.info("staff %s email for user %s of store %s not needed any more",
                 purpose, user_id, store.id)
        return
    link = base_url.rstrip("/") + EMAILS[purpose][1] + make_token(user, purpose)
    rendered = render_staff_email(store, purpose, link=link, email=user.email, inviter=inviter)
    try:
        message = build_message(subject=rendered.subject, sender=sender_address(store.name),
                                to=Address(addr_spec=user.email), text=rendered.text,
                                html=rendered.html)
        send_mail(message)
    except (ValueError, IndexError, MailRejected) as exc:  # a bad address stays bad
        log.warning("staff %s email to user %s of store %s not sent: %s",
                    purpose, user_id, store.id, exc)


def render_staff_email(store: StoreInfo, purpose: str, *, link: str, email: str,
                       inviter: str = "") -> RenderedEmail:
    """The ``purpose`` email in the store's language."""
    env = current_app.jinja_env
    name = EMAILS[purpose][0]
    context = {"store_name": store.name, "store_url": store.url(""), "link": link,
               "email": email, "inviter": inviter, "locale": normalise_locale(store.locale),
               "hours": MAX_AGE_SECONDS[RESET] // 3600,
               "days": MAX_AGE_SECONDS[INVITE] // 86400}
    with force_locale(context["locale"]), admin_translations():
        text_template = env.get_template(f"email/{name}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        context["subject"] = " ".join(subject.split())
        text = text_template.render(context).strip() + "\n"
        html = env.get_template(f"email/{name}.html").render(context)
    return RenderedEmail(subject=context["subject"], text=text, html=html)
