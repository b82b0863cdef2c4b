"""The dashboard at ``/admin``: how the store is doing today, this week and this month.

Owners and staff both see it. The figures come from :mod:`core.admin.dashboard_queries`
(a fixed handful of aggregate queries) and are in the store's time zone; the chart is
an inline SVG drawn by :mod:`core.admin.charts`.

Above them, until every step is done (or the owner hides it), the getting-started list:
products, delivery, payments, theme, a domain of one's own and opening the store, each
done or not from the store's own data (one query, and the switched-on plugins' ways to
pay and deliver) and linking to where it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from core.admin import dashboard_queries as q
from core.admin.auth import owner_required
from core.admin.charts import bar_chart
from core.admin.orders import FULFILMENT_LABELS, PAYMENT_LABELS
from core.catalog.models import LOW_STOCK_THRESHOLD
from core.clock import aware, zone_named
from core.db import db
from core.pluginhost.web import plugins_for_request
from core.theming.registry import DEFAULT_THEME
from core.web.templating import date_filter, money_filter, number_filter
from core.web.tenancy import current_store
from tenants.models import Tenant
from tenants.resolution import StoreRef


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
    facts = q.setup_facts(store.id, store.theme)
    steps = [] if facts.list_hidden else setup_steps(store, facts)
    return render_template(
        "admin/home.html", store=store, zone=zone, local=_local(zone),
        payment_labels=PAYMENT_LABELS, fulfilment_labels=FULFILMENT_LABELS, summary=summary,
        chart=chart, chart_days=q.CHART_DAYS,
        top_by_units=q.top_products(store.id, store.currency, month_start, by="units"),
        top_by_revenue=q.top_products(store.id, store.currency, month_start, by="revenue"),
        low_stock=low, more_low_stock=more_low, low_stock_threshold=LOW_STOCK_THRESHOLD,
        recent=recent, products=facts.products, has_orders=bool(recent),
        # The list hides itself once every step is done.
        setup={} if all(step.done for step in steps) else {step.key: step for step in steps},
        setup_hidden=facts.list_hidden)


@dataclass(frozen=True)
class SetupStep:
    """One step of the getting-started list; its words are the template's, by ``key``.
    ``count``: products, ways to deliver or to pay, or verified domains."""

    key: str
    done: bool
    count: int = 0


def setup_steps(store: StoreRef, facts: q.SetupFacts) -> list[SetupStep]:
    """The getting-started list, in order, each step done or not from the store's data."""
    carriers = _offered("haat_shipping_carriers")
    ways_to_pay = _offered("haat_payment_gateways", checkout=None)
    return [
        SetupStep("products", facts.products > 0, facts.products),
        SetupStep("shipping", carriers > 0, carriers),
        SetupStep("payments", ways_to_pay > 0, ways_to_pay),
        SetupStep("theme", store.theme != DEFAULT_THEME or facts.theme_saved),
        SetupStep("domain", facts.domains > 0, facts.verified_domains),
        SetupStep("open", store.open),
    ]


def _offered(hook: str, **arguments: object) -> int:
    """How many providers (ways to pay, delivery carriers) the store's switched-on
    plugins offer; a failing plugin offers none."""
    return sum(len(contribution.value or ())
               for contribution in plugins_for_request().contribute(hook, **arguments))


@owner_required
def setup_list() -> Response:
    """Hide the getting-started list (``hidden=1``), or show it again."""
    tenant = db.session.get_one(Tenant, current_store().id)
    tenant.setup_list_hidden = request.form.get("hidden") == "1"
    db.session.commit()
    return redirect(url_for("admin.home"), 303)
