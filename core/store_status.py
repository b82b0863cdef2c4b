"""Whether a store is open to shoppers, and its "coming soon" page's password.

A store that is not open (``Tenant.open`` is False: every store from the sign-up page
starts so) shows shoppers its coming-soon page instead of the storefront
(:mod:`core.storefront.coming_soon`). The owner may set a password there, for friends
and testers to look around before the opening; it is kept as an argon2 hash, like the
staff's passwords, and checked only on a rate-limited form.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tenants.models import Tenant

#: Length limits of the storefront password and of the owner's message, as typed.
MIN_PASSWORD, MAX_PASSWORD = 6, 100
MAX_MESSAGE = 500

_hasher = PasswordHasher()


def set_storefront_password(tenant: Tenant, password: str) -> None:
    """Keep a hash of ``password`` (``""`` removes the password). Browsers let in with
    the old one are shut out again (``Tenant.entry_stamp`` changes)."""
    tenant.storefront_password = _hasher.hash(password) if password else ""


def storefront_password_matches(tenant: Tenant, password: str) -> bool:
    """True when ``tenant`` has a storefront password and ``password`` is it."""
    if not tenant.storefront_password or not password:
        return False
    try:
        return _hasher.verify(tenant.storefront_password, password)
    except (VerificationError, InvalidHashError):
        return False
