"""The merchant's Steadfast page (``/admin/steadfast``, owners only): the webhook address
and a token to paste into Steadfast's panel, the balance Steadfast holds, and buttons to
ask Steadfast now about parcels on their way and about payouts."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, redirect, url_for

from core.sdk import (
    AdminMenuItem,
    Money,
    StoreInfo,
    current_store,
    flash_message,
    format_money,
    owner_required,
    rate_limit,
    render_admin_page,
)

from .api import SteadfastClient, SteadfastError
from .config import WEBHOOK_PATH, SteadfastConfig
from .payouts import sync_payouts
from .texts import _
from .tracking import poll_parcels

log = logging.getLogger(__name__)

bp = Blueprint("steadfast_admin", __name__, template_folder="templates")


@bp.get("/admin/steadfast")
@owner_required
def page():
    store = current_store()
    config = SteadfastConfig.of(store)
    balance, balance_error = "", ""
    if config.ready:
        try:
            amount = SteadfastClient(config, timeout=(3.0, 6.0)).balance()
            balance = format_money(store, Money.from_decimal(amount, "BDT"))
        except SteadfastError as exc:
            log.warning("steadfast balance: %s", exc)
            balance_error = _("Steadfast did not answer: the balance cannot be shown now.")
    return render_admin_page(
        "steadfast/admin.html", title="Steadfast", t=_, ready=config.ready,
        webhook_url=store.url(WEBHOOK_PATH), token_set=bool(config.webhook_token),
        suggested_token=secrets.token_urlsafe(32), balance=balance,
        balance_error=balance_error)


@bp.post("/admin/steadfast/refresh")
@owner_required
@rate_limit("6 per minute")
def refresh():
    store = current_store()
    try:
        poll_parcels(store)
        sync_payouts(store)
    except (SteadfastError, RuntimeError) as exc:
        log.warning("steadfast refresh: %s", exc)
        flash_message(_("Steadfast did not answer. Try again in a few minutes."), "error")
    else:
        flash_message(_("Steadfast was asked about your parcels on their way and your "
                        "payouts."))
    return redirect(url_for("steadfast_admin.page"), 303)


def admin_menu(store: StoreInfo) -> list[AdminMenuItem]:
    return [AdminMenuItem(label=_("Steadfast"), url="/admin/steadfast")]
