"""Signing up: one transaction creates the store and its owner account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from core.db import db
from core.pluginhost.state import default_plugins, enable_defaults
from core.staff.models import ROLE_OWNER, StaffUser
from tenants import Tenant, tenant_scope
from tenants.provisioning import ProvisioningError, create_tenant


@dataclass(frozen=True)
class NewStore:
    """What a successful sign-up made."""

    tenant: Tenant
    owner: StaffUser


def sign_up(*, name: str, slug: str, email: str, password: str, locale: str = "en",
            currency: str = "USD", commit: bool = True, **details: object) -> NewStore:
    """Create a store and its owner, or raise ``ProvisioningError`` and create nothing."""
    try:
        tenant = create_tenant(slug=slug, name=name, locale=locale, currency=currency,
                               contact_email=email.lower(), **details)
        with tenant_scope(tenant.id):
            owner = StaffUser(email=email.lower(), role=ROLE_OWNER)
            owner.set_password(password)
            db.session.add(owner)
            db.session.flush()
        enable_defaults(tenant.id, default_plugins())
        if commit:
            db.session.commit()
    except ProvisioningError:
        db.session.rollback()
        raise
    except IntegrityError as exc:
        # Lost a race for the slug between our check and the insert.
        db.session.rollback()
        raise ProvisioningError("slug", "That address is taken. Please choose another.") from exc
    return NewStore(tenant=tenant, owner=owner)
