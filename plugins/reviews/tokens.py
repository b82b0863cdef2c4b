"""The secret in a review-request link: random, shown once in the message, kept only as
its SHA-256, so a copy of the database opens no review form."""

from __future__ import annotations

import hashlib
import secrets

#: 16 random bytes (128 bits, 22 characters): beyond guessing, even without the link
#: page's rate limit, and short enough that a Bengali SMS with its link stays two parts.
TOKEN_BYTES = 16


def new_token() -> tuple[str, str]:
    """``(token, token_hash)``: put ``token`` in the link, store ``token_hash``."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The hex SHA-256 of ``token``: what the database keeps and is searched by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def contact_hash(store_id: int, contact: str) -> str:
    """A store's hash of a shopper's contact (E.164 phone or lower-case email), for the
    opt-out list and abuse reports: the same contact hashes differently in each store."""
    return hashlib.sha256(f"{store_id}:{contact.strip().lower()}".encode()).hexdigest()
