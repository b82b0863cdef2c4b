"""Carts, checkouts, orders, shipping and payments as plugins see them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.money import Money

__all__ = [
    "ADJUSTMENT_ORDER",
    "PAYMENT_METHOD_KINDS",
    "PAYMENT_RESULT_STATES",
    "TRACKING_STATUSES",
    "Address",
    "Adjustment",
    "CartLine",
    "CartSnapshot",
    "CheckoutContext",
    "CheckoutProblem",
    "CustomerSnapshot",
    "OrderSnapshot",
    "PaymentResult",
    "PaymentStart",
    "RefundResult",
    "Shipment",
    "ShippingRate",
    "ShippingZone",
    "TrackingEvent",
    "WebhookResult",
]

#: Checkout adjustments are applied in this order of ``Adjustment.kind``, never chained.
ADJUSTMENT_ORDER: tuple[str, ...] = ("discount", "shipping", "fee", "tax")
#: What a gateway may report about a payment (``PaymentResult.state``).
PAYMENT_RESULT_STATES: tuple[str, ...] = (
    "pending", "authorised", "paid", "failed", "partially_refunded", "refunded")
#: What kind of payment a gateway is (``PaymentGateway.method``), shown by badges.
PAYMENT_METHOD_KINDS: tuple[str, ...] = (
    "card", "cash_on_delivery", "bank_transfer", "mobile_wallet")



@dataclass(frozen=True)
class Address:
    """A delivery address as the shopper typed it at checkout, trimmed.

    Checkout asks for a postcode only in a few countries (the US, the UK, India, ...):
    couriers in Bangladesh go by area (``region`` and ``city``), so do not insist on one.
    """

    #: The country, ISO 3166-1 alpha-2 in capitals (``"BD"``).
    country: str
    #: The district or region (``"Dhaka"``); ``""`` when not given.
    region: str = ""
    #: The city or area (``"Mirpur"``); ``""`` when not given.
    city: str = ""
    #: The street address or house; ``""`` when not given.
    line1: str = ""
    #: Apartment, floor or landmark; ``""`` when not given.
    line2: str = ""
    #: The postcode; ``""`` when not given.
    postcode: str = ""
    #: The name of the person receiving the parcel; ``""`` when not given.
    name: str = ""
    #: The contact phone typed at checkout, Bengali digits turned into ASCII
    #: (``"01712 345678"``); ``""`` when the shopper gave only an email.
    phone: str = ""


@dataclass(frozen=True)
class CartLine:
    """One line of a cart or of an order: a product (or one of its variants) and how
    many. In an order, everything is as it was at purchase."""

    #: The product's id. In ``OrderSnapshot.lines``, ``0`` when the product has been
    #: deleted since.
    product_id: int
    #: The product's title, with the variant's options in brackets when it is a variant:
    #: ``"Kantha quilt (M / Indigo)"``.
    title: str
    #: How many items, 1 or more.
    quantity: int
    #: The price of **one** item, before discounts: in a cart the current price (the
    #: variant's own price for a variant), in an order the price paid. The line costs
    #: ``unit_price * quantity``.
    unit_price: Money
    #: The weight of **one** item in grams, not of the whole line: the variant's own
    #: weight, else the product's. ``0`` when the merchant gave none. Multiply by
    #: ``quantity`` for the line (``CartSnapshot.weight_grams`` does it for a cart).
    weight_grams: int = 0
    #: The variant's stock-keeping code for a variant, else the product's; ``None``
    #: when it has none.
    sku: str | None = None


@dataclass(frozen=True)
class CartSnapshot:
    """A shopper's cart as plugins see it (``haat_cart_updated``, carriers' quotes,
    ``CheckoutContext.cart``, ``PageContext.cart``)."""

    #: The cart's secret id, kept in the shopper's cart cookie. Treat it like a
    #: password: never show it or put it in a URL.
    token: str
    #: The lines, in the order they were added; empty for an empty cart.
    lines: tuple[CartLine, ...]
    #: The sum of ``unit_price * quantity`` over the lines, in the store's currency:
    #: before any discount, shipping, fee or tax.
    subtotal: Money

    @property
    def weight_grams(self) -> int:
        """The weight of everything in the cart in grams: each line's per-item weight
        times its quantity, added up."""
        return sum(line.weight_grams * line.quantity for line in self.lines)


@dataclass(frozen=True)
class CheckoutContext:
    """Everything known about a checkout at the moment a hook is asked.

    Checkout hooks run every time the summary is computed: while the shopper is still
    typing (each refresh of the page) and again when the order is placed. So any field
    may still be empty or not yet valid; only at placing are the contact and address
    fields checked.
    """

    #: The shopper's cart.
    cart: CartSnapshot
    #: The delivery address typed so far. The country starts as the store's own and
    #: the other fields may still be empty; ``None`` when no country is chosen.
    address: Address | None = None
    #: The shopper's email as typed, trimmed; ``""`` when not given (a phone or an
    #: email is required to place the order).
    email: str = ""
    #: The shopper's phone, Bengali digits turned into ASCII; ``""`` when not given.
    phone: str = ""
    #: The chosen delivery option, ``"<carrier id>:<rate id>"``; until the shopper
    #: chooses, the first option offered. ``None`` when no option is offered yet (no
    #: city or region typed, or no carrier delivers there).
    shipping_rate_id: str | None = None
    #: The id of the chosen payment gateway (``PaymentGateway.id``); ``None`` while
    #: none is chosen. In ``haat_payment_gateways`` it is what the shopper last sent,
    #: not yet checked against the gateways on offer.
    payment_method: str | None = None
    #: The coupon that applies, in capitals (``"EID10"``); ``""`` when no code was typed
    #: or the code typed does not apply.
    coupon_code: str = ""
    #: The chosen rate as charged (``shipping_rate_id`` is ``"<carrier id>:<rate id>"``;
    #: a free-delivery coupon makes its amount zero); ``None`` with no rate.
    shipping_rate: ShippingRate | None = None
    #: The coupon's reduction of the goods: zero or negative, never more than the
    #: cart's subtotal; zero for a free-delivery coupon (its saving is in
    #: ``shipping_rate``). ``None`` without a coupon that applies.
    discount: Money | None = None
    #: What the shopper typed into the chosen gateway's ``fields`` (by field name), only
    #: the values that passed the field's checks. Empty in ``haat_payment_gateways``.
    payment_fields: Mapping[str, str] = field(default_factory=dict)
    #: The shopper's note to the merchant, at most 1,000 characters; ``""`` when none.
    note: str = ""
    #: The shopper's language (e.g. "bn"): write ``CheckoutProblem`` and ``Adjustment``
    #: texts in it. Core always sets it; ``""`` only in contexts built by hand.
    locale: str = ""


@dataclass(frozen=True)
class CustomerSnapshot:
    """A store's customer record (``haat_customer_created``): one per email address, or
    per phone number for shoppers who give no email. Created by a shopper's first
    order."""

    #: The customer record's id (``OrderSnapshot.customer_id`` points to it).
    id: int
    #: The email address in lower case; ``""`` when the shopper gave only a phone.
    email: str = ""
    #: The phone number as typed at checkout; ``""`` when none.
    phone: str = ""
    #: The name typed at the first checkout (the parcel's recipient); ``""`` when none.
    name: str = ""


@dataclass(frozen=True)
class OrderSnapshot:
    """An order as plugins see it, with the amounts taken at purchase.

    Every amount is in the order's currency (the store's). Core always fills the
    totals; they are ``None`` only in snapshots a test builds by hand.
    """

    #: Haat's id of the order; unique across all stores.
    id: int
    #: The order number the shopper and the merchant see (#1001, #1002, ...), counted
    #: per store.
    number: int
    #: The secret in the shopper's status URL (``/orders/<token>``). Treat it like a
    #: password: whoever has it can see the order.
    token: str
    #: What the shopper pays: ``subtotal + discount_total + shipping_total + fee_total
    #: + tax_total`` (the discount is negative); zero or more. Refunds do not change it.
    total: Money
    #: ``"pending"``, ``"authorised"``, ``"paid"``, ``"partially_refunded"``,
    #: ``"refunded"`` or ``"failed"``.
    payment_state: str
    #: ``"unfulfilled"``, ``"fulfilled"`` (packed), ``"shipped"``, ``"delivered"``,
    #: ``"cancelled"`` or ``"returned"``.
    fulfilment_state: str
    #: The shopper's email in lower case; ``""`` when they gave only a phone.
    email: str = ""
    #: The shopper's phone, ASCII digits; ``""`` when they gave only an email.
    phone: str = ""
    #: The id of the payment gateway chosen (``PaymentGateway.id``, e.g. ``"cod"``).
    payment_method: str = ""
    #: What was bought, with titles, prices and per-item weights copied at purchase.
    lines: tuple[CartLine, ...] = ()
    #: The delivery address copied at purchase; ``None`` when the order has none.
    address: Address | None = None
    #: The lines' ``unit_price * quantity`` added up, before discount, shipping, fees
    #: and tax.
    subtotal: Money | None = None
    #: The coupon's and plugins' discounts together: zero or negative, never below
    #: ``-subtotal``.
    discount_total: Money | None = None
    #: What delivery costs; zero when free (pickup, a free-delivery coupon).
    shipping_total: Money | None = None
    #: Fees added by plugins (a cash-on-delivery fee); zero when none.
    fee_total: Money | None = None
    #: Tax added by plugins; zero when none.
    tax_total: Money | None = None
    #: Money given back so far: zero or more, at most ``total``.
    refunded_total: Money | None = None
    #: The delivery option's label as the shopper chose it (``"Inside Dhaka"``); ``""``
    #: when there was none.
    shipping_label: str = ""
    #: The chosen rate, ``"<carrier id>:<rate id>"`` (carriers find their tracking page);
    #: ``""`` when there was none.
    shipping_rate_id: str = ""
    #: The coupon used, in capitals; ``""`` when none.
    coupon_code: str = ""
    #: The language the shopper ordered in (``"bn"``); write to them in it. The store's
    #: default when it was not recorded.
    locale: str = ""
    #: When the order was placed, in UTC (naive on SQLite: read it as UTC); ``None`` only
    #: in snapshots built by hand.
    created_at: datetime | None = None
    #: The gateway's reference for the payment (a Stripe session, a wallet transaction
    #: id, the bank-transfer reference); ``""`` when there is none.
    payment_reference: str = ""
    #: What the shopper typed into the gateway's ``fields`` at checkout (by field name);
    #: empty when the gateway asks for nothing.
    payment_fields: Mapping[str, str] = field(default_factory=dict)
    #: The shopper's status page: the absolute URL of ``/orders/<token>`` on the store's
    #: host.
    status_url: str = ""
    #: The courier's name as the shopper sees it ("Pathao"); ``""`` until shipped.
    carrier: str = ""
    #: The ``ShippingCarrier.id`` that booked the parcel or links its tracking; ``""``
    #: when the merchant named the courier by hand or the order has not shipped.
    carrier_id: str = ""
    #: The courier's tracking (consignment) number; ``""`` when there is none.
    tracking_number: str = ""
    #: Where the shopper follows the parcel, an ``http(s)://`` address; ``""`` when there
    #: is no link.
    tracking_url: str = ""
    #: The store's customer record the order belongs to; ``None`` when there is none.
    customer_id: int | None = None


@dataclass(frozen=True)
class CheckoutProblem:
    """A reason a checkout cannot go on, shown next to ``field`` (or on top if empty).

    The order is not placed while any problem is returned.
    """

    #: What the shopper reads, in their language (``CheckoutContext.locale``).
    message: str
    #: The checkout form field it is about: ``"email"``, ``"phone"``, ``"name"``,
    #: ``"country"``, ``"region"``, ``"city"``, ``"line1"``, ``"line2"``,
    #: ``"postcode"``, ``"shipping_rate"``, ``"payment_method"``, ``"coupon"``,
    #: ``"payment_fields.<field name>"`` (a field of the chosen gateway) or ``"cart"``;
    #: ``""`` puts it on top of the form. A message for any other name is not shown,
    #: although the order is still refused.
    field: str = ""


@dataclass(frozen=True)
class Adjustment:
    """A change to a checkout's total, tagged by ``kind`` (see ``ADJUSTMENT_ORDER``).

    Discounts are negative amounts; shipping, fees and tax are positive. Core applies
    the adjustments of every plugin by kind, never one on top of another, and a
    discount never takes the goods below zero.
    """

    #: One of :data:`ADJUSTMENT_ORDER`: ``"discount"``, ``"shipping"``, ``"fee"`` or
    #: ``"tax"``.
    kind: str
    #: Your own short id for it (``"cod-fee"``), kept with the order.
    code: str
    #: What the shopper reads in the order summary and the merchant on the order
    #: (``"Cash on delivery fee"``), in the shopper's language.
    label: str
    #: The change, in the store's currency (another currency stops the checkout with a
    #: message): negative for a discount, positive otherwise.
    amount: Money

    def __post_init__(self) -> None:
        if self.kind not in ADJUSTMENT_ORDER:
            raise ValueError(f"Adjustment kind must be one of {ADJUSTMENT_ORDER}")


@dataclass(frozen=True)
class ShippingRate:
    """A price to ship a cart to an address: what ``ShippingCarrier.quote`` returns,
    one per delivery option."""

    #: The option's id, unique within its carrier (``"inside-dhaka"``). Checkout names
    #: it ``"<carrier id>:<rate id>"``.
    id: str
    #: What the shopper chooses at checkout and sees on the order (``"Inside Dhaka"``).
    label: str
    #: The price, in the store's currency (a quote in another currency is refused and
    #: the checkout says delivery prices are unavailable); zero means free.
    amount: Money
    #: The id of the carrier that quotes it. Informational: core goes by the carrier
    #: that returned the rate.
    carrier: str = ""
    #: One line shown under the label at checkout (``"1-2 days"``); ``""`` for none.
    description: str = ""
    #: The fewest days delivery takes; ``None`` when unknown. Core does not show it
    #: (put the words in ``description``); other plugins may read it.
    min_days: int | None = None
    #: The most days delivery takes; ``None`` when unknown.
    max_days: int | None = None
    #: The name of the carrier's zone the rate came from; ``""`` when the carrier has no
    #: zones. Kept with the order; payment plugins may limit themselves to zones.
    zone: str = ""


@dataclass(frozen=True)
class ShippingZone:
    """One of a carrier's delivery zones, as the merchant named it: what
    ``ShippingCarrier.zones`` lists and :func:`core.sdk.shipping_zones` gathers."""

    #: The zone's id: the ``ShippingRate.zone`` of the rates quoted in it (``"inside-dhaka"``).
    id: str
    #: The merchant's name for it (``"Inside Dhaka"``).
    name: str
    #: The id of the carrier the zone belongs to.
    carrier: str = ""


@dataclass(frozen=True)
class Shipment:
    """A parcel booked with a courier: what ``ShippingCarrier.create_shipment`` returns."""

    #: The courier's name as the shopper sees it ("Steadfast"); ``""`` uses the
    #: carrier's ``label``.
    carrier: str
    #: The courier's tracking (consignment) number, 1 to 100 characters.
    tracking_number: str
    #: Where the shopper follows the parcel (``https://...``). ``None`` (or a link that
    #: is not ``http(s)``): core asks the carrier's ``tracking_url_for`` or
    #: ``tracking_url``.
    tracking_url: str | None = None


#: What a carrier may report about a parcel (``TrackingEvent.status``), in journey order.
#: ``delivered`` moves a shipped order to delivered, ``returned`` to returned (and its
#: items back into stock); the others are only shown and passed to hooks.
TRACKING_STATUSES: tuple[str, ...] = (
    "booked", "picked_up", "in_transit", "out_for_delivery", "delivery_failed",
    "delivered", "returning", "returned")


@dataclass(frozen=True)
class TrackingEvent:
    """One step of a parcel's journey, as its carrier reported it.

    Report events with :func:`core.sdk.record_tracking`, from a webhook route or a
    scheduled poll. Reporting the same ``event_id`` for the same parcel again changes
    nothing.
    """

    #: One of :data:`TRACKING_STATUSES`.
    status: str
    #: The carrier's id for this event, unique per parcel (another parcel's event may
    #: have the same id). ``""`` makes one from the tracking number, status and time,
    #: or, for an event without a time, the description and location.
    event_id: str = ""
    #: When it happened (timezone-aware); ``None`` means now.
    occurred_at: datetime | None = None
    #: The carrier's own words ("Out for delivery from Mirpur hub"), at most 500
    #: characters; shown to the merchant and the shopper.
    description: str = ""
    #: Where it happened ("Mirpur hub"); ``""`` when the carrier does not say.
    location: str = ""

    def __post_init__(self) -> None:
        if self.status not in TRACKING_STATUSES:
            raise ValueError(f"TrackingEvent.status must be one of {TRACKING_STATUSES}")


@dataclass(frozen=True)
class CodCollection:
    """One parcel's cash as its courier reports it: what the courier collected from
    the shopper, what it kept, and whether it has paid the rest out to the merchant.

    Report them with :func:`core.sdk.record_cod_collections`, from the courier's
    payout API, a payout webhook or a statement the merchant uploads. The admin's cash
    on delivery report (Orders, Cash on delivery) sets them against the orders.
    """

    #: The parcel's tracking (consignment) number, as the ``Shipment`` you returned
    #: gave it. A parcel the merchant shipped by hand is matched only when Haat kept
    #: your carrier's id on it (the merchant kept the courier your rate suggested).
    tracking_number: str
    #: The cash the courier collected from the shopper, in the store's currency; zero
    #: for a parcel that came back.
    collected: Money
    #: What the courier kept from it (delivery charge, cash-on-delivery charge), zero or
    #: more, in the store's currency. The merchant is owed ``collected - charge``.
    charge: Money
    #: The courier's id for the payout (or invoice) that paid this parcel's cash out to
    #: the merchant; ``""`` while it is not paid out yet.
    payout_reference: str = ""
    #: When that payout was made (timezone-aware); ``None`` when not paid out, or when
    #: the courier does not say.
    paid_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.collected, Money) or not isinstance(self.charge, Money):
            raise TypeError("CodCollection.collected and .charge must be core.sdk.Money")
        if self.collected.amount < 0 or self.charge.amount < 0:
            raise ValueError("CodCollection amounts cannot be negative")
        if self.paid_at is not None and self.paid_at.tzinfo is None:
            raise ValueError("CodCollection.paid_at must be timezone-aware")


@dataclass(frozen=True)
class DeliveryRecord:
    """A courier's record of parcels sent to one phone number across its whole network:
    what ``haat_delivery_record`` returns, shown on the admin's order page beside the
    store's own record to flag risky cash-on-delivery orders."""

    #: Who keeps the record, as the merchant reads it ("Steadfast").
    source: str
    #: Parcels to this phone that were delivered, zero or more.
    delivered: int
    #: Parcels to this phone that were refused or came back, zero or more.
    returned: int
    #: When the courier was asked (timezone-aware); ``None`` when unknown.
    checked_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.source, str) or not all(
                isinstance(count, int) and not isinstance(count, bool)
                for count in (self.delivered, self.returned)):
            raise TypeError("DeliveryRecord.source is a str, delivered and returned ints")
        if self.delivered < 0 or self.returned < 0:
            raise ValueError("DeliveryRecord counts cannot be negative")
        if self.checked_at is not None and (not isinstance(self.checked_at, datetime)
                                            or self.checked_at.tzinfo is None):
            raise ValueError("DeliveryRecord.checked_at must be a timezone-aware datetime")


@dataclass(frozen=True)
class PaymentStart:
    """What to do after the order is placed: redirect the shopper, or show instructions.

    ``PaymentGateway.start`` returns it.
    """

    #: An ``https://`` (or ``http://``) address of the provider's payment page to send
    #: the shopper to; ``None`` keeps them in the store. Other schemes are ignored.
    redirect_url: str | None = None
    #: Plain text telling the shopper how to pay (line breaks kept), shown on the order
    #: page while the payment is pending and in the confirmation email; ``""`` for none.
    instructions: str = ""
    #: A reference for the payment (one the shopper quotes on a bank transfer), kept as
    #: the order's ``payment_reference`` unless it already has one; ``""`` for none.
    reference: str = ""


@dataclass(frozen=True)
class PaymentResult:
    """What a gateway learned about an order's payment.

    ``state`` is one of :data:`PAYMENT_RESULT_STATES`. For ``refunded`` and
    ``partially_refunded``, ``amount`` is the total refunded so far (so a replayed
    event changes nothing). ``event_id`` is the provider's id for the event; core
    applies each event id once per store and gateway. Results that would move an
    order backwards (a late failure after success) are recorded and ignored.
    """

    #: The ``token`` of the order it is about. A result for an order of another store,
    #: or one paid with another gateway, is ignored.
    order_token: str
    #: One of :data:`PAYMENT_RESULT_STATES`; ``"pending"`` changes nothing.
    state: str
    #: The provider's id for the payment (a charge id). With ``paid`` or ``authorised``
    #: it becomes the order's ``payment_reference``; ``""`` keeps the one it has.
    provider_reference: str = ""
    #: A line for the order's timeline, read by the merchant; ``""`` gives a standard
    #: one.
    message: str = ""
    #: The provider's id for this event; ``""`` means the result is not deduplicated.
    event_id: str = ""
    #: With ``paid`` or ``authorised``: the amount paid, which must be the order's
    #: total in its currency or nothing changes (the mismatch is noted on the
    #: timeline). With ``refunded`` or ``partially_refunded``: the total refunded so
    #: far (required: without it the result is ignored). ``None``: not stated.
    amount: Money | None = None

    def __post_init__(self) -> None:
        if self.state not in PAYMENT_RESULT_STATES:
            raise ValueError(f"PaymentResult.state must be one of {PAYMENT_RESULT_STATES}")


@dataclass(frozen=True)
class WebhookResult:
    """How a gateway handled a provider webhook: what ``PaymentGateway.handle_webhook``
    returns."""

    #: The HTTP status to answer the provider with: 200 when handled, a 4xx to refuse
    #: (400 for a bad signature).
    status: int = 200
    #: What the webhook said about orders; core applies each once, in order.
    results: tuple[PaymentResult, ...] = ()


@dataclass(frozen=True)
class RefundResult:
    """What ``PaymentGateway.refund`` returns: whether the money went back."""

    #: True when the money was sent back (or, for a refund made by hand, is confirmed);
    #: False leaves the order as it was and shows ``message`` to the merchant.
    ok: bool
    #: The amount refunded, in the order's currency. Core records the amount it asked
    #: for.
    amount: Money
    #: The provider's id for the refund; ``""`` when none. Core does not keep it: put
    #: it in ``message`` to have it on the order's timeline.
    provider_reference: str = ""
    #: On success, added to the order's timeline; on refusal, the reason shown to the
    #: merchant. ``""`` for none.
    message: str = ""


