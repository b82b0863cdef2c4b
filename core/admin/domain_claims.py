"""Who holds a custom domain: the claim rules behind ``/admin/settings/domains``.

A store *claims* a name by adding it; that reserves nothing against other stores. Only
a *verified* claim (the store proved it controls the name's DNS) routes traffic and
keeps other stores out, and at most one store holds a name verified (a partial unique
index on ``domains.hostname``). So a store that adds a name it does not own cannot
block the real owner: the owner adds it too, proves it, and the squatter's claim is
released.

An unverified claim is *pending* for ``HAAT_DOMAIN_PENDING_HOURS`` (72 by default)
after it was added; after that it is *expired* and can no longer be verified until the
store adds the name again, which renews it. Claims are released lazily: the state is
worked out when the store's domains page reads it, so no job is needed and a
released claim simply stays listed (marked) until its store removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from core.clock import aware
from core.db import db, utcnow
from tenants.context import platform_scope, require_tenant_id
from tenants.models import Domain

VERIFIED = "verified"
PENDING = "pending"
EXPIRED = "expired"
#: Another store proved the name is theirs; this store's claim was released.
TAKEN = "taken"

DEFAULT_PENDING_HOURS = 72


def pending_window() -> timedelta:
    """How long an unverified claim may wait for its DNS proof."""
    hours = current_app.config.get("HAAT_DOMAIN_PENDING_HOURS", DEFAULT_PENDING_HOURS)
    return timedelta(hours=max(int(hours), 1))


def expires_at(domain: Domain) -> datetime:
    """When ``domain``'s pending window ends (meaningless once it is verified)."""
    return aware(domain.created_at) + pending_window()


def verified_elsewhere(hostnames: Iterable[str]) -> set[str]:
    """Which of ``hostnames`` another store holds verified (names only: which store
    stays secret)."""
    names = set(hostnames)
    if not names:
        return set()
    store_id = require_tenant_id()
    with platform_scope():
        return set(db.session.scalars(select(Domain.hostname).where(
            Domain.hostname.in_(names), Domain.verified.is_(True),
            Domain.tenant_id != store_id)))


def state_of(domain: Domain, taken: set[str], now: datetime | None = None) -> str:
    """``verified``, ``taken``, ``expired`` or ``pending``; ``taken`` is
    :func:`verified_elsewhere` for the names being looked at."""
    if domain.verified:
        return VERIFIED
    if domain.hostname in taken:
        return TAKEN
    if (now or utcnow()) >= expires_at(domain):
        return EXPIRED
    return PENDING


def claim_state(domain: Domain) -> str:
    """The state of one claim of the current store, read now."""
    return state_of(domain, verified_elsewhere([domain.hostname]))
