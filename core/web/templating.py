"""Template helpers: money and numbers in the store's locale."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale

from core.i18n import format_money, normalise_locale
from core.money import Money


def _store_locale() -> str:
    return normalise_locale(str(get_locale() or "en"))


def money_filter(amount: int | None, currency: str | None = None) -> str:
    """``{{ product.price_amount|money }}``: minor units in the store's currency."""
    if amount is None:
        return ""
    store = g.get("store")
    code = currency or (store.currency if store else "USD")
    digits = bool(store and store.bengali_digits)
    return format_money(Money(amount, code), _store_locale(), bengali_digits=digits)


def select_locale() -> str:
    """Flask-Babel locale selector: the store's default locale (a shopper switch comes later)."""
    store = g.get("store")
    return normalise_locale(store.locale if store else "en")


def init_app(app: Flask) -> None:
    app.add_template_filter(money_filter, "money")
