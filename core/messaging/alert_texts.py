"""The words of staff alerts, from the admin catalogue (the merchant's language).

Render under ``force_locale(...)`` and ``core.admin.language.admin_translations()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _


def alert_subject(alert: str, c: Mapping[str, Any]) -> str:
    """The email subject of ``alert``."""
    if alert == "new_order":
        return _("New order %(number)s: %(total)s", **c)
    if alert == "payment_failed":
        return _("Payment failed for order %(number)s", **c)
    return _("Low stock: %(product)s", **c)


def alert_text(alert: str, c: Mapping[str, Any]) -> str:
    """The SMS (and the email's text) of ``alert``."""
    if alert == "new_order":
        return _("%(store)s: new order %(number)s, %(total)s, %(payment)s. %(link)s", **c)
    if alert == "payment_failed":
        return _("%(store)s: the payment for order %(number)s failed. %(link)s", **c)
    return _("%(store)s: %(product)s has %(count)s left in stock. %(link)s", **c)
