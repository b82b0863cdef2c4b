"""The dashboard at ``/admin``: how the store is doing today, this week and this month."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import func, select

from core.catalog.models import STATUS_ACTIVE, Collection, Product
from core.db import db
from core.web.tenancy import current_store


@login_required
def home() -> str:
    """The store at a glance."""
    counts = db.session.execute(
        select(
            select(func.count(Product.id)).scalar_subquery(),
            select(func.count(Product.id)).where(Product.status == STATUS_ACTIVE,
                                                 Product.stock == 0).scalar_subquery(),
            select(func.count(Collection.id)).scalar_subquery(),
        )
    ).one()
    return render_template("admin/home.html", store=current_store(), products=counts[0],
                           sold_out=counts[1], collections=counts[2])
