"""The tenancy layer: stores, host resolution, scoping and provisioning.

Import from here, not from the submodules: ``Tenant``, ``Domain``, ``TenantOwned``,
``tenant_scope``, ``platform_scope`` and friends.
"""

from tenants.context import (
    CrossTenantWriteError,
    TenantScopeError,
    current_tenant_id,
    platform_scope,
    require_tenant_id,
    tenant_scope,
)
from tenants.models import TENANT_ACTIVE, TENANT_SUSPENDED, Domain, Tenant, TenantOwned

__all__ = [
    "TENANT_ACTIVE",
    "TENANT_SUSPENDED",
    "CrossTenantWriteError",
    "Domain",
    "Tenant",
    "TenantOwned",
    "TenantScopeError",
    "current_tenant_id",
    "platform_scope",
    "require_tenant_id",
    "tenant_scope",
]
