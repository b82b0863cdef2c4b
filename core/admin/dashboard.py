"""The dashboard at ``/admin``: how the store is doing today, this week and this month.

Owners and staff both see it. The figures come from :mod:`core.admin.dashboard_queries`
(a fixed handful of aggregate queries) and are in the store's time zone; the chart is
an inline SVG drawn by :mod:`core.admin.charts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import gettext as _
from flask_login import login_required

from core.admin import dashboard_queries as q
from core.admin.charts import bar_chart
from core.admin.orders import FULFILMENT_LABELS, PAYMENT_LABELS
from core.catalog.models import LOW_STOCK_THRESHOLD
from core.clock import aware, zone_named
from core.pluginhost.web import plugins_for_request
from core.web.templating import date_filter, money_filter, number_filter
from core.web.tenancy import current_store


def _short_day(day: date) -> str:
    return date_filter(day, "d MMM")


def _local(zone: ZoneInfo) -> Callable[[datetime], datetime]:
    """A template helper: a stored instant in the store's time zone."""

    def local(moment: datetime) -> datetime:
        return aware(moment).astimezone(zone)
    return local


@login_required
def home() -> str:
    """The store at a glance: sales, best sellers, low stock and the latest orders."""
    store = current_store()
    zone = zone_named(store.timezone)
    recent = q.recent_orders()
    summary = q.sales_summary(store.id, store.currency, zone)
    month_start = q.days_ago_start(summary.today, q.CHART_DAYS, zone)
    chart = bar_chart(summary.days, chart_id="sales-chart",
                      title=_("Sales per day, last %(days)s days",
                              days=number_filter(q.CHART_DAYS)),
                      format_amount=money_filter, format_day=_short_day,
                      format_count=number_filter)
    low, more_low = q.low_stock()
    return render_template(
        "admin/home.html", store=store, zone=zone, local=_local(zone),
        payment_labels=PAYMENT_LABELS, fulfilment_labels=FULFILMENT_LABELS, summary=summary,
        chart=chart, chart_days=q.CHART_DAYS,
        top_by_units=q.top_products(store.id, store.currency, month_start, by="units"),
        top_by_revenue=q.top_products(store.id, store.currency, month_start, by="revenue"),
        low_stock=low, more_low_stock=more_low, low_stock_threshold=LOW_STOCK_THRESHOLD,
        recent=recent,
        products=q.product_count(), has_orders=bool(recent),
        ways_to_pay=0 if recent else _ways_to_pay())


def _ways_to_pay() -> int:
    """How many ways to pay the store's switched-on plugins offer (the getting-started
    list shows that step as done)."""
    return sum(len(contribution.value or ())
               for contribution in plugins_for_request().contribute("haat_payment_gateways",
                                                                    checkout=None))
