"""Cash on delivery at ``/admin/orders/cod``: what each courier owes the store.

Couriers collect the cash of cash-on-delivery parcels and pay it out later, less their
charges. Courier plugins report what they collected and paid out
(``core.sdk.record_cod_collections``); this page sets it against the orders: per
courier, the cash on the way, delivered, collected, kept, paid out and still
outstanding, and the delivered parcels to check (not reported, collected short, payout
missing). Owners and staff both see it, like the orders.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from core.orders.cod import PAYOUT_GRACE, REPORT_GRACE, cod_report
from core.pluginhost.web import plugins_for_request
from core.web.tenancy import current_store

bp = Blueprint("admin_cod", __name__, url_prefix="/admin/orders/cod")

PROBLEM_LABELS = {
    "not_reported": _l("Delivered, but the courier has not reported the cash"),
    "short": _l("The courier collected less than the order's total"),
    "payout_missing": _l("Collected, but not paid out yet"),
}


@bp.get("")
@login_required
def index() -> str:
    """The report: two queries, whatever the number of orders."""
    plugins = plugins_for_request()
    assert plugins is not None  # admin pages only exist on a store's host
    report = cod_report(plugins.info)
    return render_template("admin/orders/cod.html", store=current_store(), report=report,
                           problem_labels=PROBLEM_LABELS,
                           report_days=REPORT_GRACE.days, payout_days=PAYOUT_GRACE.days)
