"""One-time codes: 6 digits, valid for 10 minutes, at most 5 tries each.

A new code for an address retires the earlier ones, so only the newest works. Each
wrong try is counted in the database (compare-and-set), so parallel guesses cannot
get past the limit. Together with the rate limits on the pages (per address and per
client) an attacker gets a handful of guesses at one in a million per 10 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from core.accounts.models import ShopperCode
from core.clock import aware
from core.db import db, utcnow

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5


def _hash(salt: str, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(purpose: str, channel: str, address: str, *,
               order_id: int | None = None) -> tuple[ShopperCode, str]:
    """A new code for ``address`` (added to the session, not committed) and the code
    itself, which exists only in the message that carries it."""
    now = utcnow()
    db.session.execute(
        update(ShopperCode).where(ShopperCode.address == address,
                                  ShopperCode.purpose == purpose,
                                  ShopperCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    row = ShopperCode(purpose=purpose, channel=channel, address=address, salt=salt,
                      code_hash=_hash(salt, code), order_id=order_id,
                      expires_at=now + CODE_LIFETIME)
    db.session.add(row)
    return row, code


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a try: ``row`` when the code was right (and is now used)."""

    row: ShopperCode | None
    #: Tries left on the current code (0 when there is none, or it is spent).
    tries_left: int


def check_code(purpose: str, address: str, typed: str) -> CodeCheck:
    """Use the newest live code for ``address`` if ``typed`` is it. Commits."""
    typed = typed.strip()
    now = utcnow()
    row = db.session.scalar(
        select(ShopperCode).where(ShopperCode.address == address,
                                  ShopperCode.purpose == purpose,
                                  ShopperCode.used_at.is_(None))
        .order_by(ShopperCode.created_at.desc(), ShopperCode.id.desc()).limit(1))
    if row is None or aware(row.expires_at) <= now or row.attempts >= MAX_TRIES:
        db.session.commit()
        return CodeCheck(None, 0)
    # Count the try first, in the database: a guess that loses this race is not made.
    counted = db.session.execute(
        update(ShopperCode).where(ShopperCode.id == row.id,
                                  ShopperCode.attempts == row.attempts,
                                  ShopperCode.used_at.is_(None))
        .values(attempts=ShopperCode.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    tries_left = MAX_TRIES - row.attempts - 1
    right = counted == 1 and len(typed) == CODE_DIGITS and hmac.compare_digest(
        row.code_hash, _hash(row.salt, typed))
    if right:
        used = db.session.execute(
            update(ShopperCode).where(ShopperCode.id == row.id, ShopperCode.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        right = used == 1
    db.session.commit()
    if not right:
        return CodeCheck(None, max(tries_left, 0) if counted else 0)
    db.session.refresh(row)
    return CodeCheck(row, tries_left)
