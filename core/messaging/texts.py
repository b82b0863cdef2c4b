"""The SMS text of each order event, in the shopper's language.

An SMS is short and stands alone: it names the store (the sender id may be a bare
number), the order, and the one link that matters. Each text is a gettext message
with the context ``sms``, so translators see where it goes; money follows the store's
digits, and the order number is written as the order page shows it (``#1001``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import pgettext

#: The order events that send the shopper a message, and the email each one uses
#: (``core/templates/email/order_<kind>``).
ORDER_EVENTS: dict[str, str] = {
    "order_placed": "confirmation",
    "order_paid": "paid",
    "order_shipped": "shipped",
    "order_delivered": "delivered",
    "order_cancelled": "cancelled",
    "order_refunded": "refunded",
    "order_link": "link",
}


def _placed(c: Mapping[str, Any]) -> str:
    if c["awaiting_payment"]:
        return pgettext("sms", "%(store)s: we got your order %(number)s, total %(total)s. "
                               "How to pay and your order: %(link)s", **c)
    return pgettext("sms", "%(store)s: we got your order %(number)s, total %(total)s. "
                           "See it here: %(link)s", **c)


def _paid(c: Mapping[str, Any]) -> str:
    return pgettext("sms", "%(store)s: we received your payment for order %(number)s. "
                           "Thank you!", **c)


def _shipped(c: Mapping[str, Any]) -> str:
    if c["tracking_url"]:
        return pgettext("sms", "%(store)s: order %(number)s is on its way with %(carrier)s. "
                               "Track it: %(tracking_url)s", **c)
    if c["tracking_number"]:
        return pgettext("sms", "%(store)s: order %(number)s is on its way with %(carrier)s, "
                               "tracking number %(tracking_number)s.", **c)
    return pgettext("sms", "%(store)s: order %(number)s is on its way with %(carrier)s.", **c)


def _delivered(c: Mapping[str, Any]) -> str:
    return pgettext("sms", "%(store)s: order %(number)s was delivered. Thank you for "
                           "shopping with us!", **c)


def _cancelled(c: Mapping[str, Any]) -> str:
    return pgettext("sms", "%(store)s: order %(number)s was cancelled. Details: %(link)s", **c)


def _refunded(c: Mapping[str, Any]) -> str:
    return pgettext("sms", "%(store)s: we refunded %(amount)s for order %(number)s.",
                    **{**c, "amount": c["refund_amount"]})


def _link(c: Mapping[str, Any]) -> str:
    return pgettext("sms", "%(store)s: here is your order %(number)s: %(link)s", **c)


_TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "order_placed": _placed,
    "order_paid": _paid,
    "order_shipped": _shipped,
    "order_delivered": _delivered,
    "order_cancelled": _cancelled,
    "order_refunded": _refunded,
    "order_link": _link,
}


def sms_text(event: str, context: Mapping[str, Any]) -> str:
    """The SMS for ``event`` (one of :data:`ORDER_EVENTS`), in the current locale
    (call under ``force_locale``). ``context`` holds the event's placeholders
    (:data:`core.messaging.wording.PLACEHOLDERS`), already formatted."""
    return " ".join(_TEXTS[event](context).split())


#: The events whose standard SMS depends on what the order has: each variant as
#: (the placeholder that chooses it, the values that make the text choose it).
_VARIANTS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "order_placed": (("awaiting_payment", {"awaiting_payment": True}),
                     ("", {"awaiting_payment": False})),
    "order_shipped": (("tracking_url", {}),
                      ("tracking_number", {"tracking_url": ""}),
                      ("", {"tracking_url": "", "tracking_number": ""})),
}


def sms_source(event: str, names: tuple[str, ...]) -> str:
    """The standard SMS of ``event`` written in the template language, in the current
    locale: what the merchant starts from when they change it. ``names`` are the
    event's placeholders."""
    from core.messaging.wording import placeholder_values

    if event == "sign_in_code":
        return code_text("{{ store }}", "{{ code }}")
    values = placeholder_values(names)
    variants = _VARIANTS.get(event)
    if variants is None:
        return sms_text(event, values)
    parts = []
    for index, (test, overrides) in enumerate(variants):
        text = sms_text(event, {**values, **overrides})
        if not test:
            parts.append("{% else %}\n" + text)
        else:
            parts.append(("{% if " if index == 0 else "{% elif ") + test + " %}\n" + text)
    return "\n".join(parts) + "\n{% endif %}"


def code_text(store: str, code: str) -> str:
    """The one-time code message (SMS, and the body of the email)."""
    return pgettext("sms", "%(code)s is your %(store)s code. It expires in 10 minutes. "
                           "Do not share it with anyone.", code=code, store=store)


def code_subject(store: str) -> str:
    """The subject of the one-time code email."""
    return pgettext("email", "Your %(store)s code", store=store)
