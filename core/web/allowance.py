"""Counting uses against limits kept in the app's rate-limit storage.

For limits that are not one per route: per phone or email, per staff member, per test
send. The storage is Flask-Limiter's (by default one SQLite file every worker of the
node shares, or Redis with ``REDIS_URL``; see ``core.web.limit_storage``), so these
limits hold across workers exactly as far as the route limits do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from limits import RateLimitItem, parse

from core.extensions import limiter

Limit = RateLimitItem | str
log = logging.getLogger("haat.limits")


def storage_errors() -> tuple[type[BaseException], ...]:
    """The exceptions the rate-limit storage raises when it cannot answer."""
    errors = limiter.limiter.storage.base_exceptions
    return errors if isinstance(errors, tuple) else (errors,)


def _items(limits: Sequence[Limit]) -> list[RateLimitItem]:
    return [parse(limit) if isinstance(limit, str) else limit for limit in limits]


def use_allowance(limits: Sequence[Limit], *keys: str) -> bool:
    """Count one use for ``keys`` against each of ``limits`` (``"10 per hour"`` or a
    parsed item). False, with nothing counted, when any of them is used up; always True
    when rate limiting is switched off (``RATELIMIT_ENABLED=False``)."""
    return use_allowances((limits, keys))


def use_allowances(*uses: tuple[Sequence[Limit], Sequence[str]]) -> bool:
    """Like :func:`use_allowance` for several ``(limits, keys)`` at once: one use is
    counted for each only when none of them is used up (per cart *and* per client)."""
    if not limiter.enabled:
        return True
    pairs = [(item, tuple(keys)) for limits, keys in uses for item in _items(limits)]
    strategy = limiter.limiter
    try:
        if not all(strategy.test(item, *keys) for item, keys in pairs):
            return False
        # hit() is the atomic step (a used-up limit records nothing): two requests that
        # both passed the test above cannot both get the last use. In a race a limit
        # checked earlier may be counted when a later one refuses: it errs on refusing.
        return all([strategy.hit(item, *keys) for item, keys in pairs])
    except storage_errors():
        # The storage did not answer (a write lock held past its timeout, Redis down):
        # refuse with the action's usual "try again later" rather than fail the request.
        log.warning("rate-limit storage unavailable; refusing %s", pairs[0][1][:2],
                    exc_info=True)
        return False


def allowance_left(limits: Sequence[Limit], *keys: str) -> bool:
    """Whether one more use for ``keys`` fits every one of ``limits`` (nothing counted)."""
    if not limiter.enabled:
        return True
    try:
        return all(limiter.limiter.test(item, *keys) for item in _items(limits))
    except storage_errors():
        log.warning("rate-limit storage unavailable; refusing %s", keys[:2], exc_info=True)
        return False
