"""The Steadfast carrier: books parcels and links them to Steadfast's tracking page.

Steadfast's API quotes no prices, so :meth:`SteadfastCarrier.quote` offers nothing:
merchants price delivery with the shipping-zones plugin and book any order's parcel
with Steadfast. The order's token is the parcel's ``invoice`` (Steadfast's unique
merchant reference), so a booking whose answer was lost is found again instead of
booked twice (see :func:`_recover`).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from core.sdk import (
    Address,
    OrderSnapshot,
    PluginCheckoutError,
    Shipment,
    StoreInfo,
    locate_address,
    store_values,
)

from .api import SteadfastClient, SteadfastError, SteadfastRefused, SteadfastUnauthorised
from .config import CARRIER_ID, PLUGIN, SteadfastConfig
from .texts import _

log = logging.getLogger(__name__)

TRACKING_PAGE = "https://steadfast.com.bd/t/"
#: Steadfast's tracking codes: "15BAEB8A".
_CODE = re.compile(r"^[A-Za-z0-9]{6,16}$")
_MOBILE = re.compile(r"^01[3-9]\d{8}$")
COD_GATEWAY = "cod"


def tracking_link(code: str) -> str | None:
    code = code.strip()
    return f"{TRACKING_PAGE}{quote(code, safe='')}" if _CODE.match(code) else None


def bd_mobile(*numbers: str) -> str:
    """The first of ``numbers`` that is a Bangladeshi mobile number, as the 11 digits
    Steadfast wants (``01712345678``); ``""`` when none is."""
    for number in numbers:
        digits = re.sub(r"\D", "", number or "")
        if digits.startswith("880"):
            digits = digits[2:]
        if _MOBILE.match(digits):
            return digits
    return ""


def cod_amount(order: OrderSnapshot) -> Decimal:
    """The cash the rider collects: the order's total for an unpaid cash-on-delivery
    order, nothing otherwise (the shopper paid online)."""
    if order.payment_method == COD_GATEWAY and order.payment_state != "paid":
        return order.total.to_decimal()
    return Decimal(0)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def recipient_address(address: Address) -> str:
    """One line for the rider: street, landmark, area and district, without repeats,
    at most the 250 characters Steadfast takes."""
    parts: list[str] = []
    for part in (address.line1, address.line2, address.city, address.region,
                 address.postcode):
        part = " ".join(part.split())
        if part and part.casefold() not in (p.casefold() for p in parts):
            parts.append(part)
    return ", ".join(parts)[:250]


# -- what the plugin remembers about its parcels (its key/value store)


def remember(store: StoreInfo, tracking_number: str, *, consignment_id: str = "",
             invoice: str = "", tracking_code: str = "") -> None:
    values = store_values(store, PLUGIN)
    parcel = {"tracking_number": tracking_number, "consignment_id": consignment_id,
              "invoice": invoice, "tracking_code": tracking_code}
    if consignment_id:
        values.set(f"parcel:{consignment_id}", parcel)
    if invoice:
        values.set(f"invoice:{invoice}", parcel)


def parcel_of(store: StoreInfo, consignment_id: str = "",
              invoice: str = "") -> dict[str, Any] | None:
    """What the plugin knows about a parcel of ``store`` (by consignment id, else by
    invoice), or ``None`` when it never booked it."""
    values = store_values(store, PLUGIN)
    return ((values.get(f"parcel:{consignment_id}") if consignment_id else None)
            or (values.get(f"invoice:{invoice}") if invoice else None))


class SteadfastCarrier:
    """Steadfast for one store (implements ``core.sdk.ShippingCarrier``)."""

    id = CARRIER_ID
    label = "Steadfast"
    #: Books any order, whichever rate priced it: the area comes from the address.
    books_any_order = True

    def __init__(self, store: StoreInfo) -> None:
        self.store = store

    def quote(self, store: StoreInfo, cart: Any, address: Address) -> list:
        # Steadfast's API has no price quotes: delivery is priced with shipping zones.
        return []

    def tracking_url(self, tracking_number: str) -> str | None:
        number = tracking_number.strip()
        if number.isdigit():  # a consignment id: its tracking code, if we booked it
            known = parcel_of(self.store, consignment_id=number)
            return tracking_link(known.get("tracking_code", "")) if known else None
        known = parcel_of(self.store, invoice=number)
        if known is not None:  # a recovered booking, known by its invoice
            return tracking_link(known.get("tracking_code", ""))
        return tracking_link(number)  # a tracking code typed by hand

    def create_shipment(self, store: StoreInfo, order: OrderSnapshot) -> Shipment:
        config = SteadfastConfig.of(store)
        if not config.ready:
            raise PluginCheckoutError(_("Enter your Steadfast API key and secret key in the "
                                        "plugin's settings first."))
        if order.total.currency != "BDT":
            raise PluginCheckoutError(_("Steadfast collects cash in taka only, and this "
                                        "order is in %(currency)s.",
                                        currency=order.total.currency))
        fields = self._fields(order)
        client = SteadfastClient(config)
        try:
            consignment = client.create_order(fields)
        except SteadfastUnauthorised:
            raise PluginCheckoutError(_(
                "Steadfast did not accept the API key and secret key in the plugin's "
                "settings.")) from None
        except SteadfastRefused as exc:
            if _invoice_taken(exc):
                return self._recover(store, client, order)
            raise PluginCheckoutError(
                _("Steadfast refused the parcel: %(reason)s", reason=exc.reasons()
                  or str(exc)), detail=str(exc)) from None
        cid = str(consignment["consignment_id"])
        code = str(consignment.get("tracking_code") or "")
        remember(store, cid, consignment_id=cid, invoice=order.token, tracking_code=code)
        return Shipment(carrier="Steadfast", tracking_number=cid,
                        tracking_url=tracking_link(code))

    def _fields(self, order: OrderSnapshot) -> dict[str, Any]:
        address = order.address
        if address is None or address.country != "BD":
            raise PluginCheckoutError(_("Steadfast delivers in Bangladesh only, and this "
                                        "order has no address there."))
        street = recipient_address(address)
        if not street or (locate_address(address) is None and not address.line1.strip()):
            raise PluginCheckoutError(_("Steadfast needs the street and area of the "
                                        "delivery address, and this order's address "
                                        "cannot be placed. Correct it, then book again."))
        phone = bd_mobile(address.phone, order.phone)
        if not phone:
            raise PluginCheckoutError(_("Steadfast needs the shopper's Bangladeshi mobile "
                                        "number (11 digits, 01...), and this order has "
                                        "none."))
        name = " ".join((address.name or "").split())[:100]
        if not name:
            raise PluginCheckoutError(_("Steadfast needs the recipient's name, and this "
                                        "order has none."))
        items = "; ".join(f"{line.quantity} × {line.title}" for line in order.lines)
        return {"invoice": order.token, "recipient_name": name, "recipient_phone": phone,
                "recipient_address": street, "cod_amount": _number(cod_amount(order)),
                "note": f"Order #{order.number}", "item_description": items[:250],
                "total_lot": sum(line.quantity for line in order.lines) or 1,
                "delivery_type": 0}

    def _recover(self, store: StoreInfo, client: SteadfastClient,
                 order: OrderSnapshot) -> Shipment:
        """Steadfast already has a parcel with this order's token as its invoice: the
        answer of an earlier booking was lost. Confirm it by invoice and ship with it.

        The documented answer of ``status_by_invoice`` has no consignment id, so the
        parcel is tracked by its invoice until Steadfast's webhook or payout names
        its consignment id (an undocumented id in the answer is used when present)."""
        try:
            found = client.status_by_invoice(order.token)
        except SteadfastError as exc:
            log.warning("steadfast: invoice taken but not found by invoice: %s", exc)
            raise PluginCheckoutError(_(
                "Steadfast already has a parcel for this order, but did not say which. "
                "Look for order #%(number)s in Steadfast's panel and enter its "
                "consignment id below.", number=order.number)) from None
        inner = found.get("consignment") if isinstance(found.get("consignment"), dict) \
            else found
        cid = str(inner.get("consignment_id") or "")
        code = str(inner.get("tracking_code") or "")
        number = cid or order.token
        remember(store, number, consignment_id=cid, invoice=order.token, tracking_code=code)
        return Shipment(carrier="Steadfast", tracking_number=number,
                        tracking_url=tracking_link(code))


def _invoice_taken(exc: SteadfastRefused) -> bool:
    return any("taken" in str(message).lower() or "exist" in str(message).lower()
               for message in (exc.errors.get("invoice") or []))
