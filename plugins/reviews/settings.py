"""The merchant's settings for reviews, read through :func:`settings_of`."""

from __future__ import annotations

from dataclasses import dataclass

from core.sdk import BoolField, ChoiceField, LongTextField, NumberField, StoreInfo

from .i18n import _

PLUGIN = "reviews"

FIELDS = (
    ChoiceField(
        "publishing", _.lazy("New reviews"),
        choices=(("approval", _.lazy("Wait for my approval")),
                 ("instant", _.lazy("Publish at once"))),
        default="approval",
        help=_.lazy("Reviews the spam filter holds always wait for your approval.")),
    BoolField(
        "allow_anonymous", _.lazy("Allow anonymous reviews"),
        help=_.lazy("Shoppers who are not signed in and did not come from a review "
                    "request may write a review. It is marked as anonymous."),
        default=False),
    NumberField(
        "edit_days", _.lazy("Days a shopper may edit their review"), default=30,
        min_value=0, max_value=365, integer=True,
        help=_.lazy("0 means reviews cannot be edited. Earlier versions are kept.")),
    BoolField(
        "send_requests", _.lazy("Ask for reviews after delivery"), default=True,
        help=_.lazy("By SMS or email, in the shopper's language, with a link to rate "
                    "each product without signing in.")),
    NumberField(
        "request_days", _.lazy("Days after delivery to ask"), default=7,
        min_value=1, max_value=90, integer=True),
    NumberField(
        "reminder_days", _.lazy("Days before one reminder"), default=7,
        min_value=0, max_value=90, integer=True,
        help=_.lazy("0 sends no reminder. There is never more than one.")),
    BoolField(
        "requests_need_consent", _.lazy("Ask only shoppers who agreed to news and offers"),
        default=False,
        help=_.lazy("Off: every shopper of a delivered order is asked once, and can stop "
                    "further requests on the page the message's link opens.")),
    LongTextField(
        "blocked_words", _.lazy("More words to hold for review"), default="",
        max_length=5000,
        help=_.lazy("One word or phrase per line. A review that contains one waits for "
                    "your approval, like reviews with links or phone numbers.")),
)


@dataclass(frozen=True)
class ReviewSettings:
    """The store's review settings, typed."""

    publishing: str
    allow_anonymous: bool
    edit_days: int
    send_requests: bool
    request_days: int
    reminder_days: int
    requests_need_consent: bool
    blocked_words: tuple[str, ...]


def settings_of(store: StoreInfo) -> ReviewSettings:
    """``store``'s review settings, defaults filled in."""
    raw = store.plugin_settings(PLUGIN)
    return ReviewSettings(
        publishing=str(raw.get("publishing") or "approval"),
        allow_anonymous=bool(raw.get("allow_anonymous", False)),
        edit_days=int(raw.get("edit_days", 30) or 0),
        send_requests=bool(raw.get("send_requests", True)),
        request_days=int(raw.get("request_days", 7) or 7),
        reminder_days=int(raw.get("reminder_days", 7) or 0),
        requests_need_consent=bool(raw.get("requests_need_consent", False)),
        blocked_words=tuple(line.strip() for line in str(raw.get("blocked_words") or "")
                            .splitlines() if line.strip()),
    )
