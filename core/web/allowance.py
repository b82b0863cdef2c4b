"""Counting uses against limits kept in the app's rate-limit storage.

For limits that are not one per route: per phone or email, per staff member, per test
send. The storage is Flask-Limiter's (memory, or Redis with ``RATELIMIT_STORAGE_URI``),
so these limits hold across workers exactly as far as the route limits do.
"""

from __future__ import annotations

from collections.abc import Sequence

from limits import RateLimitItem, parse

from core.extensions import limiter


def use_allowance(limits: Sequence[RateLimitItem | str], *keys: str) -> bool:
    """Count one use for ``keys`` against each of ``limits`` (``"10 per hour"`` or a
    parsed item). False, with nothing counted, when any of them is used up; always True
    when rate limiting is switched off (``RATELIMIT_ENABLED=False``)."""
    if not limiter.enabled:
        return True
    items = [parse(limit) if isinstance(limit, str) else limit for limit in limits]
    strategy = limiter.limiter
    if not all(strategy.test(item, *keys) for item in items):
        return False
    # hit() is the atomic step (a used-up limit records nothing): two requests that
    # both passed the test above cannot both get the last use.
    return all([strategy.hit(item, *keys) for item in items])
