"""Talking to Stripe's API with one store's key.

Every call builds a :class:`stripe.StripeClient` with the store's own secret key, so no
call can use another store's key or the module-wide ``stripe.api_key`` (which Haat never
sets). ``HAAT_STRIPE_API_BASE`` points the client at another API base, for tests against
a local fake of Stripe's API; it is an operator's environment variable, never a
merchant setting, and empty means the real Stripe.
"""

from __future__ import annotations

import os

import stripe

from .texts import _

ENV_API_BASE = "HAAT_STRIPE_API_BASE"
#: Seconds to wait for Stripe; checkout waits on it, so keep it short.
TIMEOUT = 20
#: Retries of connection errors, 409s and 5xx; safe because every POST has an
#: idempotency key.
RETRIES = 2


def client(secret_key: str) -> stripe.StripeClient:
    """A Stripe client that uses only ``secret_key``."""
    base = os.environ.get(ENV_API_BASE, "").strip().rstrip("/")
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
    )


def describe(exc: stripe.StripeError) -> str:
    """A log line for a Stripe error: its kind, code, status and request id.

    Stripe's own message is left out: for a rejected key it quotes part of the key.
    """
    parts = [f"stripe {type(exc).__name__}"]
    if exc.code:
        parts.append(f"code={exc.code}")
    if exc.http_status:
        parts.append(f"status={exc.http_status}")
    if exc.request_id:
        parts.append(f"request={exc.request_id}")
    return " ".join(parts)


def refund_message(exc: stripe.StripeError) -> str:
    """What to tell the merchant, in their language, when Stripe refused a refund or
    could not be asked."""
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return _("Stripe did not accept the secret key in the Stripe settings, so the "
                 "refund was not made.")
    if isinstance(exc, stripe.APIConnectionError):
        return _("Could not reach Stripe. Try the refund again: repeating it is safe.")
    if isinstance(exc, stripe.RateLimitError):
        return _("Stripe is busy. Try the refund again in a minute.")
    if isinstance(exc, stripe.InvalidRequestError) and exc.user_message:
        # Stripe's own explanation stays as Stripe wrote it (in English).
        return _("Stripe refused the refund: %(reason)s", reason=exc.user_message)
    return _("Stripe could not make the refund (%(error)s).", error=describe(exc))
