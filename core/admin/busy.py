"""The admin's "busy" page: the store used up a budget of expensive work
(:mod:`core.web.budgets`): exports, imports or photo processing in a short time."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.web.templating import ngettext  # the minutes in the store's digits

#: What each budget covers, as the merchant reads it.
KIND_LABELS = {
    "export": _l("Your store exported products many times in a short while."),
    "import": _l("Your store started many imports in a short while."),
    "images": _l("Your store processed many photos in a short while."),
}


def wait_message(retry_after: int) -> str:
    """"Please try again in N minutes", for a refused form or page."""
    minutes = max(1, -(-retry_after // 60))
    return ngettext("To keep Haat fast for every store, please try again in %(num)s minute.",
                    "To keep Haat fast for every store, please try again in %(num)s "
                    "minutes.", minutes)


def busy_texts(kind: str, retry_after: int) -> dict[str, str]:
    """The admin page's title, message and language, in the staff member's language."""
    return {
        "title": _("Please wait a moment"),
        "message": f"{KIND_LABELS.get(kind, '')} {wait_message(retry_after)}".strip(),
        "back": _("Back to the admin"),
        "lang": str(get_locale() or "en"),
    }
