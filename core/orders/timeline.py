"""An order's timeline in its reader's language.

The services write each entry as a :class:`TimelineText`: an English message with
``%(name)s`` placeholders, which is a msgid of the admin catalogue (``make messages``
finds it through the ``timeline_text`` keyword), and the placeholders' values. The
entry keeps both, beside the English text, and :func:`shown` translates it when a page
shows it, so a Bengali and an Armenian staff member each read it in their language.

Values named ``event`` (a message event), ``channel`` (email or SMS), ``status`` (a
courier's tracking status), ``payment`` and ``fulfilment`` (an order's states) are
codes, shown through their labels, and ``moment`` (an ISO time) is shown in the store's
time zone; the others (names, numbers, a courier's own words)
are shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext

from core.clock import aware

if TYPE_CHECKING:
    from core.orders.models import OrderEvent


@dataclass(frozen=True)
class TimelineText:
    """A timeline entry's words: ``template`` (English, ``%(name)s`` placeholders) and
    the ``values`` that fill it; a value may itself be a :class:`TimelineText` (an
    entry with a remark added to it)."""

    template: str
    values: Mapping[str, str | TimelineText] = field(default_factory=dict)

    @property
    def english(self) -> str:
        """The entry in English, as the ``message`` column keeps it."""
        if not self.values:
            return self.template
        return self.template % {name: value.english if isinstance(value, TimelineText)
                                else _english(name, value)
                                for name, value in self.values.items()}

    def stored(self) -> dict[str, Any]:
        """The values as the ``params`` column keeps them (JSON)."""
        return {name: ({"template": value.template, "params": value.stored()}
                       if isinstance(value, TimelineText) else value)
                for name, value in self.values.items()}


def entry_columns(message: str | TimelineText) -> dict[str, Any]:
    """The ``OrderEvent`` columns that hold ``message``: the English sentence and, for a
    :class:`TimelineText`, its template and values (words nobody translates, a note or
    a provider's message, keep no template)."""
    if isinstance(message, TimelineText):
        return {"message": message.english, "template": message.template,
                "params": message.stored()}
    return {"message": message}


def timeline_text(template: str, **values: Any) -> TimelineText:
    """``timeline_text("Shipped with %(carrier)s.", carrier="Pathao")``."""
    return TimelineText(template, {name: value if isinstance(value, TimelineText)
                                   else str(value) for name, value in values.items()})


# Entries written outside core.orders (their modules hold the shoppers' words, so the
# admin catalogue's extraction does not read them).


def order_placed(payment_method: str) -> TimelineText:
    return timeline_text("Order placed; %(payment_method)s.", payment_method=payment_method)


def payment_provider_failed() -> TimelineText:
    return timeline_text("The payment provider failed.")


def message_sent(event: str, channel: str, recipient: str) -> TimelineText:
    return timeline_text("Sent the %(event)s %(channel)s to %(recipient)s", event=event,
                         channel=channel, recipient=recipient)


def message_not_sent(event: str, channel: str, recipient: str, error: str) -> TimelineText:
    return timeline_text("Could not send the %(event)s %(channel)s to %(recipient)s: "
                         "%(error)s", event=event, channel=channel, recipient=recipient,
                         error=error)


def _english(name: str, value: str) -> str:
    """A coded value in the English message: "out for delivery", "2026-03-14 09:05 UTC"."""
    if name in ("status", "payment", "fulfilment"):
        return value.replace("_", " ")
    if name == "event":
        from core.messaging.texts import ORDER_EVENTS

        return ORDER_EVENTS.get(value, value)
    if name == "channel":
        return "SMS" if value == "sms" else value
    if name == "moment":
        return f"{_moment(value).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return value


def _moment(value: str) -> datetime:
    return aware(datetime.fromisoformat(value))


def _labelled(name: str, value: str) -> str:
    from core.messaging.labels import CHANNEL_LABELS, EVENT_LABELS
    from core.orders.labels import state_label, tracking_status_label

    if name == "event":
        return str(EVENT_LABELS.get(value, value))
    if name == "channel":
        return str(CHANNEL_LABELS.get(value, value))
    if name == "status":
        return tracking_status_label(value)
    if name in ("payment", "fulfilment"):
        return state_label(name, value)
    if name == "moment":
        from core.web.templating import moment_filter

        return moment_filter(_moment(value))
    return value


def _translated(template: str, params: Mapping[str, Any]) -> str:
    values = {name: (_translated(value.get("template", ""), value.get("params") or {})
                     if isinstance(value, dict) else _labelled(name, str(value)))
              for name, value in params.items()}
    return gettext(template, **values)


def actor_shown(actor: str) -> str:
    """Who did it, in the page's language: a staff member's email as it is, "Haat" for
    the system, "Shopper", or "Plugin <name>"."""
    if actor == "system":
        return gettext("Haat")
    if actor == "shopper":
        return gettext("Shopper")
    if actor.startswith("plugin:"):
        return gettext("Plugin %(name)s", name=actor.partition(":")[2])
    return actor


def shown(event: OrderEvent) -> str:
    """The entry in the page's language; the English ``message`` for entries without a
    template, or when a translation does not fit its values."""
    if not event.template:
        return event.message
    try:
        return _translated(event.template, event.params or {})
    except (KeyError, ValueError, TypeError):
        return event.message
