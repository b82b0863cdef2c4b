"""Imports every model so that SQLAlchemy's metadata and Alembic see all tables."""

from core.catalog.models import Collection, CollectionProduct, Product, ProductImage
from core.pluginhost.models import PluginFailure, PluginState
from core.staff.models import StaffUser
from tenants.models import Domain, Tenant

__all__ = [
    "Collection",
    "CollectionProduct",
    "Domain",
    "PluginFailure",
    "PluginState",
    "Product",
    "ProductImage",
    "StaffUser",
    "Tenant",
]
