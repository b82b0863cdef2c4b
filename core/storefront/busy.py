"""The shopper's "busy" page: this store used up a budget of expensive work
(:mod:`core.web.budgets`), e.g. searches during a flood. Other stores are unaffected."""

from __future__ import annotations

from flask_babel import gettext as _

from core.storefront.context import current_locale
from core.web.templating import ngettext  # the minutes in the store's digits


def busy_texts(retry_after: int) -> dict[str, str]:
    """The page's title, message and language, in the shopper's language."""
    minutes = max(1, -(-retry_after // 60))
    return {
        "title": _("This shop is very busy right now"),
        "message": ngettext(
            "Too many requests reached this shop at once. Please try again in %(num)s "
            "minute.",
            "Too many requests reached this shop at once. Please try again in "
            "%(num)s minutes.", minutes),
        "back": _("Back to the shop's home page"),
        "lang": current_locale(),
    }
