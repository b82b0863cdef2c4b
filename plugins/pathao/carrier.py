"""The Pathao carrier: delivery prices at checkout and booking parcels.

Quotes come from Pathao's price plan for the address's city and zone and the cart's
weight, cached for half an hour per store, so checkout stays fast; when Pathao cannot
be reached or the address cannot be matched, Pathao simply offers no option (other
carriers, such as the shipping-zones plugin, still do).

Bookings send ``order.token`` as Pathao's ``merchant_order_id``. Pathao does not say
that it refuses a second order with the same id, so the plugin keeps its own record
per order (``parcel:<token>`` in its values): a booking that got its answer is found
again instead of booked twice; one whose answer was lost stays "pending" until Pathao's
``order.created`` webhook names its consignment (which then is the answer), or for
:data:`PENDING_MINUTES` minutes, after which the merchant may book again.
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from core.sdk import (
    Address,
    CartSnapshot,
    Money,
    OrderSnapshot,
    PluginCheckoutError,
    Shipment,
    ShippingRate,
    StoreInfo,
    current_locale,
    store_values,
)

from .api import (
    DELIVERY_NORMAL,
    ITEM_PARCEL,
    QUOTE_TIMEOUT,
    PathaoClient,
    PathaoRefused,
    PathaoUnavailable,
)
from .config import CARRIER_ID, PLUGIN, PathaoConfig
from .locations import find_destination
from .texts import _, text

log = logging.getLogger(__name__)

TRACKING_PAGE = "https://merchant.pathao.com/tracking"
COD_GATEWAY = "cod"
MIN_KG, MAX_KG = 0.5, 10.0
PENDING_MINUTES = 10


def tracking_link(consignment_id: str, phone: str = "") -> str:
    query = {"consignment_id": consignment_id}
    if phone:
        query["phone"] = phone
    return f"{TRACKING_PAGE}?{urlencode(query)}"


def local_phone(phone: str) -> str:
    """``01XXXXXXXXX`` from what was typed (spaces, +880, 880); "" when it is not a
    Bangladeshi mobile number."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("880"):
        digits = digits[2:]
    return digits if re.fullmatch(r"01[3-9]\d{8}", digits) else ""


def weight_kg(grams: int) -> float:
    """The parcel's weight for Pathao: at least 0.5 kg, in half kilograms upwards."""
    return max(MIN_KG, math.ceil(max(grams, 0) / 500) / 2)


def _parcel_key(order: OrderSnapshot) -> str:
    return f"parcel:{order.token}"


def remember_parcel(store: StoreInfo, merchant_order_id: str, consignment_id: str) -> bool:
    """Note that the booking of the order with token ``merchant_order_id`` is the parcel
    ``consignment_id`` (from the booking's answer or Pathao's ``order.created``
    webhook). Only a booking this store started is completed; True when it was."""
    values = store_values(store, PLUGIN)
    key = f"parcel:{merchant_order_id}"
    record = values.get(key)
    if not isinstance(record, dict):
        return False
    if not record.get("consignment_id"):  # a booking's own answer is never replaced
        values.set(key, {**record, "consignment_id": consignment_id})
    return True


class PathaoCarrier:
    """Implements ``core.sdk.ShippingCarrier`` for one store's Pathao account."""

    id = CARRIER_ID
    label = "Pathao"
    #: Books any order, whichever rate priced it: the area comes from the address.
    books_any_order = True

    def __init__(self, config: PathaoConfig) -> None:
        self.config = config

    # -- checkout

    def quote(self, store: StoreInfo, cart: CartSnapshot, address: Address) -> list[ShippingRate]:
        if not self.config.ready or store.currency != "BDT" or address.country != "BD":
            return []
        weight = weight_kg(cart.weight_grams)
        if weight > MAX_KG:
            return []
        client = PathaoClient(self.config, timeout=QUOTE_TIMEOUT)
        try:
            destination = find_destination(client, address)
            if destination is None:
                return []
            plan = client.price(destination.city_id, destination.zone_id, weight)
        except (PathaoUnavailable, PathaoRefused) as exc:
            log.warning("pathao quote for store %s: %s", store.slug, exc)
            return []
        price = plan.get("final_price", plan.get("price"))
        if price is None:
            return []
        locale = current_locale() or store.locale
        return [ShippingRate(
            id="normal", label=text(locale, "label"), carrier=self.id,
            amount=Money.from_decimal(str(price), store.currency),
            description=text(locale, "description"), min_days=1, max_days=3,
            zone=destination.city_name)]

    # -- links

    def tracking_url(self, tracking_number: str) -> str | None:
        return tracking_link(tracking_number) if tracking_number else None

    # -- booking

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment:
        if not self.config.ready:
            raise PluginCheckoutError(_(
                "Pathao is not set up yet: fill in the client ID, client secret, login "
                "email, password and pickup store id in the Pathao settings."))
        phone = local_phone(order.phone or (order.address.phone if order.address else ""))
        values = store_values(store, PLUGIN)
        record = values.get(_parcel_key(order))
        if isinstance(record, dict) and record.get("consignment_id"):
            # Booked before (its answer was lost or the order was not shipped): the
            # same parcel, never a second one.
            return self._shipment(str(record["consignment_id"]), phone)
        if isinstance(record, dict) and record.get("pending_since"):
            started = datetime.fromisoformat(record["pending_since"])
            if datetime.now(UTC) - started < timedelta(minutes=PENDING_MINUTES):
                raise PluginCheckoutError(_(
                    "An earlier booking of this order got no answer from Pathao, so it "
                    "may have been booked. Look for merchant order id %(reference)s in the "
                    "Pathao merchant panel; if it is not there, book again in "
                    "%(minutes)s minutes.", reference=order.token,
                    minutes=PENDING_MINUTES))
        payload = self._payload(store, order, phone)
        values.set(_parcel_key(order), {"pending_since": datetime.now(UTC).isoformat(),
                                        "number": order.number})
        try:
            answer = PathaoClient(self.config).create_order(payload)
        except PathaoRefused as exc:
            values.delete(_parcel_key(order))
            raise PluginCheckoutError(_("Pathao refused the parcel: %(reason)s",
                                        reason=exc.reason()), detail=str(exc)) from exc
        except PathaoUnavailable as exc:
            if not exc.sent:
                values.delete(_parcel_key(order))
            raise
        consignment = str(answer.get("consignment_id") or "").strip()
        if not consignment:
            raise PathaoUnavailable("pathao orders: no consignment_id in the answer")
        values.set(_parcel_key(order), {"consignment_id": consignment, "number": order.number,
                                        "delivery_fee": answer.get("delivery_fee")})
        return self._shipment(consignment, phone)

    def _shipment(self, consignment: str, phone: str) -> Shipment:
        return Shipment(carrier="Pathao", tracking_number=consignment,
                        tracking_url=tracking_link(consignment, phone))

    def _payload(self, store: StoreInfo, order: OrderSnapshot, phone: str) -> dict:
        address = order.address
        if address is None or address.country != "BD":
            raise PluginCheckoutError(_("Pathao delivers only to addresses in Bangladesh."))
        if not phone:
            raise PluginCheckoutError(_(
                "Pathao needs the recipient's Bangladeshi mobile number (01XXXXXXXXX); "
                "this order has none."))
        if order.total.currency != "BDT":
            raise PluginCheckoutError(_("Pathao collects cash in taka only (BDT)."))
        grams = sum(line.weight_grams * line.quantity for line in order.lines)
        weight = weight_kg(grams)
        if weight > MAX_KG:
            raise PluginCheckoutError(_("Pathao carries parcels of up to 10 kg; this one "
                                        "weighs %(kg)s kg.", kg=weight))
        try:
            destination = find_destination(PathaoClient(self.config), address,
                                           with_area=True)
        except PathaoRefused as exc:
            raise PluginCheckoutError(_("Pathao refused the parcel: %(reason)s",
                                        reason=exc.reason()), detail=str(exc)) from exc
        if destination is None:
            raise PluginCheckoutError(_(
                "Pathao has no delivery zone matching this address (%(address)s). Book "
                "the parcel in the Pathao merchant panel, then enter its consignment id "
                "below.", address=", ".join(p for p in (address.city, address.region) if p)))
        street = ", ".join(p for p in (address.line1, address.line2, address.city,
                                       address.region) if p)
        if len(street) < 10:
            raise PluginCheckoutError(_("The address is too short for Pathao (at least 10 "
                                        "characters)."))
        cash = 0
        if order.payment_method == COD_GATEWAY and order.payment_state not in (
                "paid", "partially_refunded", "refunded"):
            cash = math.ceil(order.total.to_decimal())
        payload = {
            "store_id": int(self.config.store_id), "merchant_order_id": order.token,
            "recipient_name": (address.name or "Customer")[:100],
            "recipient_phone": phone, "recipient_address": street[:220],
            "recipient_city": destination.city_id, "recipient_zone": destination.zone_id,
            "delivery_type": DELIVERY_NORMAL, "item_type": ITEM_PARCEL,
            "special_instruction": "",
            "item_quantity": max(1, sum(line.quantity for line in order.lines)),
            "item_weight": weight, "amount_to_collect": cash,
            "item_description": "; ".join(
                f"{line.quantity} x {line.title}" for line in order.lines)[:255],
        }
        if destination.area_id is not None:
            payload["recipient_area"] = destination.area_id
        return payload
