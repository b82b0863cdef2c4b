"""Signing up: one transaction creates the store and its owner account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from core.countries import country_time_zone, currency_country, is_country
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


def store_country(country: str | None, currency: str) -> str:
    """The country a new store records: ``country`` as given (``""`` for unknown), or
    when it is ``None`` the one country that uses ``currency`` (BDT -> BD, AMD -> AM;
    ``""`` for currencies many countries use, such as USD and EUR). The owner can change
    it under Settings -> Store details."""
    if country is None:
        return currency_country(currency)
    code = country.strip().upper()
    if code and not is_country(code):
        raise ProvisioningError("country", f"{country!r} is not a country code we know "
                                           "(use two letters, e.g. BD).")
    return code


def sign_up(*, name: str, slug: str, email: str, password: str, locale: str = "en",
            currency: str = "USD", country: str | None = None, commit: bool = True,
            **details: object) -> NewStore:
    """Create a store and its owner, or raise ``ProvisioningError`` and create nothing.

    ``country`` is an ISO 3166-1 alpha-2 code; ``None`` takes it from the currency (see
    :func:`store_country`). The store's time zone starts as the country's (Asia/Dhaka for
    Bangladesh), and a Bengali store in Bangladesh writes numbers in Bengali digits,
    unless ``details`` say otherwise; the owner can change both in the settings.

    The store starts "coming soon" (``open=False``): shoppers see a password page until
    the owner opens it under Settings -> Store status. ``open=True`` opens it at once
    (the demo stores, test fixtures)."""
    details.setdefault("open", False)
    try:
        code = store_country(country, currency)
        details.setdefault("timezone", country_time_zone(code) if code else "UTC")
        details.setdefault("bengali_digits", locale == "bn" and code == "BD")
        tenant = create_tenant(slug=slug, name=name, locale=locale, currency=currency,
                               contact_email=email.lower(), country=code, **details)
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
