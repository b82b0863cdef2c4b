"""The dashboard's figures: a handful of aggregate queries, whatever the number of orders.

What counts as a sale
    An order counts from the moment it is placed, paid or not: most orders in Bangladesh
    are cash on delivery and stay unpaid until the courier brings the money. Cancelled
    orders never count, nor do returned orders whose money never arrived (a parcel the
    buyer refused at the door). Refunds are taken off the sales of the day the order was
    placed (``total - refunded_total``). "Paid" sales are the part whose money arrived
    (payment state paid, partially refunded or refunded).

Days
    Days are the store's local days (``Tenant.timezone``, an IANA name). Day boundaries
    are worked out in Python with zoneinfo (so daylight saving time is right) and handed
    to the database as UTC instants; one ``CASE`` puts every order in its bucket, so the
    same SQL works on SQLite and PostgreSQL and uses the ``(tenant_id, created_at)`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, exists, func, literal_column, not_, select

from core.catalog.models import (
    LOW_STOCK_THRESHOLD,
    STATUS_ACTIVE,
    Product,
    ProductVariant,
)
from core.db import db, utcnow
from core.orders.models import Order, OrderLine
from core.orders.states import CANCELLED, MONEY_RECEIVED, RETURNED
from core.theming.models import ThemeSettings
from tenants.models import Domain, Tenant

#: How many local days the chart shows; the comparison needs as many again before them.
CHART_DAYS = 30
HISTORY_DAYS = 2 * CHART_DAYS
TOP_PRODUCTS = 5
LOW_STOCK_ROWS = 10
RECENT_ORDERS = 10


def now() -> datetime:
    """The current instant (a seam for tests that pin the clock)."""
    return utcnow()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def counts_as_sale() -> ColumnElement[bool]:
    """Placed orders that are neither cancelled nor returned without the money arriving."""
    return and_(
        Order.fulfilment_state != CANCELLED,
        not_(and_(Order.fulfilment_state == RETURNED,
                  Order.payment_state.not_in(sorted(MONEY_RECEIVED)))),
    )


# ---------------------------------------------------------------------- sales


@dataclass(frozen=True)
class Totals:
    """Orders, sales (less refunds) and the paid part of the sales, in minor units."""

    orders: int = 0
    sales: int = 0
    paid: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.orders + other.orders, self.sales + other.sales,
                      self.paid + other.paid)

    @property
    def average(self) -> int:
        """Average order value (0 without orders), rounded to the minor unit."""
        return round(self.sales / self.orders) if self.orders else 0


def _sum(items: Sequence[Totals]) -> Totals:
    total = Totals()
    for item in items:
        total = total + item
    return total


def change(current: int, previous: int) -> int | None:
    """Percent change from ``previous`` to ``current``; ``None`` when there was nothing."""
    if previous <= 0:
        return None
    return round((current - previous) * 100 / previous)


@dataclass(frozen=True)
class Period:
    """One box on the dashboard: this period and the one it is compared with."""

    key: str
    current: Totals
    previous: Totals

    @property
    def sales_change(self) -> int | None:
        return change(self.current.sales, self.previous.sales)

    @property
    def orders_change(self) -> int | None:
        return change(self.current.orders, self.previous.orders)

    @property
    def average_change(self) -> int | None:
        return change(self.current.average, self.previous.average)


@dataclass(frozen=True)
class SalesSummary:
    """Today, 7 and 30 days with their comparisons, and sales per day for the chart."""

    periods: list[Period]
    days: list[tuple[date, int]]
    today: date


def _bucket(cuts: Sequence[datetime], low: int, high: int) -> ColumnElement[int]:
    """The number of the interval an order falls in, between ``low`` and ``high``.

    Bucket ``i`` is the first with ``created_at < cuts[i]`` (the last one has no cut). The
    ``CASE`` is nested as a binary search, so each row takes about six comparisons
    instead of up to sixty.
    """
    if low == high:
        return literal_column(str(int(low)))
    middle = (low + high) // 2
    return case((Order.created_at < cuts[middle], _bucket(cuts, low, middle)),
                else_=_bucket(cuts, middle + 1, high))


def bucket_totals(edges: Sequence[datetime], tenant_id: int,
                  currency: str) -> list[Totals]:
    """Totals of the counted orders in each interval ``[edges[i], edges[i+1])``: one query.

    The bucket number is computed in a subquery and grouped on outside, because
    PostgreSQL does not accept a ``GROUP BY`` on an expression with bound parameters
    (each copy gets its own placeholder).
    """
    net = Order.total - Order.refunded_total
    bucket = _bucket(edges[1:-1], 0, len(edges) - 2)
    rows = (
        select(bucket.label("bucket"), net.label("net"),
               case((Order.payment_state.in_(sorted(MONEY_RECEIVED)), net), else_=0)
               .label("paid"))
        # The tenant filter is added automatically; it is repeated here because these
        # rows are sums, not ORM objects the load guard could check.
        .where(Order.tenant_id == tenant_id, Order.currency == currency,
               Order.created_at >= edges[0], Order.created_at < edges[-1], counts_as_sale())
        .subquery()
    )
    grouped = select(rows.c.bucket, func.count(), func.coalesce(func.sum(rows.c.net), 0),
                     func.coalesce(func.sum(rows.c.paid), 0)).group_by(rows.c.bucket)
    found = [Totals() for _ in edges[1:]]
    for index, orders, sales, paid in db.session.execute(grouped):
        found[int(index)] = Totals(int(orders), int(sales), int(paid))
    return found


def sales_summary(tenant_id: int, currency: str, zone: ZoneInfo,
                  at: datetime | None = None) -> SalesSummary:
    """The dashboard's sales figures for the store, as of ``at`` (default: now).

    Today is compared with yesterday up to the same time of day; the last 7 and 30 days
    (today included) with the 7 and 30 days before them.
    """
    moment = (at or now()).astimezone(zone)
    today = moment.date()
    first = today - timedelta(days=HISTORY_DAYS - 1)
    starts = [day_start(first + timedelta(days=i), zone) for i in range(HISTORY_DAYS + 1)]
    # Yesterday is cut in two at this time of day: today so far is compared with the part
    # before the cut. Wall-clock arithmetic, so a daylight saving change is no matter.
    cut = min(max((moment - timedelta(days=1)).astimezone(UTC), starts[-3]), starts[-2])
    edges = [*starts[:-2], cut, *starts[-2:]]
    buckets = bucket_totals(edges, tenant_id, currency)
    yesterday_so_far = buckets[-3]
    daily = [*buckets[:-3], buckets[-3] + buckets[-2], buckets[-1]]  # one per local day
    periods = [
        Period("today", daily[-1], yesterday_so_far),
        Period("7", _sum(daily[-7:]), _sum(daily[-14:-7])),
        Period("30", _sum(daily[-CHART_DAYS:]), _sum(daily[:-CHART_DAYS])),
    ]
    days = [(first + timedelta(days=i), totals.sales) for i, totals in enumerate(daily)]
    return SalesSummary(periods=periods, days=days[-CHART_DAYS:], today=today)


# ------------------------------------------------------------------- products


@dataclass(frozen=True)
class TopProduct:
    """A product as sold in the period (``product_id`` is ``None`` once it was deleted)."""

    product_id: int | None
    title: str
    units: int
    revenue: int


def top_products(tenant_id: int, currency: str, since: datetime,
                 *, by: str = "units", limit: int = TOP_PRODUCTS) -> list[TopProduct]:
    """The best sellers of the counted orders placed from ``since``, by units or revenue.

    Revenue is the lines' value at purchase (before order discounts and refunds).
    """
    units = func.sum(OrderLine.quantity).label("units")
    revenue = func.sum(OrderLine.line_total).label("revenue")
    first, second = (units, revenue) if by == "units" else (revenue, units)
    statement = (
        select(OrderLine.product_id, func.max(OrderLine.title), units, revenue)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.tenant_id == tenant_id, Order.tenant_id == tenant_id,
               Order.currency == currency, Order.created_at >= since, counts_as_sale())
        .group_by(OrderLine.product_id)
        .order_by(first.desc(), second.desc(), OrderLine.product_id)
        .limit(limit)
    )
    return [TopProduct(product_id, title or "", int(u or 0), int(r or 0))
            for product_id, title, u, r in db.session.execute(statement)]


@dataclass(frozen=True)
class LowStock:
    """An active product, or one variant of it, at or below the low-stock threshold."""

    product_id: int
    title: str
    variant: str
    stock: int

    @property
    def sold_out(self) -> bool:
        return self.stock <= 0


def low_stock(limit: int = LOW_STOCK_ROWS) -> tuple[list[LowStock], bool]:
    """The lowest-stocked active products and variants (sold out first) and whether there
    are more than ``limit``. Two queries: products without variants, and variants."""
    has_variants = exists().where(ProductVariant.product_id == Product.id)
    plain = db.session.execute(
        select(Product.id, Product.title, Product.stock)
        .where(Product.status == STATUS_ACTIVE, Product.stock <= LOW_STOCK_THRESHOLD,
               ~has_variants)
        .order_by(Product.stock, Product.title, Product.id).limit(limit + 1)).all()
    variants = db.session.execute(
        select(Product.id, Product.title, ProductVariant.option1, ProductVariant.option2,
               ProductVariant.option3, ProductVariant.stock)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(Product.status == STATUS_ACTIVE, ProductVariant.stock <= LOW_STOCK_THRESHOLD)
        .order_by(ProductVariant.stock, Product.title, ProductVariant.position,
                  ProductVariant.id).limit(limit + 1)).all()
    rows = [LowStock(pid, title, "", stock) for pid, title, stock in plain]
    rows += [LowStock(pid, title, " / ".join(o for o in (o1, o2, o3) if o), stock)
             for pid, title, o1, o2, o3, stock in variants]
    rows.sort(key=lambda row: (row.stock, row.title.casefold(), row.variant))
    return rows[:limit], len(rows) > limit


# --------------------------------------------------------------------- orders


def recent_orders(limit: int = RECENT_ORDERS) -> list[Order]:
    """The newest orders, cancelled ones included (they are news too)."""
    return list(db.session.scalars(
        select(Order).order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)))


# ----------------------------------------------------------- getting started


@dataclass(frozen=True)
class SetupFacts:
    """What the getting-started list reads from the database, in one query."""

    products: int  # any status
    theme_saved: bool  # settings saved for the store's current theme
    domains: int  # custom domains added, checked or not
    verified_domains: int
    list_hidden: bool  # the owner hid the list


def setup_facts(tenant_id: int, theme: str) -> SetupFacts:
    """The getting-started list's facts: one SELECT of scalar subqueries (each one is
    filtered to the store like any query on its model)."""
    products, theme_saved, domains, verified, hidden = db.session.execute(select(
        select(func.count(Product.id)).scalar_subquery(),
        select(ThemeSettings.id).where(ThemeSettings.theme == theme).exists(),
        select(func.count(Domain.id)).scalar_subquery(),
        select(func.count(Domain.id)).where(Domain.verified.is_(True)).scalar_subquery(),
        select(Tenant.setup_list_hidden).where(Tenant.id == tenant_id).scalar_subquery(),
    )).one()
    return SetupFacts(products=int(products or 0), theme_saved=bool(theme_saved),
                      domains=int(domains or 0), verified_domains=int(verified or 0),
                      list_hidden=bool(hidden))


def days_ago_start(today: date, days: int, zone: ZoneInfo) -> datetime:
    """Local midnight ``days - 1`` days before ``today``: the start of the last ``days``."""
    return day_start(today - timedelta(days=days - 1), zone)

