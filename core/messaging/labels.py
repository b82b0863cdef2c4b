"""The message log in the merchant's words (admin catalogue, translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.messaging.models import FAILED, QUEUED, SENDING, SENT

EVENT_LABELS = {
    "order_placed": _l("Order confirmation"),
    "order_paid": _l("Payment received"),
    "order_shipped": _l("Shipped"),
    "order_delivered": _l("Delivered"),
    "order_cancelled": _l("Cancelled"),
    "order_refunded": _l("Refund"),
    "order_link": _l("Link to an order (order lookup)"),
    "sign_in_code": _l("Sign-in code"),
}
CHANNEL_LABELS = {"email": _l("Email"), "sms": _l("SMS")}
STATUS_LABELS = {
    QUEUED: _l("Waiting to send"),
    SENDING: _l("Sending"),
    SENT: _l("Sent"),
    FAILED: _l("Not sent"),
}

#: Core's reasons for not sending (codes kept in ``Message.error``).
ERROR_LABELS = {
    "not-a-mobile-number": _l("This is not a mobile number that can receive SMS."),
    "not-an-email-address": _l("This is not an email address."),
    "order-gone": _l("The order was deleted before the message went out."),
    "template-failed": _l("The message could not be made from its template."),
    "mail-server-unavailable": _l("The mail server could not be reached; trying again."),
    "too-many-sms-parts": _l("The text is longer than 10 SMS parts."),
    "no-sms-gateway": _l("No SMS gateway is switched on. Switch one on under Plugins."),
    "sms-gateway-error": _l("The SMS gateway failed unexpectedly."),
    "send-error": _l("It could not be sent: check the mail and SMS settings."),
}

#: The placeholders of the message editor (core.messaging.wording.PLACEHOLDERS).
PLACEHOLDER_LABELS = {
    "store": _l("your store's name"),
    "name": _l("the shopper's name, as on the order's address"),
    "number": _l("the order number, e.g. #1001"),
    "total": _l("the order's total"),
    "link": _l("the link to the order's page"),
    "payment": _l("how the shopper pays, e.g. Cash on delivery"),
    "awaiting_payment": _l("yes or no: the order waits for a payment that has instructions"),
    "carrier": _l("the courier"),
    "tracking_number": _l("the tracking number (may be empty)"),
    "tracking_url": _l("the courier's tracking link (may be empty)"),
    "refund_amount": _l("the amount refunded"),
    "code": _l("the one-time code (it must be in the message)"),
}
