"""Imports every model so that SQLAlchemy's metadata and Alembic see all tables."""

from core.accounts.models import ShopperAddress, ShopperCode
from core.cart.models import Cart, CartLine
from core.catalog.imports import ProductImport
from core.catalog.models import (
    Collection,
    CollectionProduct,
    Product,
    ProductImage,
    ProductVariant,
)
from core.catalog.ratings import ProductRating
from core.catalog.redirects import HandleRedirect
from core.customers.models import Customer, CustomerConsent
from core.discounts.models import Discount
from core.messaging.models import Message, MessageTemplate
from core.orders.models import (
    Order,
    OrderCounter,
    OrderEvent,
    OrderLine,
    PaymentEvent,
    ShipmentEvent,
)
from core.pages.models import Page
from core.pluginhost.models import PluginFailure, PluginState, PluginValue, ScheduleRun
from core.search.schema import SearchDocument, SearchFacet, SearchTerm, SearchText
from core.staff.models import StaffSession, StaffUser
from core.theming.models import ThemeSettings
from tenants.models import Domain, Tenant

__all__ = [
    "Cart",
    "CartLine",
    "Collection",
    "CollectionProduct",
    "Customer",
    "CustomerConsent",
    "Discount",
    "Domain",
    "HandleRedirect",
    "Message",
    "MessageTemplate",
    "Order",
    "OrderCounter",
    "OrderEvent",
    "OrderLine",
    "Page",
    "PaymentEvent",
    "PluginFailure",
    "PluginState",
    "PluginValue",
    "Product",
    "ProductImage",
    "ProductImport",
    "ProductRating",
    "ProductVariant",
    "ScheduleRun",
    "SearchDocument",
    "SearchFacet",
    "SearchTerm",
    "SearchText",
    "ShipmentEvent",
    "ShopperAddress",
    "ShopperCode",
    "StaffSession",
    "StaffUser",
    "Tenant",
    "ThemeSettings",
]
