"""The sign-up page's challenge: a honeypot field and a signed, one-time form token.

No outside service, no JavaScript and nothing to solve, so it costs people (and screen
readers, and slow phones) nothing:

* **Honeypot.** The form has a ``leave_blank`` text field that people never see (it sits off
  screen, ``aria-hidden``, out of the tab order). Form-filling robots fill it in.
* **Form token.** ``form_started`` is signed with ``SECRET_KEY`` and says when the form
  was shown. A sign-up must come at least ``HAAT_SIGNUP_MIN_SECONDS`` (3) after that and
  within a day, and each token creates at most one store, so a script has to load the
  page and wait for every store it makes.

Neither stops a patient, determined script; the per-client limit (``RATELIMIT_SIGNUP``)
does that. ``HAAT_SIGNUP_CHALLENGE=0`` turns the challenge off (tests do, as with CSRF).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from core.web.allowance import use_allowance

TOKEN_FIELD = "form_started"  # noqa: S105 (a form field name, not a secret)
# A name no autofill or password manager fills in (a "website" field, some do).
HONEYPOT_FIELD = "leave_blank"
#: A form left open longer than this must be loaded again.
MAX_AGE = 24 * 60 * 60
_SALT = "haat-signup-form"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(now: float | None = None) -> str:
    """A fresh form token saying the form was shown at ``now`` (default: now)."""
    shown = int(time.time() if now is None else now)
    return _serializer().dumps({"n": secrets.token_urlsafe(12), "t": shown})


def problem(form: Mapping[str, str], now: float | None = None) -> str | None:
    """Why this sign-up looks automated (one message for every reason, so a script
    learns nothing), or ``None`` when it passes. A passing token is used up."""
    if not current_app.config.get("HAAT_SIGNUP_CHALLENGE", True):
        return None
    retry = _("Please check your details and select “Create store” again.")
    if form.get(HONEYPOT_FIELD, ""):
        return retry
    try:
        data = _serializer().loads(form.get(TOKEN_FIELD, ""))
        nonce, shown = str(data["n"]), int(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return retry
    age = (time.time() if now is None else now) - shown
    if not current_app.config["HAAT_SIGNUP_MIN_SECONDS"] <= age <= MAX_AGE:
        return retry
    # One store per token: the mark lives in the shared rate-limit storage, so it holds
    # across workers.
    if not use_allowance(["1 per day"], "haat-signup-token", nonce):
        return retry
    return None
